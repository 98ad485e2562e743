"""The summary counts a result the way the national reports do."""

from __future__ import annotations

import pytest
from test_match_helpers import app, market, prog

from matchweek.match import CALIBRATION_2025, Fill, run_match, summarize
from matchweek.model import ApplicantKind, Market, Track

MD, DO, IMG = ApplicantKind.US_MD, ApplicantKind.US_DO, ApplicantKind.NON_US_IMG


def small_market() -> Market:
    return market(
        [
            prog("IM-C", 2, "md1 img1 do1", specialty="Internal Medicine"),
            prog("IM-P", 2, "md2 img2", track=Track.PRELIMINARY, specialty="Internal Medicine"),
            prog("RAD-A", 1, "md2 md3", track=Track.ADVANCED, specialty="Radiology"),
            prog("FM-C", 3, "do1", specialty="Family Medicine"),
        ],
        [
            app("md1", "IM-C", kind=MD),
            app("md2", "RAD-A:s", kind=MD, s="IM-P"),  # advanced + PGY-1: matched
            app("md3", "RAD-A:s", kind=MD, s="IM-P"),  # turned away by RAD-A: unmatched
            app("do1", "IM-C FM-C", kind=DO),  # IM-C full with md1, img1: FM-C
            app("img1", "IM-C", kind=IMG),
            app("img2", "RAD-A IM-P", kind=IMG),  # RAD-A does not rank img2; holds a prelim only
            app("img3", "", kind=IMG),  # no rank list
        ],
    )


def test_outcomes_by_kind_and_pgy1_rate() -> None:
    m = small_market()
    s = summarize(m, run_match(m))
    md = s.by_kind["us_md"]
    assert (md.applicants, md.certified, md.matched, md.partially_matched, md.unmatched) == (3, 3, 2, 0, 1)
    assert md.pgy1_matched == 2
    assert md.pgy1_rate == pytest.approx(200 / 3)
    img = s.by_kind["non_us_img"]
    # img2 holds a preliminary position after ranking an advanced program: partially matched,
    # but matched to a PGY-1 position. img3 certified no list.
    assert (img.applicants, img.certified, img.matched, img.partially_matched, img.unmatched) == (
        3,
        2,
        1,
        1,
        1,
    )
    assert img.pgy1_rate == pytest.approx(100.0)
    assert s.by_kind["us_img"].pgy1_rate is None
    assert s.overall.applicants == 7 and s.overall.certified == 6 and s.overall.pgy1_matched == 5


def test_fill_and_unfilled() -> None:
    m = small_market()
    s = summarize(m, run_match(m))
    assert s.fill_by_track["categorical"] == Fill(positions=5, filled=3)
    assert s.fill_by_track["preliminary"] == Fill(positions=2, filled=2)
    assert s.fill_by_track["advanced"] == Fill(positions=1, filled=1)
    assert s.fill_by_specialty == {
        "Family Medicine": Fill(3, 1),
        "Internal Medicine": Fill(4, 4),
        "Radiology": Fill(1, 1),
    }
    assert s.overall_fill == Fill(8, 6)
    assert s.unfilled_total == 2
    assert s.unfilled_by_specialty == {"Family Medicine": 2}
    assert s.unfilled_pgy1 == 2
    assert s.categorical_share_of_unfilled_pgy1 == pytest.approx(100.0)
    assert s.instabilities == 0


def test_positions_are_counted_after_reversion() -> None:
    m = market(
        [prog("P", 3, "a", track=Track.PRELIMINARY, reverts_to="C"), prog("C", 1, "b c")],
        [app("a", "P"), app("b", "C"), app("c", "C")],
    )
    s = summarize(m, run_match(m))
    assert s.fill_by_track["preliminary"] == Fill(1, 1)
    assert s.fill_by_track["categorical"] == Fill(3, 2)
    assert s.unfilled_by_track["categorical"] == 1


def test_calibration_targets_are_the_rule_books() -> None:
    t = CALIBRATION_2025
    assert t.pgy1_rate_by_kind == {"us_md": 93.5, "us_do": 92.6, "us_img": 67.8, "non_us_img": 58.0}
    assert t.pgy1_rate_overall == 79.8
    assert t.fill_rate == (93.0, 96.0)
    assert t.unfilled_positions == (2000, 3000)
    assert t.categorical_share_of_unfilled_pgy1 == 60.0


def test_comparisons_put_actual_next_to_target() -> None:
    m = small_market()
    rows = summarize(m, run_match(m)).comparisons()
    by_label = {r.label: r for r in rows}
    assert by_label["PGY-1 match rate, us_md"].target == "93.5"
    assert by_label["PGY-1 match rate, us_md"].actual == pytest.approx(200 / 3)
    assert by_label["PGY-1 match rate, us_md"].within is False
    assert by_label["PGY-1 match rate, us_img"].within is None
    assert by_label["fill rate"].target == "93–96%"
    assert by_label["unfilled positions"].actual == 2
    assert by_label["unfilled positions"].within is False
