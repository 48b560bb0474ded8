"""The field-type registry (engine.fieldtypes) and the `image` type it proves.

The schema's type enum is the registry's keys; the engine's decisions (choice checks,
`value:` fields, rules per value kind) come from the table; and images are judged by their
own header, not their name: a PDF renamed .jpg, a 20 MB file and a 10×10 px picture are
refused with their own codes and the figures a message needs.
"""
from __future__ import annotations

import json

import pytest

import imagefiles
from engine import FlowError
from engine.fieldtypes import FIELD_TYPES, KINDS
from engine.images import ImageValue, Upload, image_from_json, read_image
from engine.normalize import Unacceptable
from engine_flowtest import ROOT, make_flow, make_run

SCHEMA = json.loads((ROOT / "schemas" / "flow.schema.json").read_text(encoding="utf-8"))

PHOTO_FLOW = """
steps:
  - id: s
    fields:
      - id: photo
        type: image
        rules: {required: true, formats: [jpeg, png], max_bytes: 204800, min_pixels: [90, 120], max_pixels: [600, 800]}
"""


def test_schema__field_type_enum__exactly_the_registry_keys():
    assert SCHEMA["$defs"]["field"]["properties"]["type"]["enum"] == list(FIELD_TYPES)


def test_registry__every_entry__names_a_known_value_kind_and_is_consistent():
    for name, kind in FIELD_TYPES.items():
        assert kind.kind in KINDS, name
        assert not (kind.shows_value and kind.input), f"{name}: shown from `value:` yet typed into"
        assert not (kind.secret and kind.choice), name


def test_registry__choice_type_without_options__refused_at_load():
    with pytest.raises(FlowError, match="needs `options`"):
        make_flow("steps: [{id: s, fields: [{id: pick, type: radio}]}]")


def test_registry__shown_type_without_value__refused_at_load():
    with pytest.raises(FlowError, match="needs `value`"):
        make_flow("steps: [{id: s, fields: [{id: pic, type: photo}]}]")


def test_image_rule__on_a_text_field__refused_with_its_kind():
    with pytest.raises(FlowError) as error:
        make_flow("steps: [{id: s, fields: [{id: x, type: text, rules: {max_bytes: 10}}]}]")
    assert "RULE_006 rule 'max_bytes' applies to fields holding image, not text" in str(error.value)


@pytest.mark.parametrize("rules, said", [
    ("{formats: [gif]}", "rule 'formats' takes a list of image formats (jpeg, png)"),
    ("{min_pixels: [90]}", "rule 'min_pixels' takes [width, height] in pixels"),
])
def test_image_rule__bad_argument__refused(rules, said):
    with pytest.raises(FlowError, match=said.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        make_flow(f"steps: [{{id: s, fields: [{{id: x, type: image, rules: {rules}}}]}}]")


@pytest.mark.parametrize("make, fmt", [(imagefiles.jpeg, "jpeg"), (imagefiles.png, "png")])
def test_read_image__real_file__format_and_pixels_from_its_header(make, fmt):
    assert read_image(make((114, 156))) == (fmt, 114, 156)


def test_read_image__pdf_renamed_jpg__unreadable():
    with pytest.raises(Unacceptable) as error:
        read_image(imagefiles.pdf_named_jpg())
    assert error.value.code == "image_unreadable"


def test_read_image__truncated_jpeg__unreadable():
    with pytest.raises(Unacceptable):
        read_image(imagefiles.jpeg()[:40])


def test_image_field__photo_of_the_asked_size__taken_as_a_reference():
    data = imagefiles.jpeg()
    run = make_run(PHOTO_FLOW)
    result = run.submit({"photo": Upload(data, "me.jpg")})
    assert result.advanced
    value = run.answers["photo"]
    assert (value.format, value.width, value.height, value.size, value.data) == ("jpeg", 114, 156, len(data), data)
    kept = run.state()["answers"]["photo"]
    assert "data" not in kept and kept["image"] == value.digest  # a draft never holds the bytes
    assert image_from_json(kept) == value


@pytest.mark.parametrize("data, problem, params", [
    (imagefiles.pdf_named_jpg(), "photo:image_unreadable", {}),
    (imagefiles.oversized(20), "photo:image_bytes", {"max_kb": 200, "kb": 20481}),
    (imagefiles.png((10, 10)), "photo:image_small", {"width": 90, "height": 120, "got": "10×10"}),
    (imagefiles.png((1200, 1600)), "photo:image_large", {"width": 600, "height": 800, "got": "1200×1600"}),
])
def test_image_field__bad_upload__refused_with_its_code(data, problem, params):
    run = make_run(PHOTO_FLOW)
    result = run.submit({"photo": Upload(data, "photo.jpg")})
    assert [p.key for p in result.problems] == [problem]
    assert {k: v for k, v in result.problems[0].params.items() if k in params} == params
    assert "photo" not in run.state()["raw"] or run.state()["raw"]["photo"] is None


def test_image_field__not_in_the_declared_formats__refused():
    run = make_run(PHOTO_FLOW.replace("[jpeg, png]", "[jpeg]"))
    [problem] = run.submit({"photo": Upload(imagefiles.png(), "p.png")}).problems
    assert (problem.code, problem.params["formats"]) == ("image_format", "JPEG")


def test_image_field__nothing_chosen_again__keeps_the_earlier_image():
    run = make_run(PHOTO_FLOW + "  - {id: t, fields: [{id: x, type: text}]}\n")
    run.submit({"photo": Upload(imagefiles.jpeg(), "a.jpg")})
    before = run.answers["photo"]
    run.back()
    assert run.submit({"photo": ImageValue.to_json(before)}).advanced
    assert run.answers["photo"] == before


def test_image_field__required_and_empty__required():
    assert [p.key for p in make_run(PHOTO_FLOW).submit({"photo": Upload(b"", "")}).problems] == ["photo:required"]
