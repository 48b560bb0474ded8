"""Fixtures for the store tests (helpers live in storetest.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from store import Store
from storetest import BACKENDS, Backend, flow_datasets, flow_index_columns


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    found = Backend(request.param, tmp_path)
    yield found
    found.cleanup()


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    opened = backend.open()
    opened.migrate()
    yield opened
    opened.close()


@pytest.fixture
def synced(store: Store) -> Store:
    store.sync_datasets(flow_datasets(), flow_index_columns())
    return store
