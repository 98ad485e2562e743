"""Importing accounts in bulk with passwords already hashed with Argon2: checked whole, stored all or none."""

from __future__ import annotations

from functools import cache

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, select

from matchweek.store import Account, Role, Store, StoreError, schema
from matchweek.store.accounts import ImportedAccount

PASSWORD = "correct horse battery staple"


@cache
def weak_hash(password: str = PASSWORD) -> str:
    """An Argon2id hash made with cheap parameters, as a registration system might have kept it."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(password)


def records() -> list[ImportedAccount]:
    return [
        ImportedAccount("operator", weak_hash(), Role.OPERATOR),
        ImportedAccount("program-P01", weak_hash(), "program", programs=("P01", "P02"), display_name="Dr. P"),
        ImportedAccount("applicant-A01", weak_hash(), Role.APPLICANT, applicant="A01"),
    ]


def stored_hashes(url: str) -> dict[str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(schema.accounts.c.username, schema.accounts.c.password_hash)).all()
    engine.dispose()
    return {row.username: row.password_hash for row in rows}


def test_imported_accounts_are_stored_and_sign_in_with_their_passwords(url: str) -> None:
    with Store(url) as store:
        imported = store.import_accounts(records())
        assert imported == [
            Account("operator", Role.OPERATOR, (), None, "operator"),
            Account("program-P01", Role.PROGRAM, ("P01", "P02"), None, "Dr. P"),
            Account("applicant-A01", Role.APPLICANT, (), "A01", "applicant-A01"),
        ]
        assert store.account("program-P01") == imported[1]
        assert stored_hashes(url)["applicant-A01"] == weak_hash()
        assert store.authenticate("applicant-A01", PASSWORD) == imported[2]
        assert store.authenticate("applicant-A01", PASSWORD + "!") is None
    # The weak hash was renewed with today's parameters at the first sign-in.
    renewed = stored_hashes(url)["applicant-A01"]
    assert renewed != weak_hash() and renewed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    with Store(url) as reopened:
        assert reopened.accounts() == sorted(imported, key=lambda a: a.username)
        assert reopened.authenticate("operator", PASSWORD) == imported[0]


def test_a_large_import_is_one_quick_transaction(url: str) -> None:
    many = [
        ImportedAccount(f"applicant-A{k:05d}", weak_hash(), Role.APPLICANT, applicant=f"A{k:05d}")
        for k in range(1200)
    ]
    with Store(url) as store:
        assert len(store.import_accounts(many)) == 1200
        assert store.import_accounts([]) == []
        assert len(store.accounts()) == 1200
        with pytest.raises(StoreError, match=r"imported account 2: username 'applicant-A00007' is taken"):
            store.import_accounts([ImportedAccount("new", weak_hash(), Role.OPERATOR), many[7]])
        assert store.account("new") is None


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (ImportedAccount("has space", weak_hash(), Role.OPERATOR), "username 'has space'"),
        (ImportedAccount("trailing\n", weak_hash(), Role.OPERATOR), "username 'trailing\\\\n'"),
        (ImportedAccount("x", weak_hash(), "superuser"), "unknown role"),
        (ImportedAccount("x", weak_hash(), Role.PROGRAM), "at least one program"),
        (ImportedAccount("x", weak_hash(), Role.APPLICANT), "names its applicant"),
        (ImportedAccount("x", weak_hash(), Role.OPERATOR, applicant="A1"), "no programs and no applicant"),
        (ImportedAccount("x", PASSWORD, Role.OPERATOR), "not an Argon2 hash"),
        (ImportedAccount("x", "$2b$12$" + "a" * 53, Role.OPERATOR), "not an Argon2 hash"),
        (ImportedAccount("x", weak_hash() + "\n", Role.OPERATOR), "not an Argon2 hash"),
        (
            ImportedAccount("x", "$argon2id$v=19$m=65536,t=3,p=4$!!!!!!!!$abcd", Role.OPERATOR),
            "not an Argon2",
        ),
        (ImportedAccount("x", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaGhhc2g", Role.OPERATOR), "salt"),
        (
            ImportedAccount("x", "$argon2id$v=19$m=4194304,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", Role.OPERATOR),
            "memory cost 4194304 is outside 1 to 262144",
        ),
        (
            ImportedAccount("x", "$argon2id$v=19$m=65536,t=0,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", Role.OPERATOR),
            "time cost 0",
        ),
        (ImportedAccount("x", "$argon2id$" + "a" * 300, Role.OPERATOR), "not an Argon2 hash"),
        (
            ImportedAccount("operator", weak_hash(), Role.OPERATOR),
            "'operator' is named twice \\(also account 1\\)",
        ),
        (("y", weak_hash(), "operator"), "not an ImportedAccount"),
    ],
)
def test_a_bad_record_is_named_and_nothing_is_imported(url: str, bad: object, message: str) -> None:
    with Store(url) as store:
        with pytest.raises(StoreError, match=f"^imported account 4: .*{message}") as refused:
            store.import_accounts([*records(), bad])  # type: ignore[list-item]
        assert "\n" not in str(refused.value)
        assert store.accounts() == []
        assert store.account("operator") is None


def test_a_username_taken_by_create_account_refuses_the_whole_import(url: str) -> None:
    with Store(url) as store:
        store.create_account("applicant-A01", PASSWORD, Role.APPLICANT, applicant="A01")
        with pytest.raises(StoreError, match="imported account 3: username 'applicant-A01' is taken"):
            store.import_accounts(records())
        assert [a.username for a in store.accounts()] == ["applicant-A01"]
