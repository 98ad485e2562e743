"""Alembic migrations of the store's schema, run by the store itself (no alembic.ini needed)."""
