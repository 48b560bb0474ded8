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


def pair_key(web: Web, action: str, *parts: str) -> str:
    return account_key(action, *parts, client_address(web)).replace(":account:", ":pair:", 1)


class Throttle:
    """Failures are counted per account *and address* (the pair), per address, and per account.

    A login (`account_wide=False`) is refused for a pair that failed `per_account` times in
    the window, and slowed before that (a wait of 2, 4, 8 … seconds after the second
    failure), and for an address that failed `per_address` times on any accounts; the
    account's own count never refuses anyone. So a third party who knows an ID number (or a
    staff user name) slows *their own* attempts on it and cannot lock its owner out: the
    owner, from their own address, still signs in while the attacker hammers. Guessing from
    many addresses is bounded by the captcha each attempt needs, per_account tries per
    address per window, and argon2's cost. Password recovery (`account_wide=True`) keeps a
    limit per account as well: there it protects the owner's mailbox from a flood.
    """

    def __init__(self, web: Web, action: str, per_account: int, per_address: int, account_wide: bool = False):
        self.web, self.action = web, action
        self.per_account, self.per_address = per_account, per_address
        self.account_wide = account_wide
        self.window = timedelta(minutes=web.settings.throttle_window_minutes)

    def keys(self, *account: str) -> list[tuple[str, int]]:
        found = [(pair_key(self.web, self.action, *account), self.per_account),
                 (address_key(self.web, self.action), self.per_address)]
        return found + ([(account_key(self.action, *account), self.per_account)] if self.account_wide else [])

    def wait(self, *account: str) -> int:
        """Seconds before this address may try this account again (0: now)."""
        now = self.web.now()
        since = now - self.window
        store = self.web.store
        for key, limit in self.keys(*account):
            if store.failures(key, since) >= limit:
                return int(self.window.total_seconds())
        failed = 0 if self.account_wide else store.failures(pair_key(self.web, self.action, *account), since)
        if failed >= 2:
            delay = timedelta(seconds=2 ** (failed - 1))
            if store.failures(pair_key(self.web, self.action, *account), now - delay + timedelta(microseconds=1)):
                return int(delay.total_seconds())
        return 0

    def blocked(self, *account: str) -> bool:
        return self.wait(*account) > 0

    def count(self, *account: str) -> bool:
        """Record a failure; True when it is the one that locks this pair (audited by callers)."""
        now = self.web.now()
        keys = self.keys(*account)
        if not self.account_wide:
            keys.append((account_key(self.action, *account), self.per_account))
        for key, _limit in keys:
            self.web.store.record_failure(key, now)
        return self.web.store.failures(keys[0][0], now - self.window) == self.per_account

    def clear(self, *account: str) -> None:
        self.web.store.clear(pair_key(self.web, self.action, *account))
        if self.account_wide:
            self.web.store.clear(account_key(self.action, *account))

    def refusal(self, key: str, *account: str) -> str:
        """The message of a refused attempt: in seconds while slowed, in minutes when locked."""
        seconds = self.wait(*account)
        if 0 < seconds < 60:
            return self.web.t("web.throttle.wait", seconds=seconds)
        return self.web.t(key, minutes=self.minutes)

    @property
    def minutes(self) -> int:
        return self.web.settings.throttle_window_minutes
