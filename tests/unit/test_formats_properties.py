"""Property tests: any valid market survives JSON, a CSV folder and a workbook unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matchweek.formats.market_reader as market_reader
from matchweek.formats import (
    market_faults,
    market_from_json,
    market_to_json,
    read_market_csv,
    read_market_xlsx,
    write_market_csv,
    write_market_xlsx,
)
from matchweek.formats.market_reader import MarketReader
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Couple,
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

# Text a workbook can hold: no control characters but tab and newline (a lone carriage
# return does not survive XML's line-end normalisation), no surrogates.
text = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n"),
    min_size=1,
    max_size=12,
)
identifiers = st.one_of(st.from_regex(r"[A-Z0-9]{1,6}", fullmatch=True), text)
maybe_text = st.none() | text


def unique(items: st.SearchStrategy[str], n: int) -> st.SearchStrategy[list[str]]:
    return st.lists(items, min_size=n, max_size=n, unique=True)


@st.composite
def markets(draw: st.DrawFn) -> Market:
    """A valid market of a few programs and applicants, using every feature of the format."""
    n_programs = draw(st.integers(0, 6))
    codes = draw(unique(identifiers, n_programs))
    tracks = [draw(st.sampled_from(Track)) for _ in codes]
    n_applicants = draw(st.integers(0, 8))
    ids = draw(unique(identifiers, n_applicants))
    pgy1 = [c for c, t in zip(codes, tracks, strict=True) if t.is_pgy1]

    programs = []
    for i, code in enumerate(codes):
        earlier = codes[:i]  # reverting only to earlier programs keeps reversion acyclic
        programs.append(
            Program(
                code=code,
                track=tracks[i],
                positions=draw(st.integers(0, 30)),
                rank_list=tuple(draw(st.permutations(ids).map(lambda p: p[: draw(st.integers(0, len(p)))]))),
                name=draw(maybe_text),
                institution=draw(maybe_text),
                specialty=draw(maybe_text),
                state=draw(st.none() | st.sampled_from(["OH", "NY", "CA"])),
                visa=tuple(draw(st.lists(st.sampled_from(Visa), unique=True))),
                reverts_to=draw(st.none() | st.sampled_from(earlier)) if earlier else None,
                soap=draw(st.none() | st.booleans()),
                img_share=draw(st.none() | st.floats(0.0, 1.0)),
            )
        )

    coupled = draw(st.permutations(ids).map(lambda p: p[: 2 * draw(st.integers(0, len(p) // 2))]))
    couples = tuple(
        Couple(
            members=(coupled[k], coupled[k + 1]),
            rank_list=tuple(
                draw(
                    st.lists(
                        st.tuples(
                            st.none() | st.sampled_from(codes), st.none() | st.sampled_from(codes)
                        ).filter(lambda pair: pair != (None, None)),
                        unique=True,
                        max_size=4,
                    )
                    if codes
                    else st.just([])
                )
            ),
        )
        for k in range(0, len(coupled), 2)
    )

    applicants = []
    for applicant_id in ids:
        lists: dict[str, tuple[str, ...]] = {}
        if pgy1:
            names = draw(st.lists(text, unique=True, max_size=2))
            lists = {n: tuple(draw(st.lists(st.sampled_from(pgy1), min_size=1, unique=True))) for n in names}
        rank_list: tuple[RankEntry, ...] = ()
        if applicant_id not in coupled and codes:
            ranked = draw(st.lists(st.sampled_from(codes), unique=True, max_size=5))
            rank_list = tuple(
                RankEntry(
                    c,
                    draw(st.none() | st.sampled_from(sorted(lists)))
                    if lists and tracks[codes.index(c)] is Track.ADVANCED
                    else None,
                )
                for c in ranked
            )
        documents = draw(unique(identifiers, draw(st.integers(0, 3))))
        split = draw(st.integers(0, len(documents)))
        applicants.append(
            Applicant(
                id=applicant_id,
                kind=draw(st.none() | st.sampled_from(ApplicantKind)),
                rank_list=rank_list,
                supplemental_lists=lists,
                graduation_year=draw(st.none() | st.integers(1950, 2030)),
                visa_need=draw(st.none() | st.sampled_from(Visa)),
                verified=draw(st.booleans()),
                can_start_july_1=draw(st.booleans()),
                us_clinical_months=draw(st.none() | st.integers(0, 60)),
                exams=tuple(
                    ExamResult(
                        exam=e,
                        passed=draw(st.booleans()),
                        attempts=draw(st.integers(1, 4)),
                        score=draw(st.none() | st.integers(0, 300)),
                    )
                    for e in draw(st.lists(st.sampled_from(Exam), unique=True, max_size=3))
                ),
                personal_statements=tuple(
                    Document(d, draw(text), draw(maybe_text)) for d in documents[:split]
                ),
                letters=tuple(Document(d, draw(text), draw(maybe_text)) for d in documents[split:]),
                ties=tuple(draw(st.lists(st.sampled_from(["OH", "NY", "CA", "TX"]), unique=True))),
                red_flags=tuple(draw(st.lists(st.sampled_from(RedFlag), unique=True))),
                home_institution=draw(maybe_text),
            )
        )
    return Market(programs=tuple(programs), applicants=tuple(applicants), couples=couples)


@settings(max_examples=40, deadline=None)
@given(markets())
def test_generated_markets_are_valid_and_round_trip_through_json(market: Market) -> None:
    assert market_faults(market) == []
    text_bytes = market_to_json(market)
    back = market_from_json(text_bytes)
    assert back == market
    assert market_to_json(back) == text_bytes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_markets_round_trip_through_a_csv_folder(market: Market) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp, "first"), Path(tmp, "second")
        write_market_csv(market, first)
        back = read_market_csv(first)
        assert back == market
        write_market_csv(market_from_json(market_to_json(back)), second)
        for path in first.iterdir():
            assert (second / path.name).read_bytes() == path.read_bytes()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_markets_round_trip_through_a_workbook(market: Market) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "m.xlsx")
        write_market_xlsx(market, path)
        assert read_market_xlsx(path) == market


@settings(max_examples=20, deadline=None)
@given(markets())
def test_generated_markets_read_the_same_when_read_carefully(market: Market) -> None:
    """The fast readers agree with the careful, record-by-record one."""
    text_bytes = market_to_json(market)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(market_reader, "read_applicants_at_once", lambda *args: None)
        patch.setattr(MarketReader, "quick_program", lambda self, d, ids: None)
        careful = market_from_json(text_bytes)
    assert careful == market
