"""shenbao.wording: one code, one text, whichever renderer asks (web, console, PDF, commands).

Expected texts are built from the catalogue, never copied. The web's and the console's
`Texts` are the same service (they once chose a problem's message key differently).
"""
from __future__ import annotations

import pytest

from engine import FieldView, GateFailure, Option, Problem
from renderers.console.text import Texts as ConsoleTexts
from renderers.web.forms import Texts as WebTexts
from shenbao.catalog import load_catalog
from shenbao.flows import read_flow
from shenbao.paths import DEFAULT_FLOW
from shenbao.wording import Wording

FLOW = read_flow(DEFAULT_FLOW)
CATALOG = load_catalog()
WORDING = Wording(FLOW, CATALOG)
CHOICE = next(f for f in FLOW.fields.values() if f.options is not None and f.rules.get("required"))
TYPED = next(f for f in FLOW.fields.values() if f.options is None and f.rules.get("required") and not f.secret)


def test_problem__a_choice_left_empty__asks_to_choose():
    label = CATALOG.text(CHOICE.label)
    assert WORDING.problem(Problem(CHOICE.id, "required", {})) == CATALOG.text("problem.required.select", label=label)


def test_problem__a_typed_field_left_empty__asks_to_fill_in():
    label = CATALOG.text(TYPED.label)
    assert WORDING.problem(Problem(TYPED.id, "required", {})) == CATALOG.text("problem.required", label=label)


def test_problem__worded_for_one_field__that_wording_first():
    specific = sorted(k for k in CATALOG.messages if k.count(".") == 2 and k.startswith("problem.")
                      and k.split(".")[1] in FLOW.fields)
    assert specific, "the catalogue words some problem for one field"
    _, fid, code = specific[0].split(".")
    fld = FLOW.fields[fid]
    assert WORDING.problem(Problem(fid, code, {})) == CATALOG.text(specific[0], label=CATALOG.text(fld.label))


def test_problem__of_the_step__generic_key():
    assert WORDING.problem(Problem(None, "required", {})) == CATALOG.text("problem.required")


def test_option_labels__keys_looked_up__dataset_texts_kept():
    options = [Option("male", "option.male", True), Option("bj", "北京市海淀区", False)]
    assert WORDING.option_labels(options) == {"male": CATALOG.text("option.male"), "bj": "北京市海淀区"}


def test_gate_and_status__their_message_keys():
    gate = GateFailure("window_open", "gate.window_open", {"opens": "2026-11-01", "closes": "2026-12-31"})
    assert WORDING.gate(gate) == CATALOG.text("gate.window_open", opens="2026-11-01", closes="2026-12-31")
    initial = FLOW.initial_status
    assert WORDING.status(initial.id) == CATALOG.text(initial.message)


@pytest.mark.parametrize("texts", [WebTexts(FLOW, CATALOG), ConsoleTexts(FLOW, CATALOG)], ids=["web", "console"])
def test_renderers__word_every_problem_as_the_service_does(texts):
    problems = [Problem(f.id, code, {}) for f in FLOW.fields.values()
                for code in ("required", "not_an_option", "regex", "unsupported_chars")]
    problems += [Problem(None, "required", {})]
    assert [texts.problem(p) for p in problems] == [WORDING.problem(p) for p in problems]
    warning = Problem(TYPED.id, "cert_no_standard", {})
    assert texts.warning(warning) == WORDING.warning(warning)


def test_choice_text__labels_in_the_flows_option_order__one_service_for_the_summary_and_read_only_fields():
    """A multi-choice answer reads in the order the form offers the options, whichever order it
    was given in (a console typed it backwards); a value no longer offered is kept, as given."""
    options = [Option("a", "option.male", True), Option("b", "北京市海淀区", False), Option("c", "朝阳区", False)]
    sep = CATALOG.text("web.separator")
    expected = sep.join([CATALOG.text("option.male"), "朝阳区", "gone"])
    assert WORDING.choice_text(["gone", "c", "a"], options, sep) == expected
    assert WORDING.choice_text("b", options, sep) == "北京市海淀区"
    assert WORDING.choice_text(None, options, sep) == "" and WORDING.choice_text([], options, sep) == ""
    web = WebTexts(FLOW, CATALOG)
    view = FieldView("pick", "checkbox", "field.pick.label", None, ["gone", "c", "a"], None, tuple(options), (),
                     True, False, False)
    assert web.shown(view) == expected                                    # a read-only field on the web
