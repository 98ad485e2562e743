"""Reading a parsed ``matchweek.market/1`` document into a ``Market``, logging every fault.

Two readers share the work. The quick ones (``quick_program`` here, and
``market_columns`` for the applicants) take what is plainly valid with as little
per-field Python as possible and give way on anything else; the careful one then reads
those records again and logs exactly what is wrong with them. While reading, the quick
ones also verify the rank lists (known identifiers, no repeats) on data they have just
touched, so that the rule checks need not walk them again.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from matchweek.formats.bulk import build_many, field_names
from matchweek.formats.faultlog import FaultLog, Where, show
from matchweek.formats.jsonvalues import (
    MISSING,
    as_bool,
    as_enum,
    as_enum_list,
    as_int,
    as_list,
    as_number,
    as_object,
    as_str,
    as_str_list,
    as_str_map,
    check_fields,
    enum_values,
)
from matchweek.formats.market_checks import APPLICANT_RANK_LISTS, PROGRAM_RANK_LISTS, ReaderNotes
from matchweek.formats.market_columns import read_applicants_at_once
from matchweek.formats.market_fields import (
    APPLICANT_FIELDS,
    COUPLE_FIELDS,
    DOCUMENT_FIELDS,
    EXAM_FIELDS,
    PROGRAM_FIELDS,
    PROGRAM_REQUIRED,
    RANK_ENTRY_FIELDS,
)
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Couple,
    Document,
    Exam,
    ExamResult,
    Program,
    RankEntry,
    RedFlag,
    Track,
    Visa,
)

_PROGRAM_CORE = frozenset({*PROGRAM_REQUIRED, "rank_list"})
_TRACKS = enum_values(Track)
_VISAS = enum_values(Visa)
_get_id = itemgetter("id")

# Quick reading builds programs from their field values in constructor order; the order
# is checked here so that a change to the model cannot go unnoticed.
_PROGRAM_ORDER = (
    "code",
    "track",
    "positions",
    "rank_list",
    "name",
    "institution",
    "specialty",
    "state",
    "visa",
    "reverts_to",
    "soap",
    "img_share",
)
if field_names(Program) != _PROGRAM_ORDER:
    raise RuntimeError("market_reader builds programs field by field: update it with the model")
_BLOCK = 1024
"""Applicants per block when some applicant is not plainly valid (see ``applicants``)."""


class MarketReader:
    """Reads the sections of one market document; faults go to ``log``, what it learnt to ``notes``."""

    def __init__(self, log: FaultLog) -> None:
        self.log = log
        self.notes = ReaderNotes()
        self.entries: dict[str, RankEntry] = {}

    # -- programs ---------------------------------------------------------------------

    def programs(self, value: object, applicants: object) -> list[Program]:
        """Read the programs; ``applicants`` (the raw section) lets rank lists be verified on the way."""
        if value is MISSING:
            self.notes.programs_unread = True
            return []
        items = as_list(self.log, value, ("programs",))
        if items is None:
            self.notes.programs_unread = True
            return []
        ids = _ids_of(applicants)
        verified = ids is not None
        rows: list[tuple[Any, ...]] = []
        for d in items:
            row = self.quick_program(d, ids) if verified else None  # type: ignore[arg-type]
            if row is None:
                # Something is off somewhere: read every program carefully to say what.
                verified = False
                break
            rows.append(row)
        out = build_many(Program, rows) if verified else [self.program(d, i) for i, d in enumerate(items)]
        if verified:
            self.notes.verified.add(PROGRAM_RANK_LISTS)
        self.entries = {p.code: RankEntry(p.code) for p in out}
        return out

    def quick_program(self, d: object, ids: set[str]) -> tuple[Any, ...] | None:
        """The field values of a program in constructor order, if it is plainly valid and its
        rank list names known applicants, none twice."""
        if type(d) is not dict or not d.keys() <= PROGRAM_FIELDS:
            return None
        code = d.get("code")
        track = d.get("track")
        positions = d.get("positions")
        if type(code) is not str or not code or type(track) is not str or type(positions) is not int:
            return None
        track = _TRACKS.get(track)
        value = d.get("rank_list", ())
        if track is None or type(value) not in (list, tuple):
            return None
        rank_list = tuple(value)
        try:
            distinct = set(rank_list)
        except TypeError:
            return None
        # ids holds strings only, so the subset test also rules out items of any other type.
        if len(distinct) != len(rank_list) or not distinct <= ids:
            return None
        if d.keys() <= _PROGRAM_CORE:
            return (code, track, positions, rank_list, None, None, None, None, (), None, None, None)
        name = d.get("name")
        institution = d.get("institution")
        specialty = d.get("specialty")
        state = d.get("state")
        reverts_to = d.get("reverts_to")
        for text in (name, institution, specialty, state, reverts_to):
            if text is not None and (type(text) is not str or not text):
                return None
        visa = d.get("visa", ())
        if type(visa) is list:
            try:
                visa = tuple(map(_VISAS.__getitem__, visa))
            except (KeyError, TypeError):
                return None
        elif visa != ():
            return None
        soap = d.get("soap")
        if soap is not None and type(soap) is not bool:
            return None
        img_share = d.get("img_share")
        if img_share is not None:
            if type(img_share) is int:
                img_share = float(img_share)
            elif type(img_share) is not float:
                return None
        return (
            code,
            track,
            positions,
            rank_list,
            name,
            institution,
            specialty,
            state,
            visa,
            reverts_to,
            soap,
            img_share,
        )

    def program(self, d: object, i: int) -> Program:
        log, notes = self.log, self.notes
        where: Where = ("programs", i)
        if type(d) is not dict:
            log.add(where, f"must be an object, got {show(d)}")
            code = notes.placeholder()
            notes.unsure_track.add(code)
            return Program(code=code, track=Track.CATEGORICAL, positions=0)
        check_fields(log, d, PROGRAM_FIELDS, PROGRAM_REQUIRED, where)

        value = d.get("code", MISSING)
        code = as_str(log, value, (*where, "code")) if value is not MISSING else None
        if code is None:
            code = notes.placeholder()
        value = d.get("track", MISSING)
        track = _TRACKS.get(value) if type(value) is str else None
        if track is None:
            if value is not MISSING:
                as_enum(log, value, Track, "track", (*where, "track"))
            notes.unsure_track.add(code)
            track = Track.CATEGORICAL
        value = d.get("positions", MISSING)
        positions = value if type(value) is int else None
        if positions is None:
            if value is not MISSING:
                as_int(log, value, (*where, "positions"))
            positions = 0

        rank_list: tuple[str, ...] = ()
        value = d.get("rank_list", MISSING)
        if type(value) is list:
            try:
                # str.join refuses anything but strings, at C speed.
                "".join(value)
                rank_list = tuple(value)
            except TypeError:
                rank_list = tuple(
                    item if type(item) is str else self.unreadable(item, (*where, "rank_list", j))
                    for j, item in enumerate(value)
                )
        elif value is not MISSING:
            as_list(log, value, (*where, "rank_list"))

        if d.keys() <= _PROGRAM_CORE:
            return Program(code, track, positions, rank_list)

        def text(key: str) -> str | None:
            value = d.get(key)
            return None if value is None else as_str(log, value, (*where, key))

        visa: tuple[Visa, ...] = ()
        value = d.get("visa", MISSING)
        if value is not MISSING:
            visa = as_enum_list(log, value, Visa, "visa", (*where, "visa")) or ()
        reverts_to = None
        value = d.get("reverts_to")
        if value is not None:
            reverts_to = as_str(log, value, (*where, "reverts_to")) or notes.placeholder()
        value = d.get("soap")
        soap = None if value is None else as_bool(log, value, (*where, "soap"))
        value = d.get("img_share")
        img_share = None if value is None else as_number(log, value, (*where, "img_share"))
        return Program(
            code=code,
            track=track,
            positions=positions,
            rank_list=rank_list,
            name=text("name"),
            institution=text("institution"),
            specialty=text("specialty"),
            state=text("state"),
            visa=visa,
            reverts_to=reverts_to,
            soap=soap,
            img_share=img_share,
        )

    def unreadable(self, value: object, where: Where) -> str:
        """Log a non-string where an identifier belongs, and stand a placeholder in for it."""
        as_str(self.log, value, where)
        return self.notes.placeholder()

    # -- applicants -------------------------------------------------------------------

    def applicants(self, value: object) -> list[Applicant]:
        """Read the applicants: all at once if every one is plainly valid, else a block at a time.

        A block the section reader gives way on is read record by record, which finds
        and names every fault; the other blocks keep the fast path.
        """
        if value is MISSING:
            self.notes.applicants_unread = True
            return []
        items = as_list(self.log, value, ("applicants",))
        if items is None:
            self.notes.applicants_unread = True
            return []
        whole = read_applicants_at_once(items, self.entries)
        if whole is not None:
            if whole.rank_lists_verified:
                self.notes.verified.add(APPLICANT_RANK_LISTS)
            self.notes.supplemental_holders = whole.supplemental_holders
            return whole.applicants
        out: list[Applicant] = []
        verified = True
        holders: set[int] = set()
        for start in range(0, len(items), _BLOCK):
            block = items[start : start + _BLOCK]
            read = read_applicants_at_once(block, self.entries)
            if read is not None:
                out.extend(read.applicants)
                verified = verified and read.rank_lists_verified
                holders.update(start + i for i in read.supplemental_holders)
                continue
            verified = False
            for i, d in enumerate(block, start):
                holders.add(i)
                if type(d) is dict:
                    out.append(self.applicant(d, i))
                else:
                    self.log.add(("applicants", i), f"must be an object, got {show(d)}")
                    out.append(Applicant(id=self.notes.placeholder()))
        if verified:
            self.notes.verified.add(APPLICANT_RANK_LISTS)
        self.notes.supplemental_holders = holders
        return out

    def applicant(self, d: dict[str, Any], i: int) -> Applicant:
        """The careful reader: every field checked, every fault logged."""
        log, notes = self.log, self.notes
        where: Where = ("applicants", i)
        check_fields(log, d, APPLICANT_FIELDS, ("id",), where)
        value = d.get("id", MISSING)
        applicant_id = as_str(log, value, (*where, "id")) if value is not MISSING else None
        if applicant_id is None:
            applicant_id = notes.placeholder()

        def get(key: str, read: Any, *args: Any) -> Any:
            value = d.get(key)
            return None if value is None else read(log, value, *args, (*where, key))

        rank_list: tuple[RankEntry, ...] = ()
        value = d.get("rank_list", MISSING)
        if value is not MISSING:
            items = as_list(log, value, (*where, "rank_list"))
            if items is not None:
                rank_list = tuple(self.entry(item, (*where, "rank_list", j)) for j, item in enumerate(items))
        supplemental_lists: dict[str, tuple[str, ...]] = {}
        value = d.get("supplemental_lists", MISSING)
        if value is not MISSING:
            lists = as_str_map(log, value, (*where, "supplemental_lists"))
            if lists is None:
                notes.unsure_supplemental.add(i)
            else:
                for name, listed in lists.items():
                    codes = as_str_list(log, listed, (*where, "supplemental_lists", name))
                    if codes is None:
                        notes.unsure_supplemental.add(i)
                    else:
                        supplemental_lists[name] = codes
        verified = d.get("verified", True)
        if verified is not True:
            verified = as_bool(log, verified, (*where, "verified"))
        can_start = d.get("can_start_july_1", True)
        if can_start is not True:
            can_start = as_bool(log, can_start, (*where, "can_start_july_1"))
        exams: tuple[ExamResult, ...] = ()
        value = d.get("exams", MISSING)
        if value is not MISSING:
            items = as_list(log, value, (*where, "exams"))
            if items is not None:
                read = [exam_result(log, item, (*where, "exams", j)) for j, item in enumerate(items)]
                exams = tuple(e for e in read if e is not None)
        documents: dict[str, tuple[Document, ...]] = {}
        for key in ("personal_statements", "letters"):
            value = d.get(key, MISSING)
            documents[key] = ()
            if value is not MISSING:
                items = as_list(log, value, (*where, key))
                if items is not None:
                    docs = [document(log, item, (*where, key, j)) for j, item in enumerate(items)]
                    documents[key] = tuple(doc for doc in docs if doc is not None)
        ties: tuple[str, ...] = ()
        value = d.get("ties", MISSING)
        if value is not MISSING:
            ties = as_str_list(log, value, (*where, "ties")) or ()
        red_flags: tuple[RedFlag, ...] = ()
        value = d.get("red_flags", MISSING)
        if value is not MISSING:
            red_flags = as_enum_list(log, value, RedFlag, "red flag", (*where, "red_flags")) or ()
        return Applicant(
            id=applicant_id,
            kind=get("kind", as_enum, ApplicantKind, "applicant kind"),
            rank_list=rank_list,
            supplemental_lists=supplemental_lists,
            graduation_year=get("graduation_year", as_int),
            visa_need=get("visa_need", as_enum, Visa, "visa"),
            verified=True if verified is None else verified,
            can_start_july_1=True if can_start is None else can_start,
            us_clinical_months=get("us_clinical_months", as_int),
            exams=exams,
            personal_statements=documents["personal_statements"],
            letters=documents["letters"],
            ties=ties,
            red_flags=red_flags,
            home_institution=get("home_institution", as_str),
        )

    def entry(self, item: object, where: Where) -> RankEntry:
        log = self.log
        if type(item) is str and item:
            return self.entries.get(item) or RankEntry(item)
        if type(item) is not dict:
            log.add(where, f"must be a program code or an object naming a program, got {show(item)}")
            return RankEntry(self.notes.placeholder())
        check_fields(log, item, RANK_ENTRY_FIELDS, ("program",), where)
        value = item.get("program", MISSING)
        program = as_str(log, value, (*where, "program")) if value is not MISSING else None
        value = item.get("supplemental")
        supplemental = None
        if value is not None:
            supplemental = as_str(log, value, (*where, "supplemental")) or self.notes.placeholder()
        return RankEntry(program or self.notes.placeholder(), supplemental)

    # -- couples ----------------------------------------------------------------------

    def couples(self, value: object) -> list[Couple]:
        log = self.log
        if value is MISSING:
            return []
        items = as_list(log, value, ("couples",))
        if items is None:
            return []
        out: list[Couple] = []
        for i, item in enumerate(items):
            where: Where = ("couples", i)
            d = as_object(log, item, where)
            if d is None:
                continue
            check_fields(log, d, COUPLE_FIELDS, ("members",), where)
            members = (self.notes.placeholder(), self.notes.placeholder())
            value = d.get("members", MISSING)
            if value is not MISSING:
                listed = as_list(log, value, (*where, "members"))
                if listed is not None and len(listed) != 2:
                    log.add((*where, "members"), f"a couple has exactly two members, got {len(listed)}")
                elif listed is not None:
                    members = (
                        as_str(log, listed[0], (*where, "members", 0)) or members[0],
                        as_str(log, listed[1], (*where, "members", 1)) or members[1],
                    )
            pairs: list[tuple[str | None, str | None]] = []
            value = d.get("rank_list", MISSING)
            if value is not MISSING:
                listed = as_list(log, value, (*where, "rank_list"))
                for j, pair in enumerate(listed or ()):
                    read = self.pair(pair, (*where, "rank_list", j))
                    if read is not None:
                        pairs.append(read)
            out.append(Couple(members=members, rank_list=tuple(pairs)))
        return out

    def pair(self, pair: object, where: Where) -> tuple[str | None, str | None] | None:
        if type(pair) is not list or len(pair) != 2:
            self.log.add(where, f"must be a pair [program, program] (null for no match), got {show(pair)}")
            return None
        first, second = pair
        if first is not None and (type(first) is not str or not first):
            first = self.unreadable(first, (*where, 0))
        if second is not None and (type(second) is not str or not second):
            second = self.unreadable(second, (*where, 1))
        return (first, second)


def _ids_of(applicants: object) -> set[str] | None:
    """The applicants' ids, if every applicant is an object with a string id."""
    if type(applicants) is not list:
        return None
    try:
        ids = list(map(_get_id, applicants))
        # str.join refuses anything but strings, at C speed.
        "".join(ids)
    except (KeyError, TypeError):
        return None
    return set(ids)


def exam_result(log: FaultLog, item: object, where: Where) -> ExamResult | None:
    d = as_object(log, item, where)
    if d is None:
        return None
    check_fields(log, d, EXAM_FIELDS, ("exam", "passed"), where)
    exam = as_enum(log, d["exam"], Exam, "exam", (*where, "exam")) if "exam" in d else None
    passed = as_bool(log, d["passed"], (*where, "passed")) if "passed" in d else None
    attempts = as_int(log, d["attempts"], (*where, "attempts")) if "attempts" in d else 1
    value = d.get("score")
    score = None if value is None else as_int(log, value, (*where, "score"))
    if exam is None or passed is None or attempts is None or (value is not None and score is None):
        return None
    return ExamResult(exam=exam, passed=passed, attempts=attempts, score=score)


def document(log: FaultLog, item: object, where: Where) -> Document | None:
    d = as_object(log, item, where)
    if d is None:
        return None
    check_fields(log, d, DOCUMENT_FIELDS, ("id", "specialty"), where)
    doc_id = as_str(log, d["id"], (*where, "id")) if "id" in d else None
    specialty = as_str(log, d["specialty"], (*where, "specialty")) if "specialty" in d else None
    value = d.get("author")
    author = None if value is None else as_str(log, value, (*where, "author"))
    if doc_id is None or specialty is None or (value is not None and author is None):
        return None
    return Document(id=doc_id, specialty=specialty, author=author)
