"""Password hashing parameters: the chosen defaults, and hashes upgraded at the next login."""
from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.low_level import Type

from store import Store
from store.passwords import DEFAULT_HASHER, MEMORY_KIB, PARALLELISM, TIME_COST, make_hasher
from storetest import Backend
from test_applications import new_application

OLD = PasswordHasher(time_cost=1, memory_cost=64, parallelism=2)
NEW = make_hasher(memory_kib=128, time_cost=1, parallelism=1)


def stored_hash(store: Store) -> str:
    return store.db.read(lambda c: c.execute(sa.text("SELECT password_hash FROM applications")).scalar())


def test_default_hasher__is_argon2id_within_owasp_recommendation() -> None:
    assert DEFAULT_HASHER.type is Type.ID
    assert (MEMORY_KIB, TIME_COST, PARALLELISM) == (19 * 1024, 2, 1)
    assert DEFAULT_HASHER.memory_cost == MEMORY_KIB and DEFAULT_HASHER.time_cost == TIME_COST


def test_login__hash_made_with_other_parameters__is_upgraded(backend: Backend) -> None:
    with backend.open(password_hasher=OLD) as old:
        old.migrate()
        app = new_application(old)
        before = stored_hash(old)
    assert "m=64,t=1,p=2" in before
    with backend.open(password_hasher=NEW) as new:
        assert not new.check_application_password(app.id, "wrong")
        assert stored_hash(new) == before          # a wrong password upgrades nothing
        assert new.check_application_password(app.id, "Secret#2026")
        after = stored_hash(new)
        assert "m=128,t=1,p=1" in after
        assert new.check_application_password(app.id, "Secret#2026")
        assert stored_hash(new) == after           # no second rehash once current


def test_staff_login__hash_made_with_other_parameters__is_upgraded(backend: Backend) -> None:
    with backend.open(password_hasher=OLD) as old:
        old.migrate()
        old.create_staff("li", "Secret#2026", "admin")
    with backend.open(password_hasher=NEW) as new:
        assert new.check_staff_password("li", "Secret#2026") is not None
        stored = new.db.read(lambda c: c.execute(sa.text("SELECT password_hash FROM staff")).scalar())
        assert "m=128,t=1,p=1" in stored
