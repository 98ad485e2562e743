"""Connecting to the store's database (SQLite or PostgreSQL) and bringing its schema to the newest revision.

One :class:`Database` wraps a SQLAlchemy engine with the two kinds of
transaction the store uses: ``writing()`` (holds the database's write lock from
its first statement, so writers in other processes wait instead of colliding)
and ``reading()``. SQLite runs in WAL mode with full sync, so readers never
block the writer and a committed command survives a crash of the process.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from matchweek.store.errors import StoreError

DEFAULT_DATABASE_URL = "sqlite:///matchweek.db"
"""An SQLite file in the working directory."""

DATABASE_URL_VARIABLE = "MATCHWEEK_DATABASE_URL"

_MIGRATIONS = Path(__file__).with_name("migrations")
_WRITE = "matchweek_write"
# Key of the PostgreSQL advisory lock held while migrating ("mwst").
_MIGRATION_LOCK = 0x6D777374


def database_url() -> str:
    """The database the store uses: ``MATCHWEEK_DATABASE_URL`` if set, else :data:`DEFAULT_DATABASE_URL`."""
    return os.environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE_URL


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


class Database:
    """The store's database: an SQLite file (or in-memory database) or a PostgreSQL database."""

    def __init__(self, url: str, *, memory_lock: threading.RLock | None = None) -> None:
        """``memory_lock`` guards the one connection of an in-memory database (a new lock if None);
        the store passes its state lock, so a thread holding that lock may still read."""
        parsed = _parse(url)
        self.url = parsed
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.in_memory = self.is_sqlite and _is_memory(parsed)
        self._memory_lock: threading.RLock | None = None
        if self.in_memory:
            self._memory_lock = memory_lock if memory_lock is not None else threading.RLock()
        options: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
        if self.is_sqlite:
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if self.in_memory:
                # One connection shared by every thread (guarded by _memory_lock): each new
                # connection to an in-memory database would be a new, empty database.
                options["poolclass"] = StaticPool
            self.engine: Engine = create_engine(parsed, **options)
            _sqlite_transactions(self.engine, wal=not self.in_memory)
        else:
            self.engine = create_engine(parsed, pool_size=10, max_overflow=20, **options)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction that holds the write lock from its start; commits when the block ends normally.

        SQLite: ``BEGIN IMMEDIATE``. PostgreSQL: the caller locks the ``log_head`` row first thing.
        """
        with self._guard(), self.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction (rolled back at the end)."""
        with self._guard(), self.engine.connect() as conn, conn.begin() as transaction:
            yield conn
            transaction.rollback()

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (creating it in an empty database).

        Runs in one transaction under the write lock, so processes starting together
        migrate one after the other and a failed migration leaves nothing behind.
        """
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with self.writing() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def _guard(self) -> threading.RLock | nullcontext[None]:
        return self._memory_lock if self._memory_lock is not None else nullcontext()


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r}") from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend in ("postgresql", "postgres"):
        if parsed.drivername != "postgresql+psycopg":
            # psycopg 3 is the driver matchweek installs; plain postgresql:// means it too.
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed
    if backend == "sqlite" and driver in ("pysqlite", "sqlite"):
        return parsed
    raise StoreError(
        f"matchweek stores its data in SQLite or PostgreSQL, not {parsed.drivername} "
        f"(use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)"
    )


def _is_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


def _sqlite_transactions(engine: Engine, *, wal: bool) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin transactions, so a writer can BEGIN IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            _write_ahead_log(cursor)
        # FULL: a committed command is on disk before its caller hears of it.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def _write_ahead_log(cursor: Any) -> None:
    """Put the database in WAL mode. Connections opening a new file together may find it locked
    by the one switching it (SQLite answers that at once, without waiting for the busy
    timeout), so this waits for its turn, up to the same 30 seconds."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
