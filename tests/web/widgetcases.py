"""Field models for tests/web/test_web_widgets.py: each widget plain and with everything it can
show (hint, error, required mark, options, columns, a kept upload, file checks, a photo), texts
with markup characters in them, so the golden file pins every branch and every escape."""
from __future__ import annotations

from renderers.web.forms import FieldModel, OptionModel

NASTY = 'a <b> & "c"'
OPTIONS = (OptionModel("one", f"One {NASTY}", False), OptionModel('two"', "Two", True))
ROWS = (OptionModel("p1", "P1", True, ("Lead <1>", "cell & 2")), OptionModel("p2", "P2", False, ("Lead 2", "x")))


def model(widget: str, **given: object) -> FieldModel:
    values: dict[str, object] = dict(id="f_1", type="text", label=f"Label {NASTY}", help=None, value=f"typed {NASTY}",
                                     shown=f"shown {NASTY}", options=(), columns=(), readonly=False, required=False,
                                     error=None, widget=widget)
    values.update(given)
    return FieldModel(**values)  # type: ignore[arg-type]


FULL = dict(help=f"hint {NASTY}", error=f"error {NASTY}", required=True)

CASES: dict[str, FieldModel] = {
    "input": model("input"),
    "input_full": model("input", autocomplete="tel", input_type="date", **FULL),
    "input_hint_only": model("input", help="hint", input_type="password"),
    "input_error_only": model("input", error="error", input_type="email", autocomplete="email"),
    "textarea": model("textarea"),
    "textarea_full": model("textarea", **FULL),
    "select": model("select"),
    "select_full": model("select", options=OPTIONS, **FULL),
    "choices_radio": model("choices", options=OPTIONS, input_type="radio"),
    "choices_checkbox_full": model("choices", options=OPTIONS, input_type="checkbox", **FULL),
    "choices_empty": model("choices", input_type="radio"),
    "table_choice": model("table_choice", options=ROWS, columns=("Head <1>", "Head & 2")),
    "table_choice_full": model("table_choice", options=ROWS, columns=("Head <1>", "Head & 2"), **FULL),
    "table_choice_no_rows": model("table_choice", columns=("Head",)),
    "file": model("file", input_type="file", value=""),
    "file_full": model("file", input_type="file", value="", accept="image/jpeg,image/png", kept=f"kept {NASTY}",
                       checks=(("max-bytes", "1048576"), ("too-big", f"too big {{kb}} {NASTY}")), **FULL),
    "file_kept_only": model("file", input_type="file", value="", kept="kept", required=True),
    "file_required": model("file", input_type="file", value="", required=True, accept="image/jpeg"),
    "photo": model("photo", readonly=True),
    "photo_shown": model("photo", readonly=True, photo="data:image/png;base64,iVBOR&w0="),
    "readonly": model("readonly", id="show_1", readonly=True, required=True, help="not shown", error="not shown"),
}
