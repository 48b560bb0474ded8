"""Edits of flows/teacher_registration.yaml and of its catalogue, as policy staff publish them, for
the tests of flow versions (test_flow_versions.py, test_flow_catalogues.py): the shipped text, a
version bump, a status taken out with its transitions, the edited flow written where its
`../data/...` files still resolve, and a catalogue with texts changed or removed."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

from shenbao.catalog import Catalog
from shenbao.paths import DATA, DEFAULT_FLOW

ORIGINAL = DEFAULT_FLOW.read_text(encoding="utf-8")
# the shipped version name, whatever policy staff named it, and a bump of it
VERSION = re.search(r'^  version: "([^"]+)"$', ORIGINAL, re.MULTILINE).group(1)
BUMP = (f'version: "{VERSION}"', f'version: "{VERSION}.1"')


def without_status(text: str, status: str) -> str:
    text = re.sub(rf"      - \{{to: {status},[^\n]*\n", "", text)
    return re.sub(rf"  {status}:\n(    [^\n]*\n)+", "", text)


def flow_file(tmp_path: Path, text: str) -> Path:
    """The edited flow in a folder of its own beside a link to the data, so `../data/...` still resolves."""
    (tmp_path / "data").symlink_to(DATA)
    (tmp_path / "flows").mkdir()
    path = tmp_path / "flows" / "teacher_registration.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def edited_catalog(catalog: Catalog, changes: Mapping[str, str | None]) -> Catalog:
    """The catalogue with these texts changed (a text) or removed (None)."""
    messages = {**catalog.messages, **{k: v for k, v in changes.items() if v is not None}}
    for key in [k for k, v in changes.items() if v is None]:
        del messages[key]
    return Catalog(catalog.lang, messages)
