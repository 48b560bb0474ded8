"""Draw a DocumentView as print-ready HTML (A4 print CSS), from the same declaration as the PDF.

A Jinja2 template with autoescape on: every value is escaped, so an applicant's text can
never become markup. The photo and the QR code are inlined as data URIs, so the page
prints on its own. Renderer: no lookups, no text of its own.
"""
from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from engine import DocumentView

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def render_html(view: DocumentView, lang: str = "zh-CN") -> str:
    """The document as one self-contained HTML page."""
    if "html" not in view.formats:
        raise ValueError(f"document '{view.id}' does not declare the html format (formats: {list(view.formats)})")
    template = _environment().get_template("document.html.j2")
    qr = segno.make(view.code.value, error="m", micro=False).svg_data_uri(border=0) if view.code else ""
    return template.render(view=view, lang=lang, qr=qr, image_uri=image_uri)


def render_compare(title: str, left_title: str, right_title: str, parts: Sequence[tuple[str, Sequence[Any]]],
                   words: Mapping[str, str], changes: Sequence[str] = (), lang: str = "zh-CN") -> str:
    """Two versions of a row-by-row document side by side, under a list of `changes`; rows whose
    `changed` is true are marked with `words['changed']`, `words['added']` or `words['removed']`."""
    template = _environment().get_template("compare.html.j2")
    return template.render(title=title, left_title=left_title, right_title=right_title, parts=parts, lang=lang,
                           changes=changes, **words)


def image_uri(data: bytes | None) -> str:
    """A data: URI for JPEG or PNG bytes ('' for none)."""
    if not data:
        return ""
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
