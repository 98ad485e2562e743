"""The fast ways of reading a market agree with the careful one, and give way to it on anything odd."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchweek.formats.market_json as market_json
import matchweek.formats.market_reader as market_reader
from matchweek.errors import FormatError
from matchweek.formats import market_from_json, market_to_json
from matchweek.formats.bulk import build_columns, build_many
from matchweek.formats.market_checks import APPLICANT_RANK_LISTS
from matchweek.formats.market_columns import read_applicants_at_once
from matchweek.formats.market_fast import decode_market
from matchweek.formats.market_reader import MarketReader
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Document,
    Exam,
    ExamResult,
    Market,
    Program,
    RankEntry,
    RedFlag,
    Track,
    Visa,
)


def sample_market() -> Market:
    return Market(
        programs=(
            Program("C1", Track.CATEGORICAL, 2, ("A1", "A2"), visa=(Visa.J1,), img_share=0.5),
            Program("ADV", Track.ADVANCED, 1, ("A1",)),
            Program("P1", Track.PRELIMINARY, 1),
        ),
        applicants=(
            Applicant(
                "A1",
                ApplicantKind.US_IMG,
                (RankEntry("ADV", "s"), RankEntry("C1")),
                {"s": ("P1",)},
                graduation_year=2020,
                visa_need=Visa.H1B,
                verified=False,
                us_clinical_months=4,
                exams=(ExamResult(Exam.USMLE_STEP1, True, 2, 220), ExamResult(Exam.USMLE_STEP2_CK, False)),
                personal_statements=(Document("p", "IM"),),
                letters=(Document("l1", "IM", "Dr. A"), Document("l2", "FM")),
                ties=("OH",),
                red_flags=(RedFlag.REMEDIATION,),
                home_institution="H",
            ),
            Applicant("A2", ApplicantKind.US_MD, (RankEntry("C1"),), can_start_july_1=False),
            Applicant("A3"),
        ),
    )


@contextmanager
def careful_reading_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Turn off the quick readers: every record is read by the careful one."""
    with monkeypatch.context() as patch:
        patch.setattr(market_reader, "read_applicants_at_once", lambda *args: None)
        patch.setattr(MarketReader, "quick_program", lambda self, d, ids: None)
        patch.setattr(market_json, "decode_market", lambda data: None)
        yield


def test_build_many_and_build_columns_equal_calling_the_class() -> None:
    rows = [("d1", "IM", None), ("d2", "FM", "Dr. B")]
    assert build_many(Document, rows) == [Document(*row) for row in rows]
    assert build_columns(Document, [["d1", "d2"], ["IM", "FM"], [None, "Dr. B"]]) == [
        Document(*row) for row in rows
    ]
    built = build_many(
        Applicant, [("A1", None, (), {}, None, None, True, True, None, (), (), (), (), (), None)]
    )
    assert built == [Applicant("A1")]
    assert hash(build_many(Document, rows)[1]) == hash(Document(*rows[1]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        built[0].id = "B"  # type: ignore[misc]
    assert build_many(Document, []) == []


def test_build_columns_refuses_misshapen_columns() -> None:
    with pytest.raises(ValueError):
        build_columns(Document, [["d1"], ["IM"]])
    with pytest.raises(ValueError):
        build_columns(Document, [["d1", "d2"], ["IM"], [None]])


def test_build_many_calls_the_class_when_it_has_work_to_do_after_init() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError("negative")

    assert build_many(Checked, [(1,), (2,)]) == [Checked(1), Checked(2)]
    with pytest.raises(ValueError):
        build_many(Checked, [(-1,)])


def test_the_section_reader_takes_a_valid_market_whole() -> None:
    document = orjson.loads(market_to_json(sample_market()))
    entries = {p["code"]: RankEntry(p["code"]) for p in document["programs"]}
    read = read_applicants_at_once(document["applicants"], entries)
    assert read is not None
    assert tuple(read.applicants) == sample_market().applicants
    assert read.rank_lists_verified
    assert read.supplemental_holders == {0}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("supplemental_lists", None),
        ("exams", None),
        ("kind", "alien"),
        ("verified", 1),
        ("graduation_year", True),
        ("letters", [{"id": "x", "specialty": "IM", "author": ""}]),
        ("letters", [{"id": "x", "specialty": 5}]),
        ("exams", [{"exam": "usmle_step1", "passed": 1}]),
        ("exams", [{"exam": "usmle_step1", "passed": True, "attempts": True}]),
        ("ties", [""]),
        ("red_flags", ["late"]),
        ("rank_list", ["C1", {"program": "C1", "supplemental": ""}]),
        ("rank_list", ["NOPE"]),
        ("colour", "red"),
    ],
)
def test_the_section_reader_gives_way_on_anything_odd(field: str, value: Any) -> None:
    document = orjson.loads(market_to_json(sample_market()))
    document["applicants"][1][field] = value
    entries = {p["code"]: RankEntry(p["code"]) for p in document["programs"]}
    assert read_applicants_at_once(document["applicants"], entries) is None
    with pytest.raises(FormatError):
        market_from_json(orjson.dumps(document))


def test_every_way_of_reading_gives_the_same_market(monkeypatch: pytest.MonkeyPatch) -> None:
    text = market_to_json(sample_market())
    assert market_from_json(text) == sample_market()
    with careful_reading_only(monkeypatch):
        assert market_from_json(text) == sample_market()


def test_every_way_of_reading_reports_the_same_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    document = orjson.loads(market_to_json(sample_market()))
    document["applicants"][1]["rank_list"] = ["C1", "C1", "NOPE"]
    document["programs"][0]["rank_list"] = ["A1", "A1"]
    text = orjson.dumps(document)

    def faults() -> list[str]:
        with pytest.raises(FormatError) as caught:
            market_from_json(text)
        return [str(f) for f in caught.value.faults]

    expected = [
        'programs[0].rank_list[1]: applicant "A1" is ranked twice',
        'applicants[1].rank_list[1]: program "C1" is ranked twice',
        'applicants[1].rank_list[2]: unknown program code "NOPE"',
    ]
    assert faults() == expected
    with careful_reading_only(monkeypatch):
        assert faults() == expected


def test_one_odd_applicant_among_thousands_is_named_exactly() -> None:
    applicants: list[dict[str, Any]] = [{"id": f"A{i}", "rank_list": ["C1"]} for i in range(2500)]
    applicants[1500]["kind"] = "alien"
    applicants[2100]["rank_list"] = ["C1", "C1"]
    document = {
        "format": "matchweek.market/1",
        "programs": [{"code": "C1", "track": "categorical", "positions": 1, "rank_list": ["A7", "A1500"]}],
        "applicants": applicants,
    }
    with pytest.raises(FormatError) as caught:
        market_from_json(orjson.dumps(document))
    assert [str(f) for f in caught.value.faults] == [
        'applicants[1500].kind: unknown applicant kind "alien" '
        "(one of us_md, us_do, us_img, non_us_img, prior_grad)",
        'applicants[2100].rank_list[1]: program "C1" is ranked twice',
    ]


def test_the_typed_decoder_takes_a_valid_market_whole() -> None:
    decoded = decode_market(market_to_json(sample_market()))
    assert decoded is not None
    market, notes = decoded
    assert market == sample_market()
    assert market.applicants[0].letters[0] == Document("l1", "IM", "Dr. A")
    # Every rank list names known programs once, A1 with a link to its supplemental list.
    assert notes.verified == {APPLICANT_RANK_LISTS}
    assert notes.supplemental_holders == {0}
    document = orjson.loads(market_to_json(sample_market()))
    document["applicants"][1]["rank_list"] = ["C1", "C1"]
    decoded = decode_market(orjson.dumps(document))
    assert decoded is not None and decoded[1].verified == set()


# Values of every JSON type, including the ones a field may almost accept.
_ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-1.5, 1.5, allow_nan=False),
    st.sampled_from(["", "C1", "ADV", "P1", "A1", "A2", "IM", "usmle_step1", "J-1", "us_md", "remediation"]),
    st.lists(st.sampled_from(["C1", "P1", "A1", "", 0]), max_size=3),
    st.fixed_dictionaries({"program": st.sampled_from(["ADV", "C1", ""])}),
    st.just([{"id": "d", "specialty": "IM"}]),
    st.just([{"exam": "usmle_step1", "passed": True, "attempts": 0}]),
    st.just([["C1", None]]),
)


def _paths(document: Any) -> list[tuple[Any, ...]]:
    """Every place in the document a value sits, as a path of keys and indexes."""
    out: list[tuple[Any, ...]] = []

    def walk(value: Any, path: tuple[Any, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                out.append((*path, key))
                walk(item, (*path, key))
        elif isinstance(value, list):
            for j, item in enumerate(value):
                out.append((*path, j))
                walk(item, (*path, j))

    walk(document, ())
    return out


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_typed_decoder_and_the_careful_reader_always_agree(data: st.DataObject) -> None:
    """Whatever one value of a market is changed to (or if it is removed, or a field is added),
    reading gives the same market or the same faults with the typed decoder as without it."""
    document = orjson.loads(market_to_json(sample_market()))
    path = data.draw(st.sampled_from(_paths(document)))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    action = data.draw(st.sampled_from(["set", "remove", "add"]))
    if action == "set":
        parent[path[-1]] = data.draw(_ODD_VALUES)
    elif action == "remove":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.sampled_from(["extra", "kind", "author", "score"]))] = data.draw(_ODD_VALUES)
    text = orjson.dumps(document)

    def outcome() -> object:
        try:
            return market_from_json(text)
        except FormatError as e:
            return [str(f) for f in e.faults]

    with_decoder = outcome()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(market_json, "decode_market", lambda data: None)
        careful = outcome()
    assert with_decoder == careful
