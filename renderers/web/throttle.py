"""Throttling of login and password-recovery attempts, per account and per client address.

Attempts are counted in the store over a sliding window; keys for accounts are digests of
what was typed, so a name that does not exist is throttled exactly like one that does.
"""
from __future__ import annotations

import hashlib
import unicodedata
from datetime import timedelta

import bottle

from .context import Web


def identity(text: str | None) -> str:
    """ID and certificate numbers as the flow normalises them: NFKC, trimmed, upper case."""
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def account_key(action: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]
    return f"{action}:account:{digest}"


def client_address(web: Web) -> str:
    """REMOTE_ADDR; behind a reverse proxy (setting `forwarded_for`), the address that proxy
    saw, i.e. the last X-Forwarded-For entry. Bottle's `remote_addr` trusts the first one,
    which any client can write."""
    environ = bottle.request.environ
    if web.settings.forwarded_for:
        hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if hops:
            return hops[-1]
    return environ.get("REMOTE_ADDR") or "unknown"


def address_key(web: Web, action: str) -> str:
    return f"{action}:address:{client_address(web)}"


class Throttle:
    def __init__(self, web: Web, action: str, per_account: int, per_address: int):
        self.web, self.action = web, action
        self.per_account, self.per_address = per_account, per_address
        self.window = timedelta(minutes=web.settings.throttle_window_minutes)

    def keys(self, *account: str) -> list[tuple[str, int]]:
        return [(account_key(self.action, *account), self.per_account),
                (address_key(self.web, self.action), self.per_address)]

    def blocked(self, *account: str) -> bool:
        since = self.web.now() - self.window
        return any(self.web.store.failures(key, since) >= limit for key, limit in self.keys(*account))

    def count(self, *account: str) -> None:
        now = self.web.now()
        for key, _limit in self.keys(*account):
            self.web.store.record_failure(key, now)

    def clear(self, *account: str) -> None:
        self.web.store.clear(account_key(self.action, *account))

    @property
    def minutes(self) -> int:
        return self.web.settings.throttle_window_minutes
