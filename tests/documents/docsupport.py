"""Helpers for the download tests: people from the demo data, downloading, PDF text."""
from __future__ import annotations

import shutil
import subprocess
from typing import Any
from urllib.parse import quote

from webjourney import WANG, Person, apply, application_of, login  # noqa: F401  (re-exported)
from websupport import FLOW, Browser, FakeClock

PATH = "/application/form"
# The rare-character name of the demo registry (䶮 is outside GB 2312: a font shard draws it).
LIU = Person("刘䶮", "20154410641024964", "440106199211051112", stage="senior", subject="senior_history",
             email="liuyan@example.com")
FORMATS = list(FLOW.documents["application_form"].formats)


def signed_in(new_browser: Any, clock: FakeClock, web: Any, person: Person, address: str) -> Browser:
    """`person` applies in one browser, then logs in with another one, which is returned."""
    apply(new_browser(address=address), clock, web, person)
    browser = new_browser(address=address)
    login(browser, person)
    return browser


def download(browser: Browser, fmt: str, status: int = 200) -> Any:
    browser.get(PATH)
    return browser.post(PATH, {"format": fmt}, status=status)


def expected_disposition(web: Any, application_no: str, fmt: str) -> str:
    title = web.t("document.application_form.title")
    name = f"{title}-{application_no}.{fmt}"
    return (f"attachment; filename=\"shenqingbiao-{application_no}.{fmt}\"; "
            f"filename*=UTF-8''{quote(name, safe='')}")


def pdftotext(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        raise RuntimeError("pdftotext not found: install the Debian package poppler-utils")
    run = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return run.stdout.decode("utf-8")


def pdf_images(pdf: bytes, tmp_path: Any) -> int:
    """How many images the PDF embeds (poppler's pdfimages -list)."""
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    run = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True)
    return max(0, len(run.stdout.strip().splitlines()) - 2)


class Drawn:
    """Counts the files drawn, by format (a stored file served again is not drawn)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def count(self, fmt: str) -> int:
        return self.calls.count(fmt)


class Counting:
    """A printer that counts what it draws (and draws it with the real one)."""

    def __init__(self, printer: Any, fmt: str, counter: Drawn):
        self.printer, self.fmt, self.counter = printer, fmt, counter
        self.media_type, self.layout = printer.media_type, printer.layout

    def draw(self, view: Any) -> bytes:
        self.counter.calls.append(self.fmt)
        return self.printer.draw(view)
