"""A flow version published before documents were expressions still loads and prints (engine/docbuild.py).

Its text wrote a chosen row as a dotted path through the choice field (`point.address`); the
stored version is read with those paths through the lookup matching that field (`chosen_point`).
The same text as a new flow file is refused with the line to write instead (REF_033).
"""
from __future__ import annotations

import pytest

from engine import FlowError
from shenbao.flows import read_flow
from shenbao.flowversions import parse_version
from shenbao.paths import ROOT

FLOW = ROOT / "flows" / "teacher_registration.yaml"


def old_text() -> str:
    """The shipped flow as it was written before: `point.address`, `agency.name`, …"""
    text = FLOW.read_text(encoding="utf-8").replace("{value: chosen_", "{value: ")
    return text.replace("params: {starts: chosen_point.starts, ends: chosen_point.ends}",
                        "params: {starts: point.starts, ends: point.ends}")


def test_stored_version__old_document_paths__read_through_the_lookups():
    text = old_text()
    assert "{value: point.address" in text
    stored = parse_version(text, "flows/teacher_registration.yaml")
    current = read_flow(FLOW)
    sources = lambda flow: [e.value.expression.source for s in flow.documents["application_form"].sections  # noqa: E731
                            for e in s.entries if e.value is not None]
    assert sources(stored) == sources(current)
    assert stored.digest != current.digest  # the stored version keeps its own digest


def test_flow_file__old_document_paths__refused_with_the_lookup_to_write(tmp_path):
    path = tmp_path / "flow.yaml"
    path.write_text(old_text().replace("../data/", str(ROOT / "data") + "/"), encoding="utf-8")
    with pytest.raises(FlowError) as refused:
        read_flow(path)
    codes = {p.code for p in refused.value.problems}
    assert codes == {"REF_033"}
    assert any("write 'chosen_point.address'" in p.hint for p in refused.value.problems)
