"""Line breaking for Chinese text in a fixed width (renderer helper; pure, no fpdf2).

Chinese text may break between any two characters, with the usual rules (禁则): a line
never starts with closing punctuation (、，。）etc.) and never ends with opening punctuation
(（《“ etc.). Runs of Latin letters and digits (numbers, e-mail addresses) break only at
spaces unless they are wider than a whole line.
"""
from __future__ import annotations

import re
from typing import Callable

# Characters that must not begin a line.
NO_LINE_START = frozenset("、，。．：；！？）］｝〕〉》」』】〙〗〟’”｠»…‥・·ー々〻,.:;!?)]}%％℃")
# Characters that must not end a line.
NO_LINE_END = frozenset("（［｛〔〈《「『【〘〖〝‘“｟«([{")

_TOKEN = re.compile(r"[A-Za-z0-9@._\-+/:#&%']+|\s+|.", re.S)
# Where a Latin run too long for a line may break: after these marks (e-mail, paths, dates).
_PIECE = re.compile(r"[^.@\-_/:]+[.@\-_/:]*|[.@\-_/:]+")
_EPSILON = 0.01  # measuring sums floats; a text exactly as wide as the line fits

Measure = Callable[[str], float]


def wrap(text: str, width: float, measure: Measure) -> list[str]:
    """Split `text` into lines no wider than `width` (measured by `measure`).

    Hard line breaks in the text are kept. A single unit wider than the line is cut
    character by character; closing punctuation that cannot move hangs past the edge.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, measure))
    return lines


def _units(paragraph: str, width: float, measure: Measure) -> list[str]:
    units: list[str] = []
    for token in _TOKEN.findall(paragraph):
        if len(token) > 1 and not token.isspace() and measure(token) > width + _EPSILON:
            for piece in _PIECE.findall(token):  # too long to keep whole
                units.extend(piece if measure(piece) > width + _EPSILON else [piece])
        else:
            units.append(token)
    return units


def _wrap_paragraph(paragraph: str, width: float, measure: Measure) -> list[str]:
    units = _units(paragraph, width, measure)
    lines: list[list[str]] = []
    line: list[str] = []
    used = 0.0
    for unit in units:
        unit_width = measure(unit)
        if line and used + unit_width > width + _EPSILON and not unit.isspace():
            carried = _carry(line, unit)
            if carried is None:  # closing punctuation that cannot move hangs on this line
                line.append(unit)
                used += unit_width
                continue
            lines.append(line[: len(line) - len(carried)])
            line = carried
            used = sum(measure(u) for u in line)
        if not line and unit.isspace():
            continue  # no leading spaces on a new line
        line.append(unit)
        used += unit_width
    if line or not lines:
        lines.append(line)
    return ["".join(units_).rstrip() for units_ in lines]


def _carry(line: list[str], next_unit: str) -> list[str] | None:
    """The units at the end of `line` that must move down with `next_unit` (禁则).

    None: `next_unit` is closing punctuation and nothing can move down with it.
    """
    keep = len(line)
    # The next line must not start with closing punctuation: take the last unit down too.
    if next_unit[0] in NO_LINE_START:
        keep -= 1
        while keep > 0 and line[keep][0] in NO_LINE_START:
            keep -= 1
    # This line must not end with opening punctuation: move it down.
    while keep > 0 and line[keep - 1][-1] in NO_LINE_END:
        keep -= 1
    if keep <= 0:  # nothing can move without emptying the line
        return None if next_unit[0] in NO_LINE_START else []
    return line[keep:]
