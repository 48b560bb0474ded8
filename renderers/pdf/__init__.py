"""The printable documents (申请表) as PDF (fpdf2) and as print-ready HTML.

Both draw an `engine.document.DocumentView`, resolved by the engine from the flow's
`documents` section; they hold no text of their own.
"""
from .fonts import (FontNotFound, FontPlan, FontSource, PreparedFonts, default_cache_dir, find_fonts,
                    prepared_fonts)
from .html import render_html
from .pdf import document_texts, render_pdf

__all__ = ["FontNotFound", "FontPlan", "FontSource", "PreparedFonts", "default_cache_dir", "document_texts",
           "find_fonts", "prepared_fonts", "render_html", "render_pdf"]
