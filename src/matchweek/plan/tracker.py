"""The program tracker: the spreadsheet applicant guides tell you to keep during SOAP.

One row per program: its code, name, specialty, track and location, visa
sponsorship (J-1, H-1B), the IMG-friendly signal (its share of international
graduates, and ``high``/``medium``/``low``), how interested the applicant is
(1–5), the planner's odds and utility, notes, whether it applied, and the
interview's time and contact. Read and written as CSV or XLSX (by the file's
suffix), without loss: a tracker written and read back is the same tracker.
A planned list becomes a tracker, or refreshes one, keeping what the applicant
wrote in it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from matchweek.errors import Fault, FormatError
from matchweek.formats.faultlog import quote
from matchweek.formats.jsonvalues import enum_values
from matchweek.formats.tables import Cell, Column, Row, Table
from matchweek.model import Track, Visa, WeekTime
from matchweek.plan.errors import PlanError
from matchweek.plan.listing import ListedProgram
from matchweek.plan.optimize import Pick
from matchweek.plan.sheets import in_row_order, read_table, table_bytes, write_table

TRACKER_TABLE = Table(
    "tracker",
    (
        Column("program", required=True),
        Column("name"),
        Column("specialty"),
        Column("track"),
        Column("location"),
        Column("j1", "bool"),
        Column("h1b", "bool"),
        Column("img_share", "float"),
        Column("img_friendly"),
        Column("interest", "int"),
        Column("odds", "float"),
        Column("utility", "float"),
        Column("applied", "bool"),
        Column("interview_time"),
        Column("interview_contact"),
        Column("notes"),
    ),
    required=True,
)
"""The tracker's columns, in order (the sheet of a workbook is named ``tracker``)."""

IMG_FRIENDLY: tuple[str, ...] = ("high", "medium", "low")
HIGH_IMG_SHARE = 0.35
"""An IMG share from which a program reads as highly IMG-friendly."""
MEDIUM_IMG_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class TrackedProgram:
    """One row of the tracker."""

    program: str
    name: str | None = None
    specialty: str | None = None
    track: Track | None = None
    location: str | None = None
    j1: bool = False
    h1b: bool = False
    img_share: float | None = None
    img_friendly: str | None = None
    interest: int | None = None
    """1 (little) to 5 (most)."""
    odds: float | None = None
    utility: float | None = None
    applied: bool = False
    interview_time: str | None = None
    """A Match Week time (``Tue 14:00``) or an ISO date and time (``2025-03-18T14:00``)."""
    interview_contact: str | None = None
    notes: str | None = None


Tracker = tuple[TrackedProgram, ...]


def img_friendly(share: float | None) -> str | None:
    """The IMG-friendly signal of a program with this share of international graduates."""
    if share is None:
        return None
    if share >= HIGH_IMG_SHARE:
        return "high"
    return "medium" if share >= MEDIUM_IMG_SHARE else "low"


def tracker_from_picks(picks: Sequence[Pick], existing: Tracker = ()) -> Tracker:
    """A tracker of a planned list: one row per pick, in application order.

    Rows of ``existing`` keep everything the applicant wrote (interest, applied,
    interview, notes) and get the pick's current facts, odds and utility; rows of
    programs not on the list are kept after the list's.
    """
    old = {row.program: row for row in existing}
    out: list[TrackedProgram] = []
    for p in picks:
        g = p.program
        row = TrackedProgram(
            program=g.code,
            name=g.name,
            specialty=g.specialty,
            track=g.track,
            location=g.state,
            j1=Visa.J1 in g.visa,
            h1b=Visa.H1B in g.visa,
            img_share=g.img_share,
            img_friendly=img_friendly(g.img_share),
            odds=p.odds,
            utility=p.utility,
        )
        before = old.pop(g.code, None)
        if before is not None:
            row = replace(
                row,
                interest=before.interest,
                applied=before.applied,
                interview_time=before.interview_time,
                interview_contact=before.interview_contact,
                notes=before.notes,
            )
        out.append(row)
    out.extend(row for row in existing if row.program in old)
    return tuple(out)


def tracked_programs(tracker: Tracker, source: str) -> list[ListedProgram]:
    """The tracked programs as list entries (for assigning documents); each needs its track."""
    out = []
    for r in tracker:
        if r.track is None:
            raise PlanError(f"{source}: program {quote(r.program)} has no track; give each program's track")
        visa = tuple(v for v, sponsored in ((Visa.J1, r.j1), (Visa.H1B, r.h1b)) if sponsored)
        out.append(
            ListedProgram(
                r.program,
                r.track,
                1,
                name=r.name,
                specialty=r.specialty,
                state=r.location,
                visa=visa,
                img_share=r.img_share,
            )
        )
    return out


def tracker_rows(tracker: Tracker) -> list[tuple[Cell, ...]]:
    """The tracker's rows in the columns of ``TRACKER_TABLE``."""
    return [
        (
            r.program,
            r.name,
            r.specialty,
            r.track.value if r.track is not None else None,
            r.location,
            r.j1,
            r.h1b,
            r.img_share,
            r.img_friendly,
            r.interest,
            r.odds,
            r.utility,
            r.applied,
            r.interview_time,
            r.interview_contact,
            r.notes,
        )
        for r in tracker
    ]


def tracker_bytes(tracker: Tracker, path: str | Path) -> bytes:
    """What :func:`write_tracker` writes to ``path``."""
    return table_bytes(path, TRACKER_TABLE, tracker_rows(tracker))


def write_tracker(tracker: Tracker, path: str | Path) -> None:
    """Write the tracker as a workbook (``.xlsx``) or CSV (anything else), atomically."""
    write_table(path, TRACKER_TABLE, tracker_rows(tracker))


def read_tracker(path: str | Path) -> Tracker:
    """Read a tracker (``.xlsx`` workbook with a ``tracker`` sheet, else CSV); FormatError names every
    faulty cell, as ``tracker.csv row 4, interest: must be a whole number from 1 to 5, got 7``."""
    faults: list[Fault] = []
    rows = read_table(path, TRACKER_TABLE, faults)
    out: list[TrackedProgram] = []
    first: dict[str, str] = {}
    for row in rows:
        code = row.cells["program"]
        if isinstance(code, str):
            if code in first:
                faults.append(
                    Fault(
                        row.at("program"), f"program {quote(code)} is tracked twice (first at {first[code]})"
                    )
                )
            first.setdefault(code, row.where)
        tracked = _row(row, faults)
        if tracked is not None:
            out.append(tracked)
    if faults:
        raise FormatError(in_row_order(faults), str(path))
    return tuple(out)


def _row(row: Row, faults: list[Fault]) -> TrackedProgram | None:
    c = row.cells
    sound = row.sound
    track = None
    if c["track"] is not None:
        track = enum_values(Track).get(str(c["track"]))
        if track is None:
            faults.append(
                Fault(
                    row.at("track"),
                    f"unknown track {quote(str(c['track']))} (one of {', '.join(enum_values(Track))})",
                )
            )
            sound = False
    share = c["img_share"]
    if isinstance(share, float) and not (math.isfinite(share) and 0.0 <= share <= 1.0):
        faults.append(Fault(row.at("img_share"), f"must be a share from 0 to 1, got {share!r}"))
        sound = False
    signal = c["img_friendly"]
    if signal is not None and signal not in IMG_FRIENDLY:
        faults.append(
            Fault(row.at("img_friendly"), f"must be one of {', '.join(IMG_FRIENDLY)}, got {quote(signal)}")
        )
        sound = False
    interest = c["interest"]
    if isinstance(interest, int) and not 1 <= interest <= 5:
        faults.append(Fault(row.at("interest"), f"must be a whole number from 1 to 5, got {interest}"))
        sound = False
    odds = c["odds"]
    if isinstance(odds, float) and not (math.isfinite(odds) and 0.0 <= odds <= 1.0):
        faults.append(Fault(row.at("odds"), f"must be a probability from 0 to 1, got {odds!r}"))
        sound = False
    utility = c["utility"]
    if isinstance(utility, float) and not math.isfinite(utility):
        faults.append(Fault(row.at("utility"), f"must be a finite number, got {utility!r}"))
        sound = False
    when = c["interview_time"]
    if isinstance(when, str) and not is_interview_time(when):
        faults.append(
            Fault(
                row.at("interview_time"),
                f'must be a week time like "Tue 14:00" or a date and time like '
                f'"2025-03-18T14:00", got {quote(when)}',
            )
        )
        sound = False
    if not sound:
        return None
    return TrackedProgram(
        program=str(c["program"]),
        name=_text(c["name"]),
        specialty=_text(c["specialty"]),
        track=track,
        location=_text(c["location"]),
        j1=c["j1"] is True,
        h1b=c["h1b"] is True,
        img_share=share if isinstance(share, float) else None,
        img_friendly=_text(signal),
        interest=interest if isinstance(interest, int) else None,
        odds=odds if isinstance(odds, float) else None,
        utility=utility if isinstance(utility, float) else None,
        applied=c["applied"] is True,
        interview_time=_text(when),
        interview_contact=_text(c["interview_contact"]),
        notes=_text(c["notes"]),
    )


def is_interview_time(text: str) -> bool:
    """Whether ``text`` is an interview time: a Match Week time (``Tue 14:00``) or an ISO date and time."""
    try:
        WeekTime.parse(text)
        return True
    except ValueError:
        pass
    try:
        datetime.fromisoformat(text)
        return True
    except ValueError:
        return False


def _text(value: Cell) -> str | None:
    return value if isinstance(value, str) else None
