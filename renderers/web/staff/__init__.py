"""The staff side (工作人员): the flow's staff roles move applications through its
statuses, message applicants, keep the reference data the flow lets them edit, and
export their lists. Routes live under /staff/.

`install(app, web)` is called by the web application factory. Scope (who may see what) is
decided in shenbao/scope.py alone; status moves are shenbao/moves.py, shared with `shenbao status`.
"""
from __future__ import annotations

import bottle

from ..context import Web
from . import accounts, auth, corrections, data, export, flowview, messages, queue, review
from .base import Desk


def install(app: bottle.Bottle, web: Web) -> None:
    desk = Desk(web)
    auth.install(app, web, desk)
    queue.install(app, web, desk)
    review.install(app, web, desk)
    corrections.install(app, web, desk)
    messages.install(app, web, desk)
    data.install(app, web, desk)
    accounts.install(app, web, desk)
    flowview.install(app, web, desk)
    export.install(app, web, desk)
    data.install_old_addresses(app, desk)     # last: every other page's address wins
