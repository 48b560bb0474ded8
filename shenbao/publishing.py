"""Publishing a flow version: compare with the live one, refuse what would hurt, record the rest.

`publish(store, flow, text, catalog, now)` returns (exit code, lines to print). A flow that
means the same as the live version (a comment edit) records nothing; a change that touches
drafts or applications is refused unless its version name (`flow.version`) changed; anything
else becomes the live version, which running services pick up (shenbao.flowversions). Drafts
and applications keep the version they were started under.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from engine import Flow
from store import flow_versions

from .catalog import Catalog
from .flowdiff import compare
from .flowversions import parse_version


def publish(store: Any, flow: Flow, text: str, catalog: Catalog, now: datetime) -> tuple[int, list[str]]:
    live = flow_versions.live(store, flow.id)
    if live is not None and live.digest == flow.digest:
        return 0, [catalog.text("publish.unchanged", version=live.version)]
    lines = []
    if live is None:
        lines.append(catalog.text("publish.first", flow=flow.id, version=flow.version))
    else:
        report = compare(parse_version(live.text, flow.filename), flow, catalog, store)
        lines += report.text(catalog)
        if report.refused:
            return 1, lines + [catalog.text("publish.refused", reason=catalog.text("diff.breaking_same_version"))]
    flow_versions.publish(store, flow_id=flow.id, version=flow.version, digest=flow.digest, text=text, at=now)
    return 0, lines + [catalog.text("publish.done", flow=flow.id, version=flow.version, digest=flow.digest[:12])]
