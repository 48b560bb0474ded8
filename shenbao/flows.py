"""Reading a flow from disk: the file, the schemas and the catalogue's keys, then the engine."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from engine import Flow, load_flow

from .catalog import load_catalog
from .paths import ROOT, SCHEMAS


@lru_cache(maxsize=1)
def load_schemas() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.schema.json")}


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def read_flow(path: Path | str, lang: str = "zh_CN") -> Flow:
    """Load and check a flow file; raises engine.FlowError listing every problem."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return load_flow(text, display_name(path), load_schemas(), load_catalog(lang).messages.keys())
