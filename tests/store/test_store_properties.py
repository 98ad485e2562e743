"""Properties over random command sequences: the store decides exactly as the pure engine does,
and its log, live state, read models and a reopened store always agree."""

from __future__ import annotations

from typing import Any

import store_world as world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_databases import Databases

from matchweek.model import WeekTime
from matchweek.soap import (
    Accept,
    CertifyPreferenceList,
    CloseRound,
    Command,
    OpenRound,
    PublishUnfilledList,
    RecordVerification,
    Reject,
    ReleaseStatus,
    RuleViolation,
    SoapEngine,
    SubmitApplication,
    event_to_dict,
    replay,
)
from matchweek.store import Store

PROGRAMS = [p.code for p in world.programs()]
APPLICANTS = [a.id for a in world.entrants()]


def _moments() -> list[WeekTime]:
    # Five moments per round: applications, certification, opening, answers, closing.
    out = [world.LIST_AT, world.REVIEW_AT]
    for k, r in enumerate(world.ROUNDS):
        if k:
            previous = world.ROUNDS[k - 1].closes
            out += [previous.plus(20), previous.plus(30)]
        out += [r.opens, r.opens.plus(45), r.closes]
    return out


MOMENTS = _moments()
LATER = ("later",)
# "open" and "close" mostly name the next (0) or the current round; answers mostly go to someone
# holding an offer. Each block walks one round's moments with some noise, so rounds with offers
# are common while out-of-order commands still turn up.
ROUND = st.sampled_from([0, 0, 0, 1, 2, 5])
apply_move = st.tuples(st.just("apply"), st.integers(0, 59), st.integers(0, 11), st.booleans())
certify_move = st.tuples(st.just("certify"), st.integers(0, 11), st.randoms(use_true_random=False))
answer_move = st.tuples(st.sampled_from(["accept", "reject"]), st.integers(0, 59), st.integers(0, 11))
any_move = st.one_of(
    apply_move,
    certify_move,
    answer_move,
    st.tuples(st.just("open"), ROUND),
    st.tuples(st.just("close"), ROUND),
    st.tuples(st.just("verify"), st.integers(55, 59)),
    st.just(LATER),
)


@st.composite
def round_block(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    return [
        *draw(st.lists(apply_move, max_size=8)),
        *draw(st.lists(any_move, max_size=3)),
        LATER,
        *draw(st.lists(certify_move, max_size=4)),
        LATER,
        ("open", draw(ROUND)),
        LATER,
        *draw(st.lists(answer_move, max_size=6)),
        LATER,
        ("close", draw(ROUND)),
        LATER,
    ]


moves = st.lists(round_block(), min_size=1, max_size=4).map(lambda blocks: [m for b in blocks for m in b])


def command_of(move: tuple[Any, ...], engine: SoapEngine, moment: WeekTime) -> Command | None:
    """The command a move stands for at ``moment``."""
    state = engine.state
    kind = move[0]
    if kind == "apply":
        applicant = APPLICANTS[move[1]]
        documents = (
            {"personal_statement": f"{applicant}-PS1", "letters": (f"{applicant}-L1",)} if move[3] else {}
        )
        return SubmitApplication(moment, applicant, PROGRAMS[move[2] % 4], **documents)
    if kind == "certify":
        rng = move[2]
        wanted = [code for code in PROGRAMS if state.programs[code].applicants] or PROGRAMS
        code = wanted[move[1] % len(wanted)]
        applied = list(state.programs[code].applicants)
        rng.shuffle(applied)
        keep = len(applied) if rng.random() < 0.5 else rng.randint(0, len(applied))
        return CertifyPreferenceList(moment, code, tuple(applied[:keep]))
    if kind == "open":
        return OpenRound(moment, move[1] or state.current_round + 1)
    if kind == "close":
        return CloseRound(moment, move[1] or state.current_round)
    if kind in ("accept", "reject"):
        holding = [a for a in APPLICANTS if state.applicants[a].open_offers] or APPLICANTS
        applicant = holding[move[1] % len(holding)]
        offers = sorted(state.applicants[applicant].open_offers)
        code = offers[move[2] % len(offers)] if offers else PROGRAMS[move[2]]
        return (Accept if kind == "accept" else Reject)(moment, applicant, (code,))
    if kind == "verify":
        return RecordVerification(moment, APPLICANTS[move[1]])
    return None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=moves)
def test_the_store_decides_like_the_engine_and_its_records_agree(
    databases: Databases, sequence: list
) -> None:
    engine = SoapEngine()
    url = databases.url()
    with Store(url) as store:
        for command in (
            world.start_command(),
            ReleaseStatus(world.STATUS_AT),
            PublishUnfilledList(world.LIST_AT),
        ):
            engine.execute(command)
            store.execute(command, actor="operator")
        moment = 0
        for move in sequence:
            if move[0] == "later":
                moment = min(moment + 1, len(MOMENTS) - 1)
                continue
            command = command_of(move, engine, MOMENTS[moment])
            assert command is not None
            try:
                expected = engine.execute(command)
            except RuleViolation as refusal:
                try:
                    store.execute(command, actor="someone")
                except RuleViolation as store_refusal:
                    assert str(store_refusal) == str(refusal)
                else:
                    raise AssertionError(f"the store accepted what the engine refused: {command}") from None
                continue
            recorded = store.execute(command, actor="someone")
            assert [s.event for s in recorded] == expected

        assert store.state() == engine.state
        log = store.events()
        assert [event_to_dict(s.event) for s in log] == [event_to_dict(e) for e in engine.events]
        assert replay(s.event for s in log) == store.state()
        assert store.verify_read_models() == []
    with Store(url) as reopened:
        assert reopened.state() == engine.state
