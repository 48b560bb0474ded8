"""What a flow change means for people, in their words: `shenbao diff` and `shenbao publish` use it,
and so may any other view of two versions side by side.

`compare(old, new, catalog, store=None, messages=None)` returns a `Report`: the engine's changes (engine.diff),
each with its sentence from the catalogue (`diff.<code>`, labels resolved), its impact word, and
with a store the number of drafts and applications it touches; plus the verdict: a change that
touches drafts or applications needs a new version name (`flow.version`), because drafts and
applications keep the version they were started under. With `messages=(old, new)` (two catalogues,
key → text) the message texts added, removed or changed follow, each safe, the text cut to a line.
`against_live(store, new, catalog, messages)` compares with the version live in the store, and the
texts with the catalogue that version was published with; a version published before catalogues
were recorded says so (`texts_unrecorded`) rather than reporting no text changed.
Reads the store, writes nothing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Mapping

from engine import SAFE, SUBMITTED, Change, Flow, diff_flows, diff_messages, worst
from store import flow_versions

from .catalog import Catalog
from .flowversions import parse_version


@dataclass(frozen=True)
class Line:
    change: Change
    text: str                        # the sentence for policy staff
    impact: str                      # the impact in words (安全 / 影响未提交的草稿 / 影响已提交的申请)
    drafts: int | None = None        # with a store: drafts started under the old version
    applications: int | None = None  # with a store: applications it touches


@dataclass(frozen=True)
class Report:
    old: Flow
    new: Flow
    lines: tuple[Line, ...]
    texts_unrecorded: bool = False   # the old version's catalogue is unknown: its texts were not compared

    @property
    def breaking(self) -> bool:
        return any(line.change.breaking for line in self.lines)

    @property
    def bumped(self) -> bool:
        return self.old.version != self.new.version

    @property
    def refused(self) -> bool:
        """A change that touches drafts or applications under an unchanged version name."""
        return self.breaking and not self.bumped

    @property
    def impact(self) -> str:
        return worst(line.change for line in self.lines)

    def text(self, catalog: Catalog) -> list[str]:
        """The whole report as lines, as `shenbao diff` prints it."""
        unrecorded = [catalog.text("diff.messages_unrecorded", version=self.old.version)] \
            if self.texts_unrecorded else []
        if not self.lines:
            return [catalog.text("diff.none_in_flow" if unrecorded else "diff.none")] + unrecorded
        out = [catalog.text("diff.header", flow=self.new.id, old=self.old.version, new=self.new.version,
                            count=len(self.lines))]
        for line in self.lines:
            out.append(f"[{line.impact}] {line.text}")
            if line.drafts is not None and line.change.breaking:
                out.append(catalog.text("diff.counts", drafts=line.drafts, applications=line.applications))
        if self.breaking:
            out.append(catalog.text("diff.breaking_bumped" if self.bumped else "diff.breaking_same_version"))
        return out + unrecorded


TEXT_SHOWN = 40  # characters of a message text shown in a diff line


def compare(old: Flow, new: Flow, catalog: Catalog, store: Any = None,
            messages: tuple[Mapping[str, str], Mapping[str, str]] | None = None) -> Report:
    changes = diff_flows(old, new) + (diff_messages(*messages) if messages is not None else [])
    counts = _Counts(store, old) if store is not None else None
    lines = []
    for change in changes:
        drafts, apps = counts.of(change) if counts is not None else (None, None)
        params = {k: _short(v) if change.code.startswith("message_") and k != "message" else v
                  for k, v in change.params.items()}
        lines.append(Line(change, catalog.text(f"diff.{change.code}", **params),
                          catalog.text(f"diff.impact.{change.impact}"), drafts, apps))
    return Report(old, new, tuple(lines))


def against_live(store: Any, new: Flow, catalog: Catalog, messages: Mapping[str, str] | None = None,
                 old_messages: Mapping[str, str] | None = None) -> Report | None:
    """`new` against the version live in the store (None when none is); with `messages` (new's
    catalogue) its texts against `old_messages`, by default the catalogue the live version was
    published with. Worded with `catalog`, plus the old texts of keys it no longer has."""
    live = flow_versions.live(store, new.id)
    if live is None:
        return None
    if old_messages is None:
        old_messages = flow_versions.stored_messages(store, live.catalogue)
    wording = Catalog(catalog.lang, {**(old_messages or {}), **catalog.messages})
    texts = (old_messages, messages) if old_messages is not None and messages is not None else None
    report = compare(parse_version(live.text, new.filename), new, wording, store, texts)
    return replace(report, texts_unrecorded=messages is not None and old_messages is None)


class _Counts:
    """How many drafts and applications made under `old` a change touches."""

    def __init__(self, store: Any, old: Flow):
        finished = {s.id for s in old.steps if s.kind == "summary"}  # a draft at the end was submitted
        self.drafts = sum(n for (digest, step), n in flow_versions.draft_digests(store).items()
                          if digest == old.digest and step not in finished)
        self.apps = [(status, answers) for digest, status, answers in
                     flow_versions.application_digests(store, old.id) if digest == old.digest]
        self.by_status = Counter(status for status, _ in self.apps)

    def of(self, change: Change) -> tuple[int, int]:
        if change.impact == SAFE:
            return 0, 0
        drafts = self.drafts
        if change.impact != SUBMITTED:
            return drafts, 0
        if change.status is not None:
            return 0, self.by_status.get(change.status, 0)
        if change.option is not None and change.field is not None:
            return drafts, sum(1 for _, answers in self.apps if _holds(answers.get(change.field), change.option))
        return drafts, len(self.apps)


def _short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= TEXT_SHOWN else one[:TEXT_SHOWN] + "…"


def _holds(answer: Any, value: Any) -> bool:
    return value in answer if isinstance(answer, list) else answer == value
