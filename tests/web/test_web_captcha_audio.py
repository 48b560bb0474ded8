"""The audio captcha: for whoever cannot see the image, seven digits spoken in Mandarin by
espeak-ng, in the same single-use slot as the image (playing it spends the image's answer)."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import wave

import pytest

from renderers.web import captcha
from renderers.web.sessions import BROWSER_COOKIE
from webjourney import LI, PASSWORD, apply

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs Debian's espeak-ng")


def audio_src(html: str, purpose: str) -> str:
    found = re.search(rf'<audio[^>]*src="(/captcha/{purpose}\.wav\?v=\w+)"', html)
    assert found, "no audio captcha on the page"
    return found.group(1)


def spoken_digits(store, b, purpose: str) -> str:
    """What the audio said: the digits kept in this browser's slot (the test reads the store)."""
    kept = store.load_draft(f"captcha:{purpose}:{b.cookie(BROWSER_COOKIE)}")
    assert kept and kept.get("digits"), kept
    return kept["digits"]


def test_captcha_strength__audio_answers__at_least_as_many_as_the_image():
    assert 10 ** captcha.AUDIO_LENGTH >= len(captcha.ALPHABET) ** captcha.LENGTH


def test_audio_captcha__login__the_spoken_digits_log_in_once(browser, new_browser, clock, web, store):
    apply(new_browser(), clock, web, LI)
    browser.get("/login")
    browser.app.get("/captcha/login.png")
    src = audio_src(browser.html, "login")
    sound = browser.app.get(src)
    assert sound.content_type == "audio/wav" and sound.headers["Cache-Control"] == "no-store"
    with wave.open(io.BytesIO(sound.body)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert 3 < seconds < 20, seconds
    digits = spoken_digits(store, browser, "login")
    assert re.fullmatch(r"\d{7}", digits)
    assert browser.app.get(src).body == sound.body            # played again: the same digits
    expected = subprocess.run(["espeak-ng", "-v", "cmn", "-s", "110", "-g", "12", "--stdout",
                               "，".join("零幺二三四五六七八九"[int(d)] for d in digits)],
                              capture_output=True, check=True).stdout
    assert sound.body[44:] == expected[44:]                    # the same speech (headers differ in length)

    fields = {"id_no": LI.id_no, "cert_no": LI.cert_no, "password": PASSWORD}
    browser.post("/login", {**fields, "captcha": "K7MQ"})     # the image's answer is spent by the audio
    assert web.t("web.captcha.wrong") in browser.text

    browser.get("/login")
    browser.app.get(audio_src(browser.html, "login"))
    digits = spoken_digits(store, browser, "login")
    browser.post("/login", {**fields, "captcha": digits})
    assert browser.h1 == web.t("web.login.prompt.title")
    browser.post("/logout", {})
    browser.get("/login")
    browser.post("/login", {**fields, "captcha": digits})     # single use
    assert web.t("web.captcha.wrong") in browser.text


def test_audio_captcha__forgot_and_staff_pages__offered(browser):
    browser.get("/password/forgot")
    audio_src(browser.html, "forgot")
    browser.get("/staff/login")
    audio_src(browser.html, "login")


def test_audio_captcha__unknown_purpose__not_found(browser):
    browser.get("/captcha/other.wav?v=1", status=404)
