"""Staff accounts."""
from __future__ import annotations

import pytest

from store import Duplicate, InUse, NotFound, Store


def test_staff__create_find_list_update(store: Store) -> None:
    op = store.create_staff("op1", "Pw#12345", "point_operator", bound="bj_haidian_jinxiu")
    rev = store.create_staff("rev1", "Pw#12345", "agency_reviewer", bound="bj_haidian")
    store.create_staff("admin", "Pw#12345", "admin")
    assert store.get_staff(op.id) == op and store.find_staff("rev1") == rev
    assert [s.username for s in store.list_staff(bound="bj_haidian")] == ["rev1"]
    assert [s.username for s in store.list_staff(role="admin")] == ["admin"]
    moved = store.update_staff(op.id, bound="bj_haidian_preschool")
    assert moved.bound == "bj_haidian_preschool" and moved.active


def test_staff__username_taken__is_refused(store: Store) -> None:
    store.create_staff("op1", "pw", "point_operator")
    with pytest.raises(Duplicate):
        store.create_staff("op1", "pw", "admin")


def test_staff__password_check_needs_active_account(store: Store) -> None:
    op = store.create_staff("op1", "Pw#12345", "point_operator")
    assert store.check_staff_password("op1", "Pw#12345") == op
    assert store.check_staff_password("op1", "wrong") is None
    assert store.check_staff_password("nobody", "Pw#12345") is None
    store.update_staff(op.id, password="New#12345")
    assert store.check_staff_password("op1", "New#12345") is not None
    store.update_staff(op.id, active=False)
    assert store.check_staff_password("op1", "New#12345") is None


def test_staff__delete__refused_once_messages_exist(store: Store) -> None:
    op = store.create_staff("op1", "pw", "point_operator")
    spare = store.create_staff("op2", "pw", "point_operator")
    store.post_message("agency", "bj_haidian", op.id, "hello")
    with pytest.raises(InUse):
        store.delete_staff(op.id)
    store.delete_staff(spare.id)
    assert store.get_staff(spare.id) is None
    with pytest.raises(NotFound):
        store.delete_staff(spare.id)
    with pytest.raises(NotFound):
        store.update_staff(spare.id, active=False)
