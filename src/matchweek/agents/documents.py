"""Which documents an applicant attaches to an application, chosen by the program's specialty (§4).

An application carries one personal statement and up to the policy's number of
letters. The applicant uses what it wrote for the program's specialty; lacking
that, its general documents: those tagged ``general``, or, if it has none, the
ones written for the specialty it went for in the Main Match (its broadest
file); as a last resort, the first on file.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchweek.model import Applicant, Document, Policy

GENERAL = "general"
"""The specialty tag of a document written for no specialty in particular (compared case-insensitively)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """The documents sent with one application (none at all: ``None`` and no letters)."""

    personal_statement: str | None
    letters: tuple[str, ...]


NOTHING_ATTACHED = Attachment(None, ())


@dataclass(frozen=True, slots=True)
class DocumentFile:
    """An applicant's documents sorted for attaching: what it sends per specialty, and otherwise."""

    by_specialty: dict[str, Attachment]
    general: Attachment
    """What it sends to a program of a specialty it has no documents for."""

    def for_specialty(self, specialty: str | None) -> Attachment:
        """The attachment for an application to a program in ``specialty``."""
        if specialty is None:
            return self.general
        return self.by_specialty.get(specialty, self.general)


def _is_general(d: Document) -> bool:
    return d.specialty.lower() == GENERAL


def _general(docs: tuple[Document, ...], main: str | None) -> list[Document]:
    """Documents for a specialty it wrote nothing for: general ones, else its Main Match ones, else all."""
    for tier in (
        [d for d in docs if _is_general(d)],
        [d for d in docs if main is not None and d.specialty == main],
        list(docs),
    ):
        if tier:
            return tier
    return []


def document_file(applicant: Applicant, main_specialty: str | None, policy: Policy) -> DocumentFile:
    """Sort ``applicant``'s documents for attaching under ``policy`` (see :func:`documents_for`)."""
    room = policy.letters_per_application
    wants_statement = policy.personal_statements_per_application > 0
    general_statements = _general(applicant.personal_statements, main_specialty)
    general_letters = [d.id for d in _general(applicant.letters, main_specialty)][:room]
    if wants_statement and not general_statements:
        return DocumentFile({}, NOTHING_ATTACHED)
    fallback = general_statements[0].id if wants_statement else None
    general = Attachment(fallback, tuple(general_letters))
    tagged_general = [d.id for d in applicant.letters if _is_general(d)]
    by_specialty: dict[str, Attachment] = {}
    for d in (*applicant.personal_statements, *applicant.letters):
        s = d.specialty
        if s in by_specialty or _is_general(d):
            continue
        own_statement = next((x.id for x in applicant.personal_statements if x.specialty == s), None)
        own_letters = [x.id for x in applicant.letters if x.specialty == s][:room]
        if own_letters:
            # A specialty's own letters are topped up with general ones, never with another specialty's.
            own_letters.extend(tagged_general[: room - len(own_letters)])
        else:
            own_letters = general_letters
        statement = (own_statement or fallback) if wants_statement else None
        by_specialty[s] = Attachment(statement, tuple(own_letters))
    return DocumentFile(by_specialty, general)


def documents_for(
    applicant: Applicant, specialty: str | None, main_specialty: str | None, policy: Policy
) -> Attachment:
    """The personal statement and letters ``applicant`` attaches to an application in ``specialty``.

    The statement written for the specialty, else a general one (see the module
    docstring). Letters of the specialty come first, topped up with ``general``
    ones up to ``policy.letters_per_application``; without letters of the
    specialty, its general letters. With no personal statement on file while the
    policy asks for one, nothing is attached (the application goes without
    documents rather than breaking the document rules).
    """
    return document_file(applicant, main_specialty, policy).for_specialty(specialty)
