"""Turning raw data-file values into typed column values, one declared type at a time.

Used by the importer and by staff edits of reference rows, so a value is accepted or
refused the same way everywhere. Each converter maps None and "" to None and raises
`ValueError(code)` with an `IMPORT_` code. Converters sit on the import's hot path
(millions of calls), hence the plain-string fast paths. Never touches the database and
never reads a file other than an image it is asked for.
"""
from __future__ import annotations


import math
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

COLUMN_TYPES = ("text", "date", "datetime", "image", "number")


def _text(value: Any) -> str | None:
    if value.__class__ is str:
        return value or None
    if value is None:
        return None
    # A YAML scalar like 01 or 2007 must be quoted: converting it back loses digits.
    raise ValueError("IMPORT_NOT_TEXT")


def _date(value: Any) -> date | None:
    if value.__class__ is str:
        if not value:
            return None
        text = value.strip()
        # YYYY-MM-DD only: fromisoformat would also take 20260101 and 2026-W01-1.
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        raise ValueError("IMPORT_BAD_DATE")
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("IMPORT_BAD_DATE")


def _datetime(value: Any) -> datetime | None:
    if value.__class__ is str:
        if not value:
            return None
        text = value.strip()
        # A bare date would silently mean midnight: a window "closing 2026-09-30" would
        # shut at the start of that day. The time must be written.
        if len(text) <= 10:
            raise ValueError("IMPORT_BAD_DATETIME")
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("IMPORT_BAD_DATETIME") from None
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValueError("IMPORT_BAD_DATETIME")
    # Reference datetimes are wall-clock times of the flow's locale; an offset is dropped.
    return value.replace(tzinfo=None) if value.tzinfo is not None else value


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueError("IMPORT_BAD_NUMBER")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, TypeError):
        raise ValueError("IMPORT_BAD_NUMBER") from None
    if not number.is_finite():
        raise ValueError("IMPORT_BAD_NUMBER")
    return number


def read_image(name: Any, photo_dir: Path | None) -> bytes | None:
    """The bytes of an image file named relative to `photo_dir` (never outside it)."""
    if name is None or name == "":
        return None
    if isinstance(name, (bytes, bytearray)):
        return bytes(name)
    if not isinstance(name, str) or photo_dir is None:
        raise ValueError("IMPORT_BAD_IMAGE")
    base = photo_dir.resolve()
    path = (base / name.strip()).resolve()
    if base not in path.parents or not path.is_file():
        raise ValueError("IMPORT_IMAGE_MISSING")
    return path.read_bytes()


# What a key of type text may hold (a row's code, a certificate number):
# no control or invisible characters, no path separators, no spaces, at most 40 characters.
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def is_code(value: Any) -> bool:
    return isinstance(value, str) and bool(CODE.match(value)) and ".." not in value


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text, "date": _date, "datetime": _datetime, "number": _number,
}


def converter(column_type: str, photo_dir: Path | None) -> Callable[[Any], Any]:
    """A function raw → typed value for one declared column type."""
    if column_type == "image":
        return lambda value: read_image(value, photo_dir)
    return CONVERTERS[column_type]
