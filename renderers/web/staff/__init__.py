"""The staff side (工作人员): confirmation points and registration agencies move
applications through the flow's statuses, message applicants, keep their points and
plans, and export their lists. Routes live under /staff/.

`install(app, web)` is called by the web application factory. Scope (who may see what) is
decided in shenbao/scope.py alone; status moves are shenbao/moves.py, shared with `shenbao status`.
"""
from __future__ import annotations

import bottle

from ..context import Web
from . import accounts, auth, corrections, export, flowview, messages, plans, points, queue, review
from .base import Desk


def install(app: bottle.Bottle, web: Web) -> None:
    desk = Desk(web)
    auth.install(app, web, desk)
    queue.install(app, web, desk)
    review.install(app, web, desk)
    corrections.install(app, web, desk)
    messages.install(app, web, desk)
    points.install(app, web, desk)
    plans.install(app, web, desk)
    accounts.install(app, web, desk)
    flowview.install(app, web, desk)
    export.install(app, web, desk)
