"""Downloading the application form: the choose-a-format dialog and the download (manual section 7).

GET /application/form shows the formats the flow's document declares as radio buttons and
an export button; it works without JavaScript, and download.js turns the dashboard's link into
a <dialog> on pages that include it. POST /application/form (CSRF) answers the signed-in
applicant's own form as an attachment with a Chinese file name (RFC 5987 `filename*`). The
bytes come from the store when they were made for the application's current version, else
they are drawn now and stored (see shenbao/documents.py); `shenbao worker` (shenbao/worker.py)
usually makes them before the first click, from the queue of changed applications
(`start_warmer(app)`, a thread that scans for stale forms, is kept for `shenbao document --warm`'s
kind of work and its tests; `shenbao serve` no longer starts it). No id in any URL: the
session names the application, so nobody can download someone else's form.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import bottle

from shenbao.documents import DocumentUnavailable, Documents, Rendered, Warmer

from .account import current_application
from .context import Web
from .sessions import check_csrf

PATH = "/application/form"
CONFIG_KEY = "shenbao.documents"
WARMER_KEY = "shenbao.documents.warmer"
# RFC 5987 attr-char, besides letters and digits: what may stay unencoded in filename*.
_ATTR_CHARS = "!#$&+-.^_`|~"

log = logging.getLogger("shenbao.web")


def content_disposition(filename: str, ascii_filename: str) -> str:
    """attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded UTF-8>."""
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in ascii_filename)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe=_ATTR_CHARS)}"


def documents_of(app: bottle.Bottle) -> Documents:
    return app.config[CONFIG_KEY]


class Download:
    def __init__(self, web: Web, documents: Documents):
        self.web, self.documents = web, documents

    def formats(self, chosen: str | None) -> list[dict[str, Any]]:
        chosen = chosen if chosen in self.documents.formats else self.documents.formats[0]
        return [{"id": fmt, "label": self._text(f"download.format.{fmt}", fmt.upper()),
                 "hint": self._text(f"download.format.{fmt}.hint", ""), "checked": fmt == chosen}
                for fmt in self.documents.formats]

    def _text(self, key: str, default: str) -> str:
        return self.web.t(key) if self.web.catalog.has(key) else default

    def page(self, chosen: str | None = None, error: str | None = None, status: int = 200) -> str:
        return self.web.page("form_download.html", status, title=self.web.t("download.title"),
                             formats=self.formats(chosen), error=error, action=PATH, signed_in=True)

    def download(self) -> Any:
        found = current_application(self.web)
        check_csrf(self.web)
        fmt = bottle.request.forms.get("format") or ""
        if fmt not in self.documents.formats:
            return self.page(error=self.web.t("download.choose"), status=400)
        try:
            made = self.documents.fetch(found, fmt, self.web.now)
        except DocumentUnavailable as error:  # e.g. the CJK font is not installed
            log.error("document not made: %s", error)
            return self.web.page("message.html", 503, title=self.web.t("download.title"),
                                 lines=[self.web.t("download.failed")], signed_in=True, back=PATH)
        return self.send(made)

    @staticmethod
    def send(made: Rendered) -> bytes:
        """The file as an attachment (Cache-Control: no-store comes with every page, see security.py)."""
        response = bottle.response
        response.content_type = made.media_type
        response.set_header("Content-Disposition", content_disposition(made.filename, made.ascii_filename))
        return made.content


def install(app: bottle.Bottle, web: Web) -> None:
    if not web.flow.documents or not web.printers:  # nothing to print, or nothing to print with
        return
    documents = Documents(web.flow, web.store, web.catalog, web.tz, web.printers)
    documents.flow_of = web.flow_of  # each form drawn with the flow version its application was made under
    documents.catalog_for = web.catalog_for  # and worded with the texts in use now
    app.config[CONFIG_KEY] = documents
    download = Download(web, documents)

    @app.get(PATH)
    def choose() -> str:
        current_application(web)
        return download.page(bottle.request.query.get("format"))

    @app.post(PATH)
    def export() -> Any:
        return download.download()


# ---- ahead of the click -------------------------------------------------------------------

def start_warmer(app: bottle.Bottle, interval: float = 30.0) -> Warmer | None:
    """Start this process's background maker of stale documents (once per process: call it
    in each server worker after the fork, never in a process that forks afterwards). None
    when the flow declares no document."""
    web: Web = app.config["shenbao.web"]
    if CONFIG_KEY not in app.config:
        return None
    running = app.config.get(WARMER_KEY)
    if running is not None and running.is_alive():
        return running
    warmer = Warmer(documents_of(app), web.now, interval)
    app.config[WARMER_KEY] = warmer
    warmer.start()
    return warmer

