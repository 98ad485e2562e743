"""Playing a ``matchweek.soap/1`` script through the SOAP engine.

The script's steps happen at the policy's times: SOAP starts and status goes
out at the status release, the List of Unfilled Programs and the first
applications at the list release; each round's applications arrive when the
previous round has closed (the first round's at the list release), its
preference lists are certified then (not before programs may review), the
round opens on time, every applicant's rejections and then acceptances arrive
at the opening, and the round closes on time, expiring what is unanswered.
SOAP ends at the policy's end.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchweek.model import Application, SoapResult, SoapScript, WeekTime
from matchweek.soap.commands import (
    Accept,
    CertifyPreferenceList,
    CloseRound,
    Command,
    EndSoap,
    OpenRound,
    PublishUnfilledList,
    Reject,
    ReleaseStatus,
    SoapEntrant,
    StartSoap,
    SubmitApplication,
)
from matchweek.soap.engine import SoapEngine
from matchweek.soap.errors import RuleViolation
from matchweek.soap.events import Event
from matchweek.soap.state import SoapState, soap_result


@dataclass(frozen=True, slots=True)
class ScriptRun:
    """A played script: its result, the event log and the final state."""

    result: SoapResult
    events: tuple[Event, ...]
    state: SoapState


def run_script(script: SoapScript) -> SoapResult:
    """What ``script`` produces; a script breaking any rule raises :class:`RuleViolation` naming
    the round (or the place in the script) and the record at fault, and produces nothing."""
    return play_script(script).result


def play_script(script: SoapScript) -> ScriptRun:
    """Play ``script`` and keep the event log and final state as well as the result."""
    policy = script.policy
    engine = SoapEngine()

    def run(command: Command, round: int | None = None, where: str | None = None) -> None:
        try:
            engine.execute(command)
        except RuleViolation as v:
            raise v.placed(round=round, where=where) from None

    status_at = WeekTime.parse(policy.status_release)
    list_at = WeekTime.parse(policy.list_release)
    review_at = WeekTime.parse(policy.review_start)
    entrants = tuple(SoapEntrant(id=a.id, status=a.status, holds=a.holds) for a in script.applicants)
    run(StartSoap(status_at, script.programs, entrants, policy))
    run(ReleaseStatus(status_at))
    run(PublishUnfilledList(list_at))
    for k, application in enumerate(script.applications):
        run(_submit(list_at, application), where=f"applications[{k}]")

    times = policy.round_times()
    between = list_at
    for i, step in enumerate(script.rounds, start=1):
        if i > policy.rounds:
            raise RuleViolation(
                "schedule.round_limit",
                "§3",
                f"the script has {len(script.rounds)} rounds; the policy allows {policy.rounds}",
                round=i,
            )
        for application in step.applications:
            run(_submit(between, application), round=i)
        certify_at = max(between, review_at)
        for code, ranked in step.preference_lists.items():
            run(CertifyPreferenceList(certify_at, code, tuple(ranked)), round=i)
        opens, closes = times[i - 1].opens, times[i - 1].closes
        run(OpenRound(opens, i), round=i)
        for who in sorted(step.responses):
            response = step.responses[who]
            if response.reject:
                run(Reject(opens, who, tuple(response.reject)), round=i)
            if response.accept:
                run(Accept(opens, who, tuple(response.accept)), round=i)
        run(CloseRound(closes, i), round=i)
        between = closes
    run(EndSoap(WeekTime.parse(policy.soap_end)))
    return ScriptRun(soap_result(engine.state), tuple(engine.events), engine.state)


def _submit(at: WeekTime, application: Application) -> SubmitApplication:
    return SubmitApplication(at, application.applicant, application.program)
