"""Applications and their audit trail.

An application is created once per identity (unique `identity_key`, built by the caller
from the flow's `identity.unique` answers) with a number `<prefix>[<year>]<sequence>`
(`Numbering`, from the flow's `application.number`) drawn from a counter row inside the
same transaction, so concurrent submissions never share a number. The answers the flow
keeps searchable are rows of `application_values` (field → value), written with the
application in one transaction. Updates use optimistic locking on
`row_version`. The audit log is append-only: this module has no function that changes or
removes an audit row, and database triggers refuse it too. Must not hash passwords
inside a transaction, and must not hold user-facing text.
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .base import StoreBase
from .errors import Duplicate, NotFound, StaleWrite, StoreError
from . import tallies
from .jobs import enqueue_change
from .records import Application, AuditEntry, Listed, Numbering
from .schema import application_values as V, applications as A, audit_log, counters
from .streaming import stream_rows

T = TypeVar("T")

_EDITABLE = frozenset({"flow_id", "flow_version", "flow_digest", "identity_key",
                       "status", "status_data", "answers", "photo", "values"})
_RECORD_COLUMNS = [c for c in A.c if c.name not in ("password_hash", "photo")]


RECORD_COLUMNS = _RECORD_COLUMNS
_WIDTH = len(_RECORD_COLUMNS)
assert [c.name for c in _RECORD_COLUMNS] == list(Application.__dataclass_fields__)[:_WIDTH]


def _listed(row: sa.Row[Any]) -> Application:
    """A row of `_with_values()` as a record, by position (the record's fields in the
    columns' order, the kept values last): a third of the time of making it by column name,
    per row, which the export spends on every row it writes."""
    return Application(*row[:_WIDTH], values=kept_values_of(row[_WIDTH]))


def kept_values_column(dialect: str) -> sa.ScalarSelect[Any]:
    """The application's kept values as one JSON object, a column of a query on applications."""
    aggregate = sa.func.json_object_agg if dialect == "postgresql" else sa.func.json_group_object
    return sa.select(aggregate(V.c.field, V.c.value)).where(V.c.application_id == A.c.id).scalar_subquery()


def kept_values_of(raw: Any) -> dict[str, str]:
    """What `kept_values_column` returned (JSON text on SQLite, parsed on PostgreSQL, or NULL)."""
    if raw is None:
        return {}
    return dict(json.loads(raw) if isinstance(raw, str) else raw)


def _is_identity_conflict(error: sa.exc.IntegrityError) -> bool:
    orig = error.orig
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
    return constraint == "ix_applications_identity_key" or "applications.identity_key" in str(orig)


def _kept(values: Mapping[str, Any] | None) -> dict[str, str]:
    """The searchable values worth a row: text, not empty."""
    return {k: str(v) for k, v in (values or {}).items() if v is not None and str(v) != ""}


def _write_values(conn: sa.Connection, application_id: int, values: Mapping[str, str], new: bool = False) -> None:
    if not new:
        conn.execute(V.delete().where(V.c.application_id == application_id))
    if values:
        conn.execute(V.insert(), [{"application_id": application_id, "field": k, "value": v}
                                  for k, v in values.items()])


def query_kind(text: str) -> str:
    """What a staff search means: "number" (it has a digit or an @: an application number or
    a kept value such as an ID or certificate number or an e-mail address, looked up exactly
    in their indexes) or "name" (the display name, by its beginning or, on PostgreSQL, a part)."""
    return "number" if "@" in text or any(ch.isdigit() for ch in text) else "name"


# pg_trgm needs three characters to use its index; shorter names are matched by their beginning.
TRIGRAM_MIN = 3


def known(value: str | int) -> sa.BindParameter[Any]:
    """A value of a search, written into its statement as a literal when the statement runs
    (SQLAlchemy's literal_execute: the compiled statement stays cached, the value is quoted by
    the dialect), so that PostgreSQL plans every search for its values. Bound as a parameter, a
    statement psycopg prepares (from its fifth run on a connection) can be given PostgreSQL's
    generic plan, made for any values: a name's first two characters in one point then became
    a nested loop over every row of the point (3.6 ms at 1M, against 0.9 ms merged), and three
    characters a walk of every kept value (issue 10; tests/store/test_staff_scale.py checks
    each search's plan as prepared too)."""
    if isinstance(value, str) and "\x00" in value:
        # no stored text holds one (the web refuses it as input, renderers/web/inputs.py), and
        # libpq would end the statement's text at it
        raise ValueError("a search value with a NUL character")
    return sa.literal(value, sa.Integer() if isinstance(value, int) else sa.String(), literal_execute=True)


def _probed(column: Any, dialect: str) -> Any:
    """`column` where a second kept value is checked per row another index found (SQLite).
    SQLite has no merge join: it walks one index and probes the other, and its statistics of
    the (field, value, application_id) index average every kept field, most of them unique, so
    it takes a point (1 in 64 applications) for two rows and walks all of it, probing the
    name's index per row and sorting (6.5 ms at 200k). A two-character name begins about 1
    in 3,000: walked in id order, it finds a page and stops (0.7 ms). A unary plus on the
    scope's value keeps SQLite from choosing that term's index to walk (its documented way to
    rule an index out); the scope is then probed by (application_id, field), a row each."""
    if dialect != "sqlite":
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _kept_is(values: Any, field: str, value: str, probed_on: str | None = None) -> list[sa.ColumnElement[bool]]:
    """A kept value's two conditions on the `values` table (or an alias of it): its field and its
    value, both written in (`known`); `probed_on` (the dialect) where the row is checked per match
    of another index (`_probed`)."""
    column = values.c.value if probed_on is None else _probed(values.c.value, probed_on)
    return [values.c.field == known(field), column == known(value)]


def _escaped_like(text: str) -> str:
    """`text` as a LIKE pattern's literal part, escaped with "/" (as SQLAlchemy's autoescape)."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _matching(text: str, exact: Sequence[str], contains: str | None, dialect: str) -> sa.Select[Any]:
    """The ids of the applications `text` names, each kind through its own index (never an
    OR of a column condition and a scan)."""
    if query_kind(text) == "number":
        typed = list(dict.fromkeys([text, text.upper()]))
        by_number = sa.select(A.c.id).where(A.c.application_no == known(text.upper()))
        if not exact:
            return by_number
        return sa.union(by_number, sa.select(V.c.application_id).where(V.c.field.in_([known(f) for f in exact]),
                                                                        V.c.value.in_([known(t) for t in typed])))
    if contains is None:
        return sa.select(A.c.id).where(sa.false())
    if len(text) == PREFIX_KEY:
        return sa.select(V.c.application_id).where(*_beginning(V, contains, text))
    if dialect == "postgresql" and len(text) >= TRIGRAM_MIN:
        return sa.select(V.c.application_id).where(   # the pg_trgm GIN index
            V.c.field == known(contains), V.c.value.like(known(f"%{_escaped_like(text)}%"), escape="/"))
    # A prefix as a range of characters (by code): SQLite's (field, value) index compares bytes (the
    # same order); PostgreSQL's PREFIX_INDEX is in collation "C", whatever the database's is.
    value = V.c.value.collate("C") if dialect == "postgresql" else V.c.value
    return sa.select(V.c.application_id).where(
        V.c.field == known(contains), value >= known(text), value < known(text[:-1] + chr(ord(text[-1]) + 1)))


# A name's first two characters are a key of their own: the (field, substr(value, 1, 2),
# application_id) index (revision 0012) walks a two-character name's applications in id
# order, so a page of them reads a page, however many there are (Chinese names are mostly two
# or three characters long, and two typed characters the common staff search).
PREFIX_KEY = 2


def prefix_key(column: Any) -> Any:
    """substr(value, 1, 2), as the index has it (literal numbers: a bound parameter would not
    match the index's expression)."""
    return sa.func.substr(column, sa.literal_column("1"), sa.literal_column(str(PREFIX_KEY)))


def _beginning(values: Any, field: str, text: str) -> list[sa.ColumnElement[bool]]:
    return [values.c.field == known(field), prefix_key(values.c.value) == known(text)]


def _by_prefix_key(text: str | None, contains: str | None) -> bool:
    """Whether a search is a display name's first two characters (the prefix-key index's)."""
    text = (text or "").strip()
    return contains is not None and len(text) == PREFIX_KEY and query_kind(text) == "name"


def name_key(field: str) -> str:
    """The tallied field (store/tallies.py) of kept answer `field`'s first two characters: a
    two-character name search's total, in a scope or not, is then read from the tallies."""
    return tallies.prefix_field(field, PREFIX_KEY)


def _has_value(name: str, value: str) -> sa.ColumnElement[bool]:
    return A.c.id.in_(sa.select(V.c.application_id).where(*_kept_is(V, name, value)))


def _checked_value(name: str, value: str) -> sa.ColumnElement[bool]:
    """The same condition as `_has_value`, probed per row in its index: for rows that something
    else found few of (a number's matches), where a join would read the whole scope. An
    expression, not IN or EXISTS, so PostgreSQL does not turn it into a join of its own."""
    return (sa.select(sa.literal_column("1")).where(V.c.application_id == A.c.id, *_kept_is(V, name, value))
            .limit(1).scalar_subquery().is_not(None))


class ApplicationsPart(StoreBase):
    def create_application(
        self, *, flow_id: str, flow_version: str, flow_digest: str, identity_key: str, numbering: Numbering,
        status: str, answers: Mapping[str, Any], password: str, values: Mapping[str, Any] | None = None,
        status_data: Mapping[str, Any] | None = None, photo: bytes | None = None,
        now: datetime | None = None, audit: AuditEntry | None = None,
    ) -> Application:
        """Store a new application; raises `Duplicate` when the identity already has one.
        The number's year is `now`'s year as given (pass local time to number by it)."""
        at = self._now(now)
        series = numbering.prefix + (str((now or at).year) if numbering.year else "")
        kept = _kept(values)
        row = {
            "flow_id": flow_id, "flow_version": flow_version, "flow_digest": flow_digest,
            "identity_key": identity_key,
            "status": status, "status_data": dict(status_data or {}), "answers": dict(answers),
            "password_hash": self.passwords.hash(password), "photo": photo,
            "row_version": 1, "created_at": at, "updated_at": at,
        }

        def body(conn: sa.Connection) -> int:
            taken, fields = conn.execute(sa.select(
                sa.select(A.c.id).where(A.c.identity_key == identity_key).scalar_subquery(),
                tallies.fields_column())).one()
            if taken is not None:
                raise Duplicate("STORE_APPLICATION_EXISTS")
            # The number last: its counter row is locked until the commit, and every submission
            # of the series waits for it, so nothing else may run while it is held (issue 10: at
            # a burst of submissions, numbering first queued them behind each other's inserts).
            # Until then the row has a placeholder number that no other transaction sees.
            new_id = conn.execute(A.insert().values(application_no=f"#{secrets.token_hex(12)}", **row)
                                  .returning(A.c.id)).scalar_one()
            enqueue_change(conn, new_id, at)  # its documents are made by a worker (store/jobs.py)
            _write_values(conn, new_id, kept, new=True)
            if audit is not None:
                self._write_audit(conn, audit, at, new_id)
            tallies.add(conn, tallies.delta(None, (status, tallies.only(tallies.fields_of(fields), kept))))
            number = f"{series}{self._next_sequence(conn, series):0{numbering.digits}d}"
            conn.execute(A.update().where(A.c.id == new_id).values(application_no=number))
            return new_id

        try:
            new_id = self.db.run(body)
        except sa.exc.IntegrityError as error:
            if _is_identity_conflict(error):
                raise Duplicate("STORE_APPLICATION_EXISTS") from error
            raise
        found = self.get_application(new_id)
        assert found is not None
        return found

    def _next_sequence(self, conn: sa.Connection, name: str) -> int:
        """Increment a named counter (made at 1) in one statement; its row lock serializes
        concurrent callers until they commit."""
        dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        return conn.execute(dialect_insert(counters).values(name=name, value=1)
                            .on_conflict_do_update(index_elements=["name"], set_={"value": counters.c.value + 1})
                            .returning(counters.c.value)).scalar_one()

    def _with_values(self) -> sa.Select[Any]:
        """The record's columns and its kept values (one JSON column), in one statement."""
        return sa.select(*_RECORD_COLUMNS, kept_values_column(self.db.engine.dialect.name).label("kept_values"))

    def _read_one(self, query: sa.Select[Any]) -> Application | None:
        row = self.db.read(lambda conn: conn.execute(query).first())
        return None if row is None else _listed(row)

    def get_application(self, application_id: int) -> Application | None:
        return self._read_one(self._with_values().where(A.c.id == application_id))

    def find_application(self, *, values: Mapping[str, str] | None = None, identity_key: str | None = None,
                         application_no: str | None = None) -> Application | None:
        """The application matching every identifier given (at least one is needed): kept
        values (field → value), the identity key, the application number."""
        conditions = [_has_value(k, v) for k, v in (values or {}).items()]
        conditions += [column == value for column, value in
                       ((A.c.identity_key, identity_key), (A.c.application_no, application_no)) if value is not None]
        if not conditions:
            raise StoreError("STORE_NO_IDENTIFIER")
        return self._read_one(self._with_values().where(*conditions).order_by(A.c.id).limit(1))

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
        kept = _kept(changes.pop("values")) if "values" in changes else None
        values = dict(changes, updated_at=at, row_version=A.c.row_version + 1)
        for key in ("answers", "status_data"):
            if key in values:
                values[key] = dict(values[key])

        def body(conn: sa.Connection) -> None:
            # the row locked first: its status and tallied answers stay what this read says
            # until the commit (and the tallied set, read here, stays the one tallied)
            old = conn.execute(sa.select(A.c.status, tallies.fields_column(), kept_values_column(dialect))
                               .where(A.c.id == application_id).with_for_update(of=A)).first()
            if old is None:
                raise NotFound("STORE_APPLICATION_NOT_FOUND", id=application_id)
            old_status, fields = old[0], tallies.fields_of(old[1])
            old_tallied = tallies.only(fields, tallies.values_of(old[2]))
            updated = conn.execute(A.update().where(A.c.id == application_id,
                                                    A.c.row_version == expected_row_version)
                                   .values(**values))
            if updated.rowcount != 1:
                raise StaleWrite(id=application_id, expected=expected_row_version)
            enqueue_change(conn, application_id, at)
            if kept is not None:
                _write_values(conn, application_id, kept)
            if audit is not None:
                entry = audit
                if entry.from_status is None and entry.to_status is None and "status" in changes:
                    entry = AuditEntry(**{**entry.__dict__, "from_status": old_status,
                                          "to_status": changes["status"]})
                self._write_audit(conn, entry, at, application_id)
            new_tallied = old_tallied if kept is None else tallies.only(fields, kept)
            tallies.add(conn, tallies.delta((old_status, old_tallied),
                                            (changes.get("status", old_status), new_tallied)))

        dialect = self._dialect()
        try:
            self.db.run(body)
        except sa.exc.IntegrityError as error:
            if _is_identity_conflict(error):
                raise Duplicate("STORE_APPLICATION_EXISTS") from error
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

    def _filters(self, where: Mapping[str, str] | None, status: str | None, text: str | None,
                 exact: Sequence[str], contains: str | None, dialect: str = "sqlite") -> list[sa.ColumnElement[bool]]:
        text = (text or "").strip()
        # a number's few matches drive; each is checked against the scope in its index
        scoped = _checked_value if text and query_kind(text) == "number" else _has_value
        found = [scoped(k, v) for k, v in (where or {}).items()]
        if status is not None:
            found.append(A.c.status == known(status))
        if text:
            found.append(A.c.id.in_(_matching(text, exact, contains, dialect)))
        return found

    def _dialect(self) -> str:
        return self.db.engine.dialect.name

    def _page(self, where: Mapping[str, str] | None, status: str | None, text: str | None,
              exact: Sequence[str], contains: str | None, before: int | None, after: int | None,
              key: Any = A.c.id) -> tuple[list[sa.ColumnElement[bool]], Any]:
        """The filters, plus the keyset bounds and order on `key` (the id column that orders)."""
        conditions = self._filters(where, status, text, exact, contains, self._dialect())
        if before is not None:
            conditions.append(key < known(before))
        if after is not None:
            conditions.append(key > known(after))
        return conditions, key.asc() if after is not None and before is None else key.desc()

    def search_applications(self, *, where: Mapping[str, str] | None = None, text: str | None = None,
                            status: str | None = None, exact: Sequence[str] = (), contains: str | None = None,
                            limit: int = 50, offset: int = 0, before: int | None = None,
                            after: int | None = None) -> list[Application]:
        """Newest first. `where`: kept values every result has (field → value, e.g. the
        staff's scope). `text` is read by its kind (`query_kind`): with a digit it is an
        application number (any case) or the kept value of one of the `exact` fields (as
        typed or upper-cased); else it is the beginning of the kept value of field `contains`
        (the display name), or on PostgreSQL, from three characters on, any part of it
        (two characters: the names that begin with them, read in id order from their index).
        Keyset pages: `before` = the id of the last row of the previous page (the next,
        older rows); `after` = the id of the first row of the page after (the newer rows
        just above it, still listed newest first). `offset` remains for small lists.
        With `where`, its first value drives the query: the (field, value, application_id)
        index is walked in id order, so a page in one scope reads a page, not the scope."""
        return self._found(self._with_values(), _listed, where, text, status, exact, contains, limit, offset,
                           before, after)

    def list_applications(self, *, where: Mapping[str, str] | None = None, text: str | None = None,
                          status: str | None = None, exact: Sequence[str] = (), contains: str | None = None,
                          limit: int = 50, offset: int = 0, before: int | None = None,
                          after: int | None = None) -> list[Listed]:
        """The applications `search_applications` finds, in its order and pages, as a list shows
        them (`Listed`: the kept values, no answers or status data). A page reads a page of these
        few columns, where whole records would read and decode every row's answer document (at
        real sizes often stored apart, TOAST) and status data (issue 10: a page of 51 names)."""
        columns = sa.select(A.c.id, A.c.application_no, A.c.flow_digest, A.c.status, A.c.updated_at,
                            kept_values_column(self._dialect()).label("kept_values"))
        return self._found(columns, lambda r: Listed(r[0], r[1], r[2], r[3], r[4], kept_values_of(r[5])),
                           where, text, status, exact, contains, limit, offset, before, after)

    def _found(self, query: sa.Select[Any], build: Callable[[Any], T], where: Mapping[str, str] | None,
               text: str | None, status: str | None, exact: Sequence[str], contains: str | None, limit: int,
               offset: int, before: int | None, after: int | None) -> list[T]:
        """One page of the search: `query` (columns of applications) with the search's joins,
        filters, order and page, each row made by `build`, newest first (a page `after` is read
        oldest first and turned round)."""
        pairs = list((where or {}).items())
        text = (text or "").strip()
        drivers: list[tuple[Any, list[sa.ColumnElement[bool]]]] = []
        if _by_prefix_key(text, contains):
            assert contains is not None
            name = V.alias("name_")
            drivers.append((name, _beginning(name, contains, text)))
            text = ""
        # A name (or no text) in a scope: the scope's index drives, walked in id order. A number
        # names one application or a few: it drives itself, and the scope is a check per match
        # (`_filters`' `_checked_value`; driven by the scope, a page would walk all of it for one row).
        driven = bool(pairs) and query_kind(text or "name") == "name"
        if driven:
            scope = V.alias("scope_")
            drivers.append((scope, _kept_is(scope, *pairs[0], probed_on=self._dialect() if drivers else None)))
        key = A.c.id
        if drivers:
            # equal to A.id; ordering by the first driver's id lets its index serve the order
            key = drivers[0][0].c.application_id
            source: Any = A
            for driver, on in drivers:
                source = source.join(driver, sa.and_(driver.c.application_id == A.c.id, *on))
            query = query.select_from(source)
        conditions, order = self._page(dict(pairs[1:] if driven else pairs), status, text, exact, contains,
                                       before, after, key)
        query = query.where(*conditions).order_by(order).limit(known(limit))
        if offset:
            query = query.offset(known(offset))

        def read(conn: sa.Connection) -> list[T]:
            rows = list(conn.execute(query))
            if after is not None and before is None:
                rows.reverse()
            return [build(r) for r in rows]
        return self.db.read(read)

    def stream_applications(self, *, where: Mapping[str, str] | None = None, text: str | None = None,
                            status: str | None = None, exact: Sequence[str] = (), contains: str | None = None,
                            batch: int = 500) -> Iterator[Application]:
        """Every application `search_applications` would find, newest first, from one query
        streamed `batch` rows at a time (store/streaming.py), kept values in the same statement. Its own connection and read
        transaction, held while the caller iterates (close the iterator to end it early)."""
        conditions, order = self._page(where, status, text, exact, contains, None, None)
        query = self._with_values().where(*conditions).order_by(order)
        with self.db.connect(write=False) as conn:
            for row in stream_rows(conn, query, batch):   # store/streaming.py
                yield _listed(row)

    def count_applications(self, *, where: Mapping[str, str] | None = None, text: str | None = None,
                           status: str | None = None, exact: Sequence[str] = (),
                           contains: str | None = None) -> int:
        """From the tallies when the filter is a status and at most two tallied answers
        (`tallies.scope_of`; a display name's first two characters count as one when they are
        tallied, `name_key`), else counted (a search's matches, other answers)."""
        text = (text or "").strip()
        # the display name's field when the text is a name's first two characters
        named = contains if contains is not None and _by_prefix_key(text, contains) else None
        keyed = {name_key(named): text} if named is not None else {}
        scope = tallies.scope_of({**(where or {}), **keyed}, self.tallied_fields()) if keyed or not text else None
        if scope is not None:
            return self.db.read(lambda conn: sum(tallies.by_status(conn, scope, status).values()))
        if named is not None and status is None:
            # a name's first two characters, in a scope of kept values: counted from the
            # indexes alone (every kept value belongs to an application), not row by row
            name = V.alias("name_")
            source: Any = name
            for n, (field, value) in enumerate((where or {}).items()):
                other = V.alias(f"scope_{n}")
                source = source.join(other, sa.and_(other.c.application_id == name.c.application_id,
                                                    *_kept_is(other, field, value, probed_on=self._dialect())))
            query = (sa.select(sa.func.count()).select_from(source)
                     .where(*_beginning(name, named, text)))
            return self.db.read(lambda conn: int(conn.scalar(query) or 0))
        query = (sa.select(sa.func.count()).select_from(A)
                 .where(*self._filters(where, status, text, exact, contains, self._dialect())))
        return self.db.read(lambda conn: int(conn.scalar(query) or 0))

    # -- tallies (store/tallies.py) -------------------------------------------------------

    def tallied_fields(self) -> frozenset[str]:
        """The fields the tallies count by, as this process last read or set them."""
        found = getattr(self, "_tallied", None)
        if found is None:
            found = self.db.read(lambda conn: tallies.fields_of(conn.scalar(sa.select(tallies.fields_column()))))
            self._tallied = found
        return found

    def sync_tallies(self, fields: Sequence[str]) -> bool:
        """Count by `fields` (the answers the flow's roles bind through) from now on; when that
        changes the tallied set, the tallies are rebuilt (True then) in the same transaction."""
        changed = self.db.run(lambda conn: tallies.sync(conn, fields))
        self._tallied = frozenset(fields)
        return changed

    def recount_tallies(self, fix: bool = False) -> dict[tuple[str, str, str, str, str], tuple[int, int]]:
        """Each tally row that differs from a GROUP BY recount → (tallied, counted); with `fix`
        the tallies are rebuilt from the recount in the same transaction."""
        return self.db.run(lambda conn: tallies.differences(conn, fix), write=fix)

    def _scoped(self, where: Mapping[str, str] | None) -> tuple[Any, Any, list[sa.ColumnElement[bool]]]:
        """(from clause, the id column, conditions) for a count within `where`: its first value
        drives through the (field, value, application_id) index, the status is read from the
        covering (id, status) index; on its own, the (status) index serves."""
        pairs = list((where or {}).items())
        if not pairs:
            return A, A.c.id, []
        driver = V.alias("scope_")
        return (driver.join(A, A.c.id == driver.c.application_id), driver.c.application_id,
                [*_kept_is(driver, *pairs[0]), *self._filters(dict(pairs[1:]), None, None, (), None)])

    def count_by_status(self, *, where: Mapping[str, str] | None = None) -> dict[str, int]:
        """Status → number of applications within `where` (from the tallies when they can say)."""
        scope = tallies.scope_of(where or {}, self.tallied_fields())
        if scope is not None:
            return self.db.read(lambda conn: tallies.by_status(conn, scope))
        source, _key, conditions = self._scoped(where)
        query = (sa.select(A.c.status, sa.func.count()).select_from(source).where(*conditions)
                 .group_by(A.c.status))
        return self.db.read(lambda conn: {s: int(n) for s, n in conn.execute(query)})

    def count_by_value(self, field: str, *, where: Mapping[str, str] | None = None) -> dict[tuple[str, str], int]:
        """(kept value of `field`, status) → number of applications, within `where` (from the
        tallies when `field` and `where` are tallied and `where` names one field besides it)."""
        tallied = tallies.by_value(field, where or {}, self.tallied_fields())
        if tallied is not None:
            return self.db.read(lambda conn: {(v, s): int(n) for v, s, n in conn.execute(tallied)})
        source, key, conditions = self._scoped(where)
        by = V.alias("by_")
        query = (sa.select(by.c.value, A.c.status, sa.func.count())
                 .select_from(source.join(by, sa.and_(by.c.application_id == key, by.c.field == known(field)))
                              if where else by.join(A, A.c.id == by.c.application_id))
                 .where(*conditions, by.c.field == known(field))
                 .group_by(by.c.value, A.c.status))
        return self.db.read(lambda conn: {(v, s): int(n) for v, s, n in conn.execute(query)})

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
