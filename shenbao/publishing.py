"""Publishing a flow version: compare with the live one, refuse what would hurt, record the rest.

`publish(store, flow, text, catalog, now)` returns (exit code, lines to print). `catalog` is the
message catalogue in use: it is recorded with the version (each catalogue once, by digest), and
its texts are compared with those the live version was published with. A flow and texts that mean
the same as the live version (a comment edit) record nothing; a change that touches drafts or
applications is refused unless its version name (`flow.version`) changed; anything else becomes
live, which running services pick up (shenbao.flowversions). Drafts and applications keep the
version they were started under.

A text fix alone (the flow unchanged, only texts of the catalogue) is always safe: it becomes the
live version's catalogue without a new flow version, so it reaches every applicant from the next
look at the store on, drafts and applications stay where they are, and the catalogue it replaces
stays stored.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from engine import Flow
from store import flow_versions

from .catalog import Catalog
from .flowdiff import against_live


def publish(store: Any, flow: Flow, text: str, catalog: Catalog, now: datetime) -> tuple[int, list[str]]:
    messages = dict(catalog.messages)
    live = flow_versions.live(store, flow.id)
    if live is None:
        flow_versions.publish(store, flow_id=flow.id, version=flow.version, digest=flow.digest, text=text, at=now,
                              messages=messages)
        return 0, [catalog.text("publish.first", flow=flow.id, version=flow.version), _done(catalog, flow)]
    same_flow = live.digest == flow.digest
    if same_flow and live.catalogue == flow_versions.catalogue_digest(messages):
        return 0, [catalog.text("publish.unchanged", version=live.version)]
    report = against_live(store, flow, catalog, messages)
    assert report is not None  # a version is live (above)
    lines = report.text(catalog)
    if report.refused:
        return 1, lines + [catalog.text("publish.refused", reason=catalog.text("diff.breaking_same_version"))]
    if same_flow:
        flow_versions.set_catalogue(store, flow.digest, messages, now)
        return 0, lines + [catalog.text("publish.texts_done", flow=flow.id, version=flow.version)]
    flow_versions.publish(store, flow_id=flow.id, version=flow.version, digest=flow.digest, text=text, at=now,
                          messages=messages)
    return 0, lines + [_done(catalog, flow)]


def _done(catalog: Catalog, flow: Flow) -> str:
    return catalog.text("publish.done", flow=flow.id, version=flow.version, digest=flow.digest[:12])
