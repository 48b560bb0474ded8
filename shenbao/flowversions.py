"""The flow versions a running service knows: the live one, and every older published one that a
draft or an application was started under, each with the texts to word it.

`FlowVersions.live()` is the latest version published with `shenbao publish` (looked up in the
store at most every REFRESH seconds, so a running service picks up a new version without a
restart); `of(digest)` is the version with that digest, parsed from its stored text once and
kept. The flow file a service starts with is published as the first version when none is, with
the catalogue the service starts with. Applications and drafts keep the digest they were made
under; nothing is moved to a newer version behind anybody's back.

`catalog_for(flow)` is the catalogue to word a version with: the live version's catalogue (so a
text fix published alone reaches every page at the same look at the store), then, for the keys
it lacks, the catalogue that version was published with (an older version's removed status
keeps its text), then the catalogue the service started with (texts the code needs that no
published catalogue has yet). A version published before catalogues were recorded has none of
its own; the others still apply.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from engine import Flow, FlowError, load_flow
from store import flow_versions

from .catalog import Catalog, load_catalog
from .flows import load_schemas

REFRESH = 10.0  # seconds between looks at the store for a newly published version


def parse_version(text: str, filename: str, messages: Iterable[str] = ()) -> Flow:
    """A stored version's text as a Flow (its dataset files were checked when it was published). A
    version published before documents were expressions is read with its dotted paths translated.
    `messages`: the keys of the catalogue it was published with, besides those of the locale file
    (a version may bring a label of its own that the running service's file does not have yet)."""
    return load_flow(text, filename, load_schemas(), {*load_catalog().messages.keys(), *messages}, legacy=True)


class FlowVersions:
    def __init__(self, store: Any, started: Flow, text: str, clock: Callable[[], float] = time.monotonic,
                 catalog: Catalog | None = None):
        self.store, self.clock, self.refresh = store, clock, REFRESH
        self.started_catalog = catalog or load_catalog()
        self._lock = threading.Lock()
        self._known: dict[str, Flow] = {started.digest: started}
        self._unreadable: set[str] = set()                  # stored versions this code cannot read
        self._catalogues: dict[str, str | None] = {}        # flow digest → its catalogue's digest
        self._stored: dict[str, dict[str, str]] = {}        # catalogue digest → its texts
        self._worded: dict[tuple[str | None, str | None], Catalog] = {}
        self._filename = started.filename
        published = flow_versions.live(store, started.id)
        if published is None:
            flow_versions.publish(store, flow_id=started.id, version=started.version, digest=started.digest,
                                  text=text, at=datetime.now(timezone.utc),
                                  messages=dict(self.started_catalog.messages))
            published = flow_versions.live(store, started.id)
        self._live = (self.of(published.digest) if published is not None else None) or started
        self._live_catalogue = self._follow(published)
        self._looked = clock()

    def live(self) -> Flow:
        if self.clock() - self._looked < self.refresh:
            return self._live
        with self._lock:
            self._looked = self.clock()
            published = flow_versions.live(self.store, self._live.id)
            if published is not None and published.digest != self._live.digest:
                self._live = self.of(published.digest) or self._live
            if published is not None and published.digest == self._live.digest:
                catalogue = self._follow(published)
                if catalogue != self._live_catalogue:
                    self._live_catalogue, self._worded = catalogue, {}
        return self._live

    def _follow(self, published: flow_versions.FlowVersion | None) -> str | None:
        """The live version's catalogue digest (a text fix changes it without a new flow version)."""
        if published is None:
            return None
        self._catalogues[published.digest] = published.catalogue
        return published.catalogue

    def of(self, digest: str | None) -> Flow | None:
        """The flow version with this digest, or None when it was never published here."""
        if digest is None:
            return None
        if digest in self._known:
            return self._known[digest]
        if digest in self._unreadable:
            return None
        stored = flow_versions.by_digest(self.store, digest)
        if stored is None:
            return None
        try:
            flow = parse_version(stored.text, self._filename, self._texts(stored.catalogue).keys())
        except FlowError:
            # Published under other code that read it differently: treat as unknown, and
            # remember it, or every page of its applications would read and check it again.
            self._unreadable.add(digest)
            return None
        self._catalogues.setdefault(digest, stored.catalogue)
        self._known[digest] = flow
        return flow

    def catalog_for(self, flow: Flow | None = None) -> Catalog:
        """The texts for pages of this version (the live one by default); see the module's doc."""
        live = self.live()
        own = self._catalogue_of(flow.digest) if flow is not None and flow.digest != live.digest else None
        key = (self._live_catalogue, own)
        found = self._worded.get(key)
        if found is None:
            messages = {**self.started_catalog.messages, **self._texts(own), **self._texts(self._live_catalogue)}
            found = self._worded[key] = Catalog(self.started_catalog.lang, messages)
        return found

    def _catalogue_of(self, digest: str) -> str | None:
        if digest not in self._catalogues:
            stored = flow_versions.by_digest(self.store, digest)
            self._catalogues[digest] = stored.catalogue if stored is not None else None
        return self._catalogues[digest]

    def _texts(self, catalogue: str | None) -> dict[str, str]:
        if catalogue is None:
            return {}
        if catalogue not in self._stored:
            self._stored[catalogue] = flow_versions.stored_messages(self.store, catalogue) or {}
        return self._stored[catalogue]
