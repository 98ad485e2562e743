"""The Match Week schedule the clearinghouse clock drives (rule book §3), read from the policy.

Pure: which steps there are, which are done (from the SOAP state, so asking
twice gives the same answer) and which command is due next.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from matchweek.model import Policy, RoundTimes, WeekTime
from matchweek.soap import (
    CloseRound,
    Command,
    EndSoap,
    OpenRound,
    PublishUnfilledList,
    ReleaseStatus,
    SoapState,
)


class StepKind(StrEnum):
    """A step of the week."""

    STATUS_RELEASE = "status_release"
    LIST_RELEASE = "list_release"
    REVIEW_START = "review_start"
    ROUND_OPENS = "round_opens"
    ROUND_CLOSES = "round_closes"
    SOAP_END = "soap_end"


@dataclass(frozen=True)
class ScheduleStep:
    """One step of the week: what, when (week time), for which round, and whether it has happened.

    Review start is a time the rules check, not a command: it is done once the
    clock has reached it.
    """

    kind: StepKind
    at: WeekTime
    round: int | None
    done: bool


def schedule(policy: Policy, state: SoapState, now: WeekTime) -> tuple[ScheduleStep, ...]:
    """Every step of the week in time order, with what ``state`` says has happened by ``now``."""
    status_at, list_at, review_at, rounds, end_at = _times(policy)
    steps = [
        ScheduleStep(StepKind.STATUS_RELEASE, status_at, None, state.status_released),
        ScheduleStep(StepKind.LIST_RELEASE, list_at, None, state.list_published),
        ScheduleStep(StepKind.REVIEW_START, review_at, None, now >= review_at),
    ]
    current = state.current_round
    for times in rounds:
        n = times.number
        steps.append(ScheduleStep(StepKind.ROUND_OPENS, times.opens, n, current >= n))
        closed = current > n or (current == n and not state.round_open)
        steps.append(ScheduleStep(StepKind.ROUND_CLOSES, times.closes, n, closed))
    steps.append(ScheduleStep(StepKind.SOAP_END, end_at, None, state.ended))
    return tuple(steps)


@lru_cache(maxsize=16)
def _times(policy: Policy) -> tuple[WeekTime, WeekTime, WeekTime, tuple[RoundTimes, ...], WeekTime]:
    # The schedule is read before every request: parse the policy's times once.
    return (
        WeekTime.parse(policy.status_release),
        WeekTime.parse(policy.list_release),
        WeekTime.parse(policy.review_start),
        policy.round_times(),
        WeekTime.parse(policy.soap_end),
    )


def due_command(state: SoapState, now: WeekTime) -> Command | None:
    """The command of the first step not yet done, if its time has come by ``now``; else None.

    Steps happen in order, so a later step never goes before an earlier one. The
    command is stamped with the step's time, or the last recorded time if that
    is later (the log's times never go backwards).
    """
    if not state.started or state.ended or state.policy is None or state.clock is None:
        return None
    for step in schedule(state.policy, state, now):
        if step.done or step.kind is StepKind.REVIEW_START:
            continue
        if step.at > now:
            return None
        at = max(step.at, state.clock)
        if step.kind is StepKind.STATUS_RELEASE:
            return ReleaseStatus(at)
        if step.kind is StepKind.LIST_RELEASE:
            return PublishUnfilledList(at)
        if step.kind is StepKind.ROUND_OPENS:
            assert step.round is not None
            return OpenRound(at, step.round)
        if step.kind is StepKind.ROUND_CLOSES:
            assert step.round is not None
            return CloseRound(at, step.round)
        return EndSoap(at)
    return None
