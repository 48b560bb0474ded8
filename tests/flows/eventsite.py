"""The event sign-up flow and its demo database, for the WSGI tests that serve it
(test_event_signup_staff.py, test_event_signup_texts.py)."""
from __future__ import annotations

from pathlib import Path

from shenbao.applications import demo_defaults
from shenbao.flows import read_flow
from store import Store, load_demo
from websupport import FAST_HASHER

FLOW_FILE = Path(__file__).resolve().parent / "event_signup.yaml"
FLOW = read_flow(FLOW_FILE)


def event_store(tmp_path: Path) -> tuple[str, Store]:
    """A SQLite database in `tmp_path` with the event flow's datasets and demo rows: its URL and store."""
    url = f"sqlite:///{tmp_path / 'event.db'}"
    store = Store.open(url, password_hasher=FAST_HASHER)
    store.migrate()
    store.sync_datasets(FLOW.datasets, FLOW.lookup_index_columns())
    load_demo(store, FLOW.datasets, FLOW_FILE.parent, None, demo_defaults(FLOW))
    return url, store
