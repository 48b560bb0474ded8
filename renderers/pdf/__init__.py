"""The printable documents (申请表) as PDF (fpdf2) and as print-ready HTML.

Both draw an `engine.document.DocumentView`, resolved by the engine from the flow's
`documents` section; they hold no text of their own. `printers(catalog)` hands both to the
application layer's documents service (shenbao.documents.Printer).
"""
from .document_fonts import DocumentFonts, bold_texts
from .fonts import (FontNotFound, FontPlan, FontSource, PreparedFonts, default_cache_dir, find_fonts,
                    prepared_fonts)
from .html import render_compare, render_html
from .pdf import document_texts, render_pdf
from .printers import HtmlPrinter, PdfPrinter, layout_digest, printers

__all__ = ["DocumentFonts", "FontNotFound", "FontPlan", "FontSource", "HtmlPrinter", "PdfPrinter", "PreparedFonts",
           "bold_texts", "default_cache_dir", "document_texts", "find_fonts", "layout_digest", "prepared_fonts",
           "printers", "render_compare", "render_html", "render_pdf"]
