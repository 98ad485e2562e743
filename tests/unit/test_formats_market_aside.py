"""Reading a market while working on it gives what reading it, then working, gives."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import orjson
import pytest

import matchweek.formats.market_aside as market_aside
from matchweek.errors import FormatError
from matchweek.formats import read_market, read_market_then, write_market
from matchweek.formats.market_fast import decode_market
from matchweek.match import run_match
from matchweek.model import Market, MatchResult
from matchweek.synth import generate_market


@cache
def _small() -> Market:
    return generate_market("small", 7)


@pytest.fixture
def market_file(tmp_path: Path) -> Path:
    path = tmp_path / "market.json"
    write_market(_small(), path)
    return path


@pytest.fixture
def faulty_file(tmp_path: Path) -> Path:
    """A market that decodes cleanly but breaks a rule: two applicants with one id."""
    document = orjson.loads(orjson.dumps(_market_document()))
    document["applicants"][1]["id"] = document["applicants"][0]["id"]
    data = orjson.dumps(document)
    assert decode_market(data) is not None  # so the rules are checked aside, not by the careful reader
    path = tmp_path / "faulty.json"
    path.write_bytes(data)
    return path


def _market_document() -> dict[str, object]:
    from matchweek.formats import market_to_json

    return orjson.loads(market_to_json(_small()))


def _applicants(market: Market) -> int:
    return len(market.applicants)


def _refusal(path: Path) -> str:
    with pytest.raises(FormatError) as refused:
        read_market(path)
    return str(refused.value)


def test_a_sound_market_gives_the_market_and_the_work_done_on_it(market_file: Path) -> None:
    market, result = read_market_then(market_file, run_match)
    assert market == read_market(market_file)
    assert result == run_match(market)


def test_a_market_breaking_a_rule_is_refused_as_read_market_refuses_it(faulty_file: Path) -> None:
    done: list[MatchResult] = []
    with pytest.raises(FormatError) as refused:
        read_market_then(faulty_file, lambda m: done.append(run_match(m)))
    assert str(refused.value) == _refusal(faulty_file)
    assert "duplicate applicant id" in str(refused.value)


def test_the_works_failure_on_a_faulty_market_gives_way_to_the_format_error(faulty_file: Path) -> None:
    def fails(market: Market) -> None:
        raise ValueError("the work could not cope")

    with pytest.raises(FormatError) as refused:
        read_market_then(faulty_file, fails)
    assert str(refused.value) == _refusal(faulty_file)


def test_the_works_failure_on_a_sound_market_is_raised_as_it_is(market_file: Path) -> None:
    def fails(market: Market) -> None:
        raise ValueError("the work could not cope")

    with pytest.raises(ValueError, match="could not cope"):
        read_market_then(market_file, fails)


def test_with_one_core_the_rules_are_checked_in_the_process(
    market_file: Path, faulty_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(market_aside, "_cores", lambda: 1)

    def no_fork() -> int:
        raise AssertionError("forked with one core")

    monkeypatch.setattr(os, "fork", no_fork, raising=False)
    assert read_market_then(market_file, _applicants)[1] == len(_small().applicants)
    with pytest.raises(FormatError):
        read_market_then(faulty_file, _applicants)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_if_the_checking_process_dies_the_rules_are_checked_here(
    market_file: Path, faulty_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(market_aside, "_cores", lambda: 2)
    parent = os.getpid()
    checks = market_aside.market_checks.check_market
    checked_here: list[int] = []

    def dies_in_the_child(market, notes):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os._exit(70)
        checked_here.append(1)
        return checks(market, notes)

    monkeypatch.setattr(market_aside.market_checks, "check_market", dies_in_the_child)
    _, result = read_market_then(market_file, run_match)
    assert result == run_match(read_market(market_file))
    assert checked_here == [1]
    with pytest.raises(FormatError):
        read_market_then(faulty_file, run_match)
