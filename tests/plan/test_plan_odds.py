"""Odds of an offer: hard zeros outside the regression, inspectable contributions, the model file."""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from plan_helpers import small_listing, toy_model

from matchweek.errors import FormatError
from matchweek.model import ApplicantKind, Exam, ExamResult, Holding, RedFlag, Track, Visa
from matchweek.plan.features import FEATURE_NAMES, FEATURES, applicant_facts, design, program_facts
from matchweek.plan.listing import ListedProgram, Listing
from matchweek.plan.odds import (
    default_odds_model,
    odds_for,
    odds_model_from_document,
    odds_model_to_document,
    read_odds_model,
    write_odds_model,
)
from matchweek.plan.profile import Profile


def listing_of(*programs: ListedProgram, per_position: float | None = 50.0) -> Listing:
    return Listing(tuple(programs), 2025, per_position)


def prog(code: str, **kw: object) -> ListedProgram:
    base: dict[str, object] = {
        "track": Track.CATEGORICAL,
        "open": 2,
        "specialty": "Family Medicine",
        "state": "OH",
    }
    base.update(kw)
    return ListedProgram(code, **base)  # type: ignore[arg-type]


def test_visa_eligibility_and_holdings_are_hard_zeros_outside_the_regression() -> None:
    model = toy_model(intercept=5.0)  # every odds near 1 inside the regression
    listing = listing_of(
        prog("J", visa=(Visa.J1,)),
        prog("H", visa=(Visa.H1B,)),
        prog("N"),
        prog("A", track=Track.ADVANCED, visa=(Visa.J1,)),
    )
    img = Profile(kind=ApplicantKind.NON_US_IMG, visa_need=Visa.J1)
    table = odds_for(img, listing, model)
    assert table.probability[1] == 0.0 and table.probability[2] == 0.0
    assert table.hard_zero[2] == "the program does not sponsor a visa the applicant can train on"
    assert table.probability[0] == pytest.approx(1 / (1 + math.exp(-5.0 - model.coefficients["needs_visa"])))
    assert table.hard_zero[0] is None
    holder = Profile(kind=ApplicantKind.US_MD, holds=Holding.ADVANCED)
    held = odds_for(holder, listing, model)
    assert held.probability.tolist() == [0.0, 0.0, 0.0, 0.0]
    assert held.hard_zero[3] is not None and "complementary" in held.hard_zero[3]
    unverified = odds_for(Profile(kind=ApplicantKind.US_MD, verified=False), listing, model)
    assert unverified.probability.tolist() == [0.0] * 4
    assert "not eligible for SOAP" in str(unverified.hard_zero[0])


def test_the_log_odds_are_the_intercept_plus_the_contributions() -> None:
    model = default_odds_model()
    listing = small_listing()
    p = Profile(
        kind=ApplicantKind.US_IMG,
        exams=(ExamResult(Exam.USMLE_STEP2_CK, True, 2, 231),),
        graduation_year=2019,
        us_clinical_months=4,
        ties=("NY",),
        red_flags=(RedFlag.REMEDIATION,),
    )
    table = odds_for(p, listing, model)
    for j in range(len(listing.programs)):
        parts = table.explain(j)
        assert [c.feature for c in sorted(parts, key=lambda c: FEATURE_NAMES.index(c.feature))] == list(
            FEATURE_NAMES
        )
        total = model.intercept + sum(c.contribution for c in parts)
        assert table.log_odds(j) == pytest.approx(total)
        assert table.probability[j] == pytest.approx(1 / (1 + math.exp(-total)))
        assert abs(parts[0].contribution) >= abs(parts[-1].contribution)


def test_features_read_the_file_as_documented() -> None:
    p = Profile(
        kind=ApplicantKind.NON_US_IMG,
        exams=(ExamResult(Exam.USMLE_STEP2_CK, True, 3, 255),),
        graduation_year=2016,
        us_clinical_months=30,
        visa_need=Visa.H1B,
        ties=("OH",),
        known_institutions=("9999",),
        red_flags=(RedFlag.LEAVE_OF_ABSENCE, RedFlag.PROFESSIONALISM),
    )
    g = prog(
        "X", img_share=0.4, usual_score=250.0, institution="9999", visa=(Visa.H1B,), track=Track.RESERVED
    )
    apps = applicant_facts([p], 2025)
    progs = program_facts([g], np.array([math.log(80.0)]))
    x = dict(
        zip(
            FEATURE_NAMES,
            design(apps, progs, np.array([0]), np.array([0]), np.array([True]), np.array([True]))[0],
            strict=True,
        )
    )
    assert x["exam_score"] == 1.0
    assert x["exam_missing"] == 0.0
    assert x["score_vs_program"] == pytest.approx(5 / 15)
    assert (x["exam_failures"], x["repeated_failures"]) == (2.0, 1.0)
    assert (x["years_since_graduation"], x["stale_graduation"]) == (9.0, 0.0)
    assert x["us_clinical_years"] == 2.0
    assert (x["state_tie"], x["known_to_program"]) == (1.0, 1.0)
    assert x["kind_non_us_img"] == 1.0 and x["kind_us_img"] == 0.0
    assert x["img_at_img_friendly"] == pytest.approx(0.4)
    assert x["us_senior_at_selective"] == 0.0
    assert x["needs_visa"] == 1.0
    assert (x["lesser_red_flags"], x["serious_red_flag"]) == (1.0, 1.0)
    assert x["competition"] == pytest.approx(math.log(80.0))
    assert x["physician_track_without_prior_training"] == 1.0
    assert len(FEATURES) == len(x)


def test_competition_follows_the_demand_model_and_the_markets_level() -> None:
    model = default_odds_model()
    a, b = prog("A", img_share=0.5, visa=(Visa.J1,)), prog("B", img_share=0.05)
    busy = model.demand.competition([a, b], 400.0)
    quiet = model.demand.competition([a, b], 100.0)
    assert busy - quiet == pytest.approx([math.log(4.0)] * 2)
    # IMG-friendly, visa-sponsoring programs draw more applications per position.
    assert busy[0] > busy[1]
    assert model.demand.competition([a], None)[0] == pytest.approx(
        model.demand.competition([a], model.demand.default_applications_per_position)[0]
    )


def test_the_default_model_is_fitted_on_simulated_weeks_and_reports_its_calibration() -> None:
    model = default_odds_model()
    assert set(model.coefficients) == set(FEATURE_NAMES)
    assert model.calibration is not None
    c = model.calibration
    assert c.brier < c.brier_base_rate
    assert 0.9 < c.auc <= 1.0
    assert sum(b.count for b in c.bins) == c.applications
    assert sum(model.round_shares) == pytest.approx(1.0)
    assert model.training["seeds"] and not set(model.training["seeds"]) & {1, 2, 3, 4, 5, 6}
    # Programs triage as directors describe: these push the odds down, these up.
    w = model.coefficients
    assert w["exam_failures"] < 0 and w["stale_graduation"] < 0 and w["serious_red_flag"] < 0
    assert w["competition"] < 0 and w["needs_visa"] < 0
    assert w["exam_score"] > 0 and w["known_to_program"] > 0 and w["state_tie"] > 0
    assert w["us_clinical_years"] > 0 and w["program_img_share"] > 0


def test_a_model_written_and_read_back_is_the_same(tmp_path: Path) -> None:
    model = default_odds_model()
    write_odds_model(model, tmp_path / "m.json")
    again = read_odds_model(tmp_path / "m.json")
    assert again == model
    assert odds_model_to_document(again) == odds_model_to_document(model)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["coefficients"].pop("competition"),
            "m.json: coefficients.competition: required field missing",
        ),
        (lambda d: d["coefficients"].update(charm=1.0), "m.json: coefficients.charm: unknown field"),
        (
            lambda d: d["coefficients"].update(exam_score="big"),
            'm.json: coefficients.exam_score: must be a number, got "big"',
        ),
        (lambda d: d.update(round_shares=[0.5, 0.4]), "m.json: round_shares: shares must add up to 1"),
        (
            lambda d: d["demand"].update(default_applications_per_position=0),
            "m.json: demand.default_applications_per_position: must be above 0",
        ),
        (lambda d: d.update(format="matchweek.model/9"), 'm.json: format: expected "matchweek.odds-model/1"'),
    ],
)
def test_a_bad_model_file_is_refused_naming_the_field(change, message: str) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(odds_model_to_document(default_odds_model()))
    change(doc)
    with pytest.raises(FormatError) as err:
        odds_model_from_document(doc, "m.json")
    assert str(err.value).splitlines()[0].startswith(message)


def test_better_files_get_better_odds_under_the_default_model() -> None:
    listing = small_listing()
    base = Profile(
        kind=ApplicantKind.US_MD, exams=(ExamResult(Exam.USMLE_STEP2_CK, True, 1, 240),), graduation_year=2025
    )
    weaker = replace(base, exams=(ExamResult(Exam.USMLE_STEP2_CK, True, 2, 240),))
    stronger = replace(base, exams=(ExamResult(Exam.USMLE_STEP2_CK, True, 1, 262),))
    p0 = odds_for(base, listing).probability
    assert np.all(odds_for(weaker, listing).probability < p0)
    assert np.all(odds_for(stronger, listing).probability > p0)
