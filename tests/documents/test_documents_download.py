"""Downloading the application form after login (manual section 7): the choose-format
dialog, the file and its headers, what the PDF says, and who may download it."""
from __future__ import annotations

import re

import pytest

from docsupport import (FLOW, FORMATS, LIU, PATH, WANG, application_of, download, expected_disposition,
                        pdf_images, pdftotext, signed_in)
from webjourney import LI, NEW
from websupport import text_of


@pytest.fixture
def wang(new_browser, clock, web):
    return signed_in(new_browser, clock, web, WANG, "10.1.0.1")


def test_dialog__after_login__lists_the_flows_formats_and_export(wang, web):
    wang.get(PATH)
    assert wang.h1 == web.t("download.title")
    radios = re.findall(r'<input type="radio" id="format-(\w+)" name="format" value="(\w+)"( checked)?>', wang.html)
    assert [value for _id, value, _checked in radios] == FORMATS == ["pdf", "html"]
    assert [bool(checked) for *_rest, checked in radios] == [True, False]     # the first is preselected
    for fmt in FORMATS:
        assert web.t(f"download.format.{fmt}") in wang.text
    assert re.search(rf'<form method="post" action="{PATH}"', wang.html)
    assert f'<button type="submit">{web.t("download.submit")}</button>' in wang.html
    assert wang.csrf
    assert '<script src="/static/download.js" defer></script>' in wang.html


def test_dialog__dashboard_link__leads_to_it(wang, web):
    wang.get("/account")
    assert f'href="{PATH}"' in wang.html
    wang.get(PATH)
    assert wang.h1 == web.t("download.title")


@pytest.mark.parametrize("method", ["get", "post"])
def test_download__no_login__goes_to_login(browser, web, method):
    if method == "get":
        browser.get(PATH)
    else:
        browser.get("/login")
        browser.post(PATH, {"format": "pdf"})
    assert browser.h1 == web.t("web.login.title")


def test_download__pdf__attachment_with_rfc5987_name_and_no_caching(wang, web, store):
    saved = application_of(store, WANG)
    response = download(wang, "pdf")
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == expected_disposition(web, saved.application_no, "pdf")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.body.startswith(b"%PDF-")
    assert int(response.headers["Content-Length"]) == len(response.body)


def test_download__registry_certificate__values_photo_agency_point_number(wang, store, tmp_path):
    saved = application_of(store, WANG)
    pdf = download(wang, "pdf").body
    text = pdftotext(pdf)
    for value in (WANG.name, WANG.id_no, WANG.cert_no, saved.application_no, "北京市海淀区教育委员会",
                  "海淀区教师进修学校确认点", "北京市海淀区学院南路甲18号", "海淀实验小学", "13912345678",
                  "汉族", "小学教师资格", "大学本科", "一级教师", "群众", "2027-03-15"):
        assert value in text, value
    assert pdf_images(pdf, tmp_path) == 1                                       # the registry photo


def test_download__typed_in_certificate__values_and_an_empty_photo_box(new_browser, clock, web, store, tmp_path):
    person = signed_in(new_browser, clock, web, NEW, "10.1.0.2")
    saved = application_of(store, NEW)
    pdf = download(person, "pdf").body
    text = pdftotext(pdf)
    for value in (NEW.name, NEW.id_no, NEW.cert_no, saved.application_no, "北京市海淀区教育委员会",
                  "海淀区教师进修学校确认点", web.t("document.photo")):
        assert value in text, value
    assert pdf_images(pdf, tmp_path) == 0


def test_download__rare_character_name__drawn_and_extractable(new_browser, clock, web, store):
    person = signed_in(new_browser, clock, web, LIU, "10.1.0.3")
    saved = application_of(store, LIU)
    text = pdftotext(download(person, "pdf").body)
    for value in ("刘䶮", LIU.id_no, saved.application_no, "海淀区教师进修学校确认点"):
        assert value in text, value


def test_download__html__attachment_escaped_with_the_same_values(wang, web, store):
    saved = application_of(store, WANG)
    response = download(wang, "html")
    assert response.content_type == "text/html"
    assert response.charset.lower() == "utf-8"
    assert response.headers["Content-Disposition"] == expected_disposition(web, saved.application_no, "html")
    page = response.body.decode("utf-8")
    text = text_of(page)
    for value in (WANG.name, WANG.id_no, saved.application_no, "北京市海淀区教育委员会", "海淀区教师进修学校确认点"):
        assert value in text, value
    assert "data:image/jpeg;base64," in page


def test_download__unknown_format__the_dialog_again_with_a_message(wang, web, drawn):
    response = download(wang, "docx", status=400)
    assert response.content_type == "text/html"
    assert web.t("download.choose") in wang.text
    assert drawn.calls == []


def test_download__forged_csrf__refused(wang, drawn):
    wang.get(PATH)
    wang.post(PATH, {"format": "pdf"}, csrf="forged", status=403)
    assert drawn.calls == []


def test_download__each_applicant_gets_only_their_own(new_browser, clock, web, store):
    wang = signed_in(new_browser, clock, web, WANG, "10.1.0.4")
    li = signed_in(new_browser, clock, web, LI, "10.1.0.5")
    mine, theirs = application_of(store, LI), application_of(store, WANG)
    wang.get(PATH)
    # nothing in the request can name another application: the session decides
    li.get(PATH)
    response = li.post(PATH, {"format": "html", "application_no": theirs.application_no, "id": str(theirs.id)})
    text = text_of(response.body.decode("utf-8"))
    assert mine.application_no in text and LI.name in text
    assert theirs.application_no not in text and WANG.name not in text
    assert response.headers["Content-Disposition"] == expected_disposition(web, mine.application_no, "html")


def test_download__after_logout__refused(wang, web):
    wang.get(PATH)
    token = wang.csrf
    wang.post("/logout", {})
    wang.post(PATH, {"format": "pdf"}, csrf=token)
    assert wang.h1 == web.t("web.login.title")


def test_download__session_expired__goes_to_login(wang, web, clock):
    wang.get(PATH)
    clock.advance(minutes=web.settings.session_idle_minutes + 1)
    wang.post(PATH, {"format": "pdf"})
    assert wang.h1 == web.t("web.login.title")



def test_flow_without_documents__no_download_route(web):
    from dataclasses import replace

    import bottle

    from renderers.web import documents

    bare = replace(web, flow=replace(web.flow, documents={}))
    app = bottle.Bottle()
    app.config["shenbao.web"] = bare
    documents.install(app, bare)
    assert app.routes == []
    assert documents.start_warmer(app) is None


def test_download__pdf__fills_the_pages_the_flow_declares(wang, web):
    """The form is one A4 page while the flow's document says `pages: 1` (and after a policy edit that
    prints one more field: tests/test_policy_edits.py runs this against the edited copy)."""
    declared = FLOW.documents["application_form"].pages
    text = pdftotext(download(wang, "pdf").body)
    assert declared is not None and text.count("\f") == declared
    assert text.count(web.t("document.application_form.title")) == 1    # no continuation header
