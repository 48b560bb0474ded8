"""engine.source: YAML read into plain data with the position of every node."""
from __future__ import annotations

from engine.source import read_yaml


def codes(text: str) -> list[str]:
    return [p.code for p in read_yaml(text, "f.yaml")[2]]


def test_positions__keys_and_list_items__one_based_line_and_column():
    data, positions, problems = read_yaml("steps:\n  - id: a\n    fields: [x, y]\n", "f.yaml")
    assert problems == [] and data == {"steps": [{"id": "a", "fields": ["x", "y"]}]}
    assert positions[("steps",)] == (1, 1)
    assert positions[("steps", 0)] == (2, 5)
    assert positions[("steps", 0, "fields")] == (3, 5)
    assert positions[("steps", 0, "fields", 1)] == (3, 17)


def test_dates__stay_text():
    assert read_yaml("a: 2015-09-01\n", "f.yaml")[0] == {"a": "2015-09-01"}


def test_duplicate_key__reported_with_the_first_line():
    [problem] = read_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")[2]
    assert (problem.code, problem.line, problem.col) == ("YAML_003", 3, 1) and "line 1" in problem.hint


def test_empty_file__reported():
    assert codes("# only a comment\n") == ["YAML_002"]


def test_anchor_alias_merge_and_tags__reported_not_crashing():
    assert codes("a: &x {b: 1}\nc: *x\n") == ["YAML_007", "YAML_007"]
    assert "YAML_004" in codes("a: &x {b: 1}\nc:\n  <<: *x\n")
    assert codes("a: !!python/name:os.system x\n") == ["YAML_006"]
    assert codes("a: !custom x\n") == ["YAML_006"]


def test_syntax_error__unclosed_quote__located_where_it_opens():
    [problem] = read_yaml('a: 1\nb: "open\nc: 2\n', "f.yaml")[2]
    assert (problem.code, problem.line, problem.col) == ("YAML_001", 2, 4)
