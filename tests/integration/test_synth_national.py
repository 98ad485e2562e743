"""The national synthetic market: headline numbers in their calibrated ranges (rule book §8)."""

from collections import Counter

import pytest

from matchweek.model import ApplicantKind, Market, Track
from matchweek.synth import generate_market

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def national() -> Market:
    return generate_market("national", 1)


def test_applicants_by_kind(national: Market) -> None:
    h = national.headline()
    assert h.applicants == 52_500
    by_kind = h.applicants_by_kind
    assert 20_000 <= by_kind["us_md"] <= 20_800
    assert 8_000 <= by_kind["us_do"] <= 9_000
    assert 6_000 <= by_kind["us_img"] <= 7_000
    assert 9_000 <= by_kind["non_us_img"] <= 10_000
    assert 6_500 <= by_kind["prior_grad"] <= 8_000


def test_applicants_with_rank_lists(national: Market) -> None:
    h = national.headline()
    assert 46_000 <= h.applicants_with_rank_list <= 48_500
    in_couple = {m for c in national.couples for m in c.members}
    certified = Counter(a.kind for a in national.applicants if a.rank_list or a.id in in_couple)
    assert 19_000 <= certified[ApplicantKind.US_MD] <= 20_000
    assert 7_500 <= certified[ApplicantKind.US_DO] <= 8_300
    assert 4_500 <= certified[ApplicantKind.US_IMG] <= 5_300
    assert 8_000 <= certified[ApplicantKind.NON_US_IMG] <= 9_300


def test_positions_and_tracks(national: Market) -> None:
    h = national.headline()
    assert h.programs == 6_626
    assert h.positions == 43_237
    assert h.pgy1_positions == 40_041
    assert h.positions_by_track["advanced"] == 43_237 - 40_041
    assert 20 <= h.programs_by_track["reserved"] <= 60
    institutions = {p.institution for p in national.programs}
    assert 1_000 <= len(institutions) <= 1_500
    by_specialty: Counter[str | None] = Counter()
    for p in national.programs:
        if p.track is Track.CATEGORICAL:
            by_specialty[p.specialty] += p.positions
    assert by_specialty["Internal Medicine"] == 10_941
    assert by_specialty["Family Medicine"] == 5_357


def test_couples_and_supplemental_lists(national: Market) -> None:
    h = national.headline()
    assert 1_000 <= h.couples <= 1_200
    assert 5_500 <= h.supplemental_lists <= 9_000
    with_lists = sum(1 for a in national.applicants if a.supplemental_lists)
    assert 5_000 <= with_lists <= 8_000


def test_programs(national: Market) -> None:
    programs = national.programs
    soap = sum(bool(p.soap) for p in programs) / len(programs)
    assert 0.7 <= soap <= 0.8
    sponsoring = sum(bool(p.visa) for p in programs) / len(programs)
    assert 0.4 <= sponsoring <= 0.6
    ranked = sum(len(p.rank_list) for p in programs) / len(programs)
    assert 65 <= ranked <= 100
    assert 100 <= sum(bool(p.reverts_to) for p in programs) <= 400


def test_rank_list_lengths(national: Market) -> None:
    seniors = [a for a in national.applicants if a.kind is ApplicantKind.US_MD and a.rank_list]
    mean = sum(len(a.rank_list) for a in seniors) / len(seniors)
    assert 9 <= mean <= 14
    md = [a for a in national.applicants if a.kind is ApplicantKind.US_MD]
    assert sum(a.home_institution is not None for a in md) / len(md) > 0.75
