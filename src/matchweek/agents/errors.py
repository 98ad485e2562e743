"""Errors a caller of the behaviour models can cause, each read as one line."""

from __future__ import annotations

from matchweek.errors import MatchweekError


class AgentError(MatchweekError):
    """The behaviour models were asked for something they cannot do."""


class UnknownStrategy(AgentError):
    """An application strategy was named that does not exist."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        super().__init__(f"unknown application strategy {name!r} (known: {', '.join(known)})")


class UnknownEntrant(AgentError):
    """A strategy was assigned to, or facts were needed for, an applicant not taking part in SOAP."""

    def __init__(self, applicant: str, why: str) -> None:
        self.applicant = applicant
        super().__init__(f"{applicant}: {why}")
