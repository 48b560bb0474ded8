"""The formats a document prints in, as the application layer's `Printer`s (shenbao.documents).

`printers(catalog)` is what the composition root (commands/) hands the documents service:
"pdf" (fpdf2, with the small bold face of document_fonts.py) and "html" (print-ready HTML).
Each says what it draws with (`layout`: this folder's code and templates, fpdf2's version,
the font set-up), so a change of any of them re-draws the stored documents.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import fpdf

from engine import DocumentView
from shenbao.catalog import Catalog
from shenbao.documents import DocumentUnavailable, Printer

from .document_fonts import DocumentFonts
from .fonts import FontNotFound
from .html import render_html
from .pdf import render_pdf

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def layout_digest() -> str:
    """What the renderer draws with: its code, templates and fpdf2's version."""
    digest = hashlib.sha256(f"fpdf2 {fpdf.__version__}".encode())
    for path in sorted([*HERE.glob("*.py"), *HERE.glob("templates/*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class PdfPrinter:
    media_type = "application/pdf"

    def __init__(self, fonts: Any):
        self.fonts = fonts  # DocumentFonts, or what render_pdf takes (PreparedFonts, FontPlan)
        self.layout = f"{layout_digest()}|{type(fonts).__name__}"

    def draw(self, view: DocumentView) -> bytes:
        fonts = self.fonts.for_view(view) if isinstance(self.fonts, DocumentFonts) else self.fonts
        try:
            return render_pdf(view, fonts)
        except FontNotFound as error:
            raise DocumentUnavailable(str(error)) from error


class HtmlPrinter:
    media_type = "text/html; charset=utf-8"

    def __init__(self) -> None:
        self.layout = layout_digest()

    def draw(self, view: DocumentView) -> bytes:
        return render_html(view).encode("utf-8")


def printers(catalog: Catalog, fonts: Any = None) -> dict[str, Printer]:
    return {"pdf": PdfPrinter(DocumentFonts(catalog) if fonts is None else fonts), "html": HtmlPrinter()}
