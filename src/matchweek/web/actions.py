"""The changes people make through the portal, each one SOAP command through ``store.execute`` with its actor.

Pages and the API call these same functions, so both apply the same rules and the audit
log names the account that acted. Each returns a sentence saying what was done; the
engine's :class:`~matchweek.soap.RuleViolation` (one line, naming rule and record) passes
through unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from matchweek.model import Policy, WeekTime
from matchweek.soap import Accept, CertifyPreferenceList, Reject, SubmitApplication
from matchweek.store import Account
from matchweek.web.portal import Portal
from matchweek.web.problems import BadInput, Conflict


def application(
    portal: Portal, applicant: str, program: str, personal_statement: str | None, letters: Sequence[str]
) -> SubmitApplication:
    """The command that sends the applicant's application to ``program`` now, with the documents
    chosen (a blank statement: none)."""
    return SubmitApplication(portal.now(), applicant, program, personal_statement or None, tuple(letters))


def apply_to_program(
    portal: Portal,
    account: Account,
    applicant: str,
    program: str,
    personal_statement: str | None,
    letters: Sequence[str],
) -> str:
    """Send the applicant's application to ``program`` with the documents chosen."""
    portal.store.execute(
        application(portal, applicant, program, personal_statement, letters), actor=account.username
    )
    return f"Application sent to {program}."


def accept_offers(
    portal: Portal, account: Account, applicant: str, programs: Sequence[str], confirmed: bool
) -> str:
    """Accept one offer (or one PGY-1-only and one advanced); refused unless the binding step is confirmed."""
    if not confirmed:
        raise BadInput("an acceptance is binding: confirm that you understand this to accept an offer")
    if not programs:
        raise BadInput("choose the offer to accept")
    portal.store.execute(
        Accept(at=portal.now(), applicant=applicant, programs=tuple(programs)), actor=account.username
    )
    return f"You accepted {' and '.join(programs)}: this is a binding match."


def reject_offers(portal: Portal, account: Account, applicant: str, programs: Sequence[str]) -> str:
    """Reject open offers."""
    if not programs:
        raise BadInput("choose the offer to reject")
    portal.store.execute(
        Reject(at=portal.now(), applicant=applicant, programs=tuple(programs)), actor=account.username
    )
    return f"You rejected the offer from {' and '.join(programs)}."


def certify_list(portal: Portal, account: Account, program: str, applicants: Sequence[str]) -> str:
    """Certify the program's preference list; the next round to open uses it."""
    portal.store.execute(
        CertifyPreferenceList(at=portal.now(), program=program, applicants=tuple(applicants)),
        actor=account.username,
    )
    n = len(applicants)
    return f"Preference list of {program} certified with {n} applicant{'s' if n != 1 else ''}."


def start_soap(portal: Portal, account: Account, overrides: dict[str, object]) -> str:
    """Start SOAP under the rule book's policy with ``overrides``; PolicyError for inconsistent values."""
    if portal.store.match_result() is None:
        raise Conflict("run the Main Match before starting SOAP")
    policy = Policy().with_values(dict(overrides))
    portal.store.start_soap(policy, actor=account.username)
    return "SOAP started."


def move_clock(portal: Portal, account: Account, to: WeekTime) -> str:
    """Move the clearinghouse clock forward to ``to`` and carry out every step due by then."""
    portal.store.clock.set(to)  # StoreError if ``to`` is behind the clock: it never goes back
    done = portal.store.tick(actor=account.username)
    return f"Clock moved to {to}; {len(done)} event{'s' if len(done) != 1 else ''} recorded."
