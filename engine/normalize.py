"""Input normalisation, applied before any rule sees a value.

Full-width digits and letters become ASCII (NFKC for codes and numbers; `fold_width` for
free text, which keeps Chinese punctuation), surrounding space is trimmed, case is
folded where the flow says so, and empty text becomes None. Characters that no form field
should hold (control characters, emoji and other pictographs, private-use code points)
are reported as a problem instead of being dropped silently. Dates typed as text are
parsed here. No I/O.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any, Callable

# Full-width letters and digits (and the ideographic space) → ASCII, leaving Chinese
# punctuation such as ，（）。 alone: for free text, where NFKC would turn ， into ,.
_FOLD_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()}
_FOLD_WIDTH[0x3000] = 0x20

STEPS: dict[str, Callable[[str], str]] = {
    "nfkc": lambda s: unicodedata.normalize("NFKC", s),
    "fold_width": lambda s: s.translate(_FOLD_WIDTH),
    "trim": str.strip,
    "upper": str.upper,
    "lower": str.lower,
    "collapse_spaces": lambda s: re.sub(r"\s+", " ", s),
}
_REJECTED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "So"}
# Ideographs added in Unicode 13 and later (the ends of Extension A, the URO and Extensions B
# and C, and all of Extension G): no packaged font prints them yet, so the application form
# could not show them. tests/pdf checks that every other accepted ideograph prints.
_UNPRINTABLE_IDEOGRAPHS = ((0x4DB6, 0x4DBF), (0x9FF0, 0x9FFF), (0x2A6D7, 0x2A6DF), (0x2B735, 0x2B73F),
                           (0x30000, 0x3FFFF))
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
# Characters looked at and found usable, so each is looked up once, not in every value (a
# category look-up per character was most of normalising a Chinese address, issue 10). At most
# _ACCEPTED_MAX are kept: what any applicant types is a few thousand at most.
_ACCEPTED: set[str] = set()
_ACCEPTED_MAX = 1 << 16
_DATE_SHAPES = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
                re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"), re.compile(r"^(\d{4})(\d{2})(\d{2})$"))


class Unacceptable(Exception):
    """The value cannot be used; `code` names the problem."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def normalize_text(value: Any, steps: tuple[str, ...], multiline: bool = False) -> str | None:
    """Apply the declared steps to a text value; return None for empty input."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    for step in steps:
        value = STEPS[step](value)
    if not multiline:
        value = value.replace("\r", " ").replace("\n", " ")
    if value.isascii() and value.isprintable():  # no control character (ASCII's only rejected kind): skip the look
        return value if value.strip() else None
    for char in set(value).difference(_ACCEPTED):
        if unicodedata.category(char) in _REJECTED_CATEGORIES and char not in _ALLOWED_CONTROLS:
            raise Unacceptable("unsupported_chars")
        if char >= "\u4db6" and _unprintable(ord(char)):
            raise Unacceptable("unsupported_chars")
        if len(_ACCEPTED) < _ACCEPTED_MAX:
            _ACCEPTED.add(char)
    return value if value.strip() else None


def _unprintable(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in _UNPRINTABLE_IDEOGRAPHS)


def parse_date(value: Any) -> date | None:
    """Parse a date typed as 2015-09-01, 2015/9/1, 2015年9月1日 or 20150901 (after NFKC)."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    for shape in _DATE_SHAPES:
        match = shape.match(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise Unacceptable("date_format")
