"""How tightly the 申请表's rows are drawn, and a stand-in FPDF for trying a layout (renderer).

A document declares the pages it is meant to fill (`pages: 1`). When its rows do not fit at
the normal spacing, renderers/pdf/pdf.py draws them tighter, step by step towards TIGHTEST:
less space above and below the text of a cell, lower empty rows, section titles and the gaps
between sections. The type never shrinks. The values are printed at 9 pt (小五号, the smallest
size Chinese forms print what is filled in; a CJK glyph is then about 3.2 mm high, which the
older teachers and the staff who read these forms still read without effort), the labels at
8 pt on a grey ground as before, and that is the floor: a form whose rows do not fit even at
TIGHTEST goes on to the next page rather than into smaller type. The photo box keeps its size
(a 一寸 photo must fit), and the boxes filled in by hand keep their declared writing space.

`DryPdf` stands in for the FPDF while a spacing is tried: it measures with the real fonts,
draws nothing and counts the pages. Pure arithmetic; no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Spacing:
    """Vertical space of the grid, in mm (line_factor: line height / font size in cells and boxes)."""

    pad_y: float
    row_min_h: float
    line_factor: float
    section_title_h: float
    section_gap: float
    header_gap: float


NORMAL = Spacing(pad_y=1.0, row_min_h=6.0, line_factor=1.3, section_title_h=5.6, section_gap=1.6, header_gap=2.5)
# A row of one line is then 5 mm high (the 9 pt text 3.2 mm of it); wrapped lines keep a fifth of
# their size between them, so that two lines of a long address never touch.
TIGHTEST = Spacing(pad_y=0.35, row_min_h=5.0, line_factor=1.2, section_title_h=4.8, section_gap=0.6,
                   header_gap=1.2)
STEPS = 8  # how many spacings are tried between NORMAL (0) and TIGHTEST (STEPS)


def spacing(step: int) -> Spacing:
    """The spacing `step` steps of STEPS from NORMAL towards TIGHTEST."""
    if step <= 0:
        return NORMAL
    if step >= STEPS:
        return TIGHTEST
    t = step / STEPS
    return Spacing(*(a + (b - a) * t for a, b in zip(_values(NORMAL), _values(TIGHTEST))))


def loosest_fit(pages_at: Callable[[int], int], declared: int) -> tuple[int, int]:
    """(step, pages): the loosest step at which `pages_at(step)` is at most `declared`; when even
    STEPS needs more, the loosest that needs no more than STEPS does (a bisection: a tighter step
    never needs more pages)."""
    tried: dict[int, int] = {}

    def pages(step: int) -> int:
        if step not in tried:
            tried[step] = pages_at(step)
        return tried[step]

    if pages(0) <= declared:
        return 0, pages(0)
    target = max(declared, pages(STEPS))
    if pages(0) <= target:  # more pages than declared at any spacing, and no fewer for drawing tighter
        return 0, pages(0)
    loose, tight = 0, STEPS  # pages(loose) > target >= pages(tight)
    while tight - loose > 1:
        middle = (loose + tight) // 2
        loose, tight = (loose, middle) if pages(middle) <= target else (middle, tight)
    return tight, pages(tight)


def _values(s: Spacing) -> tuple[float, ...]:
    return (s.pad_y, s.row_min_h, s.line_factor, s.section_title_h, s.section_gap, s.header_gap)


def _nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


class DryPdf:
    """An FPDF that measures text with the real one's fonts, draws nothing and counts pages."""

    def __init__(self, pdf: Any):
        self._pdf = pdf
        self.page = 0

    def add_page(self) -> None:
        self.page += 1

    def set_font(self, *args: Any, **kwargs: Any) -> None:
        self._pdf.set_font(*args, **kwargs)

    def get_string_width(self, text: str) -> float:
        return float(self._pdf.get_string_width(text))

    def __getattr__(self, name: str) -> Any:  # rect, cell, image, set_xy, set_fill_color, …
        return _nothing
