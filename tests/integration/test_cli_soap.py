"""``matchweek soap run`` as a user runs it: exact results for good scripts, one line and no file for bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import run

from matchweek.formats import read_soap_script
from matchweek.soap import replay
from matchweek.soap.script import play_script
from matchweek.week.eventlog import read_event_log

DATA = Path(__file__).parent.parent / "data" / "soap"
BROKEN = DATA / "broken"
EXPECTED_REFUSALS = json.loads((BROKEN / "expected.json").read_text())


@pytest.mark.parametrize("name", ["example", "week3"])
def test_soap_run_writes_the_exact_expected_result_and_a_replayable_log(name: str, tmp_path: Path) -> None:
    out, log = tmp_path / "result.json", tmp_path / "events.jsonl"
    r = run("soap", "run", str(DATA / f"{name}.soap.json"), "--out", str(out), "--events", str(log))
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text()) == json.loads((DATA / f"{name}.result.json").read_text())
    events = read_event_log(log)
    played = play_script(read_soap_script(DATA / f"{name}.soap.json"))
    assert events == played.events
    assert replay(events) == played.state


@pytest.mark.parametrize("name", sorted(EXPECTED_REFUSALS))
def test_soap_run_refuses_a_script_breaking_a_rule_naming_round_and_record(name: str, tmp_path: Path) -> None:
    out, log = tmp_path / "result.json", tmp_path / "events.jsonl"
    r = run("soap", "run", str(BROKEN / name), "--out", str(out), "--events", str(log))
    assert r.returncode == 1
    assert r.stderr.strip() == f"error: {EXPECTED_REFUSALS[name]}"
    assert not out.exists()
    assert not log.exists()


def test_a_bad_event_log_line_is_named(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    log.write_text('{"type": "status_released", "at": 600}\n{"type": "no_such_event"}\n')
    with pytest.raises(Exception, match="line 2"):
        read_event_log(log)
