"""The schema comes from the Alembic migrations and matches the store's tables; only SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from matchweek.store import DEFAULT_DATABASE_URL, Store, StoreError, database_url, schema


def test_the_migrations_create_exactly_the_store_tables(url: str) -> None:
    with Store(url):
        pass
    engine = create_engine(url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0003"
        assert conn.execute(select(schema.log_head)).all() == [(1, 0)]
    engine.dispose()


def test_opening_again_keeps_everything(url: str) -> None:
    with Store(url) as store:
        store.create_account("operator", "a long password", "operator")
    with Store(url) as again:
        assert [a.username for a in again.accounts()] == ["operator"]


def test_stores_opening_together_on_an_empty_database_migrate_once(url: str) -> None:
    barrier = threading.Barrier(3)
    opened: list[object] = []

    def open_store() -> None:
        barrier.wait()
        try:
            opened.append(Store(url))
        except Exception as e:
            opened.append(e)

    threads = [threading.Thread(target=open_store) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(s, Store) for s in opened), opened
    for store in opened:
        assert isinstance(store, Store)
        store.close()


def test_an_in_memory_sqlite_store_works_from_many_threads() -> None:
    with Store("sqlite:///:memory:") as store:
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def sign_up(k: int) -> None:
            barrier.wait()
            try:
                store.create_account(f"user{k}", "a long password", "operator")
                store.events()
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=sign_up, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(store.accounts()) == 4


def test_the_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATCHWEEK_DATABASE_URL", raising=False)
    assert database_url() == DEFAULT_DATABASE_URL == "sqlite:///matchweek.db"
    monkeypatch.setenv("MATCHWEEK_DATABASE_URL", "postgresql+psycopg://clearinghouse@db/matchweek")
    assert database_url() == "postgresql+psycopg://clearinghouse@db/matchweek"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/matchweek", "SQLite or PostgreSQL, not mysql"),
        ("not a url", "not a database URL"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot open the database postgresql"),
        ("sqlite:////no/such/folder/matchweek.db", "cannot open the database sqlite"),
    ],
)
def test_other_databases_are_refused_in_one_line(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store(url)
