"""An edit of 修改申报信息 sent after the applicant's session expired is kept, not dropped.

The edit page carries an owner tag (the application id with an HMAC under the site secret),
so a form that arrives without a live session still says whose it is. It is kept in the
store under this browser's token (never its password fields), the applicant is sent to log
in, and after logging in *as that application* on this browser the edit page offers it back
to be checked and saved. Anyone else who logs in on the browser gets nothing of it (it is
dropped). Nothing is saved without a live session.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any, Mapping

import bottle

from .context import Web
from .forms import read_form
from .sessions import CSRF_FIELD, browser_key

PURPOSE = "kept_edit"
OWNER_FIELD = "owner"
_NOT_ANSWERS = {CSRF_FIELD, OWNER_FIELD, "action", "confirm", "key"}


def owner_tag(web: Web, app_id: int) -> str:
    mac = hmac.new(web.settings.secret.encode(), f"{PURPOSE}:{app_id}".encode(), hashlib.sha256).hexdigest()
    return f"{app_id}.{mac[:32]}"


def _owner(web: Web, tag: str | None) -> int | None:
    head, _, _mac = (tag or "").partition(".")
    if not head.isdigit() or len(head) > 18:
        return None
    return int(head) if hmac.compare_digest(owner_tag(web, int(head)), tag or "") else None


def keep(web: Web) -> bool:
    """Keep the posted edit for its owner; False when the form names no valid owner."""
    forms = bottle.request.forms.decode()
    owner = _owner(web, forms.get(OWNER_FIELD))
    if owner is None:
        return False
    fields = [f for f in web.flow.fields.values() if f.is_input and not f.secret and f.id not in _NOT_ANSWERS]
    typed = {k: v for k, v in read_form(forms, fields).items() if k in forms}
    state = {"app": owner, "form": typed, "row_version": forms.get("row_version")}
    web.store.save_draft(browser_key(web, PURPOSE), state, web.now())
    return True


def _load(web: Web) -> dict[str, Any] | None:
    keep_for = timedelta(hours=web.settings.draft_keep_hours)
    return web.store.load_draft(browser_key(web, PURPOSE), web.now(), keep_for)


def waiting(web: Web, app_id: int) -> bool:
    kept = _load(web)
    return kept is not None and kept.get("app") == app_id


def take(web: Web, app_id: int) -> Mapping[str, Any] | None:
    """The kept edit if it is this application's (it is offered once); another's is dropped."""
    kept = _load(web)
    if kept is None:
        return None
    web.store.delete_draft(browser_key(web, PURPOSE))
    return kept if kept.get("app") == app_id else None


def row_version(kept: Mapping[str, Any], default: int) -> int:
    """The version the kept edit was made on (a newer one is then refused as stale)."""
    value = str(kept.get("row_version") or "")
    return int(value) if value.isdigit() and len(value) < 10 else default
