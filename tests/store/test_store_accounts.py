"""Portal accounts: Argon2 hashes only, one account per username, roles with what they need."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, select

from matchweek.store import Account, Role, Store, StoreError, schema

PASSWORD = "correct horse battery staple"


def test_accounts_are_created_found_and_listed(url: str) -> None:
    with Store(url) as store:
        operator = store.create_account("operator", PASSWORD, Role.OPERATOR)
        director = store.create_account(
            "pd-riverside",
            PASSWORD,
            Role.PROGRAM,
            programs=["1234140C0", "1234140P0"],
            display_name="Dr. Rivers",
        )
        applicant = store.create_account("applicant-A00001", PASSWORD, "applicant", applicant="A00001")
        assert operator == Account("operator", Role.OPERATOR, (), None, "operator")
        assert director == Account(
            "pd-riverside", Role.PROGRAM, ("1234140C0", "1234140P0"), None, "Dr. Rivers"
        )
        assert applicant == Account("applicant-A00001", Role.APPLICANT, (), "A00001", "applicant-A00001")
        assert store.account("pd-riverside") == director
        assert store.account("nobody") is None
        assert [a.username for a in store.accounts()] == ["applicant-A00001", "operator", "pd-riverside"]
    with Store(url) as reopened:
        assert reopened.accounts() == [applicant, operator, director]


def test_passwords_are_kept_only_as_argon2_hashes_and_checked(url: str) -> None:
    with Store(url) as store:
        store.create_account("operator", PASSWORD, Role.OPERATOR)
        assert store.authenticate("operator", PASSWORD) == store.account("operator")
        assert store.authenticate("operator", PASSWORD + "!") is None
        assert store.authenticate("operator", "") is None
        assert store.authenticate("nobody", PASSWORD) is None
        assert store.authenticate("not a username", PASSWORD) is None
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(select(schema.accounts.c.password_hash)).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_a_username_is_taken_once(url: str) -> None:
    with Store(url) as store:
        store.create_account("operator", PASSWORD, Role.OPERATOR)
        with pytest.raises(StoreError, match="'operator' is taken"):
            store.create_account("operator", "another password", Role.OPERATOR)
    with Store(url) as reopened, pytest.raises(StoreError, match="is taken"):
        reopened.create_account("operator", "another password", Role.OPERATOR)


def test_two_simultaneous_sign_ups_for_one_username_make_one_account(url: str) -> None:
    with Store(url) as store:
        barrier = threading.Barrier(4)
        outcomes: list[object] = []

        def sign_up(k: int) -> None:
            barrier.wait()
            try:
                outcomes.append(store.create_account("director", f"password-{k}-long", Role.OPERATOR))
            except StoreError as e:
                outcomes.append(e)

        threads = [threading.Thread(target=sign_up, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(isinstance(o, Account) for o in outcomes) == 1
        assert sum(isinstance(o, StoreError) for o in outcomes) == 3
        assert len(store.accounts()) == 1


@pytest.mark.parametrize(
    ("username", "password", "role", "extra", "message"),
    [
        ("", PASSWORD, Role.OPERATOR, {}, "username"),
        ("has space", PASSWORD, Role.OPERATOR, {}, "username"),
        ("x" * 65, PASSWORD, Role.OPERATOR, {}, "username"),
        ("ok", "short", Role.OPERATOR, {}, "at least 8"),
        ("ok", "x" * 2000, Role.OPERATOR, {}, "at most 1024"),
        ("ok", PASSWORD, "superuser", {}, "unknown role"),
        ("ok", PASSWORD, Role.PROGRAM, {}, "at least one program"),
        ("ok", PASSWORD, Role.PROGRAM, {"programs": ["P1", "P1"]}, "named twice"),
        ("ok", PASSWORD, Role.PROGRAM, {"programs": ["P1"], "applicant": "A1"}, "not an applicant"),
        ("ok", PASSWORD, Role.APPLICANT, {}, "names its applicant"),
        ("ok", PASSWORD, Role.APPLICANT, {"applicant": "A1", "programs": ["P1"]}, "manages no programs"),
        ("ok", PASSWORD, Role.OPERATOR, {"applicant": "A1"}, "no programs and no applicant"),
        ("ok", PASSWORD, Role.OPERATOR, {"display_name": " "}, "display name"),
    ],
)
def test_malformed_accounts_are_refused_with_the_reason(
    url: str, username: str, password: str, role: Role, extra: dict, message: str
) -> None:
    with Store(url) as store:
        with pytest.raises(StoreError, match=message):
            store.create_account(username, password, role, **extra)
        assert store.accounts() == []


def test_revoked_sessions_are_kept_once_and_forgotten_once_expired(url: str) -> None:
    with Store(url) as store:
        store.revoke_session("old-session", 1_000.0, forget_before=0.0)
        store.revoke_session("signed-out", 5_000.0, forget_before=0.0)
        store.revoke_session("signed-out", 5_000.0, forget_before=0.0)  # twice: kept once
        assert store.revoked_sessions(0.0) == {"old-session": 1_000.0, "signed-out": 5_000.0}
        assert store.revoked_sessions(2_000.0) == {"signed-out": 5_000.0}
        # A later revocation forgets those issued before its horizon: they have expired anyway.
        store.revoke_session("another", 9_000.0, forget_before=2_000.0)
    with Store(url) as reopened:
        assert reopened.revoked_sessions(0.0) == {"signed-out": 5_000.0, "another": 9_000.0}
