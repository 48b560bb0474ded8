"""The application form (申请表) download. The PDF comes in its own issue; until then the
route exists, needs a login like every applicant page, and says it is not yet available."""
from __future__ import annotations

import bottle

from .account import current_application
from .context import Web


def install(app: bottle.Bottle, web: Web) -> None:
    @app.get("/application/form")
    def application_form() -> str:
        current_application(web)
        return web.page("message.html", 503, title=web.t("web.form.title"), lines=[web.t("web.form.unavailable")],
                        signed_in=True, back="/account")
