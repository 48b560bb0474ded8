"""Four ordinary policy edits of the teacher flow, made with YAML alone (issue 8, "Tests that follow the flow").

`project_copy(dest)` copies what the product and its tests read (code, flows, locales, data, schemas,
tests) into `dest`; `apply_policy_edits(dest)` then edits the copy's flows/teacher_registration.yaml and
locales/zh_CN/messages.yaml as policy staff would, with a text editor:

1. a new required select in step 7 (继续教育情况, two options written in the flow);
2. step 1's reading time 3 → 10 seconds;
3. a new status (复核中) between 信息已确认 and the final decisions;
4. a new field on the printed form (申请表): the new select, printed in the form's work section.

The flow's version name is bumped, as a published edit must be. The edits are made on the text so that
comments and layout stay as they were; each one is anchored on a line of today's flow and fails loudly
when that line has moved. `python tests/policyedits.py DIR` writes such a copy for a person to look at.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FLOW = Path("flows") / "teacher_registration.yaml"
MESSAGES = Path("locales") / "zh_CN" / "messages.yaml"
# What the product and its tests read; .venv is linked (axe-core, chromium driver live there).
COPIED = ["engine", "store", "shenbao", "renderers", "commands", "flows", "locales", "data", "schemas", "tests",
          "tools", "bench", "docs", "scripts", "pyproject.toml", "README.md"]
IGNORED = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.egg-info", "test-output")

NEW_SELECT = "continuing_education"
NEW_STATUS = "under_review"
READING_SECONDS = 10
VERSION = "2026.1-policy"

NEW_MESSAGES = {
    f"field.{NEW_SELECT}.label": "继续教育情况",
    f"option.{NEW_SELECT}.completed": "已完成规定学时",
    f"option.{NEW_SELECT}.exempt": "按规定免修",
    f"status.{NEW_STATUS}": "材料已由教育行政部门复核，待审批结论",
    f"staff.move.{NEW_STATUS}": "转入复核",
}


def project_copy(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=IGNORED, symlinks=True)
        elif source.exists():
            shutil.copy2(source, dest / name)
    if (ROOT / ".venv").exists():
        (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


def _replace_once(text: str, old: str, new: str, what: str) -> str:
    if text.count(old) != 1:
        raise AssertionError(f"policy edit '{what}': expected the line {old!r} once in {FLOW}, "
                             f"found it {text.count(old)} times; update tests/policyedits.py")
    return text.replace(old, new)


def edited_flow_text(text: str) -> str:
    """The four edits on the text of flows/teacher_registration.yaml (comments kept)."""
    flow = yaml.safe_load(text)
    old_version = flow["flow"]["version"]
    text = _replace_once(text, f'  version: "{old_version}"\n', f'  version: "{VERSION}"\n', "version")

    # 1. a new required select at the end of step 7's section.work
    application = next(s for s in flow["steps"] if s["id"] == "application")
    work = next(s for s in application["sections"] if s["title"] == "section.work")
    last = work["fields"][-1]["id"]
    anchor = next(line for line in text.splitlines(keepends=True) if line.lstrip().startswith(f"- {{id: {last},"))
    indent = anchor[:len(anchor) - len(anchor.lstrip())]
    select = (f"{indent}- id: {NEW_SELECT}\n"
              f"{indent}  type: select\n"
              f"{indent}  label: field.{NEW_SELECT}.label\n"
              f"{indent}  options:\n"
              f"{indent}    - {{value: completed, label: option.{NEW_SELECT}.completed}}\n"
              f"{indent}    - {{value: exempt, label: option.{NEW_SELECT}.exempt}}\n"
              f"{indent}  rules: {{required: true}}\n")
    text = _replace_once(text, anchor, anchor + select, "new select in step 7")

    # 2. step 1's reading time
    notice = flow["steps"][0]
    seconds = notice["min_read_seconds"]
    text = _replace_once(text, f"    min_read_seconds: {seconds}\n", f"    min_read_seconds: {READING_SECONDS}\n",
                         "reading time")

    # 3. a new status: confirmed → under_review → the final decisions of confirmed
    confirmed = flow["statuses"]["confirmed"]["transitions"]
    finals = [t for t in confirmed if flow["statuses"][t["to"]].get("final")]
    first = next(line for line in text.splitlines(keepends=True)
                 if line.strip().startswith(f"- {{to: {confirmed[0]['to']},") and "roles" in line
                 and text.index(line) > text.index("  confirmed:\n"))
    status_indent = first[:len(first) - len(first.lstrip())]
    text = _replace_once(text, first, f"{status_indent}- {{to: {NEW_STATUS}, roles: [agency_reviewer, admin]}}\n" + first,
                         "transition to the new status")
    moves = "".join(f"{status_indent}- " + _flow_mapping(t) + "\n" for t in finals)
    text = _replace_once(text, "  not_eligible:\n",
                         f"  {NEW_STATUS}:\n    message: status.{NEW_STATUS}\n    transitions:\n{moves}"
                         "  not_eligible:\n", "new status")

    # 4. the new select on the printed form, at the end of the work section
    document = next(iter(flow["documents"].values()))
    work = next(s for s in document["sections"] if s["title"] == "document.section.work")
    last_printed = work["fields"][-1]
    assert isinstance(last_printed, str), last_printed
    start = text.index("document.section.work")
    line = f"          - {last_printed}\n"
    at = text.index(line, start) + len(line)
    text = text[:at] + f"          - {NEW_SELECT}\n" + text[at:]
    return text


def _flow_mapping(value: dict) -> str:
    def one(v):
        return "[" + ", ".join(v) + "]" if isinstance(v, list) else str(v)
    return "{" + ", ".join(f"{k}: {one(v)}" for k, v in value.items()) + "}"


def apply_policy_edits(root: Path) -> Path:
    """Edit the flow and the catalogue under `root` (a project copy); returns the edited flow's path."""
    flow = root / FLOW
    flow.write_text(edited_flow_text(flow.read_text(encoding="utf-8")), encoding="utf-8")
    messages = root / MESSAGES
    text = messages.read_text(encoding="utf-8")
    present = yaml.safe_load(text)
    assert not set(NEW_MESSAGES) & set(present), set(NEW_MESSAGES) & set(present)
    lines = "".join(f"{key}: {value}\n" for key, value in NEW_MESSAGES.items())
    messages.write_text(text.rstrip("\n") + "\n# policy edits (tests/policyedits.py)\n" + lines, encoding="utf-8")
    return flow


if __name__ == "__main__":
    target = Path(sys.argv[1])
    apply_policy_edits(project_copy(target))
    print(target / FLOW)
