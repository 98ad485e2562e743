"""Fresh databases for the store's tests: SQLite files, or schemas of the PostgreSQL test server."""

from __future__ import annotations

import os
import uuid
from functools import cache
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

POSTGRES = os.environ.get("MATCHWEEK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
"""The PostgreSQL test server (trust authentication)."""


@cache
def postgres_problem() -> str | None:
    """Why the PostgreSQL test server cannot be used, or None when it answers."""
    try:
        engine = create_engine(POSTGRES, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as e:
        return str(e).splitlines()[0]
    return None


class Databases:
    """Hands out fresh, empty databases of one kind (``sqlite`` or ``postgresql``) and drops them after."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self._folder = folder
        self._schemas: list[str] = []
        self._count = 0

    def url(self) -> str:
        """The URL of a new empty database: an SQLite file, or a PostgreSQL schema on the search path."""
        self._count += 1
        if self.kind == "sqlite":
            return f"sqlite:///{self._folder / f'store-{self._count}.db'}"
        name = f"store_test_{uuid.uuid4().hex[:12]}"
        engine = create_engine(POSTGRES)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        engine.dispose()
        self._schemas.append(name)
        return f"{POSTGRES}?options=-csearch_path%3D{name}"

    def drop_all(self) -> None:
        """Drop every PostgreSQL schema handed out."""
        if not self._schemas:
            return
        engine = create_engine(POSTGRES)
        with engine.begin() as conn:
            for name in self._schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()
