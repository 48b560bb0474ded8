"""Who may come back in: browser sessions, wizard drafts, failed-login throttling and
one-time password-reset tokens.

Tokens are random, handed to the caller once, and stored only as SHA-256 digests.
Expiry is decided from the caller's clock (`now`), never from the database's. Must not
read cookies or requests: the web layer does that and passes plain values.
"""
from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .base import StoreBase
from .codec import tag, untag
from .errors import StoreError
from .prepared import Prepared
from .applications import RECORD_COLUMNS as APPLICATION_COLUMNS, kept_values_column, kept_values_of
from .outbox import messages_columns, messages_of
from .records import Application, Message, Session
from .schema import SESSION_KINDS, applications, drafts, password_resets, sessions, throttle

DRAFT_IDLE = timedelta(minutes=30)


def new_token() -> str:
    return secrets.token_urlsafe(32)


# The statements of every request (the dashboard's session read, the wizard's draft), built once
# with bound parameters: building a statement and its cache key cost more than running it.
# The draft read is a `Prepared` one (every wizard request makes it), compiled once per dialect.
_DRAFT_LOAD = Prepared(sa.select(drafts.c.state, drafts.c.updated_at)
                       .where(drafts.c.token_hash == sa.bindparam("digest")))
_DRAFT_UPDATE = (drafts.update().where(drafts.c.token_hash == sa.bindparam("digest"))
                 .values(state=sa.bindparam("document", type_=drafts.c.state.type),
                         updated_at=sa.bindparam("at", type_=drafts.c.updated_at.type)))
_DRAFT_INSERT = drafts.insert().values(token_hash=sa.bindparam("digest"),
                                       state=sa.bindparam("document", type_=drafts.c.state.type),
                                       created_at=sa.bindparam("at", type_=drafts.c.created_at.type),
                                       updated_at=sa.bindparam("at", type_=drafts.c.updated_at.type))


@functools.cache
def _applicant_session_query(dialect: str, with_messages: bool) -> Prepared:
    """An applicant's session by token digest, with the application it names (left join) and,
    for the dashboard, that application's messages: the first statement of every signed-in
    applicant's page (the dashboard's only one), run as a `Prepared` read."""
    joined = sessions.outerjoin(applications, applications.c.id == sa.case(
        (sessions.c.kind == "applicant", sa.cast(sessions.c.subject, sa.Integer)), else_=None))
    kept = kept_values_column(dialect).label("app_kept_values")
    extra = messages_columns(dialect) if with_messages else []
    return Prepared(sa.select(sessions, *[c.label(f"app_{c.name}") for c in APPLICATION_COLUMNS], kept, *extra)
                    .select_from(joined)
                    .where(sessions.c.token_hash == sa.bindparam("digest"), sessions.c.kind == "applicant"))


# The applicant's session read is made into records by position, not by name (a dict per row and
# one per record: issue 10): the session's columns after its token digest are Session's fields,
# then the application's are Application's (store/applications.py checks that order), then its
# kept values, then (with messages) its own and bound messages.
_APPLICATION_AT = len(sessions.c)
_KEPT_AT = _APPLICATION_AT + len(APPLICATION_COLUMNS)
assert [c.name for c in sessions.c] == ["token_hash", *Session.__dataclass_fields__]
assert all([k.name for k in _applicant_session_query(d, m).statement.selected_columns][_APPLICATION_AT:] ==
           [f"app_{c.name}" for c in APPLICATION_COLUMNS] + ["app_kept_values"]
           + (["own_messages", "bound_messages"] if m else []) for d in ("sqlite", "postgresql") for m in (False, True))


class AccessPart(StoreBase):
    """Sessions, drafts and throttle rows are written with `durable=False` (a power cut may
    lose the last of them: a visitor logs in again or retypes a page); ending sessions and
    password resets stay durable, since losing those would undo a security decision."""

    # -- sessions -----------------------------------------------------------------------

    def create_session(self, kind: str, subject: str | int,
                       now: datetime | None = None) -> tuple[str, Session]:
        """Returns the token (give it to the browser; it is not kept) and the session."""
        if kind not in SESSION_KINDS:
            raise StoreError("STORE_SESSION_KIND", kind=kind)
        at = self._now(now)
        token = new_token()
        record = Session(kind, str(subject), new_token(), at, at)
        statement = sessions.insert().values(token_hash=self._token_hash(token),
                                             **record.__dict__)
        self.db.run(lambda conn: conn.execute(statement), durable=False)
        return token, record

    def get_session(self, token: str, now: datetime, idle_timeout: timedelta,
                    absolute_timeout: timedelta) -> Session | None:
        """The live session for `token`; an expired one is deleted and gives None."""
        at = self._now(now)
        digest = self._token_hash(token)
        query = sa.select(sessions).where(sessions.c.token_hash == digest)
        row = self.db.read(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        record = Session(**{k: v for k, v in row._mapping.items() if k != "token_hash"})
        if at - record.last_seen_at > idle_timeout or at - record.created_at > absolute_timeout:
            self.delete_session(token)
            return None
        return record

    def get_applicant_session(self, token: str, now: datetime, idle_timeout: timedelta,
                              absolute_timeout: timedelta) -> tuple[Session, Application | None] | None:
        """`get_session` for an applicant's token, with the application the session names read
        in the same statement. None when there is no live applicant session; the application
        is None when it no longer exists."""
        found = self._applicant_session(token, now, idle_timeout, absolute_timeout, False)
        return None if found is None else found[:2]

    def get_applicant_dashboard(self, token: str, now: datetime, idle_timeout: timedelta,
                                absolute_timeout: timedelta
                                ) -> tuple[Session, Application | None, list[Message]] | None:
        """`get_applicant_session` with the application's messages (`messages_for`), newest
        first, in the same statement: the dashboard in one."""
        return self._applicant_session(token, now, idle_timeout, absolute_timeout, True)

    def _applicant_session(self, token: str, now: datetime, idle_timeout: timedelta, absolute_timeout: timedelta,
                           with_messages: bool) -> tuple[Session, Application | None, list[Message]] | None:
        at = self._now(now)
        query = _applicant_session_query(self.db.engine.dialect.name, with_messages)
        digest = self._token_hash(token)
        found = self.db.read(lambda conn: query.rows(conn, {"digest": digest}))
        if not found:
            return None
        row = found[0]  # by position: the query's layout, checked at import (_APPLICATION_AT, _KEPT_AT)
        record = Session(*row[1:_APPLICATION_AT])
        if at - record.last_seen_at > idle_timeout or at - record.created_at > absolute_timeout:
            self.delete_session(token)
            return None
        if row[_APPLICATION_AT] is None:
            return record, None, []
        app = Application(*row[_APPLICATION_AT:_KEPT_AT], values=kept_values_of(row[_KEPT_AT]))
        return record, app, messages_of(*row[_KEPT_AT + 1:]) if with_messages else []

    def touch(self, token: str, now: datetime | None = None) -> None:
        statement = (sessions.update().where(sessions.c.token_hash == self._token_hash(token))
                     .values(last_seen_at=self._now(now)))
        self.db.run(lambda conn: conn.execute(statement), durable=False)

    def delete_session(self, token: str) -> None:
        statement = sessions.delete().where(sessions.c.token_hash == self._token_hash(token))
        self.db.run(lambda conn: conn.execute(statement))

    def delete_sessions_for(self, kind: str, subject: str | int) -> int:
        """End every session of one person (after a password change or deactivation)."""
        statement = sessions.delete().where(sessions.c.kind == kind,
                                            sessions.c.subject == str(subject))
        return self.db.run(lambda conn: conn.execute(statement).rowcount)

    def purge_sessions(self, now: datetime, idle_timeout: timedelta,
                       absolute_timeout: timedelta) -> int:
        at = self._now(now)
        statement = sessions.delete().where(sa.or_(
            sessions.c.last_seen_at < at - idle_timeout,
            sessions.c.created_at < at - absolute_timeout))
        return self.db.run(lambda conn: conn.execute(statement).rowcount, durable=False)

    # -- drafts -------------------------------------------------------------------------

    def save_draft(self, token: str, state: Mapping[str, Any], now: datetime | None = None) -> None:
        """Keep wizard state server-side; dates, datetimes, bytes and decimals round-trip."""
        at = self._now(now)
        digest = self._token_hash(token)
        row = {"digest": digest, "document": tag(dict(state)), "at": at}

        def body(conn: sa.Connection) -> None:
            if not conn.execute(_DRAFT_UPDATE, row).rowcount:
                conn.execute(_DRAFT_INSERT, row)

        self.db.run(body, durable=False)

    def load_draft(self, token: str, now: datetime | None = None,
                   idle_timeout: timedelta = DRAFT_IDLE) -> dict[str, Any] | None:
        """The saved state, or None when absent or idle too long (then it is deleted)."""
        at = self._now(now)
        digest = self._token_hash(token)
        row = self.db.read(lambda conn: _DRAFT_LOAD.first(conn, {"digest": digest}))
        if row is None:
            return None
        if at - row["updated_at"] > idle_timeout:
            self.delete_draft(token)
            return None
        return untag(row["state"])

    def delete_draft(self, token: str) -> None:
        statement = drafts.delete().where(drafts.c.token_hash == self._token_hash(token))
        self.db.run(lambda conn: conn.execute(statement), durable=False)

    def purge_drafts(self, older_than: datetime) -> int:
        statement = drafts.delete().where(drafts.c.updated_at < self._now(older_than))
        return self.db.run(lambda conn: conn.execute(statement).rowcount, durable=False)

    # -- throttle -----------------------------------------------------------------------

    def record_failure(self, key: str, now: datetime | None = None) -> None:
        statement = throttle.insert().values(key=key, at=self._now(now))
        self.db.run(lambda conn: conn.execute(statement), durable=False)

    def failures(self, key: str, since: datetime) -> int:
        """Failed attempts recorded for `key` at or after `since` (a sliding window)."""
        query = (sa.select(sa.func.count()).select_from(throttle)
                 .where(throttle.c.key == key, throttle.c.at >= self._now(since)))
        return self.db.read(lambda conn: int(conn.scalar(query) or 0))

    def clear(self, key: str) -> None:
        statement = throttle.delete().where(throttle.c.key == key)
        self.db.run(lambda conn: conn.execute(statement), durable=False)

    def purge_failures(self, older_than: datetime) -> int:
        statement = throttle.delete().where(throttle.c.at < self._now(older_than))
        return self.db.run(lambda conn: conn.execute(statement).rowcount, durable=False)

    # -- password resets ----------------------------------------------------------------

    def create_password_reset(self, application_id: int, ttl: timedelta,
                              now: datetime | None = None) -> str:
        """A one-time token valid for `ttl`; earlier unused tokens of the application die."""
        at = self._now(now)
        token = new_token()

        def body(conn: sa.Connection) -> None:
            conn.execute(password_resets.update()
                         .where(password_resets.c.application_id == application_id,
                                password_resets.c.used_at.is_(None))
                         .values(used_at=at))
            conn.execute(password_resets.insert().values(
                token_hash=self._token_hash(token), application_id=application_id,
                created_at=at, expires_at=at + ttl, used_at=None))

        self.db.run(body)
        return token

    def use_password_reset(self, token: str, now: datetime | None = None) -> int | None:
        """Spend the token: the application id once, None if unknown, used or expired."""
        at = self._now(now)
        digest = self._token_hash(token)

        def body(conn: sa.Connection) -> int | None:
            # The guarded UPDATE makes use-once hold even for two simultaneous requests.
            spent = conn.execute(password_resets.update()
                                 .where(password_resets.c.token_hash == digest,
                                        password_resets.c.used_at.is_(None),
                                        password_resets.c.expires_at > at)
                                 .values(used_at=at)
                                 .returning(password_resets.c.application_id)).first()
            return None if spent is None else int(spent[0])

        return self.db.run(body)
