"""Help pages (申请须知, 申请流程, 使用帮助, 常见问题): Markdown-ish files under
locales/zh_CN/help/, rendered safely (see markup.py). Content is never in templates; the
flow's values are quoted through placeholders (shenbao/helppages.py)."""
from __future__ import annotations

import bottle

from shenbao.helppages import fill, values
from shenbao.paths import LOCALES

from .context import Web
from .markup import render
from .sessions import adopt

HELP_DIR = LOCALES / "zh_CN" / "help"
STATEMENT = "accessibility"  # the accessibility statement, linked from every page's footer
# page id → message key of its link text on the home page, in the order shown
PAGES = (("notice", "web.help.notice"), ("process", "web.help.process"),
         ("usage", "web.help.usage"), ("faq", "web.help.faq"))


def install(app: bottle.Bottle, web: Web) -> None:
    known = {page for page, _ in PAGES}

    @app.get("/help/<page>")
    def help_page(page: str) -> str:
        if page not in known:
            bottle.abort(404)
        text = fill((HELP_DIR / f"{page}.md").read_text(encoding="utf-8"), values(web.flow, web.catalog))
        title, body = render(text)
        return web.render("help.html", title=title, body=body, help_pages=PAGES, current=page,
                          signed_in=adopt(web, "applicant") is not None)

    @app.get("/" + STATEMENT)
    def statement() -> str:
        text = fill((HELP_DIR / f"{STATEMENT}.md").read_text(encoding="utf-8"), values(web.flow, web.catalog))
        title, body = render(text)
        return web.render("help.html", title=title, body=body, help_pages=PAGES, current=STATEMENT,
                          signed_in=adopt(web, "applicant") is not None)
