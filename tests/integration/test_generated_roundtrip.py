"""Generated markets survive every form they can be stored in."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchweek.formats import (
    market_from_json,
    market_to_json,
    read_market_csv,
    read_market_xlsx,
    write_market_csv,
    write_market_xlsx,
)
from matchweek.synth import generate_market

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=seeds)
def test_generated_markets_round_trip_through_json(seed: int) -> None:
    market = generate_market("small", seed)
    data = market_to_json(market)
    again = market_from_json(data)
    assert again == market
    assert market_to_json(again) == data


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=seeds)
def test_generated_markets_round_trip_through_csv_and_xlsx(seed: int) -> None:
    market = generate_market("small", seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "csv"
        write_market_csv(market, folder)
        assert read_market_csv(folder) == market
        book = Path(tmp) / "m.xlsx"
        write_market_xlsx(market, book)
        assert read_market_xlsx(book) == market
