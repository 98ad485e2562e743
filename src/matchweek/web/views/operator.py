"""What the operator sees: the whole week at a glance, its schedule, and the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from matchweek.model import Market, MatchResult, MatchStatus, WeekTime
from matchweek.soap import SoapState, event_to_dict, unfilled_positions
from matchweek.web.schedule import schedule, step_key, step_label
from matchweek.web.schemas import (
    EventOut,
    MainMatchOut,
    MarketSummaryOut,
    OverviewOut,
    SoapSummaryOut,
    StepOut,
)

if TYPE_CHECKING:
    from matchweek.store import StoredEvent


def market_summary(market: Market) -> MarketSummaryOut:
    """A market's size."""
    return MarketSummaryOut(
        programs=len(market.programs),
        positions=sum(p.positions for p in market.programs),
        applicants=len(market.applicants),
        couples=len(market.couples),
    )


def main_match_summary(result: MatchResult) -> MainMatchOut:
    """The Main Match's outcome in counts."""
    counts = dict.fromkeys(MatchStatus, 0)
    for status in result.statuses.values():
        counts[status] += 1
    return MainMatchOut(
        matched=counts[MatchStatus.MATCHED],
        partially_matched=counts[MatchStatus.PARTIALLY_MATCHED],
        unmatched=counts[MatchStatus.UNMATCHED],
        positions_filled=len(result.matches),
        positions_unfilled=sum(result.unfilled.values()),
        instabilities=len(result.instabilities),
    )


def soap_summary(state: SoapState) -> SoapSummaryOut:
    """SOAP in counts: where the schedule stands, applications, offers, matches, positions still open."""
    return SoapSummaryOut(
        started=state.started,
        status_released=state.status_released,
        list_published=state.list_published,
        current_round=state.current_round,
        round_open=state.round_open,
        ended=state.ended,
        programs=len(state.programs),
        entrants=len(state.applicants),
        applications=sum(len(a.applications) for a in state.applicants.values()),
        offers=len(state.offers),
        matches=len(state.matches),
        positions_open=sum(unfilled_positions(state).values()),
    )


def overview(
    *,
    now: WeekTime,
    wall_time_of: Callable[[WeekTime], datetime],
    market: Market | None,
    match_result: MatchResult | None,
    state: SoapState,
    accounts: int,
) -> OverviewOut:
    """The operator's dashboard: the clock, the market, the Main Match, SOAP and its schedule."""
    steps = []
    if state.policy is not None:
        steps = [
            StepOut(
                key=step_key(s), label=step_label(s), at=str(s.at), at_utc=wall_time_of(s.at), done=s.done
            )
            for s in schedule(state.policy, state, now)
        ]
    return OverviewOut(
        clock=str(now),
        clock_utc=wall_time_of(now),
        market=market_summary(market) if market is not None else None,
        main_match=main_match_summary(match_result) if match_result is not None else None,
        soap=soap_summary(state),
        schedule=steps,
        accounts=accounts,
    )


def audit_entries(stored_events: Iterable[StoredEvent]) -> list[EventOut]:
    """Entries of the audit log as the API shows them (the event as its log dict)."""
    return [
        EventOut(seq=s.seq, actor=s.actor, recorded_at=s.recorded_at, event=event_to_dict(s.event))
        for s in stored_events
    ]
