"""Applicant behaviour in SOAP: where it applies, what it attaches, what it values, how it answers offers."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from matchweek.agents import (
    NOTHING_ATTACHED,
    STRATEGIES,
    ApplicantPreferences,
    Attachment,
    Cohort,
    OfferInHand,
    Outlook,
    ResponseBehaviour,
    SprayStrategy,
    TargetedStrategy,
    UnknownStrategy,
    answer_offers,
    best_columns,
    build_cohort,
    bundles,
    documents_for,
    reservations,
    strategy_named,
    utilities,
)
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Document,
    Market,
    MatchResult,
    MatchStatus,
    Policy,
    Program,
    RankEntry,
    Track,
    Visa,
)
from matchweek.soap import Kind, soap_universe

IM, FM, SURG, TY, EM, DR = (
    "Internal Medicine",
    "Family Medicine",
    "Surgery",
    "Transitional Year",
    "Emergency Medicine",
    "Diagnostic Radiology",
)
J1, H1B = Visa.J1, Visa.H1B


def program(
    code: str, track: Track, specialty: str, state: str, visa: tuple[Visa, ...], img: float
) -> Program:
    return Program(
        code, track, 1, specialty=specialty, state=state, visa=visa, img_share=img, institution="I" + code
    )


PROGRAMS = (
    program("IM1", Track.CATEGORICAL, IM, "NY", (J1,), 0.6),
    program("IM2", Track.CATEGORICAL, IM, "CA", (), 0.1),
    program("FM1", Track.CATEGORICAL, FM, "NY", (J1,), 0.5),
    program("SP1", Track.PRELIMINARY, SURG, "TX", (J1, H1B), 0.3),
    program("TY1", Track.TRANSITIONAL, TY, "NY", (), 0.2),
    program("EM1", Track.CATEGORICAL, EM, "FL", (), 0.1),
    program("DR1", Track.ADVANCED, DR, "CA", (), 0.1),
)


def letters(owner: str, *specialties: str) -> tuple[Document, ...]:
    return tuple(Document(f"{owner}-L{i + 1}", s) for i, s in enumerate(specialties))


IMG = Applicant(
    "IMG",
    kind=ApplicantKind.NON_US_IMG,
    visa_need=J1,
    ties=("NY",),
    personal_statements=(Document("IMG-PS1", IM),),
    letters=letters("IMG", IM, IM, IM, FM),
)
MD = Applicant(
    "MD",
    kind=ApplicantKind.US_MD,
    ties=("CA",),
    personal_statements=(Document("MD-PS1", FM),),
    letters=letters("MD", FM, FM, FM),
)

FLAT = ApplicantPreferences(taste=0.0)
"""Preferences without idiosyncratic taste, so utilities can be worked out by hand."""


def cohort_of(*applicants: Applicant, programs: tuple[Program, ...] = PROGRAMS) -> Cohort:
    market = Market(programs=programs, applicants=applicants)
    result = MatchResult(
        matches=(),
        statuses={a.id: MatchStatus.UNMATCHED for a in applicants},
        unfilled={p.code: p.positions for p in programs},
    )
    return build_cohort(market, soap_universe(market, result, Policy()))


def choose(
    strategy: TargetedStrategy | SprayStrategy,
    cohort: Cohort,
    who: str,
    limit: int,
    *,
    preferences: ApplicantPreferences = FLAT,
    seed: int = 1,
) -> list[str]:
    outlook = Outlook(cohort, utilities(cohort, preferences, seed), seed)
    rows = cohort.rows([who])
    open_to = np.ones((1, cohort.n_programs), dtype=np.bool_)
    (cols,) = strategy.choose(outlook, rows, open_to, np.array([limit]))
    return [cohort.program_codes[c] for c in cols]


# --- strategies by name -------------------------------------------------------------------------


def test_strategies_are_chosen_by_name_and_an_unknown_name_is_a_one_line_error() -> None:
    assert sorted(STRATEGIES) == ["spray", "targeted"]
    assert isinstance(strategy_named("spray"), SprayStrategy)
    assert isinstance(strategy_named("targeted"), TargetedStrategy)
    with pytest.raises(UnknownStrategy) as info:
        strategy_named("shotgun")
    assert str(info.value) == "unknown application strategy 'shotgun' (known: spray, targeted)"


# --- targeted -----------------------------------------------------------------------------------


def test_targeted_keeps_to_visa_sponsors_then_tiers_own_specialty_fallback_one_year() -> None:
    # Needs a J-1: only IM1, FM1 and SP1 sponsor one. Own specialty (IM) first, then the
    # primary-care fallback, then the one-year safety net.
    assert choose(TargetedStrategy(), cohort_of(IMG, MD), "IMG", 4) == ["IM1", "FM1", "SP1"]


def test_targeted_orders_every_tier_and_uses_leftover_slots_in_tier_order() -> None:
    # Limit 7: quotas 3 own, 2 fallback, 1 one-year. Own: FM1. Fallback: IM2 (California tie)
    # before IM1. One-year: TY1 (the better standing) before SP1. The slots own specialty could
    # not use go, tier by tier, to SP1, then DR1 (California) before EM1.
    chosen = choose(TargetedStrategy(), cohort_of(IMG, MD), "MD", 7)
    assert chosen == ["FM1", "IM2", "IM1", "TY1", "SP1", "DR1", "EM1"]


@pytest.mark.parametrize("limit", [0, 1, 2, 3])
def test_targeted_never_exceeds_its_limit(limit: int) -> None:
    chosen = choose(TargetedStrategy(), cohort_of(IMG, MD), "MD", limit)
    assert chosen == ["FM1", "IM2", "IM1"][:limit]


def test_targeted_excluded_states_are_a_must_have() -> None:
    chosen = choose(TargetedStrategy(excluded_states=("CA",)), cohort_of(IMG, MD), "MD", 7)
    assert chosen == ["FM1", "IM1", "TY1", "SP1", "EM1"]


def test_targeted_main_specialty_comes_from_the_first_ranked_program() -> None:
    # Ranked an EM program first in the Main Match (not in SOAP): EM is its own specialty now.
    em_main = Program("EM9", Track.CATEGORICAL, 1, specialty=EM, state="FL")
    ranked = Applicant("R", kind=ApplicantKind.US_MD, rank_list=(RankEntry("EM9"),))
    market = Market(programs=(*PROGRAMS, em_main), applicants=(ranked,))
    result = MatchResult((), {"R": MatchStatus.UNMATCHED}, {p.code: 1 for p in PROGRAMS})
    cohort = build_cohort(market, soap_universe(market, result, Policy()))
    assert cohort.specialties[cohort.main_specialty[0]] == EM
    assert choose(TargetedStrategy(), cohort, "R", 2) == ["EM1", "IM2"]


def test_international_graduates_estimate_better_chances_at_img_friendly_programs() -> None:
    both = (
        program("A", Track.CATEGORICAL, IM, "OH", (), 0.05),
        program("B", Track.CATEGORICAL, IM, "OH", (), 0.70),
    )
    us_img = Applicant("U", kind=ApplicantKind.US_IMG, letters=letters("U", IM))
    md = Applicant("M", kind=ApplicantKind.US_MD, letters=letters("M", IM))
    cohort = cohort_of(us_img, md, programs=both)
    assert choose(TargetedStrategy(), cohort, "U", 1) == ["B"]
    # A US senior's estimate ignores IMG-friendliness; its preference for standing decides.
    assert choose(TargetedStrategy(), cohort, "M", 1) == ["A"]


# --- spray --------------------------------------------------------------------------------------


def test_spray_applies_to_everything_it_could_train_at_within_the_cap() -> None:
    cohort = cohort_of(IMG, MD)
    # Only three programs sponsor the J-1 it needs.
    assert sorted(choose(SprayStrategy(), cohort, "IMG", 45)) == ["FM1", "IM1", "SP1"]
    assert sorted(choose(SprayStrategy(), cohort, "MD", 45)) == sorted(p.code for p in PROGRAMS)
    assert len(choose(SprayStrategy(), cohort, "MD", 3)) == 3


def test_spray_sample_is_seeded() -> None:
    cohort = cohort_of(IMG, MD)
    assert choose(SprayStrategy(), cohort, "MD", 3, seed=7) == choose(
        SprayStrategy(), cohort, "MD", 3, seed=7
    )
    samples = {tuple(choose(SprayStrategy(), cohort, "MD", 3, seed=s)) for s in range(20)}
    assert len(samples) > 1


def test_spray_sample_leans_toward_preferences() -> None:
    clones = tuple(
        Applicant(f"M{i:03d}", kind=ApplicantKind.US_MD, ties=("CA",), letters=letters(f"M{i:03d}", FM))
        for i in range(300)
    )
    cohort = cohort_of(*clones)
    outlook = Outlook(cohort, utilities(cohort, FLAT, 3), 3)
    rows = np.arange(cohort.n_applicants)
    open_to = np.ones((len(rows), cohort.n_programs), dtype=np.bool_)
    picks = SprayStrategy().choose(outlook, rows, open_to, np.full(len(rows), 3))
    counts = Counter(cohort.program_codes[c] for cols in picks for c in cols)
    assert all(len(cols) == 3 for cols in picks)
    # IM2 (fallback, California tie) is its favourite; the one-year tracks its least favourite.
    assert counts["IM2"] == max(counts.values())
    assert counts["IM2"] > 200
    assert counts["SP1"] + counts["TY1"] < 60


def test_best_columns_takes_the_smallest_finite_keys_per_row() -> None:
    keys = np.array([[3.0, 1.0, np.inf, 2.0], [np.inf, np.inf, 5.0, np.inf]])
    out = best_columns(keys, np.array([2, 3]))
    assert [c.tolist() for c in out] == [[1, 3], [2]]


# --- what applicants value ----------------------------------------------------------------------


def test_utility_adds_specialty_fit_path_ties_and_standing() -> None:
    cohort = cohort_of(IMG, MD)
    u = utilities(cohort, FLAT, 1)
    mean = float(np.mean([p.img_share for p in PROGRAMS]))
    md, im2, fm1, ty1 = cohort.row_of["MD"], cohort.col_of["IM2"], cohort.col_of["FM1"], cohort.col_of["TY1"]
    assert u[md, im2] == pytest.approx(1.5 + 1.0 + 1.0 + (mean - 0.1), abs=1e-5)  # path, fallback, tie
    assert u[md, fm1] == pytest.approx(1.5 + 2.0 + (mean - 0.5), abs=1e-5)  # path, own specialty
    assert u[md, ty1] == pytest.approx(mean - 0.2, abs=1e-5)  # one year, no fit, no tie


def test_taste_is_seeded_per_applicant_and_program() -> None:
    cohort = cohort_of(IMG, MD)
    prefs = ApplicantPreferences()
    assert np.array_equal(utilities(cohort, prefs, 5), utilities(cohort, prefs, 5))
    assert not np.array_equal(utilities(cohort, prefs, 5), utilities(cohort, prefs, 6))
    # An applicant's draws are keyed by its place in the market, not by who else enters SOAP.
    market = Market(programs=PROGRAMS, applicants=(IMG, MD))
    statuses = {"IMG": MatchStatus.MATCHED, "MD": MatchStatus.UNMATCHED}
    result = MatchResult((), statuses, {p.code: 1 for p in PROGRAMS})
    alone = build_cohort(market, soap_universe(market, result, Policy()))
    assert alone.applicant_ids == ("MD",)
    assert np.array_equal(utilities(cohort, prefs, 5)[cohort.row_of["MD"]], utilities(alone, prefs, 5)[0])


def test_reservation_is_the_kind_mean_plus_a_seeded_spread() -> None:
    cohort = cohort_of(IMG, MD)
    flat = reservations(cohort, ApplicantPreferences(reservation_spread=0.0), 1)
    assert flat.tolist() == [-1.5, 1.0]
    spread = reservations(cohort, ApplicantPreferences(), 1)
    assert spread.tolist() != flat.tolist()
    assert spread.tolist() == reservations(cohort, ApplicantPreferences(), 1).tolist()


# --- documents ----------------------------------------------------------------------------------

DOCS = Applicant(
    "D",
    personal_statements=(Document("D-PS1", IM), Document("D-PS2", "general")),
    letters=(
        Document("D-L1", IM),
        Document("D-L2", IM),
        Document("D-L3", "General"),
        Document("D-L4", FM),
        Document("D-L5", FM),
    ),
)


def test_documents_of_the_programs_specialty_topped_up_with_general_letters() -> None:
    assert documents_for(DOCS, IM, IM, Policy()) == Attachment("D-PS1", ("D-L1", "D-L2", "D-L3"))
    # No family medicine statement: the general one; its own letters first.
    assert documents_for(DOCS, FM, IM, Policy()) == Attachment("D-PS2", ("D-L4", "D-L5", "D-L3"))


def test_a_specialty_without_documents_gets_the_general_ones() -> None:
    assert documents_for(DOCS, "Pediatrics", IM, Policy()) == Attachment("D-PS2", ("D-L3",))


def test_without_general_documents_the_main_match_specialty_ones_serve() -> None:
    assert documents_for(IMG, "Pediatrics", IM, Policy()) == Attachment(
        "IMG-PS1", ("IMG-L1", "IMG-L2", "IMG-L3")
    )


def test_documents_follow_the_policy() -> None:
    assert documents_for(DOCS, IM, IM, Policy(letters_per_application=1)) == Attachment("D-PS1", ("D-L1",))
    no_statement = Policy(personal_statements_per_application=0)
    assert documents_for(DOCS, IM, IM, no_statement) == Attachment(None, ("D-L1", "D-L2", "D-L3"))


def test_nothing_is_attached_without_a_statement_on_file() -> None:
    assert documents_for(Applicant("E"), IM, None, Policy()) == NOTHING_ATTACHED
    only_letters = Applicant("F", letters=(Document("F-L1", IM),))
    assert documents_for(only_letters, IM, IM, Policy()) == NOTHING_ATTACHED


# --- answering offers ---------------------------------------------------------------------------

CALM = ResponseBehaviour(holdout_margin=0.5, holdout_share=0.3, expire_share=0.25)
NOTHING_HELD: frozenset[Kind] = frozenset()
EVERYTHING = frozenset(Kind)


def offer(code: str, kind: Kind, utility: float, expire_draw: float = 0.9) -> OfferInHand:
    return OfferInHand(code, kind, utility, expire_draw)


def answer(
    offers: list[OfferInHand],
    reservation: float = 0.0,
    *,
    wanted: frozenset[Kind] = EVERYTHING,
    holds: frozenset[Kind] = NOTHING_HELD,
    last: bool = False,
    draw: float = 0.9,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]:
    a = answer_offers(offers, wanted, holds, reservation, last_round=last, holdout_draw=draw, behaviour=CALM)
    return a.accept, a.reject, a.expire, a.held_out


def test_accepts_the_best_offer_above_reservation_and_leaves_the_rest_to_the_clearinghouse() -> None:
    offers = [offer("B", Kind.FULL, 2.0), offer("A", Kind.FULL, 3.0), offer("C", Kind.FULL, -1.0)]
    # Accepting A leaves nothing needed, so B and C are rejected automatically, not by the applicant.
    assert answer(offers) == (("A",), (), (), False)


def test_offers_below_reservation_are_rejected_or_left_to_expire() -> None:
    offers = [offer("A", Kind.FULL, 0.5, expire_draw=0.9), offer("B", Kind.FULL, 0.2, expire_draw=0.1)]
    assert answer(offers, reservation=1.0) == ((), ("A",), ("B",), False)


def test_a_marginal_offer_is_held_out_on_while_rounds_remain() -> None:
    marginal = [offer("A", Kind.FULL, 0.3)]
    assert answer(marginal, draw=0.1) == ((), ("A",), (), True)
    # Not every applicant holds out ...
    assert answer(marginal, draw=0.5) == (("A",), (), (), False)
    # ... and in the last round every offer above reservation is taken.
    assert answer(marginal, draw=0.1, last=True) == (("A",), (), (), False)
    # A clearly good offer is never held out on.
    assert answer([offer("A", Kind.FULL, 2.0)], draw=0.1) == (("A",), (), (), False)


def test_last_round_still_declines_offers_below_reservation() -> None:
    assert answer([offer("A", Kind.FULL, -0.5)], last=True) == ((), ("A",), (), False)


def test_needing_both_halves_it_may_accept_one_of_each() -> None:
    offers = [offer("P", Kind.PGY1_ONLY, 1.0), offer("V", Kind.ADVANCED, 2.0), offer("C", Kind.FULL, 2.5)]
    assert answer(offers) == (("P", "V"), (), (), False)
    pairs = [b for b in bundles(offers, EVERYTHING) if len(b) == 2]
    assert [(x.program, y.program) for x, y in pairs] == [("P", "V")]


def test_a_half_taken_alone_declines_the_other_half_it_will_not_take() -> None:
    offers = [offer("P", Kind.PGY1_ONLY, 2.0), offer("V", Kind.ADVANCED, -3.0)]
    # The advanced offer stays open after accepting P (an advanced position is still needed),
    # so the applicant must decline it itself.
    assert answer(offers) == (("P",), ("V",), (), False)


def test_holding_an_advanced_position_only_a_pgy1_offer_is_taken() -> None:
    offers = [offer("P1", Kind.PGY1_ONLY, 1.0), offer("P2", Kind.PGY1_ONLY, 2.0)]
    wanted = frozenset({Kind.PGY1_ONLY})
    assert answer(offers, wanted=wanted, holds=frozenset({Kind.ADVANCED})) == (("P2",), (), (), False)


def test_equal_offers_are_broken_by_program_code() -> None:
    offers = [offer("Z", Kind.FULL, 1.0), offer("A", Kind.FULL, 1.0)]
    assert answer(offers, draw=0.9)[0] == ("A",)
