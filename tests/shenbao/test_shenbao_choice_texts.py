"""A choice answer on the printed form reads as the web reads it: the chosen options' labels in
the order the field offers them, whatever order the answer came in (a scenario, the console,
an API), then any value no longer offered (shenbao/documents.py `choice_texts`)."""
from __future__ import annotations

from datetime import datetime

from engine import MemorySource, load_flow
from engine.document import resolve_document
from shenbao.catalog import Catalog
from shenbao.documents import choice_texts
from shenbao.flows import load_schemas

MESSAGES = {"flow.title": "t", "step.a.title": "a", "doc.title": "表", "sec.a": "信息",
            "field.subjects.label": "任教学科", "field.rooms.label": "教室", "document.separator": "、",
            "option.maths": "数学", "option.chinese": "语文", "option.music": "音乐"}
FLOW = """
flow: {id: small, version: "1", title: flow.title}
datasets:
  rooms:
    columns: {code: text, name: text, rank: number}
    key: [code]
steps:
  - id: a
    kind: form
    title: step.a.title
    fields:
      - id: subjects
        type: checkbox
        label: field.subjects.label
        options: [{value: chinese, label: option.chinese}, {value: maths, label: option.maths},
                  {value: music, label: option.music}]
      - {id: rooms, type: checkbox, label: field.rooms.label,
         options: {dataset: rooms, value: code, label: name, order: rank}}
documents:
  form:
    title: doc.title
    sections:
      - {title: sec.a, fields: [subjects, rooms]}
"""
ROOMS = [{"code": "r2", "name": "二号楼", "rank": 2}, {"code": "r1", "name": "一号楼", "rank": 1},
         {"code": "r3", "name": "三号楼", "rank": 3}]


def printed(answers):
    flow = load_flow(FLOW, "small.yaml", load_schemas(), MESSAGES.keys())
    catalog = Catalog("zh_CN", MESSAGES)
    source = MemorySource({"rooms": ROOMS})
    names = {**{name: None for name in flow.field_names}, **answers}
    view = resolve_document(flow.documents["form"], names, catalog.text,
                            choice_texts(flow, source, catalog, answers, datetime(2026, 9, 1)))
    return [cell.text for row in view.sections[0].rows for cell in row]


def test_printed_form__choices_given_out_of_order__read_in_the_fields_option_order():
    assert printed({"subjects": ["music", "chinese"], "rooms": ["r3", "r1"]}) == ["语文、音乐", "一号楼、三号楼"]


def test_printed_form__value_no_longer_offered__follows_the_offered_ones_as_given():
    assert printed({"subjects": ["gone", "maths"], "rooms": []}) == ["数学、gone", ""]
