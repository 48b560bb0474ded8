"""Reference data from files: the datasets a flow declares, read from their `file`.

Used by the console renderer and tests (a MemorySource), and as the input the store's
importer shares. Values are converted by the declared column type: date, datetime, image
(a file name under a `photos/` folder beside the data file, read as bytes).
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

import yaml

from engine import Dataset, Flow, MemorySource

from .paths import ROOT


def convert(value: Any, kind: str, photo_dir: Path) -> Any:
    """One cell, by column type. Raises ValueError on a value that does not fit."""
    if value is None or value == "":
        return None
    if kind == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    if kind == "datetime":
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    if kind == "image":
        return (photo_dir / str(value)).read_bytes()
    if kind == "number":
        return value if isinstance(value, (int, float)) else float(value)
    return str(value)


def dataset_path(flow_file: Path, dataset: Dataset) -> Path | None:
    if dataset.file is None:
        return None
    return (flow_file.parent / dataset.file).resolve()


def read_dataset(path: Path, dataset: Dataset) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8-sig") as handle:
        rows = yaml.safe_load(handle) or []
    photos = path.parent / "photos"
    return [{col: convert(row.get(col), kind, photos) for col, kind in dataset.columns.items()} for row in rows]


def memory_source(flow: Flow, flow_file: Path | None = None) -> MemorySource:
    """Every dataset of the flow that names a file, read into memory."""
    flow_file = flow_file or ROOT / flow.filename
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, dataset in flow.datasets.items():
        path = dataset_path(flow_file, dataset)
        tables[name] = read_dataset(path, dataset) if path is not None and path.exists() else []
    return MemorySource(tables)


def tables_summary(source: MemorySource) -> Mapping[str, int]:
    return {name: len(rows) for name, rows in source.tables.items()}
