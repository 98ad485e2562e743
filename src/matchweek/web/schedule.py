"""The Match Week schedule as the portal shows it: the store's steps with a label and a key for each.

The store's clock fires the steps (``Store.tick``); the operator may move the clock to a
step to make it happen now. The steps and their times come from the policy (rule book §3).
"""

from __future__ import annotations

from matchweek.model import Policy, WeekTime
from matchweek.soap import SoapState
from matchweek.store import ScheduleStep, StepKind
from matchweek.store.schedule import schedule

_LABELS = {
    StepKind.STATUS_RELEASE: "Match status released",
    StepKind.LIST_RELEASE: "List of Unfilled Programs released; applications open",
    StepKind.REVIEW_START: "Programs start reviewing applications",
    StepKind.SOAP_END: "SOAP ends",
}


def step_key(step: ScheduleStep) -> str:
    """A stable name for the step, for URLs and the API: ``list_release``, ``round_2_opens``."""
    if step.round is not None:
        return f"round_{step.round}_{'opens' if step.kind is StepKind.ROUND_OPENS else 'closes'}"
    return step.kind.value


def step_label(step: ScheduleStep) -> str:
    """What happens at the step, in words."""
    if step.kind is StepKind.ROUND_OPENS:
        return f"Round {step.round} opens; offers go out"
    if step.kind is StepKind.ROUND_CLOSES:
        return f"Round {step.round} closes; unanswered offers expire"
    return _LABELS[step.kind]


def next_round_opening(policy: Policy, state: SoapState) -> tuple[int, WeekTime] | None:
    """The next round to open and when; a list certified before then is the one it uses (§5)."""
    upcoming = state.current_round + 1
    times = policy.round_times()
    if upcoming > len(times) or state.ended:
        return None
    return upcoming, times[upcoming - 1].opens


def round_closes(policy: Policy, number: int) -> WeekTime:
    """When round ``number`` closes: offers of that round not answered by then expire."""
    return policy.round_times()[number - 1].closes


def review_open(policy: Policy, now: WeekTime) -> bool:
    """Whether programs may review applications at ``now`` (§3)."""
    return now >= WeekTime.parse(policy.review_start)


__all__ = [
    "next_round_opening",
    "review_open",
    "round_closes",
    "schedule",
    "step_key",
    "step_label",
]
