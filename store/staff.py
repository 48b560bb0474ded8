"""Staff accounts: the flow's staff roles, each account bound to the row its role binds to.

Roles are the flow's role names; the store keeps them as given and does not decide what
a role may do (the staff side reads the flow for that). Passwords are hashed before any
transaction opens. Must not hold user-facing text.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .base import StoreBase
from .errors import Duplicate, InUse, NotFound, StoreError
from .records import Staff
from .schema import staff

_EDITABLE = frozenset({"role", "bound", "active", "password"})
_RECORD_COLUMNS = [c for c in staff.c if c.name != "password_hash"]


def _record(row: sa.Row[Any]) -> Staff:
    return Staff(**{c.name: row._mapping[c.name] for c in _RECORD_COLUMNS})


class StaffPart(StoreBase):
    def create_staff(self, username: str, password: str, role: str, *,
                     bound: str | None = None, active: bool = True, now: datetime | None = None) -> Staff:
        """`bound`: the key of the row the role binds to (None for a role bound to nothing)."""
        if not username or not role:
            raise StoreError("STORE_STAFF_INCOMPLETE")
        statement = staff.insert().values(
            username=username, password_hash=self.passwords.hash(password), role=role,
            bound=bound, active=active, created_at=self._now(now),
        ).returning(staff.c.id)
        try:
            new_id = self.db.run(lambda conn: conn.execute(statement).scalar_one())
        except sa.exc.IntegrityError as error:
            raise Duplicate("STORE_STAFF_EXISTS", username=username) from error
        found = self.get_staff(new_id)
        assert found is not None
        return found

    def get_staff(self, staff_id: int) -> Staff | None:
        query = sa.select(*_RECORD_COLUMNS).where(staff.c.id == staff_id)
        row = self.db.read(lambda conn: conn.execute(query).first())
        return None if row is None else _record(row)

    def find_staff(self, username: str) -> Staff | None:
        query = sa.select(*_RECORD_COLUMNS).where(staff.c.username == username)
        row = self.db.read(lambda conn: conn.execute(query).first())
        return None if row is None else _record(row)

    def list_staff(self, *, bound: str | None = None, role: str | None = None) -> list[Staff]:
        conditions = [c == v for c, v in ((staff.c.bound, bound), (staff.c.role, role)) if v is not None]
        query = sa.select(*_RECORD_COLUMNS).where(*conditions).order_by(staff.c.username)
        return self.db.read(lambda conn: [_record(r) for r in conn.execute(query)])

    def update_staff(self, staff_id: int, **changes: Any) -> Staff:
        """Change role, bound row, active or password (hashed here)."""
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise StoreError("STORE_UNKNOWN_FIELD", fields=sorted(unknown))
        values = dict(changes)
        if "password" in values:
            values["password_hash"] = self.passwords.hash(values.pop("password"))
        if values:
            statement = staff.update().where(staff.c.id == staff_id).values(**values)
            if not self.db.run(lambda conn: conn.execute(statement).rowcount):
                raise NotFound("STORE_STAFF_NOT_FOUND", id=staff_id)
        found = self.get_staff(staff_id)
        if found is None:
            raise NotFound("STORE_STAFF_NOT_FOUND", id=staff_id)
        return found

    def delete_staff(self, staff_id: int) -> None:
        """Refused with `InUse` once the account has written messages: deactivate it instead."""
        statement = staff.delete().where(staff.c.id == staff_id)
        try:
            deleted = self.db.run(lambda conn: conn.execute(statement).rowcount)
        except sa.exc.IntegrityError as error:
            raise InUse("STORE_STAFF_IN_USE", id=staff_id) from error
        if not deleted:
            raise NotFound("STORE_STAFF_NOT_FOUND", id=staff_id)

    def check_staff_password(self, username: str, password: str) -> Staff | None:
        """The active account for these credentials, else None (same cost either way)."""
        query = sa.select(staff.c.id, staff.c.password_hash, staff.c.active).where(
            staff.c.username == username)
        row = self.db.read(lambda conn: conn.execute(query).first())
        if not self.passwords.verify(None if row is None else row.password_hash, password):
            return None
        assert row is not None
        if not row.active:
            return None
        if self.passwords.needs_rehash(row.password_hash):
            self.update_staff(row.id, password=password)
        return self.get_staff(row.id)
