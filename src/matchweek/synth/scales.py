"""Market sizes the generator offers: one national market and smaller ones in the same proportions."""

from __future__ import annotations

from dataclasses import dataclass

NATIONAL_APPLICANTS = 52_500
NATIONAL_PROGRAMS = 6_626
NATIONAL_INSTITUTIONS = 1_250
NATIONAL_COUPLES = 1_100


@dataclass(frozen=True, slots=True)
class Scale:
    """A market size: the share of the national market and the counts it targets.

    Counts are targets: applicants, tracks and couples are drawn to these
    numbers, positions follow from each specialty's mean program size, and the
    number of applicants who certify a rank list comes out of the interviews.
    """

    name: str
    factor: float
    applicants: int
    programs: int
    institutions: int
    couples: int


def _scale(name: str, factor: float) -> Scale:
    return Scale(
        name=name,
        factor=factor,
        applicants=round(NATIONAL_APPLICANTS * factor),
        programs=round(NATIONAL_PROGRAMS * factor),
        institutions=max(6, round(NATIONAL_INSTITUTIONS * factor)),
        couples=max(3, round(NATIONAL_COUPLES * factor)),
    )


SCALES: dict[str, Scale] = {
    "small": _scale("small", 0.01),
    "state": _scale("state", 0.08),
    "national": _scale("national", 1.0),
}
"""The scales ``generate_market`` accepts, smallest first."""
