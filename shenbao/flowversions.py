"""The flow versions a running service knows: the live one, and every older published one that a
draft or an application was started under.

`FlowVersions.live()` is the latest version published with `shenbao publish` (looked up in the
store at most every REFRESH seconds, so a running service picks up a new version without a
restart); `of(digest)` is the version with that digest, parsed from its stored text once and
kept. The flow file a service starts with is published as the first version when none is.
Applications and drafts keep the digest they were made under; nothing is moved to a newer version
behind anybody's back.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable

from engine import Flow, FlowError, load_flow
from store import flow_versions

from .catalog import load_catalog
from .flows import load_schemas

REFRESH = 10.0  # seconds between looks at the store for a newly published version


def parse_version(text: str, filename: str) -> Flow:
    """A stored version's text as a Flow (its dataset files were checked when it was published). A
    version published before documents were expressions is read with its dotted paths translated."""
    return load_flow(text, filename, load_schemas(), load_catalog().messages.keys(), legacy=True)


class FlowVersions:
    def __init__(self, store: Any, started: Flow, text: str, clock: Callable[[], float] = time.monotonic):
        self.store, self.clock, self.refresh = store, clock, REFRESH
        self._lock = threading.Lock()
        self._known: dict[str, Flow] = {started.digest: started}
        self._filename = started.filename
        published = flow_versions.live(store, started.id)
        if published is None:
            flow_versions.publish(store, flow_id=started.id, version=started.version, digest=started.digest,
                                  text=text, at=datetime.now(timezone.utc))
            self._live = started
        else:
            self._live = self.of(published.digest) or started
        self._looked = clock()

    def live(self) -> Flow:
        if self.clock() - self._looked < self.refresh:
            return self._live
        with self._lock:
            self._looked = self.clock()
            published = flow_versions.live(self.store, self._live.id)
            if published is not None and published.digest != self._live.digest:
                self._live = self.of(published.digest) or self._live
        return self._live

    def of(self, digest: str | None) -> Flow | None:
        """The flow version with this digest, or None when it was never published here."""
        if digest is None:
            return None
        if digest in self._known:
            return self._known[digest]
        stored = flow_versions.by_digest(self.store, digest)
        if stored is None:
            return None
        try:
            flow = parse_version(stored.text, self._filename)
        except FlowError:
            return None  # published under other code that read it differently: treat as unknown
        self._known[digest] = flow
        return flow
