"""The flow as a picture: the applicant's journey and the status machine, as Graphviz DOT,
Mermaid, or SVG (Graphviz's `dot`, Debian package `graphviz`).

Both views are built as one small graph value (nodes with a kind, edges with a label) from
the built flow and worded through the catalogue (shenbao/describe.py: gates as sentences
from their syntax tree), then written out by one function per format. Output is
deterministic: nodes and edges in flow order, nothing from the clock or a hash, so a
committed drawing can be compared with a fresh one. Only `to_svg` runs a program.
"""
from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field

from engine import Flow

from .describe import Words

FONT = "Noto Sans CJK SC"
VIEWS = ("journey", "status")
FORMATS = ("dot", "mermaid", "svg")
WRAP = 18  # cells of Chinese text per line in a box (two cells a character)


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str  # start, step, end, gate, warning, lookup, status, final


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    style: str = "solid"  # solid, dashed (a way back or an applicant's edit), dotted (data)


@dataclass
class Graph:
    name: str
    title: str
    direction: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


class DiagramError(Exception):
    """SVG was asked for but Graphviz is missing or failed."""


def build(flow: Flow, words: Words, view: str) -> Graph:
    return journey(flow, words) if view == "journey" else status_machine(flow, words)


# -- the applicant's journey -----------------------------------------------------------------
def journey(flow: Flow, words: Words) -> Graph:
    graph = Graph("journey", words.t("diagram.journey.title", title=words.t(flow.title)), "TB")
    graph.nodes.append(Node("start", words.t("diagram.start"), "start"))
    previous = "start"
    for index, step in enumerate(flow.steps):
        sid = f"step_{step.id}"
        lines = [words.t(step.title)]
        if step.min_read_seconds:
            lines.append(words.t("diagram.min_read", seconds=_number(step.min_read_seconds)))
        graph.nodes.append(Node(sid, "\n".join(lines), "end" if step.kind == "summary" else "step"))
        graph.edges.append(Edge(previous, sid, words.t(flow.steps[index - 1].next_label) if index and
                                flow.steps[index - 1].next_label else ""))
        exit_from = sid
        for fld in step.fields:
            for warning in fld.warnings:
                wid = f"warning_{fld.id}_{warning}"
                graph.nodes.append(Node(wid, words.t("diagram.warning", label=words.t(fld.label)), "warning"))
                graph.edges.append(Edge(sid, wid, style="dashed"))
                graph.edges.append(Edge(wid, sid, words.t("diagram.warning.fix"), "dashed"))
                exit_from = wid
        for gate in step.gates:
            gid = f"gate_{step.id}_{gate.id}"
            graph.nodes.append(Node(gid, words.condition(gate.when.source), "gate"))
            label = words.t("diagram.warning.continue") if exit_from.startswith("warning_") else (
                words.t("diagram.gate.yes") if exit_from.startswith("gate_") else "")
            graph.edges.append(Edge(exit_from, gid, label))
            graph.edges.append(Edge(gid, sid, words.t("diagram.gate.no"), "dashed"))
            exit_from = gid
        for lookup_id, fields in _shown_by_lookups(flow, step.id):
            lid = f"lookup_{step.id}_{lookup_id}"
            dataset = next(lk.dataset for lk in flow.lookups if lk.id == lookup_id)
            graph.nodes.append(Node(lid, f"{words.lookup_label(lookup_id)}\n（{words.dataset_label(dataset)}）",
                                    "lookup"))
            graph.edges.append(Edge(lid, sid, words.t("diagram.lookup.shows", fields=words.t(
                "diagram.separator").join(words.field_label(f) for f in fields)), "dotted"))
        previous = exit_from
    _label_exits(graph, words)
    return graph


def _label_exits(graph: Graph, words: Words) -> None:
    """An edge leaving a gate towards the next step is its 是; leaving a warning, its 取消."""
    fixed = []
    for edge in graph.edges:
        if not edge.label and edge.source.startswith("gate_") and edge.target.startswith("step_"):
            edge = Edge(edge.source, edge.target, words.t("diagram.gate.yes"), edge.style)
        elif not edge.label and edge.source.startswith("warning_") and edge.target.startswith("step_"):
            edge = Edge(edge.source, edge.target, words.t("diagram.warning.continue"), edge.style)
        fixed.append(edge)
    graph.edges = fixed


def _shown_by_lookups(flow: Flow, step_id: str) -> list[tuple[str, list[str]]]:
    """Lookups that change what a step shows (prefilled, read-only, hidden or displayed values), with the fields."""
    lookups = [lk.id for lk in flow.lookups]
    found: dict[str, list[str]] = {}
    for fld in flow.step(step_id).fields:
        names: set[str] = set()
        for expr in (fld.prefill, fld.value, fld.visible_when, fld.readonly_when):
            if expr is not None:
                names |= expr.names
        for name in sorted(names & set(lookups), key=lookups.index):
            found.setdefault(name, []).append(fld.id)
    return sorted(found.items(), key=lambda item: lookups.index(item[0]))


# -- the status machine ------------------------------------------------------------------------
def status_machine(flow: Flow, words: Words) -> Graph:
    graph = Graph("statuses", words.t("diagram.status.title", title=words.t(flow.title)), "LR")
    graph.nodes.append(Node("start", words.t("diagram.start"), "start"))
    sep = words.t("diagram.separator")
    for status in flow.statuses.values():
        lines = [words.status_label(status.id)]
        rule = status.applicant_edit
        if rule is not None:
            what = sep.join(_edit_scope(flow, words, rule.fields))
            lines.append(words.t("diagram.status.edit.when", what=what, when=words.condition(rule.when.source))
                         if rule.when is not None else words.t("diagram.status.edit", what=what))
        graph.nodes.append(Node(f"status_{status.id}", "\n".join(lines), "final" if status.final else "status"))
        if status.initial:
            graph.edges.append(Edge("start", f"status_{status.id}", words.t("diagram.status.initial")))
    for status in flow.statuses.values():
        for move in status.transitions:
            label = sep.join(words.role_label(r) for r in sorted(move.roles))
            if move.requires:
                label += "\n" + words.t("diagram.status.requires", fields=sep.join(words.field_label(f)
                                                                                  for f in move.requires))
            graph.edges.append(Edge(f"status_{status.id}", f"status_{move.to}", label))
        if status.applicant_edit is not None and status.applicant_edit.then:
            graph.edges.append(Edge(f"status_{status.id}", f"status_{status.applicant_edit.then}",
                                    words.t("diagram.status.then"), "dashed"))
    return graph


def _edit_scope(flow: Flow, words: Words, fields: frozenset[str]) -> list[str]:
    """Whole steps by their title, other fields by their label, in flow order."""
    parts, covered = [], set()
    for step in flow.steps:
        inputs = {f.id for f in step.fields if f.is_input and not f.secret}
        if inputs and inputs <= fields:
            parts.append(words.t(step.title).split("　")[0])
            covered |= inputs
    for step in flow.steps:
        parts += [words.t(f.label) for f in step.fields
                  if f.id in fields and f.id not in covered and f.is_input and not f.secret]
    return parts


# -- writing ----------------------------------------------------------------------------------
_DOT_SHAPES = {
    "start": 'shape=circle, style=filled, fillcolor="#333333", fontcolor=white, width=0.5',
    "step": 'shape=box, style="rounded,filled", fillcolor="#e8f0fe"',
    "end": 'shape=box, style="rounded,filled,bold", fillcolor="#d7f5dd"',
    "gate": 'shape=diamond, style=filled, fillcolor="#fff4d6"',
    "warning": 'shape=note, style=filled, fillcolor="#ffe8d6"',
    "lookup": 'shape=cylinder, style=filled, fillcolor="#f0f0f0"',
    "status": 'shape=box, style="rounded,filled", fillcolor="#e8f0fe"',
    "final": 'shape=box, style="rounded,filled,bold", peripheries=2, fillcolor="#d7f5dd"',
}


def to_dot(graph: Graph) -> str:
    rank = "TB" if graph.direction == "TB" else "LR"
    lines = [f"digraph {graph.name} {{",
             f'  graph [rankdir={rank}, fontname="{FONT}", labelloc=t, fontsize=16, label="{_dot(graph.title)}"];',
             f'  node [fontname="{FONT}", fontsize=11];',
             f'  edge [fontname="{FONT}", fontsize=10];']
    for node in graph.nodes:
        lines.append(f'  {node.id} [{_DOT_SHAPES[node.kind]}, label="{_dot(wrap(node.label))}"];')
    for edge in graph.edges:
        attrs = [f'label="{_dot(wrap(edge.label))}"'] if edge.label else []
        attrs += [f"style={edge.style}"] if edge.style != "solid" else []
        if edge.style == "dashed" and edge.target.startswith("step_"):
            attrs.append("constraint=false")
        lines.append(f"  {edge.source} -> {edge.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    return "\n".join(lines + ["}"]) + "\n"


_MERMAID_SHAPES = {"start": ('(("', '"))'), "step": ('("', '")'), "end": ('(["', '"])'), "gate": ('{"', '"}'),
                   "warning": ('>"', '"]'), "lookup": ('[("', '")]'), "status": ('("', '")'),
                   "final": ('(["', '"])')}


def to_mermaid(graph: Graph) -> str:
    lines = ["---", f"title: {graph.title}", "---", f"flowchart {graph.direction}"]
    for node in graph.nodes:
        left, right = _MERMAID_SHAPES[node.kind]
        lines.append(f"  {node.id}{left}{_mermaid(wrap(node.label))}{right}")
    arrows = {"solid": "-->", "dashed": "-.->", "dotted": "-.->"}
    for edge in graph.edges:
        arrow = arrows[edge.style]
        label = f"|{_mermaid(wrap(edge.label))}|" if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(lines) + "\n"


def to_svg(dot_text: str) -> str:
    """Lay the DOT text out with Graphviz; DiagramError when it is not installed or fails."""
    program = shutil.which("dot")
    if program is None:
        raise DiagramError("Graphviz is not installed (Debian package graphviz; scripts/bootstrap.sh installs it)")
    done = subprocess.run([program, "-Tsvg"], input=dot_text.encode("utf-8"), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise DiagramError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8")


def render(flow: Flow, words: Words, view: str, fmt: str) -> str:
    graph = build(flow, words, view)
    if fmt == "mermaid":
        return to_mermaid(graph)
    text = to_dot(graph)
    return to_svg(text) if fmt == "svg" else text


def wrap(text: str, cells: int = WRAP * 2) -> str:
    """Break each line of a label at about `cells` terminal cells (Chinese counts two)."""
    out = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for char in paragraph:
            width = 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
            if used + width > cells and line and char not in "，。、；：）”":
                out.append(line)
                line, used = "", 0
            line, used = line + char, used + width
        out.append(line)
    return "\n".join(out)


def _dot(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _mermaid(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
