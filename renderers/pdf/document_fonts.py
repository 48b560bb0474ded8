"""The fonts one document is drawn with: the prepared CJK files, with a much smaller bold face.

renderers/pdf loads two prepared faces per document (regular and bold, ~7 500 glyphs each)
and fpdf2 parses and subsets both every time: most of a document's cost. The PDF draws in
bold only texts the catalogue supplies (the title, section titles, "continued") and the
scan code's value (the ASCII application number), so a bold face holding just the
characters of the catalogue's `document.*` texts plus ASCII serves every document of a
flow: ~220 glyphs, cut once per catalogue and kept beside the prepared fonts. A document
whose bold texts need anything else is drawn with the full bold face, as before.

Part of the PDF renderer (does I/O in the font cache); must not draw anything itself.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable

from engine import DocumentView
from shenbao.catalog import Catalog

from .fonts import PreparedFonts, prepared_fonts, subset_face, write_atomic
from .pdf import document_texts

log = logging.getLogger("shenbao.documents")

ASCII = frozenset(chr(c) for c in range(0x20, 0x7F))
CATALOGUE_PREFIX = "document."
_VERSION = "1"  # bump when the cut changes shape


def bold_texts(view: DocumentView) -> Iterable[str]:
    """The texts renderers/pdf draws in bold (tests/documents checks no bold glyph is missing)."""
    yield from (view.title, view.continued)
    yield from (section.title for section in view.sections)
    if view.code:
        yield view.code.value


class DocumentFonts:
    """`for_view(view)`: what to pass to render_pdf as `fonts`."""

    def __init__(self, catalog: Catalog, prepared: Any = None):
        self._prepared = prepared
        texts = "".join(v for k, v in sorted(catalog.messages.items()) if k.startswith(CATALOGUE_PREFIX))
        self.bold_chars = frozenset(c for c in texts if not c.isspace()) | ASCII
        digest = hashlib.sha256(("".join(sorted(self.bold_chars)) + _VERSION).encode()).hexdigest()[:16]
        self._name = f"bold-{digest}.otf"
        self._bold: Path | None = None
        self._lock = threading.Lock()

    @property
    def prepared(self) -> PreparedFonts:
        if self._prepared is None:
            self._prepared = prepared_fonts()
        return self._prepared

    def for_view(self, view: DocumentView) -> Any:
        """A FontPlan with the small bold face when it covers the view's bold texts."""
        plan = self.prepared.plan("".join(document_texts(view)))
        needed = {c for text in bold_texts(view) for c in text if not c.isspace()}
        if plan.index != 0 or not needed <= self.bold_chars:
            return plan  # the collection itself (no cache), or bold text from elsewhere
        bold = self.small_bold()
        return plan if bold is None else replace(plan, bold=bold)

    def small_bold(self) -> Path | None:
        """The cut bold face (made on first use); None when the cache cannot be written."""
        with self._lock:
            if self._bold is not None:
                return self._bold
            path = Path(self.prepared.dir) / self._name
            try:
                if not path.is_file():
                    source = self.prepared.source
                    write_atomic(path, subset_face(source.bold, source.index, {ord(c) for c in self.bold_chars}))
            except OSError as error:
                log.warning("small bold font not written (%s); using the full bold face", error)
                return None
            self._bold = path
            return path
