"""The house's layers (STYLE.md, "The shape of the house"), checked against tools/layers.toml.

Every code package has one row in the table, saying which packages of ours it may import;
`tools/imports.py` reads every import with `ast` (also those inside functions and under
TYPE_CHECKING) and this test fails on a direction the table does not allow, on a cycle
between modules, on an import of our own code hidden in a function, and when README's
Layout block is no longer the one drawn from the table. The engine's purity (no I/O, clock,
environment) is tests/engine/test_boundaries.py.
"""
from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("layers_tool", ROOT / "tools" / "imports.py")
imports = importlib.util.module_from_spec(_spec)
sys.modules["layers_tool"] = imports  # dataclasses look their module up by name
_spec.loader.exec_module(imports)

ALL = imports.all_imports()

# Crossings found when this test was written; the owners fix the code, then drop the entry.
KNOWN_CROSSINGS: set[str] = set()
KNOWN_CYCLES: set[str] = set()
KNOWN_HIDDEN: set[str] = set()


def _code_packages() -> set[str]:
    found = set()
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "tests", "bench", "tools", "build") or rel.parts[0].startswith("."):
            continue
        if "migrations" in rel.parts or "__pycache__" in rel.parts or rel.parts[0].endswith(".egg-info"):
            continue
        found.add(imports.package_of(imports.module_name(path)))
    return found


def test_table__names_every_code_package_and_only_those():
    assert set(imports.packages()) == _code_packages()


def test_table__directions_point_down_only():
    known = imports.packages()
    for name, row in known.items():
        assert set(row.get("imports", [])) <= set(known) - {name}, name
    assert sum(len(t) for t in imports._tiers(known)) == len(known)
    assert imports.cycles({p: set(r.get("imports", [])) for p, r in known.items()}) == []


def test_imports__every_package__only_in_allowed_directions():
    found = set(imports.crossings(ALL))
    assert found - KNOWN_CROSSINGS == set()
    assert KNOWN_CROSSINGS - found == set(), "fixed: drop these from KNOWN_CROSSINGS"


def test_imports__modules__form_no_cycle():
    found = {" <-> ".join(c) for c in imports.cycles(imports.graph(ALL, packages=False))}
    assert found - KNOWN_CYCLES == set()
    assert KNOWN_CYCLES - found == set(), "fixed: drop these from KNOWN_CYCLES"


def test_imports__of_our_own_code__are_never_hidden_in_a_function():
    found = {f"{i.source.replace('.', '/')}.py -> {imports.package_of(i.target) if i.target.startswith('renderers.pdf') else i.target}"
             for i in ALL if i.where != "top"}
    assert found - KNOWN_HIDDEN == set()
    assert KNOWN_HIDDEN - found == set(), "fixed: drop these from KNOWN_HIDDEN"


def test_imports__of_libraries_too__are_at_the_top_but_the_one_command_dispatch():
    """Imports inside functions (of any module) hide dependencies and startup costs; the
    only late import is commands/cli.py's, which imports the module of the command being
    run (its docstring says why)."""
    found = imports.hidden_imports()
    assert len(found) == 1 and found[0].startswith("commands/cli.py:") and "(dynamic)" in found[0], found


def test_commands__dispatch_only_to_their_own_modules():
    cli = ast.parse((ROOT / "commands" / "cli.py").read_text(encoding="utf-8"))
    table = next(n.value for n in cli.body if isinstance(n, ast.AnnAssign) and n.target.id == "COMMANDS")
    modules = {entry[0] for entry in ast.literal_eval(table).values()}
    assert modules and all(m.startswith("commands.") and (ROOT / (m.replace(".", "/") + ".py")).exists()
                           for m in modules)


def test_readme__layout_block__is_drawn_from_the_table():
    assert imports.readme_block() in (ROOT / "README.md").read_text(encoding="utf-8"), \
        "README's Layout block is stale: paste `.venv/bin/python tools/imports.py --readme`"


# -- the checker itself, on a small house written for the test ------------------------------
SMALL_TABLE = [
    {"path": "top/", "package": "top", "what": "top", "imports": ["mid", "low"]},
    {"path": "mid/", "package": "mid", "what": "middle", "imports": ["low"]},
    {"path": "low/", "package": "low", "what": "bottom", "public": True, "imports": []},
]


def _house(tmp_path: Path, files: dict[str, str]) -> list:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return imports.all_imports(tmp_path, ("top", "mid", "low"))


def test_checker__catches_what_it_should(tmp_path):
    found = _house(tmp_path, {
        "low/__init__.py": "__all__ = ['thing']\nfrom .core import thing\n",
        "low/core.py": "thing = 1\n",
        "low/up.py": "from mid import a\n",                                # upward
        "mid/__init__.py": "",
        "mid/a.py": "from low import thing, secret\nfrom low.core import thing\nfrom . import b\n",
        "mid/b.py": "def f():\n    from . import a\n",                   # a cycle, hidden in a function
        "top/__init__.py": "",
        "top/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from mid import a\nimport low\n",
    })
    crossings = [c.split(": ", 1)[1] for c in imports.crossings(found, SMALL_TABLE, {"low": {"thing"}})]
    assert crossings == ["low may not import mid (mid.a)", "imports low.secret, not a public name of low",
                         "imports low.core; use `from low import ...`"]
    assert imports.cycles(imports.graph(found, packages=False)) == [["mid.a", "mid.b"]]
    assert imports.cycles(imports.graph(found, packages=True)) == [["low", "mid"]]
    hidden = sorted((i.source, i.target, i.where) for i in found if i.where != "top")
    assert hidden == [("mid.b", "mid.a", "function"), ("top.c", "mid.a", "type_checking")]


def test_readme_block__lists_every_folder_and_the_order():
    block = imports.readme_block(SMALL_TABLE)
    assert block.splitlines()[1:4] == ["top/   top", "mid/   middle", "low/   bottom"]
    assert block.rstrip().endswith("Imports point down only: top  →  mid  →  low")
