"""``generate_market``: a calibrated synthetic Main Match market, deterministic per seed."""

from __future__ import annotations

import gc
from collections.abc import Callable

import numpy as np

from matchweek.model import (
    Applicant,
    Couple,
    Document,
    Exam,
    ExamResult,
    Market,
    Program,
    RankEntry,
    Visa,
)
from matchweek.synth.applicants import (
    MATCH_YEAR,
    ROLE_FIRST,
    ApplicantTable,
    build_applicants,
    red_flag_of,
)
from matchweek.synth.catalogue import FIELDS, KINDS, SPECIALTIES
from matchweek.synth.geography import STATES
from matchweek.synth.interviews import Applications, apply, interview
from matchweek.synth.programs import Institutions, ProgramTable, build_institutions, build_programs
from matchweek.synth.ranklists import RankLists, build_rank_lists
from matchweek.synth.scales import SCALES, Scale

Progress = Callable[[str, float], None]

SOAP_BASE = 2.0
SOAP_SHORT_LIST = 1.6
SOAP_ONE_YEAR = 0.8
SOAP_COMPETITIVE = 1.2
SOAP_TARGET_RATIO = 9.0
"""Ranked applicants per position below which a program expects to need SOAP."""

_AUTHORS = (
    "Adams", "Baker", "Bennett", "Brooks", "Campbell", "Carter", "Chen", "Clark", "Collins", "Cook",
    "Cooper", "Davis", "Diaz", "Edwards", "Evans", "Fischer", "Flores", "Foster", "Garcia", "Gomez",
    "Gonzalez", "Gray", "Green", "Hall", "Harris", "Hughes", "Iyer", "Jackson", "James", "Johnson",
    "Kelly", "Khan", "Kim", "King", "Lee", "Lewis", "Lopez", "Martin", "Martinez", "Miller",
    "Mitchell", "Moore", "Morgan", "Murphy", "Nguyen", "Okafor", "Patel", "Perez", "Phillips", "Price",
    "Ramirez", "Reed", "Reyes", "Rivera", "Roberts", "Robinson", "Rogers", "Ross", "Sanchez", "Shah",
    "Singh", "Smith", "Stewart", "Sullivan", "Taylor", "Thomas", "Thompson", "Torres", "Turner", "Walker",
    "Wang", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young", "Zhang",
)  # fmt: skip


def generate_market(scale: str, seed: int, progress: Progress | None = None) -> Market:
    """A synthetic Main Match market of the given scale, the same for the same (scale, seed).

    ``scale`` is one of ``SCALES`` ("small", "state", "national"); anything else
    raises ValueError. The market holds programs with certified rank lists,
    applicants with profiles and rank order lists (with supplemental lists for
    advanced programs), and couples; every rank list comes from a simulated
    interview season, so only interviewed pairs rank each other. ``progress``,
    if given, is called with a stage name and the fraction of work done (0..1).
    """
    if scale not in SCALES:
        raise ValueError(f'scale "{scale}" is not one of {", ".join(SCALES)}')
    # Building a million small immutable objects triggers the cyclic collector
    # over and over, tripling the run time; nothing built here forms a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _generate(SCALES[scale], seed, progress)
    finally:
        if collecting:
            gc.enable()


def _generate(spec: Scale, seed: int, progress: Progress | None) -> Market:
    report = progress or (lambda stage, fraction: None)
    stage_rngs = np.random.default_rng(seed).spawn(6)

    report("institutions and programs", 0.0)
    inst = build_institutions(spec, stage_rngs[0])
    programs = build_programs(spec, inst, stage_rngs[0])
    report("applicants", 0.02)
    apps = build_applicants(spec, programs, inst, stage_rngs[1])
    report("applications", 0.10)
    applications = apply(apps, programs, stage_rngs[2])
    report("interviews", 0.40)
    interviews = applications.take(interview(apps, programs, applications))
    report("rank lists", 0.55)
    lists = build_rank_lists(apps, programs, interviews, stage_rngs[3])
    report("programs", 0.65)
    soap = _soap_opt_in(programs, lists, stage_rngs[4])
    ids = [applicant_id(i) for i in range(apps.n)]
    program_objs = _programs(programs, inst, lists, soap, ids)
    report("applicant profiles", 0.70)
    applicant_objs = _applicants(apps, programs, inst, applications, lists, ids, stage_rngs[5])
    couples = tuple(
        Couple(
            members=(ids[a], ids[b]),
            rank_list=tuple(
                (programs.code[p] if p >= 0 else None, programs.code[q] if q >= 0 else None) for p, q in pairs
            ),
        )
        for a, b, pairs in lists.couples
    )
    report("done", 1.0)
    return Market(programs=program_objs, applicants=applicant_objs, couples=couples)


def applicant_id(index: int) -> str:
    """The id of the applicant at ``index`` (0-based): A00001, A00002, ..."""
    return f"A{index + 1:05d}"


def _soap_opt_in(programs: ProgramTable, lists: RankLists, rng: np.random.Generator) -> np.ndarray:
    """Which programs opt in to SOAP: most of those likely to have open positions.

    Programs decide before the Match; short rank lists for their size, one-year
    tracks and less competitive fields make them expect open positions.
    """
    ranked = np.array([len(r) for r in lists.programs], dtype=np.float64)
    ratio = ranked / np.maximum(programs.positions, 1)
    compet = np.array([FIELDS[f].competitiveness for f in programs.field])
    logit = (
        SOAP_BASE
        + SOAP_SHORT_LIST * np.clip(np.log(SOAP_TARGET_RATIO / np.maximum(ratio, 0.5)), -1.5, 3.0)
        + SOAP_ONE_YEAR * programs.is_pgy1_only
        - SOAP_COMPETITIVE * compet
    )
    return rng.random(programs.n) < 1.0 / (1.0 + np.exp(-logit))


def _programs(
    programs: ProgramTable, inst: Institutions, lists: RankLists, soap: np.ndarray, ids: list[str]
) -> tuple[Program, ...]:
    """Program records with their certified rank lists."""
    visas = {
        (False, False): (),
        (True, False): (Visa.J1,),
        (True, True): (Visa.J1, Visa.H1B),
        (False, True): (Visa.H1B,),
    }
    out = []
    for p in range(programs.n):
        rv = int(programs.reverts_to[p])
        out.append(
            Program(
                code=programs.code[p],
                track=programs.track[p],
                positions=int(programs.positions[p]),
                rank_list=tuple([ids[a] for a in lists.programs[p].tolist()]),
                name=programs.name[p],
                institution=inst.code[int(programs.institution[p])],
                specialty=SPECIALTIES[programs.specialty[p]].name,
                state=STATES[int(programs.state[p])].code,
                visa=visas[(bool(programs.j1[p]), bool(programs.h1b[p]))],
                reverts_to=programs.code[rv] if rv >= 0 else None,
                soap=bool(soap[p]),
                img_share=float(programs.img_share[p]),
            )
        )
    return tuple(out)


def _applicants(
    apps: ApplicantTable,
    programs: ProgramTable,
    inst: Institutions,
    applications: Applications,
    lists: RankLists,
    ids: list[str],
    rng: np.random.Generator,
) -> tuple[Applicant, ...]:
    """Applicant records: profile, documents for each specialty applied to, and rank lists."""
    codes = programs.code
    plain = [RankEntry(c) for c in codes]
    spec_names = sorted({s.name for s in SPECIALTIES})
    name_idx = {n: i for i, n in enumerate(spec_names)}
    prog_name = np.array([name_idx[SPECIALTIES[s].name] for s in programs.specialty])
    n_names = len(spec_names)

    # Specialties each applicant applied to; first-choice ones get more letters.
    key = applications.applicant.astype(np.int64) * n_names + prog_name[applications.program]
    uniq = np.unique(key)
    is_first = np.zeros(len(uniq), dtype=bool)
    is_first[np.searchsorted(uniq, key[applications.role == ROLE_FIRST])] = True
    owner = uniq // n_names
    bounds = np.searchsorted(owner, np.arange(apps.n + 1)).tolist()
    spec_of = (uniq % n_names).tolist()
    letters_n = np.where(is_first, rng.integers(3, 5, len(uniq)), rng.integers(1, 3, len(uniq))).tolist()
    authors = [
        [f"Dr. {_AUTHORS[i]}" for i in row] for row in rng.integers(0, len(_AUTHORS), (len(uniq), 4)).tolist()
    ]
    # Applicants who withdrew before applying still wrote for their first-choice field.
    field_spec = [name_idx[_field_specialty(f)] for f in range(len(FIELDS))]
    first_field = apps.plan[:, 0].tolist()
    own_authors = rng.integers(0, len(_AUTHORS), (apps.n, 4)).tolist()

    flags = [None if c < 0 else (red_flag_of(c),) for c in range(-1, 4)]
    visa_of = (None, Visa.J1, Visa.H1B)
    state_codes = [s.code for s in STATES]
    kind = [KINDS[k] for k in apps.kind.tolist()]
    grad = apps.graduation_year.tolist()
    visa = apps.visa.tolist()
    verified = apps.verified.tolist()
    july_1 = apps.july_1.tolist()
    usce = apps.us_clinical_months.tolist()
    red = apps.red_flag.tolist()
    home = apps.home_institution.tolist()
    exams = _exams(apps)

    out: list[Applicant] = []
    for a in range(apps.n):
        aid = ids[a]
        lo, hi = bounds[a], bounds[a + 1]
        if lo == hi:
            specs = [(field_spec[first_field[a]], 4, [f"Dr. {_AUTHORS[i]}" for i in own_authors[a]])]
        else:
            specs = [(spec_of[i], letters_n[i], authors[i]) for i in range(lo, hi)]
        statements = []
        letters = []
        for s, k, auth in specs:
            sname = spec_names[s]
            statements.append(Document(f"{aid}-PS{len(statements) + 1}", sname))
            for j in range(k):
                letters.append(Document(f"{aid}-L{len(letters) + 1}", sname, auth[j]))
        h = home[a]
        out.append(
            Applicant(
                id=aid,
                kind=kind[a],
                rank_list=tuple(
                    [plain[p] if s is None else RankEntry(codes[p], s) for p, s in lists.primary[a]]
                ),
                supplemental_lists={
                    name: tuple([codes[p] for p in progs]) for name, progs in lists.supplemental[a].items()
                },
                graduation_year=grad[a],
                visa_need=visa_of[visa[a]],
                verified=verified[a],
                can_start_july_1=july_1[a],
                us_clinical_months=usce[a],
                exams=exams[a],
                personal_statements=tuple(statements),
                letters=tuple(letters),
                ties=tuple([state_codes[s] for s in apps.ties[a]]),
                red_flags=flags[red[a] + 1] or (),
                home_institution=inst.code[h] if h >= 0 else None,
            )
        )
    return tuple(out)


def _field_specialty(field: int) -> str:
    """The specialty name of a field's first track in the catalogue."""
    name = FIELDS[field].name
    for s in SPECIALTIES:
        if s.field == name:
            return s.name
    return name


def _exams(apps: ApplicantTable) -> list[tuple[ExamResult, ...]]:
    """Every applicant's licensing exams, in the order they are taken."""
    s1a, s1s = apps.step1_attempts.tolist(), apps.step1_score.tolist()
    c1a = apps.comlex1_attempts.tolist()
    s2a, s2s = apps.step2_attempts.tolist(), apps.step2_score.tolist()
    c2a, c2s = apps.comlex2_attempts.tolist(), apps.comlex2_score.tolist()
    s3a, s3p, s3s = apps.step3_attempts.tolist(), apps.step3_passed.tolist(), apps.step3_score.tolist()
    out: list[tuple[ExamResult, ...]] = []
    for a in range(apps.n):
        e = []
        if s1a[a]:
            e.append(ExamResult(Exam.USMLE_STEP1, True, s1a[a], s1s[a] if s1s[a] >= 0 else None))
        if c1a[a]:
            e.append(ExamResult(Exam.COMLEX_LEVEL1, True, c1a[a]))
        if s2a[a]:
            e.append(ExamResult(Exam.USMLE_STEP2_CK, True, s2a[a], s2s[a]))
        if c2a[a]:
            e.append(ExamResult(Exam.COMLEX_LEVEL2_CE, True, c2a[a], c2s[a]))
        if s3a[a]:
            e.append(ExamResult(Exam.USMLE_STEP3, s3p[a], s3a[a], s3s[a] if s3p[a] else None))
        out.append(tuple(e))
    return out


__all__ = ["MATCH_YEAR", "generate_market"]
