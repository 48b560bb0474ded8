"""The downloadable application form: the HTML export passes the same axe checks as the
pages (opened from a file, as the applicant opens the download); the PDF says its title
(shown instead of the file name), its language zh-CN, and the photo's alternative text."""
from __future__ import annotations

import re
import subprocess

from axe import Audit
from webjourney import WANG, apply, login

FORM = "/application/form"


def downloaded(new_browser, clock, web, fmt: str) -> bytes:
    apply(new_browser(), clock, web, WANG)
    b = new_browser()
    login(b, WANG)
    b.get(FORM)
    return b.post(FORM, {"format": fmt}).body


def test_axe__html_form_export__no_violations(chrome, new_browser, clock, web, tmp_path):
    page = tmp_path / "form.html"
    page.write_bytes(downloaded(new_browser, clock, web, "html"))
    chrome.go(page.as_uri())
    audit = Audit("document-html")
    audit.check(chrome, "application-form.html")
    audit.write()
    assert WANG.name in chrome.text()
    assert not audit.violations, "\n".join(v.line() for v in audit.violations)


def test_pdf_form__tagged_where_fpdf2_can__title_language_photo_alt(new_browser, clock, web):
    pdf = downloaded(new_browser, clock, web, "pdf")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert re.search(rf"^Title:\s+{re.escape(web.t('document.application_form.title'))}", info, re.M), info
    assert b"/Lang (zh-CN)" in pdf
    assert b"/DisplayDocTitle true" in pdf
    assert re.search(rb"/S /Figure", pdf) and b"/Alt" in pdf and b"/MarkInfo" in pdf


def test_download_page__html_version_offered_next_to_the_pdf_as_the_accessible_alternative(new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    b = new_browser()
    login(b, WANG)
    b.get(FORM)
    options = re.findall(r'<input type="radio" id="format-(\w+)"', b.html)
    assert options[:2] == ["pdf", "html"], options              # the same list, one after the other
    html_option = b.html.split('id="format-html"', 1)[1].split("</label>", 1)[0]
    assert web.t("download.format.html.hint") in html_option
