"""Counts of applications kept as they change: `application_tallies`, per status, per value of
each *tallied* field (the answers the flow's roles bind through, and the display name's first two
characters) and per pair of them.

The staff home counts and the list's total read a handful of rows here instead of every
application in scope. A row is (scope_field, scope_value, field, value, status) → n, ''
standing for "none":
  ('', '', '', '', s)            every application in status s
  ('', '', f, v, s)              those whose kept answer f is v
  (f1, v1, f2, v2, s), f1 ≠ f2   those whose f1 is v1 and f2 is v2 (both orders are kept, so
                                 "per f2 within f1 = v1" is a prefix of the primary key)
An application with k tallied values counts in 1 + k + k(k-1) rows (10 for the teacher flow:
point, agency and the display name's first two characters, see PREFIX_MARK).

Which fields are tallied is data (`tallied_fields`), set from the flow by `sync_tallies`
(which rebuilds the tallies when the set changes), so every process writes the same rows
whatever flow it loaded. The writers (store/applications.py) read the set and the
application's old tallied answers in a statement they already make, and add the difference
between the old and the new rows (`delta`) by one UPSERT (`n = n + excluded.n`), in the same
transaction as the change; the rows in key order, so concurrent writers lock them in the
same order (no deadlock). A rebuild (`sync_tallies`, `recount(fix=True)`) takes ACCESS
EXCLUSIVE locks on PostgreSQL: it waits for the writers that read the old set and is waited
for by those that come after. `recount` compares every row with a GROUP BY recount.
Readers use the set their process last synced or read: a field not in it is counted; a
field another process has since dropped would read rows no longer kept (the set follows the
flow's roles, so every process of one deployment syncs the same). The per-status rows are touched by every submission and move: like the number's
counter row they are held until the commit, which the submission holds anyway.
Must not know a flow or hold user-facing text.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .schema import application_values as V, applications as A, metadata

tallied_fields = sa.Table(
    "tallied_fields", metadata,
    sa.Column("field", sa.Text, primary_key=True),
)
application_tallies = sa.Table(
    "application_tallies", metadata,
    sa.Column("scope_field", sa.Text, primary_key=True),
    sa.Column("scope_value", sa.Text, primary_key=True),
    sa.Column("field", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)
T, F = application_tallies, tallied_fields
KEY = ("scope_field", "scope_value", "field", "value", "status")
Key = tuple[str, str, str, str, str]
NONE = ""
# A tallied field may be a kept answer's first characters, "<answer>:<n>" (an id has no colon,
# engine/schema.py): "name:2" counts by a display name's first two characters, so that the total
# of the common two-character name search, in a scope or not, is a tally too (store/applications.py).
PREFIX_MARK = ":"


def keys(status: str, values: Mapping[str, str]) -> list[Key]:
    """The rows one application in `status` with tallied answers `values` counts in."""
    found: list[Key] = [(NONE, NONE, NONE, NONE, status)]
    found += [(NONE, NONE, f, v, status) for f, v in values.items()]
    found += [(f1, v1, f2, v2, status) for f1, v1 in values.items() for f2, v2 in values.items() if f1 != f2]
    return found


def delta(old: tuple[str, Mapping[str, str]] | None, new: tuple[str, Mapping[str, str]] | None) -> dict[Key, int]:
    """What to add to each row when an application goes from `old` (status, tallied answers)
    to `new` (None: it did not exist / no longer exists); rows that do not change are left out."""
    counts: Counter[Key] = Counter(keys(*new) if new is not None else [])
    counts.subtract(keys(*old) if old is not None else [])
    return {k: n for k, n in sorted(counts.items()) if n}


def add(conn: sa.Connection, changes: Mapping[Key, int]) -> None:
    """Add `changes` to the tallies: one statement, rows in key order."""
    if not changes:
        return
    insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(T)
    rows = [dict(zip(KEY, k), n=n) for k, n in sorted(changes.items())]
    statement = insert.values(rows)
    conn.execute(statement.on_conflict_do_update(index_elements=list(KEY),
                                                 set_={"n": T.c.n + statement.excluded.n}))


def fields_column() -> sa.ScalarSelect[Any]:
    """The tallied fields as one text (comma-separated field ids, NULL for none): a column
    a writer adds to a statement it makes anyway."""
    return sa.select(sa.func.aggregate_strings(F.c.field, ",")).scalar_subquery()


def fields_of(raw: str | None) -> frozenset[str]:
    return frozenset(raw.split(",")) if raw else frozenset()


def values_of(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    return dict(json.loads(raw) if isinstance(raw, str) else raw)


def prefix_field(field: str, length: int) -> str:
    """The tallied field that is kept answer `field`'s first `length` characters."""
    return f"{field}{PREFIX_MARK}{length}"


def _parts(field: str) -> tuple[str, int | None]:
    """(the kept answer a tallied field reads, how many of its first characters or None for all)."""
    base, _, length = field.partition(PREFIX_MARK)
    return base, int(length) if length else None


def only(fields: frozenset[str], values: Mapping[str, str]) -> dict[str, str]:
    """The tallied values of an application whose kept answers are `values`."""
    found = {}
    for field in fields:
        base, length = _parts(field)
        value = values.get(base)
        if value is not None:
            found[field] = value if length is None else value[:length]
    return found


# -- rebuilding and checking ---------------------------------------------------------------

def _counted(conn: sa.Connection, fields: Iterable[str]) -> Counter[Key]:
    """Every tally row as a recount gives it: the applications grouped by their status and
    tallied values (one GROUP BY, a row per combination that occurs), each group counted in the
    rows `keys` names for it."""
    chosen = sorted(fields)
    source: Any = A
    values = []
    for n, field in enumerate(chosen):
        base, length = _parts(field)
        kept = V.alias(f"v{n}")
        source = source.outerjoin(kept, sa.and_(kept.c.application_id == A.c.id, kept.c.field == base))
        values.append(kept.c.value if length is None else
                      sa.func.substr(kept.c.value, sa.literal_column("1"), sa.literal_column(str(length))))
    query = sa.select(A.c.status, *values, sa.func.count()).select_from(source).group_by(A.c.status, *values)
    counts: Counter[Key] = Counter()
    for status, *found, n in conn.execute(query):
        for key in keys(status, {f: v for f, v in zip(chosen, found) if v is not None}):
            counts[key] += int(n)
    return counts


def _lock(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("LOCK TABLE tallied_fields, application_tallies IN ACCESS EXCLUSIVE MODE"))


def _rebuild(conn: sa.Connection, fields: Iterable[str]) -> None:
    conn.execute(T.delete())
    rows = [dict(zip(KEY, k), n=n) for k, n in sorted(_counted(conn, fields).items())]
    if rows:
        conn.execute(T.insert(), rows)


def sync(conn: sa.Connection, fields: Iterable[str]) -> bool:
    """Make `fields` the tallied set; rebuild the tallies when it changes (True then)."""
    wanted = frozenset(fields)
    if fields_of(conn.scalar(sa.select(fields_column()))) == wanted:
        return False
    _lock(conn)
    conn.execute(F.delete())
    if wanted:
        conn.execute(F.insert(), [{"field": f} for f in sorted(wanted)])
    _rebuild(conn, wanted)
    return True


def differences(conn: sa.Connection, fix: bool) -> dict[Key, tuple[int, int]]:
    """Row → (tallied, counted) for every row where the two differ; with `fix`, the tallies
    are rebuilt from the count (under the rebuild's locks) in the same transaction."""
    if fix:
        _lock(conn)
    fields = fields_of(conn.scalar(sa.select(fields_column())))
    counted = _counted(conn, fields)
    tallied = {tuple(r[:5]): int(r[5]) for r in conn.execute(sa.select(*T.c).where(T.c.n != 0))}
    found = {k: (tallied.get(k, 0), counted.get(k, 0)) for k in set(counted) | set(tallied)
             if tallied.get(k, 0) != counted.get(k, 0)}
    if fix and (found or conn.scalar(sa.select(sa.func.count()).select_from(T).where(T.c.n == 0))):
        _rebuild(conn, fields)
    return dict(sorted(found.items()))  # type: ignore[arg-type]


# -- reading -------------------------------------------------------------------------------

def scope_of(where: Mapping[str, str], fields: frozenset[str]) -> tuple[str, str, str, str] | None:
    """The row prefix that counts the applications with every kept answer of `where`, or None
    when the tallies cannot say (a field not tallied, or more than two)."""
    pairs = sorted(where.items())
    if not set(where) <= fields or len(pairs) > 2:
        return None
    if not pairs:
        return (NONE, NONE, NONE, NONE)
    if len(pairs) == 1:
        return (NONE, NONE, *pairs[0])
    return (*pairs[0], *pairs[1])


def by_status(conn: sa.Connection, scope: tuple[str, str, str, str], status: str | None = None) -> dict[str, int]:
    conditions = [c == v for c, v in zip((T.c.scope_field, T.c.scope_value, T.c.field, T.c.value), scope)]
    if status is not None:
        conditions.append(T.c.status == status)
    query = sa.select(T.c.status, T.c.n).where(*conditions, T.c.n != 0)
    return {s: int(n) for s, n in conn.execute(query)}


def by_value(by: str, where: Mapping[str, str], fields: frozenset[str]) -> sa.Select[Any] | None:
    """The query of (value of `by`, status, n) within `where`, or None when the tallies cannot say."""
    rest = {k: v for k, v in where.items() if k != by}
    if by not in fields or not set(where) <= fields or len(rest) > 1:
        return None
    scope = next(iter(rest.items()), (NONE, NONE))
    conditions = [T.c.scope_field == scope[0], T.c.scope_value == scope[1], T.c.field == by, T.c.n != 0]
    if by in where:
        conditions.append(T.c.value == where[by])
    return sa.select(T.c.value, T.c.status, T.c.n).where(*conditions)
