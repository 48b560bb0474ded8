"""What every part of the `Store` shares: the database, the password hasher, the clock.

The parts (applications, access, staff, outbox, datasets) are mixins over this class;
`store.Store` combines them. This module must not know any table.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from .codec import to_utc, utcnow
from .db import Database
from .passwords import Passwords


class StoreBase:
    db: Database
    passwords: Passwords

    @staticmethod
    def _now(now: datetime | None) -> datetime:
        """The caller's clock when given (tests, the web layer), else the system clock."""
        return utcnow() if now is None else to_utc(now)

    @staticmethod
    def _token_hash(token: str) -> str:
        """Only this digest is stored: a leaked table grants no session or reset."""
        return hashlib.sha256(token.encode("utf-8")).hexdigest()
