"""The Main Match benchmark runs end to end on the state market and reports every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_match.py"

FIGURES = {
    "parse",
    "compile",
    "kernel",
    "end_to_end",
    "peak_memory",
    "matching_build",
    "matching_solve",
    "matching_api",
    "matchweek_api",
}


def test_quick_benchmark_reports_every_figure_and_agrees_with_matching(tmp_path: Path) -> None:
    report = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, str(BENCHMARK), "--quick", "--repeats", "1", "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "matchweek and matching agree" in run.stdout

    doc = json.loads(report.read_text())
    assert doc["settings"]["scale"] == "state"
    assert doc["market"]["applicants"] == 4200
    assert set(doc["figures"]) == FIGURES
    for key, figure in doc["figures"].items():
        assert len(figure["runs"]) == 1, key
        assert figure["runs"][0] > 0, key
        assert figure["min"] <= figure["median"] <= figure["max"], key
    build, solve, total = (
        doc["figures"][k]["runs"][0] for k in ("matching_build", "matching_solve", "matching_api")
    )
    assert total == build + solve

    comparison = doc["comparison"]
    assert comparison["agree"] is True
    assert comparison["residents_assigned_differently"] == 0
    assert 0 < comparison["matched_residents"] <= comparison["residents"]
    medians = {key: figure["median"] for key, figure in doc["figures"].items()}
    assert comparison["speedup"] == medians["matching_api"] / medians["matchweek_api"]
    assert {t["name"] for t in doc["targets"]} == {
        "kernel",
        "matchweek vs matching",
        "peak memory",
        "end to end",
    }
    assert doc["warm_up"].keys() == {
        "kernel_first_call_s",
        "end_to_end_first_run_s",
        "end_to_end_first_run_peak_mb",
        "match_from_lists_first_call_s",
    }
    assert doc["machine"]["logical_cores"] >= 1
