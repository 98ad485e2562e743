"""Reading all the applicants of a market document at once, a field at a time.

A national market lists some 52,000 applicants, each with a rank list, exams,
documents and ties: read one record at a time, the per-field Python work dominates.
Here each field is pulled out of every applicant in one C-level pass
(``map(dict.get, ...)``), checked for type with a set of the types seen, and turned
into model values in bulk; only applicants with supplemental lists or links are looked
at one by one.

This reader accepts only what is plainly valid. On anything else it gives way (returns
None), and ``MarketReader.applicants`` reads those applicants one by one, finding and
naming every fault.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, compress, islice, repeat
from typing import Any

from matchweek.formats.bulk import build_columns, field_names
from matchweek.formats.jsonvalues import enum_values
from matchweek.formats.market_fields import APPLICANT_FIELDS, DOCUMENT_FIELDS, EXAM_FIELDS, RANK_ENTRY_FIELDS
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Document,
    Exam,
    ExamResult,
    RankEntry,
    RedFlag,
    Visa,
)

_ABSENT = object()
_EMPTY: tuple[()] = ()
_NONE = type(None)
_KIND_OR_NONE: dict[object, ApplicantKind | None] = {None: None, **enum_values(ApplicantKind)}
_VISA_OR_NONE: dict[object, Visa | None] = {None: None, **enum_values(Visa)}
_EXAMS = enum_values(Exam)
_RED_FLAGS = enum_values(RedFlag)


# Applicants are built from columns in constructor order; the order is checked here so
# that a change to the model cannot go unnoticed.
_APPLICANT_ORDER = (
    "id",
    "kind",
    "rank_list",
    "supplemental_lists",
    "graduation_year",
    "visa_need",
    "verified",
    "can_start_july_1",
    "us_clinical_months",
    "exams",
    "personal_statements",
    "letters",
    "ties",
    "red_flags",
    "home_institution",
)
if field_names(Applicant) != _APPLICANT_ORDER or field_names(Document) != ("id", "specialty", "author"):
    raise RuntimeError("market_columns builds applicants field by field: update it with the model")


class _Refused(Exception):
    """Something is not plainly valid; the applicants are read one by one instead."""


@dataclass(frozen=True, slots=True)
class ColumnRead:
    """Applicants read at once, and what was seen while reading them."""

    applicants: list[Applicant]
    rank_lists_verified: bool
    """Every rank list names known programs, none twice."""
    supplemental_holders: set[int]
    """Indexes of the applicants with supplemental lists or links."""


def read_applicants_at_once(items: list[object], entries: dict[str, RankEntry]) -> ColumnRead | None:
    """Every applicant of ``items``, or None if any is not plainly valid.

    ``entries`` maps each program code of the market to its shared plain rank entry.
    """
    try:
        return _read(items, entries)
    except (_Refused, KeyError, TypeError):
        # KeyError and TypeError come from lookups of values that are not what they should
        # be (an unknown code, a list where a string belongs): all of it not plainly valid.
        return None


class _Fields:
    """The records of one kind (applicants, exams, documents), read a field at a time."""

    def __init__(self, records: list[Any], known: frozenset[str]) -> None:
        # A record that is not an object either brings in "keys" that are not field names
        # or, in ``column``, makes dict.get raise TypeError; either way the reader gives way.
        self.records = records
        self.present = set(chain.from_iterable(records))
        if not self.present <= known:
            raise _Refused

    def column(self, key: str, default: object = None) -> list[Any]:
        """Every record's value of ``key`` (``default`` where absent)."""
        if key not in self.present:
            return [default] * len(self.records)
        return list(map(dict.get, self.records, repeat(key), repeat(default)))

    def lists(self, key: str) -> list[Any]:
        """Every record's list under ``key`` (empty where absent)."""
        values = self.column(key, _EMPTY)
        if key in self.present:
            _only(values, list, tuple)
        return values


def _only(values: Iterable[object], *types: type) -> None:
    if not set(map(type, values)) <= set(types):
        raise _Refused


def _nonempty_text(values: list[Any]) -> None:
    """Every value a non-empty string, in one pass: ``str.__len__`` refuses anything else."""
    if values and min(map(str.__len__, values)) == 0:
        raise _Refused


def _optional_text(values: list[Any]) -> None:
    """Every value a non-empty string or None (the strings are looked at once, the Nones not at all)."""
    texts = compress(values, map(operator.is_not, values, repeat(None)))
    if min(map(str.__len__, texts), default=1) == 0:
        raise _Refused


def _split(flat: Iterable[Any], lists: Sequence[Sequence[object]]) -> list[tuple[Any, ...]]:
    """``flat`` cut back into tuples the lengths of ``lists``."""
    items = iter(flat)
    return list(map(tuple, map(islice, repeat(items), map(len, lists))))


def _read(items: list[object], entries: dict[str, RankEntry]) -> ColumnRead:
    f = _Fields(items, APPLICANT_FIELDS)
    ids = f.column("id")
    _nonempty_text(ids)
    kinds = list(map(_KIND_OR_NONE.__getitem__, f.column("kind")))
    holders: set[int] = set()
    rank_lists, verified = _rank_lists(f.lists("rank_list"), entries, holders)
    supplemental = _supplemental_lists(f.column("supplemental_lists", _ABSENT), holders)
    years = f.column("graduation_year")
    _only(years, int, _NONE)
    visas = list(map(_VISA_OR_NONE.__getitem__, f.column("visa_need")))
    verified_flags = f.column("verified", True)
    _only(verified_flags, bool)
    can_start = f.column("can_start_july_1", True)
    _only(can_start, bool)
    months = f.column("us_clinical_months")
    _only(months, int, _NONE)
    homes = f.column("home_institution")
    _optional_text(homes)
    ties = f.lists("ties")
    _nonempty_text(list(chain.from_iterable(ties)))
    red_flags = f.lists("red_flags")
    columns = [
        ids,
        kinds,
        rank_lists,
        supplemental,
        years,
        visas,
        verified_flags,
        can_start,
        months,
        _exams(f.lists("exams")),
        _documents(f.lists("personal_statements")),
        _documents(f.lists("letters")),
        list(map(tuple, ties)),
        _split(map(_RED_FLAGS.__getitem__, chain.from_iterable(red_flags)), red_flags),
        homes,
    ]
    return ColumnRead(build_columns(Applicant, columns), verified, holders)


def _rank_lists(
    raw: list[Any], entries: dict[str, RankEntry], holders: set[int]
) -> tuple[list[tuple[RankEntry, ...]], bool]:
    """Each rank list as entries; whether every one names distinct programs."""
    get_entry = entries.__getitem__
    out: list[tuple[RankEntry, ...]] = []
    verified = True
    for i, ranked in enumerate(raw):
        try:
            # Plain codes of known programs map straight to shared entries.
            out.append(tuple(map(get_entry, ranked)))
            if len(set(ranked)) != len(ranked):
                verified = False
        except (KeyError, TypeError):
            linked = _linked_rank_list(ranked, entries)
            holders.add(i)
            out.append(linked)
            if len({e.program for e in linked}) != len(linked):
                verified = False
    return out, verified


def _linked_rank_list(ranked: list[Any], entries: dict[str, RankEntry]) -> tuple[RankEntry, ...]:
    out = []
    for item in ranked:
        if type(item) is str:
            out.append(entries[item])
            continue
        if type(item) is not dict or not item.keys() <= RANK_ENTRY_FIELDS:
            raise _Refused
        program = item.get("program")
        name = item.get("supplemental")
        if type(program) is not str or program not in entries:
            raise _Refused
        if name is not None and (type(name) is not str or not name):
            raise _Refused
        out.append(RankEntry(program, name))
    return tuple(out)


def _supplemental_lists(raw: list[Any], holders: set[int]) -> list[dict[str, tuple[str, ...]]]:
    out: list[dict[str, tuple[str, ...]]] = list(map(operator.call, repeat(dict, len(raw))))
    for i in compress(range(len(raw)), map(operator.is_not, raw, repeat(_ABSENT))):
        lists = raw[i]
        if type(lists) is not dict:
            raise _Refused
        for name, listed in lists.items():
            if not name or type(listed) is not list:
                raise _Refused
            _nonempty_text(listed)
            out[i][name] = tuple(listed)
        holders.add(i)
    return out


def _exams(raw: list[Any]) -> list[tuple[ExamResult, ...]]:
    f = _Fields(list(chain.from_iterable(raw)), EXAM_FIELDS)
    exams = f.column("exam")
    passed = f.column("passed")
    attempts = f.column("attempts", 1)
    scores = f.column("score")
    # Types first: True == 1 and 1.0 == 1, so the keys below would not tell them apart.
    _only(passed, bool)
    _only(attempts, int)
    _only(scores, int, _NONE)
    keys = list(zip(exams, passed, attempts, scores, strict=True))
    results = {key: ExamResult(_EXAMS[key[0]], key[1], key[2], key[3]) for key in set(keys)}
    return _split(map(results.__getitem__, keys), raw)


def _documents(raw: list[Any]) -> list[tuple[Document, ...]]:
    f = _Fields(list(chain.from_iterable(raw)), DOCUMENT_FIELDS)
    ids = f.column("id")
    specialties = f.column("specialty")
    authors = f.column("author")
    _nonempty_text(ids)
    _nonempty_text(specialties)
    _optional_text(authors)
    return _split(build_columns(Document, [ids, specialties, authors]), raw)
