"""Reading a well-formed ``matchweek.market/1`` file at C speed, with msgspec.

msgspec parses the JSON text straight into typed records and checks every field's type,
the unknown and required fields, the enums and non-empty identifiers in the same pass,
without building a dictionary per record. The schema here is deliberately no wider than
the careful reader (``market_reader``); exams and documents, being msgspec Structs in
the model, are decoded straight into the model's own types: anything it refuses, including values the careful
reader would accept (an explicit ``null`` for an optional field, say), is handed to the
careful reader, which says exactly what is wrong or reads it. So this is only a faster
route to the same ``Market``, never a second opinion on what is valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from operator import attrgetter
from typing import Literal

import msgspec

from matchweek.formats.bulk import build_columns, field_names
from matchweek.formats.market_checks import APPLICANT_RANK_LISTS, ReaderNotes, lists_with_repeats
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Couple,
    Document,
    ExamResult,
    Market,
    Program,
    RankEntry,
    RedFlag,
    Track,
    Visa,
)
from matchweek.model.applicant import Text


class _Record(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A record of the format: unknown fields are refused."""


class _Program(_Record):
    code: Text
    track: Track
    positions: int
    rank_list: list[str] = []
    name: Text | None = None
    institution: Text | None = None
    specialty: Text | None = None
    state: Text | None = None
    visa: list[Visa] = []
    reverts_to: Text | None = None
    soap: bool | None = None
    img_share: float | None = None


class _Link(_Record):
    program: Text
    supplemental: Text | None = None


class _Applicant(_Record):
    id: Text
    kind: ApplicantKind | None = None
    rank_list: list[Text | _Link] = []
    supplemental_lists: dict[Text, list[Text]] = {}
    graduation_year: int | None = None
    visa_need: Visa | None = None
    verified: bool = True
    can_start_july_1: bool = True
    us_clinical_months: int | None = None
    exams: tuple[ExamResult, ...] = ()
    personal_statements: tuple[Document, ...] = ()
    letters: tuple[Document, ...] = ()
    ties: list[Text] = []
    red_flags: list[RedFlag] = []
    home_institution: Text | None = None


class _Couple(_Record):
    members: tuple[Text, Text]
    rank_list: list[tuple[Text | None, Text | None]] = []


class _Market(_Record):
    format: Literal["matchweek.market/1"]
    programs: list[_Program]
    applicants: list[_Applicant]
    couples: list[_Couple] = []


_DECODER = msgspec.json.Decoder(_Market)

# Records are copied field by field in the model's constructor order: a change to the
# model must be made here too, and is caught at import.
for _record, _model in ((_Program, Program), (_Applicant, Applicant)):
    if set(_record.__struct_fields__) != set(field_names(_model)):
        raise RuntimeError(f"market_fast copies {_model.__name__} field by field: update it with the model")


def decode_market(data: bytes | str) -> tuple[Market, ReaderNotes] | None:
    """The market in ``data`` if it is plainly well formed, else None (read it carefully then).

    Only field types are checked here; the market's rules (``market_checks``) are not. The
    notes say which rank-list rules were seen to hold while decoding, so the checks skip them.
    """
    try:
        document = _DECODER.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    notes = ReaderNotes()
    programs = _programs(document.programs)
    entries = {p.code: RankEntry(p.code) for p in programs}
    market = Market(
        programs=tuple(programs),
        applicants=tuple(_applicants(document.applicants, entries, notes)),
        couples=tuple(
            Couple(members=c.members, rank_list=tuple(map(tuple, c.rank_list))) for c in document.couples
        ),
    )
    return market, notes


def _column(records: list[msgspec.Struct], name: str) -> list[object]:
    return list(map(attrgetter(name), records))


def _programs(records: list[_Program]) -> list[Program]:
    columns = {name: _column(records, name) for name in _Program.__struct_fields__}
    columns["rank_list"] = list(map(tuple, columns["rank_list"]))
    columns["visa"] = list(map(tuple, columns["visa"]))
    return build_columns(Program, [columns[name] for name in field_names(Program)])


def _applicants(
    records: list[_Applicant], entries: dict[str, RankEntry], notes: ReaderNotes
) -> list[Applicant]:
    columns = {name: _column(records, name) for name in _Applicant.__struct_fields__}
    ranked = columns["rank_list"]
    # Plain codes of known programs map straight to their shared entries. When every list
    # does, with no code twice, the rank lists are verified here; the applicants whose lists
    # link to a supplemental list (or hold any) are noted for the checks.
    holders = set(compress(range(len(records)), columns["supplemental_lists"]))
    rank_lists: list[tuple[RankEntry, ...]] = []
    codes: list[Sequence[object]] = list(ranked)
    verified = True
    get_entry = entries.__getitem__
    for i, listed in enumerate(ranked):
        try:
            rank_lists.append(tuple(map(get_entry, listed)))  # type: ignore[arg-type]
        except (KeyError, TypeError):
            linked = _linked_rank_list(listed, entries)
            rank_lists.append(linked)
            holders.add(i)
            codes[i] = [e.program for e in linked]
            verified = verified and all(c in entries for c in codes[i])
    if verified and not lists_with_repeats(codes):
        notes.verified.add(APPLICANT_RANK_LISTS)
        notes.supplemental_holders = holders
    columns["rank_list"] = rank_lists
    columns["supplemental_lists"] = [
        {name: tuple(codes) for name, codes in lists.items()} if lists else {}
        for lists in columns["supplemental_lists"]
    ]
    for key in ("ties", "red_flags"):
        columns[key] = list(map(tuple, columns[key]))
    return build_columns(Applicant, [columns[name] for name in field_names(Applicant)])


def _linked_rank_list(ranked: list[str | _Link], entries: dict[str, RankEntry]) -> tuple[RankEntry, ...]:
    return tuple(
        (entries.get(item) or RankEntry(item))
        if type(item) is str
        else RankEntry(item.program, item.supplemental)  # type: ignore[union-attr]
        for item in ranked
    )
