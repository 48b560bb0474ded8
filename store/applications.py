"""Applications and their audit trail.

An application is created once per certificate (unique `cert_no`) with a number
`<prefix><year><6-digit sequence>` drawn from a counter row inside the same transaction,
so concurrent submissions never share a number. Updates use optimistic locking on
`row_version`. The audit log is append-only: this module has no function that changes or
removes an audit row, and database triggers refuse it too. Must not hash passwords
inside a transaction, and must not hold user-facing text.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .base import StoreBase
from .errors import Duplicate, NotFound, StaleWrite, StoreError
from .jobs import enqueue_change
from .records import Application, AuditEntry
from .schema import applications as A, audit_log, counters

_EDITABLE = frozenset({"flow_id", "flow_version", "flow_digest", "cert_no", "id_no", "agency",
                       "point", "status", "status_data", "answers", "email", "photo"})
_RECORD_COLUMNS = [c for c in A.c if c.name not in ("password_hash", "photo")]


def _record(row: sa.Row[Any]) -> Application:
    return record_of(row._mapping)


RECORD_COLUMNS = _RECORD_COLUMNS


def record_of(values: Mapping[str, Any]) -> Application:
    """An Application from its columns by name (for queries that join it to another table)."""
    return Application(**{c.name: values[c.name] for c in _RECORD_COLUMNS})


def _is_cert_conflict(error: sa.exc.IntegrityError) -> bool:
    orig = error.orig
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
    return constraint == "ix_applications_cert_no" or "applications.cert_no" in str(orig)


class ApplicationsPart(StoreBase):
    def create_application(
        self, *, flow_id: str, flow_version: str, flow_digest: str, cert_no: str, id_no: str,
        status: str, answers: Mapping[str, Any], password: str, agency: str | None = None,
        point: str | None = None, email: str | None = None,
        status_data: Mapping[str, Any] | None = None, photo: bytes | None = None,
        prefix: str = "TR", now: datetime | None = None, audit: AuditEntry | None = None,
    ) -> Application:
        """Store a new application; raises `Duplicate` when the certificate already has one.
        The number's year is `now`'s year as given (pass local time to number by it)."""
        at = self._now(now)
        year = (now or at).year
        values = {
            "flow_id": flow_id, "flow_version": flow_version, "flow_digest": flow_digest,
            "cert_no": cert_no, "id_no": id_no, "agency": agency, "point": point,
            "status": status, "status_data": dict(status_data or {}), "answers": dict(answers),
            "password_hash": self.passwords.hash(password), "email": email, "photo": photo,
            "row_version": 1, "created_at": at, "updated_at": at,
        }

        def body(conn: sa.Connection) -> int:
            if conn.scalar(sa.select(A.c.id).where(A.c.cert_no == cert_no)) is not None:
                raise Duplicate("STORE_APPLICATION_EXISTS", cert_no=cert_no)
            number = f"{prefix}{year}{self._next_sequence(conn, f'{prefix}{year}'):06d}"
            new_id = conn.execute(A.insert().values(application_no=number, **values)
                                  .returning(A.c.id)).scalar_one()
            enqueue_change(conn, new_id, at)  # its documents are made by a worker (store/jobs.py)
            if audit is not None:
                self._write_audit(conn, audit, at, new_id)
            return new_id

        try:
            new_id = self.db.run(body)
        except sa.exc.IntegrityError as error:
            if _is_cert_conflict(error):
                raise Duplicate("STORE_APPLICATION_EXISTS", cert_no=cert_no) from error
            raise
        found = self.get_application(new_id)
        assert found is not None
        return found

    def _next_sequence(self, conn: sa.Connection, name: str) -> int:
        """Increment a named counter; the row lock serializes concurrent callers."""
        dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(dialect_insert(counters).values(name=name, value=0)
                     .on_conflict_do_nothing(index_elements=["name"]))
        return conn.execute(counters.update().where(counters.c.name == name)
                            .values(value=counters.c.value + 1)
                            .returning(counters.c.value)).scalar_one()

    def get_application(self, application_id: int) -> Application | None:
        query = sa.select(*_RECORD_COLUMNS).where(A.c.id == application_id)
        row = self.db.read(lambda conn: conn.execute(query).first())
        return None if row is None else _record(row)

    def find_application(self, *, cert_no: str | None = None, id_no: str | None = None,
                         application_no: str | None = None) -> Application | None:
        """The application matching every identifier given (at least one is needed)."""
        conditions = [column == value for column, value in
                      ((A.c.cert_no, cert_no), (A.c.id_no, id_no),
                       (A.c.application_no, application_no)) if value is not None]
        if not conditions:
            raise StoreError("STORE_NO_IDENTIFIER")
        query = sa.select(*_RECORD_COLUMNS).where(*conditions).order_by(A.c.id).limit(1)
        row = self.db.read(lambda conn: conn.execute(query).first())
        return None if row is None else _record(row)

    def get_application_photo(self, application_id: int) -> bytes | None:
        query = sa.select(A.c.photo).where(A.c.id == application_id)
        return self.db.read(lambda conn: conn.scalar(query))

    def update_application(self, application_id: int, expected_row_version: int, *,
                           now: datetime | None = None, audit: AuditEntry | None = None,
                           **changes: Any) -> Application:
        """Apply `changes` if the row is still at `expected_row_version`, else `StaleWrite`.
        With `audit`, the entry is written in the same transaction; its statuses default
        to the old and new status."""
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise StoreError("STORE_UNKNOWN_FIELD", fields=sorted(unknown))
        at = self._now(now)
        values = dict(changes, updated_at=at, row_version=A.c.row_version + 1)
        for key in ("answers", "status_data"):
            if key in values:
                values[key] = dict(values[key])

        def body(conn: sa.Connection) -> None:
            old_status = conn.scalar(sa.select(A.c.status).where(A.c.id == application_id))
            if old_status is None:
                raise NotFound("STORE_APPLICATION_NOT_FOUND", id=application_id)
            updated = conn.execute(A.update().where(A.c.id == application_id,
                                                    A.c.row_version == expected_row_version)
                                   .values(**values))
            if updated.rowcount != 1:
                raise StaleWrite(id=application_id, expected=expected_row_version)
            enqueue_change(conn, application_id, at)
            if audit is not None:
                entry = audit
                if entry.from_status is None and entry.to_status is None and "status" in changes:
                    entry = AuditEntry(**{**entry.__dict__, "from_status": old_status,
                                          "to_status": changes["status"]})
                self._write_audit(conn, entry, at, application_id)

        try:
            self.db.run(body)
        except sa.exc.IntegrityError as error:
            if _is_cert_conflict(error):
                raise Duplicate("STORE_APPLICATION_EXISTS", cert_no=changes.get("cert_no")) from error
            raise
        found = self.get_application(application_id)
        assert found is not None
        return found

    def check_application_password(self, application_id: int, password: str) -> bool:
        """Verify, and upgrade the stored hash when the hasher's parameters changed."""
        query = sa.select(A.c.password_hash).where(A.c.id == application_id)
        stored = self.db.read(lambda conn: conn.scalar(query))
        if not self.passwords.verify(stored, password):
            return False
        assert stored is not None
        if self.passwords.needs_rehash(stored):
            self._store_password_hash(application_id, self.passwords.hash(password))
        return True

    def set_application_password(self, application_id: int, password: str) -> None:
        """A password change does not bump `row_version`: it must not stale an open edit."""
        if not self._store_password_hash(application_id, self.passwords.hash(password)):
            raise NotFound("STORE_APPLICATION_NOT_FOUND", id=application_id)

    def _store_password_hash(self, application_id: int, password_hash: str) -> bool:
        statement = A.update().where(A.c.id == application_id).values(password_hash=password_hash)
        return self.db.run(lambda conn: conn.execute(statement).rowcount == 1)

    def _filters(self, agency: str | None, point: str | None, status: str | None,
                 text: str | None) -> list[sa.ColumnElement[bool]]:
        found: list[sa.ColumnElement[bool]] = []
        for column, value in ((A.c.agency, agency), (A.c.point, point), (A.c.status, status)):
            if value is not None:
                found.append(column == value)
        text = (text or "").strip()
        if text:
            ident = text.upper()
            found.append(sa.or_(A.c.application_no == ident, A.c.id_no == ident,
                                A.c.cert_no == ident,
                                A.c.answers["name"].as_string().contains(text, autoescape=True)))
        return found

    def search_applications(self, *, agency: str | None = None, point: str | None = None,
                            text: str | None = None, status: str | None = None,
                            limit: int = 50, offset: int = 0) -> list[Application]:
        """Newest first. `text` equals an application, ID or certificate number (any case),
        or is part of the applicant's name in the answers."""
        query = (sa.select(*_RECORD_COLUMNS).where(*self._filters(agency, point, status, text))
                 .order_by(A.c.id.desc()).limit(limit).offset(offset))
        return self.db.read(lambda conn: [_record(r) for r in conn.execute(query)])

    def count_applications(self, *, agency: str | None = None, point: str | None = None,
                           text: str | None = None, status: str | None = None) -> int:
        query = (sa.select(sa.func.count()).select_from(A)
                 .where(*self._filters(agency, point, status, text)))
        return self.db.read(lambda conn: int(conn.scalar(query) or 0))

    def count_by_status(self, *, agency: str | None = None,
                        point: str | None = None) -> dict[str, int]:
        query = (sa.select(A.c.status, sa.func.count()).where(*self._filters(agency, point, None, None))
                 .group_by(A.c.status))
        return self.db.read(lambda conn: {s: int(n) for s, n in conn.execute(query)})

    # -- audit log (append-only) ------------------------------------------------------

    def audit(self, actor: str, action: str, *, application_id: int | None = None,
              from_status: str | None = None, to_status: str | None = None,
              reason: str | None = None, data: Mapping[str, Any] | None = None,
              now: datetime | None = None) -> int:
        entry = AuditEntry(actor, action, application_id, from_status, to_status, reason, data)
        at = self._now(now)
        return self.db.run(lambda conn: self._write_audit(conn, entry, at, application_id))

    def _write_audit(self, conn: sa.Connection, entry: AuditEntry, at: datetime,
                     application_id: int | None) -> int:
        return conn.execute(audit_log.insert().values(
            at=at, actor=entry.actor, action=entry.action,
            application_id=entry.application_id if entry.application_id is not None else application_id,
            from_status=entry.from_status, to_status=entry.to_status, reason=entry.reason,
            data=None if entry.data is None else dict(entry.data),
        ).returning(audit_log.c.id)).scalar_one()

    def audit_for(self, application_id: int) -> list[AuditEntry]:
        """Oldest first."""
        query = (sa.select(audit_log).where(audit_log.c.application_id == application_id)
                 .order_by(audit_log.c.id))
        return self.db.read(lambda conn: [AuditEntry(**r._mapping) for r in conn.execute(query)])
