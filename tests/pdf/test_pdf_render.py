"""renderers/pdf: the 申请表 as PDF, read back with pdftotext."""
from __future__ import annotations

import os
import re

import pytest

import pdf_samples
from pdf_samples import GOLDEN, SAMPLE_NAMES, declared_values, pdftotext
from renderers.pdf import prepared_fonts, render_pdf
from renderers.pdf.linebreak import NO_LINE_START

def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered(samples):
    """Sample name → (view, PDF bytes), each rendered once for the module."""
    out = {}
    for name, values in samples.items():
        view = pdf_samples.view(values)
        out[name] = (view, render_pdf(view))
    return out


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pdf__sample__every_declared_value_in_pdftotext_layout(rendered, name):
    view, pdf = rendered[name]
    lines = [_squeeze(line) for line in pdftotext(pdf, "-layout").splitlines()]
    values = declared_values(view)
    assert all(values.values()), f"empty values: {[k for k, v in values.items() if not v]}"
    missing = {ref: text for ref, text in values.items() if not any(_squeeze(text) in line for line in lines)}
    assert missing == {}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pdf__sample__values_independent_of_view_present(rendered, samples, name):
    """Spot checks computed from the raw values, not from the view under test."""
    _, pdf = rendered[name]
    text = _squeeze(pdftotext(pdf, "-layout"))
    values = samples[name]
    for expected in (values["name"], values["id_no"], values["cert_no"], values["cert_issue_date"].isoformat(),
                     values["application_no"], values["school_name"], values["address"], values["email"],
                     values["chosen_agency"]["name"], values["chosen_point"]["name"], _squeeze(values["chosen_point"]["address"]),
                     values["chosen_point"]["starts"].strftime("%Y-%m-%d%H:%M"), values["flow_version"],
                     values["generated_on"].isoformat()):
        assert expected in text, expected
    labels = pdf_samples.option_label_function()
    for field_id in ("ethnic_group", "cert_type", "teaching_stage", "putonghua_level", "gender"):
        assert labels(field_id, values[field_id]) in text, field_id


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pdf__sample__fits_one_a4_page(rendered, name):
    _, pdf = rendered[name]
    assert pdftotext(pdf, "-layout").count("\f") == 1
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf


def test_pdf__rare_characters__drawn_from_the_font_not_blank(rendered):
    _, pdf = rendered["rare_name"]
    text = pdftotext(pdf, "-layout")
    for char in "䶮喆珺堃镕":
        assert char in text
    # no missing-glyph warning: checked for every test by conftest.no_missing_glyphs


def test_pdf__registry_photo__embedded_as_jpeg(rendered):
    assert b"/DCTDecode" in rendered["registry_with_photo"][1]
    assert b"/DCTDecode" not in rendered["typed_without_photo"][1]
    assert "照片" in pdftotext(rendered["typed_without_photo"][1], "-layout")


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pdf__same_input__identical_bytes(rendered, samples, name):
    _, pdf = rendered[name]
    assert render_pdf(pdf_samples.view(samples[name])) == pdf


def test_pdf__metadata__creation_date_from_generation_date(rendered):
    _, pdf = rendered["registry_with_photo"]
    assert b"/CreationDate (D:20260915000000Z" in pdf


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pdf__layout__matches_golden_text(rendered, name):
    """Layout regressions show up as a changed `pdftotext -layout` text.

    After an intended layout change: SHENBAO_UPDATE_GOLDEN=1 pytest tests/pdf, then review
    the diff of tests/pdf/golden/ and look at the pages (pdftoppm -png -r 80).
    """
    _, pdf = rendered[name]
    text = pdftotext(pdf, "-layout")
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("SHENBAO_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_pdf__long_values__clean_page_break_and_no_closing_punctuation_at_line_start(samples):
    # Six values of 100 characters: more than the one page the form declares holds even at its
    # tightest spacing (60 characters each now fit on it: tests/pdf/test_pdf_fit.py).
    long_text = "北京市海淀区学院南路甲18号，教师进修学校（东厅）、一层；请从北门进入。" * 3
    values = dict(samples["typed_without_photo"], address=long_text, school_name=long_text[:100],
                  graduated_school=long_text[:100], household_registration=long_text[:100],
                  birthplace=long_text[:100], major=long_text[:100], cert_issuer=long_text[:100])
    view = pdf_samples.view(values)
    pdf = render_pdf(view)
    layout = pdftotext(pdf, "-layout")
    assert layout.count("\f") == 2  # two pages
    page_two = layout.split("\f")[1]
    assert view.title + view.continued in page_two and "TR2026000456" in page_two
    for line in pdftotext(pdf, "-raw").splitlines():
        assert not line.strip() or line.strip()[0] not in NO_LINE_START, line
    raw = _squeeze(pdftotext(pdf, "-raw"))
    assert _squeeze(long_text) in raw
    assert all(_squeeze(v) in raw for v in declared_values(view).values())


@pytest.mark.expects_missing_glyphs
def test_pdf__character_no_font_has__reported_by_plan_and_fpdf(samples, caplog):
    """The guard in conftest works: a character outside the font is noticed, not silent."""
    odd = "\U00030000"  # CJK Extension G: in neither Noto Sans CJK nor HanaMin
    view = pdf_samples.view(dict(samples["typed_without_photo"], address="北京" + odd))
    assert odd in prepared_fonts().plan(odd).missing
    render_pdf(view)
    assert any("missing" in r.getMessage() for r in caplog.records if r.name.startswith("fpdf"))
