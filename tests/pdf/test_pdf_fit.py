"""renderers/pdf: the 申请表 fills the pages its document declares (`pages`), read back with pdftotext.

The shipped form declares `pages: 1` and has no spare row at the normal spacing. One more printed
field (the fourth policy edit of tests/policyedits.py) is drawn at a tighter spacing on that page, in
type of the same size; many more go on to a second page cleanly: the title and the application
number repeated, no row cut, each section of boxes (signatures, review) whole on one page.
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from functools import lru_cache

import pytest

import pdf_samples
from pdf_samples import SAMPLE_NAMES, pdftotext
from policyedits import NEW_MESSAGES, NEW_SELECT, edited_flow_text
from renderers.pdf import render_pdf
from renderers.pdf.spacing import NORMAL, STEPS, TIGHTEST, loosest_fit, spacing

SHIPPED = pdf_samples.FLOW.read_text(encoding="utf-8")
# The flow with the fourth policy edit (one more printed field); in a copy of the project that
# tests/policyedits.py has edited already (tests/test_policy_edits.py), the flow as it is.
POLICY = SHIPPED if NEW_SELECT in pdf_samples.flow().fields else edited_flow_text(SHIPPED)
WORK_END = "          - putonghua_level\n"  # the last field of the form's work section
# Fields printed elsewhere on the form, printed again as extra entries of the work section.
REPEATED = ["name", "id_no", "cert_no", "birth_date", "email", "mobile", "telephone", "postcode", "city",
            "major", "graduation_date", "cert_issue_date"]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _with_work_entries(text: str, count: int) -> str:
    assert text.count(WORK_END) == 1, "the work section's last printed field moved: update WORK_END"
    extra = "".join(f"          - {REPEATED[i % len(REPEATED)]}\n" for i in range(count))
    return text.replace(WORK_END, WORK_END + extra)


@lru_cache(maxsize=None)
def _flow(text: str):
    return pdf_samples.flow_from_text(text, NEW_MESSAGES)


def _render(values: dict, text: str) -> tuple[object, bytes]:
    view = pdf_samples.view(values, of=_flow(text), extra_messages=NEW_MESSAGES)
    return view, render_pdf(view)


def _printed(view) -> list[str]:
    """What the sections print, in the order they declare it (titles, labels, values, boxes)."""
    items: list[str] = []
    for section in view.sections:
        items.append(section.title)
        for row in section.rows:
            for cell in row:
                items += [cell.label, cell.text]
        for box_row in section.box_rows:
            for box in box_row:
                items += [box.title, box.text, box.sign]
    items += [part for cell in view.footer for part in (cell.label, cell.text)]
    return [item for item in items if item]


def _first_out_of_order(text: str, items: list[str]) -> str | None:
    """The first item not found after the one before it in the squeezed text (None: all in order)."""
    at = 0
    for item in items:
        found = text.find(_squeeze(item), at)
        if found < 0:
            return item
        at = found + len(_squeeze(item))
    return None


def _pages(pdf: bytes) -> list[str]:
    return pdftotext(pdf, "-raw").split("\f")[:-1]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_fit__one_more_printed_field__still_one_page_every_label_and_value_in_order(samples, name):
    values = dict(samples[name], **{NEW_SELECT: "completed"})
    view, pdf = _render(values, POLICY)
    pages = _pages(pdf)
    assert view.pages == 1 and len(pages) == 1
    text = _squeeze(pages[0])
    assert _first_out_of_order(text, _printed(view)) is None
    assert _squeeze(NEW_MESSAGES[f"field.{NEW_SELECT}.label"] + NEW_MESSAGES[f"option.{NEW_SELECT}.completed"]) in text
    assert _squeeze(view.page_number.format(page=1, pages=1)) in text


def test_fit__tighter_rows__same_type_size_less_space(samples):
    """The bounding boxes of a value's words: as high as at the normal spacing (the same form without
    `pages`, which then takes two pages), the rows closer."""
    values = dict(samples["registry_with_photo"], **{NEW_SELECT: "completed"})
    view, pdf = _render(values, POLICY)
    normal = _word_boxes(render_pdf(replace(view, pages=None)))
    tight = _word_boxes(pdf)
    for word in (values["mobile"], values["postcode"], values["chosen_agency"]["phone"]):
        assert tight[word][3] - tight[word][1] == pytest.approx(normal[word][3] - normal[word][1], abs=0.01)
    gap = lambda boxes: boxes[values["mobile"]][1] - boxes[values["postcode"]][1]  # noqa: E731  one row apart
    assert 0 < gap(tight) < gap(normal)


def _word_boxes(pdf: bytes, page: int = 1) -> dict[str, tuple[float, ...]]:
    """Word → (xMin, yMin, xMax, yMax) in pt on one page, as poppler finds them."""
    html = pdftotext(pdf, "-bbox", "-f", str(page), "-l", str(page))
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>', html)
    return {word: tuple(map(float, box)) for *box, word in found}


def test_fit__many_more_printed_fields__two_clean_pages(samples, caplog):
    caplog.set_level(logging.WARNING, logger="renderers.pdf.pdf")
    values = dict(samples["typed_without_photo"], **{NEW_SELECT: "exempt"})
    view, pdf = _render(values, _with_work_entries(POLICY, 24))
    pages = _pages(pdf)
    assert len(pages) == 2
    assert any("declares 1 page(s) but needs 2" in r.getMessage() for r in caplog.records)
    squeezed = [_squeeze(page) for page in pages]
    assert _squeeze(view.title + view.continued) in squeezed[1] and values["application_no"] in squeezed[1]
    assert _first_out_of_order("".join(squeezed), _printed(view)) is None
    for section in view.sections:
        for row in section.rows:  # a row is drawn label, value, label, value: whole on one page
            whole = _squeeze("".join(cell.label + cell.text for cell in row))
            assert any(whole in page for page in squeezed), whole
        if section.box_rows and not section.rows:  # a section of boxes: title and every box together
            boxes = [section.title] + [part for row in section.box_rows for box in row
                                       for part in (box.title, box.text, box.sign) if part]
            assert any(_first_out_of_order(page, boxes) is None for page in squeezed), section.title
    for number, page in enumerate(pages, 1):
        assert _squeeze(view.page_number.format(page=number, pages=2)) in _squeeze(page)
    # The footer of page 2 in the footer's type, inside the right margin (it was drawn in the 9 pt
    # of the page's last text, past the margin: fpdf2 took the font as already set on that page).
    first, second = _word_boxes(pdf, 1), _word_boxes(pdf, 2)
    label, last = view.footer[0].label, view.page_number.format(page=2, pages=2).split()[-1]
    assert second[label][3] - second[label][1] == pytest.approx(first[label][3] - first[label][1], abs=0.01)
    assert second[last][2] == pytest.approx(first[last][2], abs=0.01)


def test_fit__long_value__wrapped_whole_on_the_one_page(samples):
    address = "北京市海淀区学院南路甲18号院教师进修学校东厅一层（请从北门进入，经传达室登记后由工作人员引导至确认点）" * 2
    values = dict(samples["registry_with_photo"], address=address, **{NEW_SELECT: "completed"})
    view, pdf = _render(values, POLICY)
    pages = _pages(pdf)
    assert len(pages) == 1
    assert _squeeze(address) in _squeeze(pages[0])                       # every character, in order
    layout_lines = [_squeeze(line) for line in pdftotext(pdf, "-layout").splitlines()]
    holding = [line for line in layout_lines if any(part in line for part in (address[:8], address[-8:]))]
    assert len(holding) >= 2 and not any(_squeeze(address) in line for line in layout_lines)  # wrapped
    assert _first_out_of_order(_squeeze(pages[0]), _printed(view)) is None


def test_fit__no_pages_declared__normal_spacing_on_as_many_pages_as_it_takes(samples):
    text = POLICY
    declared = "    pages: 1"
    assert text.count(declared) == 1
    without = "".join(line for line in text.splitlines(keepends=True) if not line.startswith(declared))
    values = dict(samples["registry_with_photo"], **{NEW_SELECT: "completed"})
    view, pdf = _render(values, without)
    assert view.pages is None
    assert len(_pages(pdf)) == 2


@pytest.mark.parametrize("needs, declared, expected", [
    ([1] * (STEPS + 1), 1, (0, 1)),                      # fits at the normal spacing: drawn at it
    ([2, 2, 2, 1, 1, 1, 1, 1, 1], 1, (3, 1)),            # the loosest spacing that fits one page
    ([2] * STEPS + [1], 1, (STEPS, 1)),                  # only the tightest fits
    ([3, 3, 3, 2, 2, 2, 2, 2, 2], 1, (3, 2)),            # never one page: the loosest of the fewest
    ([2] * (STEPS + 1), 1, (0, 2)),                      # two pages at any spacing: the normal one
    ([3, 2, 2, 2, 2, 2, 2, 2, 2], 2, (1, 2)),            # a two-page document
])
def test_fit__search__loosest_spacing_that_needs_the_fewest_pages(needs, declared, expected):
    assert len(needs) == STEPS + 1
    assert loosest_fit(lambda step: needs[step], declared) == expected


def test_fit__spacings__from_normal_to_tightest_never_looser():
    steps = [spacing(step) for step in range(STEPS + 1)]
    assert steps[0] == NORMAL and steps[-1] == TIGHTEST
    for looser, tighter in zip(steps, steps[1:]):
        assert tighter.row_min_h < looser.row_min_h and tighter.pad_y < looser.pad_y
