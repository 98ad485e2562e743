"""Which personal statement and letters go with each application on the list, and what is missing.

Each application carries one personal statement and up to the policy's number
of letters (§4), chosen by the program's specialty as the behaviour models
choose them (``agents.document_file``): the statement written for that
specialty and its letters, topped up with general ones; for a specialty with
nothing written for it, the general documents. A combined program
(``Internal Medicine–Psychiatry``) gets the combined statement and letters of
the combination, then of each of its fields in turn, then the general letters. A primary-care track
(``Internal Medicine – Primary``) uses its field's documents.

A **gap** is a specialty on the list without a letter written for it (for a
combined specialty: for it or for each of its fields) or without its own
personal statement: those applications go out with general documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matchweek.agents import Attachment, document_file
from matchweek.model import Applicant, Document, Policy
from matchweek.plan.listing import ListedProgram
from matchweek.plan.profile import ANY_SPECIALTY, Profile, component_specialties, same_specialty


@dataclass(frozen=True, slots=True)
class DocumentChoice:
    """The documents attached to the application to one program."""

    program: str
    specialty: str | None
    personal_statement: str | None
    letters: tuple[str, ...]
    note: str | None = None
    """What falls short, if anything (e.g. general documents sent for lack of the specialty's own)."""


@dataclass(frozen=True, slots=True)
class DocumentGap:
    """A specialty on the list missing a document of its own."""

    specialty: str
    document: str
    """``letter`` or ``personal statement``."""
    programs: int
    """Applications on the list that it affects."""
    detail: str


@dataclass(frozen=True, eq=False)
class DocumentPlan:
    """Documents for every application on a list, and the gaps to fill before sending them."""

    choices: tuple[DocumentChoice, ...]
    gaps: tuple[DocumentGap, ...]


def document_specialty(specialty: str) -> str:
    """The specialty whose documents go to a program in ``specialty`` (a primary-care track: its field's)."""
    parts = specialty.replace("—", "–").split("–")
    if len(parts) == 2 and parts[1].strip().casefold() == "primary":
        return parts[0].strip()
    return specialty


def assign_documents(
    profile: Profile, programs: Sequence[ListedProgram], policy: Policy | None = None
) -> DocumentPlan:
    """The statement and letters for an application to each of ``programs``, and the gaps."""
    policy = policy or Policy()
    room = policy.letters_per_application
    wants_statement = policy.personal_statements_per_application > 0
    file = document_file(_as_applicant(profile), _main_specialty(profile), policy)
    choices: list[DocumentChoice] = []
    for p in programs:
        if p.specialty is None:
            general = file.general
            choices.append(
                DocumentChoice(
                    p.code,
                    None,
                    general.personal_statement,
                    general.letters,
                    "no specialty listed: general documents",
                )
            )
            continue
        wanted = document_specialty(p.specialty)
        fields = component_specialties(wanted)
        if len(fields) > 1:
            choices.append(_combined(profile, p, wanted, fields, room, wants_statement, file.general))
            continue
        own = _written_for(profile.personal_statements, wanted)
        own_letters = _written_for(profile.letters, wanted)
        attachment = file.for_specialty(
            own[0].specialty if own else (own_letters[0].specialty if own_letters else wanted)
        )
        notes = []
        if wants_statement and not own:
            notes.append(f"no statement for {wanted}: sends {attachment.personal_statement or 'none'}")
        if room and not own_letters:
            notes.append(f"no letter for {wanted}: general letters")
        choices.append(
            DocumentChoice(
                p.code,
                p.specialty,
                attachment.personal_statement,
                attachment.letters,
                "; ".join(notes) or None,
            )
        )
    return DocumentPlan(tuple(choices), tuple(_gaps(profile, programs, wants_statement, room)))


def _combined(
    profile: Profile,
    program: ListedProgram,
    wanted: str,
    fields: tuple[str, ...],
    room: int,
    wants_statement: bool,
    general: Attachment,
) -> DocumentChoice:
    """Combined statement and letters first, then each field's letters in turn, then the general
    letters (``general``: what goes to a specialty it wrote nothing for)."""
    notes = []
    statement: str | None = None
    if wants_statement:
        own = _written_for(profile.personal_statements, wanted)
        if own:
            statement = own[0].id
        else:
            first = next((d for f in fields for d in _written_for(profile.personal_statements, f)), None)
            statement = first.id if first is not None else general.personal_statement
            notes.append(f"no combined statement for {wanted}: sends {statement or 'none'}")
    queues = [[d.id for d in _written_for(profile.letters, f)] for f in fields]
    letters = [d.id for d in _written_for(profile.letters, wanted)][:room]
    while len(letters) < room and any(queues):
        for q in queues:
            if q and len(letters) < room:
                letters.append(q.pop(0))
    for d in general.letters:
        if len(letters) >= room:
            break
        if d not in letters:
            letters.append(d)
    return DocumentChoice(
        program.code, program.specialty, statement, tuple(letters), "; ".join(notes) or None
    )


def _gaps(
    profile: Profile, programs: Sequence[ListedProgram], wants_statement: bool, room: int
) -> list[DocumentGap]:
    counts: dict[str, int] = {}
    for p in programs:
        if p.specialty is not None:
            name = document_specialty(p.specialty)
            key = next((k for k in counts if same_specialty(k, name)), name)
            counts[key] = counts.get(key, 0) + 1
    gaps: list[DocumentGap] = []
    for name in sorted(counts, key=lambda s: (-counts[s], s)):
        n = counts[name]
        fields = component_specialties(name)
        if room:
            if len(fields) > 1:
                lacking = [f for f in fields if not _written_for(profile.letters, f)]
                if not _written_for(profile.letters, name) and lacking:
                    gaps.append(
                        DocumentGap(
                            name, "letter", n, f"no letter from {', '.join(lacking)} for a combined program"
                        )
                    )
            elif not _written_for(profile.letters, name):
                gaps.append(DocumentGap(name, "letter", n, f"no letter written for {name}"))
        if wants_statement and not _written_for(profile.personal_statements, name):
            what = "combined personal statement" if len(fields) > 1 else "personal statement"
            gaps.append(DocumentGap(name, "personal statement", n, f"no {what} for {name}"))
    return gaps


def _written_for(docs: Sequence[Document], specialty: str) -> list[Document]:
    return [d for d in docs if same_specialty(d.specialty, specialty)]


def _as_applicant(profile: Profile) -> Applicant:
    """The profile's documents in the form the behaviour models' document rules read."""
    return Applicant(
        id=profile.applicant or "profile",
        letters=profile.letters,
        personal_statements=profile.personal_statements,
    )


def _main_specialty(profile: Profile) -> str | None:
    """The specialty of its first priority tier: its general documents fall back on that field's."""
    for tier in profile.priorities:
        for entry in tier.entries:
            if entry.specialty != ANY_SPECIALTY:
                own = _written_for(profile.personal_statements, entry.specialty) or _written_for(
                    profile.letters, entry.specialty
                )
                return own[0].specialty if own else entry.specialty
    return None
