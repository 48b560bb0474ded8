"""engine/document.py: the documents section resolved against an application's values."""
from __future__ import annotations

import ast
import json
from datetime import date, datetime

import jsonschema
import pytest

import pdf_samples
from engine.document import (EXTRA_NAMES, Box, Cell, DocumentError, document_message_keys, document_references,
                             flow_rows, format_value, resolve_document, resolve_value)

ROOT = pdf_samples.ROOT
LABELS = {"doc.title": "申请表", "doc.code": "报名号", "sec.a": "基本信息", "field.name.label": "姓名",
          "field.gender.label": "性别", "doc.where": "地址", "doc.time": "{starts} 至 {ends}", "doc.when": "时间",
          "doc.photo": "照片", "box.t": "签名", "box.s": "年　月　日"}
DOCS = {"form": {
    "title": "doc.title",
    "code": {"value": "application_no", "label": "doc.code", "symbology": "qr"},
    "sections": [{
        "title": "sec.a", "columns": 2, "photo": {"value": "photo", "label": "doc.photo"},
        "fields": ["name", "gender", {"value": "point.address", "label": "doc.where", "span": 2},
                   {"text": "doc.time", "params": {"starts": "point.starts", "ends": "point.ends"},
                    "label": "doc.when"}],
        "boxes": [{"id": "sign", "title": "box.t", "sign": "box.s", "height": 10}],
    }],
}}
VALUES = {"name": "王䶮喆", "gender": "male", "photo": None, "application_no": "TR2026000123",
          "point": {"address": "北京市海淀区", "starts": datetime(2026, 9, 1, 8, 0), "ends": datetime(2026, 9, 5, 17, 30)}}


def options(field_id, code):
    return {"gender": {"male": "男"}}.get(field_id, {}).get(code)


def test_resolve__fields_dotted_paths_params__plain_text():
    view = resolve_document(DOCS, "form", VALUES, LABELS.__getitem__, options)
    section = view.sections[0]
    cells = [cell for row in section.rows for cell in row]
    assert [(c.label, c.text) for c in cells] == [
        ("姓名", "王䶮喆"), ("性别", "男"), ("地址", "北京市海淀区"), ("时间", "2026-09-01 08:00 至 2026-09-05 17:30")]
    assert view.code is not None and view.code.value == "TR2026000123"
    assert section.photo is not None and section.photo.data is None and section.photo.label == "照片"
    assert section.box_rows[0][0].sign == "年　月　日"


def test_resolve__last_cell_of_a_row__widened_to_fill_it():
    view = resolve_document(DOCS, "form", VALUES, LABELS.__getitem__, options)
    assert [[c.span for c in row] for row in view.sections[0].rows] == [[1, 1], [2], [2]]
    assert view.sections[0].box_rows[0][0].span == 2


def test_flow_rows__span_too_wide_for_rest_of_row__starts_next_row():
    cells = [Cell("a", "A", "", 2), Cell("b", "B", "", 2), Cell("c", "C", "", 5), Cell("d", "D", "", 1)]
    rows = flow_rows(cells, 3)
    assert [[(c.ref, c.span) for c in row] for row in rows] == [[("a", 3)], [("b", 3)], [("c", 3)], [("d", 3)]]
    boxes = flow_rows([Box("x", "", "", "", 1.0), Box("y", "", "", "", 1.0)], 3)
    assert [[b.span for b in row] for row in boxes] == [[1, 2]]


def test_resolve__unknown_document__names_the_declared_ones():
    with pytest.raises(DocumentError, match="declared: form"):
        resolve_document(DOCS, "nope", VALUES, LABELS.__getitem__)


def test_resolve_value__missing_or_not_a_mapping__none():
    assert resolve_value("point.address", VALUES) == "北京市海淀区"
    assert resolve_value("agency.name", VALUES) is None
    assert resolve_value("name.first", VALUES) is None


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


def test_flow_documents__every_message_key_in_catalogue():
    catalogue = pdf_samples.catalogue()
    missing = [(path, key) for path, key in document_message_keys(pdf_samples.documents()) if key not in catalogue]
    assert missing == []


def test_flow_documents__every_reference_names_a_field_or_extra_name():
    flow = pdf_samples.load_yaml(pdf_samples.FLOW)
    fields = set()
    for step in flow["steps"]:
        for section in [step, *step.get("sections", [])]:
            fields |= {f["id"] for f in section.get("fields", [])}
    unknown = [(path, ref) for path, ref in document_references(flow["documents"])
               if ref.split(".")[0] not in fields | set(EXTRA_NAMES)]
    assert unknown == []


def test_flow_documents__shows_every_applicant_field_but_passwords():
    flow = pdf_samples.load_yaml(pdf_samples.FLOW)
    shown = {ref.split(".")[0] for _, ref in document_references(flow["documents"])}
    entered = {f["id"] for step in flow["steps"] if step["id"] in ("identity", "agency", "application")
               for section in [step, *step.get("sections", [])] for f in section.get("fields", [])
               if f["type"] not in ("password", "display")}
    assert entered - shown == set()


def test_engine_document__imports_no_renderer_or_io_library():
    tree = ast.parse((ROOT / "engine" / "document.py").read_text())
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert names <= {"__future__", "dataclasses", "datetime", "typing"}
