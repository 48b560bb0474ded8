"""shenbao.scope follows the flow's `roles: binds`, for any flow: the event sign-up's door
staff are bound to one event, its organiser to nothing, and a role the flow lacks sees nothing."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from shenbao import scope
from shenbao.flows import read_flow
from store import Application, Staff

EVENT = read_flow(Path(__file__).resolve().parents[1] / "flows" / "event_signup.yaml")
AT = datetime(2026, 11, 29, tzinfo=timezone.utc)


def staff(role: str, bound: str | None = None) -> Staff:
    return Staff(1, "s", role, True, AT, bound)


def signup(event: str) -> Application:
    return Application(1, "EV00001", EVENT.id, EVENT.version, "0" * 64, "a@b.cn", "signed_up", {}, {}, 1, AT, AT,
                       values={"email": "a@b.cn", "event": event})


@pytest.mark.parametrize("who, event, sees", [
    (staff("door_staff", "spring_concert"), "spring_concert", True),
    (staff("door_staff", "spring_concert"), "winter_run", False),
    (staff("door_staff"), "spring_concert", False),          # bound role without its row: nothing
    (staff("organiser"), "winter_run", True),                 # bound to nothing: everything
    (staff("point_operator", "spring_concert"), "spring_concert", False),   # not a role of this flow
])
def test_scope__event_flow_binds__door_staff_see_their_event_only(who, event, sees):
    assert scope.application_in_scope(EVENT, who, signup(event)) is sees
    if scope.bound(EVENT, who):
        binding = EVENT.bindings[who.role]
        assert scope.query_scope(EVENT, who) == ({binding.answer: who.bound} if binding else {})
    else:
        with pytest.raises(scope.OutOfScope):
            scope.query_scope(EVENT, who)


def test_scope__event_rows__a_door_staff_account_sees_its_own_event_row():
    who = staff("door_staff", "spring_concert")
    assert scope.row_in_scope(EVENT, who, "events", {"code": "spring_concert"})
    assert not scope.row_in_scope(EVENT, who, "events", {"code": "winter_run"})
    assert scope.can(EVENT, who, "review") and not scope.can(EVENT, who, "accounts")
