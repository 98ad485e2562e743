"""Fixtures of the planner tests (helpers in ``plan_helpers``)."""

from __future__ import annotations

import pytest
from plan_helpers import small_listing, small_week

from matchweek.model import Market, MatchResult
from matchweek.plan.listing import Listing


@pytest.fixture
def market() -> Market:
    return small_week()[0]


@pytest.fixture
def match_result() -> MatchResult:
    return small_week()[1]


@pytest.fixture
def listing() -> Listing:
    return small_listing()
