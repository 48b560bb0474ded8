"""Image captchas for the login and password-recovery pages (the `captcha` package).

The answer is kept server-side only, as an HMAC under the site secret, in a per-browser
slot of the store; it is single use (removed when checked, right or wrong), expires,
and is compared case-insensitively. Tests set `Settings.captcha_fixed` so that every
captcha has a known answer; nothing else can turn that on.
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

PURPOSES = ("login", "forgot")
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
LENGTH = 4
LIFETIME = timedelta(minutes=10)
FIELD = "captcha"


def _digest(web: Web, answer: str) -> str:
    return hmac.new(web.settings.secret.encode(), answer.strip().upper().encode(), hashlib.sha256).hexdigest()


def _slot(web: Web, purpose: str) -> str:
    return browser_key(web, f"captcha:{purpose}")


def new_answer(web: Web, purpose: str) -> str:
    answer = web.settings.captcha_fixed or "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    web.store.save_draft(_slot(web, purpose), {"digest": _digest(web, answer)}, web.now())
    return answer


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
