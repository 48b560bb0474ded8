"""Password hashing with argon2id (argon2-cffi), done outside any transaction.

Hashing is deliberately slow, so callers hash before opening a write transaction and
never hold a database lock while doing it. This module must not touch the database.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

DEFAULT_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile

# Verified when there is no account, so a wrong username costs as much time as a
# wrong password and does not reveal which usernames exist.
_DUMMY_HASH = DEFAULT_HASHER.hash("shenbao-no-such-account")


class Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or DEFAULT_HASHER
        self._dummy = _DUMMY_HASH if hasher is None else self.hasher.hash("shenbao-no-such-account")

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
