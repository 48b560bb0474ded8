"""The `application:` section and role bindings, as the engine builds them (engine flows only)."""
from __future__ import annotations

import textwrap

import pytest

from engine import FlowError, load_flow
from engine.model import Binding, Numbering
from engine_flowtest import SCHEMAS

KEYS = {"flow.title", "step.a.title", "field.a.label", "field.b.label", "field.c.label", "gate.taken"}


def flow_of(extra: str, roles: str = "roles: [staff]"):
    text = textwrap.dedent("""\
        flow: {id: t, version: "1", title: flow.title}
        %s
        datasets:
          places: {key: [code], columns: {code: text, name: text}}
        steps:
          - id: a
            kind: form
            title: step.a.title
            fields:
              - {id: code, type: text, label: field.a.label, rules: {required: true}}
              - {id: mail, type: email, label: field.b.label, rules: {required: true}}
              - {id: place, type: select, label: field.c.label, options: {dataset: places, value: code, label: name}}
        """) % roles + textwrap.dedent(extra)
    return load_flow(text, "t.yaml", SCHEMAS, KEYS)


def test_application__declared__numbering_identity_and_searchable_in_the_model():
    flow = flow_of("""\
        application:
          number: {prefix: EV, year: false, digits: 4}
          identity: {login: [code, mail], unique: [code], duplicate_message: gate.taken}
          recovery_email: mail
          searchable: [place]
        """, "roles: {staff: {binds: {dataset: places, answer: place}}, boss: {}}")
    spec = flow.application
    assert spec.number == Numbering("EV", False, 4)
    assert (spec.unique, spec.login, spec.recovery) == (("code",), ("code", "mail"), ("code", "mail"))
    assert spec.recovery_email == "mail" and spec.duplicate_message == "gate.taken"
    assert spec.searchable == ("code", "mail", "place")
    assert flow.bindings == {"staff": Binding("places", "place", "code"), "boss": None}
    assert flow.roles == frozenset({"staff", "boss"})


def test_application__absent__defaults_and_unbound_roles():
    flow = flow_of("")
    assert flow.application.login == () and flow.application.number == Numbering()
    assert flow.bindings == {"staff": None}


def test_application__unique_field_left_out_of_login__refused_with_its_place():
    with pytest.raises(FlowError) as refused:
        flow_of("""\
            application:
              identity: {login: [mail], unique: [code]}
            """)
    assert [p.code for p in refused.value.problems] == ["APP_004"]
    assert "add 'code' to identity.login" in str(refused.value)
