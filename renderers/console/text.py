"""Wording and layout for the console: catalogue texts for engine values, and CJK-aware columns.

`Texts` is the wording service (shenbao.wording: labels, option values, problems, warnings
and gate failures through the catalogue, never prose of its own) plus how the console
reads a value back. The layout helpers measure text in terminal
cells: East Asian wide and full-width characters take two, combining marks none. Pure
functions over strings; nothing here reads input or prints.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Iterable, Sequence

from engine import FieldView, Option, Problem
from shenbao.catalog import format_value
from shenbao.wording import Wording


def fmt(value: Any) -> str:
    """A value in running text: the catalogue's way (dates, times), whole numbers without '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return format_value(value)


# -- measuring -----------------------------------------------------------------------------
def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    return sum(char_width(c) for c in text)


def pad(text: str, cells: int) -> str:
    return text + " " * max(0, cells - width(text))


def cut(text: str, cells: int) -> str:
    """`text` shortened to at most `cells` cells, ending in … when something was left out."""
    if width(text) <= cells:
        return text
    kept, used = "", 0
    for char in text:
        if used + char_width(char) > cells - 1:
            break
        kept, used = kept + char, used + char_width(char)
    return kept + "…"


NO_LINE_START = frozenset("，。、；：！？）》」』”’】〕,.;:!?)]")


def wrap(text: str, cells: int) -> list[str]:
    """Split `text` into lines of at most `cells` cells (by character: Chinese has no spaces).
    Closing punctuation never starts a line; it may hang one cell past the edge instead."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for char in paragraph:
            w = char_width(char)
            if used + w > cells and line and char not in NO_LINE_START:
                lines.append(line)
                line, used = "", 0
            line, used = line + char, used + w
        lines.append(line)
    return lines


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], max_width: int = 100) -> list[str]:
    """An aligned table; when too wide, columns wrap where that adds the fewest lines."""
    columns = [[h] + [r[i] for r in rows] for i, h in enumerate(headers)]
    widths = [max(width(c) for c in column) for column in columns]
    floors = [max(width(h), 6) for h in headers]
    gap = 2
    while sum(widths) + gap * (len(widths) - 1) > max_width:
        narrower = [i for i in range(len(widths)) if widths[i] > floors[i]]
        if not narrower:
            break
        cost = {i: _height(columns[i], widths[i] - 1) - _height(columns[i], widths[i]) for i in narrower}
        widths[min(narrower, key=lambda i: (cost[i], -widths[i]))] -= 1
    lines = [_row(headers, widths, gap), _rule(widths, gap)]
    for row in rows:
        lines += [_row(parts, widths, gap) for parts in _wrapped(row, widths)]
    return lines


def _height(cells: Sequence[str], cells_wide: int) -> int:
    return sum(len(wrap(c, cells_wide)) for c in cells)


def _wrapped(row: Sequence[str], widths: Sequence[int]) -> list[list[str]]:
    cells = [wrap(cell, w) for cell, w in zip(row, widths)]
    height = max(len(c) for c in cells)
    return [[c[i] if i < len(c) else "" for c in cells] for i in range(height)]


def _row(cells: Sequence[str], widths: Sequence[int], gap: int) -> str:
    return (" " * gap).join(pad(c, w) for c, w in zip(cells, widths)).rstrip()


def _rule(widths: Sequence[int], gap: int) -> str:
    return (" " * gap).join("─" * w for w in widths)


def grid(items: Sequence[str], max_width: int = 100, indent: int = 2) -> list[str]:
    """Short items (numbered options) laid out in as many aligned columns as fit."""
    if not items:
        return []
    cell = max(width(i) for i in items) + 2
    per_line = max(1, (max_width - indent) // cell)
    lines = []
    for start in range(0, len(items), per_line):
        chunk = items[start:start + per_line]
        lines.append(" " * indent + "".join(pad(i, cell) for i in chunk).rstrip())
    return lines


# -- wording -------------------------------------------------------------------------------
class Texts(Wording):
    """The wording service (shenbao.wording), plus how the console reads values back."""

    def __call__(self, key: str, **params: Any) -> str:
        return self.catalog.text(key, **params)

    def value(self, fld: FieldView) -> str:
        """A field's current value as the applicant reads it."""
        if fld.type == "photo":
            return self("console.photo.present") if fld.value else self.catalog.first(
                [f"field.{fld.id}.none", "console.photo.none"])
        return self.plain(fld.value, fld.options)

    def plain(self, value: Any, options: Iterable[Option] = ()) -> str:
        if value is None or value == "" or value == []:
            return self("console.value.empty")
        labels = self.option_labels(options)
        if isinstance(value, (list, tuple)):  # in the options' order, as the web and the printed form list them
            return self.chosen_text(value, labels, self("console.list.separator"))
        return labels.get(str(value), fmt(value))


def problem_key(problem: Problem) -> str:
    """How scenarios name a problem: `field:code`, or just `code` for the step as a whole."""
    return problem.key if problem.field is not None else problem.code

