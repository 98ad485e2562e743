"""Programs: one track of a residency program, as the Match sees it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Track(StrEnum):
    """Track type of a program; every track but ``advanced`` starts at PGY-1."""

    CATEGORICAL = "categorical"
    PRELIMINARY = "preliminary"
    TRANSITIONAL = "transitional"
    ADVANCED = "advanced"
    RESERVED = "reserved"

    @property
    def is_pgy1(self) -> bool:
        """True for tracks that start at PGY-1 (all but advanced)."""
        return self is not Track.ADVANCED

    @property
    def is_pgy1_only(self) -> bool:
        """True for one-year PGY-1 tracks (preliminary, transitional)."""
        return self in (Track.PRELIMINARY, Track.TRANSITIONAL)


class Visa(StrEnum):
    """Visa types a program may sponsor or an applicant may need."""

    J1 = "J-1"
    H1B = "H-1B"


@dataclass(frozen=True, slots=True)
class Program:
    """One program track with its quota and its certified rank list of applicants.

    ``rank_list`` holds applicant ids, most preferred first. ``reverts_to`` names
    the track that receives this track's unfilled positions during the Match.
    ``soap`` says whether the program opted in to SOAP; ``img_share`` is the
    share of international graduates in its recent classes (0..1), if known.
    """

    code: str
    track: Track
    positions: int
    rank_list: tuple[str, ...] = ()
    name: str | None = None
    institution: str | None = None
    specialty: str | None = None
    state: str | None = None
    visa: tuple[Visa, ...] = ()
    reverts_to: str | None = None
    soap: bool | None = None
    img_share: float | None = None

    def sponsors(self, visa: Visa | None) -> bool:
        """Whether an applicant needing ``visa`` (None: no visa) can train here."""
        return visa is None or visa in self.visa
