"""The console's field-type table: for each `type:` of a flow field, how it is asked in the
terminal and how a scenario file's text for it becomes what the engine takes.

One entry per engine field type (engine.FIELD_TYPES; tests/console/test_console_prompts.py keeps
the keys equal). `ask(console, field, label, current, problems)` asks one field on the
interactive console and returns its new value (the current one when nothing was typed);
`typed(text, folder)` turns a scenario's answer into the value (an image's file path, relative
to the scenario file's folder, becomes an engine Upload). Adding a type is one entry here.
Pure besides the console it is handed and the file an image prompt reads.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from engine import FIELD_TYPES, FieldView, ImageValue, Upload

from .screen import INDENT
from .text import cut

ECHO_CELLS = 40
Ask = Callable[[Any, FieldView, str, Any, list[str]], Any]


def _choice(console: Any, fld: FieldView, label: str, current: Any, problems: list[str]) -> Any:
    return console.choose(fld, label, current)


def _secret(console: Any, fld: FieldView, label: str, current: Any, problems: list[str]) -> Any:
    keep = console.texts("console.prompt.secret_kept") if current else ""
    line = console.ask(INDENT + console.texts("console.prompt.text", label=label, current=keep), secret=True)
    return line if line else current


def _shown(console: Any, current: Any) -> str:
    if current in (None, ""):
        return ""
    return console.texts("console.prompt.current", value=cut(console.texts.plain(current), ECHO_CELLS))


def _text(console: Any, fld: FieldView, label: str, current: Any, problems: list[str]) -> Any:
    line = console.ask(INDENT + console.texts("console.prompt.text", label=label, current=_shown(console, current)))
    return line if line.strip() else current


def _date(console: Any, fld: FieldView, label: str, current: Any, problems: list[str]) -> Any:
    if not problems:
        console.say([INDENT + console.texts("console.field.date_format")])
    return _text(console, fld, label, current, problems)


def _file(console: Any, fld: FieldView, label: str, current: Any, problems: list[str]) -> Any:
    """A file's path; read here, judged by the engine (format and size from its own header)."""
    kept = console.texts("console.prompt.file_kept", format=current.format.upper(), width=current.width,
                         height=current.height) if isinstance(current, ImageValue) else ""
    while True:
        line = unicodedata.normalize("NFC", console.ask(INDENT + console.texts("console.prompt.file", label=label,
                                                                                 current=kept))).strip()
        if not line:
            return current
        path = Path(line.strip("'\"")).expanduser()
        try:
            return Upload(path.read_bytes(), path.name)
        except OSError:
            console.say([INDENT + console.texts("console.file.unreadable", path=cut(line, ECHO_CELLS))])


def _as_is(text: Any, folder: Path) -> Any:
    return text


def _upload(text: Any, folder: Path) -> Any:
    """A scenario's image answer: a path (relative to the scenario file), read as an Upload."""
    if not isinstance(text, str) or not text.strip():
        return text
    path = folder / text
    return Upload(path.read_bytes(), path.name) if path.is_file() else Upload(b"", path.name)


@dataclass(frozen=True)
class Prompt:
    ask: Ask
    typed: Callable[[Any, Path], Any] = _as_is


PROMPTS: dict[str, Prompt] = {
    "text": Prompt(_text),
    "textarea": Prompt(_text),
    "password": Prompt(_secret),
    "email": Prompt(_text),
    "date": Prompt(_date),
    "select": Prompt(_choice),
    "radio": Prompt(_choice),
    "checkbox": Prompt(_choice),
    "table_choice": Prompt(_choice),
    "image": Prompt(_file, _upload),
    "photo": Prompt(_text),      # shown, never asked (not an input)
    "display": Prompt(_text),    # shown, never asked (not an input)
}
assert set(PROMPTS) == set(FIELD_TYPES), "one prompt per engine field type"
