"""``matchweek week`` and ``matchweek demo``: a whole Match Week from the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from test_cli import run

from matchweek.formats import read_market, read_result, read_soap_result
from matchweek.match import run_match
from matchweek.soap import replay, soap_result
from matchweek.week.eventlog import read_event_log

FILES = {
    "match-result.json",
    "soap-events.jsonl",
    "soap-result.json",
    "week-stats.json",
    "rounds.csv",
    "report.html",
}


def _week(tmp_path: Path, name: str, *extra: str) -> tuple[Path, str]:
    folder = tmp_path / name
    r = run("week", str(tmp_path / "m.json"), "--out", str(folder), *extra)
    assert r.returncode == 0, r.stderr
    return folder, r.stdout


def test_week_writes_every_file_consistently_and_deterministically(tmp_path: Path) -> None:
    assert (
        run("generate", "--scale", "small", "--seed", "4", "--out", str(tmp_path / "m.json")).returncode == 0
    )
    first, stdout = _week(tmp_path, "a", "--seed", "5")
    again, _ = _week(tmp_path, "b", "--seed", "5")
    other, _ = _week(tmp_path, "c", "--seed", "6")
    assert {p.name for p in first.iterdir()} == FILES
    for name in FILES:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    assert (first / "soap-events.jsonl").read_bytes() != (other / "soap-events.jsonl").read_bytes()

    market = read_market(tmp_path / "m.json")
    assert read_result(first / "match-result.json") == run_match(market)
    events = read_event_log(first / "soap-events.jsonl")
    assert read_soap_result(first / "soap-result.json") == soap_result(replay(events))

    stats = json.loads((first / "week-stats.json").read_text())
    assert stats["format"] == "matchweek.week-stats/1"
    placed = len(read_soap_result(first / "soap-result.json").matches)
    assert stats["positions"]["placed_in_soap"] == placed
    rows = list(csv.DictReader((first / "rounds.csv").open()))
    assert rows and {r["round"] for r in rows} == {"1", "2", "3", "4"}

    report = (first / "report.html").read_text()
    assert '<script src="http' not in report and "Plotly.newPlot" in report
    assert f"Report: {first / 'report.html'}" in stdout
    assert "SOAP offer rounds" in stdout and "combined fill" in stdout


def test_week_follows_a_policy_file(tmp_path: Path) -> None:
    assert (
        run("generate", "--scale", "small", "--seed", "4", "--out", str(tmp_path / "m.json")).returncode == 0
    )
    policy = tmp_path / "policy.toml"
    policy.write_text("rounds = 3\nmax_applications = 30\n")
    folder, _ = _week(tmp_path, "p", "--policy", str(policy))
    stats = json.loads((folder / "week-stats.json").read_text())
    assert [r["round"] for r in stats["rounds"]] == [1, 2, 3]
    applied: dict[str, int] = {}
    for event in read_event_log(folder / "soap-events.jsonl"):
        who = getattr(event, "applicant", None)
        if type(event).__name__ == "ApplicationSubmitted" and who is not None:
            applied[who] = applied.get(who, 0) + 1
    assert applied and max(applied.values()) <= 30
    assert "30 applications per applicant" in (folder / "report.html").read_text()


def test_week_refuses_a_bad_policy_in_one_line(tmp_path: Path) -> None:
    assert (
        run("generate", "--scale", "small", "--seed", "4", "--out", str(tmp_path / "m.json")).returncode == 0
    )
    policy = tmp_path / "policy.toml"
    policy.write_text("rounds = 0\n")
    r = run("week", str(tmp_path / "m.json"), "--out", str(tmp_path / "x"), "--policy", str(policy))
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1 and "rounds" in r.stderr
    assert not (tmp_path / "x").exists()


def test_demo_runs_a_week_and_says_where_the_report_is(tmp_path: Path) -> None:
    r = run("demo", "--scale", "small", "--out", str(tmp_path / "demo"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "demo" / "market.json").exists()
    assert {p.name for p in (tmp_path / "demo").iterdir()} >= FILES
    assert f"Report: {tmp_path / 'demo' / 'report.html'}" in r.stdout
