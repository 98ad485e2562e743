"""The named features of the odds model: how SOAP programs triage, as numbers per application.

Each application (an applicant and a program) is described by the features in
``FEATURES``, built on what program directors describe: exam failures and
scores against the program's usual range, how recently the applicant graduated
and its US clinical experience, ties to the program's state, whether the
program knows the applicant, the program's share of international graduates,
visa paperwork, red flags and competition for its open positions. Training and
prediction build them with the same code (:func:`design`) from the same facts,
so a fitted model sees at prediction time exactly what it was fitted on.

Visa incompatibility is not a feature: it is a hard zero applied outside the
regression (:func:`visa_compatible`), as is ineligibility for SOAP.

``DEMAND_FEATURES`` describe a program alone, for the demand model that
predicts its competition (applications per open position) from what the
List of Unfilled Programs shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchweek.model import Applicant, ApplicantKind, RedFlag, Track, Visa
from matchweek.plan.listing import ListedProgram
from matchweek.plan.profile import Profile, specialty_key
from matchweek.plan.scores import clinical_score

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Feature:
    """One named input of a model, and what it measures."""

    name: str
    meaning: str


SCORE_CENTRE = 240.0
"""Step 2 CK score read as 0 in ``exam_score`` (near the national mean)."""
SCORE_SCALE = 15.0
"""Step 2 CK points per unit of ``exam_score`` (about one standard deviation)."""
STALE_AFTER_YEARS = 5
"""Years since graduation after which many programs want recent US clinical experience."""
RECENT_CLINICAL_MONTHS = 3
"""Months of US clinical experience that count as recent experience."""
YEARS_CAP = 15
FAILURES_CAP = 3
CLINICAL_MONTHS_CAP = 24

KINDS: tuple[ApplicantKind, ...] = tuple(ApplicantKind)
_IMG = (KINDS.index(ApplicantKind.US_IMG), KINDS.index(ApplicantKind.NON_US_IMG))
_US_SENIOR = (KINDS.index(ApplicantKind.US_MD), KINDS.index(ApplicantKind.US_DO))
_PRIOR = KINDS.index(ApplicantKind.PRIOR_GRAD)
_SERIOUS_FLAGS = (RedFlag.PROFESSIONALISM, RedFlag.PRIOR_DISMISSAL)
VISAS: tuple[Visa, ...] = (Visa.J1, Visa.H1B)

FEATURES: tuple[Feature, ...] = (
    Feature(
        "exam_score",
        f"clinical-knowledge score (Step 2 CK scale) minus {SCORE_CENTRE:.0f}, per {SCORE_SCALE:.0f} "
        "points; 0 when none is scored",
    ),
    Feature("exam_missing", "1 when no clinical-knowledge score is on file"),
    Feature(
        "score_vs_program",
        f"score minus the program's usual score, per {SCORE_SCALE:.0f} points; 0 when either is unknown",
    ),
    Feature("exam_failures", f"failed licensing exam attempts, counted up to {FAILURES_CAP}"),
    Feature("repeated_failures", "1 with two or more failed attempts (beyond what most programs tolerate)"),
    Feature(
        "years_since_graduation", f"years from graduation to the Match, up to {YEARS_CAP} (0 when unknown)"
    ),
    Feature(
        "stale_graduation",
        f"1 when graduated more than {STALE_AFTER_YEARS} years before the Match with under "
        f"{RECENT_CLINICAL_MONTHS} months of US clinical experience",
    ),
    Feature("us_clinical_years", f"US clinical experience in years, up to {CLINICAL_MONTHS_CAP // 12}"),
    Feature("state_tie", "1 when the program is in a state the applicant has ties to"),
    Feature(
        "known_to_program",
        "1 when the program's institution knows the applicant (home institution, Main Match interview)",
    ),
    Feature("program_img_share", "the program's share of international graduates in recent classes"),
    Feature("kind_us_do", "1 for a US DO senior (US MD seniors are the reference)"),
    Feature("kind_us_img", "1 for a US-citizen international graduate"),
    Feature("kind_non_us_img", "1 for a non-US-citizen international graduate"),
    Feature("kind_prior_grad", "1 for a prior graduate of a US school"),
    Feature(
        "img_at_img_friendly", "international graduate × the program's IMG share (IMG-friendly programs)"
    ),
    Feature("us_senior_at_selective", "US MD or DO senior × (1 − the program's IMG share)"),
    Feature("needs_visa", "1 when the applicant needs a visa (the program sponsors one it can use)"),
    Feature("lesser_red_flags", "leaves of absence and remediation on file (count)"),
    Feature("serious_red_flag", "1 with a professionalism flag or a prior dismissal"),
    Feature("competition", "log of the expected applications per open position at the program"),
    Feature("one_year_position", "1 for a preliminary or transitional (PGY-1 only) position"),
    Feature("advanced_position", "1 for an advanced (PGY-2 start) position"),
    Feature(
        "physician_track_without_prior_training",
        "1 for a physician (reserved) track and an applicant who is not a prior graduate",
    ),
)
"""Every feature of the odds model, in the order of the columns of :func:`design`."""

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)

DEMAND_FEATURES: tuple[Feature, ...] = (
    Feature("sponsors_j1", "1 when the program sponsors J-1 visas"),
    Feature("sponsors_h1b", "1 when the program sponsors H-1B visas"),
    Feature("program_img_share", "the program's share of international graduates in recent classes"),
    Feature("log_open_positions", "log of its open positions"),
    Feature("one_year_position", "1 for a preliminary or transitional position"),
    Feature("advanced_position", "1 for an advanced position"),
    Feature("physician_track", "1 for a physician (reserved) track"),
)
"""The program features of the demand model (besides one effect per specialty)."""

DEMAND_FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in DEMAND_FEATURES)


@dataclass(frozen=True, eq=False)
class ApplicantFacts:
    """What the odds model reads about applicants, one entry per applicant."""

    kind: npt.NDArray[np.int8]
    """Index into ``KINDS`` (-1: not recorded)."""
    score: Floats
    """Clinical-knowledge score on the Step 2 CK scale (NaN: none scored)."""
    failures: Ints
    years: Ints
    """Years since graduation (-1: unknown)."""
    clinical_months: Ints
    visas: Bools
    """(applicant, visa of ``VISAS``): visas it can train on; all False when it needs none."""
    needs_visa: Bools
    lesser_flags: Ints
    serious_flag: Bools
    eligible: Bools
    """Verified and able to start on July 1 (may apply in SOAP at all)."""

    def __len__(self) -> int:
        return len(self.kind)


@dataclass(frozen=True, eq=False)
class ProgramFacts:
    """What the odds model reads about programs, one entry per program."""

    img_share: Floats
    """Recorded share, else the mean of the recorded ones."""
    sponsors: Bools
    """(visa of ``VISAS``, program)."""
    one_year: Bools
    advanced: Bools
    reserved: Bools
    usual_score: Floats
    competition: Floats
    """Log of expected applications per open position."""

    def __len__(self) -> int:
        return len(self.img_share)


def applicant_facts(records: Sequence[Applicant | Profile], match_year: int) -> ApplicantFacts:
    """Facts of market applicants or profiles, with years counted to ``match_year``."""
    n = len(records)
    kind = np.array([KINDS.index(r.kind) if r.kind is not None else -1 for r in records], dtype=np.int8)
    score = np.array([_nan_if_none(clinical_score(r.exams)) for r in records], dtype=np.float64)
    failures = np.array([r.exam_failures for r in records], dtype=np.int64)
    years = np.array(
        [match_year - r.graduation_year if r.graduation_year is not None else -1 for r in records],
        dtype=np.int64,
    )
    months = np.array([r.us_clinical_months or 0 for r in records], dtype=np.int64)
    visas = np.zeros((n, len(VISAS)), dtype=np.bool_)
    for i, r in enumerate(records):
        accepted = r.accepted_visas if isinstance(r, Profile) else ((r.visa_need,) if r.visa_need else ())
        for k, v in enumerate(VISAS):
            visas[i, k] = v in accepted
    lesser = np.array(
        [sum(1 for f in set(r.red_flags) if f not in _SERIOUS_FLAGS) for r in records], dtype=np.int64
    )
    serious = np.array([any(f in _SERIOUS_FLAGS for f in r.red_flags) for r in records], dtype=np.bool_)
    eligible = np.array([r.verified and r.can_start_july_1 for r in records], dtype=np.bool_)
    return ApplicantFacts(
        kind=kind,
        score=score,
        failures=failures,
        years=years,
        clinical_months=months,
        visas=visas,
        needs_visa=np.array([r.visa_need is not None for r in records], dtype=np.bool_),
        lesser_flags=lesser,
        serious_flag=serious,
        eligible=eligible,
    )


def program_facts(programs: Sequence[ListedProgram], competition: Floats) -> ProgramFacts:
    """Facts of listed programs, with their ``competition`` (log applications per open position)."""
    shares = [p.img_share for p in programs]
    known = [s for s in shares if s is not None]
    mean = float(np.mean(known)) if known else 0.5
    sponsors = np.array([[v in p.visa for p in programs] for v in VISAS], dtype=np.bool_).reshape(
        len(VISAS), len(programs)
    )
    return ProgramFacts(
        img_share=np.array([s if s is not None else mean for s in shares], dtype=np.float64),
        sponsors=sponsors,
        one_year=np.array([p.track.is_pgy1_only for p in programs], dtype=np.bool_),
        advanced=np.array([p.track is Track.ADVANCED for p in programs], dtype=np.bool_),
        reserved=np.array([p.track is Track.RESERVED for p in programs], dtype=np.bool_),
        usual_score=np.array([_nan_if_none(p.usual_score) for p in programs], dtype=np.float64),
        competition=np.asarray(competition, dtype=np.float64),
    )


def visa_compatible(apps: ApplicantFacts, progs: ProgramFacts, rows: Ints, cols: Ints) -> Bools:
    """Per pair: the applicant needs no visa, or the program sponsors one it can train on."""
    ok = ~apps.needs_visa[rows]
    for k in range(len(VISAS)):
        ok = ok | (apps.visas[rows, k] & progs.sponsors[k, cols])
    return ok


def design(
    apps: ApplicantFacts, progs: ProgramFacts, rows: Ints, cols: Ints, tie: Bools, known: Bools
) -> Floats:
    """The feature matrix of the applications ``(rows[k], cols[k])``: shape ``(len(rows), len(FEATURES))``.

    ``tie`` and ``known`` hold the pair features, one per application.
    """
    score = apps.score[rows]
    has_score = ~np.isnan(score)
    usual = progs.usual_score[cols]
    both = has_score & ~np.isnan(usual)
    kind = apps.kind[rows]
    share = progs.img_share[cols]
    failures = apps.failures[rows]
    years = apps.years[rows]
    months = apps.clinical_months[rows]
    img = np.isin(kind, _IMG)
    columns = (
        np.where(has_score, (np.nan_to_num(score) - SCORE_CENTRE) / SCORE_SCALE, 0.0),
        ~has_score,
        np.where(both, (np.nan_to_num(score) - np.nan_to_num(usual)) / SCORE_SCALE, 0.0),
        np.minimum(failures, FAILURES_CAP),
        failures >= 2,
        np.clip(years, 0, YEARS_CAP),
        (years > STALE_AFTER_YEARS) & (months < RECENT_CLINICAL_MONTHS),
        np.minimum(months, CLINICAL_MONTHS_CAP) / 12.0,
        tie,
        known,
        share,
        kind == KINDS.index(ApplicantKind.US_DO),
        kind == KINDS.index(ApplicantKind.US_IMG),
        kind == KINDS.index(ApplicantKind.NON_US_IMG),
        kind == _PRIOR,
        img * share,
        np.isin(kind, _US_SENIOR) * (1.0 - share),
        apps.needs_visa[rows],
        apps.lesser_flags[rows],
        apps.serious_flag[rows],
        progs.competition[cols],
        progs.one_year[cols],
        progs.advanced[cols],
        progs.reserved[cols] & (kind != _PRIOR) & (kind >= 0),
    )
    out = np.empty((len(rows), len(columns)), dtype=np.float64)
    for k, column in enumerate(columns):
        out[:, k] = column
    return out


def demand_design(programs: Sequence[ListedProgram]) -> Floats:
    """The demand model's features of ``programs``: shape ``(len(programs), len(DEMAND_FEATURES))``."""
    facts = program_facts(programs, np.zeros(len(programs)))
    out = np.empty((len(programs), len(DEMAND_FEATURES)), dtype=np.float64)
    out[:, 0] = facts.sponsors[0]
    out[:, 1] = facts.sponsors[1]
    out[:, 2] = facts.img_share
    out[:, 3] = np.log([max(p.open, 1) for p in programs])
    out[:, 4] = facts.one_year
    out[:, 5] = facts.advanced
    out[:, 6] = facts.reserved
    return out


def specialty_keys(programs: Sequence[ListedProgram]) -> list[str | None]:
    """Each program's specialty as the demand model keys it (None: not recorded)."""
    return [specialty_key(p.specialty) if p.specialty is not None else None for p in programs]


def _nan_if_none(x: float | None) -> float:
    return float("nan") if x is None else float(x)
