"""Second-generation resident ID numbers (GB 11643-1999): structure and checksum.

Pure functions over strings; no I/O. `check_id` returns a problem code or None so that
the rules module can report it without any prose living here.
"""
from __future__ import annotations

import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index: sum mod 11
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def birth_date(number: str) -> date | None:
    """The birth date encoded in positions 7–14, or None when it is not a real date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (ValueError, IndexError):
        return None


def gender(number: str) -> str | None:
    """'male' when the 17th digit is odd, 'female' when even."""
    if len(number) < 17 or not number[16].isdigit():
        return None
    return "male" if int(number[16]) % 2 else "female"


def check_id(number: str, today: date | None = None) -> str | None:
    """Return None for a valid ID number, else the problem code that describes the fault."""
    if not _SHAPE.match(number):
        return "id_format"
    if number[:2] in ("00",) or number[:6] == "000000":
        return "id_region"
    born = birth_date(number)
    if born is None or (today is not None and born > today):
        return "id_birth_date"
    if check_char(number[:17]) != number[17]:
        return "id_checksum"
    return None
