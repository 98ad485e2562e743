"""Telling formats apart (read_any) and writing files atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

import matchweek.formats.fileio as fileio
from matchweek.errors import FormatError
from matchweek.formats import (
    read_any,
    write_market,
    write_market_csv,
    write_market_xlsx,
    write_result,
    write_result_csv,
    write_soap_result,
    write_soap_script,
)
from matchweek.model import (
    Applicant,
    Market,
    MatchResult,
    MatchStatus,
    Program,
    RankEntry,
    SoapResult,
    SoapScript,
    Track,
)

MARKET = Market(
    programs=(Program("C1", Track.CATEGORICAL, 1, ("A1",)),),
    applicants=(Applicant("A1", rank_list=(RankEntry("C1"),)),),
)
RESULT = MatchResult(matches=(), statuses={"A1": MatchStatus.UNMATCHED}, unfilled={"C1": 1})


def test_read_any_tells_every_format_apart(tmp_path: Path) -> None:
    write_market(MARKET, tmp_path / "m.json")
    write_market_csv(MARKET, tmp_path / "m-csv")
    write_market_xlsx(MARKET, tmp_path / "m.xlsx")
    write_result(RESULT, tmp_path / "r.json")
    write_soap_script(SoapScript(programs=(), applicants=()), tmp_path / "s.json")
    write_soap_result(SoapResult(rounds=(), matches=(), unfilled={}), tmp_path / "sr.json")
    assert read_any(tmp_path / "m.json") == ("matchweek.market/1", MARKET)
    assert read_any(str(tmp_path / "m-csv")) == ("matchweek.market/1", MARKET)
    assert read_any(tmp_path / "m.xlsx") == ("matchweek.market/1", MARKET)
    assert read_any(tmp_path / "r.json") == ("matchweek.result/1", RESULT)
    assert read_any(tmp_path / "s.json")[0] == "matchweek.soap/1"
    assert read_any(tmp_path / "sr.json")[0] == "matchweek.soap-result/1"


def one_line(path: Path) -> str:
    with pytest.raises(FormatError) as caught:
        read_any(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_read_any_refuses_what_it_cannot_read_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "unknown.json").write_text('{"format": "matchweek.market/9"}')
    (tmp_path / "none.json").write_text('{"programs": []}')
    (tmp_path / "list.json").write_text("[]")
    (tmp_path / "bad.json").write_text("{'format': 1}")
    known = "matchweek.market/1, matchweek.result/1, matchweek.soap/1, matchweek.soap-result/1"
    assert one_line(tmp_path / "unknown.json") == (
        f'{tmp_path / "unknown.json"}: format: unknown format "matchweek.market/9" (one of {known})'
    )
    assert (
        one_line(tmp_path / "none.json")
        == f"{tmp_path / 'none.json'}: format: required field missing (one of {known})"
    )
    assert one_line(tmp_path / "list.json") == f"{tmp_path / 'list.json'}: must be a JSON object, got a list"
    assert one_line(tmp_path / "bad.json").startswith(f"{tmp_path / 'bad.json'}: not valid JSON: ")
    assert one_line(tmp_path / "missing.json") == f"{tmp_path / 'missing.json'}: no such file"
    write_result_csv(RESULT, tmp_path / "r-csv")
    assert one_line(tmp_path / "r-csv") == (
        f"{tmp_path / 'r-csv'}: result tables are an export only; read the result's JSON file"
    )


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "m.json"
    target.write_bytes(b"old")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(fileio.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_market(MARKET, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_written_files_get_the_permissions_a_plain_open_gives(tmp_path: Path) -> None:
    write_market(MARKET, tmp_path / "m.json")
    (tmp_path / "plain").write_bytes(b"")
    assert (tmp_path / "m.json").stat().st_mode == (tmp_path / "plain").stat().st_mode
