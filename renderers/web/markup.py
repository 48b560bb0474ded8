"""Help pages: a small, safe subset of Markdown turned into HTML.

Everything is escaped first; then `#`/`##`/`###` headings, `-`/`*` and `1.` lists and blank-
line separated paragraphs become elements. No raw HTML, no links, no images: the files
are edited by policy staff and must never be able to inject markup.
"""
from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup, escape

_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
_NUMBER = re.compile(r"^\d+[.、]\s*(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", str(escape(text)))


def render(text: str) -> tuple[str, Markup]:
    """(title, body): the first level-1 heading is the title; the rest becomes HTML."""
    title, out, para, items, kind = "", [], [], [], None

    def flush() -> None:
        nonlocal kind
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()
        if items:
            tag = "ol" if kind == "ol" else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{tag}>")
            items.clear()
            kind = None

    for line in text.splitlines():
        line = line.strip()
        heading, bullet, number = _HEADING.match(line), _BULLET.match(line), _NUMBER.match(line)
        if not line:
            flush()
        elif heading:
            flush()
            level = len(heading.group(1))
            if level == 1 and not title:
                title = heading.group(2)
            else:
                tag = f"h{max(level, 2)}"
                out.append(f"<{tag}>{_inline(heading.group(2))}</{tag}>")
        elif bullet or number:
            wanted = "ul" if bullet else "ol"
            if para or (kind and kind != wanted):
                flush()
            kind = wanted
            items.append((bullet or number).group(1))
        elif items:
            items[-1] += line
        else:
            para.append(line)
    flush()
    return title, Markup("\n".join(out))


def read_page(path: Path) -> tuple[str, Markup]:
    return render(path.read_text(encoding="utf-8"))
