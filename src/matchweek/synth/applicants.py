"""Applicant profiles and application plans, as arrays.

Each applicant has a kind, a latent ability, licensing exams with scores and
attempts, a graduation year, visa need, US clinical experience, state ties, a
home institution for seniors whose school has programs, and red flags. From the
profile follows ``merit``: how a program reads the file before adding its own
view (ties, home institution, its stance on international graduates) and the
noise of an interview. Each applicant also plans which fields to apply to: a
first choice (stronger applicants lean to competitive fields), backups, and a
one-year PGY-1 plan when the field starts at PGY-2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matchweek.model import RedFlag
from matchweek.synth.catalogue import FIELDS, PRELIM_FIELD, field_index
from matchweek.synth.geography import DIVISIONS, STATES
from matchweek.synth.programs import ACADEMIC, COMMUNITY, Institutions, ProgramTable
from matchweek.synth.scales import Scale

MATCH_YEAR = 2025
"""The Match the synthetic market stands for; seniors graduate this year."""

MD, DO, USIMG, NONUSIMG, PRIOR = range(5)

KIND_SHARES = np.array([20_400, 8_400, 6_500, 10_000, 7_200], dtype=np.float64)
"""Registered applicants by kind, national (order of ``KINDS``)."""

# Per kind, in the order of KINDS (US MD, DO, US IMG, non-US IMG, prior graduate).
_STEP2 = (
    (249.0, 14.0),
    (243.0, 14.0),
    (233.0, 15.0),
    (241.0, 14.0),
    (236.0, 15.0),
)  # USMLE Step 2 CK mean, sd
_MERIT_BASE = np.array([0.5, 0.2, -0.2, -0.3, -0.6])  # how programs read the kind of school and path
_FAILURE_RATE = np.array([0.07, 0.09, 0.15, 0.10, 0.15])  # any failed exam attempt, at average ability
_RED_FLAG_RATE = np.array([0.015, 0.02, 0.04, 0.025, 0.06])
_VERIFIED = np.array([0.995, 0.99, 0.94, 0.92, 0.98])  # verified by school or ECFMG by Match Week
_JULY_1 = np.array([0.995, 0.995, 0.97, 0.97, 0.98])  # able to start training on July 1
_WITHDRAW = np.array([0.02, 0.03, 0.19, 0.04, 0.05])  # register, then apply nowhere (weaker files more often)
_BACKUP = np.array([0.10, 0.12, 0.75, 0.80, 0.60])  # apply to a backup field (scaled by competitiveness)
_THIRD = np.array([0.02, 0.05, 0.30, 0.40, 0.20])  # a third field, given a backup
_APPLICATIONS = np.array([60.0, 60.0, 80.0, 90.0, 120.0])  # applications to the first field
_INTERVIEW_CAP = np.array([13.0, 12.0, 13.0, 12.0, 4.0])  # interviews attended in the applicant's fields
PGY1_APPLICATIONS = 18.0
"""Applications to one-year PGY-1 tracks under a PGY-1 plan."""
PGY1_INTERVIEW_CAP = 9.0
"""Interviews at one-year PGY-1 tracks attended under a PGY-1 plan."""
FIELD_SORTING = 1.0
"""How strongly ability steers the first-choice field towards competitive ones."""

# Years since graduation: buckets (low, high) and their probabilities per kind.
_YEAR_BUCKETS = ((0, 0), (1, 1), (2, 2), (3, 3), (4, 6), (7, 10), (11, 20))
_YEAR_PROBS = {
    USIMG: (0.45, 0.20, 0.12, 0.08, 0.09, 0.04, 0.02),
    NONUSIMG: (0.12, 0.18, 0.17, 0.14, 0.22, 0.12, 0.05),
    PRIOR: (0.0, 0.45, 0.20, 0.12, 0.13, 0.07, 0.03),
}
_IMG_HUBS = {
    "NY": 5.0,
    "FL": 3.0,
    "NJ": 2.0,
    "IL": 2.0,
    "MI": 2.0,
    "MD": 1.5,
    "CA": 1.5,
    "TX": 1.5,
    "GA": 1.0,
    "PA": 1.0,
}
_RED_FLAGS = (RedFlag.PROFESSIONALISM, RedFlag.LEAVE_OF_ABSENCE, RedFlag.REMEDIATION, RedFlag.PRIOR_DISMISSAL)
_RED_FLAG_P = (0.25, 0.35, 0.30, 0.10)

ROLE_FIRST, ROLE_BACKUP, ROLE_PGY1 = 0, 1, 2


@dataclass(slots=True)
class ApplicantTable:
    """Applicants as parallel arrays (index = applicant number, ids assigned in this order).

    Exams: ``*_attempts`` is 0 when the exam was not taken; ``*_score`` is -1 when
    not scored. ``visa`` is 0 (none), 1 (J-1) or 2 (H-1B). ``plan`` holds up to
    three fields (first, backup, third; -1 when absent); ``pgy1_plan`` marks
    applicants who also apply to one-year PGY-1 tracks for supplemental lists.
    """

    kind: np.ndarray
    ability: np.ndarray
    merit: np.ndarray
    graduation_year: np.ndarray
    visa: np.ndarray
    verified: np.ndarray
    july_1: np.ndarray
    us_clinical_months: np.ndarray
    red_flag: np.ndarray
    step1_attempts: np.ndarray
    step1_score: np.ndarray
    step2_attempts: np.ndarray
    step2_score: np.ndarray
    comlex1_attempts: np.ndarray
    comlex2_attempts: np.ndarray
    comlex2_score: np.ndarray
    step3_attempts: np.ndarray
    step3_passed: np.ndarray
    step3_score: np.ndarray
    failures: np.ndarray
    ties: list[tuple[int, ...]]
    tie_state: np.ndarray
    tie_division: np.ndarray
    home_institution: np.ndarray
    plan: np.ndarray
    pgy1_plan: np.ndarray
    pgy1_on_primary: np.ndarray
    applications: np.ndarray
    interview_cap: np.ndarray
    withdrawn: np.ndarray
    partner: np.ndarray

    @property
    def n(self) -> int:
        return len(self.kind)


def _allocate(shares: np.ndarray, total: int) -> np.ndarray:
    raw = shares / shares.sum() * total
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]] += 1
    return out


def _years_since(kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    years = np.zeros(len(kind), dtype=np.int64)
    for k, probs in _YEAR_PROBS.items():
        m = np.flatnonzero(kind == k)
        b = rng.choice(len(_YEAR_BUCKETS), size=len(m), p=probs)
        lo = np.array([x[0] for x in _YEAR_BUCKETS])[b]
        hi = np.array([x[1] for x in _YEAR_BUCKETS])[b]
        years[m] = lo + (rng.random(len(m)) * (hi - lo + 1)).astype(np.int64)
    return years


def build_applicants(
    scale: Scale, programs: ProgramTable, inst: Institutions, rng: np.random.Generator
) -> ApplicantTable:
    """Draw ``scale.applicants`` applicant profiles and their application plans."""
    counts = _allocate(KIND_SHARES, scale.applicants)
    kind = rng.permutation(np.repeat(np.arange(5), counts)).astype(np.int8)
    n = len(kind)
    ability = rng.normal(size=n)
    years = _years_since(kind, rng)
    graduation_year = MATCH_YEAR - years

    # Prior graduates are US MD (70%) or DO (30%) graduates of earlier years.
    osteopathic = (kind == DO) | ((kind == PRIOR) & (rng.random(n) < 0.3))
    takes_usmle = ~osteopathic | (rng.random(n) < np.where(kind == DO, 0.65, 0.5))

    # Failed attempts: rarer for seniors, commoner for weaker files.
    p_fail = np.minimum(0.6, _FAILURE_RATE[kind] * np.exp(-0.7 * ability))
    failures = (rng.random(n) < p_fail).astype(np.int64)
    failures += (failures > 0) & (rng.random(n) < 0.3)
    failures += (failures > 1) & (rng.random(n) < 0.25)
    takes_step3 = (kind >= USIMG) & (years >= 1) & (rng.random(n) < np.where(kind == PRIOR, 0.6, 0.32))

    # Where the failed attempts fell: the first exam, the second, or Step 3.
    first_fail = np.zeros(n, dtype=np.int64)
    second_fail = np.zeros(n, dtype=np.int64)
    third_fail = np.zeros(n, dtype=np.int64)
    where = rng.random((3, n))
    for j in range(3):
        has = failures > j
        to_first = has & (where[j] < 0.6)
        to_third = has & ~to_first & takes_step3 & (where[j] > 0.93)
        to_second = has & ~to_first & ~to_third
        first_fail += to_first
        second_fail += to_second
        third_fail += to_third

    mean2 = np.array([m for m, _ in _STEP2])[kind]
    sd2 = np.array([s for _, s in _STEP2])[kind]
    noise2 = 0.8 * ability + 0.6 * rng.normal(size=n)
    step2 = np.clip(np.rint(mean2 + sd2 * noise2 - 4.0 * failures), 214, 282).astype(np.int64)
    comlex2 = np.clip(np.rint(570 + 85 * noise2 - 25 * failures), 400, 860).astype(np.int64)
    # Step 1 became pass/fail in 2022: graduates up to 2023 hold a three-digit score.
    step1 = np.clip(np.rint(229 + 17 * (0.8 * ability + 0.6 * rng.normal(size=n))), 194, 270).astype(np.int64)
    step1_scored = graduation_year <= 2023
    step3 = np.clip(np.rint(226 + 14 * (0.7 * ability + 0.7 * rng.normal(size=n))), 198, 262).astype(np.int64)

    usmle_first = np.where(osteopathic, 0, first_fail)
    comlex_first = np.where(osteopathic, first_fail, 0)
    usmle_second = np.where(osteopathic, 0, second_fail)
    comlex_second = np.where(osteopathic, second_fail, 0)
    step1_attempts = np.where(takes_usmle, 1 + usmle_first, 0)
    step2_attempts = np.where(takes_usmle, 1 + usmle_second, 0)
    comlex1_attempts = np.where(osteopathic, 1 + comlex_first, 0)
    comlex2_attempts = np.where(osteopathic, 1 + comlex_second, 0)
    step3_passed = takes_step3 & (rng.random(n) < 0.96)
    step3_attempts = np.where(takes_step3, 1 + third_fail, 0)
    failures = (
        (step1_attempts - (step1_attempts > 0))
        + (step2_attempts - (step2_attempts > 0))
        + (comlex1_attempts - (comlex1_attempts > 0))
        + (comlex2_attempts - (comlex2_attempts > 0))
        + (step3_attempts - step3_passed.astype(np.int64))
    )
    step2_equiv = np.where(takes_usmle, step2, 243 + (comlex2 - 570) / 85 * 14)

    visa = np.zeros(n, dtype=np.int8)
    nus = kind == NONUSIMG
    visa[nus] = rng.choice(3, size=int(nus.sum()), p=(0.22, 0.63, 0.15))

    usce = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    usce = np.where((kind == MD) | (kind == DO), rng.integers(16, 25, n), usce)
    usce = np.where(kind == PRIOR, rng.integers(20, 49, n), usce)
    usce = np.where((kind == USIMG) & (u < 0.75), rng.integers(14, 25, n), usce)
    usce = np.where((kind == USIMG) & (u >= 0.75), rng.integers(0, 9, n), usce)
    usce = np.where(nus & (u >= 0.35), np.minimum(24, 1 + rng.geometric(0.2, n)), usce)

    red = rng.random(n) < _RED_FLAG_RATE[kind]
    red_flag = np.where(red, rng.choice(len(_RED_FLAGS), size=n, p=_RED_FLAG_P), -1).astype(np.int8)
    verified = rng.random(n) < _VERIFIED[kind]
    july_1 = rng.random(n) < _JULY_1[kind]

    hidden = 0.6 * ability + 0.8 * rng.normal(size=n)
    merit = (
        (step2_equiv - 240.0) / 15.0
        + _MERIT_BASE[kind]
        + 0.35 * np.minimum(usce, 12) / 12.0
        - 0.1 * np.minimum(years, 12)
        - 0.55 * failures
        - 1.2 * red
        + 0.7 * hidden
    )

    ties, home_inst = _ties_and_home(kind, programs, inst, rng)
    tie_state = np.zeros((n, len(STATES)), dtype=bool)
    tie_division = np.zeros((n, len(DIVISIONS)), dtype=bool)
    div_of_state = np.array([DIVISIONS.index(s.division) for s in STATES])
    for a, t in enumerate(ties):
        for s in t:
            tie_state[a, s] = True
            tie_division[a, div_of_state[s]] = True

    plan, pgy1_plan, pgy1_on_primary = _plans(kind, ability, programs, rng)
    applications = np.rint(_APPLICATIONS[kind] * rng.lognormal(0.0, 0.3, n)).astype(np.int64)
    interview_cap = np.rint(_INTERVIEW_CAP[kind] * rng.lognormal(0.0, 0.2, n)).astype(np.int64)
    wd = rng.random(n) < _WITHDRAW[kind] * np.exp(-0.4 * ability - 0.08)

    table = ApplicantTable(
        kind=kind,
        ability=ability,
        merit=merit,
        graduation_year=graduation_year,
        visa=visa,
        verified=verified,
        july_1=july_1,
        us_clinical_months=usce,
        red_flag=red_flag,
        step1_attempts=step1_attempts,
        step1_score=np.where(step1_scored & (step1_attempts > 0), step1, -1),
        step2_attempts=step2_attempts,
        step2_score=np.where(step2_attempts > 0, step2, -1),
        comlex1_attempts=comlex1_attempts,
        comlex2_attempts=comlex2_attempts,
        comlex2_score=np.where(comlex2_attempts > 0, comlex2, -1),
        step3_attempts=step3_attempts,
        step3_passed=step3_passed,
        step3_score=np.where(step3_passed, step3, -1),
        failures=failures,
        ties=ties,
        tie_state=tie_state,
        tie_division=tie_division,
        home_institution=home_inst,
        plan=plan,
        pgy1_plan=pgy1_plan,
        pgy1_on_primary=pgy1_on_primary,
        applications=applications,
        interview_cap=interview_cap,
        withdrawn=wd,
        partner=np.full(n, -1, dtype=np.int64),
    )
    _form_couples(table, scale.couples, programs, rng)
    return table


def _ties_and_home(
    kind: np.ndarray, programs: ProgramTable, inst: Institutions, rng: np.random.Generator
) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """States each applicant has ties to, and seniors' home institutions."""
    n = len(kind)
    pop = np.array([s.population for s in STATES])
    pop = pop / pop.sum()
    hubs = np.array([_IMG_HUBS.get(s.code, 0.1) for s in STATES])
    hubs = hubs / hubs.sum()
    home = rng.choice(len(STATES), size=n, p=pop)
    other = rng.choice(len(STATES), size=n, p=pop)
    hub = rng.choice(len(STATES), size=n, p=hubs)
    hub2 = rng.choice(len(STATES), size=n, p=hubs)
    u = rng.random(n)
    v = rng.random(n)

    # Seniors' schools: MD schools sit in academic centres, DO schools less often have programs.
    with_programs = np.zeros(inst.n, dtype=bool)
    with_programs[programs.institution] = True
    by_state: dict[tuple[int, int], np.ndarray] = {}
    for t in (ACADEMIC, COMMUNITY):
        for s in range(len(STATES)):
            by_state[(t, s)] = np.flatnonzero(with_programs & (inst.kind == t) & (inst.state == s))
    home_inst = np.full(n, -1, dtype=np.int64)
    pick = rng.random(n)

    ties: list[tuple[int, ...]] = []
    for a in range(n):
        k = kind[a]
        if k in (MD, DO, PRIOR):
            school = int(home[a]) if u[a] < 0.7 else int(other[a])
            t = (int(home[a]), school)
            if k != PRIOR and v[a] < (0.88 if k == MD else 0.3):
                cands = by_state[(ACADEMIC if k == MD else COMMUNITY, school)]
                if len(cands):
                    home_inst[a] = cands[int(pick[a] * len(cands))]
        elif k == USIMG:
            t = (int(home[a]), int(hub[a])) if u[a] < 0.4 else (int(home[a]),)
        elif u[a] < 0.45:
            t = (int(hub[a]),)
        elif u[a] < 0.55:
            t = (int(hub[a]), int(hub2[a]))
        else:
            t = ()
        ties.append(tuple(dict.fromkeys(t)))
    return ties, home_inst


def available_fields(programs: ProgramTable) -> np.ndarray:
    """Fields with at least one program open to every applicant (reserved tracks excluded)."""
    ok = np.zeros(len(FIELDS), dtype=bool)
    ok[programs.field[~programs.is_reserved]] = True
    return ok


def fields_with_advanced(programs: ProgramTable) -> np.ndarray:
    """Fields that have advanced tracks in this market."""
    has = np.zeros(len(FIELDS), dtype=bool)
    has[programs.field[programs.is_advanced]] = True
    return has


def _plans(
    kind: np.ndarray, ability: np.ndarray, programs: ProgramTable, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First-choice, backup and third fields; who needs a one-year PGY-1 plan."""
    n = len(kind)
    fidx = field_index()
    avail = available_fields(programs)
    adv = fields_with_advanced(programs)
    prelim = fidx[PRELIM_FIELD]
    compet = np.array([f.competitiveness for f in FIELDS])
    demand = np.array([f.demand for f in FIELDS]).T * avail  # kind x field
    plan = np.full((n, 3), -1, dtype=np.int64)

    # First choice: the kind's demand tilted by ability towards competitive fields.
    logits = np.log(np.maximum(demand[kind], 1e-300)) + FIELD_SORTING * np.outer(ability, compet - 0.45)
    plan[:, 0] = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)

    backup_w = np.zeros((len(FIELDS), len(FIELDS)))
    for i, f in enumerate(FIELDS):
        for name, w in f.backups:
            backup_w[i, fidx[name]] = w
    backup_w *= avail
    p_backup = np.minimum(0.95, _BACKUP[kind] * (0.5 + compet[plan[:, 0]]) * np.exp(-0.3 * ability))
    has_backup = rng.random(n) < p_backup
    has_third = has_backup & (rng.random(n) < _THIRD[kind])
    g1 = rng.gumbel(size=(n, len(FIELDS)))
    g2 = rng.gumbel(size=(n, len(FIELDS)))
    for a in np.flatnonzero(has_backup):
        w = backup_w[plan[a, 0]].copy()
        w[plan[a, 0]] = 0
        if w.sum() == 0:
            continue
        plan[a, 1] = int(np.argmax(np.log(np.maximum(w, 1e-300)) + g1[a]))
        if has_third[a]:
            w3 = backup_w[plan[a, 0]] + backup_w[plan[a, 1]]
            w3[plan[a, :2]] = 0
            if w3.sum() > 0:
                plan[a, 2] = int(np.argmax(np.log(np.maximum(w3, 1e-300)) + g2[a]))

    pgy1_plan = np.zeros(n, dtype=bool)
    for j in range(3):
        f = plan[:, j]
        pgy1_plan |= (f >= 0) & adv[np.maximum(f, 0)]
    pgy1_plan &= avail[prelim]
    prelim_backup = (plan == prelim).any(axis=1)
    # Applicants who plan a PGY-1 year apply to one-year tracks under that plan;
    # a prelim backup then only puts those programs on the primary list as well.
    pgy1_on_primary = pgy1_plan & (prelim_backup | (rng.random(n) < 0.25))
    plan[pgy1_plan[:, None] & (plan == prelim)] = -1
    return plan, pgy1_plan, pgy1_on_primary


def _form_couples(
    table: ApplicantTable, n_couples: int, programs: ProgramTable, rng: np.random.Generator
) -> None:
    """Pair applicants into couples: mostly US seniors in fields that start at PGY-1.

    Partners share their ties: couples apply where they can train together.
    """
    fidx = field_index()
    adv = fields_with_advanced(programs)
    first = table.plan[:, 0]
    ok = ~table.withdrawn & ~table.pgy1_plan & ~adv[first] & (first != fidx[PRELIM_FIELD])
    weight = np.array([1.0, 0.6, 0.08, 0.03, 0.1])[table.kind] * ok
    if weight.sum() == 0:
        return
    m = min(2 * n_couples, int(np.count_nonzero(weight)) // 2 * 2)
    keys = np.log(np.maximum(weight, 1e-300)) + rng.gumbel(size=table.n)
    chosen = np.argsort(-keys, kind="stable")[:m]
    chosen = rng.permutation(chosen)
    for i in range(0, m, 2):
        a, b = int(chosen[i]), int(chosen[i + 1])
        table.partner[a], table.partner[b] = b, a
        shared = tuple(dict.fromkeys(table.ties[a] + table.ties[b]))
        for x in (a, b):
            table.ties[x] = shared
            for s in shared:
                table.tie_state[x, s] = True
                table.tie_division[x, DIVISIONS.index(STATES[s].division)] = True


def red_flag_of(code: int) -> RedFlag | None:
    """The red flag a stored code stands for."""
    return None if code < 0 else _RED_FLAGS[code]
