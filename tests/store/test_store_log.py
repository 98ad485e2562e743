"""The event log is the record of truth: what the store commits, replays and projects into read models."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import store_world as world
from sqlalchemy import create_engine, delete, func, select, update

from matchweek.model import Policy, WeekTime
from matchweek.soap import (
    Accept,
    ApplicationSubmitted,
    OfferStatus,
    ReleaseStatus,
    RuleViolation,
    SubmitApplication,
    event_to_dict,
    offers_of,
    replay,
    round_state,
)
from matchweek.store import ApplicationView, Store, StoreError, schema


@pytest.fixture(scope="module")
def reference() -> world.ReferenceRun:
    return world.reference_run()


def run_all(store: Store, reference: world.ReferenceRun, upto: int | None = None) -> None:
    for command in reference.commands[:upto]:
        store.execute(command, actor=_actor(command))


def _actor(command: object) -> str:
    applicant = getattr(command, "applicant", None)
    if isinstance(applicant, str):
        return f"applicant-{applicant}"
    program = getattr(command, "program", None)
    return f"program-{program}" if isinstance(program, str) else "operator"


def test_a_whole_soap_is_logged_exactly_and_replays_to_the_live_state(
    url: str, reference: world.ReferenceRun
) -> None:
    with Store(url) as store:
        returned = []
        for command in reference.commands:
            returned.extend(store.execute(command, actor=_actor(command)))
        stored = store.events()
        assert [s.seq for s in stored] == list(range(1, len(reference.log) + 1))
        assert [event_to_dict(s.event) for s in stored] == [event_to_dict(e) for e in reference.log]
        assert stored == returned
        assert store.state() == reference.state
        assert replay(s.event for s in stored) == store.state()
        assert store.last_seq() == len(reference.log)
        assert store.verify_read_models() == []


def test_every_event_is_attributed_to_the_actor_of_its_command(
    url: str, reference: world.ReferenceRun
) -> None:
    before = datetime.now(UTC)
    with Store(url) as store:
        run_all(store, reference, upto=20)
        stored = store.events()
    after = datetime.now(UTC)
    assert stored[0].actor == "operator"
    submissions = [s for s in stored if isinstance(s.event, ApplicationSubmitted)]
    assert submissions and all(s.actor == f"applicant-{s.event.applicant}" for s in submissions)
    assert all(before <= s.recorded_at <= after and s.recorded_at.tzinfo is not None for s in stored)


def test_the_audit_log_pages_by_seq(url: str, reference: world.ReferenceRun) -> None:
    with Store(url) as store:
        run_all(store, reference, upto=30)
        every = store.events()
        assert [s.seq for s in store.events(since=10, limit=5)] == [11, 12, 13, 14, 15]
        assert store.events(since=len(every)) == []
        assert store.events(limit=0) == []
        assert store.events(since=25) == every[25:]
        with pytest.raises(StoreError):
            store.events(since=-1)


def test_a_refused_command_stores_nothing_and_changes_nothing(
    url: str, reference: world.ReferenceRun
) -> None:
    with Store(url) as store:
        run_all(store, reference, upto=10)
        seq, state_before = store.last_seq(), replay(s.event for s in store.events())
        applicant = reference.commands[5].applicant  # an application already sent
        program = reference.commands[5].program
        with pytest.raises(RuleViolation) as refusal:
            store.execute(SubmitApplication(world.LIST_AT, applicant, program), actor="someone")
        assert refusal.value.rule == "apply.duplicate"
        with pytest.raises(RuleViolation) as early:
            store.execute(Accept(world.LIST_AT, applicant, (program,)), actor="someone")
        assert early.value.rule == "schedule.round_not_open"
        assert store.last_seq() == seq
        assert len(store.events()) == seq
        assert store.state() == state_before
        assert store.verify_read_models() == []
        assert [a.program for a in store.applications_of(applicant)].count(program) == 1


def test_not_a_command_and_an_anonymous_actor_are_refused(url: str) -> None:
    with Store(url) as store:
        with pytest.raises(TypeError):
            store.execute("StartSoap", actor="operator")  # type: ignore[arg-type]
        with pytest.raises(StoreError, match="attributed"):
            store.execute(world.start_command(), actor=" ")
        assert store.events() == []
        store.execute(world.start_command(), actor="operator")
        # A command built wrongly (no time) fails for its caller alone; the store goes on.
        with pytest.raises(AttributeError):
            store.execute(SubmitApplication(None, "A001", "P01"), actor="someone")  # type: ignore[arg-type]
        assert [s.seq for s in store.events()] == [1]
        store.execute(ReleaseStatus(world.STATUS_AT), actor="operator")
        assert store.last_seq() == 2


def test_read_models_hold_documents_offers_lists_and_standing(
    url: str, reference: world.ReferenceRun
) -> None:
    with Store(url) as store:
        # Up to and including the first round's answers, before it closes.
        first_close = next(i for i, c in enumerate(reference.commands) if type(c).__name__ == "CloseRound")
        run_all(store, reference, upto=first_close)
        state = store.state()

        first = next(c for c in reference.commands if isinstance(c, SubmitApplication))
        views = store.applications_of(first.applicant)
        sent = [c for c in reference.commands[:first_close] if isinstance(c, SubmitApplication)]
        assert views == [
            ApplicationView(c.applicant, c.program, c.personal_statement, c.letters, c.at)
            for c in sent
            if c.applicant == first.applicant
        ]
        assert store.applications_of("nobody") == []

        for code in state.program_order:
            assert store.applicants_to(code) == list(state.programs[code].applicants)
            certified = state.programs[code].certified
            assert store.preference_list(code) == (certified if state.programs[code].applicants else None)
        assert store.applicants_to("P99") == []
        assert store.preference_list("P99") is None

        engine = create_engine(url)
        with engine.connect() as conn:
            offers = {(r.program, r.applicant): r for r in conn.execute(select(schema.offers))}
            standing = {r.program: r for r in conn.execute(select(schema.program_standing))}
        engine.dispose()
        statuses = {OfferStatus(r.status) for r in offers.values()}
        assert OfferStatus.OPEN in statuses and OfferStatus.ACCEPTED in statuses
        for applicant in state.applicants:
            for view in offers_of(state, applicant):
                assert offers[(view.program, applicant)].status == view.status.value
                assert offers[(view.program, applicant)].round == view.round
        assert len(offers) == len(state.offers)
        for code in state.program_order:
            s = round_state(state, code)
            row = standing[code]
            assert (row.positions, row.accepted, row.outstanding) == (
                s.positions,
                len(s.accepted),
                len(s.outstanding),
            )
        assert store.verify_read_models() == []


def test_restart_restores_market_result_state_accounts_and_log(url: str, small_world) -> None:
    market, _ = small_world
    with Store(url) as store:
        store.load_market(market, actor="operator")
        result = store.run_main_match(actor="operator")
        store.start_soap(Policy(), actor="operator")
        store.clock.set(WeekTime.parse("Mon 11:00"))
        store.tick()
        state = store.state()
        applicant = next(a for a in sorted(state.applicants) if state.applicants[a].verified)
        code = state.program_order[0]
        store.execute(SubmitApplication(store.clock.now(), applicant, code), actor=f"applicant-{applicant}")
        store.create_account("op", "correct horse battery", "operator")
        live, log = store.state(), store.events()
    with Store(url) as again:
        assert again.market() == market
        assert again.match_result() == result
        assert again.state() == live
        assert again.events() == log
        assert again.account("op") is not None
        assert again.authenticate("op", "correct horse battery") is not None
        assert again.clock.now() >= live.clock  # the clock never runs behind the log
        assert again.verify_read_models() == []


DAMAGE = {
    # As if the read models had missed the last commands: rows gone, head behind.
    "head behind": lambda conn: (
        conn.execute(delete(schema.applications).where(schema.applications.c.seq > 50)),
        conn.execute(delete(schema.preference_lists)),
        conn.execute(update(schema.log_head).values(last_seq=50)),
    ),
    "offer rows lost": lambda conn: conn.execute(
        delete(schema.offers).where(schema.offers.c.status == "expired")
    ),
    "standing miscounted": lambda conn: conn.execute(
        update(schema.program_standing).values(accepted=schema.program_standing.c.accepted + 1)
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_read_models_that_disagree_with_the_log_are_rebuilt_on_start(
    url: str, reference: world.ReferenceRun, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    upto = (
        reference.commands.index(next(c for c in reference.commands if type(c).__name__ == "CloseRound")) + 1
    )
    with Store(url) as store:
        run_all(store, reference, upto=upto)
        expected = store.state()
    engine = create_engine(url)
    with engine.begin() as conn:
        DAMAGE[damage](conn)
    with caplog.at_level(logging.WARNING, logger="matchweek.store.service"), Store(url) as store:
        assert "rebuilding them from the log" in caplog.text
        assert store.verify_read_models() == []
        assert store.state() == expected
    with engine.connect() as conn:
        assert conn.execute(select(schema.log_head.c.last_seq)).scalar_one() == reference.boundaries()[upto]
        count = conn.execute(select(func.count()).select_from(schema.applications)).scalar_one()
    engine.dispose()
    assert count == sum(isinstance(c, SubmitApplication) for c in reference.commands[:upto])


def test_verify_names_each_read_model_row_that_differs_from_the_log(
    url: str, reference: world.ReferenceRun
) -> None:
    with Store(url) as store:
        run_all(store, reference, upto=40)
        first = next(c for c in reference.commands if isinstance(c, SubmitApplication))
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                update(schema.applications)
                .where(schema.applications.c.applicant == first.applicant)
                .where(schema.applications.c.program == first.program)
                .values(letters=["forged"])
            )
        engine.dispose()
        problems = store.verify_read_models()
    assert len(problems) == 1
    assert problems[0].startswith(f"applications {first.applicant}/{first.program}: holds ")
    assert "'letters': ['forged']" in problems[0]


def test_a_log_with_a_gap_is_refused(url: str, reference: world.ReferenceRun) -> None:
    with Store(url) as store:
        run_all(store, reference, upto=5)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(delete(schema.soap_events).where(schema.soap_events.c.seq == 3))
    engine.dispose()
    with pytest.raises(StoreError, match="jumps from seq 2 to 4"):
        Store(url)


def test_set_up_is_refused_out_of_order_and_after_soap_starts(url: str, small_world) -> None:
    market, _ = small_world
    with Store(url) as store:
        assert store.market() is None and store.match_result() is None
        with pytest.raises(StoreError, match="load a market"):
            store.run_main_match(actor="operator")
        with pytest.raises(StoreError, match="Main Match"):
            store.start_soap(Policy(), actor="operator")
        store.load_market(market, actor="operator")
        with pytest.raises(StoreError, match="Main Match"):
            store.start_soap(Policy(), actor="operator")
        store.run_main_match(actor="operator")
        store.load_market(market, actor="operator")  # a new market drops the earlier result
        assert store.match_result() is None
        store.run_main_match(actor="operator")
        started = store.start_soap(Policy(), actor="operator")
        assert [type(s.event).__name__ for s in started] == ["SoapStarted"]
        for attempt in (
            lambda: store.load_market(market, actor="operator"),
            lambda: store.run_main_match(actor="operator"),
            lambda: store.start_soap(Policy(), actor="operator"),
        ):
            with pytest.raises(StoreError, match="SOAP has already started"):
                attempt()
        assert store.last_seq() == 1


def test_round_stats_count_the_week_from_the_log(url: str, small_world) -> None:
    market, _ = small_world
    with Store(url) as store:
        with pytest.raises(StoreError):
            store.round_stats()
        store.load_market(market, actor="operator")
        store.run_main_match(actor="operator")
        store.start_soap(Policy(), actor="operator")
        stats = store.round_stats()
        assert stats.rounds == ()
        assert stats.soap_ended is False
        assert stats.rounds_planned == 4
        assert stats.programs_in_soap == len(store.state().programs)
        assert store.round_stats() is stats  # counted once per state of the log
