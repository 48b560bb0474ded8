"""Each flow text is checked and built once per test process, however many times it is read.

The tests build hundreds of apps (`make_app` reads and checks the flow file, FlowVersions parses
the stored versions) and modules read the flow on import; checking the teacher flow costs a good
part of a second each time. `memoize()` (tests/conftest.py, as the run starts) puts a memo in
front of the `load_flow` that shenbao.flows and shenbao.flowversions call. The engine's own tests
call engine.load_flow itself, untouched.

`load_flow` is a pure function of its arguments (engine/ is pure: tests/test_layers.py) and of the
answers `file_exists` gives, so an entry is used only for the same text, filename, schemas,
message keys and `legacy`, and only while every file the first check asked about still gives the
same answer. A refused flow is not kept: it is checked, and refused, every time.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Collection, Mapping

import engine
from engine import Flow

_MEMO: dict[tuple[Any, ...], tuple[Flow, dict[str, bool], Mapping[str, Any]]] = {}
CALLERS = ("shenbao.flows", "shenbao.flowversions")


def load_flow(text: str, filename: str, schemas: Mapping[str, Mapping[str, Any]], message_keys: Collection[str],
              file_exists: Callable[[str], bool] | None = None, legacy: bool = False) -> Flow:
    key = (text, filename, id(schemas), frozenset(message_keys), file_exists is None, legacy)
    found = _MEMO.get(key)
    if found is not None and found[2] is schemas and (
            file_exists is None or all(file_exists(name) == seen for name, seen in found[1].items())):
        return found[0]
    asked: dict[str, bool] = {}

    def recording(name: str) -> bool:
        asked[name] = answer = bool(file_exists(name))  # type: ignore[misc]
        return answer

    flow = engine.load_flow(text, filename, schemas, message_keys, None if file_exists is None else recording,
                            legacy=legacy)
    _MEMO[key] = (flow, asked, schemas)
    return flow


def memoize() -> None:
    """For the rest of this process (the test modules read flows on import, before any fixture)."""
    for name in CALLERS:
        module = importlib.import_module(name)
        assert module.load_flow is engine.load_flow or module.load_flow is load_flow, name
        module.load_flow = load_flow
