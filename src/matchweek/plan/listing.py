"""The List of Unfilled Programs as the planner reads it: each program with what applicants can know.

Per program: code, track, open positions, name, institution, specialty, state,
visa sponsorship, the share of international graduates in recent classes, its
Main Match quota and its usual clinical-knowledge score (Step 2 CK scale; the
mean over the applicants its Main Match rank list named). For the list as a
whole: the year of the Match (seniors graduate in it) and how many applications
an open position draws on average, the market's level of competition.

Built from a market and its Main Match result (the programs SOAP would open),
or read from a CSV file or workbook (``matchweek.listing/1``) for a list from elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from matchweek.errors import Fault, FormatError
from matchweek.formats.faultlog import quote
from matchweek.formats.jsonvalues import enum_values
from matchweek.formats.tables import Cell, Column, Table
from matchweek.model import Holding, Market, MatchResult, Policy, SoapStatus, Track, Visa
from matchweek.plan.scores import clinical_score
from matchweek.plan.sheets import in_row_order, read_table, write_table
from matchweek.soap import StartSoap, soap_universe

LISTING_FORMAT = "matchweek.listing/1"


@dataclass(frozen=True, slots=True)
class ListedProgram:
    """One program on the list, with the facts an applicant can know about it."""

    code: str
    track: Track
    open: int
    """Positions open in SOAP."""
    name: str | None = None
    institution: str | None = None
    specialty: str | None = None
    state: str | None = None
    visa: tuple[Visa, ...] = ()
    img_share: float | None = None
    """Share of international graduates in recent classes (0..1), if known."""
    positions: int | None = None
    """Its whole Main Match quota, if known."""
    usual_score: float | None = None
    """The usual clinical-knowledge score of the applicants it considers (Step 2 CK scale), if known."""


@dataclass(frozen=True, eq=False)
class Listing:
    """The programs an applicant may plan over, and the market they sit in."""

    programs: tuple[ListedProgram, ...]
    match_year: int
    applications_per_position: float | None = None
    """Expected SOAP applications per open position across the list (None: unknown)."""

    @cached_property
    def index(self) -> Mapping[str, int]:
        """Position of each program code in ``programs``."""
        return {p.code: i for i, p in enumerate(self.programs)}

    def program(self, code: str) -> ListedProgram | None:
        """The program with ``code``, or None."""
        i = self.index.get(code)
        return None if i is None else self.programs[i]

    @property
    def open_positions(self) -> int:
        return sum(p.open for p in self.programs)


def listing_of(market: Market, match_result: MatchResult, policy: Policy | None = None) -> Listing:
    """The list SOAP opens after ``match_result``: its participating programs with open positions."""
    policy = policy or Policy()
    return listing_from_start(market, soap_universe(market, match_result, policy), policy)


def listing_from_start(market: Market, start: StartSoap, policy: Policy | None = None) -> Listing:
    """The list of the programs ``start`` opens SOAP with, their facts read from ``market``.

    The expected applications per open position assume every eligible entrant
    sends its whole cap (``policy.max_applications``) or, seeing fewer programs it
    could train at, one application to each of them.
    """
    policy = policy or Policy()
    by_code = market.program_index()
    scores = {a.id: clinical_score(a.exams) for a in market.applicants}
    programs: list[ListedProgram] = []
    for sp in start.programs:
        p = by_code.get(sp.code)
        usual: float | None = None
        if p is not None and p.rank_list:
            known = [s for who in p.rank_list if (s := scores.get(who)) is not None]
            usual = round(sum(known) / len(known), 1) if known else None
        programs.append(
            ListedProgram(
                code=sp.code,
                track=sp.track,
                open=sp.open,
                name=sp.name if sp.name is not None else (p.name if p is not None else None),
                institution=p.institution if p is not None else None,
                specialty=sp.specialty,
                state=sp.state,
                visa=sp.visa,
                img_share=p.img_share if p is not None else None,
                positions=p.positions if p is not None else None,
                usual_score=usual,
            )
        )
    years = [a.graduation_year for a in market.applicants if a.graduation_year is not None]
    match_year = max(years) if years else 0
    visa_of = {a.id: a.visa_need for a in market.applicants}
    open_total = sum(p.open for p in programs)
    expected = 0
    # Entrants fall in few classes (what they may see, the visa they need): count each class once.
    classes: dict[tuple[frozenset[Track], Visa | None], int] = {}
    for e in start.applicants:
        if not (e.verified and e.can_start_july_1):
            continue
        tracks = _visible_tracks(e.status, e.holds)
        key = (tracks, visa_of.get(e.id))
        n = classes.get(key)
        if n is None:
            n = classes[key] = sum(
                1 for p in programs if p.track in tracks and (key[1] is None or key[1] in p.visa)
            )
        expected += min(policy.max_applications, n)
    per_position = expected / open_total if open_total else None
    return Listing(tuple(programs), match_year, per_position)


def _visible_tracks(status: SoapStatus, holds: Holding | None) -> frozenset[Track]:
    if status is SoapStatus.PARTIALLY_MATCHED and holds is Holding.ADVANCED:
        return frozenset({Track.PRELIMINARY, Track.TRANSITIONAL})
    if status is SoapStatus.PARTIALLY_MATCHED and holds is Holding.PGY1:
        return frozenset({Track.ADVANCED})
    return frozenset(Track)


# ---------------------------------------------------------------------------------------------
# the CSV form

LISTING_TABLE = Table(
    "listing",
    (
        Column("code", required=True),
        Column("track", required=True),
        Column("open", "int", required=True),
        Column("name"),
        Column("institution"),
        Column("specialty"),
        Column("state"),
        Column("j1", "bool"),
        Column("h1b", "bool"),
        Column("img_share", "float"),
        Column("positions", "int"),
        Column("usual_score", "float"),
    ),
    required=True,
)
"""Columns of a listing CSV file; ``j1``/``h1b`` blank means the program does not sponsor it."""


def listing_rows(listing: Listing) -> list[tuple[Cell, ...]]:
    """The rows of ``listing`` in the columns of ``LISTING_TABLE``."""
    return [
        (
            p.code,
            p.track.value,
            p.open,
            p.name,
            p.institution,
            p.specialty,
            p.state,
            Visa.J1 in p.visa,
            Visa.H1B in p.visa,
            p.img_share,
            p.positions,
            p.usual_score,
        )
        for p in listing.programs
    ]


def write_listing(listing: Listing, path: str | Path) -> None:
    """Write ``listing``'s programs as CSV, or as a workbook for ``.xlsx`` (list-level figures are
    not part of the file: give them when reading it back)."""
    write_table(path, LISTING_TABLE, listing_rows(listing))


def read_listing(
    path: str | Path, *, match_year: int, applications_per_position: float | None = None
) -> Listing:
    """A listing from a CSV file or workbook in the columns of ``LISTING_TABLE``; FormatError names
    each faulty cell."""
    source = str(path)
    faults: list[Fault] = []
    rows = read_table(path, LISTING_TABLE, faults)
    tracks = enum_values(Track)
    programs: list[ListedProgram] = []
    seen: dict[str, str] = {}
    for row in rows:
        c = row.cells
        code = c["code"]
        track = tracks.get(str(c["track"])) if c["track"] is not None else None
        if c["track"] is not None and track is None:
            faults.append(
                Fault(row.at("track"), f"unknown track {quote(str(c['track']))} (one of {', '.join(tracks)})")
            )
        if isinstance(code, str):
            if code in seen:
                faults.append(
                    Fault(row.at("code"), f"program {quote(code)} is listed twice (first at {seen[code]})")
                )
            seen.setdefault(code, row.where)
        opened = c["open"]
        if isinstance(opened, int) and opened < 1:
            faults.append(Fault(row.at("open"), f"must be at least 1, got {opened}"))
        share = c["img_share"]
        if isinstance(share, float) and not 0.0 <= share <= 1.0:
            faults.append(Fault(row.at("img_share"), f"must be a share from 0 to 1, got {share!r}"))
        if not row.sound or track is None or not isinstance(code, str) or not isinstance(opened, int):
            continue
        visa = tuple(v for v, col in ((Visa.J1, "j1"), (Visa.H1B, "h1b")) if c[col] is True)
        programs.append(
            ListedProgram(
                code=code,
                track=track,
                open=opened,
                name=_text(c["name"]),
                institution=_text(c["institution"]),
                specialty=_text(c["specialty"]),
                state=_text(c["state"]),
                visa=visa,
                img_share=share if isinstance(share, float) else None,
                positions=c["positions"] if isinstance(c["positions"], int) else None,
                usual_score=c["usual_score"] if isinstance(c["usual_score"], float) else None,
            )
        )
    if applications_per_position is not None and not (
        math.isfinite(applications_per_position) and applications_per_position > 0
    ):
        faults.append(Fault("applications per position", f"must be above 0, got {applications_per_position}"))
    if faults:
        raise FormatError(in_row_order(faults), source)
    return Listing(tuple(programs), match_year, applications_per_position)


def _text(value: Cell) -> str | None:
    return value if isinstance(value, str) else None
