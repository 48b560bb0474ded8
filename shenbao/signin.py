"""After submission, in the flow's own terms: which answers identify an applicant at 登录 and
at 找回密码 (the flow's `application.identity` login and recovery fields), how typed identity
numbers are compared, and what a new password must satisfy (the password field's rules).

Pure: no store, no bottle, no clock of its own. The scenario player calls it on the answers
it holds in memory; the web asks the store, which compares the same declared fields.
"""
from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, Mapping

from engine import Flow, Problem

from .catalog import format_value
from .people import password_problems


def identity_text(text: Any) -> str:
    """An ID or certificate number as the flow normalises it: NFKC, trimmed, upper case."""
    return unicodedata.normalize("NFKC", "" if text is None else format_value(text)).strip().upper()


def login_fields(flow: Flow) -> tuple[str, ...]:
    """What 登录 asks besides the password (the flow's `identity.login`)."""
    return flow.application.login or flow.application.unique


def recovery_fields(flow: Flow) -> tuple[str, ...]:
    """What 找回密码 asks (the flow's `identity.recovery`, else its login fields)."""
    return flow.application.recovery or login_fields(flow)


def typed_identity(answers: Mapping[str, Any], fields: tuple[str, ...], given: Mapping[str, Any]) -> dict[str, str]:
    """What the applicant types into `fields`: `given` where it names one, else their own answer."""
    return {fid: identity_text(given[fid] if fid in given else answers.get(fid)) for fid in fields}


def identifies(answers: Mapping[str, Any], fields: tuple[str, ...], typed: Mapping[str, Any]) -> bool:
    """Every declared field typed as the application holds it (and none of them empty)."""
    return all(identity_text(answers.get(fid)) and identity_text(typed.get(fid)) == identity_text(answers.get(fid))
               for fid in fields)


def new_password_problems(flow: Flow, new: str, again: str, today: date) -> list[Problem]:
    """The flow's rules for its password and its confirmation (the same as at step 7)."""
    return password_problems(flow, new, again, today)
