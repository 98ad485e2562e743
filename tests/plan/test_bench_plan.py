"""The planner benchmark runs on the state market, reports every figure, and its methods agree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_plan.py"


def test_quick_benchmark_reports_every_figure_and_every_method_agrees(tmp_path: Path) -> None:
    report = tmp_path / "bench.json"
    command = [sys.executable, str(BENCHMARK), "--quick", "--profiles", "2", "--repeats", "2"]
    run = subprocess.run(
        [*command, "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Every method reached the same expected value for every profile." in run.stdout
    doc = json.loads(report.read_text())
    assert doc["scale"] == "state" and doc["cap"] == 45 and doc["agree"]
    assert set(doc["figures"]) == {"plan_list", "optimal_portfolio", "kapur_hong_greedy", "naive_greedy"}
    assert len(doc["figures"]["plan_list"]) == 4
    assert doc["targets"] == {"plan_list": 0.05}


def test_the_list_can_be_enlarged_to_a_given_number_of_programs(tmp_path: Path) -> None:
    report = tmp_path / "bench.json"
    command = [sys.executable, str(BENCHMARK), "--quick", "--profiles", "1", "--repeats", "1"]
    run = subprocess.run(
        [*command, "--programs", "400", "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(report.read_text())
    assert doc["programs"] == 400 and doc["agree"]
    assert "List: 400 programs" in run.stdout
