"""renderers/web/widgets.py: one widget per field type; renderers/web/fieldhtml.py: each drawn as
the Jinja macros of templates/_widgets.html drew it, to the byte.

tests/web/golden/widgets.json is what those macros made of tests/web/widgetcases.py's models
(made with them before they were replaced, issue 10); a drawer that changes a byte fails here.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from engine import FIELD_TYPES, FieldView, Option
from renderers.web.context import make_env
from renderers.web.fieldhtml import DRAWERS, field_html, sections_html
from renderers.web.forms import Errors, SectionModel, Texts
from renderers.web.widgets import WIDGETS, drawer_of
from shenbao.catalog import load_catalog
from widgetcases import CASES
from websupport import FLOW

GOLDEN = json.loads((Path(__file__).parent / "golden" / "widgets.json").read_text(encoding="utf-8"))
CATALOG = load_catalog()


def test_widgets__one_entry_per_engine_field_type():
    assert set(WIDGETS) == set(FIELD_TYPES)


def test_widgets__every_drawer_named__exists():
    assert {w.drawer for w in WIDGETS.values()} | {"readonly"} <= set(DRAWERS)


def test_widgets__read_only_field__drawn_as_its_value_except_a_photo():
    assert drawer_of("text", readonly=True) == "readonly"
    assert drawer_of("photo", readonly=True) == "photo"
    assert drawer_of("image", readonly=False) == "file" and WIDGETS["image"].multipart


def test_widgets__golden_cases__every_drawer_and_every_widget_feature():
    assert {f.widget for f in CASES.values()} == set(DRAWERS)
    assert set(GOLDEN) == set(CASES) | {"(sections)"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_widgets__each_field__drawn_as_the_macros_drew_it(name):
    assert field_html(CASES[name], CATALOG.text) == GOLDEN[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_widgets__through_the_template_macro__the_same(name):
    template = make_env(CATALOG).from_string('{% import "_fields.html" as ui with context %}{{ ui.field(f) }}')
    assert template.render(f=CASES[name], csrf_token="x") == GOLDEN[name]


def test_widgets__sections__titles_help_and_fields_as_the_macros_drew_them():
    fields = tuple(CASES.values())
    sections = [SectionModel("Title <1>", "Help & 1", fields[:3]), SectionModel(None, None, (CASES["readonly"],)),
                SectionModel("Empty", None, ())]
    assert sections_html(sections, CATALOG.text) == GOLDEN["(sections)"]
    template = make_env(CATALOG).from_string('{% import "_fields.html" as ui with context %}{{ ui.sections(s) }}')
    assert template.render(s=sections, csrf_token="x") == GOLDEN["(sections)"]


def test_widgets__every_field_of_the_flow__the_frame_texts_keeps__draws_as_a_new_one():
    """forms.Texts keeps one frame per field of a flow version: drawn with it, each field of each
    step (editable and read-only, with and without an error) is what its model alone draws."""
    texts = Texts(FLOW, CATALOG)
    drawn = 0
    for step in FLOW.steps:
        for fld in step.fields:
            for readonly in (False, True):
                options = tuple(Option(v, label, True) for v, label in fld.options.static) if fld.options else ()
                view = FieldView(fld.id, fld.type, fld.label, fld.help, None, "typed <x>", options,
                                 fld.options.columns if fld.options else (), readonly or not fld.is_input,
                                 bool(fld.rules.get("required")), fld.secret)
                for errors in (Errors(), Errors({fld.id: "wrong & <b>"})):
                    kept = texts.field(view, errors)
                    assert kept.frame is not None
                    assert field_html(kept, CATALOG.text) == field_html(replace(kept, frame=None), CATALOG.text)
                    drawn += 1
    assert drawn > 100
