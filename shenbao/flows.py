"""Reading a flow from disk: the file, the schemas and the catalogue's keys, then the engine."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Collection

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


def read_flow(path: Path | str, lang: str = "zh_CN", message_keys: Collection[str] | None = None) -> Flow:
    """Load and check a flow file; raises engine.FlowError listing every problem.

    A dataset's `file:` is relative to the flow file's folder and must exist."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    keys = load_catalog(lang).messages.keys() if message_keys is None else message_keys
    return load_flow(text, display_name(path), load_schemas(), keys,
                     file_exists=lambda name: (path.parent / name).is_file())
