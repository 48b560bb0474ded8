"""Things to tell people: the mail outbox and staff messages (留言) to applicants.

The outbox only stores mail; a sender elsewhere delivers it and reports back with
`mark_sent` / `mark_failed`. Must not send mail or render text: subjects and bodies
arrive already written.
"""
from __future__ import annotations

import functools
import json
from datetime import datetime
from operator import attrgetter
from typing import Any, Mapping

import sqlalchemy as sa

from .base import StoreBase
from .codec import UTC
from .errors import NotFound, StoreError
from .prepared import Prepared
from .records import Mail, Message
from .schema import APPLICANT_SCOPE, application_values, applications, mail_outbox, messages
from .staff_queries import valid_scope

# the dashboard's messages are made from their row by position
assert [c.name for c in messages.c] == list(Message.__dataclass_fields__)


class OutboxPart(StoreBase):
    # -- mail ---------------------------------------------------------------------------

    def enqueue_mail(self, to_addr: str, subject: str, body: str,
                     now: datetime | None = None) -> int:
        at = self._now(now)
        statement = mail_outbox.insert().values(
            to_addr=to_addr, subject=subject, body=body, created_at=at, attempts=0,
            next_attempt_at=at).returning(mail_outbox.c.id)
        return self.db.run(lambda conn: conn.execute(statement).scalar_one())

    def due_mail(self, now: datetime | None = None, limit: int = 100) -> list[Mail]:
        """Unsent mail whose next attempt is due, oldest first."""
        query = (sa.select(mail_outbox)
                 .where(mail_outbox.c.sent_at.is_(None),
                        mail_outbox.c.next_attempt_at <= self._now(now))
                 .order_by(mail_outbox.c.next_attempt_at, mail_outbox.c.id).limit(limit))
        return self.db.read(lambda conn: [Mail(**r._mapping) for r in conn.execute(query)])

    def get_mail(self, mail_id: int) -> Mail | None:
        query = sa.select(mail_outbox).where(mail_outbox.c.id == mail_id)
        row = self.db.read(lambda conn: conn.execute(query).first())
        return None if row is None else Mail(**row._mapping)

    def mark_sent(self, mail_id: int, now: datetime | None = None) -> None:
        # the body goes once delivered: a reset mail's code must not outlive its sending in the
        # database (the recipient's mailbox has it; the row keeps who, what subject, when)
        self._update_mail(mail_id, sent_at=self._now(now), next_attempt_at=None, body="",
                          attempts=mail_outbox.c.attempts + 1)

    def mark_failed(self, mail_id: int, error: str, retry_at: datetime | None) -> None:
        """Count a failed attempt; `retry_at=None` gives up on this mail."""
        self._update_mail(mail_id, last_error=error, attempts=mail_outbox.c.attempts + 1,
                          next_attempt_at=None if retry_at is None else self._now(retry_at))

    def _update_mail(self, mail_id: int, **values: Any) -> None:
        statement = mail_outbox.update().where(mail_outbox.c.id == mail_id).values(**values)
        if not self.db.run(lambda conn: conn.execute(statement).rowcount):
            raise NotFound("STORE_MAIL_NOT_FOUND", id=mail_id)

    # -- messages -----------------------------------------------------------------------

    def post_message(self, scope: str, target: str | int, author: int, body: str,
                     now: datetime | None = None) -> int:
        """`target` is an application id (scope 'applicant'), or the key of a row that the
        applications' kept answer named `scope` holds (a role's binding)."""
        if not valid_scope(scope):
            raise StoreError("STORE_MESSAGE_SCOPE", scope=scope)
        statement = messages.insert().values(scope=scope, target=str(target), author=author,
                                             body=body, created_at=self._now(now)
                                             ).returning(messages.c.id)
        return self.db.run(lambda conn: conn.execute(statement).scalar_one())

    def messages_for(self, application_id: int, *, values: Mapping[str, str] | None = None) -> list[Message]:
        """Messages to this application and to the rows it is bound to (a message scoped
        to a name other than 'applicant' reaches the applications whose kept answer of
        that name is the target); newest first. A caller that holds the application passes
        its kept `values` (one statement, not two, and a statement built once: see
        `_messages_to`)."""
        if values is not None:
            pairs = [(APPLICANT_SCOPE, str(application_id))] + [
                (name, str(value)) for name, value in values.items() if value and name != APPLICANT_SCOPE]
            query = _messages_to(len(pairs))
            params = {f"{part}_{i}": v for i, pair in enumerate(pairs) for part, v in zip(("scope", "target"), pair)}
            return self.db.read(lambda conn: [Message(*r) for r in query.rows(conn, params)])

        def body(conn: sa.Connection) -> list[Message]:
            if conn.scalar(sa.select(applications.c.id).where(applications.c.id == application_id)) is None:
                return []
            query = (sa.select(messages).where(sa.or_(
                sa.and_(messages.c.scope == APPLICANT_SCOPE, messages.c.target == str(application_id)),
                sa.exists().where(application_values.c.application_id == application_id,
                                  application_values.c.field == messages.c.scope,
                                  application_values.c.value == messages.c.target)))
                .order_by(messages.c.created_at.desc(), messages.c.id.desc()))
            return [Message(**r._mapping) for r in conn.execute(query)]

        return self.db.read(body)

    def messages_by_target(self, scope: str, target: str | int) -> list[Message]:
        """What staff posted to one target, newest first (for the staff side's list)."""
        query = (sa.select(messages).where(messages.c.scope == scope,
                                           messages.c.target == str(target))
                 .order_by(messages.c.created_at.desc(), messages.c.id.desc()))
        return self.db.read(lambda conn: [Message(**r._mapping) for r in conn.execute(query)])

    def delete_message(self, message_id: int) -> None:
        statement = messages.delete().where(messages.c.id == message_id)
        if not self.db.run(lambda conn: conn.execute(statement).rowcount):
            raise NotFound("STORE_MESSAGE_NOT_FOUND", id=message_id)


@functools.lru_cache(maxsize=64)
def _messages_to(pairs: int) -> Prepared:
    """Messages whose (scope, target) is one of `pairs` bound pairs (`scope_0`, `target_0`, ...),
    newest first: one statement per count, compiled once (`Prepared`: the dashboard's second
    statement; the same OR of indexed equalities as before)."""
    wanted = [sa.and_(messages.c.scope == sa.bindparam(f"scope_{i}"), messages.c.target == sa.bindparam(f"target_{i}"))
              for i in range(pairs)]
    return Prepared(sa.select(messages).where(sa.or_(*wanted))
                    .order_by(messages.c.created_at.desc(), messages.c.id.desc()))


def messages_columns(dialect: str) -> list[sa.Label[Any]]:
    """The messages to an application, as columns of a query on `applications` (the applicant's
    session read of the dashboard: its messages in the same statement): `own_messages`, those
    scoped to the applicant, and `bound_messages`, those to the rows its kept answers name, each
    a JSON array of rows (NULL or [] when none). The same rows as `messages_for(id, values=…)`:
    the kept values are the (scope, target) pairs, read here from their table by index."""
    pg = dialect == "postgresql"
    row = (sa.func.json_build_array if pg else sa.func.json_array)(*messages.c)
    aggregate = (sa.func.json_agg if pg else sa.func.json_group_array)(row)
    own = (sa.select(aggregate).where(messages.c.scope == APPLICANT_SCOPE,
                                      messages.c.target == sa.cast(applications.c.id, sa.Text))
           .correlate(applications).scalar_subquery())
    bound = (sa.select(aggregate).select_from(messages.join(application_values, sa.and_(
                 application_values.c.field == messages.c.scope, application_values.c.value == messages.c.target)))
             .where(application_values.c.application_id == applications.c.id,
                    application_values.c.field != APPLICANT_SCOPE)
             .correlate(applications).scalar_subquery())
    return [own.label("own_messages"), bound.label("bound_messages")]


def messages_of(*columns: Any) -> list[Message]:
    """What `messages_columns` read (JSON text on SQLite, parsed on PostgreSQL), newest first."""
    found = []
    for column in columns:
        for id_, scope, target, author, body, at in (json.loads(column) if isinstance(column, str) else column) or ():
            found.append(Message(id_, scope, target, author, body, datetime.fromisoformat(at).replace(tzinfo=UTC)))
    found.sort(key=attrgetter("created_at", "id"), reverse=True)
    return found
