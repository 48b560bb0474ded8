"""Administrators see the flow they run: the applicant's journey and the status machine,
drawn by shenbao/diagram.py as SVG and kept per flow digest (a new flow draws anew)."""
from __future__ import annotations

import re

import bottle
from markupsafe import Markup

from shenbao.describe import Words
from shenbao.diagram import VIEWS, DiagramError, render

from ..context import Web
from .base import Desk

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)  # the XML declaration, doctype and comments before <svg>


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    drawn: dict[tuple[str, str], Markup | None] = {}

    def draw(view: str) -> Markup | None:
        key = (web.flow.digest, view)
        if key not in drawn:
            try:
                svg = render(web.flow, Words(web.flow, web.catalog), view, "svg")
                drawn[key] = Markup(_PROLOGUE.sub("", svg, count=1))
            except DiagramError:
                drawn[key] = None
        return drawn[key]

    @app.get("/staff/flow")
    def flow_page() -> str:
        me = desk.need("see_flow")
        return desk.render("flow.html", me=me, title=desk.t("staff.flow.title"),
                           filename=web.flow.filename, version=web.flow.version,
                           views=[(view, desk.t(f"staff.flow.{view}"), draw(view)) for view in VIEWS])
