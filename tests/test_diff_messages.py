"""`shenbao diff OLD NEW --old-locale DIR --locale DIR` reports message texts added, removed and changed
(issue 11 E), beside the flow's own changes: here the four policy edits of tests/policyedits.py, whose
new keys are added to the copy's messages.yaml, plus one text reworded and one removed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from policyedits import FLOW, MESSAGES, NEW_MESSAGES, ROOT, apply_policy_edits, project_copy
from shenbao.catalog import load_catalog
from shenbao.flowdiff import TEXT_SHOWN

CATALOG = load_catalog()


def shenbao(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "commands.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def _short(text: str) -> str:
    return text if len(text) <= TEXT_SHOWN else text[:TEXT_SHOWN] + "…"


def _edited(tmp_path: Path) -> Path:
    root = project_copy(tmp_path / "project")
    apply_policy_edits(root)
    path = root / MESSAGES
    text = path.read_text(encoding="utf-8")
    old = CATALOG.messages["status.confirmed"]
    text = text.replace(f"status.confirmed: {old}\n", "status.confirmed: 信息已确认，等待注册机构审批\n")
    text = text.replace(f"diff.none: {CATALOG.messages['diff.none']}\n", "")      # no flow names it
    path.write_text(text, encoding="utf-8")
    return root


def test_diff__two_catalogues__message_texts_added_removed_changed_listed_as_safe(tmp_path):
    root = _edited(tmp_path)
    done = shenbao("diff", str(ROOT / FLOW), str(root / FLOW), "--old-locale", str(ROOT / MESSAGES.parent),
                   "--locale", str(root / MESSAGES.parent))
    assert done.returncode == 0, done.stderr                      # texts are safe and the version is bumped
    lines = done.stdout.splitlines()
    safe = CATALOG.text("diff.impact.safe")
    expected = [f"[{safe}] " + CATALOG.text("diff.message_changed", message="status.confirmed",
                                             old=CATALOG.messages["status.confirmed"], new="信息已确认，等待注册机构审批"),
                f"[{safe}] " + CATALOG.text("diff.message_removed", message="diff.none", old=_short(CATALOG.messages["diff.none"]))]
    expected += [f"[{safe}] " + CATALOG.text("diff.message_added", message=key, new=text)
                 for key, text in sorted(NEW_MESSAGES.items())]
    messages = [line for line in lines if line.startswith(f"[{safe}] ") and ("文字 " in line)]
    assert sorted(messages) == sorted(expected), "\n".join(lines)
    # The flow's own changes come first, worded with the new catalogue (the new labels are texts, not
    # keys), then the texts in key order.
    status = f"[{safe}] " + CATALOG.text("diff.status_added", status_label=NEW_MESSAGES["status.under_review"])
    assert status in lines and lines.index(status) < lines.index(messages[0]), "\n".join(lines)
    assert not [line for line in lines if "field.continuing_education.label" in line and "文字 " not in line]
    assert messages == [line for line in lines if "文字 " in line]
    keys = [line.split()[2] for line in messages]                   # "[安全] 新增文字 key：…", "[安全] 文字 key 由…"
    assert keys == sorted(keys)


def test_diff__without_locales__no_message_lines_and_a_broken_catalogue_exits_2(tmp_path):
    root = _edited(tmp_path)
    done = shenbao("diff", str(ROOT / FLOW), str(root / FLOW).replace(str(root), str(root)))
    assert "文字 status.confirmed" not in done.stdout
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "messages.yaml").write_text("a: [\n", encoding="utf-8")
    done = shenbao("diff", str(ROOT / FLOW), str(ROOT / FLOW), "--locale", str(broken))
    assert done.returncode == 2 and "messages.yaml:" in done.stderr and "Traceback" not in done.stderr
    assert yaml.safe_load((ROOT / MESSAGES).read_text(encoding="utf-8"))["diff.message_changed"]
