"""Institutions and their program tracks, as arrays.

Institutions are academic centres, community hospitals or family medicine
centres, placed in states by population weighted by graduate medical education.
Each specialty's programs go to distinct institutions drawn by affinity (surgical
subspecialties and advanced tracks sit in academic centres, family medicine in
community settings) and size. Program attributes that drive the market are drawn
here: reputation, location appeal, share of international graduates, visa
sponsorship, the exam failures a program tolerates and its interview capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matchweek.model import Track
from matchweek.synth.catalogue import FIELDS, FM, FMPSYCH, SPECIALTIES, field_index
from matchweek.synth.geography import DIVISIONS, STATES
from matchweek.synth.scales import Scale

ACADEMIC, COMMUNITY, FM_CENTRE = 0, 1, 2
INSTITUTION_TYPE_SHARES = (0.18, 0.52, 0.30)

_ACADEMIC_SUFFIXES = (
    "University Hospital",
    "University Medical Center",
    "Academic Medical Center",
    "University Health",
    "School of Medicine",
    "University Hospitals",
)
_COMMUNITY_SUFFIXES = (
    "Medical Center",
    "General Hospital",
    "Regional Medical Center",
    "Memorial Hospital",
    "Community Hospital",
    "Health System",
    "Hospital Center",
)
_PATRONS = (
    "St. Mary's",
    "St. Luke's",
    "St. Joseph's",
    "St. Vincent's",
    "Mercy",
    "Good Samaritan",
    "Baptist",
    "Methodist",
    "Presbyterian",
    "Providence",
    "Sinai",
    "Lutheran",
    "Christ",
    "Holy Cross",
)
_FM_SUFFIXES = (
    "Family Medicine Center",
    "Community Health Center",
    "Family Health Center",
    "Rural Health Network",
)
_QUARTERS = (
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Valley",
    "Lakeside",
    "Riverside",
    "Highland",
    "Bayside",
)

_FM_FIELDS = frozenset({FM, FMPSYCH})

INTERVIEW_RATIO = (14.0, 18.0)
"""Interview slots a program offers per position (uniform range)."""
IMG_INTERVIEW_EXTRA = 0.8
"""Extra interview slots, relative, per unit of a program's IMG share."""
USMLE_REQUIRED_BASE = 0.1
"""Share of the least competitive programs that consider only applicants with USMLE scores."""
YEARS_CUTOFF_SHARE = 0.6
"""Share of programs (at an IMG share of 0.2) that interview only recent graduates (3 or 5 years)."""
NO_CUTOFF = 99
"""``max_years`` of a program that takes graduates of any year."""


@dataclass(frozen=True, slots=True)
class Institutions:
    """Institutions as parallel arrays: code, name, state index, type, academic standing, size, urbanity."""

    code: list[str]
    name: list[str]
    state: np.ndarray
    kind: np.ndarray
    academic: np.ndarray
    size: np.ndarray
    urban: np.ndarray

    @property
    def n(self) -> int:
        return len(self.code)


@dataclass(frozen=True, slots=True)
class ProgramTable:
    """Program tracks as parallel arrays (index = program number).

    ``specialty`` and ``field`` index ``SPECIALTIES`` and ``FIELDS``;
    ``reverts_to`` is a program index or -1; ``j1``/``h1b`` are sponsorship flags.
    The hard filters a program screens applications with are the visas it
    sponsors, ``max_failures`` (failed exam attempts tolerated), ``max_years``
    (years since graduation) and ``requires_usmle``; they shape who applies and
    who is interviewed, and are not part of the published ``Program``.
    """

    code: list[str]
    name: list[str]
    specialty: np.ndarray
    field: np.ndarray
    track: list[Track]
    institution: np.ndarray
    state: np.ndarray
    division: np.ndarray
    positions: np.ndarray
    reputation: np.ndarray
    appeal: np.ndarray
    img_share: np.ndarray
    j1: np.ndarray
    h1b: np.ndarray
    max_failures: np.ndarray
    max_years: np.ndarray
    requires_usmle: np.ndarray
    interview_capacity: np.ndarray
    reverts_to: np.ndarray
    is_advanced: np.ndarray
    is_pgy1_only: np.ndarray
    is_reserved: np.ndarray

    @property
    def n(self) -> int:
        return len(self.code)


def state_weights() -> np.ndarray:
    """Share of residency training by state: population times GME density."""
    w = np.array([s.population * s.gme for s in STATES])
    return w / w.sum()


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def build_institutions(scale: Scale, rng: np.random.Generator) -> Institutions:
    """Draw ``scale.institutions`` institutions with unique 4-digit codes and unique names."""
    n = scale.institutions
    kind = rng.choice(3, size=n, p=INSTITUTION_TYPE_SHARES)
    # Every market needs at least one academic centre and one community hospital.
    kind[0], kind[1] = ACADEMIC, COMMUNITY
    state = rng.choice(len(STATES), size=n, p=state_weights())
    academic = np.where(kind == ACADEMIC, 1.0, np.where(kind == COMMUNITY, -0.3, -0.8))
    academic = academic + rng.normal(0.0, 0.45, n)
    size = rng.lognormal(0.0, 0.6, n) * np.where(kind == ACADEMIC, 3.0, np.where(kind == COMMUNITY, 1.0, 0.5))
    urban = np.where(
        kind == ACADEMIC, 1.0, np.where(kind == COMMUNITY, rng.uniform(0, 1, n), rng.uniform(0, 0.4, n))
    )
    codes = [str(c) for c in rng.choice(np.arange(1000, 10000), size=n, replace=False)]
    names = _institution_names(kind, state, rng)
    return Institutions(codes, names, state, kind, academic, size, urban)


def _institution_names(kind: np.ndarray, state: np.ndarray, rng: np.random.Generator) -> list[str]:
    used: set[str] = set()
    names: list[str] = []
    draws = rng.integers(0, 1 << 30, size=(len(kind), 4))
    for i, (k, s) in enumerate(zip(kind.tolist(), state.tolist(), strict=True)):
        cities = STATES[s].cities
        d = draws[i]
        city = cities[d[0] % len(cities)]
        if k == ACADEMIC:
            candidates = [f"{city} {sfx}" for sfx in _ACADEMIC_SUFFIXES]
        elif k == COMMUNITY:
            candidates = [f"{city} {sfx}" for sfx in _COMMUNITY_SUFFIXES]
            candidates += [f"{p} {city}" for p in _PATRONS]
        else:
            candidates = [f"{city} {sfx}" for sfx in _FM_SUFFIXES]
        start = int(d[1] % len(candidates))
        name = None
        for j in range(len(candidates)):
            c = candidates[(start + j) % len(candidates)]
            if c not in used:
                name = c
                break
        q = int(d[2])
        while name is None or name in used:
            # Crowded cities get a quarter in the name, then a number.
            base = candidates[start]
            quarter = _QUARTERS[q % len(_QUARTERS)]
            name = f"{base} {quarter}" if q < len(_QUARTERS) * 4 else f"{base} {q}"
            q += 1
        used.add(name)
        names.append(name)
    return names


def _allocate(counts: np.ndarray, total: int) -> np.ndarray:
    """Largest-remainder rounding of ``counts`` (scaled shares) to integers summing to ``total``."""
    floor = np.floor(counts).astype(np.int64)
    short = total - int(floor.sum())
    if short > 0:
        # Stable order on ties keeps the allocation deterministic.
        order = np.argsort(-(counts - floor), kind="stable")
        floor[order[:short]] += 1
    return floor


def specialty_counts(scale: Scale) -> tuple[np.ndarray, np.ndarray]:
    """Programs and positions per specialty at ``scale`` (national: exactly the catalogue's)."""
    programs = np.array([s.programs for s in SPECIALTIES], dtype=np.float64)
    positions = np.array([s.positions for s in SPECIALTIES], dtype=np.float64)
    n_prog = _allocate(programs * scale.factor, scale.programs)
    if scale.factor == 1.0:
        return n_prog, positions.astype(np.int64)
    n_pos = np.maximum(n_prog, np.rint(n_prog * positions / programs)).astype(np.int64)
    return n_prog, n_pos


def _pick_institutions(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` institutions by weight, distinct while there are enough (Gumbel top-k)."""
    logw = np.log(np.maximum(weights, 1e-12))
    picks: list[np.ndarray] = []
    left = n
    while left > 0:
        k = min(left, len(weights))
        keys = logw + rng.gumbel(size=len(weights))
        picks.append(np.argsort(-keys, kind="stable")[:k])
        left -= k
    return np.concatenate(picks)


def _spread_positions(total: int, n: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` positions over ``n`` programs, at least one each, larger where weight is larger."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    p = weights * rng.lognormal(0.0, 0.45, n)
    return 1 + rng.multinomial(total - n, p / p.sum())


def build_programs(scale: Scale, inst: Institutions, rng: np.random.Generator) -> ProgramTable:
    """Place every specialty's programs in institutions and draw their attributes."""
    fidx = field_index()
    n_prog, n_pos = specialty_counts(scale)
    spec_l: list[np.ndarray] = []
    inst_l: list[np.ndarray] = []
    pos_l: list[np.ndarray] = []
    for si, spec in enumerate(SPECIALTIES):
        n = int(n_prog[si])
        if n == 0:
            continue
        a = FIELDS[fidx[spec.field]].academic
        if spec.field in _FM_FIELDS:
            affinity = np.array([0.3, 1.0, 3.0])[inst.kind]
        elif spec.track.is_pgy1_only or spec.track is Track.RESERVED:
            affinity = np.array([1.0, 1.2, 0.05])[inst.kind]
        else:
            affinity = np.array([0.2 + 3.0 * a, 1.2 - a, 0.02])[inst.kind]
        at = _pick_institutions(affinity * inst.size**0.7, n, rng)
        spec_l.append(np.full(n, si))
        inst_l.append(at)
        pos_l.append(_spread_positions(int(n_pos[si]), n, inst.size[at] ** 0.4, rng))
    specialty = np.concatenate(spec_l)
    institution = np.concatenate(inst_l)
    positions = np.concatenate(pos_l).astype(np.int64)
    n = len(specialty)

    field = np.array([fidx[SPECIALTIES[s].field] for s in specialty])
    track = [SPECIALTIES[s].track for s in specialty]
    state = inst.state[institution]
    div_of_state = np.array([DIVISIONS.index(s.division) for s in STATES])
    division = div_of_state[state]
    appeal_state = np.array([s.appeal for s in STATES])

    reputation = 0.8 * inst.academic[institution] + 0.6 * rng.normal(size=n)
    for si in np.unique(specialty):
        m = specialty == si
        r = reputation[m]
        reputation[m] = (r - r.mean()) / (r.std() + 1e-9) if m.sum() > 1 else 0.0
    appeal = appeal_state[state] + 0.3 * inst.urban[institution] + rng.normal(0.0, 0.25, n)

    img_share = np.empty(n)
    spread = rng.normal(size=n)
    for si in np.unique(specialty):
        m = specialty == si
        target = SPECIALTIES[si].img_share
        sigma = 1.4 if target > 0.2 else 0.9
        z = -0.9 * reputation[m] + sigma * spread[m]
        img_share[m] = _sigmoid(_calibrated_intercept(z, target) + z)
    img_mean = np.array([SPECIALTIES[s].img_share for s in specialty])
    j1_base = np.array([SPECIALTIES[s].j1 for s in specialty])
    h1b_base = np.array([SPECIALTIES[s].h1b for s in specialty])
    j1 = rng.random(n) < _sigmoid(_logit(j1_base) + 3.0 * (img_share - img_mean))
    h1b_given_j1 = _sigmoid(_logit(h1b_base / j1_base) + 2.0 * (img_share - img_mean) + 0.3 * reputation)
    h1b = j1 & (rng.random(n) < h1b_given_j1)

    compet = np.array([FIELDS[f].competitiveness for f in field])
    u = rng.random(n)
    max_failures = np.where(
        (compet >= 0.75) | ((reputation > 1.0) & (u < 0.5)),
        0,
        np.where((img_share > 0.5) & (u < 0.5), 2, 1),
    )
    # Cut-offs on years since graduation: common in community programs, rare in the most IMG-friendly.
    u = rng.random(n)
    strict = np.clip(YEARS_CUTOFF_SHARE * (1.2 - img_share), 0.0, 0.95)
    max_years = np.where(
        u < strict * 0.4, 3, np.where(u < strict, 5, np.where(u < strict + 0.15, 10, NO_CUTOFF))
    )
    # Osteopathic graduates without USMLE scores are shut out of many academic and competitive programs.
    requires_usmle = rng.random(n) < np.clip(
        USMLE_REQUIRED_BASE + 0.5 * compet + 0.2 * (reputation > 0.5), 0, 1
    )
    # Programs that train many international graduates interview more per position.
    ratio = rng.uniform(*INTERVIEW_RATIO, n) * (1.0 + IMG_INTERVIEW_EXTRA * img_share)
    interview_capacity = np.ceil(positions * ratio).astype(np.int64)

    codes, names = _codes_and_names(specialty, institution, inst)
    is_adv = np.array([t is Track.ADVANCED for t in track])
    is_p1o = np.array([t.is_pgy1_only for t in track])
    is_res = np.array([t is Track.RESERVED for t in track])
    order = np.argsort(np.array(codes), kind="stable")
    table = ProgramTable(
        code=[codes[i] for i in order],
        name=[names[i] for i in order],
        specialty=specialty[order],
        field=field[order],
        track=[track[i] for i in order],
        institution=institution[order],
        state=state[order],
        division=division[order],
        positions=positions[order],
        reputation=reputation[order],
        appeal=appeal[order],
        img_share=np.round(img_share[order], 3),
        j1=j1[order],
        h1b=h1b[order],
        max_failures=max_failures[order],
        max_years=max_years[order],
        requires_usmle=requires_usmle[order],
        interview_capacity=interview_capacity[order],
        reverts_to=np.full(n, -1, dtype=np.int64),
        is_advanced=is_adv[order],
        is_pgy1_only=is_p1o[order],
        is_reserved=is_res[order],
    )
    _draw_reversions(table, rng)
    return table


def _calibrated_intercept(z: np.ndarray, target: float) -> float:
    """Intercept c with mean(sigmoid(c + z)) == target (bisection)."""
    lo, hi = -12.0, 12.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if _sigmoid(mid + z).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _codes_and_names(
    specialty: np.ndarray, institution: np.ndarray, inst: Institutions
) -> tuple[list[str], list[str]]:
    """NRMP-style codes (institution + specialty code + track letter + digit) and display names."""
    seen: dict[tuple[int, str, str], int] = {}
    codes: list[str] = []
    names: list[str] = []
    for s, i in zip(specialty.tolist(), institution.tolist(), strict=True):
        spec = SPECIALTIES[s]
        key = (i, spec.code, spec.letter)
        digit = seen.get(key, 0)
        seen[key] = digit + 1
        codes.append(f"{inst.code[i]}{spec.code}{spec.letter}{digit}")
        suffix = f" {digit + 1}" if digit else ""
        names.append(f"{inst.name[i]} {spec.label}{suffix}")
    return codes, names


REVERSION_SHARE = 0.3
"""Share of one-year, primary, advanced and physician tracks whose unfilled positions revert to a sibling."""


def _draw_reversions(table: ProgramTable, rng: np.random.Generator) -> None:
    """Point some tracks at their institution's categorical track of the same specialty code.

    Only non-categorical-letter tracks revert and only to a "C" track, which never
    reverts itself, so reversion chains have length one and cannot cycle.
    """
    target: dict[tuple[int, str], int] = {}
    for p in range(table.n):
        spec = SPECIALTIES[table.specialty[p]]
        if spec.letter == "C":
            target.setdefault((int(table.institution[p]), spec.code), p)
    u = rng.random(table.n)
    for p in range(table.n):
        spec = SPECIALTIES[table.specialty[p]]
        if spec.letter == "C" or u[p] >= REVERSION_SHARE:
            continue
        t = target.get((int(table.institution[p]), spec.code))
        if t is not None:
            table.reverts_to[p] = t
