"""Errors a user of the planner can cause, each read as one line."""

from __future__ import annotations

from matchweek.errors import MatchweekError
from matchweek.formats.faultlog import quote


class PlanError(MatchweekError):
    """The planner was asked for something it cannot do."""


class UnknownProgram(PlanError):
    """A program code was named that is not on the list the planner works from."""

    def __init__(self, code: str, where: str) -> None:
        self.code = code
        super().__init__(
            f"{where}: unknown program code {quote(code)} (not on the list of unfilled programs)"
        )


class NoListing(PlanError):
    """A command needs the list of unfilled programs and was given none, or two."""
