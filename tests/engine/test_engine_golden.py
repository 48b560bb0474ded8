"""Golden authoring errors: `shenbao check` on broken flows, compared line for line.

Each tests/engine/golden/NN_name.yaml is a broken flow; NN_name.expected holds the exact
lines `shenbao check` prints for it (file:line:col: CODE message — hint). When a folder
NN_name.locale/ exists, it is the message catalogue checked with it (`--locale`), and its
problems are listed too (the catalogue's first, then the flow's). To rewrite the
expected files after a deliberate change of wording, run

    SHENBAO_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/engine/test_engine_golden.py

and review the diff by eye: the position must point at the offending node and the hint
must help a policy editor.
"""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import pytest

from commands.check import run_check

GOLDEN = Path(__file__).parent / "golden"
# Goldens whose expected output is right but the engine does not produce yet (xfail, strict).
KNOWN_WRONG = {
}
FLOWS = sorted(GOLDEN.glob("*.yaml"))


def _flows():
    return [pytest.param(p, id=p.stem, marks=pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[p.stem]))
            if p.stem in KNOWN_WRONG else pytest.param(p, id=p.stem) for p in FLOWS]
UPDATE = os.environ.get("SHENBAO_UPDATE_GOLDENS") == "1"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+_\d{3}) (?P<message>.+?)"
                  r"(?: — (?P<hint>.+))?$")


def locale_of(path: Path) -> Path | None:
    folder = path.with_suffix(".locale")
    return folder if folder.is_dir() else None


def check_output(path: Path, capsys) -> tuple[int, str]:
    locale = locale_of(path)
    code = run_check(argparse.Namespace(flows=[str(path)], locale=str(locale) if locale else None))
    return code, capsys.readouterr().out


def test_golden__enough_cases():
    assert len(FLOWS) >= 48


@pytest.mark.parametrize("path", _flows())
def test_golden__check_output__matches_expected(path, capsys):
    code, out = check_output(path, capsys)
    expected_file = path.with_suffix(".expected")
    if UPDATE and path.stem not in KNOWN_WRONG:
        expected_file.write_text(out, encoding="utf-8")
    assert code == 1, "a golden flow must be refused"
    assert out == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", _flows())
def test_golden__every_line__well_formed_and_pointing_into_the_file(path, capsys):
    _, out = check_output(path, capsys)
    files = {f"tests/engine/golden/{path.name}": path}
    if locale_of(path):
        files[f"tests/engine/golden/{path.stem}.locale/messages.yaml"] = locale_of(path) / "messages.yaml"
    lines = out.splitlines()
    assert lines
    positions: dict[str, list[tuple[int, int]]] = {}
    for line in lines:
        match = LINE.match(line)
        assert match, line
        assert match["file"] in files, line
        source = files[match["file"]].read_text(encoding="utf-8").splitlines()
        row, col = int(match["line"]), int(match["col"])
        assert 1 <= row <= len(source) and 1 <= col <= len(source[row - 1]) + 1, line
        positions.setdefault(match["file"], []).append((row, col))
    for found in positions.values():
        assert found == sorted(found), "problems are listed in file order"


def test_golden__real_flow__checks_clean(capsys):
    code, out = check_output(Path(__file__).resolve().parents[2] / "flows" / "teacher_registration.yaml", capsys)
    assert (code, out) == (0, "")
