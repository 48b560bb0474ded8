"""renderers/web/widgets.py: one widget per field type, each drawn by a macro of _widgets.html."""
from __future__ import annotations

import re
from pathlib import Path

from engine import FIELD_TYPES
from renderers.web.widgets import WIDGETS, macro_of

TEMPLATES = Path(__file__).resolve().parents[2] / "renderers" / "web" / "templates"


def test_widgets__one_entry_per_engine_field_type():
    assert set(WIDGETS) == set(FIELD_TYPES)


def test_widgets__every_macro_named__exists_in_the_widgets_template():
    macros = set(re.findall(r"\{% macro (\w+)\(", (TEMPLATES / "_widgets.html").read_text(encoding="utf-8")))
    assert {w.macro for w in WIDGETS.values()} | {"readonly"} <= macros


def test_widgets__read_only_field__drawn_as_its_value_except_a_photo():
    assert macro_of("text", readonly=True) == "readonly"
    assert macro_of("photo", readonly=True) == "photo"
    assert macro_of("image", readonly=False) == "file" and WIDGETS["image"].multipart
