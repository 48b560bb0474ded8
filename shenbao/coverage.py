"""Branch coverage of a flow by scenario runs: which steps, gate outcomes, warning choices,
lookup outcomes, statuses and staff transitions the scenarios exercised, and which none did.

The catalogue of branches is read from the built flow (so a new gate or transition is a new
branch without any code); a player records what its runs did with `hit`. Renderer-free: the
console and the web player feed the same `Coverage`, reports are plain text lines and JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from engine import MIN_READ_GATE, Context, Flow

# kinds in report order, each with its outcomes
KINDS = ("step", "gate", "warning", "lookup", "status", "transition")
PLURAL = {"step": "steps", "gate": "gates", "warning": "warnings", "lookup": "lookups", "status": "statuses",
          "transition": "transitions"}


@dataclass(frozen=True, order=True)
class Branch:
    kind: str
    name: str      # step id, 'step.gate', 'field:warning', lookup id, status id, 'from→to'
    outcome: str = ""  # pass/fail, fix/continue, found/not_found, a role for transitions

    def __str__(self) -> str:
        return f"{self.kind} {self.name}" + (f" [{self.outcome}]" if self.outcome else "")


def branches(flow: Flow) -> list[Branch]:
    """Every branch of the flow a scenario can exercise."""
    found: list[Branch] = []
    for step in flow.steps:
        found.append(Branch("step", step.id))
    for step in flow.steps:
        gates = ([MIN_READ_GATE] if step.min_read_seconds else []) + [g.id for g in step.gates]
        found += [Branch("gate", f"{step.id}.{g}", o) for g in gates for o in ("pass", "fail")]
    for step in flow.steps:
        for fld in step.fields:
            found += [Branch("warning", f"{fld.id}:{w}", o) for w in fld.warnings for o in ("fix", "continue")]
    found += [Branch("lookup", lk.id, o) for lk in flow.lookups for o in ("found", "not_found")]
    found += [Branch("status", s) for s in flow.statuses]
    for status in flow.statuses.values():
        found += [Branch("transition", f"{status.id}→{t.to}", role)
                  for t in status.transitions for role in sorted(t.roles)]
    return found


@dataclass
class Coverage:
    flow: Flow
    hits: dict[Branch, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.known = branches(self.flow)
        self._known = set(self.known)

    def hit(self, kind: str, name: str, outcome: str = "") -> None:
        branch = Branch(kind, name, outcome)
        if branch in self._known:
            self.hits[branch] = self.hits.get(branch, 0) + 1

    # -- recording helpers, shared by every player ----------------------------------------
    def gates(self, step_id: str, failed: Iterable[str], advanced: bool) -> None:
        """Gates run in order and stop at the first failure: those before it passed."""
        step = self.flow.step(step_id)
        order = ([MIN_READ_GATE] if step.min_read_seconds else []) + [g.id for g in step.gates]
        failed = list(failed)
        if advanced:
            for gate in order:
                self.hit("gate", f"{step_id}.{gate}", "pass")
            return
        for gate in failed:
            if gate not in order:
                self.rechecked(gate)  # a `recheck: submit` gate of an earlier step, failing at submission
                continue
            for earlier in order[:order.index(gate)]:
                self.hit("gate", f"{step_id}.{earlier}", "pass")
            self.hit("gate", f"{step_id}.{gate}", "fail")

    def rechecked(self, gate_id: str) -> None:
        owner = next((s for s in self.flow.steps if any(g.id == gate_id and g.recheck for g in s.gates)), None)
        if owner is not None:
            self.hit("gate", f"{owner.id}.{gate_id}", "fail")

    def lookups(self, ctx: Context) -> None:
        """Each lookup whose inputs are all answered: did it find rows?"""
        for lookup in self.flow.lookups:
            match = [expr.evaluate(ctx, f"lookup {lookup.id}") for expr in lookup.match.values()]
            if any(v is None for v in match):
                continue
            self.hit("lookup", lookup.id, "found" if ctx[lookup.id] else "not_found")

    def merge(self, other: "Coverage") -> None:
        for branch, count in other.hits.items():
            self.hits[branch] = self.hits.get(branch, 0) + count

    # -- reporting ------------------------------------------------------------------------
    @property
    def missed(self) -> list[Branch]:
        return [b for b in self.known if b not in self.hits]

    @property
    def percent(self) -> float:
        return 100.0 if not self.known else 100.0 * (len(self.known) - len(self.missed)) / len(self.known)

    def by_kind(self) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        for kind in KINDS:
            mine = [b for b in self.known if b.kind == kind]
            counts[kind] = (sum(1 for b in mine if b in self.hits), len(mine))
        return counts

    def lines(self) -> list[str]:
        covered = len(self.known) - len(self.missed)
        head = f"coverage of flow '{self.flow.id}': {covered}/{len(self.known)} branches ({self.percent:.1f} %)"
        kinds = "  " + " · ".join(f"{PLURAL[kind]} {hit}/{total}" for kind, (hit, total) in self.by_kind().items())
        missed = [f"  not exercised: {b}" for b in self.missed]
        return [head, kinds] + missed

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow.id, "version": self.flow.version, "percent": round(self.percent, 2),
            "covered": len(self.known) - len(self.missed), "total": len(self.known),
            "kinds": {k: {"covered": h, "total": t} for k, (h, t) in self.by_kind().items()},
            "branches": [{"kind": b.kind, "name": b.name, "outcome": b.outcome, "hits": self.hits.get(b, 0)}
                         for b in self.known],
        }

