"""Applications and the interview season.

Applicants apply, within each field of their plan, to the programs they find
most interesting (ties, reputation within reach, location, programs that take
graduates like them) among those whose hard filters they pass: visa
sponsorship, failed exam attempts, years since graduation, USMLE scores for
programs that require them, and physician tracks only for graduates with prior
training. Programs read applications by the file (merit), ties, home
institution and their stance on international and osteopathic graduates, and
invite the best applications near their bar until their interview slots are
taken; applicants accept invitations in order of interest up to the number of
interviews they can attend. Invitations go out in waves, so slots declined in
one wave are offered in the next. The pair-by-pair work runs in compiled
kernels (``matchweek.synth.kernels``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matchweek.synth.applicants import (
    DO,
    MATCH_YEAR,
    NONUSIMG,
    PGY1_APPLICATIONS,
    PGY1_INTERVIEW_CAP,
    PRIOR,
    ROLE_BACKUP,
    ROLE_FIRST,
    ROLE_PGY1,
    USIMG,
    ApplicantTable,
)
from matchweek.synth.catalogue import FIELDS, PRELIM_FIELD, SPECIALTIES, field_index
from matchweek.synth.kernels import allocate_interviews, choose_applications
from matchweek.synth.programs import ProgramTable

# How applicants weigh a program when applying and when ranking.
TIE_STATE = 1.0
TIE_DIVISION = 0.4
HOME_INTEREST = 1.5
APPEAL_WEIGHT = 0.4
IMG_FRIENDLY_INTEREST = np.array([-0.8, -0.4, 2.0, 2.0, 0.0])
"""Interest in a program per unit of its IMG share, by applicant kind."""
FIRST_CHOICE_BONUS = 3.0
"""Preference for programs of the first-choice field over backups, when interviewing and ranking."""

# How programs read applications.
TIE_SCORE = 0.4
HOME_SCORE = 1.0
IMG_PENALTY = 3.2
"""Score penalty for international graduates at a program with no IMGs (scaled by (1 - share)^3)."""
DO_PENALTY = 0.7
PRIOR_PENALTY = 0.6
VISA_PENALTY = 0.4
"""Even programs that sponsor visas prefer applicants who need none."""
SCORE_NOISE = 0.7
BAR_BASE = -1.2
BAR_COMPETITIVENESS = 2.0
BAR_REPUTATION = 0.5
INTERVIEW_SLACK = np.array([0.1, 0.1, 0.5, 0.5, 0.5])
"""How far below their rank bar programs interview, by applicant kind: files of
international and prior graduates are harder to read before meeting them."""
INTERVIEW_WAVES = 6
OVER_INVITE = 1.3
"""Invitations sent per open interview slot in a wave, expecting some to be declined."""
BACKUP_APPLICATIONS = 0.45
THIRD_APPLICATIONS = 0.35
COUPLE_APPLICATIONS = 1.3
COUPLE_TIE_STATE = 2.5
"""Couples apply above all where they have ties together."""

REACH = 0.5
REACH_CENTRE = 0.3
"""When applying, reputation attracts applicants with merit above the centre and deters those below."""
APPLICATION_NOISE = 1.0
FIT_NOISE = 0.6
RANK_REPUTATION = 1.0
"""Weight of reputation in how applicants rank programs they interviewed at."""

_TASTE_SLOT = {"TY-T": 0, "IM-P": 1, "SURG-P": 2, "PEDS-P": 3}


@dataclass(frozen=True, slots=True)
class Applications:
    """Applicant–program pairs: who applied where, in which role, and how each side sees it.

    ``fit`` is the applicant's interest in the program (without the role bonus);
    ``score`` is the program's reading of the application.
    """

    applicant: np.ndarray
    program: np.ndarray
    role: np.ndarray
    fit: np.ndarray
    score: np.ndarray

    def take(self, mask: np.ndarray) -> Applications:
        """The applications where ``mask`` is true."""
        return Applications(
            self.applicant[mask], self.program[mask], self.role[mask], self.fit[mask], self.score[mask]
        )


def rank_bar(programs: ProgramTable) -> np.ndarray:
    """The score below which a program would rather leave a position open than rank an applicant.

    Programs interview somewhat below it (``INTERVIEW_SLACK``, by applicant kind):
    an interview can lift or sink an application.
    """
    compet = np.array([FIELDS[f].competitiveness for f in programs.field])
    offset = np.array([FIELDS[f].bar for f in programs.field])
    offset += np.array([SPECIALTIES[s].bar for s in programs.specialty])
    return BAR_BASE + BAR_COMPETITIVENESS * compet + offset + BAR_REPUTATION * programs.reputation


def _taste_slots(programs: ProgramTable) -> np.ndarray:
    return np.array([_TASTE_SLOT.get(SPECIALTIES[s].key, -1) for s in programs.specialty])


def _row_plan(
    apps: ApplicantTable, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One row per (applicant, field) applied to: applicant, field, role and number of applications."""
    prelim = field_index()[PRELIM_FIELD]
    active = ~apps.withdrawn
    base = apps.applications * np.where(apps.partner >= 0, COUPLE_APPLICATIONS, 1.0)
    pgy1_n = np.rint(PGY1_APPLICATIONS * rng.lognormal(0.0, 0.3, apps.n))
    rows_a, rows_f, rows_role, rows_m = [], [], [], []
    for j, (role, share) in enumerate(
        ((ROLE_FIRST, 1.0), (ROLE_BACKUP, BACKUP_APPLICATIONS), (ROLE_BACKUP, THIRD_APPLICATIONS))
    ):
        a = np.flatnonzero(active & (apps.plan[:, j] >= 0))
        rows_a.append(a)
        rows_f.append(apps.plan[a, j])
        rows_role.append(np.full(len(a), role, dtype=np.int8))
        rows_m.append(np.maximum(1, np.rint(base[a] * share)).astype(np.int64))
    a = np.flatnonzero(active & apps.pgy1_plan)
    rows_a.append(a)
    rows_f.append(np.full(len(a), prelim))
    rows_role.append(np.full(len(a), ROLE_PGY1, dtype=np.int8))
    rows_m.append(np.maximum(1, pgy1_n[a]).astype(np.int64))
    return np.concatenate(rows_a), np.concatenate(rows_f), np.concatenate(rows_role), np.concatenate(rows_m)


def apply(apps: ApplicantTable, programs: ProgramTable, rng: np.random.Generator) -> Applications:
    """Every applicant's applications, field by field of its plan.

    Within a field an applicant applies to its ``m`` most interesting programs
    among those whose hard filters it passes; interest is its fit with the
    program plus reputation weighted by how high it can reach, plus noise.
    """
    prelim = field_index()[PRELIM_FIELD]
    row_a, row_field, row_role, row_m = _row_plan(apps, rng)
    # Programs grouped by field: the kernel scans one field's programs per row.
    o = np.argsort(programs.field, kind="stable")
    field_start = np.searchsorted(programs.field[o], np.arange(len(FIELDS) + 1))
    visa_ok = np.stack([np.ones(programs.n, dtype=bool), programs.j1[o], programs.h1b[o]])
    kind = apps.kind
    # The part of a program's reading that does not depend on the program.
    base_score = apps.merit - PRIOR_PENALTY * (kind == PRIOR) - VISA_PENALTY * (apps.visa > 0)
    counts, program, fit, score = choose_applications(
        row_a,
        row_field,
        np.minimum(row_m, 4096),
        row_field == prelim,
        field_start,
        o,
        programs.state[o],
        programs.division[o],
        APPEAL_WEIGHT * programs.appeal[o],
        programs.img_share[o],
        programs.reputation[o],
        programs.institution[o],
        _taste_slots(programs)[o],
        visa_ok,
        programs.max_failures[o],
        programs.max_years[o],
        programs.requires_usmle[o],
        programs.is_reserved[o],
        apps.tie_state,
        np.where(apps.partner >= 0, COUPLE_TIE_STATE, TIE_STATE),
        apps.tie_division,
        IMG_FRIENDLY_INTEREST[kind],
        np.clip(REACH * (apps.merit - REACH_CENTRE), -1.0, 1.0),
        apps.home_institution,
        apps.visa.astype(np.int64),
        apps.failures,
        MATCH_YEAR - apps.graduation_year,
        apps.step2_attempts > 0,
        kind == PRIOR,
        np.array([f.prelim_taste for f in FIELDS])[apps.plan[:, 0]],
        base_score,
        (kind == USIMG) | (kind == NONUSIMG),
        kind == DO,
        np.array([TIE_STATE, TIE_DIVISION, HOME_INTEREST, RANK_REPUTATION, APPLICATION_NOISE, FIT_NOISE]),
        np.array([TIE_SCORE, HOME_SCORE, IMG_PENALTY, DO_PENALTY, SCORE_NOISE]),
        np.uint64(rng.integers(0, 2**63)),
    )
    return Applications(
        np.repeat(row_a, counts),
        program,
        np.repeat(row_role, counts),
        fit.astype(np.float32),
        score.astype(np.float32),
    )


def interview(apps: ApplicantTable, programs: ProgramTable, applications: Applications) -> np.ndarray:
    """Which applications turn into interviews (boolean mask over ``applications``).

    Programs consider applications scoring at least their rank bar less the
    interview slack for the applicant's kind; applicants hold one calendar for
    their fields and another for one-year PGY-1 interviews.
    """
    pa, pp, role = applications.applicant, applications.program, applications.role
    eligible = applications.score >= rank_bar(programs)[pp] - INTERVIEW_SLACK[apps.kind[pa]]
    group = pa.astype(np.int64) * 2 + (role == ROLE_PGY1)
    preference = applications.fit + np.where(role == ROLE_FIRST, FIRST_CHOICE_BONUS, 0.0)
    group_cap = np.empty(2 * apps.n, dtype=np.int64)
    group_cap[0::2] = apps.interview_cap
    group_cap[1::2] = int(PGY1_INTERVIEW_CAP)
    # Applications below the bar never turn into interviews: leave them out of the waves.
    considered = np.flatnonzero(eligible)
    taken = allocate_interviews(
        pp[considered],
        group[considered],
        applications.score[considered].astype(np.float64),
        preference[considered].astype(np.float64),
        programs.interview_capacity,
        group_cap,
        INTERVIEW_WAVES,
        OVER_INVITE,
    )
    out = np.zeros(len(pa), dtype=bool)
    out[considered[taken]] = True
    return out
