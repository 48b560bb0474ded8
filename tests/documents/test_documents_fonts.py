"""The document fonts: the bold face cut to the catalogue's characters covers every bold
text of the form (fpdf2 would otherwise draw blank boxes and only log it), and is not used
when a bold text needs a character it lacks."""
from __future__ import annotations

import logging
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from docsupport import pdftotext
from renderers.pdf import render_pdf
from shenbao.catalog import load_catalog
from renderers.pdf import DocumentFonts, bold_texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pdf"))
import pdf_samples  # noqa: E402

FONTS = DocumentFonts(load_catalog())


@pytest.mark.parametrize("sample", list(pdf_samples.SAMPLES))
def test_small_bold__every_sample__used_and_no_glyph_missing(sample, caplog):
    caplog.set_level(logging.WARNING, logger="fpdf")
    view = pdf_samples.view(pdf_samples.SAMPLES[sample]())
    plan = FONTS.for_view(view)
    assert plan.bold == FONTS.small_bold()
    text = pdftotext(render_pdf(view, plan))
    missing = [r.getMessage() for r in caplog.records if "missing" in r.getMessage().lower()]
    assert missing == []
    for bold in [view.title, view.code.value, *(s.title for s in view.sections)]:
        assert bold in text


def test_small_bold__a_section_continued_on_a_new_page__no_glyph_missing(caplog):
    caplog.set_level(logging.WARNING, logger="fpdf")
    long_address = "广州市天河区镕树路8号喆园" * 160
    view = pdf_samples.view({**pdf_samples.rare_name(), "address": long_address})
    plan = FONTS.for_view(view)
    assert plan.bold == FONTS.small_bold()
    text = pdftotext(render_pdf(view, plan))
    assert view.continued in text and "第2页" in text
    assert [r.getMessage() for r in caplog.records if "missing" in r.getMessage().lower()] == []
    assert set(view.continued) <= FONTS.bold_chars and {c for t in bold_texts(view) for c in t} <= FONTS.bold_chars


def test_small_bold__bold_text_outside_the_catalogue__full_bold_face():
    view = pdf_samples.view(pdf_samples.SAMPLES["rare_name"]())
    odd = replace(view, code=replace(view.code, value="申请䶮0001"))
    assert FONTS.for_view(odd).bold != FONTS.small_bold()


def test_small_bold__a_few_hundred_characters():
    assert 100 < len(FONTS.bold_chars) < 1000
    assert FONTS.small_bold().stat().st_size < 200_000
