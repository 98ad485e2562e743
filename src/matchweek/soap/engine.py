"""A SOAP run in memory: the live state together with the event log that built it."""

from __future__ import annotations

from matchweek.soap.commands import Command
from matchweek.soap.events import Event
from matchweek.soap.handlers import handle
from matchweek.soap.state import SoapState, apply


class SoapEngine:
    """Executes commands one at a time, keeping the state and the append-only log of events.

    A refused command raises :class:`~matchweek.soap.errors.RuleViolation` and
    leaves both untouched.
    """

    def __init__(self) -> None:
        self.state = SoapState()
        self.events: list[Event] = []

    def execute(self, command: Command) -> list[Event]:
        """Check ``command``, record the events it produces and return them."""
        events = handle(self.state, command)
        for event in events:
            apply(self.state, event)
        self.events.extend(events)
        return events
