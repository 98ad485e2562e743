"""What applicants value in a SOAP position, and the least they will take.

An applicant's utility for a program adds up its fit with the specialty it
went for in the Main Match (or a primary-care fallback), whether the position
is a path to full training or one year only, ties to the program's state and
institution, the program's standing, and an idiosyncratic taste (seeded noise
per applicant and program). Its reservation value is what it would rather have
than a worse position: trying again next year, a research year. Both are in
the same units; an offer below reservation is declined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matchweek.agents import noise
from matchweek.agents.cohort import ADVANCED, FULL, KINDS, Cohort, row_blocks
from matchweek.model import ApplicantKind

PRIMARY_CARE: tuple[str, ...] = (
    "Internal Medicine",
    "Family Medicine",
    "Pediatrics",
    "Internal Medicine – Primary",
    "Pediatrics – Primary",
)
"""Specialties applicants fall back on in SOAP: the primary-care and broad categorical fields."""

_EULER = 0.5772156649015329


def _default_reservation() -> dict[ApplicantKind, float]:
    return {
        ApplicantKind.US_MD: 1.0,
        ApplicantKind.US_DO: 0.5,
        ApplicantKind.US_IMG: -1.0,
        ApplicantKind.NON_US_IMG: -1.5,
        ApplicantKind.PRIOR_GRAD: -1.0,
    }


@dataclass(frozen=True)
class ApplicantPreferences:
    """Weights of an applicant's utility for a position, and its reservation value (utility units)."""

    specialty_fit: float = 2.0
    """A program in the specialty it went for in the Main Match."""
    fallback_fit: float = 1.0
    """A program in one of ``fallback_specialties`` (when that is not its own)."""
    fallback_specialties: tuple[str, ...] = PRIMARY_CARE
    training_path: float = 1.5
    """A categorical or advanced position (a path to board eligibility) rather than one PGY-1 year."""
    state_tie: float = 1.0
    """The program is in a state it has ties to."""
    known_institution: float = 0.5
    """Its home institution, or one it interviewed at, hosts the program."""
    standing: float = 1.0
    """Per unit of the program's IMG share below the cohort's mean (the generator's programs of
    lower standing take more international graduates)."""
    taste: float = 1.0
    """Scale of the idiosyncratic taste per program (centred Gumbel noise)."""
    reservation: dict[ApplicantKind, float] = field(default_factory=_default_reservation)
    """Mean reservation value by applicant kind (kinds not listed: ``reservation_default``)."""
    reservation_default: float = 0.0
    reservation_spread: float = 1.0
    """Scale of the per-applicant spread around the mean (logistic noise)."""


def utilities(
    cohort: Cohort, preferences: ApplicantPreferences, seed: int, rows: npt.NDArray[np.intp] | None = None
) -> npt.NDArray[np.float32]:
    """Each applicant's utility for each program: shape ``(len(rows), programs)`` (all rows if None)."""
    if rows is None:
        rows = np.arange(cohort.n_applicants)
    spec = cohort.program_specialty
    main = cohort.main_specialty[rows]
    fallback = np.isin(spec, [cohort.specialty_index(s) for s in preferences.fallback_specialties])
    fallback &= spec >= 0
    own = (spec[None, :] == main[:, None]) & (main[:, None] >= 0)
    path = (cohort.program_kind == FULL) | (cohort.program_kind == ADVANCED)
    mean_share = float(cohort.img_share.mean()) if cohort.n_programs else 0.0
    base = preferences.training_path * path + preferences.standing * (mean_share - cohort.img_share)
    if preferences.taste:
        u = noise.gumbel_grid(seed, noise.Stream.TASTE, cohort.applicant_key[rows], cohort.program_key)
    else:
        u = np.zeros((len(rows), cohort.n_programs), dtype=np.float32)
    base32 = base.astype(np.float32)
    fallback_fit = np.float32(preferences.fallback_fit) * fallback
    for block in row_blocks(len(rows), cohort.n_programs):
        r = rows[block]
        b = u[block]
        if preferences.taste:
            b -= np.float32(_EULER)
            b *= np.float32(preferences.taste)
        b += base32
        own_b = own[block]
        b += np.float32(preferences.specialty_fit) * own_b
        b += np.where(own_b, np.float32(0.0), fallback_fit)
        b += np.float32(preferences.state_tie) * cohort.tie[r]
        b += np.float32(preferences.known_institution) * cohort.known[r]
    return u


def reservations(
    cohort: Cohort, preferences: ApplicantPreferences, seed: int, rows: npt.NDArray[np.intp] | None = None
) -> npt.NDArray[np.float64]:
    """Each applicant's reservation value: the kind's mean plus a seeded logistic spread."""
    if rows is None:
        rows = np.arange(cohort.n_applicants)
    means = np.array(
        [preferences.reservation.get(k, preferences.reservation_default) for k in KINDS]
        + [preferences.reservation_default]
    )
    kind = cohort.kind[rows].astype(np.intp)
    mean = means[np.where(kind >= 0, kind, len(KINDS))]
    u = noise.uniform(seed, noise.Stream.RESERVATION, cohort.applicant_key[rows])
    return mean + preferences.reservation_spread * np.log(u / (1.0 - u))
