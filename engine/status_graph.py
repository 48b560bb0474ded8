"""Part of stage 3 (build): the statuses as a graph, checked for traps.

A transition to the status itself, a status that no transition (nor an applicant's edit)
ever reaches from the initial one, and a status with no way out that is not marked final
all load, and then strand applications or staff. Works on the schema-checked data (it is
defensive about anything else) and returns (path, code, message, hint) tuples. No I/O.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

Found = tuple[tuple[Any, ...], str, str, str]


def _targets(sid: str, raw: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, status) for every way out of one status: its transitions and the applicant's edit."""
    transitions = raw.get("transitions", [])
    for index, transition in enumerate(transitions if isinstance(transitions, list) else []):
        if isinstance(transition, Mapping) and isinstance(transition.get("to"), str):
            yield ("statuses", sid, "transitions", index, "to"), transition["to"]
    edit = raw.get("applicant_edit")
    if isinstance(edit, Mapping) and isinstance(edit.get("then"), str):
        yield ("statuses", sid, "applicant_edit", "then"), edit["then"]


def check_status_graph(statuses: Mapping[str, Any]) -> list[Found]:
    raw = {sid: s for sid, s in statuses.items() if isinstance(s, Mapping)} if isinstance(statuses, Mapping) else {}
    found: list[Found] = []
    edges: dict[str, set[str]] = {}
    mistyped = False  # a transition to an unknown status is reported by the build; it explains the rest
    for sid, status in raw.items():
        edges[sid], ways_out = set(), 0
        for path, target in _targets(sid, status):
            if target == sid:
                found.append((path, "REF_015", f"status '{sid}' has a transition to itself",
                              "a transition moves an application to another status; remove this one"))
                continue
            ways_out += 1
            if target in raw:
                edges[sid].add(target)
            else:
                mistyped = True
        if not ways_out and not status.get("final"):
            found.append((("statuses", sid), "REF_017", f"status '{sid}' has no way out and is not final",
                          "add `final: true` if applications end here, or a transition to another status"))
    initial = [sid for sid, status in raw.items() if status.get("initial") is True]
    if len(initial) == 1 and not mistyped:
        reached, todo = {initial[0]}, [initial[0]]
        while todo:
            for target in edges[todo.pop()] - reached:
                reached.add(target)
                todo.append(target)
        for sid in raw:
            if sid not in reached:
                found.append((("statuses", sid), "REF_016", f"status '{sid}' can never be reached from the "
                              f"initial status '{initial[0]}'",
                              "add a transition to it from another status, or remove it"))
    return found
