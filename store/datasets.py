"""Reference datasets: tables `ds_<name>` shaped by the flow's `datasets:` declarations.

These tables are not Alembic's: they follow the flow. `sync_datasets` creates a table
when it is missing and recreates it (empty) when its columns or key changed; an import
fills a staging table and swaps it in (see `importer.py`). `rows` implements the
engine's DataSource protocol, serving small datasets from a per-process cache that is
revalidated against a generation number, and the special dataset `applications` from
the applications table. Must not parse data files or hold user-facing text.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from .base import StoreBase
from .errors import Duplicate, NotFound, StoreError
from .records import SyncReport
from .schema import application_values, applications, dataset_tables
from .values import COLUMN_TYPES, converter

APPLICATIONS = "applications"
CACHE_LIMIT = 5000      # datasets up to this many rows are served from memory
CACHE_TTL = 5.0         # seconds between checks that a cached dataset is still current
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
SA_TYPES: dict[str, Any] = {"text": sa.Text, "date": sa.Date, "datetime": sa.DateTime,
                            "image": sa.LargeBinary, "number": sa.Numeric}


class DatasetLike(Protocol):
    """What the store needs of a dataset declaration (the engine's `model.Dataset`)."""

    @property
    def columns(self) -> Mapping[str, str]: ...

    @property
    def key(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Spec:
    name: str
    columns: Mapping[str, str]
    key: tuple[str, ...]
    index: frozenset[str] = frozenset()
    required: tuple[str, ...] = ()  # not part of the table's shape: checked by imports and edits

    @property
    def table_name(self) -> str:
        return f"ds_{self.name}"

    @property
    def signature(self) -> str:
        shape = {"columns": list(self.columns.items()), "key": list(self.key)}
        return hashlib.sha256(json.dumps(shape).encode()).hexdigest()


def spec_of(name: str, dataset: DatasetLike, index: Iterable[str] = ()) -> Spec:
    """Check a declaration's names and types; raises StoreError with a DATASET_ code."""
    columns = dict(dataset.columns)
    key = tuple(dataset.key)
    if not _NAME.match(name):
        raise StoreError("DATASET_BAD_NAME", dataset=name)
    for column, column_type in columns.items():
        if not _NAME.match(column):
            raise StoreError("DATASET_BAD_COLUMN", dataset=name, column=column)
        if column_type not in COLUMN_TYPES:
            raise StoreError("DATASET_BAD_TYPE", dataset=name, column=column, type=column_type)
    if not key or any(k not in columns for k in key):
        raise StoreError("DATASET_BAD_KEY", dataset=name)
    required = tuple(c for c in getattr(dataset, "required", ()) if c in columns and c not in key)
    return Spec(name, columns, key, frozenset(c for c in index if c in columns), required)


def identifier(*parts: str) -> str:
    """A database name from parts, shortened with a hash to PostgreSQL's 63 bytes."""
    name = "_".join(parts)
    if len(name) > 60:
        name = f"{name[:50]}_{hashlib.sha1(name.encode()).hexdigest()[:8]}"
    return name


ROW = "_row"   # staging column: the data-file row a record came from (never declared)


def build_table(spec: Spec, name: str | None = None, metadata: sa.MetaData | None = None,
                index: Iterable[str] = (), staging: bool = False) -> sa.Table:
    """The table for `spec`: a unique index on the key, plain indexes on `spec.index` and
    `index`. The key is a unique index rather than a primary key so an import can build
    it after loading (a sorted build, many times faster than inserting into a B-tree).
    Index names carry a random tag so a staging table's indexes can coexist with the
    live table's."""
    tag = secrets.token_hex(4)
    columns = [sa.Column(c, SA_TYPES[t](), nullable=c not in spec.key)
               for c, t in spec.columns.items()]
    if staging:
        columns.append(sa.Column(ROW, sa.BigInteger))
    table = sa.Table(name or spec.table_name, metadata or sa.MetaData(), *columns)
    sa.Index(identifier("uq", spec.table_name, tag), *(table.c[k] for k in spec.key), unique=True)
    for column in sorted((spec.index | set(index)) - {spec.key[0]}):
        sa.Index(identifier("ix", spec.table_name, tag, column), table.c[column])
    return table


@dataclass
class _Cached:
    generation: int
    rows: list[dict[str, Any]] | None      # None: too big to cache, query each time
    checked: float = field(default_factory=time.monotonic)
    # the rows by their values of some columns, made on the first lookup by those columns (the
    # dashboard's bound rows, a lookup by key: one dict look, not a scan of every row per call)
    _by: dict[tuple[str, ...], dict[tuple[Any, ...], list[dict[str, Any]]]] = field(default_factory=dict)

    def matching(self, match: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The cached rows whose columns equal `match`, in order (copies)."""
        assert self.rows is not None
        columns = tuple(match)
        by = self._by.get(columns)
        if by is None:
            by = {}
            for row in self.rows:
                by.setdefault(tuple(row[c] for c in columns), []).append(row)
            self._by[columns] = by
        try:
            found = by.get(tuple(match.values()), ())
        except TypeError:  # an unhashable value: compared row by row
            found = [r for r in self.rows if all(r[c] == v for c, v in match.items())]
        return [dict(r) for r in found]


class DatasetsPart(StoreBase):
    _specs: dict[str, Spec]
    _tables: dict[str, sa.Table]
    _cache: dict[str, _Cached]
    _cache_lock: threading.Lock
    cache_limit: int
    cache_ttl: float

    def sync_datasets(self, datasets: Mapping[str, DatasetLike],
                      index_columns: Mapping[str, Iterable[str]] | None = None) -> SyncReport:
        """Make every declared dataset's table match its declaration (see module doc)."""
        actions: dict[str, str] = {}
        for name, dataset in datasets.items():
            spec = spec_of(name, dataset, (index_columns or {}).get(name, ()))
            if name == APPLICATIONS:   # served from the applications' kept values (see _application_rows)
                actions[name] = "builtin"
            else:
                actions[name] = self.db.run(lambda conn, spec=spec: self._sync_one(conn, spec))
            self._specs[name] = spec
            self._tables[name] = build_table(spec)
            self.invalidate(name)
        return SyncReport(actions)

    def _sync_one(self, conn: sa.Connection, spec: Spec) -> str:
        registered = conn.execute(sa.select(dataset_tables)
                                  .where(dataset_tables.c.name == spec.name)).first()
        exists = sa.inspect(conn).has_table(spec.table_name)
        if registered is not None and exists and registered.signature == spec.signature:
            present = {tuple(i["column_names"]) for i in sa.inspect(conn).get_indexes(spec.table_name)}
            for index in build_table(spec).indexes:
                if tuple(c.name for c in index.columns) not in present:
                    index.create(conn)
            return "unchanged"
        generation = (int(registered.generation) if registered is not None else 0) + 1
        if exists:
            conn.execute(sa.text(f'DROP TABLE "{spec.table_name}"'))
        build_table(spec).create(conn)
        self._register(conn, spec, generation, 0)
        return "recreated" if registered is not None or exists else "created"

    def _register(self, conn: sa.Connection, spec: Spec, generation: int, row_count: int) -> None:
        values = {"signature": spec.signature, "generation": generation, "row_count": row_count,
                  "updated_at": self._now(None)}
        updated = conn.execute(dataset_tables.update()
                               .where(dataset_tables.c.name == spec.name).values(**values))
        if not updated.rowcount:
            conn.execute(dataset_tables.insert().values(name=spec.name, **values))

    def _spec(self, dataset: str) -> Spec:
        try:
            return self._specs[dataset]
        except KeyError:
            raise StoreError("DATASET_UNKNOWN", dataset=dataset) from None

    def dataset_generation(self, dataset: str) -> tuple[int, int]:
        """(generation, row_count) as recorded for a dataset table."""
        query = sa.select(dataset_tables.c.generation, dataset_tables.c.row_count).where(
            dataset_tables.c.name == dataset)
        row = self.db.read(lambda conn: conn.execute(query).first())
        if row is None:
            raise StoreError("DATASET_NOT_SYNCED", dataset=dataset)
        return int(row[0]), int(row[1])

    # -- reading (the engine's DataSource) ----------------------------------------------

    def rows(self, dataset: str, match: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Rows whose columns equal every value in `match` (empty: all), ordered by key."""
        spec = self._spec(dataset)
        unknown = [c for c in match if c not in spec.columns]
        if unknown:
            raise StoreError("DATASET_UNKNOWN_COLUMN", dataset=dataset, columns=unknown)
        if dataset == APPLICATIONS:
            return self._application_rows(spec, match)
        entry = self._cached_entry(spec)
        if entry.rows is not None:
            return entry.matching(match) if match else [dict(r) for r in entry.rows]
        table = self._tables[dataset]
        query = (sa.select(table).where(*(table.c[c] == v for c, v in match.items()))
                 .order_by(*(table.c[k] for k in spec.key)))
        return self.db.read(lambda conn: [dict(r._mapping) for r in conn.execute(query)])

    def shared_rows(self, dataset: str) -> list[dict[str, Any]] | None:
        """Every row of a cached dataset as the cache holds them: the same list object for as long
        as the cached content is current (a new one once the dataset changed or was invalidated),
        so a caller can keep what it derived from it by the list's identity. Shared: never
        modify it. None for a dataset not held in the cache (too large, or the applications)."""
        spec = self._spec(dataset)
        return None if dataset == APPLICATIONS else self._cached(spec)

    def _application_rows(self, spec: Spec, match: Mapping[str, Any]) -> list[dict[str, Any]]:
        """A column of the applications table (status, application_no…) or a kept answer."""
        def where(column: str, value: Any) -> sa.ColumnElement[bool]:
            if column in applications.c:
                return applications.c[column] == value
            return applications.c.id.in_(sa.select(application_values.c.application_id).where(
                application_values.c.field == column, application_values.c.value == str(value)))

        own = [c for c in spec.columns if c in applications.c]
        query = (sa.select(applications.c.id, *(applications.c[c] for c in own))
                 .where(*(where(c, v) for c, v in match.items())))

        def read(conn: sa.Connection) -> list[dict[str, Any]]:
            rows = {r.id: {c: r._mapping[c] for c in own} for r in conn.execute(query)}
            kept: dict[int, dict[str, str]] = {i: {} for i in rows}
            if rows:
                for app_id, name, value in conn.execute(
                        sa.select(application_values.c.application_id, application_values.c.field,
                                  application_values.c.value).where(application_values.c.application_id.in_(rows))):
                    kept[app_id][name] = value
            found = [{c: row[c] if c in row else kept[i].get(c) for c in spec.columns} for i, row in rows.items()]
            return sorted(found, key=lambda r: tuple("" if r[k] is None else str(r[k]) for k in spec.key))
        return self.db.read(read)

    def _cached(self, spec: Spec) -> list[dict[str, Any]] | None:
        return self._cached_entry(spec).rows

    def _cached_entry(self, spec: Spec) -> _Cached:
        entry = self._cache.get(spec.name)
        now = time.monotonic()
        if entry is not None and now - entry.checked < self.cache_ttl:
            return entry
        generation, row_count = self.dataset_generation(spec.name)
        if entry is not None and entry.generation == generation:
            entry.checked = now
            return entry
        rows: list[dict[str, Any]] | None = None
        if row_count <= self.cache_limit:
            table = self._tables[spec.name]
            query = sa.select(table).order_by(*(table.c[k] for k in spec.key))
            rows = self.db.read(lambda conn: [dict(r._mapping) for r in conn.execute(query)])
        entry = _Cached(generation, rows, now)
        with self._cache_lock:
            self._cache[spec.name] = entry
        return entry

    def invalidate(self, dataset: str | None = None) -> None:
        """Forget cached rows of one dataset (or all); the next `rows` reads the database."""
        with self._cache_lock:
            if dataset is None:
                self._cache.clear()
            else:
                self._cache.pop(dataset, None)

    # -- staff edits ----------------------------------------------------------------------

    def _typed(self, spec: Spec, values: Mapping[str, Any]) -> dict[str, Any]:
        unknown = [c for c in values if c not in spec.columns]
        if unknown:
            raise StoreError("DATASET_UNKNOWN_COLUMN", dataset=spec.name, columns=unknown)
        typed: dict[str, Any] = {}
        for column, value in values.items():
            try:
                typed[column] = converter(spec.columns[column], None)(value)
            except ValueError as error:
                raise StoreError(str(error), dataset=spec.name, column=column) from None
        return typed

    def _edit(self, spec: Spec, statement: sa.Executable, count_change: int) -> int:
        def body(conn: sa.Connection) -> int:
            changed = conn.execute(statement).rowcount
            if changed < 0:  # an INSERT with implicit RETURNING reports no count: one row
                changed = 1
            if changed:
                conn.execute(dataset_tables.update().where(dataset_tables.c.name == spec.name)
                             .values(generation=dataset_tables.c.generation + 1,
                                     row_count=dataset_tables.c.row_count + count_change * changed,
                                     updated_at=self._now(None)))
            return changed

        try:
            changed = self.db.run(body)
        except sa.exc.IntegrityError as error:
            raise Duplicate("DATASET_DUPLICATE_KEY", dataset=spec.name) from error
        self.invalidate(spec.name)
        return changed

    def _key_filter(self, spec: Spec, key_values: Mapping[str, Any]) -> list[sa.ColumnElement[bool]]:
        if set(key_values) != set(spec.key):
            raise StoreError("DATASET_BAD_KEY", dataset=spec.name)
        table = self._tables[spec.name]
        return [table.c[c] == v for c, v in self._typed(spec, key_values).items()]

    def update_row(self, dataset: str, key_values: Mapping[str, Any],
                   changes: Mapping[str, Any]) -> None:
        """Change one reference row (e.g. a window's dates or a note); values as in data files."""
        spec = self._require_table(dataset)
        statement = (self._tables[dataset].update().where(*self._key_filter(spec, key_values))
                     .values(**self._typed(spec, changes)))
        if not self._edit(spec, statement, 0):
            raise NotFound("DATASET_ROW_NOT_FOUND", dataset=dataset)

    def insert_row(self, dataset: str, values: Mapping[str, Any]) -> None:
        spec = self._require_table(dataset)
        typed = self._typed(spec, values)
        if any(typed.get(k) is None for k in spec.key):
            raise StoreError("IMPORT_KEY_EMPTY", dataset=dataset)
        self._edit(spec, self._tables[dataset].insert().values(**typed), 1)

    def delete_row(self, dataset: str, key_values: Mapping[str, Any]) -> None:
        spec = self._require_table(dataset)
        statement = self._tables[dataset].delete().where(*self._key_filter(spec, key_values))
        if not self._edit(spec, statement, -1):
            raise NotFound("DATASET_ROW_NOT_FOUND", dataset=dataset)

    def _require_table(self, dataset: str) -> Spec:
        if dataset == APPLICATIONS:
            raise StoreError("DATASET_BUILTIN", dataset=dataset)
        return self._spec(dataset)
