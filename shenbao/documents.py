"""The application form of one application: its values, its files, and the cache by version.

Application layer between the store and the engine; the renderers draw, handed in as
`Printer`s by the composition root (renderers/pdf/printers.py). `document_names`
gathers what the compiled document's expressions read (the decoded answers, the lookups over
the store, the status text, the application number, the kept photo); `choice_texts` the
option texts; `Documents` draws the
view as PDF or HTML and keeps the bytes in the store's `documents` table under a version
key, so a download serves stored bytes and each version is drawn once, ideally ahead of
the click by `shenbao worker` from the queue of changed applications (shenbao/worker.py), or
for every stale form at once by `shenbao document --warm` (after a change of layout or fonts).

The version key is `<row_version>:<flow digest>:<build>`; the build hash covers what else
shapes the file: the renderer's code and templates, fpdf2's version, the catalogue texts a
document can show, and the generation of every dataset that supplies an option or a
row the document reads. Output is deterministic per key (the generation date is the day of
the application's last change). Must not know HTTP, nor import a renderer; holds no
user-facing text.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time as clock_time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Callable, Mapping, Protocol

from collections import ChainMap

from engine import FIELD_TYPES, Context, DocumentView, Flow, answers_from_json, resolve_document
from shenbao.catalog import Catalog
from shenbao import uploads
from shenbao.wording import Wording
from store import Application, Store, StoreBusy
from store import documents as stored

log = logging.getLogger("shenbao.documents")

Now = Callable[[], datetime]
# Catalogue texts a document can show: its own, field labels, static options, statuses.
TEXT_PREFIXES = ("document.", "field.", "option.", "status.")
LEASE = timedelta(minutes=2)


class DocumentUnavailable(RuntimeError):
    """The file cannot be made on this machine (e.g. the CJK font is not installed)."""


class Printer(Protocol):
    """One format a document prints in (renderers/pdf/printers.py provides "pdf" and "html")."""
    media_type: str
    layout: str  # what it draws with (code, templates, fonts): a change re-draws every document

    def draw(self, view: DocumentView) -> bytes:
        """The file; raises DocumentUnavailable when it cannot be made on this machine."""
        ...


@dataclass(frozen=True)
class Rendered:
    content: bytes
    media_type: str
    filename: str  # the catalogue's download.filename, e.g. <title>-TR2027000001.pdf
    ascii_filename: str  # for clients that ignore RFC 5987's filename*
    version_key: str
    cached: bool


# ---- the values the engine resolves -------------------------------------------------------

def document_names(flow: Flow, app: Application, store: Store, catalog: Catalog, tz: tzinfo,
                   photo: bytes | None = None) -> Mapping[str, Any]:
    """What a document's expressions read: the answers, the lookups (over the store, at the moment
    of the application's last change) and engine.DOCUMENT_NAMES; `photo` is the kept photo, the
    value of the flow's photo field."""
    answers = uploads.with_data(flow, store, answers_from_json(flow, app.answers))
    if photo is not None:
        answers.update({f.id: photo for f in flow.fields.values() if f.type in PHOTO_TYPES})
    status = flow.statuses.get(app.status)
    moment = app.updated_at.astimezone(tz).replace(tzinfo=None)
    extra = {"application_no": app.application_no, "flow_version": app.flow_version,
             "status": catalog.text(status.message) if status else app.status, "generated_on": changed_on(app, tz)}
    return names_of(flow, store, moment, answers, extra)


def names_of(flow: Flow, source: Any, moment: datetime, answers: Mapping[str, Any],
             extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """The answers and lookups at `moment` (an engine Context) with the document's own names."""
    return ChainMap(dict(extra), Context(flow, source, moment, answers))  # type: ignore[arg-type]


# Field types whose value is shown, not typed, and is a photo (the kept photo is theirs).
PHOTO_TYPES = frozenset(name for name, kind in FIELD_TYPES.items() if kind.kind == "image" and kind.shows_value)


def changed_on(app: Application, tz: tzinfo) -> date:
    """The day (on the flow's wall clock) of the application's last change."""
    return app.updated_at.astimezone(tz).date()


def choice_texts(flow: Flow, store: Store, catalog: Catalog, answers: Mapping[str, Any],
                 now: datetime) -> Callable[[str, Any], str | None]:
    """`choice_text(field_id, answer)` for resolve_document: the chosen options' labels in the
    field's option order, as the web's read-only fields show them (Wording.chosen_text).
    Static options are read through the catalogue, dataset options as the engine lists them for
    these answers (filters applied); a value not listed there is read from its one row, else
    shown as it is."""
    context = Context(flow, store, now, answers)
    wording = Wording(flow, catalog)
    separator = catalog.text("document.separator")
    tables: dict[str, dict[str, str]] = {}

    def choice_text(field_id: str, answer: Any) -> str | None:
        fld = flow.fields.get(field_id)
        if fld is None or fld.options is None:
            return None
        if field_id not in tables:
            tables[field_id] = wording.option_labels(context.options(fld))
        labels = tables[field_id]
        spec = fld.options
        unlisted = [v for v in (answer if isinstance(answer, (list, tuple)) else [answer])
                    if v is not None and str(v) not in labels]
        if unlisted and spec.dataset and spec.value and spec.label:
            labels = dict(labels)
            for code in unlisted:
                rows = store.rows(spec.dataset, {spec.value: code})
                if len(rows) == 1:
                    labels[str(code)] = str(rows[0][spec.label])
        return wording.chosen_text(answer, labels, separator)

    return choice_text


# ---- the build part of the version key ------------------------------------------------------

def text_digest(catalog: Catalog) -> str:
    digest = hashlib.sha256()
    for key in sorted(k for k in catalog.messages if k.startswith(TEXT_PREFIXES)):
        digest.update(f"{key}\0{catalog.messages[key]}\0".encode())
    return digest.hexdigest()


def row_datasets(flow: Flow) -> list[str]:
    """Datasets whose rows can appear on the form: every choice field's option source."""
    return sorted({f.options.dataset for f in flow.fields.values() if f.options is not None and f.options.dataset})


# ---- the service ------------------------------------------------------------------------

class Documents:
    """One flow's declared document for the applications of one store."""

    def __init__(self, flow: Flow, store: Store, catalog: Catalog, tz: tzinfo, printers: Mapping[str, Printer],
                 document_id: str | None = None, ttl: float | None = None):
        if not flow.documents:
            raise ValueError(f"flow '{flow.id}' declares no documents")
        self.flow, self.store, self.catalog, self.tz = flow, store, catalog, tz
        self.flow_of: Callable[[str], Flow] | None = None  # an application's own flow version, when known
        # the texts in use now for a version (a published text fix needs no restart), when known
        self.catalog_for: Callable[[Flow], Catalog] | None = None
        self.printers = dict(printers)
        self.document_id = document_id or next(iter(flow.documents))
        declared = flow.documents[self.document_id]
        self.formats: tuple[str, ...] = tuple(f for f in declared.formats if f in self.printers)
        self.datasets = row_datasets(flow)
        self.ttl = store.cache_ttl if ttl is None else ttl
        self._layouts = "|".join(f"{f}={self.printers[f].layout}" for f in self.formats)
        self._fixed_for: tuple[Catalog, str] | None = None  # (the catalogue, layouts and its texts hashed)
        self._lock = threading.Lock()
        self._build: tuple[float, str, dict[str, int]] | None = None

    # -- names --------------------------------------------------------------------------
    def texts(self, flow: Flow | None = None) -> Catalog:
        """The catalogue to word this version's form with (the live version's by default), with
        the product texts the version replaces (`flow.texts`)."""
        flow = flow or self.flow
        return (self.catalog_for(flow) if self.catalog_for is not None else self.catalog).for_flow(flow)

    def version(self, app: Application) -> Flow:
        """The flow version the application's form is drawn with: the one it was made under, when
        known and it declares this document, else the service's."""
        flow = self.flow_of(app.flow_digest) if self.flow_of is not None else self.flow
        return flow if self.document_id in flow.documents else self.flow

    def title(self, app: Application | None = None) -> str:
        """The form's title: of the application's own version (its file is that version's form)."""
        flow = self.flow if app is None else self.version(app)
        return self.texts(flow).text(flow.documents[self.document_id].title)

    def filenames(self, app: Application, fmt: str) -> tuple[str, str]:
        """(the Chinese file name, an ASCII one) from the catalogue, named by the application's version."""
        texts = self.texts(self.version(app))
        params = {"title": self.title(app), "application_no": app.application_no, "ext": fmt}
        return texts.text("download.filename", **params), texts.text("download.filename_ascii", **params)

    # -- drawing ------------------------------------------------------------------------
    def view(self, app: Application) -> DocumentView:
        """The application's form as laid out by the flow version it was made under."""
        flow = self.version(app)
        photo = self.store.get_application_photo(app.id)
        catalog = self.texts(flow)
        names = document_names(flow, app, self.store, catalog, self.tz, photo)
        moment = app.updated_at.astimezone(self.tz).replace(tzinfo=None)
        labels = choice_texts(flow, self.store, catalog, answers_from_json(flow, app.answers), moment)
        return resolve_document(flow.documents[self.document_id], names, catalog.text, labels)

    def render(self, app: Application, fmt: str) -> bytes:
        """The file, drawn now (no cache)."""
        if fmt not in self.formats:
            raise ValueError(f"document '{self.document_id}' has no format '{fmt}' (declared: {list(self.formats)})")
        return self.printers[fmt].draw(self.view(app))

    # -- versions -----------------------------------------------------------------------
    def key_suffix(self) -> str:
        """Everything of the version key after the row_version (starts with ':')."""
        return f":{self.flow.digest[:16]}:{self._build_hash()}"

    def version_key(self, app: Application) -> str:
        return f"{app.row_version}{self.key_suffix()}"

    def _fixed(self) -> str:
        """The layouts and the texts a document can show: a published text fix re-draws the forms."""
        catalog = self.texts()
        if self._fixed_for is None or self._fixed_for[0] is not catalog:
            fixed = f"{self._layouts}|{text_digest(catalog)}"
            self._fixed_for = (catalog, hashlib.sha256(fixed.encode()).hexdigest())
        return self._fixed_for[1]

    def _build_hash(self) -> str:
        """The fixed part plus the datasets' generations, re-read at most every `ttl` s.
        A changed dataset is dropped from the store's row cache too, so a file made for
        the new generation is drawn from the new rows."""
        with self._lock:
            now = clock_time.monotonic()
            if self._build is not None and now - self._build[0] < self.ttl:
                return self._build[1]
            generations = stored.generations(self.store, self.datasets)
            if self._build is not None:
                for name, generation in generations.items():
                    if self._build[2].get(name) != generation:
                        self.store.invalidate(name)
            parts = ",".join(f"{n}={g}" for n, g in sorted(generations.items()))
            value = hashlib.sha256(f"{self._fixed()}|{parts}".encode()).hexdigest()[:16]
            self._build = (now, value, generations)
            return value

    # -- the cache ----------------------------------------------------------------------
    def fetch(self, app: Application, fmt: str, now: Now) -> Rendered:
        """The stored file when it was made for this version, else drawn now and stored."""
        key = self.version_key(app)
        media = self.printers[fmt].media_type
        names = self.filenames(app, fmt)
        found = stored.get(self.store, app.id, fmt, key)
        if found is not None:
            return Rendered(found.content, found.media_type or media, *names, key, True)
        content = self.render(app, fmt)
        try:
            stored.put(self.store, app.id, fmt, key, content, media, now())
        except StoreBusy:  # the applicant still gets the file; the warmer stores it later
            log.warning("store busy: document of application %s not stored", app.id)
        return Rendered(content, media, *names, key, False)

    def make(self, application_id: int, fmt: str, now: Now) -> bool:
        """Draw and store one document unless it is current or someone else is on it."""
        app = self.store.get_application(application_id)
        if app is None:
            return False
        key = self.version_key(app)
        if not stored.claim(self.store, app.id, fmt, key, now(), LEASE):
            return False
        content = self.render(app, fmt)
        return stored.put(self.store, app.id, fmt, key, content, self.printers[fmt].media_type, now())

    def warm(self, now: Now, limit: int | None = None, batch: int = 20,
             stop: Callable[[], bool] = lambda: False) -> int:
        """Make stale documents, newest change first; returns how many were made."""
        made = 0
        for fmt in self.formats:
            while not stop():
                ids = stored.stale(self.store, fmt, self.key_suffix(), now(), batch)
                progress = False
                for application_id in ids:
                    if stop() or (limit is not None and made >= limit):
                        return made
                    if self.make_quietly(application_id, fmt, now):
                        made += 1
                        progress = True
                if not progress:
                    break
        return made

    def make_quietly(self, application_id: int, fmt: str, now: Now) -> bool:
        try:
            return self.make(application_id, fmt, now)
        except StoreBusy:
            log.warning("store busy while making the %s of application %s", fmt, application_id)
        except Exception:  # one broken application must not stop the others (its lease expires)
            log.exception("could not make the %s of application %s", fmt, application_id)
        return False

    def stale_counts(self) -> dict[str, int]:
        suffix = self.key_suffix()
        return {fmt: stored.count_stale(self.store, fmt, suffix) for fmt in self.formats}


class Warmer(threading.Thread):
    """Makes stale documents in the background: now, every `interval` seconds, and at once
    for an application named with `nudge` (e.g. just submitted or changed)."""

    def __init__(self, documents: Documents, now: Now, interval: float = 30.0):
        super().__init__(name="shenbao-documents", daemon=True)
        self.documents, self.now, self.interval = documents, now, interval
        self._wake = threading.Event()
        self._halt = threading.Event()
        self._urgent: list[int] = []
        self._urgent_lock = threading.Lock()
        self.made = 0

    def start(self) -> None:
        _warmers[id(self.documents.store)] = self
        super().start()

    def nudge(self, application_id: int | None = None) -> None:
        if application_id is not None:
            with self._urgent_lock:
                self._urgent.append(application_id)
        self._wake.set()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._halt.set()
        self._wake.set()
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        while not self._halt.is_set():
            self._wake.clear()
            try:
                self.round()
            except Exception:  # keep the thread alive: the next round may succeed
                log.exception("document warmer round failed")
            self._wake.wait(self.interval)

    def round(self) -> None:
        with self._urgent_lock:
            urgent, self._urgent = self._urgent, []
        for application_id in dict.fromkeys(urgent):
            for fmt in self.documents.formats:
                if not self._halt.is_set() and self.documents.make_quietly(application_id, fmt, self.now):
                    self.made += 1
        self.made += self.documents.warm(self.now, stop=lambda: self._halt.is_set() or bool(self._urgent))


_warmers: dict[int, Warmer] = {}  # id(store) → this process's warmer for that store


def changed(store: Store, application_id: int) -> None:
    """An application was submitted or changed: make its documents now, in the background
    (a no-op where no warmer runs; the download then draws them on the first click)."""
    warmer = _warmers.get(id(store))
    if warmer is not None and warmer.is_alive():
        warmer.nudge(application_id)
