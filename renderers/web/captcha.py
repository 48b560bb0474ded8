"""Captchas for the login and password-recovery pages: an image (the `captcha` package) and,
for whoever cannot see it, the same challenge slot spoken: seven digits read in Mandarin by
espeak-ng on this machine (WAV; no service outside is asked).

The answer is kept server-side only, as an HMAC under the site secret, in a per-browser
slot of the store; it is single use (removed when checked, right or wrong), expires,
and is compared case-insensitively. Playing the audio puts a new answer in the slot (the
image's is then spent): one slot, one answer, so the audio is no weaker than the image
(10^7 seven-digit answers against 32^4 ≈ 1.05 × 10^6 four-character ones) and no second way in. The
digits are kept beside the digest so that the same audio (the player may fetch it more
than once: a range request, a replay) says the same digits. Tests set
`Settings.captcha_fixed` so that every image captcha has a known answer; nothing else can
turn that on.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import bottle
from captcha.image import ImageCaptcha

from .context import Web
from .sessions import browser_key
from .speech import audio_available, speak

PURPOSES = ("login", "forgot")
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
LENGTH = 4
LIFETIME = timedelta(minutes=10)
FIELD = "captcha"
AUDIO_LENGTH = 7  # 10^7 answers: more than the image's 32^4 (about 10^6)


def _digest(web: Web, answer: str) -> str:
    return hmac.new(web.settings.secret.encode(), answer.strip().upper().encode(), hashlib.sha256).hexdigest()


def _slot(web: Web, purpose: str) -> str:
    return browser_key(web, f"captcha:{purpose}")


def new_answer(web: Web, purpose: str) -> str:
    answer = web.settings.captcha_fixed or "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    web.store.save_draft(_slot(web, purpose), {"digest": _digest(web, answer)}, web.now())
    return answer


def spoken_answer(web: Web, purpose: str, version: str) -> str:
    """The digits the audio `version` of this browser's challenge says; a new challenge
    (replacing the image's) the first time that version is asked for."""
    slot = _slot(web, purpose)
    kept = web.store.load_draft(slot, web.now(), LIFETIME)
    if kept is not None and version and kept.get("audio") == version and kept.get("digits"):
        return str(kept["digits"])
    digits = "".join(secrets.choice("0123456789") for _ in range(AUDIO_LENGTH))
    web.store.save_draft(slot, {"digest": _digest(web, digits), "audio": version, "digits": digits}, web.now())
    return digits


def check(web: Web, purpose: str, typed: str | None) -> bool:
    """Right answer to the captcha this browser was last shown for `purpose`; spends it."""
    slot = _slot(web, purpose)
    kept = web.store.load_draft(slot, web.now(), LIFETIME)
    if kept is None:
        return False
    web.store.delete_draft(slot)
    return bool(typed) and hmac.compare_digest(kept.get("digest", ""), _digest(web, typed or ""))


def install(app: bottle.Bottle, web: Web) -> None:
    images = ImageCaptcha(width=160, height=60)

    @app.get("/captcha/<purpose>.png")
    def image(purpose: str) -> bytes:
        if purpose not in PURPOSES:
            bottle.abort(404)
        data = images.generate(new_answer(web, purpose), format="png").getvalue()
        bottle.response.content_type = "image/png"
        bottle.response.set_header("Cache-Control", "no-store")
        return data

    @app.get("/captcha/<purpose>.wav")
    def audio(purpose: str) -> bytes:
        if purpose not in PURPOSES or not audio_available():
            bottle.abort(404)
        data = speak(spoken_answer(web, purpose, bottle.request.query.get("v", "")[:32]))
        bottle.response.content_type = "audio/wav"
        bottle.response.set_header("Cache-Control", "no-store")
        return data
