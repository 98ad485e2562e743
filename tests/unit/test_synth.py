"""Synthetic markets: determinism, sizes, well-formed rank lists and profiles."""

import re
from collections import Counter
from collections.abc import Callable

import pytest

from matchweek.model import Applicant, ApplicantKind, Exam, Market, Track, Visa
from matchweek.synth import MATCH_YEAR, SCALES, generate_market
from matchweek.synth.geography import STATES

CODE = re.compile(r"^(\d{4})(\d{3})([CPTARM])(\d)$")
TRACK_LETTERS = {"C": Track.CATEGORICAL, "M": Track.CATEGORICAL, "P": Track.PRELIMINARY}
TRACK_LETTERS |= {"T": Track.TRANSITIONAL, "A": Track.ADVANCED, "R": Track.RESERVED}
STATE_CODES = {s.code for s in STATES}


@pytest.fixture(scope="module")
def small() -> Market:
    return generate_market("small", 1)


@pytest.fixture(scope="module")
def state() -> Market:
    return generate_market("state", 1)


@pytest.fixture(scope="module", params=["small", "state"])
def market(request: pytest.FixtureRequest, small: Market, state: Market) -> Market:
    return small if request.param == "small" else state


def test_unknown_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="county"):
        generate_market("county", 1)


def test_same_seed_gives_the_same_market(small: Market) -> None:
    assert generate_market("small", 1) == small


def test_different_seeds_give_different_markets(small: Market) -> None:
    other = generate_market("small", 2)
    assert other != small
    assert [p.code for p in other.programs] != [p.code for p in small.programs]


def test_progress_is_reported_in_order() -> None:
    seen: list[tuple[str, float]] = []
    generate_market("small", 3, progress=lambda stage, fraction: seen.append((stage, fraction)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(stage for stage, _ in seen)


@pytest.mark.parametrize("name", ["small", "state"])
def test_sizes_follow_the_scale(name: str, small: Market, state: Market) -> None:
    market = small if name == "small" else state
    scale = SCALES[name]
    h = market.headline()
    assert h.applicants == scale.applicants
    assert h.programs == scale.programs
    assert 0.75 * h.applicants <= h.applicants_with_rank_list <= 0.95 * h.applicants
    assert h.positions == pytest.approx(43_237 * scale.factor, rel=0.1)
    assert h.pgy1_positions / h.positions == pytest.approx(40_041 / 43_237, abs=0.03)
    assert h.couples == pytest.approx(scale.couples, abs=max(2, 0.05 * scale.couples))
    assert h.couples >= 3 and h.supplemental_lists >= 3
    assert h.programs_by_track["advanced"] >= 1 and h.programs_by_track["transitional"] >= 1
    # Same proportions of applicant kinds at every scale.
    shares = {k: n / h.applicants for k, n in h.applicants_by_kind.items()}
    assert shares == pytest.approx(
        {"us_md": 0.389, "us_do": 0.16, "us_img": 0.124, "non_us_img": 0.19, "prior_grad": 0.137}, abs=0.01
    )


def test_codes_institutions_and_names(market: Market) -> None:
    codes = [p.code for p in market.programs]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    for p in market.programs:
        m = CODE.match(p.code)
        assert m, p.code
        assert p.institution == m.group(1)
        assert TRACK_LETTERS[m.group(3)] is p.track
        # "<Institution> <Specialty>", e.g. "Riverside Medical Center Internal Medicine (Preliminary)".
        assert p.name and p.specialty and p.specialty in p.name and not p.name.startswith(p.specialty)
        assert p.state in STATE_CODES
        assert p.positions >= 1
        assert p.img_share is not None and 0.0 <= p.img_share <= 1.0
        assert p.soap is not None
        assert set(p.visa) <= {Visa.J1, Visa.H1B}
        assert Visa.H1B not in p.visa or Visa.J1 in p.visa
    # Programs are grouped into institutions; an institution sits in one state.
    states_of = {}
    for p in market.programs:
        states_of.setdefault(p.institution, set()).add(p.state)
    assert all(len(s) == 1 for s in states_of.values())
    assert len(states_of) < len(market.programs) / 2


def test_rank_lists_name_existing_records(market: Market) -> None:
    programs = market.program_index()
    applicants = market.applicant_index()
    assert len(applicants) == len(market.applicants)
    for p in market.programs:
        assert len(set(p.rank_list)) == len(p.rank_list), p.code
        assert all(a in applicants for a in p.rank_list), p.code
    for a in market.applicants:
        ranked = a.ranked_programs
        assert len(set(ranked)) == len(ranked), a.id
        assert all(code in programs for code in ranked), a.id
        linked = {e.supplemental for e in a.rank_list if e.supplemental}
        assert linked == set(a.supplemental_lists), a.id
        for e in a.rank_list:
            if e.supplemental:
                assert programs[e.program].track is Track.ADVANCED, a.id
        for name, codes in a.supplemental_lists.items():
            assert codes and len(set(codes)) == len(codes), (a.id, name)
            assert all(programs[c].track.is_pgy1 for c in codes), (a.id, name)


def test_supplemental_lists_hold_one_year_tracks_behind_advanced_programs(market: Market) -> None:
    programs = market.program_index()
    with_lists = [a for a in market.applicants if a.supplemental_lists]
    assert with_lists
    for a in with_lists:
        for codes in a.supplemental_lists.values():
            assert all(programs[c].track.is_pgy1_only for c in codes), a.id
    # Applicants with advanced plans also rank PGY-1 programs on their primary lists.
    assert any(programs[e.program].track.is_pgy1 for a in with_lists for e in a.rank_list)


def test_rank_lists_come_from_the_same_interviews(market: Market) -> None:
    """Both sides rank only interviews, and each leaves off only a few of them."""
    ranks: dict[str, set[str]] = {}
    for a in market.applicants:
        ranks[a.id] = set(a.ranked_programs).union(*a.supplemental_lists.values())
    for c in market.couples:
        for side, member in enumerate(c.members):
            ranks[member] = {pair[side] for pair in c.rank_list if pair[side] is not None}
    ranked_by = {p.code: set(p.rank_list) for p in market.programs}
    program_side = [(a, p.code) for p in market.programs for a in p.rank_list]
    applicant_side = [(a, code) for a, codes in ranks.items() for code in codes]
    returned = sum(code in ranks[a] for a, code in program_side) / len(program_side)
    answered = sum(a in ranked_by[code] for a, code in applicant_side) / len(applicant_side)
    assert 0.8 <= returned < 1.0
    assert 0.85 <= answered < 1.0
    # Most applicants who certified a list are ranked by at least one program on it.
    listed = [a for a, codes in ranks.items() if codes]
    mutual = sum(any(a in ranked_by[c] for c in ranks[a]) for a in listed) / len(listed)
    assert mutual >= 0.85


def test_couples_are_well_formed(market: Market) -> None:
    programs = market.program_index()
    applicants = market.applicant_index()
    members = [m for c in market.couples for m in c.members]
    assert len(members) == len(set(members))
    same_state = []
    for c in market.couples:
        a, b = c.members
        assert a != b and a in applicants and b in applicants
        for m in c.members:
            assert applicants[m].rank_list == () and applicants[m].supplemental_lists == {}
        assert c.rank_list and len(set(c.rank_list)) == len(c.rank_list)
        for first, second in c.rank_list:
            assert first is not None or second is not None
            for code in (first, second):
                assert code is None or (code in programs and programs[code].track is not Track.ADVANCED)
            if first and second:
                same_state.append(programs[first].state == programs[second].state)
    assert sum(same_state) / len(same_state) >= 0.55
    assert any(None in pair for c in market.couples for pair in c.rank_list)


def test_reversions_point_to_a_sibling_and_never_cycle(market: Market) -> None:
    programs = market.program_index()
    reverting = [p for p in market.programs if p.reverts_to]
    for p in reverting:
        target = programs[p.reverts_to]
        assert target.code != p.code and target.institution == p.institution
        assert target.specialty is not None and p.code[4:7] == target.code[4:7]
        seen = {p.code}
        nxt = target
        while nxt.reverts_to:
            assert nxt.reverts_to not in seen, p.code
            seen.add(nxt.code)
            nxt = programs[nxt.reverts_to]


def test_applicant_profiles_are_in_range(market: Market) -> None:
    institutions = {p.institution for p in market.programs}
    kinds: Counter[ApplicantKind] = Counter()
    for a in market.applicants:
        assert a.kind is not None
        kinds[a.kind] += 1
        assert a.graduation_year is not None and 1990 <= a.graduation_year <= MATCH_YEAR
        if a.kind in (ApplicantKind.US_MD, ApplicantKind.US_DO):
            assert a.graduation_year == MATCH_YEAR
        if a.kind is ApplicantKind.PRIOR_GRAD:
            assert a.graduation_year < MATCH_YEAR
        assert a.visa_need is None or a.kind is ApplicantKind.NON_US_IMG
        assert a.us_clinical_months is not None and 0 <= a.us_clinical_months <= 48
        assert len(a.red_flags) <= 1
        assert len(set(a.ties)) == len(a.ties) and set(a.ties) <= STATE_CODES
        if a.home_institution is not None:
            assert a.kind in (ApplicantKind.US_MD, ApplicantKind.US_DO)
            assert a.home_institution in institutions
        exams = {e.exam: e for e in a.exams}
        assert len(exams) == len(a.exams)
        for e in a.exams:
            assert e.attempts >= 1
            assert e.passed or e.exam is Exam.USMLE_STEP3
        if step2 := exams.get(Exam.USMLE_STEP2_CK):
            assert step2.score is not None and 214 <= step2.score <= 282
        if comlex2 := exams.get(Exam.COMLEX_LEVEL2_CE):
            assert comlex2.score is not None and 400 <= comlex2.score <= 860
        if step1 := exams.get(Exam.USMLE_STEP1):
            # Step 1 has been pass/fail since 2022.
            assert (step1.score is None) == (a.graduation_year >= 2024)
        if a.kind is ApplicantKind.US_MD:
            assert {Exam.USMLE_STEP1, Exam.USMLE_STEP2_CK} <= set(exams)
        if a.kind is ApplicantKind.US_DO:
            assert {Exam.COMLEX_LEVEL1, Exam.COMLEX_LEVEL2_CE} <= set(exams)
        docs = [d.id for d in (*a.personal_statements, *a.letters)]
        assert len(docs) == len(set(docs)) and all(d.startswith(a.id) for d in docs)
        statement_specialties = [d.specialty for d in a.personal_statements]
        assert statement_specialties and len(set(statement_specialties)) == len(statement_specialties)
        assert {d.specialty for d in a.letters} <= set(statement_specialties)
        assert a.letters and all(d.author for d in a.letters)
    assert set(kinds) == set(ApplicantKind)


def test_profiles_vary_the_way_the_market_does(state: Market) -> None:
    by_kind: dict[ApplicantKind, list[Applicant]] = {k: [] for k in ApplicantKind}
    for a in state.applicants:
        assert a.kind is not None
        by_kind[a.kind].append(a)

    def share(kind: ApplicantKind, test: Callable[[Applicant], bool]) -> float:
        return sum(1 for a in by_kind[kind] if test(a)) / len(by_kind[kind])

    assert share(ApplicantKind.NON_US_IMG, lambda a: a.visa_need is not None) > 0.6
    assert share(ApplicantKind.US_MD, lambda a: a.exam_failures > 0) < share(
        ApplicantKind.NON_US_IMG, lambda a: a.exam_failures > 0
    )
    assert (
        0.4 < share(ApplicantKind.US_DO, lambda a: any(e.exam is Exam.USMLE_STEP2_CK for e in a.exams)) < 0.9
    )
    # A state-sized market has few academic centres; nationally most seniors have one (see the slow test).
    assert share(ApplicantKind.US_MD, lambda a: a.home_institution is not None) > 0.2
    assert 0.85 < share(ApplicantKind.US_IMG, lambda a: a.verified) < 1.0
    assert share(ApplicantKind.NON_US_IMG, lambda a: MATCH_YEAR - (a.graduation_year or 0) >= 5) > 0.15
    statements = [a for a in state.applicants if len(a.personal_statements) > 1]
    assert len(statements) > len(state.applicants) / 4
    combined = {"Internal Medicine–Pediatrics", "Internal Medicine–Psychiatry"}
    assert any(d.specialty in combined for a in state.applicants for d in a.personal_statements)


def test_programs_share_of_soap_visa_and_reversion(state: Market) -> None:
    programs = state.programs
    soap = sum(bool(p.soap) for p in programs) / len(programs)
    assert 0.6 <= soap <= 0.9
    assert 0.3 <= sum(bool(p.visa) for p in programs) / len(programs) <= 0.7
    assert sum(Visa.H1B in p.visa for p in programs) < sum(Visa.J1 in p.visa for p in programs)
    assert 0 < sum(bool(p.reverts_to) for p in programs) < len(programs) / 5
    # Rank lists grow with the number of positions.
    big = [len(p.rank_list) for p in programs if p.positions >= 10]
    little = [len(p.rank_list) for p in programs if p.positions <= 2]
    assert sum(big) / len(big) > 3 * sum(little) / len(little)
