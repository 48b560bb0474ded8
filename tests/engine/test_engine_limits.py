"""`shenbao check` on hostile or oversized input: refused with one clear line, never a traceback or a hang.

The exact outputs for nesting 500 deep and a "billion laughs" file are golden files
(49_nesting_too_deep, 50_billion_laughs); a 10 MB file is made here rather than kept in git.
"""
from __future__ import annotations

import argparse

from engine.source import MAX_CHARS, read_yaml, resolve_plain
from commands.check import run_check


def test_check__ten_megabyte_flow__refused_at_once_with_the_limit(tmp_path, capsys):
    flow = tmp_path / "big.yaml"
    field = "      - {id: f%d, type: text, label: field.name.label, rules: {required: true, maxlength: 60}}\n"
    body = "".join(field % i for i in range(10_000_000 // len(field % 100000) + 1))
    flow.write_text("flow: {id: big, version: '1', title: flow.title}\nsteps:\n  - id: a\n    kind: form\n"
                    "    title: step.application.title\n    fields:\n" + body, encoding="utf-8")
    code = run_check(argparse.Namespace(flows=[str(flow)], locale=None))
    size = len(flow.read_text(encoding="utf-8")) / 1_000_000
    assert (code, capsys.readouterr().out) == (1, (
        f"{flow}:1:1: YAML_010 the file is too large ({size:.1f} million characters); a flow may have at most "
        f"{MAX_CHARS // 1_000_000} million — put long lists (agencies, schools, codes) in a dataset file and name "
        "it under `datasets:` with `file:`\n"))


def test_read_yaml__alias_never_expanded__each_name_reported_once():
    text = "a: &a [x, x]\nb: [*a, *a, *a]\n"
    data, _, problems = read_yaml(text, "f.yaml")
    assert data == {"a": ["x", "x"], "b": [None, None, None]}
    assert [(p.code, p.line, p.col) for p in problems] == [("YAML_007", 1, 4), ("YAML_007", 2, 5)]


def test_resolve_plain__yaml_1_2_core():
    assert [resolve_plain(v) for v in ("~", "null", "", "true", "False", "12", "0o17", "0x1f", "1.5", "-.inf",
                                       "2015-09-01", "0755", "1_000", "1:30")] == [
        None, None, None, True, False, 12, 15, 31, 1.5, float("-inf"), "2015-09-01", 755, "1_000", "1:30"]


def test_read_yaml__yes_no_on_off__refused_as_ambiguous_quoted_text_kept():
    data, _, problems = read_yaml("a: yes\nb: 'no'\nc: Off\n", "f.yaml")
    assert [(p.code, p.line) for p in problems] == [("YAML_008", 1), ("YAML_008", 3)]
    assert data["b"] == "no"
