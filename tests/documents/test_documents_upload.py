"""The `image` field end to end (issue 8): step 7 asks a teacher whose certificate was typed in
by hand (the registry holds no photo) for a recent colour ID photo. Refused uploads get the
catalogue's message at the field with everything else typed kept; a good one is stored with
the application, shown to staff (in scope only) and printed in the form's photo box.

The rules come from the loaded flow (engine tests use their own small flows)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import imagefiles
from docsupport import download, pdf_images, pdftotext
from webjourney import NEW, application_of, login, next_step, title, walk_to
from websupport import FLOW

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "staff"))
from staffsupport import make_staff, staff_browser  # noqa: E402

FIELD = FLOW.fields["photo_upload"]
MAX_BYTES = FIELD.rules["max_bytes"]
MIN_W, MIN_H = FIELD.rules["min_pixels"]


def at_step_7(browser, clock, web):
    walk_to(browser, clock, web, NEW, "application")
    assert 'type="file" id="photo_upload" name="photo_upload"' in browser.html
    assert 'enctype="multipart/form-data"' in browser.html
    assert 'accept="image/jpeg"' in browser.html and 'aria-describedby="photo_upload-hint"' in browser.html
    assert f'<label for="photo_upload">{web.t(FIELD.label)}' in browser.html


def send(browser, data: bytes, name: str = "photo.jpg", status: int = 200):
    from webjourney import step_answers
    values = {**step_answers(NEW, "application"), "graduated_school": "首都师范大学（函授）", "action": "next",
              "step": "application"}
    return browser.post("/apply", values, files=[("photo_upload", name, data)], status=status)


@pytest.mark.parametrize("data, code, params", [
    (imagefiles.pdf_named_jpg(), "image_unreadable", {}),
    (imagefiles.jpeg((10, 10)), "image_small", {"width": MIN_W, "height": MIN_H, "got": "10×10"}),
    (imagefiles.png(), "image_format", {"formats": "JPEG"}),
], ids=["pdf_renamed_jpg", "10x10_px", "png"])
def test_step_7__bad_photo__message_at_the_field_and_everything_typed_kept(browser, clock, web, data, code, params):
    at_step_7(browser, clock, web)
    send(browser, data)
    assert browser.h1 == title(web, "application")
    label = web.t(FIELD.label)
    assert browser.field_errors()["photo_upload"] == web.t(f"problem.{code}", label=label, **params)
    assert browser.value("graduated_school") == "首都师范大学（函授）"
    assert browser.value("email") == NEW.email


def test_step_7__photo_over_the_rule_but_under_the_body_limit__message_not_413(browser, clock, web):
    at_step_7(browser, clock, web)
    big = imagefiles.oversized(max(1, MAX_BYTES // (1024 * 1024)) + 1)
    assert MAX_BYTES < len(big) < web.settings.max_body_bytes + web.settings.max_upload_bytes
    send(browser, big)
    assert browser.field_errors()["photo_upload"].startswith(web.t(FIELD.label))
    assert browser.value("graduated_school") == "首都师范大学（函授）"


def test_step_7__20_mb__refused_cleanly_with_413_page(browser, clock, web):
    at_step_7(browser, clock, web)
    response = send(browser, imagefiles.oversized(20), status=413)
    assert web.t("error.413") in response.text and "Traceback" not in response.text


def test_step_7__good_photo__stored_shown_to_staff_in_scope_and_printed(browser, new_browser, clock, web, store,
                                                                           tmp_path):
    at_step_7(browser, clock, web)
    photo = imagefiles.jpeg()
    send(browser, photo)
    assert browser.h1 == title(web, "done"), (browser.summary(), browser.field_errors())
    saved = application_of(store, NEW)
    assert saved.answers["photo_upload"]["format"] == "jpeg" and "data" not in saved.answers["photo_upload"]
    # staff: the image on the application page, served only to staff who may see the application
    make_staff(store)
    operator = staff_browser(new_browser, "jinxiu")
    operator.get(f"/staff/applications/{saved.id}")
    assert f'src="/staff/applications/{saved.id}/uploads/photo_upload"' in operator.html
    served = operator.get(f"/staff/applications/{saved.id}/uploads/photo_upload")
    assert served.body == photo and served.content_type == "image/jpeg"
    other = staff_browser(new_browser, "pudong-east")
    assert other.get(f"/staff/applications/{saved.id}/uploads/photo_upload", status="*").status_int == 404
    # the printed form: the photo in its box, the name beside it
    applicant = new_browser(address="10.0.0.9")
    login(applicant, NEW)
    pdf = download(applicant, "pdf").body
    assert "赵新" in pdftotext(pdf)
    assert pdf_images(pdf, tmp_path) == 1  # the uploaded photo (a form without one embeds none)


def test_step_7__registry_certificate__no_photo_asked(browser, clock, web):
    from webjourney import WANG
    walk_to(browser, clock, web, WANG, "application")
    assert 'id="photo_upload"' not in browser.html and "multipart" not in browser.html
