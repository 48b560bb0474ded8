"""Layout helpers of the console: CJK double width, aligned tables, wrapping; the boundary."""
from __future__ import annotations

import ast
from pathlib import Path

from renderers.console.text import table, width, wrap

ROOT = Path(__file__).resolve().parents[2]


def test_width__cjk_counts_double_and_combining_counts_zero():
    assert width("abc") == 3
    assert width("王晓燕") == 6
    assert width("１２") == 4            # full-width digits
    assert width("阿依古丽·买买提") == 15  # the middle dot is narrow
    assert width("e\u0301") == 1


def test_table__mixed_scripts__columns_line_up_in_cells():
    lines = table(["编号", "确认点", "time"], [["1", "海淀区教师进修学校确认点", "2026-09-01 08:00"],
                                               ["12", "A点", "2030-12-31 17:00"]])
    header = width(lines[0][:lines[0].index("time")])
    assert [width(line[:line.index("20")]) for line in lines[2:]] == [header, header]


def test_table__too_wide__wraps_the_column_that_costs_fewest_lines():
    rows = [["1", "海淀区教师进修学校确认点", "经区教委批准纳入注册范围的民办中小学、幼儿园教师"]]
    lines = table(["编号", "确认点", "确认范围"], rows, max_width=60)
    assert all(width(line) <= 60 for line in lines)
    assert "海淀区教师进修学校确认点" in lines[2]  # the name stays whole; the long scope wraps


def test_wrap__closing_punctuation__never_starts_a_line():
    lines = wrap("一二三四五。六", 10)
    assert lines == ["一二三四五。", "六"]


def test_console_renderer__imports__only_engine_public_names_and_no_other_renderer():
    import engine
    for path in (ROOT / "renderers" / "console").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("engine."), f"{path.name}: {node.module}"
                assert not node.module.startswith(("renderers.web", "renderers.pdf")), path.name
                if node.module == "engine":
                    assert {a.name for a in node.names} <= set(engine.__all__), path.name
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith(("engine.", "renderers.")) for a in node.names), path.name


def test_console_renderer__strings__hold_no_chinese_text():
    """Wording lives in the catalogue; docstrings may quote the manual."""
    for path in (ROOT / "renderers" / "console").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
                and n.body and isinstance(n.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                assert not any("\u3400" <= c <= "\u9fff" for c in node.value), f"{path.name}: {node.value!r}"
