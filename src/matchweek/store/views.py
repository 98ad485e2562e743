"""What the store's read-model queries return."""

from __future__ import annotations

from dataclasses import dataclass

from matchweek.model import WeekTime


@dataclass(frozen=True)
class ApplicationView:
    """An application as sent: the program, the documents chosen for it and when it was submitted.

    ``personal_statement`` is None and ``letters`` empty when the application
    named no documents.
    """

    applicant: str
    program: str
    personal_statement: str | None
    letters: tuple[str, ...]
    submitted_at: WeekTime
