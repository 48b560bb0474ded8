"""Helpers for the store tests: a fresh, migrated store per test on SQLite (a file in
tmp_path) and, when SHENBAO_TEST_PG_URL is set, on PostgreSQL too (a schema of its own per
test, dropped afterwards, so parallel runs never collide)."""
from __future__ import annotations

import itertools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest
import sqlalchemy as sa
import yaml
from argon2 import PasswordHasher

from store import Store

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "teacher_registration.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PG_URL = os.environ.get("SHENBAO_TEST_PG_URL")
RUN = secrets.token_hex(3)
_counter = itertools.count()

# Cheap hashing keeps the suite fast; production uses argon2-cffi's defaults.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@dataclass(frozen=True)
class DS:
    """The tiny adapter the brief asks for: what the engine's model.Dataset exposes."""

    columns: Mapping[str, str]
    key: tuple[str, ...]
    file: str | None = None
    required: tuple[str, ...] = ()


def flow_document() -> dict[str, Any]:
    with FLOW.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def flow_datasets() -> dict[str, DS]:
    return {name: DS(dict(spec["columns"]), tuple(spec["key"]), spec.get("file"), tuple(spec.get("required", ())))
            for name, spec in flow_document()["datasets"].items()}


def flow_index_columns() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for lookup in flow_document()["lookups"].values():
        found.setdefault(lookup["dataset"], set()).update(lookup["match"])
    return found


class Backend:
    """Hands out URLs/options for fresh databases of one kind and cleans them up."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.tmp_path = tmp_path
        self.schemas: list[str] = []

    def open(self, **options: Any) -> Store:
        options.setdefault("password_hasher", FAST_HASHER)
        if self.kind == "sqlite":
            return Store.open(f"sqlite:///{self.tmp_path / 'shenbao.db'}", **options)
        if not self.schemas:
            schema = f"t_{RUN}_{next(_counter)}"
            admin = sa.create_engine(_psycopg(PG_URL))
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            self.schemas.append(schema)
        return Store.open(PG_URL or "", connect_args={"options": f"-csearch_path={self.schemas[0]}"},
                          **options)

    def cleanup(self) -> None:
        if self.schemas:
            admin = sa.create_engine(_psycopg(PG_URL))
            with admin.begin() as conn:
                for schema in self.schemas:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def _psycopg(url: str | None) -> str:
    assert url is not None
    return url.replace("postgresql://", "postgresql+psycopg://", 1)
