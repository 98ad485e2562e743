"""Demo data: a market with its Main Match done, and accounts that can take part in SOAP at once."""

from __future__ import annotations

import pytest

from matchweek.model import Policy, WeekTime
from matchweek.soap import SubmitApplication, visible_programs
from matchweek.store import Role, Store, StoreError
from matchweek.store.demo import seed_demo


def test_demo_accounts_can_sign_in_and_take_part_in_soap(url: str) -> None:
    with Store(url) as store:
        demo = seed_demo(store, scale="small", seed=1, password="demo-password")
        assert store.market() is not None and store.match_result() is not None
        assert not store.state().started  # the operator starts SOAP
        assert demo.password == "demo-password"
        assert len(demo.programs) == 3 and len(demo.applicants) == 4
        assert demo.usernames()[0] == "operator"
        for username in demo.usernames():
            assert store.authenticate(username, "demo-password") is not None
        assert store.account("operator").role is Role.OPERATOR
        for username, code in demo.programs.items():
            assert username == f"program-{code}"
            assert store.account(username).programs == (code,)
        for username, applicant in demo.applicants.items():
            assert username == f"applicant-{applicant}"
            assert store.account(username).applicant == applicant

        store.start_soap(Policy(), actor="operator")
        store.clock.set(WeekTime.parse("Mon 11:00"))
        store.tick()
        state = store.state()
        demo_programs = set(demo.programs.values())
        assert demo_programs <= set(state.programs)
        for username, applicant in demo.applicants.items():
            ledger = state.applicants[applicant]
            reachable = sorted(demo_programs & set(visible_programs(state, applicant)))
            assert reachable, applicant
            if ledger.main_holding is None:
                assert reachable == sorted(demo_programs)  # unmatched: sees every demo program
            statement = sorted(ledger.personal_statements)[0]
            letters = tuple(sorted(ledger.letters)[:2])
            for code in reachable:
                store.execute(
                    SubmitApplication(store.clock.now(), applicant, code, statement, letters), actor=username
                )
        assert sum(len(store.applications_of(a)) for a in demo.applicants.values()) >= 3 * 3 + 1


def test_demo_seeding_is_deterministic_and_its_password_random_unless_given(databases) -> None:
    with Store(databases.url()) as one, Store(databases.url()) as two:
        first = seed_demo(one, seed=3)
        second = seed_demo(two, seed=3)
    assert first.usernames() == second.usernames()
    assert first.password != second.password and len(first.password) >= 16


def test_demo_seeding_is_refused_once_soap_started(url: str) -> None:
    with Store(url) as store:
        seed_demo(store, password="demo-password")
        store.start_soap(Policy(), actor="operator")
        with pytest.raises(StoreError, match="SOAP has already started"):
            seed_demo(store)
