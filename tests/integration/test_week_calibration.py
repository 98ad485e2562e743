"""The simulated SOAP phase against the national SOAP figures (rule book §8), on generated markets.

Nationally SOAP places about 2,500 positions (2,399 to 2,521 in 2023-2025), the
Match and SOAP together fill about 99.4% of positions, and international
graduates place at lower rates than US seniors. The generated national market
(seed 1) leaves 2,406 positions unfilled after the Main Match, 2,249 of them in
programs taking part in SOAP, so SOAP must fill most of its positions. The
state-scale checks are the same figures scaled down: the share of SOAP
positions filled, the combined fill and the order of placement rates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from matchweek.match import run_match
from matchweek.model import ApplicantKind, Market, MatchResult, Policy
from matchweek.synth import generate_market
from matchweek.week import SoapRun, simulate_soap

US_SENIORS = (ApplicantKind.US_MD, ApplicantKind.US_DO)
IMGS = (ApplicantKind.US_IMG, ApplicantKind.NON_US_IMG)


@dataclass(frozen=True)
class Figures:
    """What SOAP achieved in a simulated week."""

    soap_positions: int
    placed: int
    combined_fill: float
    placement_rate: dict[ApplicantKind, float]
    """Applicants placed in SOAP over SOAP entrants, by kind."""

    @property
    def soap_fill(self) -> float:
        return self.placed / self.soap_positions


def figures(market: Market, result: MatchResult, run: SoapRun) -> Figures:
    kinds = {a.id: a.kind for a in market.applicants}
    entrants = Counter(kinds[a.id] for a in run.start.applicants)
    placed = Counter(kinds[who] for who in {m.applicant for m in run.result.matches})
    positions = sum(p.positions for p in market.programs)
    filled_by_match = positions - sum(result.unfilled.values())
    return Figures(
        soap_positions=sum(p.open for p in run.start.programs),
        placed=len(run.result.matches),
        combined_fill=(filled_by_match + len(run.result.matches)) / positions,
        placement_rate={k: placed[k] / n for k, n in entrants.items() if k is not None},
    )


def simulated(scale: str, seed: int) -> tuple[Market, MatchResult, SoapRun]:
    market = generate_market(scale, seed)
    result = run_match(market)
    return market, result, simulate_soap(market, result, Policy(), seed)


def assert_international_graduates_place_less_often(f: Figures) -> None:
    assert max(f.placement_rate[k] for k in IMGS) < min(f.placement_rate[k] for k in US_SENIORS)


@pytest.mark.parametrize("seed", [1, 3])
def test_state_scale_soap_fills_most_positions_and_favours_us_seniors(seed: int) -> None:
    market, result, run = simulated("state", seed)
    f = figures(market, result, run)
    assert 0.90 <= f.soap_fill <= 1.0
    assert f.combined_fill >= 0.99
    assert_international_graduates_place_less_often(f)


@pytest.mark.slow
def test_national_soap_places_as_many_positions_as_the_real_one() -> None:
    market, result, run = simulated("national", 1)
    f = figures(market, result, run)
    assert sum(result.unfilled.values()) == 2406
    assert 2100 <= f.placed <= 2900
    assert f.combined_fill >= 0.99
    assert_international_graduates_place_less_often(f)
