"""Password hashing with argon2id (argon2-cffi), done outside any transaction.

Hashing is deliberately slow, so callers hash before opening a write transaction and
never hold a database lock while doing it. This module must not touch the database.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with OWASP's first recommended configuration (m=19 MiB, t=2, p=1), chosen by
# `bench/passwords.py` on the 2-core target machine: about 18 ms of one core per login,
# against about 140 ms of CPU (two cores busy) for argon2-cffi's default (m=64 MiB, t=3,
# p=4), so a peak-hour login wave does not queue behind hashing. Hashes made with other
# parameters are upgraded at the next successful login (`needs_rehash`).
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1


def make_hasher(memory_kib: int = MEMORY_KIB, time_cost: int = TIME_COST,
                parallelism: int = PARALLELISM) -> PasswordHasher:
    """An argon2id hasher; the parameters are deployment settings (see the web README)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


DEFAULT_HASHER = make_hasher()

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
