"""Loading reference data files (CSV or YAML) into dataset tables, all or nothing.

The row-by-row path (SQLite, YAML, and the reference for the other): rows stream from the
file, are checked against the dataset's declared columns and types, and go in chunks into
a bare staging table (executemany on SQLite, COPY on PostgreSQL; short transactions, so
applicants' writes still get through on SQLite). The key index is built afterwards (much
faster than inserting into it), and only a clean file is swapped in for the live table,
in one short transaction.

The COPY path (PostgreSQL, CSV): in one transaction, the file's own bytes go through COPY
into the typed staging table, except the records `csvcopy.CopyScan` cannot vouch for,
which the row-by-row path's `_check` decides one by one; then the index, the swap and the
commit. Same rows, `_row` numbers and problems as the row-by-row path (a test feeds both
the same files), without Python per row.

Either way a file with problems leaves the live table untouched and raises `ImportFailed`
listing each problem with its row and line. Must not print: progress is reported through
the `progress(done, total)` callback.
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
import yaml

from .datasets import APPLICATIONS, ROW, DatasetLike, Spec, build_table, identifier, spec_of
from .errors import ImportFailed, ImportProblem, StoreError
from .csvcopy import CopyScan
from .records import ImportReport, identity_key
from .schema import dataset_tables
from .sources import Record, csv_records, encoding_problem, scan_lines, yaml_records
from .values import converter, is_code

Progress = Callable[[int, int], None]
CHUNK = 5000
MAX_PROBLEMS = 200
IDENTITY_CACHE = 10000   # `_row` numbers a backend takes at a time: a sequence write per 10,000 rows


class _Problems:
    def __init__(self, limit: int) -> None:
        self.items: list[ImportProblem] = []
        self.limit = limit
        self.truncated = False

    def add(self, problem: ImportProblem) -> None:
        if len(self.items) < self.limit:
            self.items.append(problem)
        else:
            self.truncated = True

    def only(self, problem: ImportProblem) -> None:
        """A problem that makes every other one beside the point (the file is not text)."""
        self.items, self.truncated = [problem], False

    @property
    def full(self) -> bool:
        return self.truncated


def default_photo_dir(path: Path) -> Path:
    """Images are named relative to `<data file folder>/photos` if it exists, else the folder."""
    photos = path.parent / "photos"
    return photos if photos.is_dir() else path.parent


def import_file(store: Any, datasets: Mapping[str, DatasetLike], dataset: str, path: str | Path,
                progress: Progress | None = None, photo_dir: str | Path | None = None, *,
                chunk_size: int = CHUNK, max_problems: int = MAX_PROBLEMS,
                row_by_row: bool = False) -> ImportReport:
    """Replace the rows of `dataset` with the rows of a CSV or YAML file. `row_by_row`
    takes the reference path where the COPY path would apply (PostgreSQL, CSV)."""
    started = time.monotonic()
    path = Path(path)
    if dataset not in datasets:
        raise StoreError("DATASET_UNKNOWN", dataset=dataset)
    if dataset == APPLICATIONS:
        raise StoreError("DATASET_BUILTIN", dataset=dataset)
    spec = spec_of(dataset, datasets[dataset])
    known = store._specs.get(dataset)
    if known is None or known.signature != spec.signature:
        store.sync_datasets({dataset: datasets[dataset]})
    spec = store._specs[dataset]
    suffix = path.suffix.lower()
    photos = Path(photo_dir) if photo_dir is not None else default_photo_dir(path)
    loader = _Loader(store, spec, photos, chunk_size, _Problems(max_problems), suffix == ".csv")
    if suffix == ".csv":
        lines, nul = scan_lines(path)
        if nul:   # no database stores it: refused before anything else
            raise ImportFailed([encoding_problem(path) or ImportProblem(0, "IMPORT_NOT_UTF8")])
        # COPY needs records of two fields or more: a one-field record (a blank line,
        # PostgreSQL's end marker `\.`) could read differently there.
        if store.db.engine.dialect.name == "postgresql" and len(spec.columns) > 1 and not row_by_row:
            done = loader.load_by_copy(path, progress, max(lines - 1, 0))
            return ImportReport(dataset, done, time.monotonic() - started)
        records, total = csv_records(path, list(spec.columns)), lines - 1
    elif suffix in (".yaml", ".yml"):
        records, total = yaml_records(path, list(spec.columns))
    else:
        raise StoreError("IMPORT_FORMAT", path=str(path))
    done = loader.load(records, progress, max(total, 0), path if suffix == ".csv" else None)
    return ImportReport(dataset, done, time.monotonic() - started)


class _Loader:
    def __init__(self, store: Any, spec: Spec, photo_dir: Path, chunk_size: int,
                 problems: _Problems, all_text: bool) -> None:
        self.store, self.spec, self.chunk_size, self.problems = store, spec, chunk_size, problems
        self.all_text = all_text
        self.columns = list(spec.columns)
        self.convert = [converter(spec.columns[c], photo_dir) for c in self.columns]
        self.key_at = [self.columns.index(k) for k in spec.key]
        self.required_at = [self.columns.index(c) for c in spec.required]
        self.code_at = [at for at in self.key_at if spec.columns[self.columns[at]] == "text"]
        self.staging: sa.Table | None = None

    def load(self, records: Iterator[Record], progress: Progress | None, total: int,
             csv_path: Path | None = None) -> int:
        self.staging = self.store.db.run(self._create_staging)
        try:
            done = self._stream(records, progress, total)
            if self.problems.items:
                self._refuse(csv_path)
            self._swap(done)
        finally:
            self._drop_staging()
        if progress:
            progress(done, done)
        self.store.invalidate(self.spec.name)
        return done

    def _refuse(self, csv_path: Path | None) -> None:
        """A bad byte anywhere in a refused CSV file is its one problem (see sources.py)."""
        if csv_path is not None and (bad := encoding_problem(csv_path)) is not None:
            self.problems.only(bad)
        raise ImportFailed(self.problems.items, self.problems.truncated)

    def load_by_copy(self, path: Path, progress: Progress | None, total: int) -> int:
        """The COPY path: all in one transaction, so a refused file leaves nothing behind."""
        def body(conn: sa.Connection) -> int:
            self.problems = _Problems(self.problems.limit)   # a re-run starts afresh
            self.staging = self._create_staging(conn)
            scan = CopyScan(path, self.spec.columns, self.spec.key, self.spec.required,
                            self._check_plain, self.problems, self.chunk_size)
            try:
                if scan.read_header():
                    self._copy_scan(conn, scan, progress, total)
            finally:
                scan.close()
            if self.problems.items:
                raise ImportFailed(self.problems.items, self.problems.truncated)
            self._index(conn)
            self._replace_live(conn, scan.rows, wait=True)
            return scan.rows

        try:
            done: int = self.store.db.run(body)
        finally:
            self.staging = None   # gone with its transaction, or renamed to the live table
        if progress:
            progress(done, done)
        self.store.invalidate(self.spec.name)
        return done

    def _copy_scan(self, conn: sa.Connection, scan: CopyScan, progress: Progress | None,
                   total: int) -> None:
        """COPY what the scan yields; an identity column numbers the records in order."""
        assert self.staging is not None
        quote = conn.dialect.identifier_preparer.quote
        table, row = quote(self.staging.name), quote(ROW)
        conn.exec_driver_sql(f"ALTER TABLE {table} ALTER COLUMN {row} SET NOT NULL, "
                             f"ALTER COLUMN {row} ADD GENERATED ALWAYS AS IDENTITY (CACHE {IDENTITY_CACHE})")
        sql = (f"COPY {table} ({', '.join(quote(c) for c in scan.header)}) "
               "FROM STDIN (FORMAT csv, ENCODING 'UTF8')")
        driver = conn.connection.driver_connection
        assert driver is not None
        shown = 0
        try:
            with driver.cursor() as cursor, cursor.copy(sql) as copy:
                for segment in scan.segments():
                    copy.write(segment)
                    if progress and scan.rows - shown >= self.chunk_size:
                        shown = scan.rows
                        progress(shown, max(total, shown))
        except psycopg.errors.CharacterNotInRepertoire:   # PostgreSQL met the bad byte first
            self.problems.only(encoding_problem(scan.path) or ImportProblem(0, "IMPORT_NOT_UTF8"))
            return
        # as the row-by-row path leaves it: rows added later (staff edits) have no file row
        conn.exec_driver_sql(f"ALTER TABLE {table} ALTER COLUMN {row} DROP IDENTITY, "
                             f"ALTER COLUMN {row} DROP NOT NULL")

    def _create_staging(self, conn: sa.Connection) -> sa.Table:
        """A bare table shaped like the live one (no index yet: rows load much faster)."""
        live = [i["column_names"] for i in sa.inspect(conn).get_indexes(self.spec.table_name)]
        extra = {names[0] for names in live if len(names) == 1}
        name = identifier(self.spec.table_name, "new", secrets.token_hex(4))
        staging = build_table(self.spec, name=name, index=extra, staging=True)
        conn.execute(sa.schema.CreateTable(staging))
        dialect = conn.dialect
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote
        names = [*self.columns, ROW]
        self.insert_sql = (f"INSERT INTO {quote(staging.name)} "
                           f"({', '.join(quote(c) for c in names)}) "
                           f"VALUES ({', '.join([mark] * len(names))})")
        self.copy_sql = (f"COPY {quote(staging.name)} ({', '.join(quote(c) for c in names)}) "
                         "FROM STDIN") if dialect.name == "postgresql" else None
        # The driver gets values exactly as SQLAlchemy would have bound them (e.g. the
        # SQLite date format) without SQLAlchemy's per-row statement machinery.
        processors = [staging.c[c].type.dialect_impl(dialect).bind_processor(dialect)
                      for c in self.columns]
        self.processors = [(at, p) for at, p in enumerate(processors) if p is not None]
        self.text_steps = [(at, _text_step(self.spec.columns[c], convert, process, dialect.name))
                           for at, (c, convert, process)
                           in enumerate(zip(self.columns, self.convert, processors))
                           if self.spec.columns[c] != "text"]
        return staging

    def _stream(self, records: Iterator[Record], progress: Progress | None, total: int) -> int:
        chunk: list[tuple[Any, ...]] = []
        done = 0
        for record in records:
            if record.problem is not None:
                self.problems.add(record.problem)
                if record.fatal or self.problems.full:
                    break
                continue
            values = self._check(record)
            done += 1
            if values is not None and not self.problems.items:
                chunk.append(values)
            if len(chunk) >= self.chunk_size:
                self._insert(chunk)
                chunk = []
                if progress:
                    progress(done, max(total, done))
            if self.problems.full:
                break
        if chunk and not self.problems.items:
            self._insert(chunk)
        return done

    def _check(self, record: Record) -> tuple[Any, ...] | None:
        raw = record.values
        if len(raw) != len(self.columns):
            self.problems.add(ImportProblem(record.row, "IMPORT_ROW_LENGTH", line=record.line))
            return None
        try:
            if self.all_text:
                # CSV fast path: every value is a str, so text needs no conversion at all.
                values = [value or None for value in raw]
                for at, step in self.text_steps:
                    if values[at] is not None:
                        values[at] = step(values[at])
            else:
                values = [convert(value) for convert, value in zip(self.convert, raw)]
                for at, process in self.processors:
                    values[at] = process(values[at])
        except ValueError:
            self._report(record)
            return None
        for at in self.key_at:
            if values[at] is None:
                self.problems.add(ImportProblem(record.row, "IMPORT_KEY_EMPTY", self.columns[at],
                                                None, record.line))
                return None
        return self._check_more(record, values)

    def _check_plain(self, record: Record) -> tuple[Any, ...] | None:
        """`_check`, with bytes as the converter gives them (not wrapped for the driver)."""
        values = self._check(record)
        if values is None:
            return None
        return tuple(v.obj if isinstance(v, psycopg.Binary) else v for v in values)

    def _check_more(self, record: Record, values: list[Any]) -> tuple[Any, ...] | None:
        """Required columns filled, text keys that are codes (what staff edits check too)."""
        for at in self.required_at:
            if values[at] is None:
                self.problems.add(ImportProblem(record.row, "IMPORT_REQUIRED_EMPTY", self.columns[at],
                                                None, record.line))
                return None
        for at in self.code_at:
            if not is_code(values[at]):
                self.problems.add(ImportProblem(record.row, "IMPORT_BAD_CODE", self.columns[at],
                                                _shown(values[at]), record.line))
                return None
        values.append(record.row)
        return tuple(values)

    def _report(self, record: Record) -> None:
        """The slow path: name every refused value of a row."""
        for column, convert, value in zip(self.columns, self.convert, record.values):
            try:
                convert(value)
            except ValueError as error:
                self.problems.add(ImportProblem(record.row, str(error), column,
                                                _shown(value), record.line))

    def _insert(self, chunk: list[tuple[Any, ...]]) -> None:
        if self.copy_sql is None:
            self.store.db.run(lambda conn: conn.exec_driver_sql(self.insert_sql, chunk))
        else:
            self.store.db.run(lambda conn: self._copy(conn, chunk))

    def _copy(self, conn: sa.Connection, chunk: list[tuple[Any, ...]]) -> None:
        """PostgreSQL: COPY instead of executemany (several times faster, same values:
        psycopg adapts each Python value as it would a query parameter)."""
        driver = conn.connection.driver_connection
        assert driver is not None and self.copy_sql is not None
        with driver.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
            for values in chunk:
                copy.write_row(values)

    def _index(self, conn: sa.Connection | None = None) -> None:
        """Build the indexes, the unique key first: a repeated key is reported by row.
        With `conn`: in its transaction, each in a savepoint so the report can follow."""
        assert self.staging is not None
        for index in sorted(self.staging.indexes, key=lambda i: not i.unique):
            try:
                if conn is None:
                    self.store.db.run(lambda c, index=index: index.create(c))
                else:
                    with conn.begin_nested():
                        index.create(conn)
            except sa.exc.IntegrityError:
                if conn is None:
                    self.store.db.read(self._report_duplicates)
                else:
                    self._report_duplicates(conn)
                raise ImportFailed(self.problems.items, self.problems.truncated) from None

    def _report_duplicates(self, conn: sa.Connection) -> None:
        """Every row repeating the key of an earlier row, in file order."""
        assert self.staging is not None
        staging = self.staging
        key = [staging.c[k] for k in self.spec.key]
        repeated = (sa.select(*key).group_by(*key).having(sa.func.count() > 1)).subquery()
        query = (sa.select(*key, staging.c[ROW])
                 .join(repeated, sa.and_(*(c == repeated.c[c.name] for c in key)))
                 .order_by(staging.c[ROW]).limit(self.problems.limit * 10))
        found = conn.execute(query).all()
        self.problems.truncated |= len(found) == self.problems.limit * 10
        seen: set[tuple[Any, ...]] = set()
        for *values, row in found:
            if tuple(values) in seen:
                self.problems.add(ImportProblem(int(row), "IMPORT_DUPLICATE_KEY",
                                                ",".join(self.spec.key),
                                                _shown(",".join(str(v) for v in values))))
            seen.add(tuple(values))

    def _swap(self, count: int) -> None:
        self._index()
        self.store.db.run(lambda conn: self._replace_live(conn, count))
        self.staging = None

    def _replace_live(self, conn: sa.Connection, count: int, wait: bool = False) -> None:
        """Drop the live table, rename the staging table to it, count a generation.
        `wait`: for readers of the live table as long as re-runs would have (re-running
        the COPY path's one transaction would read the whole file again)."""
        assert self.staging is not None
        staging, spec = self.staging, self.spec
        registered = conn.execute(sa.select(dataset_tables)
                                  .where(dataset_tables.c.name == spec.name)).first()
        if registered is None or registered.signature != spec.signature:
            raise StoreError("IMPORT_DATASET_CHANGED", dataset=spec.name)
        if wait:
            settings = self.store.db.settings
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int((settings.busy_timeout + settings.retry_for) * 1000)}")
        if sa.inspect(conn).has_table(spec.table_name):
            conn.execute(sa.text(f'DROP TABLE "{spec.table_name}"'))
        conn.execute(sa.text(f'ALTER TABLE "{staging.name}" RENAME TO "{spec.table_name}"'))
        self.store._register(conn, spec, int(registered.generation) + 1, count)

    def _drop_staging(self) -> None:
        if self.staging is not None:
            staging = self.staging
            self.store.db.run(lambda conn: staging.drop(conn, checkfirst=True))
            self.staging = None


def _text_step(column_type: str, convert: Callable[[Any], Any],
               process: Callable[[Any], Any] | None, dialect: str) -> Callable[[str], Any]:
    """Non-empty string → the value the driver gets, in one call."""
    if column_type == "date" and dialect == "sqlite":
        def sqlite_date(value: str) -> Any:
            # SQLite keeps dates as 'YYYY-MM-DD' text: a canonical value passes through.
            if len(value) == 10 and value[4] == "-" and value[7] == "-":
                date.fromisoformat(value)
                return value
            return process(convert(value)) if process else convert(value)
        return sqlite_date
    if process is None:
        return convert
    return lambda value: process(convert(value))


def _shown(value: Any) -> str | None:
    """A short printable form of a refused value for the problem report."""
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def load_demo(store: Any, datasets: Mapping[str, DatasetLike], data_root: str | Path,
              progress: Callable[[str, int, int], None] | None = None,
              demo_application: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Import every dataset from its declared `file` (relative to `data_root`, the flow
    file's folder). The `applications` dataset's rows become applications only when
    `demo_application` supplies the other fields (flow_id, flow_version, flow_digest,
    status, numbering, and `unique`: the identity fields); otherwise it is skipped. Each row's
    values are kept as the application's searchable values. Returns dataset → outcome."""
    root = Path(data_root)
    outcome: dict[str, str] = {}
    for name, dataset in datasets.items():
        file = getattr(dataset, "file", None)
        if not file:
            outcome[name] = "no_file"
            continue
        path = root / file
        if name == APPLICATIONS:
            outcome[name] = _demo_applications(store, path, demo_application)
            continue
        report = import_file(store, datasets, name, path,
                             None if progress is None else (lambda d, t, n=name: progress(n, d, t)))
        outcome[name] = f"imported:{report.rows}"
    return outcome


def _demo_applications(store: Any, path: Path, defaults: Mapping[str, Any] | None) -> str:
    if defaults is None:
        return "skipped"
    with path.open(encoding="utf-8") as stream:
        rows = yaml.safe_load(stream) or []
    created = 0
    fields = dict(defaults)
    unique = fields.pop("unique")
    for row in rows:
        key = identity_key([str(row[f]) for f in unique])
        if store.find_application(identity_key=key) is not None:
            continue
        store.create_application(identity_key=key, values=row,
                                 **{"answers": {}, "password": secrets.token_urlsafe(16), **fields})
        created += 1
    return f"created:{created}"
