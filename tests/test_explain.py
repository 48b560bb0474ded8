"""`shenbao explain`: the specification in plain Chinese. Rules in words, gates as sentences
from their syntax tree (never the raw expression), statuses with roles and what the applicant
may change, datasets; docs/ holds the teacher flow's and a test keeps it current; two
versions side by side mark what changed; the PDF goes through the form's renderer."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from renderers.pdf import render_html
from shenbao.catalog import load_catalog
from shenbao.describe import Words
from shenbao.flowdiff import compare as semantic_diff
from shenbao.flows import read_flow
from shenbao.specification import as_document, compare, field_words, specify

ROOT = Path(__file__).resolve().parents[1]
FLOW_PATH = ROOT / "flows" / "teacher_registration.yaml"
SPEC = ROOT / "docs" / "teacher_registration.spec.html"


@pytest.fixture(scope="module")
def teacher():
    flow = read_flow(FLOW_PATH)
    words = Words(flow, load_catalog())
    return flow, words, specify(flow, words)


def shenbao(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "commands.cli", *args], cwd=ROOT, capture_output=True, timeout=180)


def test_explain__docs__is_the_current_specification(teacher):
    flow, words, spec = teacher
    assert render_html(as_document(spec, words)) == SPEC.read_text(encoding="utf-8"), \
        "docs/ is stale; refresh with: .venv/bin/shenbao explain -o docs/teacher_registration.spec.html"


def test_explain__field_rules_in_words(teacher):
    flow, words, _ = teacher
    t = words.t
    id_no = field_words(flow, words, flow.fields["id_no"])
    assert id_no.startswith(t("explain.rule.required") + t("explain.rule.sep") + t("explain.rule.cn_resident_id"))
    assert "必填；18位；须为有效的公民身份号码" in id_no
    cert = field_words(flow, words, flow.fields["cert_no"])
    assert t("explain.rule.maxlength", n=flow.fields["cert_no"].rules["maxlength"]) in cert
    assert t("explain.warning.cert_no_standard") in cert
    employment = field_words(flow, words, flow.fields["employment_start"])
    assert t("explain.rule.not_before_field", other=words.field_label("work_start")) in employment


def test_explain__every_gate_a_sentence_never_the_expression(teacher):
    flow, words, spec = teacher
    rows = spec.rows()
    for step in flow.steps:
        for gate in step.gates:
            text = rows[(f"step:{step.id}", f"gate:{gate.id}")].text
            assert gate.when.source not in text
            assert not any(token in text for token in ("==", "<=", " is ", " none", "plan.", "|"))
            assert words.condition(gate.when.source) in text
    window = rows[("step:agency", "gate:window_open")].text
    assert "当前时间在所选注册机构的初审注册计划的网上申报开始时间至" in window


def test_explain__statuses_with_roles_edits_and_finals(teacher):
    flow, words, spec = teacher
    rows = spec.rows()
    submitted = rows[("statuses", "status:submitted")].text
    assert words.t("explain.status.move", roles=words.t("diagram.separator").join(
        words.role_label(r) for r in sorted(flow.statuses["submitted"].transitions[0].roles)),
        to=words.status_label("confirmed")) in submitted
    assert words.t("explain.status.edit", fields="").rstrip() .split("：")[0] in submitted
    assert words.t("explain.status.final") in rows[("statuses", "status:registered")].text
    assert all(("datasets", f"dataset:{name}") in rows for name in flow.datasets)


def test_explain__min_read_seconds_follow_the_flow(teacher, tmp_path):
    flow, words, spec = teacher
    seconds = flow.step("notice").min_read_seconds
    assert words.t("explain.min_read", seconds=int(seconds)) == spec.rows()[("step:notice", "min_read")].text
    edited = tmp_path / "teacher_registration.yaml"
    edited.write_text(FLOW_PATH.read_text(encoding="utf-8").replace(f"min_read_seconds: {int(seconds)}",
                                                                     f"min_read_seconds: {int(seconds) + 7}")
                      .replace("../data/", str(ROOT / "data") + "/"), encoding="utf-8")
    changed = read_flow(edited)
    rows = compare(spec, specify(changed, Words(changed, words.catalog)))
    marked = [(part, r.label) for part, items in rows for r in items if r.changed]
    assert marked == [(words.t(flow.step("notice").title), words.t("explain.spec.min_read"))]


def test_explain_command__compare_marks_the_difference(tmp_path):
    edited = tmp_path / "new.yaml"
    edited.write_text(FLOW_PATH.read_text(encoding="utf-8").replace("maxlength: 30, regex", "maxlength: 32, regex")
                      .replace("../data/", str(ROOT / "data") + "/"), encoding="utf-8")
    out = tmp_path / "compare.html"
    done = shenbao("explain", str(edited), "--compare", str(FLOW_PATH), "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    html = out.read_text(encoding="utf-8")
    assert html.count('class="changed"') == 1
    assert "最多30个字符" in html and "最多32个字符" in html
    # the list above the table is the semantic diff's (shenbao diff)
    lines = semantic_diff(read_flow(FLOW_PATH), read_flow(edited), load_catalog()).lines
    assert lines and all(line.text in html for line in lines)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by scripts/bootstrap.sh")
def test_explain_command__pdf_through_the_form_renderer(tmp_path):
    out = tmp_path / "spec.pdf"
    done = shenbao("explain", "--format", "pdf", "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, timeout=60).stdout
    for shown in ("流程说明", "必填；18位；须为有效的公民身份号码", "终态"):
        assert shown in text.replace("\n", "")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by scripts/bootstrap.sh")
def test_explain_command__compare_as_pdf__both_versions_and_the_mark(tmp_path):
    edited = tmp_path / "new.yaml"
    edited.write_text(FLOW_PATH.read_text(encoding="utf-8").replace("maxlength: 30, regex", "maxlength: 32, regex")
                      .replace("../data/", str(ROOT / "data") + "/"), encoding="utf-8")
    out = tmp_path / "compare.pdf"
    done = shenbao("explain", str(edited), "--compare", str(FLOW_PATH), "--format", "pdf", "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, timeout=60).stdout
    flat = text.replace("\n", "").replace(" ", "")
    catalog = load_catalog()
    assert "最多30个字符" in flat and "最多32个字符" in flat
    assert flat.count(f"【{catalog.text('explain.spec.changed')}】") == 1
    lines = semantic_diff(read_flow(FLOW_PATH), read_flow(edited), load_catalog()).lines
    assert lines and all(line.text.replace(" ", "") in flat for line in lines)
