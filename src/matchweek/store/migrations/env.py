"""Alembic environment: migrations run on the connection the store hands over, in its transaction."""

from __future__ import annotations

from alembic import context

from matchweek.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the store's migrations run from matchweek.store.database.migrate, on its connection")

context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
