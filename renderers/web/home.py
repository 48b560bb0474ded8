"""The home page: start an application (注册), log in, recover a password, help pages."""
from __future__ import annotations

import bottle

from .context import Web
from .help import PAGES
from .sessions import adopt


def install(app: bottle.Bottle, web: Web) -> None:
    @app.get("/")
    def home() -> str:
        signed_in = adopt(web, "applicant") is not None
        return web.render("home.html", help_pages=PAGES, signed_in=signed_in, title=web.t(web.flow.title))
