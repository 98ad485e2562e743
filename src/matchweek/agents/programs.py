"""How programs triage their SOAP applications and certify preference lists (§5).

As program directors describe SOAP: with hundreds of applications and a day to
read them, a program first drops applications with a deal-breaker (a visa it
does not sponsor, several exam failures, graduation long ago with no US
clinical experience, professionalism red flags; physician tracks also want
prior training), then sorts the rest into buckets — applicants it already knows
(from its institution, or interviewed in the Main Match), strong files on paper
(good scores, every exam passed first time), and backups — and orders each
bucket by its reading of the file. Before each round it certifies the top of
that order among applicants it has not yet made an offer to, a few per open
position; a seeded share of programs certify a short list in round 1, offering
conservatively. A program only ever sees and ranks applicants who applied to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from matchweek.agents import noise
from matchweek.agents.cohort import KINDS, TRACKS, Cohort, flag_bit
from matchweek.model import ApplicantKind, RedFlag, Track

Rows = npt.NDArray[np.intp]
Columns = npt.NDArray[np.intp]

_LOGISTIC_SD = math.pi / math.sqrt(3.0)


class DealBreaker(IntEnum):
    """Why a program drops an application unread (``NONE``: it does not)."""

    NONE = 0
    VISA = 1
    """The applicant needs a visa the program does not sponsor."""
    EXAM_FAILURES = 2
    """More failed licensing exam attempts than the program tolerates."""
    STALE_GRADUATION = 3
    """Graduated long ago with no recent US clinical experience."""
    RED_FLAG = 4
    """A professionalism red flag (or a prior dismissal)."""
    NO_PRIOR_TRAINING = 5
    """A physician (reserved) track and an applicant without prior graduate training."""


class Bucket(IntEnum):
    """Triage buckets, read in this order."""

    KNOWN = 0
    """Internal applicants and those it interviewed in the Main Match."""
    STRONG = 1
    """Strong on paper: scores at or above the bar, every exam passed first time."""
    BACKUP = 2


def _default_standing() -> dict[ApplicantKind, float]:
    return {
        ApplicantKind.US_MD: 1.0,
        ApplicantKind.US_DO: 0.8,
        ApplicantKind.PRIOR_GRAD: 0.3,
        ApplicantKind.US_IMG: 0.1,
        ApplicantKind.NON_US_IMG: 0.0,
    }


@dataclass(frozen=True)
class ProgramBehaviour:
    """Every parameter of program triage and list certification, with its default."""

    max_exam_failures: int = 1
    """Failed exam attempts tolerated; more is a deal-breaker."""
    stale_after_years: int = 5
    """Graduation more than this many years before the Match counts as long ago..."""
    recent_clinical_months: int = 3
    """...unless the applicant has at least this many months of US clinical experience."""
    deal_breaking_flags: tuple[RedFlag, ...] = (RedFlag.PROFESSIONALISM, RedFlag.PRIOR_DISMISSAL)
    physician_tracks_need_prior_training: bool = True
    strong_exam_z: float = 0.0
    """Exam z-score (among the entrants) at or above which a file is strong on paper."""
    missing_exam_z: float = -1.0
    """The z-score read into a file with no scored clinical-knowledge exam."""
    exam_weight: float = 1.0
    failure_penalty: float = 0.7
    """Per failed attempt (within what is tolerated)."""
    flag_penalty: float = 0.7
    """Per red flag that is not a deal-breaker (leave of absence, remediation)."""
    seniority: float = 1.5
    """Preference for US graduates, scaled by ``standing`` and by how few IMGs the program trains."""
    standing: dict[ApplicantKind, float] = field(default_factory=_default_standing)
    visa_penalty: float = 0.5
    """Reluctance to take on visa paperwork, even when sponsoring."""
    state_tie: float = 0.5
    clinical_experience: float = 0.3
    """Per year of US clinical experience, counted up to two years."""
    main_match_rank: float = 1.0
    """Bonus for an applicant the program ranked in the Main Match."""
    reading_noise: float = 1.5
    """Standard deviation of the program's own view of a file (seeded, per program and applicant)."""
    list_per_position: float = 20.0
    """Applicants certified per open position."""
    min_list: int = 5
    cautious_share: float = 0.35
    """Share of programs that offer conservatively in round 1."""
    cautious_per_position: float = 1.0
    """Applicants per open position a cautious program certifies in round 1."""


@dataclass(frozen=True, eq=False)
class Triage:
    """A program's triage of applications: per (row, column) pair, its deal-breaker, bucket and reading."""

    rows: Rows
    cols: Columns
    deal_breaker: npt.NDArray[np.int8]
    bucket: npt.NDArray[np.int8]
    reading: npt.NDArray[np.float64]

    @staticmethod
    def joined(parts: list[Triage]) -> Triage:
        """One triage of all the applications in ``parts`` (each application is read on its own)."""
        if not parts:
            empty = np.empty(0, dtype=np.intp)
            return Triage(empty, empty, np.empty(0, np.int8), np.empty(0, np.int8), np.empty(0))
        return Triage(
            np.concatenate([t.rows for t in parts]),
            np.concatenate([t.cols for t in parts]),
            np.concatenate([t.deal_breaker for t in parts]),
            np.concatenate([t.bucket for t in parts]),
            np.concatenate([t.reading for t in parts]),
        )

    def preference_order(self, n_programs: int) -> list[Rows]:
        """For each column, the rows without a deal-breaker by bucket, then reading (best first)."""
        keep = self.deal_breaker == DealBreaker.NONE
        rows, cols = self.rows[keep], self.cols[keep]
        order = np.lexsort((rows, -self.reading[keep], self.bucket[keep], cols))
        rows, cols = rows[order], cols[order]
        bounds = np.searchsorted(cols, np.arange(n_programs + 1))
        return [rows[bounds[j] : bounds[j + 1]] for j in range(n_programs)]


def deal_breakers(
    cohort: Cohort, rows: Rows, cols: Columns, behaviour: ProgramBehaviour
) -> npt.NDArray[np.int8]:
    """The first deal-breaker (in ``DealBreaker`` order) of each (row, column) application."""
    out = np.zeros(len(rows), dtype=np.int8)
    reserved = TRACKS.index(Track.RESERVED)
    prior = KINDS.index(ApplicantKind.PRIOR_GRAD)
    flags = sum(flag_bit(f) for f in set(behaviour.deal_breaking_flags))
    years = cohort.years_since_graduation[rows]
    checks = [
        (DealBreaker.VISA, ~cohort.sponsors[cohort.visa_need[rows], cols]),
        (DealBreaker.EXAM_FAILURES, cohort.exam_failures[rows] > behaviour.max_exam_failures),
        (
            DealBreaker.STALE_GRADUATION,
            (years > behaviour.stale_after_years)
            & (cohort.us_clinical_months[rows] < behaviour.recent_clinical_months),
        ),
        (DealBreaker.RED_FLAG, (cohort.red_flags[rows] & flags) != 0),
        (
            DealBreaker.NO_PRIOR_TRAINING,
            behaviour.physician_tracks_need_prior_training
            & (cohort.track[cols] == reserved)
            & (cohort.kind[rows] >= 0)
            & (cohort.kind[rows] != prior),
        ),
    ]
    # Later checks first, so the earliest reason in the list is the one kept.
    for reason, hit in reversed(checks):
        out[hit] = reason
    return out


def triage(cohort: Cohort, rows: Rows, cols: Columns, behaviour: ProgramBehaviour, seed: int) -> Triage:
    """Triage the applications ``(rows[k], cols[k])``: deal-breakers, buckets and each program's reading.

    The reading adds the exam z-score, penalties for failed attempts and lesser
    red flags, a preference for US graduates at programs that train few IMGs,
    reluctance over visas, state ties, US clinical experience, a bonus for those
    it ranked in the Main Match, and the program's own seeded view of the file.
    """
    rows = np.asarray(rows, dtype=np.intp)
    cols = np.asarray(cols, dtype=np.intp)
    z = cohort.exam_z[rows]
    z = np.where(np.isnan(z), behaviour.missing_exam_z, z)
    failures = cohort.exam_failures[rows]
    lesser = cohort.red_flags[rows] & ~sum(flag_bit(f) for f in set(behaviour.deal_breaking_flags))
    lesser_count = np.zeros(len(rows))
    for f in RedFlag:
        lesser_count += (lesser & flag_bit(f)) != 0
    standing = np.array([behaviour.standing.get(k, 0.0) for k in KINDS] + [0.0])
    kind = cohort.kind[rows].astype(np.intp)
    draws = noise.uniform_pairs(
        seed, noise.Stream.READING, cohort.program_key[cols], cohort.applicant_key[rows]
    )
    reading = (
        behaviour.exam_weight * z
        - behaviour.failure_penalty * failures
        - behaviour.flag_penalty * lesser_count
        + behaviour.seniority
        * standing[np.where(kind >= 0, kind, len(KINDS))]
        * (1.0 - cohort.img_share[cols])
        - behaviour.visa_penalty * (cohort.visa_need[rows] > 0)
        + behaviour.state_tie * cohort.tie[rows, cols]
        + behaviour.clinical_experience * np.minimum(cohort.us_clinical_months[rows], 24) / 12.0
        + behaviour.main_match_rank * cohort.ranked_by_program[rows, cols]
        + behaviour.reading_noise / _LOGISTIC_SD * np.log(draws / (1.0 - draws))
    )
    known = cohort.known[rows, cols] | cohort.ranked_by_program[rows, cols]
    strong = (z >= behaviour.strong_exam_z) & (failures == 0)
    bucket = np.where(known, Bucket.KNOWN, np.where(strong, Bucket.STRONG, Bucket.BACKUP)).astype(np.int8)
    return Triage(rows, cols, deal_breakers(cohort, rows, cols, behaviour), bucket, reading)


def cautious_programs(cohort: Cohort, behaviour: ProgramBehaviour, seed: int) -> npt.NDArray[np.bool_]:
    """Which programs offer conservatively in round 1 (a seeded share, drawn per program)."""
    return noise.uniform(seed, noise.Stream.CAUTION, cohort.program_key) < behaviour.cautious_share


def list_length(open_positions: int, behaviour: ProgramBehaviour, *, cautious_round: bool) -> int:
    """How many applicants a program with ``open_positions`` certifies for the next round."""
    if open_positions <= 0:
        return 0
    if cautious_round:
        return max(1, math.ceil(behaviour.cautious_per_position * open_positions))
    return max(behaviour.min_list, math.ceil(behaviour.list_per_position * open_positions))


def certified_list(order: Rows, offered: set[int], length: int) -> list[int]:
    """The first ``length`` rows of ``order`` the program has not made an offer to yet."""
    out: list[int] = []
    if length <= 0:
        return out
    # Those rows are among the first length + len(offered): no need to look further.
    for row in order[: length + len(offered)].tolist():
        if row not in offered:
            out.append(row)
            if len(out) == length:
                break
    return out
