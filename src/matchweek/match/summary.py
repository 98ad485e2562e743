"""A Main Match result counted the way the national reports count it, with the 2025 targets.

Pure data for a renderer: outcomes by applicant kind with the PGY-1 match rate, fill by
specialty and by track, unfilled positions, and the calibration targets of rule book §8.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from matchweek.model import ApplicantKind, Market, MatchResult, MatchStatus, Track

UNSPECIFIED = "unspecified"
"""Key for applicants without a kind and programs without a specialty."""


@dataclass(frozen=True, slots=True)
class KindOutcome:
    """Outcomes of one group of applicants."""

    applicants: int
    certified: int
    """Applicants who certified a rank list (couple members count as having one)."""
    matched: int
    partially_matched: int
    unmatched: int
    pgy1_matched: int
    """Applicants holding a PGY-1 position."""

    @property
    def pgy1_rate(self) -> float | None:
        """PGY-1 match rate as the national reports compute it: applicants matched to a PGY-1
        position per 100 applicants who certified a rank list (None when nobody did)."""
        return 100.0 * self.pgy1_matched / self.certified if self.certified else None


@dataclass(frozen=True, slots=True)
class Fill:
    """Positions (after reversions) and how many of them the algorithm filled."""

    positions: int
    filled: int

    @property
    def unfilled(self) -> int:
        return self.positions - self.filled

    @property
    def rate(self) -> float | None:
        """Filled per 100 positions (None when there are none)."""
        return 100.0 * self.filled / self.positions if self.positions else None


@dataclass(frozen=True, slots=True)
class CalibrationTargets:
    """Figures a synthetic national market should reproduce (rule book §8, 2025 Main Match)."""

    pgy1_rate_by_kind: dict[str, float]
    pgy1_rate_overall: float
    fill_rate: tuple[float, float]
    unfilled_positions: tuple[int, int]
    categorical_share_of_unfilled_pgy1: float


CALIBRATION_2025 = CalibrationTargets(
    pgy1_rate_by_kind={
        ApplicantKind.US_MD.value: 93.5,
        ApplicantKind.US_DO.value: 92.6,
        ApplicantKind.US_IMG.value: 67.8,
        ApplicantKind.NON_US_IMG.value: 58.0,
    },
    pgy1_rate_overall=79.8,
    fill_rate=(93.0, 96.0),
    unfilled_positions=(2000, 3000),
    categorical_share_of_unfilled_pgy1=60.0,
)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One calibration figure: what the result gives and what the target is."""

    label: str
    actual: float | None
    target: str
    within: bool | None
    """Whether the actual figure is on target (within ``tolerance`` of a point target or inside
    a range); None when there is no actual figure."""


@dataclass(frozen=True, slots=True)
class MatchSummary:
    """Counts of a Main Match result; every mapping is in a stable order."""

    by_kind: dict[str, KindOutcome]
    """Applicant kinds in the rule book's order, then ``unspecified`` if any applicant has no kind."""
    overall: KindOutcome
    fill_by_specialty: dict[str, Fill]
    fill_by_track: dict[str, Fill]
    overall_fill: Fill
    unfilled_by_specialty: dict[str, int]
    """Only specialties with unfilled positions, most unfilled first."""
    unfilled_by_track: dict[str, int]
    unfilled_pgy1: int
    categorical_share_of_unfilled_pgy1: float | None
    """Per 100 unfilled PGY-1 positions, how many are categorical (None when none are unfilled)."""
    instabilities: int
    targets: CalibrationTargets = field(default=CALIBRATION_2025)

    @property
    def unfilled_total(self) -> int:
        return self.overall_fill.unfilled

    def comparisons(self, tolerance: float = 2.0) -> list[Comparison]:
        """The result's figures next to the calibration targets, for printing side by side."""
        t = self.targets
        rows = []
        for kind, target in t.pgy1_rate_by_kind.items():
            outcome = self.by_kind.get(kind)
            rate = outcome.pgy1_rate if outcome else None
            rows.append(_point(f"PGY-1 match rate, {kind}", rate, target, tolerance))
        rows.append(_point("PGY-1 match rate, all", self.overall.pgy1_rate, t.pgy1_rate_overall, tolerance))
        rows.append(_range("fill rate", self.overall_fill.rate, t.fill_rate, "%"))
        rows.append(
            _range(
                "unfilled positions",
                float(self.unfilled_total),
                (float(t.unfilled_positions[0]), float(t.unfilled_positions[1])),
                "",
            )
        )
        rows.append(
            _point(
                "categorical share of unfilled PGY-1",
                self.categorical_share_of_unfilled_pgy1,
                t.categorical_share_of_unfilled_pgy1,
                10.0,
            )
        )
        return rows


def _point(label: str, actual: float | None, target: float, tolerance: float) -> Comparison:
    within = None if actual is None else abs(actual - target) <= tolerance
    return Comparison(label, actual, f"{target:g}", within)


def _range(label: str, actual: float | None, bounds: tuple[float, float], unit: str) -> Comparison:
    within = None if actual is None else bounds[0] <= actual <= bounds[1]
    return Comparison(label, actual, f"{bounds[0]:g}–{bounds[1]:g}{unit}", within)


def summarize(market: Market, result: MatchResult) -> MatchSummary:
    """Count ``result`` for ``market``: outcomes by applicant kind, fill, unfilled positions.

    Positions are counted after reversions (filled plus unfilled per program), so a program whose
    unfilled positions reverted counts only the positions it filled.
    """
    in_couple = {m for c in market.couples for m in c.members}
    filled: Counter[str] = Counter(m.program for m in result.matches)
    pgy1_programs = {p.code for p in market.programs if p.track.is_pgy1}
    pgy1_holders = {m.applicant for m in result.matches if m.program in pgy1_programs}

    # Kinds and statuses are string enums, so they count under their string values.
    applicants = market.applicants
    kind_of = [a.kind or UNSPECIFIED for a in applicants]
    statuses = result.statuses
    tallies = {
        "applicants": Counter(kind_of),
        "certified": Counter(
            k for a, k in zip(applicants, kind_of, strict=True) if a.rank_list or a.id in in_couple
        ),
        "pgy1_matched": Counter(k for a, k in zip(applicants, kind_of, strict=True) if a.id in pgy1_holders),
    }
    by_status = Counter(
        (k, statuses.get(a.id, MatchStatus.UNMATCHED)) for a, k in zip(applicants, kind_of, strict=True)
    )
    for status in MatchStatus:
        tallies[status.value] = Counter({k: n for (k, st), n in by_status.items() if st == status})
    kinds = [k.value for k in ApplicantKind]
    if UNSPECIFIED in tallies["applicants"]:
        kinds.append(UNSPECIFIED)
    by_kind = {k: _outcome({name: t[k] for name, t in tallies.items()}) for k in kinds}
    overall = _outcome({name: t.total() for name, t in tallies.items()})

    spec_pos: Counter[str] = Counter()
    spec_fill: Counter[str] = Counter()
    track_pos: Counter[str] = Counter({t.value: 0 for t in Track})
    track_fill: Counter[str] = Counter({t.value: 0 for t in Track})
    for p in sorted(market.programs, key=lambda p: p.code):
        positions = filled[p.code] + result.unfilled.get(p.code, 0)
        spec = p.specialty or UNSPECIFIED
        spec_pos[spec] += positions
        spec_fill[spec] += filled[p.code]
        track_pos[p.track.value] += positions
        track_fill[p.track.value] += filled[p.code]
    fill_by_specialty = {s: Fill(spec_pos[s], spec_fill[s]) for s in sorted(spec_pos)}
    fill_by_track = {t.value: Fill(track_pos[t.value], track_fill[t.value]) for t in Track}
    overall_fill = Fill(sum(spec_pos.values()), sum(spec_fill.values()))

    unfilled_by_specialty = {
        s: f.unfilled
        for s, f in sorted(fill_by_specialty.items(), key=lambda kv: (-kv[1].unfilled, kv[0]))
        if f.unfilled > 0
    }
    unfilled_by_track = {t: f.unfilled for t, f in fill_by_track.items()}
    unfilled_pgy1 = sum(f.unfilled for t, f in fill_by_track.items() if Track(t).is_pgy1)
    categorical = fill_by_track[Track.CATEGORICAL.value].unfilled
    return MatchSummary(
        by_kind=by_kind,
        overall=overall,
        fill_by_specialty=fill_by_specialty,
        fill_by_track=fill_by_track,
        overall_fill=overall_fill,
        unfilled_by_specialty=unfilled_by_specialty,
        unfilled_by_track=unfilled_by_track,
        unfilled_pgy1=unfilled_pgy1,
        categorical_share_of_unfilled_pgy1=100.0 * categorical / unfilled_pgy1 if unfilled_pgy1 else None,
        instabilities=len(result.instabilities),
    )


def _outcome(t: dict[str, int]) -> KindOutcome:
    return KindOutcome(
        applicants=t["applicants"],
        certified=t["certified"],
        matched=t[MatchStatus.MATCHED.value],
        partially_matched=t[MatchStatus.PARTIALLY_MATCHED.value],
        unmatched=t[MatchStatus.UNMATCHED.value],
        pgy1_matched=t["pgy1_matched"],
    )
