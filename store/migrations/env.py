"""Alembic environment for the store: runs on the connection `store.migrate` passes in.

Reference-data tables (`ds_*`) are not managed here; autogenerate ignores them.
"""
from __future__ import annotations

from typing import Any

from alembic import context

from store.schema import metadata


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "table" and name is not None and name.startswith("ds_"))


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("STORE_MIGRATE_NEEDS_CONNECTION")
context.configure(connection=connection, target_metadata=metadata,
                  include_object=include_object, render_as_batch=True,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
