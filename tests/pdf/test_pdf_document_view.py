"""engine/document.py: the documents section resolved against an application's values."""
from __future__ import annotations

import ast
import json
from datetime import date, datetime

import jsonschema
import pytest

import pdf_samples
from engine import FlowError, load_flow
from engine.document import Box, Cell, flow_rows, format_value, resolve_document
from shenbao.flows import load_schemas

ROOT = pdf_samples.ROOT
LABELS = {"doc.title": "申请表", "doc.code": "报名号", "sec.a": "基本信息", "field.name.label": "姓名",
          "field.gender.label": "性别", "doc.where": "地址", "doc.time": "{starts} 至 {ends}", "doc.when": "时间",
          "doc.photo": "照片", "box.t": "签名", "box.s": "年　月　日", "flow.title": "t", "step.a.title": "a",
          "field.point.label": "确认点", "option.male": "男", "field.photo.label": "照片"}
FLOW = """
flow: {id: small, version: "1", title: flow.title}
datasets:
  points:
    columns: {code: text, address: text, starts: datetime, ends: datetime}
    key: [code]
lookups:
  chosen_point: {dataset: points, match: {code: point}}
steps:
  - id: a
    kind: form
    title: step.a.title
    fields:
      - {id: name, type: text, label: field.name.label}
      - {id: gender, type: radio, label: field.gender.label, options: [{value: male, label: option.male}]}
      - {id: point, type: select, label: field.point.label, options: {dataset: points, value: code, label: code}}
      - {id: photo, type: photo, label: field.photo.label, value: "none"}
documents:
  form:
    title: doc.title
    code: {value: application_no, label: doc.code, symbology: qr}
    sections:
      - title: sec.a
        columns: 2
        photo: {value: photo, label: doc.photo}
        fields:
          - name
          - gender
          - {value: chosen_point.address, label: doc.where, span: 2}
          - {text: doc.time, params: {starts: chosen_point.starts, ends: chosen_point.ends}, label: doc.when}
        boxes:
          - {id: sign, title: box.t, sign: box.s, height: 10}
"""
NAMES = {"name": "王䶮喆", "gender": "male", "photo": None, "point": "p1", "application_no": "TR2026000123",
         "chosen_point": {"address": "北京市海淀区", "starts": datetime(2026, 9, 1, 8, 0),
                          "ends": datetime(2026, 9, 5, 17, 30)}}


def small(text: str = FLOW, legacy: bool = False):
    return load_flow(text, "small.yaml", load_schemas(), LABELS.keys(), legacy=legacy)


def options(field_id, code):
    return {"gender": {"male": "男"}}.get(field_id, {}).get(code)


def test_resolve__fields_lookup_columns_params__plain_text():
    view = resolve_document(small().documents["form"], NAMES, LABELS.__getitem__, options)
    section = view.sections[0]
    cells = [cell for row in section.rows for cell in row]
    assert [(c.label, c.text) for c in cells] == [
        ("姓名", "王䶮喆"), ("性别", "男"), ("地址", "北京市海淀区"), ("时间", "2026-09-01 08:00 至 2026-09-05 17:30")]
    assert view.code is not None and view.code.value == "TR2026000123"
    assert section.photo is not None and section.photo.data is None and section.photo.label == "照片"
    assert section.box_rows[0][0].sign == "年　月　日"


def test_resolve__no_chosen_row__blank_cell_not_an_error():
    view = resolve_document(small().documents["form"], dict(NAMES, chosen_point=None), LABELS.__getitem__, options)
    assert [c.text for row in view.sections[0].rows for c in row][2] == ""


def test_resolve__last_cell_of_a_row__widened_to_fill_it():
    view = resolve_document(small().documents["form"], NAMES, LABELS.__getitem__, options)
    assert [[c.span for c in row] for row in view.sections[0].rows] == [[1, 1], [2], [2]]
    assert view.sections[0].box_rows[0][0].span == 2


def test_load__old_dotted_path_through_a_choice_field__refused_with_the_lookup_to_write():
    with pytest.raises(FlowError) as refused:
        small(FLOW.replace("chosen_point.address", "point.address"))
    assert [(p.code, p.hint) for p in refused.value.problems] == [
        ("REF_033", "read the row through lookup 'chosen_point': write 'chosen_point.address'")]


def test_load_stored_version__old_dotted_path__read_through_the_lookup():
    old = FLOW.replace("chosen_point.address", "point.address").replace("chosen_point.starts", "point.starts")
    flow = small(old, legacy=True)
    view = resolve_document(flow.documents["form"], NAMES, LABELS.__getitem__, options)
    assert [c.text for row in view.sections[0].rows for c in row][2:] == [
        "北京市海淀区", "2026-09-01 08:00 至 2026-09-05 17:30"]
    assert flow.digest == small(old.replace("point.address", "point.address"), legacy=True).digest


def test_flow_rows__span_too_wide_for_rest_of_row__starts_next_row():
    cells = [Cell("a", "A", "", 2), Cell("b", "B", "", 2), Cell("c", "C", "", 5), Cell("d", "D", "", 1)]
    rows = flow_rows(cells, 3)
    assert [[(c.ref, c.span) for c in row] for row in rows] == [[("a", 3)], [("b", 3)], [("c", 3)], [("d", 3)]]
    boxes = flow_rows([Box("x", "", "", "", 1.0), Box("y", "", "", "", 1.0)], 3)
    assert [[b.span for b in row] for row in boxes] == [[1, 2]]


def test_format_value__dates_times_lists():
    assert format_value(date(2026, 1, 2)) == "2026-01-02"
    assert format_value(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02 03:04"
    assert format_value(["a", "b"]) == "a、b"
    assert format_value(None) == ""


def test_flow_documents__valid_against_document_schema():
    schema = json.loads((ROOT / "schemas" / "document.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(pdf_samples.documents()))
    assert errors == []


def test_document_schema__dotted_value_without_label__refused():
    schema = json.loads((ROOT / "schemas" / "document.schema.json").read_text())
    bad = {"x": {"title": "a.b", "sections": [{"title": "a.b", "fields": [{"value": "agency.name"}]}]}}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


def test_flow_documents__shows_every_applicant_field_but_passwords():
    flow = pdf_samples.flow()
    document = flow.documents["application_form"]
    shown = {name for section in document.sections for entry in section.entries
             for value in [entry.value, *(v for _, v in entry.params)] if value is not None
             for name in value.expression.names}
    shown |= {name for section in document.sections if section.photo for name in section.photo.expression.names}
    shown |= {name for lookup in flow.lookups if lookup.id in shown
              for e in lookup.match.values() for name in e.names}
    entered = {f.id for step in flow.steps if step.id in ("identity", "agency", "application")
               for f in step.fields if f.type not in ("password", "display")}
    assert entered - shown == set()


def test_engine_document__imports_no_renderer_or_io_library():
    tree = ast.parse((ROOT / "engine" / "document.py").read_text())
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert names <= {"__future__", "dataclasses", "datetime", "decimal", "typing", "model", "images"}
