"""Random command sequences, valid and invalid mixed: after every accepted command the rules' invariants
hold, the log replays to the live state, and a refused command changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchweek.model import Holding, Policy, SoapProgram, SoapStatus, Track, WeekTime
from matchweek.soap import (
    Accept,
    ApplicationSubmitted,
    CertifyPreferenceList,
    CloseRound,
    Command,
    EndSoap,
    Kind,
    OfferAccepted,
    OfferExtended,
    OpenRound,
    PublishUnfilledList,
    RecordVerification,
    Reject,
    ReleaseStatus,
    RuleViolation,
    SoapEngine,
    SoapEntrant,
    StartSoap,
    SubmitApplication,
    apply,
    event_from_dict,
    event_to_dict,
    kind_of,
    needs,
    replay,
    visible_programs,
)

T = TypeVar("T")

POLICY = Policy(rounds=3, max_applications=3)
PROGRAMS = (
    SoapProgram("C1", Track.CATEGORICAL, 1),
    SoapProgram("C2", Track.CATEGORICAL, 2),
    SoapProgram("P1", Track.PRELIMINARY, 1),
    SoapProgram("T1", Track.TRANSITIONAL, 2),
    SoapProgram("V1", Track.ADVANCED, 1),
    SoapProgram("V2", Track.ADVANCED, 1),
    SoapProgram("R1", Track.RESERVED, 1),
)
CODES = [p.code for p in PROGRAMS]
ENTRANTS = (
    SoapEntrant("A1", SoapStatus.UNMATCHED, personal_statements=("S1",), letters=("L1", "L2")),
    SoapEntrant("A2", SoapStatus.UNMATCHED),
    SoapEntrant("A3", SoapStatus.UNMATCHED),
    SoapEntrant("A4", SoapStatus.UNMATCHED),
    SoapEntrant("HA", SoapStatus.PARTIALLY_MATCHED, Holding.ADVANCED),
    SoapEntrant("HP", SoapStatus.PARTIALLY_MATCHED, Holding.PGY1),
    SoapEntrant("UV", SoapStatus.UNMATCHED, verified=False),
)
IDS = (*[a.id for a in ENTRANTS], "ZZ")
LIST_RELEASE = WeekTime.parse(POLICY.list_release)
REVIEW = WeekTime.parse(POLICY.review_start)
END = WeekTime.parse(POLICY.soap_end)
TIMES = POLICY.round_times()
ODD_TIMES = tuple(
    WeekTime.parse(t) for t in ("Mon 09:00", "Tue 07:00", "Thu 08:00", "Thu 10:59", "Thu 13:00")
)


def later(engine: SoapEngine, at: WeekTime) -> WeekTime:
    clock = engine.state.clock
    assert clock is not None
    return max(clock, at)


@cache
def _below(n: int) -> st.SearchStrategy[int]:
    # Strategies are built once: building one per draw costs more than the engine itself.
    return st.integers(0, n - 1)


def pick(data: st.DataObject, items: Sequence[T]) -> T:
    """One of ``items``; the first is the simplest draw."""
    return items[data.draw(_below(len(items)))]


def some(data: st.DataObject, items: Sequence[T], least: int, most: int) -> list[T]:
    """Between ``least`` and ``most`` of ``items``, repeats allowed."""
    return [pick(data, items) for _ in range(least + data.draw(_below(most - least + 1)))]


def rarely(data: st.DataObject, one_in: int) -> bool:
    """True about once in ``one_in`` draws; the simplest draw (which Hypothesis favours) is False."""
    return data.draw(_below(one_in)) == one_in - 1


BETWEEN_ROUNDS = ("apply",) * 6 + ("certify",) * 3 + ("docs", "verify", "accept", "reject", "close", "end")
DURING_A_ROUND = ("accept",) * 4 + ("reject",) * 2 + ("apply", "certify", "open", "end")
ANY_CODE = (*CODES, "QQ")


def draw_command(data: st.DataObject, engine: SoapEngine, kinds: tuple[str, ...]) -> Command:
    """A command of one of ``kinds``, often valid and sometimes not."""
    state = engine.state
    kind = pick(data, kinds)
    at = pick(data, ODD_TIMES) if rarely(data, 10) else state.clock or LIST_RELEASE
    who = pick(data, IDS)
    code = pick(data, ANY_CODE)
    n = state.current_round
    if kind == "apply":
        fresh = [
            (a, c)
            for a in IDS[:-1]
            for c in visible_programs(state, a)
            if c not in state.applicants[a].applications
        ]
        if fresh and not rarely(data, 5):
            who, code = pick(data, fresh)
        return SubmitApplication(at, who, code)
    if kind == "docs":
        letters = tuple(some(data, ("L1", "L2", "L3"), 0, 3))
        statement = pick(data, (None, "S1", "S9"))
        return SubmitApplication(at, who, code, statement, letters)
    if kind == "verify":
        return RecordVerification(at, who)
    if kind == "certify":
        wanted = [c for c in CODES if state.programs[c].applicants]
        if wanted and not rarely(data, 5):
            code = pick(data, wanted)
        pool = list(state.programs[code].applicants) if code in state.programs else []
        if rarely(data, 6):
            pool.append(who)
        ranked = []
        while pool:
            ranked.append(pool.pop(data.draw(_below(len(pool)))))
        if ranked and rarely(data, 10):
            ranked.append(ranked[0])
        return CertifyPreferenceList(later(engine, REVIEW) if at == state.clock else at, code, tuple(ranked))
    if kind == "open":
        number = data.draw(_below(5)) if rarely(data, 6) else n + 1
        if 1 <= number <= POLICY.rounds and at == state.clock:
            at = later(engine, TIMES[number - 1].opens)
        return OpenRound(at, number)
    if kind == "close":
        number = data.draw(_below(5)) if rarely(data, 6) else n
        if 1 <= number <= POLICY.rounds and at == state.clock:
            at = later(engine, TIMES[number - 1].closes)
        return CloseRound(at, number)
    if kind == "end":
        # Only the closing step ends SOAP on time; elsewhere an end comes too early.
        return EndSoap(later(engine, END) if kinds == ("end",) and at == state.clock else at)
    holders = sorted(a.id for a in state.applicants.values() if a.open_offers)
    if holders and not rarely(data, 5):
        who = pick(data, holders)
        mine = sorted(state.applicants[who].open_offers)
        codes = sorted(set(some(data, mine, 1, 2)))
    else:
        codes = some(data, CODES, 0, 3)
    return (Accept if kind == "accept" else Reject)(at, who, tuple(codes))


class Watch:
    """What the log has shown so far, for the invariants that span commands."""

    def __init__(self) -> None:
        self.offered: set[tuple[str, str]] = set()
        self.accepted_by: set[str] = set()

    def check(self, engine: SoapEngine, command: Command, events: list) -> None:
        state = engine.state
        policy = state.policy
        assert policy is not None
        offers = [e for e in events if isinstance(e, OfferExtended)]
        if offers:
            # Offers are made only when a round opens: a position freed during a round waits.
            assert isinstance(command, OpenRound)
        for e in offers:
            assert (e.program, e.applicant) not in self.offered, "re-offer after rejection or expiry"
            self.offered.add((e.program, e.applicant))
            assert e.applicant in state.programs[e.program].applicants, "offer to someone who did not apply"
        for e in events:
            if isinstance(e, ApplicationSubmitted):
                assert e.applicant not in self.accepted_by, "application after an acceptance"
            if isinstance(e, OfferAccepted):
                self.accepted_by.add(e.applicant)
        for p in state.programs.values():
            assert len(p.accepted) + len(p.outstanding) <= p.positions, f"{p.code} above its positions"
        for a in state.applicants.values():
            assert len(a.applications) <= policy.max_applications
            kinds = [state.programs[code].kind for code in a.accepted]
            held = (
                [Kind.ADVANCED if a.main_holding is Holding.ADVANCED else Kind.PGY1_ONLY]
                if a.main_holding
                else []
            )
            everything = held + kinds
            assert len(set(everything)) == len(everything), f"{a.id} holds two positions of one kind"
            assert len(everything) <= 2
            assert Kind.FULL not in everything or len(everything) == 1, f"{a.id} holds more than it needs"
            for code in a.open_offers:
                assert kind_of(state.programs[code].track) in needs(frozenset(everything))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_command_sequences_keep_every_invariant(data: st.DataObject) -> None:
    engine = SoapEngine()
    engine.execute(StartSoap(WeekTime.parse(POLICY.status_release), PROGRAMS, ENTRANTS, POLICY))
    engine.execute(ReleaseStatus(WeekTime.parse(POLICY.status_release)))
    engine.execute(PublishUnfilledList(LIST_RELEASE))
    watch = Watch()
    # The log folded event by event after a trip through JSON dicts: replaying the
    # persisted log incrementally, so every step can be compared at little cost.
    shadow = replay(event_from_dict(event_to_dict(e)) for e in engine.events)

    def step(kinds: tuple[str, ...]) -> None:
        command = draw_command(data, engine, kinds)
        logged = len(engine.events)
        try:
            events = engine.execute(command)
        except RuleViolation as v:
            assert len(engine.events) == logged
            assert engine.state == shadow, f"refused {command} changed the state"
            assert v.rule and v.section.startswith("§") and "\n" not in str(v)
            return
        for e in events:
            apply(shadow, event_from_dict(event_to_dict(e)))
        assert engine.state == shadow, f"replaying the log after {command} differs from the live state"
        watch.check(engine, command, events)

    # Rounds (sometimes one too many), each preceded by commands between rounds and
    # interleaved with commands while it is open; any command may be invalid.
    # Counts are drawn as "most minus something": Hypothesis favours small draws.
    for _ in range(POLICY.rounds + 1 - data.draw(st.integers(0, POLICY.rounds))):
        for _ in range(12 - data.draw(st.integers(0, 12))):
            step(BETWEEN_ROUNDS)
        step(("open",))
        for _ in range(8 - data.draw(st.integers(0, 8))):
            step(DURING_A_ROUND)
        step(("close",))
    step(("end",))
    assert replay(engine.events) == engine.state
