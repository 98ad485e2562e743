"""``matchweek.market/1`` as spreadsheet tables: a folder of CSV files, or one XLSX workbook.

One table per record type and one per multi-valued field, each child row naming its
parent (``applicant``, ``program``, ``couple``) and, where order matters, its ``rank``
(1 = most preferred). Tables:

- ``programs``: code, name, specialty, track, positions, state, reverts_to, institution, soap, img_share
- ``program_visas``: program, visa
- ``program_rank_lists``: program, rank, applicant
- ``applicants``: id, kind, graduation_year, visa_need, verified, can_start_july_1,
  us_clinical_months, home_institution
- ``applicant_rank_lists``: applicant, rank, program, supplemental
- ``supplemental_lists``: applicant, list, rank, program
- ``applicant_exams``: applicant, exam, passed, attempts, score
- ``applicant_documents``: applicant, kind (personal_statement or letter), id, specialty, author
- ``applicant_ties``: applicant, state
- ``applicant_red_flags``: applicant, red_flag
- ``couples``: couple (a label of the couple's own choosing), member_1, member_2
- ``couple_rank_lists``: couple, rank, program_1, program_2 (blank: no match for that member)

Rows of other tables keep their order. Writing is canonical (records in market order,
ranks numbered from 1), so a folder written from a market reads back to the same market
and writes back to the same bytes. Reading applies every rule of ``market_checks`` and
names the file (or sheet) and row of each fault.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from matchweek.errors import Fault, FormatError
from matchweek.formats.faultlog import Where, json_path, quote
from matchweek.formats.jsonvalues import enum_values
from matchweek.formats.market_checks import ReaderNotes, check_market
from matchweek.formats.tables import (
    Cell,
    Column,
    Row,
    Table,
    folder_format,
    read_csv_folder,
    read_workbook,
    write_csv_folder,
    write_workbook,
)
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Couple,
    Document,
    Exam,
    ExamResult,
    Market,
    Program,
    RankEntry,
    RedFlag,
    Track,
    Visa,
)

MARKET_FORMAT = "matchweek.market/1"

PROGRAMS = Table(
    "programs",
    (
        Column("code", required=True),
        Column("name"),
        Column("specialty"),
        Column("track", required=True),
        Column("positions", "int", required=True),
        Column("state"),
        Column("reverts_to"),
        Column("institution"),
        Column("soap", "bool"),
        Column("img_share", "float"),
    ),
    required=True,
)
PROGRAM_VISAS = Table("program_visas", (Column("program", required=True), Column("visa", required=True)))
PROGRAM_RANK_LISTS = Table(
    "program_rank_lists",
    (
        Column("program", required=True),
        Column("rank", "int", required=True),
        Column("applicant", required=True),
    ),
)
APPLICANTS = Table(
    "applicants",
    (
        Column("id", required=True),
        Column("kind"),
        Column("graduation_year", "int"),
        Column("visa_need"),
        Column("verified", "bool"),
        Column("can_start_july_1", "bool"),
        Column("us_clinical_months", "int"),
        Column("home_institution"),
    ),
    required=True,
)
APPLICANT_RANK_LISTS = Table(
    "applicant_rank_lists",
    (
        Column("applicant", required=True),
        Column("rank", "int", required=True),
        Column("program", required=True),
        Column("supplemental"),
    ),
)
SUPPLEMENTAL_LISTS = Table(
    "supplemental_lists",
    (
        Column("applicant", required=True),
        Column("list", required=True),
        Column("rank", "int", required=True),
        Column("program", required=True),
    ),
)
APPLICANT_EXAMS = Table(
    "applicant_exams",
    (
        Column("applicant", required=True),
        Column("exam", required=True),
        Column("passed", "bool", required=True),
        Column("attempts", "int"),
        Column("score", "int"),
    ),
)
APPLICANT_DOCUMENTS = Table(
    "applicant_documents",
    (
        Column("applicant", required=True),
        Column("kind", required=True),
        Column("id", required=True),
        Column("specialty", required=True),
        Column("author"),
    ),
)
APPLICANT_TIES = Table("applicant_ties", (Column("applicant", required=True), Column("state", required=True)))
APPLICANT_RED_FLAGS = Table(
    "applicant_red_flags", (Column("applicant", required=True), Column("red_flag", required=True))
)
COUPLES = Table(
    "couples",
    (Column("couple", required=True), Column("member_1", required=True), Column("member_2", required=True)),
)
COUPLE_RANK_LISTS = Table(
    "couple_rank_lists",
    (
        Column("couple", required=True),
        Column("rank", "int", required=True),
        Column("program_1"),
        Column("program_2"),
    ),
)

MARKET_TABLES = (
    PROGRAMS,
    PROGRAM_VISAS,
    PROGRAM_RANK_LISTS,
    APPLICANTS,
    APPLICANT_RANK_LISTS,
    SUPPLEMENTAL_LISTS,
    APPLICANT_EXAMS,
    APPLICANT_DOCUMENTS,
    APPLICANT_TIES,
    APPLICANT_RED_FLAGS,
    COUPLES,
    COUPLE_RANK_LISTS,
)

_DOCUMENT_KINDS = {"personal_statement": "personal_statements", "letter": "letters"}
_DOCUMENT_KIND_OF = {v: k for k, v in _DOCUMENT_KINDS.items()}


# ---------------------------------------------------------------------------------------
# public entry points


def write_market_csv(market: Market, folder: str | Path) -> None:
    """Write ``market`` as a folder of CSV files (see the module docstring), with a ``format.txt``.

    The same market always gives the same bytes in every file.
    """
    write_csv_folder(folder, MARKET_FORMAT, market_to_tables(market))


def read_market_csv(folder: str | Path) -> Market:
    """Read a market from a folder of CSV files written by ``write_market_csv`` or by hand.

    Raises FormatError carrying every fault, each naming its file and row.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FormatError(Fault("", "no such folder" if not root.exists() else "is not a folder"), str(root))
    declared = folder_format(root)
    if declared is not None and declared != MARKET_FORMAT:
        raise FormatError(
            Fault("format.txt", f'expected "{MARKET_FORMAT}", got {quote(declared)}'), str(root)
        )
    faults: list[Fault] = []
    rows = read_csv_folder(root, MARKET_TABLES, faults)
    return market_from_tables(rows, faults, str(root))


def write_market_xlsx(market: Market, path: str | Path) -> None:
    """Write ``market`` as an XLSX workbook, one sheet per table; the same market gives the same bytes."""
    write_workbook(path, market_to_tables(market))


def read_market_xlsx(path: str | Path) -> Market:
    """Read a market from an XLSX workbook laid out as ``write_market_xlsx`` writes it.

    Raises FormatError carrying every fault, each naming its sheet and row.
    """
    faults: list[Fault] = []
    rows = read_workbook(path, MARKET_TABLES, faults)
    return market_from_tables(rows, faults, str(path))


# ---------------------------------------------------------------------------------------
# market -> tables


def market_to_tables(market: Market) -> list[tuple[Table, list[tuple[Cell, ...]]]]:
    """Every table of ``market``, rows in canonical order."""
    t: dict[str, list[tuple[Cell, ...]]] = {table.name: [] for table in MARKET_TABLES}
    for p in market.programs:
        t["programs"].append(
            (
                p.code,
                p.name,
                p.specialty,
                p.track.value,
                p.positions,
                p.state,
                p.reverts_to,
                p.institution,
                p.soap,
                p.img_share,
            )
        )
        t["program_visas"].extend((p.code, v.value) for v in p.visa)
        t["program_rank_lists"].extend((p.code, r, a) for r, a in enumerate(p.rank_list, start=1))
    for a in market.applicants:
        t["applicants"].append(
            (
                a.id,
                a.kind.value if a.kind is not None else None,
                a.graduation_year,
                a.visa_need.value if a.visa_need is not None else None,
                a.verified,
                a.can_start_july_1,
                a.us_clinical_months,
                a.home_institution,
            )
        )
        t["applicant_rank_lists"].extend(
            (a.id, r, e.program, e.supplemental) for r, e in enumerate(a.rank_list, start=1)
        )
        for name in sorted(a.supplemental_lists):
            t["supplemental_lists"].extend(
                (a.id, name, r, code) for r, code in enumerate(a.supplemental_lists[name], start=1)
            )
        t["applicant_exams"].extend((a.id, e.exam.value, e.passed, e.attempts, e.score) for e in a.exams)
        for kind in ("personal_statements", "letters"):
            t["applicant_documents"].extend(
                (a.id, _DOCUMENT_KIND_OF[kind], d.id, d.specialty, d.author) for d in getattr(a, kind)
            )
        t["applicant_ties"].extend((a.id, s) for s in a.ties)
        t["applicant_red_flags"].extend((a.id, f.value) for f in a.red_flags)
    for n, c in enumerate(market.couples, start=1):
        t["couples"].append((str(n), c.members[0], c.members[1]))
        t["couple_rank_lists"].extend(
            (str(n), r, first, second) for r, (first, second) in enumerate(c.rank_list, 1)
        )
    return [(table, t[table.name]) for table in MARKET_TABLES]


# ---------------------------------------------------------------------------------------
# tables -> market


@dataclass
class _Locations:
    """Where each part of the market came from, to name file and row in rule faults."""

    records: dict[tuple[str, int], Row] = field(default_factory=dict)
    items: dict[tuple[str, int, str], list[Row]] = field(default_factory=dict)
    supplemental: dict[tuple[int, str], list[Row]] = field(default_factory=dict)

    def locate(self, where: Where) -> str:
        """``("applicants", 17, "rank_list", 3)`` -> ``applicant_rank_lists.csv row 12``."""
        if len(where) < 2 or not isinstance(where[1], int):
            return json_path(where)
        section, i = str(where[0]), where[1]
        record = self.records.get((section, i))
        if len(where) == 2:
            return record.where if record else json_path(where)
        name = where[2]
        rest = where[3:]
        if section == "applicants" and name == "supplemental_lists" and rest:
            rows = self.supplemental.get((i, str(rest[0])), [])
            if len(rest) > 1 and isinstance(rest[1], int) and rest[1] < len(rows):
                return rows[rest[1]].where
            return rows[0].at("list") if rows else json_path(where)
        if section == "couples" and name == "members" and record:
            return record.at(f"member_{int(rest[0]) + 1}") if rest else record.at("member_2")
        rows = self.items.get((section, i, str(name)))
        if rows is not None:
            if not rest:
                return rows[0].where if rows else json_path(where)
            j = rest[0]
            if isinstance(j, int) and j < len(rows):
                row = rows[j]
                if len(rest) > 1:
                    column = rest[1]
                    if section == "couples":
                        return row.at(f"program_{int(column) + 1}")
                    return row.at(str(column))
                return row.where
            return json_path(where)
        return record.at(str(name)) if record else json_path(where)


def market_from_tables(rows: dict[str, list[Row]], faults: list[Fault], source: str | None) -> Market:
    """Build a market from typed rows, checking references between tables and every market rule.

    ``faults`` holds what reading the cells found already; raises FormatError if there is any fault.
    """
    build = _MarketBuilder(faults)
    market = build.market(rows)
    faults.extend(Fault(build.where.locate(w), message) for w, message in check_market(market, build.notes))
    if faults:
        raise FormatError(sorted(faults, key=_table_order), source)
    return market


_TABLE_POSITION = {t.name: k for k, t in enumerate(MARKET_TABLES)}
_ROW_PLACE = re.compile(r"(?:sheet )?(\w+?)(?:\.csv)?(?: row (\d+))?(?:,|$)")


def _table_order(fault: Fault) -> tuple[int, int]:
    """Faults listed table by table, in the order of ``MARKET_TABLES``, then by row."""
    m = _ROW_PLACE.match(fault.where)
    if m is None or m.group(1) not in _TABLE_POSITION:
        return (-1, 0)
    return (_TABLE_POSITION[m.group(1)], int(m.group(2) or 0))


class _MarketBuilder:
    def __init__(self, faults: list[Fault]) -> None:
        self.faults = faults
        self.notes = ReaderNotes()
        self.where = _Locations()

    def fault(self, where: str, message: str) -> None:
        self.faults.append(Fault(where, message))

    def enum(self, row: Row, column: str, enum: type, what: str) -> object:
        value = row.cells[column]
        if value is None:
            return None
        member = enum_values(enum).get(value)
        if member is None:
            options = ", ".join(enum_values(enum))
            self.fault(row.at(column), f"unknown {what} {quote(str(value))} (one of {options})")
        return member

    def key(self, row: Row, column: str) -> str:
        """A text cell naming something; a stand-in if it was blank or unreadable (already reported)."""
        value = row.cells[column]
        return value if isinstance(value, str) else self.notes.placeholder()

    def members(
        self, rows: list[Row], column: str, enum: type, what: str, place: Where
    ) -> tuple[object, ...]:
        """The enum values of ``column`` in ``rows``; rows that do not name one are reported and left out."""
        kept = [(r, self.enum(r, column, enum, what)) for r in rows]
        kept = [(r, v) for r, v in kept if v is not None]
        self.where.items[place] = [r for r, _ in kept]  # type: ignore[index]
        return tuple(v for _, v in kept)

    def children(
        self, rows: list[Row], parent_column: str, parents: dict[str, int], what: str
    ) -> dict[int, list[Row]]:
        """Rows grouped by the index of the parent they name, in file order."""
        out: dict[int, list[Row]] = defaultdict(list)
        for row in rows:
            key = row.cells[parent_column]
            if key is None:
                continue
            i = parents.get(str(key))
            if i is None:
                self.fault(row.at(parent_column), f"unknown {what} {quote(str(key))}")
                continue
            out[i].append(row)
        return out

    def ranked(self, rows: list[Row], label: str) -> list[Row]:
        """``rows`` in order of their rank; a rank given twice is a fault."""
        ordered = sorted((r for r in rows if r.cells["rank"] is not None), key=lambda r: r.cells["rank"])  # type: ignore[arg-type, return-value]
        out: list[Row] = []
        for row in ordered:
            rank = row.cells["rank"]
            if rank < 1:  # type: ignore[operator]
                self.fault(row.at("rank"), f"ranks start at 1, got {rank}")
            elif out and out[-1].cells["rank"] == rank:
                self.fault(row.at("rank"), f"rank {rank} is given twice for {label}")
                continue
            out.append(row)
        return out

    def market(self, rows: dict[str, list[Row]]) -> Market:
        programs = self.programs(rows)
        applicants = self.applicants(rows)
        couples = self.couples(rows)
        return Market(programs=tuple(programs), applicants=tuple(applicants), couples=tuple(couples))

    # -- programs ---------------------------------------------------------------------

    def programs(self, rows: dict[str, list[Row]]) -> list[Program]:
        notes = self.notes
        self.program_index: dict[str, int] = {}
        codes: list[str] = []
        tracks: list[Track] = []
        for i, row in enumerate(rows["programs"]):
            self.where.records[("programs", i)] = row
            code = row.cells["code"]
            code = code if isinstance(code, str) else notes.placeholder()
            track = self.enum(row, "track", Track, "track")
            if not isinstance(track, Track):
                notes.unsure_track.add(code)
                track = Track.CATEGORICAL
            codes.append(code)
            tracks.append(track)
            self.program_index.setdefault(code, i)
        visas = self.children(rows["program_visas"], "program", self.program_index, "program code")
        ranks = self.children(rows["program_rank_lists"], "program", self.program_index, "program code")
        out: list[Program] = []
        for i, row in enumerate(rows["programs"]):
            c = row.cells
            visa = self.members(visas.get(i, []), "visa", Visa, "visa", ("programs", i, "visa"))
            ranked = self.ranked(ranks.get(i, []), f"program {quote(codes[i])}")
            self.where.items[("programs", i, "rank_list")] = ranked
            reverts_to = c["reverts_to"]
            out.append(
                Program(
                    code=codes[i],
                    track=tracks[i],
                    positions=c["positions"] if isinstance(c["positions"], int) else 0,
                    rank_list=tuple(self.key(r, "applicant") for r in ranked),
                    name=_text(c["name"]),
                    institution=_text(c["institution"]),
                    specialty=_text(c["specialty"]),
                    state=_text(c["state"]),
                    visa=visa,  # type: ignore[arg-type]
                    reverts_to=_text(reverts_to),
                    soap=c["soap"] if isinstance(c["soap"], bool) else None,
                    img_share=c["img_share"] if isinstance(c["img_share"], float) else None,
                )
            )
        return out

    # -- applicants -------------------------------------------------------------------

    def applicants(self, rows: dict[str, list[Row]]) -> list[Applicant]:
        notes = self.notes
        index: dict[str, int] = {}
        ids: list[str] = []
        for i, row in enumerate(rows["applicants"]):
            self.where.records[("applicants", i)] = row
            applicant_id = row.cells["id"]
            applicant_id = applicant_id if isinstance(applicant_id, str) else notes.placeholder()
            ids.append(applicant_id)
            index.setdefault(applicant_id, i)
        self.applicant_index = index
        group: Callable[[str, str], dict[int, list[Row]]] = lambda table, what: self.children(  # noqa: E731
            rows[table], "applicant", index, what
        )
        rank_rows = group("applicant_rank_lists", "applicant id")
        list_rows = group("supplemental_lists", "applicant id")
        exam_rows = group("applicant_exams", "applicant id")
        document_rows = group("applicant_documents", "applicant id")
        tie_rows = group("applicant_ties", "applicant id")
        flag_rows = group("applicant_red_flags", "applicant id")
        out: list[Applicant] = []
        for i, row in enumerate(rows["applicants"]):
            c = row.cells
            ranked = self.ranked(rank_rows.get(i, []), f"applicant {quote(ids[i])}")
            self.where.items[("applicants", i, "rank_list")] = ranked
            rank_list = tuple(
                RankEntry(str(r.cells["program"]), _text(r.cells["supplemental"])) for r in ranked
            )
            supplemental: dict[str, list[Row]] = defaultdict(list)
            for r in list_rows.get(i, []):
                supplemental[self.key(r, "list")].append(r)
            lists: dict[str, tuple[str, ...]] = {}
            for name, members in supplemental.items():
                ordered = self.ranked(
                    members, f"supplemental list {quote(name)} of applicant {quote(ids[i])}"
                )
                self.where.supplemental[(i, name)] = ordered
                lists[name] = tuple(self.key(r, "program") for r in ordered)
            exams = self.exams(i, exam_rows.get(i, []))
            documents = self.documents(i, document_rows.get(i, []))
            ties = tie_rows.get(i, [])
            self.where.items[("applicants", i, "ties")] = ties
            red_flags = self.members(
                flag_rows.get(i, []), "red_flag", RedFlag, "red flag", ("applicants", i, "red_flags")
            )
            kind = self.enum(row, "kind", ApplicantKind, "applicant kind")
            visa_need = self.enum(row, "visa_need", Visa, "visa")
            out.append(
                Applicant(
                    id=ids[i],
                    kind=kind if isinstance(kind, ApplicantKind) else None,
                    rank_list=rank_list,
                    supplemental_lists=lists,
                    graduation_year=c["graduation_year"] if isinstance(c["graduation_year"], int) else None,
                    visa_need=visa_need if isinstance(visa_need, Visa) else None,
                    verified=c["verified"] is not False,
                    can_start_july_1=c["can_start_july_1"] is not False,
                    us_clinical_months=c["us_clinical_months"]
                    if isinstance(c["us_clinical_months"], int)
                    else None,
                    exams=exams,
                    personal_statements=documents["personal_statements"],
                    letters=documents["letters"],
                    ties=tuple(self.key(r, "state") for r in ties),
                    red_flags=red_flags,  # type: ignore[arg-type]
                    home_institution=_text(c["home_institution"]),
                )
            )
        return out

    def exams(self, i: int, rows: list[Row]) -> tuple[ExamResult, ...]:
        kept: list[Row] = []
        out: list[ExamResult] = []
        for r in rows:
            exam = self.enum(r, "exam", Exam, "exam")
            passed = r.cells["passed"]
            attempts = r.cells["attempts"]
            if not isinstance(exam, Exam) or not isinstance(passed, bool):
                continue
            score = r.cells["score"]
            attempts = attempts if isinstance(attempts, int) else 1
            kept.append(r)
            out.append(ExamResult(exam, passed, attempts, score if isinstance(score, int) else None))
        self.where.items[("applicants", i, "exams")] = kept
        return tuple(out)

    def documents(self, i: int, rows: list[Row]) -> dict[str, tuple[Document, ...]]:
        by_kind: dict[str, list[Row]] = {"personal_statements": [], "letters": []}
        for r in rows:
            kind = r.cells["kind"]
            if kind is None or r.cells["id"] is None or r.cells["specialty"] is None:
                continue
            field_name = _DOCUMENT_KINDS.get(str(kind))
            if field_name is None:
                self.fault(
                    r.at("kind"),
                    f"unknown document kind {quote(str(kind))} (one of personal_statement, letter)",
                )
                continue
            by_kind[field_name].append(r)
        out: dict[str, tuple[Document, ...]] = {}
        for field_name, kind_rows in by_kind.items():
            self.where.items[("applicants", i, field_name)] = kind_rows
            out[field_name] = tuple(
                Document(
                    id=str(r.cells["id"]),
                    specialty=str(r.cells["specialty"]),
                    author=_text(r.cells["author"]),
                )
                for r in kind_rows
            )
        return out

    # -- couples ----------------------------------------------------------------------

    def couples(self, rows: dict[str, list[Row]]) -> list[Couple]:
        index: dict[str, int] = {}
        for i, row in enumerate(rows["couples"]):
            self.where.records[("couples", i)] = row
            label = row.cells["couple"]
            if label is None:
                continue
            if str(label) in index:
                self.fault(row.at("couple"), f"couple {quote(str(label))} is listed twice")
                continue
            index[str(label)] = i
        rank_rows = self.children(rows["couple_rank_lists"], "couple", index, "couple")
        out: list[Couple] = []
        for i, row in enumerate(rows["couples"]):
            c = row.cells
            members = (self.key(row, "member_1"), self.key(row, "member_2"))
            ranked = self.ranked(rank_rows.get(i, []), f"couple {quote(str(c['couple']))}")
            self.where.items[("couples", i, "rank_list")] = ranked
            pairs = tuple((_text(r.cells["program_1"]), _text(r.cells["program_2"])) for r in ranked)
            out.append(Couple(members=members, rank_list=pairs))
        return out


def _text(value: Cell) -> str | None:
    return value if isinstance(value, str) else None
