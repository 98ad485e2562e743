"""The independent checker names every way a result breaks the Main Match rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_match_helpers import app, couple, market, prog

from matchweek.match import Violation, run_match, verify
from matchweek.model import Assignment, Instability, Market, MatchResult, MatchStatus, Track

M, P, U = MatchStatus.MATCHED, MatchStatus.PARTIALLY_MATCHED, MatchStatus.UNMATCHED


def result(
    rows: str,
    statuses: dict[str, MatchStatus],
    unfilled: dict[str, int] | None = None,
    instabilities: tuple[Instability, ...] = (),
) -> MatchResult:
    """``rows`` like "a:H1 b:H2", already in the result's order."""
    matches = tuple(Assignment(*token.split(":")) for token in rows.split())
    return MatchResult(
        matches=matches, statuses=statuses, unfilled=unfilled or {}, instabilities=instabilities
    )


def rules(violations: list[Violation]) -> list[str]:
    return [v.rule for v in violations]


SIMPLE = market([prog("H1", 1, "a b"), prog("H2", 1, "a b")], [app("a", "H1 H2"), app("b", "H1 H2")])


def test_a_sound_result_has_no_violations() -> None:
    assert verify(SIMPLE, result("a:H1 b:H2", {"a": M, "b": M})) == []
    assert verify(SIMPLE, run_match(SIMPLE)) == []


def test_capacity() -> None:
    found = verify(SIMPLE, result("a:H1 b:H1", {"a": M, "b": M}, {"H2": 1}))
    assert "capacity" in rules(found)
    assert "program H1: holds 2 applicants for 1 positions" in str(found[rules(found).index("capacity")])


def test_blocking_pair_is_named_with_applicant_and_program() -> None:
    found = verify(SIMPLE, result("a:H2 b:H1", {"a": M, "b": M}))
    assert rules(found) == ["blocking_pair"]
    assert str(found[0]) == (
        "blocking_pair: applicant a / program H1: "
        "the applicant prefers this program and the program would take it"
    )


def test_reported_instability_is_accepted_unless_asked_for() -> None:
    inst = (Instability(programs=("H1",), applicant="a"),)
    r = result("a:H2 b:H1", {"a": M, "b": M}, instabilities=inst)
    assert verify(SIMPLE, r) == []
    listed = verify(SIMPLE, r, include_reported=True)
    assert rules(listed) == ["blocking_pair"]
    assert "(reported by the result)" in str(listed[0])


def test_false_instability() -> None:
    inst = (Instability(programs=("H2",), applicant="a"),)
    found = verify(SIMPLE, result("a:H1 b:H2", {"a": M, "b": M}, instabilities=inst))
    assert rules(found) == ["false_instability"]


def test_mutual_ranking() -> None:
    m = market([prog("H1", 1, "b"), prog("H2", 1, "a")], [app("a", "H1"), app("b", "H1")])
    found = verify(m, result("a:H1 b:H2", {"a": M, "b": M}))
    assert [str(v) for v in found] == [
        "not_ranked_by_program: applicant a / program H1: the program did not rank this applicant",
        "not_ranked_by_program: applicant b / program H2: the program did not rank this applicant",
        "not_ranked_by_applicant: applicant b / program H2: the applicant did not rank this program",
    ]


def test_unfilled_must_be_reported_after_reversion() -> None:
    m = market(
        [prog("D", 2, "a", reverts_to="R"), prog("R", 1, "b c")],
        [app("a", "D"), app("b", "R"), app("c", "R")],
    )
    # D fills 1 of 2; its open position reverts to R, which then takes c as well.
    assert verify(m, result("a:D b:R c:R", {"a": M, "b": M, "c": M})) == []
    found = verify(m, result("a:D b:R c:R", {"a": M, "b": M, "c": M}, {"D": 1}))
    assert rules(found) == ["unfilled"]
    assert str(found[0]) == "unfilled: program D: reported 1 unfilled positions, the rules give 0"
    found = verify(m, result("a:D b:R", {"a": M, "b": M, "c": U}, {"R": 1}))
    assert rules(found) == ["blocking_pair"]


def test_statuses() -> None:
    m = market(
        [prog("A", 1, "a", track=Track.ADVANCED), prog("P", 1, "a", track=Track.PRELIMINARY)],
        [app("a", "A:s", s="P")],
    )
    assert verify(m, result("a:A a:P", {"a": M})) == []
    found = verify(m, result("a:A a:P", {"a": P}))
    assert rules(found) == ["status"]
    assert str(found[0]) == "status: applicant a: status is partially_matched, the rules give matched"
    assert rules(verify(m, result("a:A a:P", {}))) == ["status"]


def test_supplemental_position_needs_the_linked_advanced_program() -> None:
    m = market(
        [
            prog("A", 1, "a", track=Track.ADVANCED),
            prog("B", 1, "a", track=Track.ADVANCED),
            prog("P", 1, "a", track=Track.PRELIMINARY),
        ],
        [app("a", "A:s B", s="P")],
    )
    found = verify(m, result("a:B a:P", {"a": M}, {"A": 1}))
    assert "supplemental" in rules(found)
    # P alone is not on the primary list.
    assert "not_ranked_by_applicant" in rules(verify(m, result("a:P", {"a": M}, {"A": 1, "B": 1})))


def test_supplemental_blocking_pair() -> None:
    # a holds A and P2 although P1, earlier on the linked list, has a free seat.
    m = market(
        [
            prog("A", 1, "a", track=Track.ADVANCED),
            prog("P1", 1, "a", track=Track.PRELIMINARY),
            prog("P2", 1, "a", track=Track.PRELIMINARY),
        ],
        [app("a", "A:s", s="P1 P2")],
    )
    found = verify(m, result("a:A a:P2", {"a": M}, {"P1": 1}))
    assert rules(found) == ["blocking_pair"]
    assert found[0].programs == ("P1",)


def test_couple_rules() -> None:
    m = market(
        [prog("H1", 1, "x"), prog("H2", 1, "y"), prog("H3", 1, "y")],
        [app("x"), app("y")],
        [couple("x", "y", "H1+H2 H1+-")],
    )
    assert verify(m, result("x:H1 y:H2", {"x": M, "y": M}, {"H3": 1})) == []
    found = verify(m, result("x:H1 y:H3", {"x": M, "y": M}, {"H2": 1}))
    assert "couple_pair" in rules(found)
    assert "couple x+y / programs H1, H3" in str(found[rules(found).index("couple_pair")])
    found = verify(m, result("x:H1", {"x": M, "y": U}, {"H2": 1, "H3": 1}))
    assert rules(found) == ["blocking_couple"]
    assert found[0].couple == ("x", "y")
    assert found[0].programs == ("H1", "H2")


def test_record_problems() -> None:
    found = verify(SIMPLE, result("b:H2 a:H1 a:H1 z:H1 a:Q", {"a": M, "b": M, "z": M}))
    assert sorted(set(rules(found))) == ["duplicate_match", "order", "unknown_applicant", "unknown_program"]


def test_too_many_positions() -> None:
    m = market([prog(h, 1, "a") for h in ("H1", "H2", "H3")], [app("a", "H1 H2 H3")])
    assert "too_many_positions" in rules(verify(m, result("a:H1 a:H2 a:H3", {"a": M})))


ASSIGNMENTS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "x", "y", "zz"]), st.sampled_from(["H1", "H2", "A", "P", "QQ"])),
    max_size=8,
)
ROBUST = market(
    [
        prog("H1", 1, "a x"),
        prog("H2", 2, "b y a"),
        prog("A", 1, "a b", track=Track.ADVANCED),
        prog("P", 1, "b a", track=Track.PRELIMINARY),
    ],
    [app("a", "A:s H1", s="P"), app("b", "H2 A"), app("x"), app("y")],
    [couple("x", "y", "H1+H2 -+H2")],
)


@settings(max_examples=300, deadline=None)
@given(ASSIGNMENTS, st.lists(st.sampled_from(list(MatchStatus)), min_size=4, max_size=4))
def test_any_result_is_checked_without_crashing(
    rows: list[tuple[str, str]], status: list[MatchStatus]
) -> None:
    r = MatchResult(
        matches=tuple(Assignment(a, p) for a, p in rows),
        statuses=dict(zip(["a", "b", "x", "y"], status, strict=True)),
        unfilled={},
    )
    violations = verify(ROBUST, r)
    assert all(isinstance(v, Violation) and "\n" not in str(v) for v in violations)
    sound = run_match(ROBUST)
    if set(r.matches) == set(sound.matches) and len(rows) == len(set(rows)):
        assert {v.rule for v in violations} <= {"order", "status", "unfilled", "false_instability"}


def test_empty_market() -> None:
    empty = Market(programs=(), applicants=())
    assert verify(empty, run_match(empty)) == []
