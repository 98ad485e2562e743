"""The one error the SOAP engine raises: a command or script broke a rule of the rule book."""

from __future__ import annotations

from typing import Any

from matchweek.errors import MatchweekError


class RuleViolation(MatchweekError):
    """A command broke a SOAP rule; nothing it asked for happened.

    ``rule`` is a short stable id (``"apply.cap"``), ``section`` the rule book
    section (``"§4"``), ``record`` the applicant id or program code at fault.
    ``round`` is the offer round the command belongs to, when there is one;
    ``where`` names a place in a script (``"applications[3]"``) and, when set,
    is shown instead of the round. ``str()`` is one line, e.g.
    ``round 2: A00017: cannot accept P1: no open offer from P1 (rule §5 offer.accept.not_offered)``.
    """

    def __init__(
        self,
        rule: str,
        section: str,
        message: str,
        *,
        applicant: str | None = None,
        program: str | None = None,
        round: int | None = None,
        where: str | None = None,
        record: str | None = None,
    ) -> None:
        self.rule = rule
        self.section = section
        self.message = message
        self.applicant = applicant
        self.program = program
        self.round = round
        self.where = where
        self.record = record if record is not None else (applicant or program or "")
        super().__init__(self._render())

    def _render(self) -> str:
        parts: list[str] = []
        if self.where:
            parts.append(self.where)
        elif self.round is not None:
            parts.append(f"round {self.round}")
        if self.record:
            parts.append(self.record)
        parts.append(f"{self.message} (rule {self.section} {self.rule})")
        return ": ".join(parts)

    def __str__(self) -> str:
        return self._render()

    def placed(self, *, round: int | None = None, where: str | None = None) -> RuleViolation:
        """The same violation, located in a script (round number or a path such as ``applications[3]``)."""
        values = self._fields()
        if round is not None:
            values["round"] = round
        if where is not None:
            values["where"] = where
        return RuleViolation(self.rule, self.section, self.message, **values)

    def __reduce__(self) -> Any:
        # Keyword-only arguments do not survive the default exception pickling.
        return (_rebuild, (self.rule, self.section, self.message, self._fields()))

    def _fields(self) -> dict[str, Any]:
        return {
            "applicant": self.applicant,
            "program": self.program,
            "round": self.round,
            "where": self.where,
            "record": self.record,
        }


def _rebuild(rule: str, section: str, message: str, values: dict[str, Any]) -> RuleViolation:
    return RuleViolation(rule, section, message, **values)
