"""The ``matchweek`` command as a user runs it: real processes, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matchweek", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_version() -> None:
    r = run("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("matchweek ")


@pytest.mark.parametrize("command", ["generate", "validate", "demo", "convert", "match", "verify", "week"])
def test_every_command_has_help(command: str) -> None:
    r = run(command, "--help")
    assert r.returncode == 0
    assert "Usage" in r.stdout


def test_generate_is_byte_identical_per_seed_and_validates(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    assert run("generate", "--scale", "small", "--seed", "7", "--out", str(a)).returncode == 0
    assert run("generate", "--scale", "small", "--seed", "7", "--out", str(b)).returncode == 0
    assert run("generate", "--scale", "small", "--seed", "8", "--out", str(c)).returncode == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    r = run("validate", str(a))
    assert r.returncode == 0, r.stderr
    assert "valid matchweek.market/1" in r.stdout
    assert "applicants with a rank list" in r.stdout


def test_unknown_scale_is_refused() -> None:
    r = run("generate", "--scale", "planet", "--out", "x.json")
    assert r.returncode == 2
    assert "must be one of small, state, national" in r.stdout + r.stderr


def _bad_market() -> dict:
    return {
        "format": "matchweek.market/1",
        "programs": [
            {"code": "1234140C0", "track": "categorical", "positions": 2, "rank_list": ["A1", "A2"]},
            {"code": "1234140P0", "track": "preliminary", "positions": -1, "rank_list": []},
        ],
        "applicants": [
            {"id": "A1", "rank_list": ["1234140C0", "9999140C0"]},
            {"id": "A2", "rank_list": ["1234140C0"], "favourite_colour": "green"},
            {"id": "A1", "rank_list": []},
        ],
    }


def test_bad_market_names_each_fault_on_one_line_and_fails(tmp_path: Path) -> None:
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(_bad_market()))
    r = run("validate", str(f))
    assert r.returncode == 1
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert any("applicants[0].rank_list[1]" in line and '"9999140C0"' in line for line in lines), lines
    assert any("applicants[2].id" in line and "duplicate" in line for line in lines), lines
    assert any("programs[1].positions" in line for line in lines), lines
    assert any("applicants[1].favourite_colour" in line and "unknown field" in line for line in lines), lines
    assert len(lines) == 4, lines


def test_missing_and_non_json_files_fail_with_one_line(tmp_path: Path) -> None:
    r = run("validate", str(tmp_path / "absent.json"))
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    r = run("validate", str(junk))
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_csv_folder_to_json_to_csv_folder_is_lossless_at_state_scale(tmp_path: Path) -> None:
    market = tmp_path / "state.json"
    assert run("generate", "--scale", "state", "--seed", "3", "--out", str(market)).returncode == 0
    first, second, back = tmp_path / "csv1", tmp_path / "csv2", tmp_path / "back.json"
    assert run("convert", str(market), str(first)).returncode == 0
    assert run("convert", str(first), str(back)).returncode == 0
    assert run("convert", str(back), str(second)).returncode == 0
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) >= 7
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert back.read_bytes() == market.read_bytes()


def test_xlsx_round_trip_through_the_cli(tmp_path: Path) -> None:
    market = tmp_path / "small.json"
    assert run("generate", "--scale", "small", "--seed", "5", "--out", str(market)).returncode == 0
    book, back = tmp_path / "m.xlsx", tmp_path / "back.json"
    assert run("convert", str(market), str(book)).returncode == 0
    assert run("validate", str(book)).returncode == 0
    assert run("convert", str(book), str(back)).returncode == 0
    assert back.read_bytes() == market.read_bytes()


def test_write_failure_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = run("generate", "--scale", "small", "--out", str(blocker / "m.json"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_match_writes_a_result_that_verify_accepts_and_summarizes_it(tmp_path: Path) -> None:
    market, result = tmp_path / "m.json", tmp_path / "r.json"
    assert run("generate", "--scale", "small", "--seed", "2", "--out", str(market)).returncode == 0
    r = run("match", str(market), "--out", str(result), "--summary")
    assert r.returncode == 0, r.stderr
    document = json.loads(result.read_text())
    assert document["format"] == "matchweek.result/1"
    assert document["instabilities"] == []
    for heading in (
        "Applicants by kind",
        "Fill by track",
        "Fill by specialty",
        "Against the 2025 Main Match",
    ):
        assert heading in r.stdout
    assert "PGY-1 match rate, us_md" in r.stdout
    assert (
        f"positions filled, {sum(1 for s in document['applicants'].values() if s == 'matched'):,}" in r.stdout
    )
    v = run("verify", str(market), str(result))
    assert v.returncode == 0, v.stderr
    assert "stable" in v.stdout


def test_verify_names_each_violation_and_fails(tmp_path: Path) -> None:
    market = tmp_path / "m.json"
    market.write_text(
        json.dumps(
            {
                "format": "matchweek.market/1",
                "programs": [
                    {"code": "P1", "track": "categorical", "positions": 1, "rank_list": ["A1", "A2"]}
                ],
                "applicants": [{"id": "A1", "rank_list": ["P1"]}, {"id": "A2", "rank_list": ["P1"]}],
            }
        )
    )
    result = tmp_path / "r.json"
    # A2 holds the position although the program prefers A1, who wants it: a blocking pair.
    result.write_text(
        json.dumps(
            {
                "format": "matchweek.result/1",
                "matches": [{"applicant": "A2", "program": "P1"}],
                "applicants": {"A1": "unmatched", "A2": "matched"},
                "unfilled": {},
                "instabilities": [],
            }
        )
    )
    r = run("verify", str(market), str(result))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert any("A1" in line and "P1" in line and "block" in line for line in lines), r.stderr
    assert lines[-1].endswith(": 1 violation")
