"""Concurrent commands: serialised in one consistent order, within a process and across processes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import store_world as world
from store_databases import Databases

from matchweek.soap import (
    Accept,
    ApplicationSubmitted,
    OfferAccepted,
    OfferStatus,
    OpenRound,
    RoundClosed,
    RuleViolation,
    SubmitApplication,
    replay,
)
from matchweek.soap.positions import is_pair
from matchweek.store import Store, StoreError, WeekClock
from matchweek.store import service as store_service


@pytest.fixture(scope="module")
def reference() -> world.ReferenceRun:
    return world.reference_run()


def run_until_round_opens(store: Store, reference: world.ReferenceRun, number: int = 1) -> None:
    for command in reference.commands:
        store.execute(command, actor="setup")
        if isinstance(command, OpenRound) and command.round == number:
            return


def all_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads released together; each result is its return value or its exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(k: int) -> None:
        barrier.wait()
        try:
            results[k] = jobs[k]()
        except Exception as e:
            results[k] = e

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def assert_consistent(store: Store) -> None:
    log = store.events()
    assert [s.seq for s in log] == list(range(1, len(log) + 1))
    assert store.state() == replay(s.event for s in log)
    assert store.verify_read_models() == []


def test_two_simultaneous_acceptances_by_one_applicant_exactly_one_wins(
    url: str, reference: world.ReferenceRun
) -> None:
    with Store(url) as store:
        run_until_round_opens(store, reference)
        state = store.state()
        at = world.ROUNDS[0].opens.plus(10)
        offered = {
            a: sorted(ledger.open_offers)
            for a, ledger in sorted(state.applicants.items())
            if ledger.open_offers
        }
        assert len(offered) >= 5
        for applicant, codes in offered.items():
            # Two offers the applicant may not both take (unlike a PGY-1-only and an advanced one
            # it needs both of), else the same offer twice.
            first, second = codes[0], codes[-1]
            if is_pair([state.programs[first].kind, state.programs[second].kind]):
                second = first
            results = all_at_once(
                [
                    lambda a=applicant, c=first: store.execute(Accept(at, a, (c,)), actor=f"applicant-{a}"),
                    lambda a=applicant, c=second: store.execute(Accept(at, a, (c,)), actor=f"applicant-{a}"),
                ]
            )
            wins = [r for r in results if isinstance(r, list)]
            losses = [r for r in results if isinstance(r, RuleViolation)]
            assert len(wins) == 1 and len(losses) == 1, results
            assert losses[0].rule in ("offer.accept.second", "offer.accept.not_offered")
            assert len(store.state().applicants[applicant].accepted) == 1
        assert_consistent(store)


def test_acceptances_racing_the_round_close_each_get_one_consistent_outcome(
    databases: Databases, reference: world.ReferenceRun
) -> None:
    closes = world.ROUNDS[0].closes
    for trial in range(3):
        now = [world.ROUNDS[0].opens]
        started = datetime(2025, 3, 20, tzinfo=UTC)
        wall = [started]
        clock = WeekClock(now[0], speed=1.0, started_at=started, wall_clock=lambda wall=wall: wall[0])
        with Store(databases.url(), clock=clock) as store:
            run_until_round_opens(store, reference)
            state = store.state()
            pending = [
                (a, min(ledger.open_offers))
                for a, ledger in sorted(state.applicants.items())
                if ledger.open_offers
            ]
            assert pending
            wall[0] = started + timedelta(minutes=closes.minutes - now[0].minutes)  # the close is due
            last_minute = closes.plus(-1)
            jobs: list[Callable[[], Any]] = [
                lambda a=a, c=c, at=last_minute: store.execute(Accept(at, a, (c,)), actor=f"applicant-{a}")
                for a, c in pending
            ]
            # The close goes first in one trial, last in another, and among them in the third.
            jobs.insert([0, len(jobs), len(jobs) // 2][trial], store.tick)
            results = all_at_once(jobs)

            log = store.events()
            closed_at = next(s.seq for s in log if isinstance(s.event, RoundClosed))
            accepted_at = {
                (s.event.applicant, s.event.program): s.seq for s in log if isinstance(s.event, OfferAccepted)
            }
            answers = [
                r for r in results if not (isinstance(r, list) and r and isinstance(r[-1].event, RoundClosed))
            ]
            assert len(answers) == len(pending)
            final = store.state()
            for (applicant, code), result in zip(pending, answers, strict=True):
                status = final.offers[(code, applicant)].status
                if isinstance(result, list):
                    assert accepted_at[(applicant, code)] < closed_at
                    assert status is OfferStatus.ACCEPTED
                else:
                    assert isinstance(result, RuleViolation), result
                    assert result.rule in ("schedule.round_not_open", "schedule.clock")
                    assert status is OfferStatus.EXPIRED
            assert not final.round_open
            assert_consistent(store)


def test_applications_from_many_threads_are_each_recorded_once(
    url: str, reference: world.ReferenceRun
) -> None:
    first_applications = [
        c for c in reference.commands if isinstance(c, SubmitApplication) and c.at == world.LIST_AT
    ]
    head = reference.commands.index(first_applications[0])
    with Store(url) as store:
        for command in reference.commands[:head]:
            store.execute(command, actor="setup")
        lanes = 8
        results = all_at_once(
            [
                lambda k=k: [
                    store.execute(c, actor=f"applicant-{c.applicant}") for c in first_applications[k::lanes]
                ]
                for k in range(lanes)
            ]
        )
        assert all(isinstance(r, list) for r in results), results
        recorded = [
            (s.event.applicant, s.event.program)
            for s in store.events()
            if isinstance(s.event, ApplicationSubmitted)
        ]
        assert sorted(recorded) == sorted((c.applicant, c.program) for c in first_applications)
        assert_consistent(store)


def test_two_stores_on_one_database_take_turns_and_catch_up(url: str, reference: world.ReferenceRun) -> None:
    commands = reference.commands[:60]
    with Store(url) as first, Store(url) as second:
        for k, command in enumerate(commands):
            (first if k % 3 else second).execute(command, actor="setup")
        assert second.refresh() > 0
        assert first.refresh() >= 0
        assert first.state() == second.state() == replay(reference.log[: reference.boundaries()[60]])
        assert_consistent(first)
        # A command the other store has not seen yet is still checked against the whole log.
        application = reference.commands[60]
        assert isinstance(application, SubmitApplication)
        second.execute(application, actor="setup")
        with pytest.raises(RuleViolation, match="already applied"):
            first.execute(application, actor="someone")
        assert first.state() == second.state()


def test_a_writer_that_missed_another_process_retries_after_reloading_the_log(
    url: str, reference: world.ReferenceRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = reference.commands[:40]
    with Store(url) as first, Store(url) as second:
        for command in commands[:30]:
            first.execute(command, actor="setup")
        second.refresh()
        first.execute(commands[30], actor="setup")
        # The second store misses the first's last event once, so it writes a seq that is taken:
        # the unique seq refuses it, the store reloads the log and checks the command again.
        blind = {"left": 1}
        real = Store._catch_up

        def catch_up_once_blind(self: Store, conn: Any, head: int) -> None:
            if self is second and blind["left"]:
                blind["left"] -= 1
                return
            real(self, conn, head)

        monkeypatch.setattr(Store, "_catch_up", catch_up_once_blind)
        recorded = second.execute(commands[31], actor="setup")
        assert blind["left"] == 0
        assert [s.seq for s in recorded] == [first.last_seq() + 1]
        assert_consistent(second)
        first.refresh()
        assert first.state() == second.state()


def test_a_failed_commit_leaves_no_trace_and_a_passing_retry_records_once(
    url: str, reference: world.ReferenceRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = reference.commands[:20]
    with Store(url) as store:
        for command in commands[:15]:
            store.execute(command, actor="setup")
        real = store_service.write_changes
        failures = {"left": 1}

        def flaky(conn: Any, change_set: Any) -> None:
            if failures["left"]:
                failures["left"] -= 1
                raise OSError("connection reset")
            real(conn, change_set)

        monkeypatch.setattr(store_service, "write_changes", flaky)
        recorded = store.execute(commands[15], actor="setup")
        assert [s.seq for s in recorded] == [store.last_seq()]
        assert_consistent(store)

        failures["left"] = 10**6
        before = store.last_seq()
        with pytest.raises(StoreError, match="could not be recorded: connection reset"):
            store.execute(commands[16], actor="setup")
        assert store.last_seq() == before
        assert store.state() == replay(s.event for s in store.events())
        failures["left"] = 0
        store.execute(commands[16], actor="setup")
        assert_consistent(store)


def test_reading_holds_the_state_still_and_refuses_commands_inside(
    databases: Databases, reference: world.ReferenceRun
) -> None:
    for url in (databases.url(), "sqlite:///:memory:"):
        with Store(url) as store:
            head = reference.commands.index(
                next(c for c in reference.commands if isinstance(c, SubmitApplication))
            )
            for command in reference.commands[:head]:
                store.execute(command, actor="setup")
            application = reference.commands[head]
            done = threading.Event()

            def apply_and_signal(store: Store = store, command: Any = application, done: Any = done) -> None:
                store.execute(command, actor="applicant")
                done.set()

            worker = threading.Thread(target=apply_and_signal, daemon=True)
            with store.reading() as state:
                before = len(state.applicants[application.applicant].applications)
                worker.start()
                assert not done.wait(0.3)  # the command waits for the block to end
                assert len(state.applicants[application.applicant].applications) == before
                assert store.applications_of(application.applicant) == []  # reads still work inside
                with pytest.raises(StoreError, match=r"inside store\.reading"):
                    store.execute(application, actor="applicant")
            assert done.wait(10)
            worker.join()
            assert [v.program for v in store.applications_of(application.applicant)] == [application.program]
            assert_consistent(store)
