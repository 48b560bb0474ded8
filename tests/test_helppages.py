"""Help pages quote the flow through placeholders: 申请须知 follows min_read_seconds, and a
misspelt placeholder is a located `shenbao check` problem with a did-you-mean."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from shenbao.catalog import load_catalog
from shenbao.flows import read_flow
from shenbao.helppages import check_pages, fill, values

ROOT = Path(__file__).resolve().parents[1]
FLOW_PATH = ROOT / "flows" / "teacher_registration.yaml"
HELP = ROOT / "locales" / "zh_CN" / "help"


def test_help_pages__shipped__quote_only_what_the_flow_has():
    assert check_pages(HELP, read_flow(FLOW_PATH), load_catalog()) == []
    assert "{{notice.min_read_seconds}}" in (HELP / "process.md").read_text(encoding="utf-8")


def test_help_pages__reading_time_changed__the_page_follows(tmp_path):
    edited = tmp_path / "teacher_registration.yaml"
    edited.write_text(FLOW_PATH.read_text(encoding="utf-8").replace("min_read_seconds: 3", "min_read_seconds: 10")
                      .replace("../data/", str(ROOT / "data") + "/"), encoding="utf-8")
    text = fill((HELP / "process.md").read_text(encoding="utf-8"), values(read_flow(edited), load_catalog()))
    assert "页面显示10秒后" in text and "3秒" not in text


def test_help_pages__misspelt_placeholder__located_by_check(tmp_path):
    pages = tmp_path / "help"
    shutil.copytree(HELP, pages)
    page = pages / "process.md"
    page.write_text(page.read_text(encoding="utf-8").replace("{{notice.min_read_seconds}}",
                                                              "{{notice.min_read_second}}"), encoding="utf-8")
    line = next(i for i, l in enumerate(page.read_text(encoding="utf-8").splitlines(), 1) if "min_read_second" in l)
    done = subprocess.run([sys.executable, "-m", "commands.cli", "check", str(FLOW_PATH), "--help-pages", str(pages)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 1
    assert f"process.md:{line}:" in done.stdout and "HELP_001" in done.stdout
    assert "did you mean 'notice.min_read_seconds'?" in done.stdout
