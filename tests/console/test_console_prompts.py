"""renderers/console/prompts.py: one prompt per field type, and the `image` type's file prompt.

Engine-level flow of its own (the product's step 7 uses the same type; its rules are the
flow's). The console asks for a file's path, reads it, and the engine judges the bytes: a
path that cannot be read is asked again, a PDF renamed .jpg gets the catalogue's message, a
real JPEG is taken. A scenario's answer for an image is a path relative to the scenario file.
"""
from __future__ import annotations

from datetime import datetime

import imagefiles
from engine import FIELD_TYPES, ImageValue, MemorySource, Run, Upload, load_flow
from renderers.console.interactive import Console
from renderers.console.prompts import PROMPTS
from renderers.console.text import cut
from shenbao.catalog import load_catalog
from shenbao.flows import load_schemas
from commands.console import texts_for
from test_interactive import Script

FLOW = """
flow: {id: photo, version: "1", title: flow.title}
steps:
  - id: application
    kind: form
    title: step.application.title
    fields:
      - id: photo_upload
        type: image
        label: field.photo_upload.label
        rules: {required: true, formats: [jpeg], max_bytes: 1048576, min_pixels: [90, 120]}
  - {id: done, kind: summary, title: step.done.title, show: []}
"""


def small_flow():
    return load_flow(FLOW, "photo.yaml", load_schemas(), load_catalog().messages.keys())


def test_prompts__one_entry_per_engine_field_type():
    assert set(PROMPTS) == set(FIELD_TYPES)


def test_console__image_field__asks_a_path_refuses_a_pdf_takes_a_jpeg(tmp_path):
    missing, pdf, good = tmp_path / "none.jpg", tmp_path / "scan.jpg", tmp_path / "me.jpg"
    pdf.write_bytes(imagefiles.pdf_named_jpg())
    good.write_bytes(imagefiles.jpeg())
    flow = small_flow()
    texts = texts_for(flow)
    script = Script([str(missing), str(pdf), "", str(good), ""], datetime(2026, 11, 29, 9, 0))
    run = Run(flow, MemorySource({}), lambda: script.now)
    assert Console(run, texts, script.terminal()).play() == 0
    label = texts.label("photo_upload")
    assert texts("console.prompt.file", label=label, current="") in "\n".join(script.prompts)
    assert texts("console.file.unreadable", path=cut(str(missing), 40)) in script.text
    assert texts("problem.image_unreadable", label=label) in script.text
    value = run.answers["photo_upload"]
    assert isinstance(value, ImageValue) and (value.format, value.width, value.height) == ("jpeg", 114, 156)


def test_scenario_answer__image_path_relative_to_the_scenario_file__read_as_upload(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "me.jpg").write_bytes(imagefiles.jpeg())
    upload = PROMPTS["image"].typed("photos/me.jpg", tmp_path)
    assert isinstance(upload, Upload) and upload.data == imagefiles.jpeg() and upload.filename == "me.jpg"
    assert PROMPTS["text"].typed("x", tmp_path) == "x"
