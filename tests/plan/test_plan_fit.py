"""Fitting the odds model: labels from the event log, the fit, calibration, and an office's history."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from plan_helpers import small_week

from matchweek.errors import FormatError
from matchweek.model import Policy
from matchweek.plan.errors import PlanError
from matchweek.plan.features import FEATURE_NAMES
from matchweek.plan.fit import (
    HISTORY_TABLE,
    WeekApplications,
    calibration_from,
    calibration_of,
    fit_history,
    fit_odds_model,
    read_history,
    reliability_html,
    simulated_weeks,
    week_applications,
)
from matchweek.plan.odds import default_odds_model
from matchweek.soap import ApplicationSubmitted, OfferAccepted, OfferExtended
from matchweek.week import SoapRun, simulate_soap


@cache
def run() -> SoapRun:
    market, result = small_week()
    return simulate_soap(market, result, Policy(), 1)


@cache
def week() -> WeekApplications:
    return week_applications(small_week()[0], run(), label="small seed 1")


def test_every_application_is_labelled_from_the_event_log() -> None:
    w = week()
    codes = [p.code for p in w.listing.programs]
    submitted = [e for e in run().events if isinstance(e, ApplicationSubmitted)]
    offers = {(e.applicant, e.program) for e in run().events if isinstance(e, OfferExtended)}
    assert len(w.rows) == len(submitted)
    ids = [e.applicant for e in submitted]
    assert [codes[c] for c in w.cols] == [e.program for e in submitted]
    assert w.offered.tolist() == [(a, e.program) in offers for a, e in zip(ids, submitted, strict=True)]
    assert int(w.offered.sum()) == len(offers)
    assert w.offers_by_round.sum() == len(offers)
    assert w.applications_per_program.sum() == len(submitted)


def test_applications_hidden_by_an_earlier_acceptance_are_censored() -> None:
    w = week()
    events = run().events
    codes = [p.code for p in w.listing.programs]
    accepted = {}
    for e in events:
        if isinstance(e, OfferAccepted):
            accepted.setdefault(e.applicant, e.round)
    last = {}
    for e in events:
        if isinstance(e, OfferExtended):
            last[e.program] = max(last.get(e.program, 0), e.round)
    submitted = [e for e in events if isinstance(e, ApplicationSubmitted)]
    expected = [
        not offered and accepted.get(e.applicant, 99) < last.get(e.program, 0)
        for e, offered in zip(submitted, w.offered.tolist(), strict=True)
    ]
    assert w.censored.tolist() == expected
    assert w.censored.any()
    assert not (w.censored & w.offered).any()
    assert codes


@cache
def small_model():  # type: ignore[no-untyped-def]
    weeks = simulated_weeks("small", [11, 12, 13])
    return fit_odds_model(weeks, description={"source": "test"}), weeks


def test_fitting_gives_a_weight_per_feature_and_round_shares() -> None:
    model, weeks = small_model()
    assert set(model.coefficients) == set(FEATURE_NAMES)
    assert all(math.isfinite(v) for v in model.coefficients.values())
    assert sum(model.round_shares) == pytest.approx(1.0)
    assert model.training["weeks"] == ["small seed 11", "small seed 12", "small seed 13"]
    assert model.training["offers"] == sum(int(w.offered.sum()) for w in weeks)
    assert model.training["examples"] == sum(int((~w.censored).sum()) for w in weeks)
    assert model.training["source"] == "test"
    assert model.demand.default_applications_per_position > 0


def test_the_same_weeks_give_the_same_model() -> None:
    model, weeks = small_model()
    assert fit_odds_model(weeks, description={"source": "test"}) == model


def test_calibration_on_held_out_weeks() -> None:
    model, _ = small_model()
    held = simulated_weeks("small", [21])
    c = calibration_of(model, held, "held out")
    assert c.applications == int((~held[0].censored).sum())
    assert c.offers == int(held[0].offered.sum())
    assert c.brier < c.brier_base_rate
    assert sum(b.count for b in c.bins) == c.applications
    html = reliability_html(c)
    assert html.startswith("<!DOCTYPE html>") and "Plotly" in html and "Brier" in html


def test_calibration_figures_are_the_textbook_ones() -> None:
    p = np.array([0.1, 0.9, 0.5, 0.5])
    y = np.array([False, True, True, False])
    c = calibration_from(p, y, "four")
    assert c.brier == pytest.approx((0.01 + 0.01 + 0.25 + 0.25) / 4)
    assert c.brier_base_rate == pytest.approx(0.25)
    assert c.auc == pytest.approx(0.875)  # 3 of 4 pairs ordered right, one tie
    assert c.log_loss == pytest.approx(-(math.log(0.9) * 2 + math.log(0.5) * 2) / 4)
    # Bins [0.1, 0.3) and [0.3, 1]: the 0.1 alone, then 0.5, 0.5 and 0.9 (two of three offers).
    assert [(b.count, b.observed) for b in c.bins] == [(1, 0.0), (3, pytest.approx(2 / 3))]


# --- an advising office's history ---------------------------------------------------------------

HEADER = ",".join(HISTORY_TABLE.header)


def history_rows(n: int, seed: int) -> list[str]:
    """Applications whose offers follow a known rule: stronger scores and known programs get offers."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        score = int(rng.integers(215, 265))
        known = bool(rng.random() < 0.3)
        logit = -3.0 + 0.12 * (score - 240) + 3.0 * known
        offer = bool(rng.random() < 1 / (1 + math.exp(-logit)))
        rows.append(
            f"A{i % 40},non_us_img,{score},0,2,6,J-1,0,false,false,{str(known).lower()},P{i % 17},"
            f"Internal Medicine,categorical,2,0.4,true,false,,,{str(offer).lower()}"
        )
    return rows


def test_an_office_history_refits_the_model_and_keeps_the_demand_model(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("\n".join([HEADER, *history_rows(600, 3)]) + "\n")
    history = read_history(path)
    base = default_odds_model()
    model = fit_history(history, base, source="history.csv")
    assert model.coefficients["exam_score"] > 0.5
    assert model.coefficients["known_to_program"] > 1.0
    assert model.demand == base.demand and model.round_shares == base.round_shares
    assert model.calibration is not None
    assert model.calibration.applications == 600
    assert "cross-validation" in model.calibration.source
    assert model.training["applicants"] == 40


def test_a_bad_history_is_refused_naming_row_and_column(tmp_path: Path) -> None:
    rows = history_rows(3, 1)
    rows[1] = rows[1].replace("non_us_img", "alien", 1)
    rows[2] = rows[2].replace(",0.4,", ",1.4,", 1)
    path = tmp_path / "history.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(FormatError) as err:
        read_history(path)
    lines = str(err.value).splitlines()
    assert lines[0].startswith(f'{path}: history.csv row 3, kind: unknown applicant kind "alien" (one of')
    assert lines[1] == f"{path}: history.csv row 4, img_share: must be a share from 0 to 1, got 1.4"


def test_a_history_without_both_outcomes_cannot_be_fitted(tmp_path: Path) -> None:
    rows = [r.rsplit(",", 1)[0] + ",false" for r in history_rows(20, 2)]
    path = tmp_path / "h.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(PlanError, match="with an offer and applications without one"):
        fit_history(read_history(path), default_odds_model())
