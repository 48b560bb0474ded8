"""`Store`: the persistence layer's one object, combining the parts over one database.

Open it with a database URL (SQLite file by default, PostgreSQL with psycopg 3), run
`migrate()` once at start-up, `sync_datasets(...)` for the flow's reference data, then
use it from any thread. Must not know about HTTP, the engine's model classes or text.
"""
from __future__ import annotations

import threading
from typing import Any, ContextManager

from argon2 import PasswordHasher

from . import migrate as migrations
from .access import AccessPart
from .applications import ApplicationsPart
from .datasets import CACHE_LIMIT, CACHE_TTL, DatasetsPart
from .db import Database, Settings, create_engine
from .outbox import OutboxPart
from .passwords import Passwords
from .staff import StaffPart


class Store(ApplicationsPart, AccessPart, StaffPart, OutboxPart, DatasetsPart):
    def __init__(self, db: Database, passwords: Passwords, cache_limit: int = CACHE_LIMIT,
                 cache_ttl: float = CACHE_TTL) -> None:
        self.db = db
        self.passwords = passwords
        self.cache_limit = cache_limit
        self.cache_ttl = cache_ttl
        self._specs = {}
        self._tables = {}
        self._cache = {}
        self._cache_lock = threading.Lock()

    @classmethod
    def open(cls, url: str = "sqlite:///var/shenbao.db", *, busy_timeout: float = 2.0,
             retry_for: float = 6.0, pool_size: int = 10,
             password_hasher: PasswordHasher | None = None, cache_limit: int = CACHE_LIMIT,
             cache_ttl: float = CACHE_TTL, **engine_options: Any) -> Store:
        """`busy_timeout`: seconds a statement waits for a lock per attempt (SQLite busy_timeout,
        PostgreSQL lock_timeout); `retry_for`: seconds
        a transaction is retried before `StoreBusy`. `engine_options` go to SQLAlchemy
        (e.g. `connect_args`)."""
        settings = Settings(busy_timeout=busy_timeout, retry_for=retry_for, pool_size=pool_size)
        db = Database(create_engine(url, settings, **engine_options), settings)
        return cls(db, Passwords(password_hasher), cache_limit, cache_ttl)

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.db.engine.dialect.name

    def unit(self) -> ContextManager[None]:
        """One unit of work (a web request): the calls inside share a connection, and their
        reads one transaction; each write is committed before its call returns (store/db.py)."""
        return self.db.unit()

    def migrate(self) -> None:
        """Bring the fixed tables to the newest revision (a no-op when they are)."""
        migrations.upgrade(self.db)

    def schema_revision(self) -> str | None:
        return migrations.current(self.db)

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
