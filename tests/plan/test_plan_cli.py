"""``matchweek plan``: every command end to end on a small market, and its errors as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from plan_helpers import small_week
from typer.testing import CliRunner

from matchweek.errors import FormatError, MatchweekError
from matchweek.formats import write_market, write_result
from matchweek.plan.cli import plan_app
from matchweek.plan.errors import NoListing, UnknownProgram
from matchweek.plan.listing import listing_of, write_listing
from matchweek.plan.odds import read_odds_model
from matchweek.plan.planfile import read_plan
from matchweek.plan.profile import read_profile
from matchweek.plan.tracker import read_tracker

app = typer.Typer()
app.add_typer(plan_app, name="plan")
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("plan-cli")
    market, result = small_week()
    paths = {"market": folder / "market.json", "result": folder / "result.json", "folder": folder}
    write_market(market, paths["market"])
    write_result(result, paths["result"])
    entrant = next(
        a.id
        for a in market.applicants
        if result.statuses[a.id].value == "unmatched" and a.visa_need is None and a.verified
    )
    paths["profile"] = folder / "profile.json"
    run(
        "plan",
        "profile",
        "--market",
        str(paths["market"]),
        "--result",
        str(paths["result"]),
        "--applicant",
        entrant,
        "--out",
        str(paths["profile"]),
    )
    paths["plan"] = folder / "plan.json"
    run(
        "plan",
        "optimize",
        str(paths["profile"]),
        "--market",
        str(paths["market"]),
        "--result",
        str(paths["result"]),
        "--cap",
        "6",
        "--out",
        str(paths["plan"]),
    )
    return paths


def test_profile_derives_and_checks_a_profile(files: dict[str, Path]) -> None:
    profile = read_profile(files["profile"])
    out = run("plan", "profile", str(files["profile"]))
    assert f"Profile {profile.applicant}" in out
    assert "tier 1: own specialty" in out


def test_optimize_writes_a_plan_and_explains_each_pick(files: dict[str, Path]) -> None:
    plan = read_plan(files["plan"])
    assert len(plan.picks) == 6 and plan.cap == 6
    assert [p.rank for p in plan.picks] == [1, 2, 3, 4, 5, 6]
    assert sum(p.marginal_gain for p in plan.picks) == pytest.approx(plan.expected_value)
    chart = files["folder"] / "chart.html"
    csv = files["folder"] / "plan.csv"
    out = run(
        "plan",
        "optimize",
        str(files["profile"]),
        "--market",
        str(files["market"]),
        "--result",
        str(files["result"]),
        "--cap",
        "6",
        "--objective",
        "placement",
        "--out",
        str(csv),
        "--chart",
        str(chart),
    )
    assert "Optimal list (placement)" in out and "chance of at least one offer" in out
    assert csv.read_text().splitlines()[0].startswith("rank,program,name")
    assert len(csv.read_text().splitlines()) == 7
    assert "plotly" in chart.read_text().lower()


def test_optimize_reads_a_listing_file(files: dict[str, Path]) -> None:
    market, result = small_week()
    listing_file = files["folder"] / "unfilled.xlsx"
    write_listing(listing_of(market, result), listing_file)
    out = run(
        "plan",
        "optimize",
        str(files["profile"]),
        "--listing",
        str(listing_file),
        "--match-year",
        "2025",
        "--applications-per-position",
        "44",
        "--cap",
        "3",
    )
    assert "3 of at most 3 applications" in out


def test_odds_lists_every_program_with_what_moves_it(files: dict[str, Path]) -> None:
    target = files["folder"] / "odds.json"
    out = run(
        "plan",
        "odds",
        str(files["profile"]),
        "--market",
        str(files["market"]),
        "--out",
        str(target),
        "--top",
        "5",
    )
    assert "Odds of an offer" in out
    doc = json.loads(target.read_text())
    market, result = small_week()
    assert len(doc["programs"]) == len(listing_of(market, result).programs)
    first = doc["programs"][0]
    assert set(first["contributions"]) >= {"exam_score", "competition"}
    assert first["odds"] == max(p["odds"] for p in doc["programs"])


def test_documents_assigns_each_pick_and_names_the_gaps(files: dict[str, Path]) -> None:
    target = files["folder"] / "documents.json"
    out = run("plan", "documents", str(files["profile"]), str(files["plan"]), "--out", str(target))
    assert "Documents per application" in out
    doc = json.loads(target.read_text())
    plan = read_plan(files["plan"])
    assert [a["program"] for a in doc["applications"]] == [p.program.code for p in plan.picks]
    assert all(len(a["letters"]) <= 4 for a in doc["applications"])


def test_track_makes_refreshes_and_converts_the_tracker(files: dict[str, Path]) -> None:
    xlsx = files["folder"] / "tracker.xlsx"
    out = run("plan", "track", str(files["plan"]), "--out", str(xlsx))
    assert "6 programs tracked, 0 applied to" in out
    tracker = read_tracker(xlsx)
    csv = files["folder"] / "tracker.csv"
    run("plan", "track", str(xlsx), "--out", str(csv))
    assert read_tracker(csv) == tracker
    edited = files["folder"] / "edited.csv"
    edited.write_text(csv.read_text().replace(",false,,,", ",true,Tue 14:00,Dr. Lee,called", 1))
    refreshed = files["folder"] / "refreshed.csv"
    out = run("plan", "track", str(files["plan"]), "--into", str(edited), "--out", str(refreshed))
    assert "1 applied to" in out
    assert read_tracker(refreshed)[0].interview_contact == "Dr. Lee"
    # Documents can be assigned from a tracker too.
    run("plan", "documents", str(files["profile"]), str(refreshed))


def test_decide_recommends_with_the_numbers(files: dict[str, Path]) -> None:
    plan = read_plan(files["plan"])
    code = plan.picks[-1].program.code
    target = files["folder"] / "decision.json"
    out = run("plan", "decide", str(files["plan"]), "--round", "1", "--offer", code, "--out", str(target))
    assert "Round 1 of 4: recommended:" in out
    assert "chance of ending unplaced" in out
    doc = json.loads(target.read_text())
    assert doc["best_offer"] == code
    assert doc["recommendation"] in ("accept", "wait")
    assert len(doc["later"]) == len(plan.picks) - 1


def test_fit_odds_on_simulated_weeks_and_on_a_history(files: dict[str, Path]) -> None:
    model = files["folder"] / "model.json"
    figure = files["folder"] / "reliability.html"
    out = run(
        "plan",
        "fit-odds",
        "--scale",
        "small",
        "--train-seeds",
        "31,32",
        "--holdout-seeds",
        "33",
        "--out",
        str(model),
        "--figure",
        str(figure),
    )
    assert "Brier" in out and "AUC" in out
    fitted = read_odds_model(model)
    assert fitted.training["seeds"] == [31, 32]
    assert fitted.calibration is not None and "seeds 33" in fitted.calibration.source
    assert "Reliability" in figure.read_text()
    refused = runner.invoke(
        app,
        [
            "plan",
            "fit-odds",
            "--scale",
            "small",
            "--train-seeds",
            "1-2",
            "--holdout-seeds",
            "2",
            "--out",
            "m.json",
        ],
    )
    assert refused.exit_code == 2
    assert "held-out seeds must differ" in refused.output


def test_compare_prints_the_table(files: dict[str, Path]) -> None:
    target = files["folder"] / "comparison.csv"
    out = run("plan", "compare", "--scale", "small", "--seeds", "1", "--share", "0.2", "--out", str(target))
    assert "Strategies for a 20% sample (small, seeds 1" in out and "1 week per strategy" in out
    rows = target.read_text().splitlines()
    assert [r.split(",")[0] for r in rows] == [
        "strategy",
        "spray",
        "targeted",
        "top-odds",
        "optimizer",
        "optimizer (placement)",
    ]


def one_line_error(*args: str) -> MatchweekError:
    with pytest.raises(MatchweekError) as err:
        run(*args)
    assert len(str(err.value).splitlines()) == 1, str(err.value)
    return err.value


def test_errors_a_user_can_cause_are_one_line(files: dict[str, Path]) -> None:
    e = one_line_error("plan", "optimize", str(files["profile"]))
    assert isinstance(e, NoListing)
    e = one_line_error("plan", "decide", str(files["plan"]), "--round", "1", "--offer", "NOPE")
    assert isinstance(e, UnknownProgram) and '"NOPE"' in str(e)
    bad = files["folder"] / "bad.json"
    bad.write_text('{"format": "matchweek.profile/1", "kind": "martian"}')
    e = one_line_error("plan", "odds", str(bad), "--market", str(files["market"]))
    assert isinstance(e, FormatError) and "kind: unknown applicant kind" in str(e)
    e = one_line_error("plan", "optimize", str(files["profile"]), "--listing", str(files["market"]))
    assert "--match-year" in str(e)


def test_the_command_module_loads_no_numerical_code() -> None:
    import subprocess
    import sys

    probe = "import sys, matchweek.plan.cli; print('numpy' in sys.modules, 'sklearn' in sys.modules)"
    got = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert got.stdout.split() == ["False", "False"]
