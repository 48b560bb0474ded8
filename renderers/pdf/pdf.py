"""Draw a DocumentView as an A4 PDF with fpdf2 (renderer; pure drawing, no lookups).

Everything the page shows arrives resolved in the DocumentView; this module only places
it. Layout: a header (title, note, application number and its QR code), then each section
as a bordered grid of label/value cells (with a photo column where declared), then the
boxes filled in by hand. A document that declares the pages it is meant to fill (`pages`)
is first tried at the normal spacing and, when its rows do not fit, at tighter ones
(renderers/pdf/spacing.py: less space, never smaller type); only when even the tightest does
not fit does it go on to another page, which is logged. Rows never split across pages, the
photo block and a section's boxes (signatures, review) stay together, and a new page repeats
the title and the application number, and the title of a section continued on it. Output is
deterministic: metadata dates come from the document's generation date, and fpdf2 derives
the file id from the content.
"""
from __future__ import annotations

import io
import logging
from datetime import date, datetime, time, timezone
from typing import Iterator, Sequence

import segno
from fpdf import FPDF, ViewerPreferences

from engine import DocumentBox as Box
from engine import DocumentCell as Cell
from engine import DocumentCode as Code
from engine import DocumentSection as Section
from engine import DocumentView

from .fonts import FontPlan, PreparedFonts, prepared_fonts
from .linebreak import wrap
from .spacing import NORMAL, DryPdf, Spacing, loosest_fit, spacing

log = logging.getLogger(__name__)

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 12.0, 10.0, 12.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
PT = 25.4 / 72  # millimetres per typographic pt (1/72 inch)
TITLE_SIZE, SECTION_SIZE, LABEL_SIZE, VALUE_SIZE, SMALL_SIZE = 16.0, 9.5, 8.0, 9.0, 7.0
LINE_FACTOR = 1.3  # line height / font size outside the grid (title, note, header, footer)
PAD_X = 1.2
PHOTO_W, PHOTO_H = 30.0, 40.0  # the photo column; a 一寸 photo (25 × 35 mm) fits with a margin
QR_SIZE = 21.0
GRID_LINE, FRAME_LINE = 0.2, 0.45
LABEL_FILL, TITLE_FILL, MUTED = (244, 244, 244), (228, 228, 228), (90, 90, 90)
FOOTER_Y = PAGE_H - 8.0
PAGE_BOTTOM = PAGE_H - MARGIN_BOTTOM
_EPOCH = date(2000, 1, 1)
_FAMILY = "cjk"


def render_pdf(view: DocumentView, fonts: PreparedFonts | FontPlan | None = None) -> bytes:
    """The document as PDF bytes.

    `fonts`: the prepared Noto Sans CJK SC files (default: found and prepared on first use),
    or a FontPlan naming the files to use as they are.
    """
    if "pdf" not in view.formats:
        raise ValueError(f"document '{view.id}' does not declare the pdf format (formats: {list(view.formats)})")
    if isinstance(fonts, FontPlan):
        plan = fonts
    else:
        plan = (fonts or prepared_fonts()).plan("".join(document_texts(view)))
    pdf = _new_pdf(view, plan)
    widths: dict[tuple[str, str], float] = {}
    painter = _Painter(pdf, view, _fitted(view, pdf, widths), widths)
    painter.draw()
    painter.footers()
    return bytes(pdf.output())


def _fitted(view: DocumentView, pdf: FPDF, widths: dict[tuple[str, str], float]) -> Spacing:
    """The spacing to draw at: NORMAL unless the document declares pages it does not fit (spacing.py)."""
    if view.pages is None:
        return NORMAL
    step, needed = loosest_fit(lambda s: _Painter(DryPdf(pdf), view, spacing(s), widths).draw(), view.pages)
    if needed > view.pages:
        log.warning("document '%s' declares %d page(s) but needs %d even at the tightest spacing: "
                    "it goes on to page %d", view.id, view.pages, needed, view.pages + 1)
    return spacing(step)


def document_texts(view: DocumentView) -> Iterator[str]:
    """Every text the document can show (to choose the fonts that cover its characters)."""
    yield from (view.title, view.note, view.page_number, view.continued, "0123456789")
    if view.code:
        yield from (view.code.label, view.code.value)
    for cell in view.footer:
        yield from (cell.label, cell.text)
    for section in view.sections:
        yield section.title
        if section.photo:
            yield section.photo.label
        for row in section.rows:
            for cell in row:
                yield from (cell.label, cell.text)
        for box_row in section.box_rows:
            for box in box_row:
                yield from (box.title, box.text, box.sign)


def _new_pdf(view: DocumentView, plan: FontPlan) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
    pdf.c_margin = 0
    pdf.add_font(_FAMILY, "", plan.regular, collection_font_number=plan.index)
    pdf.add_font(_FAMILY, "B", plan.bold, collection_font_number=plan.index)
    fallbacks = [f"{_FAMILY}{i}" for i in range(len(plan.fallbacks))]
    for name, path in zip(fallbacks, plan.fallbacks):
        pdf.add_font(name, "", path)
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    for font in pdf.fonts.values():
        # fpdf2 would recompute the bounding boxes of the embedded subset by running every
        # glyph program (most of the output time for CJK); the source font's boxes are valid.
        font.ttfont.recalcBBoxes = False
    made = datetime.combine(view.generated_on or _EPOCH, time(), tzinfo=timezone.utc)
    pdf.set_creation_date(made)
    pdf.set_title(view.title)
    pdf.set_subject(view.code.value if view.code else view.title)
    pdf.set_creator(f"shenbao {view.version}".strip())
    pdf.set_lang("zh-CN")
    # A reader shows the title, not the file name (PDF/UA); the rest of the tagging fpdf2 can
    # do is the photo's alternative text (_draw_photo). Text is painted top to bottom, left to
    # right, so the content order is the reading order.
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_line_width(GRID_LINE)
    return pdf


class _Painter:
    """Places a DocumentView on pages; `y` is the top of the free space on the current page.

    `pdf` is the FPDF, or a DryPdf to learn how many pages a spacing takes; `widths` caches
    the characters' widths across such tries."""

    def __init__(self, pdf: FPDF | DryPdf, view: DocumentView, space: Spacing = NORMAL,
                 widths: dict[tuple[str, str], float] | None = None):
        self.pdf, self.view, self.s = pdf, view, space
        self.dry = isinstance(pdf, DryPdf)
        self.y = MARGIN_TOP
        self._widths = {} if widths is None else widths
        self._label_w: float | None = None
        self.frame_top = MARGIN_TOP

    def draw(self) -> int:
        """Header and sections (not the footers); returns the number of pages."""
        self.first_header()
        for section in self.view.sections:
            self.section(section)
        return int(self.pdf.page)

    # ---- text helpers ----------------------------------------------------------------

    def label_width(self) -> float:
        """One label column width for the whole document, so that sections look alike."""
        if self._label_w is None:
            labels = [cell.label for s in self.view.sections for row in s.rows for cell in row]
            self._label_w = max((self.measure(t, LABEL_SIZE) for t in labels), default=0.0) + 2 * PAD_X
        return self._label_w

    def measure(self, text: str, size: float, style: str = "") -> float:
        total = 0.0
        for char in text:
            key = (style, char)
            if key not in self._widths:
                self.pdf.set_font(_FAMILY, style, 10)
                self._widths[key] = self.pdf.get_string_width(char) / 10
            total += self._widths[key]
        return total * size

    def lines(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        if not text:
            return []
        return wrap(text, width, lambda t: self.measure(t, size, style))

    def text_block(self, lines: Sequence[str], x: float, y: float, w: float, size: float,
                   style: str = "", align: str = "L", color: tuple[int, int, int] = (0, 0, 0),
                   factor: float = LINE_FACTOR) -> None:
        if self.dry:
            return
        self.pdf.set_font(_FAMILY, style, size)
        self.pdf.set_text_color(*color)
        line_h = size * PT * factor
        for i, line in enumerate(lines):
            self.pdf.set_xy(x, y + i * line_h)
            self.pdf.cell(w, line_h, line, align=align)

    # ---- header and footer -----------------------------------------------------------

    def first_header(self) -> None:
        view, pdf = self.view, self.pdf
        pdf.add_page()
        top = MARGIN_TOP
        title_h = TITLE_SIZE * PT * LINE_FACTOR
        side = QR_SIZE + 4 if view.code else 0.0
        self.text_block([view.title], MARGIN_X + side, top + 1, CONTENT_W - 2 * side, TITLE_SIZE, "B", "C")
        y = top + 1 + title_h + 1.5
        if view.note:
            note = self.lines(view.note, CONTENT_W - 2 * side, SMALL_SIZE)
            self.text_block(note, MARGIN_X + side, y, CONTENT_W - 2 * side, SMALL_SIZE, align="C", color=MUTED)
            y += len(note) * SMALL_SIZE * PT * LINE_FACTOR
        if view.code:
            y = max(y, self.code(view.code, top))
        self.y = y + self.s.header_gap

    def code(self, code: Code, top: float) -> float:
        """QR code at the top right, its label and value beside and below; returns its bottom."""
        x = PAGE_W - MARGIN_X - QR_SIZE
        if not self.dry:
            _draw_qr(self.pdf, code.value, x, top, QR_SIZE)
        label_y = top + QR_SIZE + 0.8
        self.text_block([code.value], x - 6, label_y, QR_SIZE + 6, SMALL_SIZE + 1, "B", "R")
        self.text_block([code.label], MARGIN_X, top + 1, 40, SMALL_SIZE + 1, color=MUTED)
        self.text_block([code.value], MARGIN_X, top + 1 + (SMALL_SIZE + 1) * PT * LINE_FACTOR, 60, 11, "B")
        return label_y + (SMALL_SIZE + 1) * PT * LINE_FACTOR

    def continuation_header(self) -> None:
        self.pdf.add_page()
        text = self.view.title + self.view.continued
        self.text_block([text], MARGIN_X, MARGIN_TOP, CONTENT_W / 2, LABEL_SIZE, "B")
        if self.view.code:
            pair = f"{self.view.code.label}  {self.view.code.value}"
            self.text_block([pair], MARGIN_X + CONTENT_W / 2, MARGIN_TOP, CONTENT_W / 2, LABEL_SIZE, align="R")
        self.y = MARGIN_TOP + LABEL_SIZE * PT * LINE_FACTOR + self.s.header_gap

    def footers(self) -> None:
        pdf, view = self.pdf, self.view
        pages = pdf.page
        parts = "　　".join(f"{cell.label} {cell.text}" for cell in view.footer)
        for page in range(1, pages + 1):
            pdf.page = page
            # fpdf2 takes the font as set on the page it last wrote to, and would draw the footer of
            # an earlier page in whatever type that page ended with: set it on this page again.
            pdf.current_font_is_set_on_page = False
            self.text_block([parts], MARGIN_X, FOOTER_Y, CONTENT_W * 0.7, SMALL_SIZE, color=MUTED)
            if view.page_number:
                number = view.page_number.format(page=page, pages=pages)
                self.text_block([number], MARGIN_X + CONTENT_W * 0.7, FOOTER_Y, CONTENT_W * 0.3, SMALL_SIZE,
                                align="R", color=MUTED)

    # ---- sections --------------------------------------------------------------------

    def ensure_room(self, height: float, section: Section, started: bool) -> None:
        """Start a new page if `height` does not fit; repeat the section title if it was begun."""
        if self.y + height <= PAGE_BOTTOM:
            return
        if started:
            self.close_frame()
        self.continuation_header()
        if started:
            self.frame_top = self.y
            self.section_title(section.title + self.view.continued)

    def close_frame(self) -> None:
        """A heavier outline around the part of a section on the current page."""
        if self.y > self.frame_top:
            self.pdf.set_line_width(FRAME_LINE)
            self.pdf.rect(MARGIN_X, self.frame_top, CONTENT_W, self.y - self.frame_top)
            self.pdf.set_line_width(GRID_LINE)

    def section_title(self, title: str) -> None:
        pdf = self.pdf
        pdf.set_fill_color(*TITLE_FILL)
        pdf.set_line_width(GRID_LINE)
        title_h = self.s.section_title_h
        pdf.rect(MARGIN_X, self.y, CONTENT_W, title_h, style="DF")
        line_h = SECTION_SIZE * PT * LINE_FACTOR
        self.text_block([title], MARGIN_X + 2 * PAD_X, self.y + (title_h - line_h) / 2,
                        CONTENT_W - 4 * PAD_X, SECTION_SIZE, "B")
        self.y += title_h

    def section(self, section: Section) -> None:
        grid = _Grid(self, section)
        box_grid = _BoxGrid(self, section)
        boxes = box_grid.block_height()
        together = boxes <= PAGE_BOTTOM - self.page_top() - self.s.section_title_h  # else box row by box row
        first = grid.block_height() if section.photo else (grid.heights[0] if grid.heights else 0.0)
        if not grid.heights and box_grid.heights:
            first = boxes if together else box_grid.heights[0]
        self.ensure_room(self.s.section_title_h + first, section, started=False)
        self.frame_top = self.y
        self.section_title(section.title)
        if section.photo:
            grid.draw_all()
        else:
            for i in range(len(section.rows)):
                self.ensure_room(grid.heights[i], section, started=True)
                grid.draw_row(i, self.y)
        if together and box_grid.heights:
            self.ensure_room(boxes, section, started=True)
        for i in range(len(section.box_rows)):
            self.ensure_room(box_grid.heights[i], section, started=True)
            box_grid.draw_row(i, self.y)
        self.close_frame()
        self.y += self.s.section_gap

    def page_top(self) -> float:
        """Where the grid starts on a continuation page."""
        return MARGIN_TOP + LABEL_SIZE * PT * LINE_FACTOR + self.s.header_gap


class _Grid:
    """The label/value cells of a section, measured once, drawn row by row."""

    def __init__(self, painter: _Painter, section: Section):
        self.p, self.section = painter, section
        self.width = CONTENT_W - (PHOTO_W if section.photo else 0.0)
        self.slot = self.width / max(section.columns, 1)
        self.label_w = min(painter.label_width(), self.slot * 0.45)
        self.layout = [[self._measure(cell) for cell in row] for row in section.rows]
        self.heights = [max([painter.s.row_min_h] + [h for _, _, h in row]) for row in self.layout]
        if section.photo and self.heights:
            short = PHOTO_H - sum(self.heights)
            if short > 0:
                self.heights = [h + short / len(self.heights) for h in self.heights]

    def _measure(self, cell: Cell) -> tuple[list[str], list[str], float]:
        value_w = cell.span * self.slot - self.label_w
        label = self.p.lines(cell.label, self.label_w - 2 * PAD_X, LABEL_SIZE)
        value = self.p.lines(cell.text, value_w - 2 * PAD_X, VALUE_SIZE)
        s = self.p.s
        height = max(len(label) * LABEL_SIZE, len(value) * VALUE_SIZE) * PT * s.line_factor + 2 * s.pad_y
        return label, value, height

    def block_height(self) -> float:
        return sum(self.heights)

    def draw_all(self) -> None:
        top = self.p.y
        for i in range(len(self.heights)):
            self.draw_row(i, self.p.y)
        if self.section.photo:
            _draw_photo(self.p, self.section, MARGIN_X + self.width, top, PHOTO_W, self.p.y - top)

    def draw_row(self, index: int, y: float) -> None:
        pdf, height = self.p.pdf, self.heights[index]
        x = MARGIN_X
        for cell, (label, value, _) in zip(self.section.rows[index], self.layout[index]):
            width = cell.span * self.slot
            pdf.set_fill_color(*LABEL_FILL)
            pdf.rect(x, y, self.label_w, height, style="DF")
            pdf.rect(x + self.label_w, y, width - self.label_w, height)
            self._text(label, x, y, self.label_w, height, LABEL_SIZE, "C")
            self._text(value, x + self.label_w, y, width - self.label_w, height, VALUE_SIZE, "L")
            x += width
        self.p.y = y + height

    def _text(self, lines: list[str], x: float, y: float, w: float, h: float, size: float, align: str) -> None:
        factor = self.p.s.line_factor
        block = len(lines) * size * PT * factor
        self.p.text_block(lines, x + PAD_X, y + (h - block) / 2, w - 2 * PAD_X, size, align=align, factor=factor)


class _BoxGrid:
    """The boxes filled in by hand: a title column, the printed text, space, a signature line."""

    def __init__(self, painter: _Painter, section: Section):
        self.p, self.section = painter, section
        self.slot = CONTENT_W / max(section.columns, 1)
        titles = [box.title for row in section.box_rows for box in row]
        # Wide enough for half of the longest title, so long titles break into two even lines.
        half = max((painter.measure(t[: (len(t) + 1) // 2], LABEL_SIZE) for t in titles), default=0.0)
        self.title_w = min(half + 2 * PAD_X + 0.5, self.slot * 0.4)
        self.layout = [[self._measure(box) for box in row] for row in section.box_rows]
        self.heights = [max(h for *_, h in row) for row in self.layout] if self.layout else []

    def block_height(self) -> float:
        return sum(self.heights)

    def _measure(self, box: Box) -> tuple[list[str], list[str], list[str], float]:
        inner = box.span * self.slot - self.title_w - 2 * PAD_X
        title = self.p.lines(box.title, self.title_w - 2 * PAD_X, LABEL_SIZE)
        text = self.p.lines(box.text, inner, VALUE_SIZE)
        sign = self.p.lines(box.sign, inner, VALUE_SIZE)
        s = self.p.s
        line = VALUE_SIZE * PT * s.line_factor
        body = (len(text) + len(sign)) * line + box.height + 2 * s.pad_y + (1.0 if text else 0.0)
        height = max(body, len(title) * LABEL_SIZE * PT * s.line_factor + 2 * s.pad_y, s.row_min_h)
        return title, text, sign, height

    def draw_row(self, index: int, y: float) -> None:
        pdf, height = self.p.pdf, self.heights[index]
        x = MARGIN_X
        s = self.p.s
        line = VALUE_SIZE * PT * s.line_factor
        for box, (title, text, sign, _) in zip(self.section.box_rows[index], self.layout[index]):
            width = box.span * self.slot
            pdf.set_fill_color(*LABEL_FILL)
            pdf.rect(x, y, self.title_w, height, style="DF")
            pdf.rect(x + self.title_w, y, width - self.title_w, height)
            block = len(title) * LABEL_SIZE * PT * s.line_factor
            self.p.text_block(title, x + PAD_X, y + (height - block) / 2, self.title_w - 2 * PAD_X,
                              LABEL_SIZE, align="C", factor=s.line_factor)
            inner_x, inner_w = x + self.title_w + PAD_X, width - self.title_w - 2 * PAD_X
            self.p.text_block(text, inner_x, y + s.pad_y + 0.5, inner_w, VALUE_SIZE, factor=s.line_factor)
            sign_y = y + height - s.pad_y - len(sign) * line
            self.p.text_block(sign, inner_x, sign_y, inner_w - PAD_X, VALUE_SIZE, align="R", factor=s.line_factor)
            x += width
        self.p.y = y + height


def _draw_photo(painter: _Painter, section: Section, x: float, y: float, w: float, h: float) -> None:
    pdf, photo = painter.pdf, section.photo
    assert photo is not None
    pdf.rect(x, y, w, h)
    margin = 2.0
    if photo.data:
        try:
            pdf.image(io.BytesIO(photo.data), x=x + margin, y=y + margin, w=w - 2 * margin,
                      h=h - 2 * margin, keep_aspect_ratio=True, alt_text=photo.label)
            return
        except Exception as exc:  # a damaged registry photo must not stop the form from printing
            log.warning("photo could not be drawn: %s", exc)
    line_h = LABEL_SIZE * PT * LINE_FACTOR
    painter.text_block([photo.label], x, y + (h - line_h) / 2, w, LABEL_SIZE, align="C", color=MUTED)


def _draw_qr(pdf: FPDF, value: str, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles (one per run of dark modules): sharp at any zoom."""
    matrix = segno.make(value, error="m", micro=False).matrix
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")
            else:
                c += 1
