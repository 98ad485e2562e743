"""One hand-made market per Main Match rule (rule book §1), each with its exact outcome."""

from __future__ import annotations

import pytest
from test_match_helpers import app, couple, holdings, market, match, prog, statuses

from matchweek.errors import FormatError
from matchweek.match import verify
from matchweek.model import Instability, Market, MatchResult, Track

ADV = Track.ADVANCED
PRELIM = Track.PRELIMINARY
TY = Track.TRANSITIONAL


# -- mutual ranking and quotas ----------------------------------------------------------------


def test_only_mutual_rankings_match() -> None:
    # H1 never ranked a; H2 ranks b, who never ranked it.
    m = market([prog("H1", 2, "b"), prog("H2", 2, "a b")], [app("a", "H1"), app("b", "H1")])
    result = match(m)
    assert holdings(result) == {"b": ("H1",)}
    assert result.unfilled == {"H1": 1, "H2": 2}
    assert statuses(result) == {"a": "unmatched", "b": "matched"}
    assert verify(m, result) == []


def test_a_program_holds_its_quota_by_its_own_ranking() -> None:
    m = market([prog("H", 2, "c b a")], [app("a", "H"), app("b", "H"), app("c", "H")])
    assert holdings(match(m)) == {"b": ("H",), "c": ("H",)}


def test_a_program_with_no_positions_takes_nobody() -> None:
    m = market([prog("H", 0, "a"), prog("G", 1, "a")], [app("a", "H G")])
    result = match(m)
    assert holdings(result) == {"a": ("G",)}
    assert result.unfilled == {}


def test_displaced_applicant_moves_down_its_list() -> None:
    # a is held by H1 until b, whom H1 prefers, arrives; a then goes on to H2.
    m = market([prog("H1", 1, "b a"), prog("H2", 1, "a")], [app("a", "H1 H2"), app("b", "H1")])
    assert holdings(match(m)) == {"a": ("H2",), "b": ("H1",)}


def test_applicant_optimal_among_stable_matchings() -> None:
    # Two stable matchings: (a-H1, b-H2) and (a-H2, b-H1); applicants get their first choices.
    m = market(
        [prog("H1", 1, "b a"), prog("H2", 1, "a b")],
        [app("a", "H1 H2"), app("b", "H2 H1")],
    )
    assert holdings(match(m)) == {"a": ("H1",), "b": ("H2",)}


# -- supplemental lists -----------------------------------------------------------------------


def test_supplemental_list_gives_the_pgy1_year_in_its_order() -> None:
    # P1 does not rank a; the transitional P2 does.
    m = market(
        [prog("A", 1, "a", track=ADV), prog("P1", 1, "x", track=PRELIM), prog("P2", 1, "a", track=TY)],
        [app("a", "A:s", s="P1 P2"), app("x", "P1")],
    )
    result = match(m)
    assert holdings(result) == {"a": ("A", "P2"), "x": ("P1",)}
    assert statuses(result) == {"a": "matched", "x": "matched"}
    assert verify(m, result) == []


def test_supplemental_list_is_not_consulted_without_the_advanced_program() -> None:
    # A did not rank a, so a never holds A and never touches P, even though P ranks a.
    m = market(
        [prog("A", 1, "", track=ADV), prog("P", 1, "a", track=PRELIM), prog("C", 1, "a")],
        [app("a", "A:s C", s="P")],
    )
    result = match(m)
    assert holdings(result) == {"a": ("C",)}
    assert result.unfilled == {"A": 1, "P": 1}


def test_no_pgy1_year_never_sends_the_applicant_down_its_primary_list() -> None:
    # The rule book's Dr Lee: radiology is held, both PGY-1 programs refuse, and internal
    # medicine (which would take Dr Lee) is not tried: partially matched.
    m = market(
        [
            prog("5678420A0", 1, "lee", track=ADV),
            prog("1234140P0", 1, "x", track=PRELIM),
            prog("9999999T0", 1, "x", track=TY),
            prog("1234140C0", 1, "lee"),
        ],
        [
            app("lee", "5678420A0:prelims 1234140C0", prelims="1234140P0 9999999T0"),
            app("x", "1234140P0 9999999T0"),
        ],
    )
    result = match(m)
    assert holdings(result) == {"lee": ("5678420A0",), "x": ("1234140P0",)}
    assert statuses(result) == {"lee": "partially_matched", "x": "matched"}
    assert result.unfilled == {"1234140C0": 1, "9999999T0": 1}
    assert verify(m, result) == []


def test_losing_the_advanced_program_releases_the_pgy1_seat_to_someone_turned_away_earlier() -> None:
    # a holds A and P (from its supplemental list); b is turned away by the full P and held by
    # Q. Then c displaces a from A: a releases P and goes on to C. P must now take b, who
    # prefers it to Q; walking each list only once would leave b at Q, blocked by P.
    m = market(
        [
            prog("A", 1, "c a", track=ADV),
            prog("P", 1, "a b", track=PRELIM),
            prog("Q", 1, "b", track=PRELIM),
            prog("C", 1, "a"),
        ],
        [app("a", "A:s C", s="P"), app("b", "P Q"), app("c", "A")],
    )
    result = match(m)
    assert holdings(result) == {"a": ("C",), "b": ("P",), "c": ("A",)}
    assert statuses(result) == {"a": "matched", "b": "matched", "c": "partially_matched"}
    assert result.unfilled == {"Q": 1}
    assert result.instabilities == ()
    assert verify(m, result) == []


def test_displaced_from_the_supplemental_seat_goes_on_down_the_supplemental_list() -> None:
    m = market(
        [prog("A", 1, "a", track=ADV), prog("P1", 1, "b a", track=PRELIM), prog("P2", 1, "a", track=PRELIM)],
        [app("a", "A:s", s="P1 P2"), app("b", "P1")],
    )
    result = match(m)
    assert holdings(result) == {"a": ("A", "P2"), "b": ("P1",)}
    assert verify(m, result) == []


def test_a_new_advanced_program_starts_its_supplemental_list_from_the_top() -> None:
    # a holds A1 with list s (P1 refuses a while x holds it, so a gets P2). Then d displaces a
    # from A1; a moves to A2, linked to the same list, and P1 has meanwhile come free because
    # x lost A3 to e. a must try P1 again.
    m = market(
        [
            prog("A1", 1, "d a", track=ADV),
            prog("A2", 1, "a", track=ADV),
            prog("A3", 1, "e x", track=ADV),
            prog("P1", 1, "x a", track=PRELIM),
            prog("P2", 1, "a", track=PRELIM),
        ],
        [app("a", "A1:s A2:s", s="P1 P2"), app("x", "A3:t", t="P1"), app("d", "A1"), app("e", "A3")],
    )
    result = match(m)
    assert holdings(result) == {"a": ("A2", "P1"), "d": ("A1",), "e": ("A3",)}
    assert verify(m, result) == []


def test_supplemental_pgy1_program_ranked_higher_on_the_primary_list_wins_when_it_comes_free() -> None:
    # a ranks P first and A (with P as its PGY-1) second. P holds b (from b's supplemental
    # list), so a settles for A alone. Then c takes B from b, b releases P, and a, which
    # ranked P above A, takes P as its primary choice and gives up A.
    m = market(
        [
            prog("P", 1, "b a", track=PRELIM),
            prog("A", 1, "a", track=ADV),
            prog("B", 1, "c b", track=ADV),
        ],
        [app("b", "B:s", s="P"), app("a", "P A:s", s="P"), app("c", "B")],
    )
    result = match(m)
    assert holdings(result) == {"a": ("P",), "c": ("B",)}
    # a ranked an advanced program and holds only a preliminary position.
    assert statuses(result) == {"a": "partially_matched", "b": "unmatched", "c": "partially_matched"}
    assert result.unfilled == {"A": 1}
    assert verify(m, result) == []


# -- couples ------------------------------------------------------------------------------------


def test_couple_gets_its_first_pair_when_both_programs_take_them() -> None:
    m = market([prog("H1", 1, "x"), prog("H2", 1, "y")], [app("x"), app("y")], [couple("x", "y", "H1+H2")])
    result = match(m)
    assert holdings(result) == {"x": ("H1",), "y": ("H2",)}
    assert statuses(result) == {"x": "matched", "y": "matched"}


def test_couple_moves_to_the_next_pair_when_one_side_refuses_and_displaces_nobody() -> None:
    # The rule book's example: (IM, surgery) then (IM, no match). Surgery is full with s, whom
    # it prefers, so the couple takes (IM, no match). The refused first pair must not cost s
    # anything, and IM's single t, ranked below x, is displaced only by the pair that holds.
    m = market(
        [prog("1234140C0", 1, "x t"), prog("1234320C0", 1, "s y")],
        [app("x"), app("y"), app("s", "1234320C0"), app("t", "1234140C0")],
        [couple("x", "y", "1234140C0+1234320C0 1234140C0+-")],
    )
    result = match(m)
    assert holdings(result) == {"x": ("1234140C0",), "s": ("1234320C0",)}
    assert statuses(result) == {"x": "matched", "y": "unmatched", "s": "matched", "t": "unmatched"}
    assert verify(m, result) == []


def test_refused_pair_is_undone_before_anyone_is_displaced() -> None:
    # H1 would take x over s, but H2 will not take y: s keeps H1 and the couple goes unmatched.
    m = market(
        [prog("H1", 1, "x s"), prog("H2", 1, "z")],
        [app("s", "H1"), app("z", "H2"), app("x"), app("y")],
        [couple("x", "y", "H1+H2")],
    )
    result = match(m)
    assert holdings(result) == {"s": ("H1",), "z": ("H2",)}
    assert verify(m, result) == []


def test_displaced_partner_withdraws_the_other_and_the_couple_goes_down_its_list() -> None:
    # The couple holds (H1, H2) until b displaces y from H2. x withdraws from H1, which then
    # takes a, whom it had turned away; the couple goes on to (H3, H4).
    m = market(
        [prog("H1", 1, "x a"), prog("H2", 1, "b y"), prog("H3", 1, "x"), prog("H4", 1, "y")],
        [app("a", "H1"), app("x"), app("y"), app("b", "H2")],
        [couple("x", "y", "H1+H2 H3+H4")],
    )
    result = match(m)
    assert holdings(result) == {"a": ("H1",), "b": ("H2",), "x": ("H3",), "y": ("H4",)}
    assert result.instabilities == ()
    assert verify(m, result) == []


def test_no_match_side_leaves_that_partner_unmatched() -> None:
    m = market(
        [prog("H1", 1, "x"), prog("H2", 1, "s y")],
        [app("s", "H2"), app("x"), app("y")],
        [couple("x", "y", "H1+H2 -+H2 H1+-")],
    )
    result = match(m)
    assert holdings(result) == {"s": ("H2",), "x": ("H1",)}
    assert statuses(result) == {"s": "matched", "x": "matched", "y": "unmatched"}
    assert verify(m, result) == []


def test_both_partners_in_one_program_need_two_seats() -> None:
    # H has two seats and holds s, ranked below both partners: the pair (H, H) displaces s.
    m = market(
        [prog("H", 2, "x y s"), prog("G", 1, "s")],
        [app("s", "H G"), app("x"), app("y")],
        [couple("x", "y", "H+H")],
    )
    result = match(m)
    assert holdings(result) == {"x": ("H",), "y": ("H",), "s": ("G",)}
    assert verify(m, result) == []


def test_both_partners_in_one_program_cannot_squeeze_past_a_preferred_holder() -> None:
    # H has two seats and holds s, whom it prefers to y: only one seat is there for the couple.
    m = market(
        [prog("H", 2, "x s y"), prog("G", 1, "y")],
        [app("s", "H"), app("x"), app("y")],
        [couple("x", "y", "H+H H+G")],
    )
    result = match(m)
    assert holdings(result) == {"x": ("H",), "s": ("H",), "y": ("G",)}
    assert verify(m, result) == []


def test_couple_members_are_never_matched_outside_their_pairs() -> None:
    # H1 and H2 would each take one partner, but the couple ranked only the pair (H1, H3).
    m = market(
        [prog("H1", 1, "x"), prog("H2", 1, "y"), prog("H3", 1, "z")],
        [app("x"), app("y"), app("z", "H3")],
        [couple("x", "y", "H1+H3")],
    )
    result = match(m)
    assert holdings(result) == {"z": ("H3",)}
    assert result.unfilled == {"H1": 1, "H2": 1}


def test_couple_partner_in_an_advanced_program_is_partially_matched() -> None:
    m = market(
        [prog("A", 1, "x", track=ADV), prog("C", 1, "y")],
        [app("x"), app("y")],
        [couple("x", "y", "A+C")],
    )
    assert statuses(match(m)) == {"x": "partially_matched", "y": "matched"}


# -- reversion ----------------------------------------------------------------------------------


def test_unfilled_positions_revert_and_are_reported_at_the_target() -> None:
    # The rule book's example: preliminary medicine fills 3 of 5; categorical medicine gets 2
    # more positions, fills one with d, whom it had turned away, and reports 1 unfilled.
    m = market(
        [
            prog("1234140P0", 5, "a b c", track=PRELIM, reverts_to="1234140C0"),
            prog("1234140C0", 1, "e d"),
        ],
        [
            app("a", "1234140P0"),
            app("b", "1234140P0"),
            app("c", "1234140P0"),
            app("d", "1234140C0"),
            app("e", "1234140C0"),
        ],
    )
    result = match(m)
    assert holdings(result) == {
        "a": ("1234140P0",),
        "b": ("1234140P0",),
        "c": ("1234140P0",),
        "d": ("1234140C0",),
        "e": ("1234140C0",),
    }
    assert result.unfilled == {"1234140C0": 1}
    assert verify(m, result) == []


def test_reversion_lets_an_applicant_move_up_and_frees_its_old_seat() -> None:
    # R gets D's unfilled seat and takes a, whom it had turned away; a leaves G, which takes b.
    m = market(
        [prog("D", 1, "", reverts_to="R"), prog("R", 1, "x a"), prog("G", 1, "a b"), prog("B", 1, "b")],
        [app("x", "R"), app("a", "R G"), app("b", "G B")],
    )
    result = match(m)
    assert holdings(result) == {"x": ("R",), "a": ("R",), "b": ("G",)}
    assert result.unfilled == {"B": 1}
    assert verify(m, result) == []


def test_reversion_chains_pass_positions_on() -> None:
    # D1 reverts to D2, which reverts to R; nobody wants D1 or D2, so R ends with 3 positions.
    m = market(
        [
            prog("D1", 1, "", reverts_to="D2"),
            prog("D2", 1, "", reverts_to="R"),
            prog("R", 1, "a b c d"),
        ],
        [app(x, "R") for x in "abcd"],
    )
    result = match(m)
    assert holdings(result) == {"a": ("R",), "b": ("R",), "c": ("R",)}
    assert result.unfilled == {}
    assert verify(m, result) == []


# -- statuses, as the rule book's table gives them -----------------------------------------------


@pytest.mark.parametrize(
    ("ranks", "supplemental", "expected"),
    [
        ("C1", {}, "matched"),  # categorical only, holds categorical
        ("A1:s", {"s": "P1"}, "matched"),  # advanced + supplemental, holds both
        ("A1:s", {"s": "P2"}, "partially_matched"),  # advanced + supplemental, holds advanced only
        ("A2 P1", {}, "partially_matched"),  # an advanced program and a preliminary; holds the prelim
        ("P1", {}, "matched"),  # preliminary only
        ("C2", {}, "unmatched"),  # holds nothing
    ],
)
def test_status_table(ranks: str, supplemental: dict[str, str], expected: str) -> None:
    m = market(
        [
            prog("C1", 1, "a"),
            prog("C2", 1, ""),
            prog("A1", 1, "a", track=ADV),
            prog("A2", 1, "", track=ADV),
            prog("P1", 1, "a", track=PRELIM),
            prog("P2", 1, "", track=PRELIM),
        ],
        [app("a", ranks, **supplemental)],
    )
    assert statuses(match(m)) == {"a": expected}


# -- determinism and errors ------------------------------------------------------------------


def test_record_order_does_not_change_the_result() -> None:
    programs = [prog("H1", 1, "x a"), prog("H2", 1, "b y"), prog("H3", 1, "x"), prog("H4", 1, "y")]
    applicants = [app("a", "H1"), app("x"), app("y"), app("b", "H2")]
    couples = [couple("x", "y", "H1+H2 H3+H4")]
    first = match(market(programs, applicants, couples))
    again = match(market(programs[::-1], applicants[::-1], couples))
    assert first == again


def test_instability_is_reported_with_its_programs() -> None:
    m = market(
        [prog("H1", 1, "a1 s"), prog("H2", 1, "s a2")],
        [app("s", "H1 H2"), app("a1"), app("a2")],
        [couple("a1", "a2", "H1+H2")],
    )
    assert match(m).instabilities == (Instability(programs=("H1",), applicant="s"),)


@pytest.mark.parametrize(
    ("m", "message"),
    [
        (
            market([prog("H", 1, "a")], [app("a", "X")]),
            'applicants[0].rank_list[0]: unknown program code "X"',
        ),
        (
            market([prog("H", 1, "zz")], [app("a", "H")]),
            'programs[0].rank_list[0]: unknown applicant id "zz"',
        ),
        (
            market([prog("H", 1, "a a")], [app("a", "H")]),
            'programs[0].rank_list[1]: applicant "a" ranked twice',
        ),
        (
            market([prog("H", 1, "a")], [app("a", "H H")]),
            'applicants[0].rank_list[1]: program "H" ranked twice',
        ),
        (
            market([prog("H", 1, "a"), prog("P", 1, "a", track=PRELIM)], [app("a", "H:s", s="P")]),
            'applicants[0].rank_list[0].supplemental: "H" is categorical; only advanced entries take a '
            "supplemental list",
        ),
        (
            market([prog("A", 1, "a", track=ADV)], [app("a", "A:s")]),
            'applicants[0].rank_list[0].supplemental: unknown supplemental list "s"',
        ),
        (
            market([prog("A", 1, "a", track=ADV), prog("B", 1, "a", track=ADV)], [app("a", "A:s", s="B")]),
            'applicants[0].supplemental_lists.s[0]: "B" is advanced; '
            "supplemental lists hold PGY-1 programs only",
        ),
        (
            market([prog("H", 1, "", reverts_to="G"), prog("G", 1, "", reverts_to="H")], []),
            "programs[0].reverts_to: reversion cycle: H -> G -> H",
        ),
        (
            market([prog("H", 1, "x")], [app("x", "H"), app("y")], [couple("x", "y", "H+-")]),
            'applicants[0].rank_list: applicant "x" is in a couple and must leave its own rank list empty',
        ),
        (
            market([prog("H", 1, "x")], [app("x"), app("y")], [couple("x", "y", "-+-")]),
            "couples[0].rank_list[0]: both sides are no match",
        ),
        (
            market([prog("H", -1, "")], []),
            "programs[0].positions: must be a whole number of at least 0, got -1",
        ),
    ],
)
def test_an_unusable_market_is_a_format_error_naming_the_record(m: object, message: str) -> None:
    with pytest.raises(FormatError) as caught:
        match(m)
    assert str(caught.value).splitlines()[0] == f"market: {message}"


def _handover(h2_ranks: str) -> tuple[Market, MatchResult]:
    # The couple ranks (H2, H3) first and (H1, H2) second. H3 has no position of its own, so
    # the couple takes (H1, H2). Then D's unfilled position reverts to H3, and (H2, H3) would
    # put x in the seat y leaves at H2.
    m = market(
        [
            prog("H1", 1, "x"),
            prog("H2", 1, h2_ranks),
            prog("H3", 0, "y"),
            prog("D", 1, "", reverts_to="H3"),
        ],
        [app("x"), app("y")],
        [couple("x", "y", "H2+H3 H1+H2")],
    )
    return m, match(m)


def test_a_partner_leaving_a_program_does_not_hand_its_seat_to_the_other_partner() -> None:
    # H2 prefers y to x: it would not take x, so the couple stays and nothing blocks
    # (Kojima, Pathak and Roth 2013: the partner's seat is not free for the other partner).
    m, result = _handover("y x")
    assert holdings(result) == {"x": ("H1",), "y": ("H2",)}
    assert result.unfilled == {"H3": 1}
    assert result.instabilities == ()
    assert verify(m, result) == []


def test_a_partner_takes_the_seat_the_other_leaves_when_the_program_prefers_it() -> None:
    m, result = _handover("x y")
    assert holdings(result) == {"x": ("H2",), "y": ("H3",)}
    assert result.unfilled == {"H1": 1}
    assert verify(m, result) == []


def test_array_slots_agree_with_the_kernel() -> None:
    from matchweek.match import kernel
    from matchweek.match.arrays import KERNEL_SLOTS

    assert [getattr(kernel, name.upper()) for name in KERNEL_SLOTS] == list(range(len(KERNEL_SLOTS)))
