"""The web's field-type table: for each `type:` of a flow field, the widget that draws it and how
its posted value is read.

One entry per engine field type (engine.FIELD_TYPES; tests/web/test_web_widgets.py keeps the
keys equal): `drawer` names the function of fieldhtml.py (`DRAWERS`) that draws the field,
`input_type` the `<input type>` of the plain `input` drawer, `read` turns the posted form (and
its files) into the value the engine's submit takes, and `multipart` says the form must be
sent as multipart/form-data (a file). Adding a type is one entry here and, when it needs a new
look, one drawer in fieldhtml.py. No database, no engine decisions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from engine import FIELD_TYPES, Upload

Reader = Callable[[Any, Any, str], Any]  # (forms, files, field id) → the posted value


def _one(forms: Any, files: Any, field_id: str) -> Any:
    return forms.get(field_id)


def _many(forms: Any, files: Any, field_id: str) -> Any:
    return forms.getall(field_id)


def _file(forms: Any, files: Any, field_id: str) -> Any:
    """A chosen file as an engine Upload; nothing chosen (an empty part) keeps the current image."""
    upload = files.get(field_id) if files is not None else None
    if upload is None:
        return None
    data = upload.file.read()
    return Upload(data, upload.raw_filename or "") if data else None


@dataclass(frozen=True)
class Widget:
    drawer: str
    input_type: str = "text"
    read: Reader = _one
    multipart: bool = False
    shows_itself: bool = False  # drawn by its own drawer even when read-only (a photo)


WIDGETS: dict[str, Widget] = {
    "text": Widget("input"),
    "textarea": Widget("textarea"),
    "password": Widget("input", "password"),
    "email": Widget("input", "email"),
    "date": Widget("input", "date"),
    "select": Widget("select"),
    "radio": Widget("choices", "radio"),
    "checkbox": Widget("choices", "checkbox", _many),
    "table_choice": Widget("table_choice"),
    "image": Widget("file", "file", _file, multipart=True),
    "photo": Widget("photo", shows_itself=True),
    "display": Widget("readonly"),
}
assert set(WIDGETS) == set(FIELD_TYPES), "one widget per engine field type"


def widget_of(field_type: str) -> Widget:
    return WIDGETS[field_type]


def drawer_of(field_type: str, readonly: bool) -> str:
    """The drawer of a field: its widget's, or the read-only value's."""
    widget = WIDGETS[field_type]
    return widget.drawer if widget.shows_itself or not readonly else "readonly"


def read_posted(forms: Any, files: Any, fields: Any) -> dict[str, Any]:
    """The posted values of the given fields (read-only ones are skipped), each read by its widget.
    A file field where no file was chosen is left out, so the image already given is kept."""
    incoming: dict[str, Any] = {}
    for fld in fields:
        if getattr(fld, "readonly", False):
            continue
        value = WIDGETS[fld.type].read(forms, files, fld.id)
        if value is None and WIDGETS[fld.type].multipart:
            continue
        incoming[fld.id] = value
    return incoming


def multipart(fields: Any) -> bool:
    """Must the form holding these fields be sent as multipart/form-data?"""
    return any(WIDGETS[f.type].multipart and not getattr(f, "readonly", False) for f in fields)
