"""The hand-made scripts of tests/data/soap, read as ``matchweek.soap/1`` files and played by the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matchweek.formats import read_soap_result, read_soap_script, soap_result_to_json
from matchweek.soap import RuleViolation, run_script

DATA = Path(__file__).resolve().parents[1] / "data" / "soap"
BROKEN = DATA / "broken"
EXPECTED_MESSAGES: dict[str, str] = json.loads((BROKEN / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["example", "week3"])
def test_script_file_gives_its_result_file(name: str) -> None:
    result = run_script(read_soap_script(DATA / f"{name}.soap.json"))
    assert result == read_soap_result(DATA / f"{name}.result.json")
    assert soap_result_to_json(result) == (DATA / f"{name}.result.json").read_bytes()


def test_every_broken_script_has_its_message() -> None:
    assert sorted(EXPECTED_MESSAGES) == sorted(p.name for p in BROKEN.glob("*.soap.json"))


@pytest.mark.parametrize("name", sorted(EXPECTED_MESSAGES))
def test_broken_script_file_is_refused_naming_round_and_record(name: str) -> None:
    script = read_soap_script(BROKEN / name)
    with pytest.raises(RuleViolation) as caught:
        run_script(script)
    assert str(caught.value) == EXPECTED_MESSAGES[name]
