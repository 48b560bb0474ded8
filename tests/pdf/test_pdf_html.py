"""renderers/pdf/html.py: the same 申请表 as print-ready HTML."""
from __future__ import annotations

import html

import pytest

import pdf_samples
from renderers.pdf import render_html
from pdf_samples import SAMPLE_NAMES, declared_values


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_html__sample__every_declared_value_and_a4_print_css(samples, name):
    view = pdf_samples.view(samples[name])
    page = render_html(view)
    missing = {ref: text for ref, text in declared_values(view).items() if html.escape(text, quote=False) not in page}
    assert missing == {}
    assert "@page { size: A4;" in page and '<html lang="zh-CN">' in page
    assert 'src="data:image/svg+xml' in page  # the QR code


def test_html__markup_in_a_value__escaped(samples):
    values = dict(samples["typed_without_photo"], school_name="<b>x</b>", address='"><script>alert(1)</script>')
    page = render_html(pdf_samples.view(values))
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "<script>" not in page


def test_html__photo__inline_jpeg_or_empty_box(samples):
    with_photo = render_html(pdf_samples.view(samples["registry_with_photo"]))
    without = render_html(pdf_samples.view(samples["typed_without_photo"]))
    assert 'src="data:image/jpeg;base64,' in with_photo
    assert "data:image/jpeg" not in without and ">照片<" in without


def test_html__same_input__same_text(samples):
    view = pdf_samples.view(samples["rare_name"])
    assert render_html(view) == render_html(view)


def test_render__format_not_declared__refused(samples):
    from dataclasses import replace

    from renderers.pdf import render_pdf
    view = pdf_samples.view(samples["typed_without_photo"])
    with pytest.raises(ValueError, match="html"):
        render_html(replace(view, formats=("pdf",)))
    with pytest.raises(ValueError, match="pdf"):
        render_pdf(replace(view, formats=("html",)))
