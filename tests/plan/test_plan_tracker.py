"""The program tracker: CSV and XLSX without loss, clear errors, and refreshing from a plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchweek.errors import FormatError
from matchweek.model import Track, Visa
from matchweek.plan.listing import ListedProgram
from matchweek.plan.optimize import Pick
from matchweek.plan.tracker import (
    TRACKER_TABLE,
    TrackedProgram,
    img_friendly,
    read_tracker,
    tracked_programs,
    tracker_bytes,
    tracker_from_picks,
    write_tracker,
)

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t,\"'=+-"),
    min_size=1,
    max_size=20,
)
optional_text = st.none() | text
share = st.none() | st.floats(0.0, 1.0, allow_nan=False)

rows = st.builds(
    TrackedProgram,
    program=st.text(alphabet="0123456789ACPT", min_size=1, max_size=9),
    name=optional_text,
    specialty=optional_text,
    track=st.none() | st.sampled_from(list(Track)),
    location=st.none() | st.sampled_from(["NY", "OH", "TX"]),
    j1=st.booleans(),
    h1b=st.booleans(),
    img_share=share,
    img_friendly=st.none() | st.sampled_from(["high", "medium", "low"]),
    interest=st.none() | st.integers(1, 5),
    odds=share,
    utility=st.none() | st.floats(-10, 10, allow_nan=False),
    applied=st.booleans(),
    interview_time=st.none() | st.sampled_from(["Tue 14:00", "2025-03-18T14:00", "Wed 08:30"]),
    interview_contact=optional_text,
    notes=optional_text,
)
trackers = st.lists(rows, max_size=6, unique_by=lambda r: r.program).map(tuple)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tracker=trackers)
def test_a_tracker_written_and_read_back_is_the_same(tmp_path: Path, suffix: str, tracker: tuple) -> None:  # type: ignore[type-arg]
    path = tmp_path / f"tracker{suffix}"
    write_tracker(tracker, path)
    assert read_tracker(path) == tracker


def test_the_same_tracker_gives_the_same_bytes(tmp_path: Path) -> None:
    tracker = (
        TrackedProgram("1234140C0", name="Riverside", track=Track.CATEGORICAL, interest=4, notes="=SUM(A1)"),
    )
    for suffix in (".csv", ".xlsx"):
        write_tracker(tracker, tmp_path / f"a{suffix}")
        write_tracker(tracker, tmp_path / f"b{suffix}")
        assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()
        assert tracker_bytes(tracker, f"download{suffix}") == (tmp_path / f"a{suffix}").read_bytes()
    assert read_tracker(tmp_path / "a.xlsx")[0].notes == "=SUM(A1)"


def test_a_bad_tracker_names_each_faulty_cell(tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    header = ",".join(TRACKER_TABLE.header)
    path.write_text(
        f"{header}\n"
        "P1,,,categorical,,,,,,7,,,,,,\n"
        "P2,,,,,maybe,,,,,,,,,,\n"
        "P3,,,,,,,,lukewarm,,,,,Thursday 9am,,\n"
        "P1,,,,,,,,,,,,,,,\n"
    )
    with pytest.raises(FormatError) as err:
        read_tracker(path)
    lines = [line.removeprefix(f"{path}: ") for line in str(err.value).splitlines()]
    assert lines == [
        "tracker.csv row 2, interest: must be a whole number from 1 to 5, got 7",
        'tracker.csv row 3, j1: must be true or false, got "maybe"',
        'tracker.csv row 4, img_friendly: must be one of high, medium, low, got "lukewarm"',
        'tracker.csv row 4, interview_time: must be a week time like "Tue 14:00" or a date and time like '
        '"2025-03-18T14:00", got "Thursday 9am"',
        'tracker.csv row 5, program: program "P1" is tracked twice (first at tracker.csv row 2)',
    ]


def test_an_unknown_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("program,mood\nP1,good\n")
    with pytest.raises(FormatError, match='unknown column "mood"'):
        read_tracker(path)


def pick(code: str, rank: int, odds: float, share: float | None = 0.4) -> Pick:
    program = ListedProgram(
        code,
        Track.CATEGORICAL,
        2,
        name=f"Program {code}",
        specialty="Family Medicine",
        state="OH",
        visa=(Visa.J1,),
        img_share=share,
    )
    return Pick(rank, program, odds, 3.0, odds * 3.0, odds, "fallback")


def test_a_plan_refreshes_a_tracker_and_keeps_what_the_applicant_wrote() -> None:
    existing = (
        TrackedProgram(
            "B", interest=5, applied=True, notes="called Tuesday", interview_time="Tue 14:00", odds=0.5
        ),
        TrackedProgram("Z", notes="my own find", interest=2),
    )
    tracker = tracker_from_picks([pick("A", 1, 0.3), pick("B", 2, 0.2, None)], existing)
    assert [r.program for r in tracker] == ["A", "B", "Z"]
    a, b, z = tracker
    assert (a.j1, a.h1b, a.location, a.img_friendly, a.odds, a.applied) == (
        True,
        False,
        "OH",
        "high",
        0.3,
        False,
    )
    assert (b.interest, b.applied, b.notes, b.interview_time) == (5, True, "called Tuesday", "Tue 14:00")
    assert (b.odds, b.img_friendly) == (0.2, None)
    assert z == existing[1]


def test_the_img_friendly_signal_follows_the_img_share() -> None:
    assert [img_friendly(s) for s in (None, 0.05, 0.15, 0.34, 0.35, 0.9)] == [
        None,
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_tracked_programs_need_their_track() -> None:
    from matchweek.plan.errors import PlanError

    assert tracked_programs((TrackedProgram("A", track=Track.PRELIMINARY, h1b=True),), "t.csv")[0].visa == (
        Visa.H1B,
    )
    with pytest.raises(PlanError, match=r't\.csv: program "A" has no track'):
        tracked_programs((TrackedProgram("A"),), "t.csv")
