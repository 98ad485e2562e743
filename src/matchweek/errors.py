"""Typed errors that surface to users as one clear line."""

from __future__ import annotations

from dataclasses import dataclass


class MatchweekError(Exception):
    """Base of every error matchweek reports to a user as one line."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault in an input: where it is (``applicants[17].rank_list[3]``) and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class FormatError(MatchweekError):
    """An input file breaks its format; nothing of it was loaded.

    Carries every fault found; ``str()`` shows the first ``shown`` of them, one
    per line, then how many more there are.
    """

    shown = 20

    def __init__(self, faults: list[Fault] | Fault, source: str | None = None) -> None:
        self.faults = [faults] if isinstance(faults, Fault) else list(faults)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        prefix = f"{self.source}: " if self.source else ""
        lines = [prefix + str(f) for f in self.faults[: self.shown]]
        extra = len(self.faults) - self.shown
        if extra > 0:
            lines.append(f"{prefix}... and {extra} more fault{'s' if extra > 1 else ''}")
        return "\n".join(lines)


class PolicyError(MatchweekError):
    """A policy file or value is invalid."""
