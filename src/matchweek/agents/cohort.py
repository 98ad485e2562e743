"""The entrants and programs of one SOAP as arrays: the facts the behaviour models read.

Built once per SOAP from the market and the command that starts it. Rows are
the entrants in the order SOAP lists them, columns the participating programs
in the same way; every array below is indexed by them. ``applicant_key`` and
``program_key`` are the records' places in the market: they name an applicant
or program for seeded draws, whoever else takes part.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchweek.agents.errors import UnknownEntrant
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Exam,
    Market,
    Program,
    RedFlag,
    SoapProgram,
    Track,
    Visa,
)
from matchweek.soap.commands import SoapEntrant, StartSoap
from matchweek.soap.positions import Kind, kind_of

KINDS: tuple[ApplicantKind, ...] = tuple(ApplicantKind)
"""Applicant kinds in the order of ``Cohort.kind`` codes (-1: not recorded)."""
POSITION_KINDS: tuple[Kind, ...] = tuple(Kind)
"""Kinds of position in the order of ``Cohort.program_kind`` and ``Cohort.main_kind`` codes."""
TRACKS: tuple[Track, ...] = tuple(Track)
"""Track types in the order of ``Cohort.track`` codes."""
FLAGS: tuple[RedFlag, ...] = tuple(RedFlag)
"""Red flags in bit order of ``Cohort.red_flags``."""
VISA_CODES: dict[Visa | None, int] = {None: 0, Visa.J1: 1, Visa.H1B: 2}
"""``Cohort.visa_need`` codes: 0 needs no visa."""

FULL = POSITION_KINDS.index(Kind.FULL)
PGY1_ONLY = POSITION_KINDS.index(Kind.PGY1_ONLY)
ADVANCED = POSITION_KINDS.index(Kind.ADVANCED)

Ints = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]


BLOCK_CELLS = 1 << 18
"""Cells per block when a (row, column) grid is computed a block of rows at a time."""


def row_blocks(n_rows: int, n_cols: int) -> Iterator[slice]:
    """Slices of rows covering ``range(n_rows)`` in blocks of about ``BLOCK_CELLS`` cells.

    Grids of applicants x programs are built block by block: small temporaries stay in
    cache and are reused, where whole-grid temporaries cost more in page faults than the
    arithmetic itself.
    """
    step = max(1, BLOCK_CELLS // max(1, n_cols))
    for lo in range(0, n_rows, step):
        yield slice(lo, min(lo + step, n_rows))


def flag_bit(flag: RedFlag) -> int:
    """The bit of ``flag`` in ``Cohort.red_flags``."""
    return 1 << FLAGS.index(flag)


@dataclass(frozen=True, eq=False)
class Cohort:
    """What the behaviour models know about one SOAP's entrants (rows) and programs (columns)."""

    applicants: tuple[Applicant, ...]
    """The entrants' market records (profile, documents, rank lists)."""
    applicant_ids: tuple[str, ...]
    row_of: Mapping[str, int]
    applicant_key: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int8]
    visa_need: npt.NDArray[np.int8]
    exam_failures: Ints
    years_since_graduation: Ints
    """-1 when the graduation year is not recorded."""
    us_clinical_months: Ints
    red_flags: Ints
    exam_z: Floats
    """Step 2 CK score (else COMLEX Level 2-CE) standardised over the entrants who have one; NaN if none."""
    main_specialty: Ints
    """The specialty the applicant went for in the Main Match (index into ``specialties``; -1 unknown)."""
    main_kind: npt.NDArray[np.int8]
    """The kind of position it ranked first (full training if it ranked nothing)."""

    programs: tuple[SoapProgram, ...]
    program_codes: tuple[str, ...]
    col_of: Mapping[str, int]
    program_key: npt.NDArray[np.int64]
    program_kind: npt.NDArray[np.int8]
    track: npt.NDArray[np.int8]
    program_specialty: Ints
    sponsors: Flags
    """(visa code, column): whether an applicant with that visa need can train there."""
    img_share: Floats
    """Share of international graduates in recent classes (the cohort's mean where not recorded)."""
    institution: Ints
    positions: Ints
    """Positions open when SOAP starts."""

    tie: Flags
    """(row, column): the program is in a state the applicant has ties to."""
    known: Flags
    """(row, column): the applicant's home institution, or one it interviewed at, hosts the program."""
    ranked_by_program: Flags
    """(row, column): the program ranked the applicant in the Main Match."""

    specialties: tuple[str, ...]
    match_year: int
    """The year of this Match (seniors graduate in it)."""

    @property
    def n_applicants(self) -> int:
        return len(self.applicant_ids)

    @property
    def n_programs(self) -> int:
        return len(self.program_codes)

    def specialty_index(self, name: str) -> int:
        """Index of specialty ``name`` in ``specialties``, -1 if no entrant or program has it."""
        try:
            return self.specialties.index(name)
        except ValueError:
            return -1

    def visa_ok(self, rows: npt.NDArray[np.intp]) -> Flags:
        """(len(rows), programs): programs that can sponsor the visa each applicant needs."""
        return self.sponsors[self.visa_need[rows]]

    def rows(self, ids: tuple[str, ...] | list[str]) -> npt.NDArray[np.intp]:
        """Rows of the applicants ``ids``; an id not taking part raises :class:`UnknownEntrant`."""
        out = np.empty(len(ids), dtype=np.intp)
        for i, who in enumerate(ids):
            row = self.row_of.get(who)
            if row is None:
                raise UnknownEntrant(who, "not a SOAP entrant")
            out[i] = row
        return out


def build_cohort(market: Market, start: StartSoap, *, match_year: int | None = None) -> Cohort:
    """The facts of ``start``'s entrants and programs, read from ``market``.

    Every entrant must be an applicant of ``market`` (:class:`UnknownEntrant`
    otherwise). ``match_year`` defaults to the latest graduation year in the
    market, the year seniors graduate in.
    """
    by_id = market.applicant_index()
    by_code = market.program_index()
    market_row = {a.id: i for i, a in enumerate(market.applicants)}
    market_col = {p.code: i for i, p in enumerate(market.programs)}
    if match_year is None:
        years = [a.graduation_year for a in market.applicants if a.graduation_year is not None]
        match_year = max(years) if years else 0

    entrants: tuple[SoapEntrant, ...] = start.applicants
    applicants = []
    for e in entrants:
        a = by_id.get(e.id)
        if a is None:
            raise UnknownEntrant(e.id, "enters SOAP but is not an applicant of the market")
        applicants.append(a)
    ids = tuple(e.id for e in entrants)
    row_of = {who: i for i, who in enumerate(ids)}
    n = len(ids)

    programs = start.programs
    codes = tuple(p.code for p in programs)
    col_of = {c: j for j, c in enumerate(codes)}
    m = len(codes)
    market_programs = [by_code.get(c) for c in codes]

    partner_programs = _couple_programs(market)
    main_names = [_main_specialty_name(a, by_code, partner_programs.get(a.id, ())) for a in applicants]
    names: set[str] = {p.specialty for p in programs if p.specialty is not None}
    names.update(name for name in main_names if name is not None)
    for a in applicants:
        names.update(d.specialty for d in a.personal_statements)
        names.update(d.specialty for d in a.letters)
    specialties = tuple(sorted(names))
    spec_index = {s: i for i, s in enumerate(specialties)}

    kind = np.array([KINDS.index(a.kind) if a.kind is not None else -1 for a in applicants], dtype=np.int8)
    visa_need = np.array([VISA_CODES[a.visa_need] for a in applicants], dtype=np.int8)
    failures = np.array([a.exam_failures for a in applicants], dtype=np.int32)
    years = np.array(
        [match_year - a.graduation_year if a.graduation_year is not None else -1 for a in applicants],
        dtype=np.int32,
    )
    clinical = np.array([a.us_clinical_months or 0 for a in applicants], dtype=np.int32)
    flags = np.array([sum(flag_bit(f) for f in set(a.red_flags)) for a in applicants], dtype=np.int32)
    main_specialty = np.array([spec_index[s] if s is not None else -1 for s in main_names], dtype=np.int32)
    main_kind = np.array(
        [POSITION_KINDS.index(_main_kind(a, by_code, partner_programs.get(a.id, ()))) for a in applicants],
        dtype=np.int8,
    )

    shares = [p.img_share if p is not None else None for p in market_programs]
    known_shares = [s for s in shares if s is not None]
    mean_share = float(np.mean(known_shares)) if known_shares else 0.5
    institutions = sorted({p.institution for p in market_programs if p is not None and p.institution})
    inst_index = {inst: i for i, inst in enumerate(institutions)}
    states = sorted({p.state for p in programs if p.state is not None})
    state_index = {s: i for i, s in enumerate(states)}

    sponsors = np.zeros((len(VISA_CODES), m), dtype=np.bool_)
    sponsors[0] = True
    for j, p in enumerate(programs):
        sponsors[VISA_CODES[Visa.J1], j] = Visa.J1 in p.visa
        sponsors[VISA_CODES[Visa.H1B], j] = Visa.H1B in p.visa
    institution = np.array(
        [inst_index[p.institution] if p is not None and p.institution else -1 for p in market_programs],
        dtype=np.int32,
    )
    program_state = np.array(
        [state_index.get(p.state, -1) if p.state else -1 for p in programs], dtype=np.int32
    )

    # Ties and known institutions as (row, state) and (row, institution) tables, then spread
    # over columns; the extra last column stands for "none" and is never set.
    tie_states = np.zeros((n, len(states) + 1), dtype=np.bool_)
    known_inst = np.zeros((n, len(institutions) + 1), dtype=np.bool_)
    for r, a in enumerate(applicants):
        for s in a.ties:
            k = state_index.get(s)
            if k is not None:
                tie_states[r, k] = True
        if a.home_institution is not None and a.home_institution in inst_index:
            known_inst[r, inst_index[a.home_institution]] = True
        for code in _interviewed_at(a, partner_programs.get(a.id, ())):
            p = by_code.get(code)
            if p is not None and p.institution in inst_index:
                known_inst[r, inst_index[p.institution]] = True
    tie = tie_states[:, np.where(program_state >= 0, program_state, len(states))]
    known = known_inst[:, np.where(institution >= 0, institution, len(institutions))]
    ranked_by_program = np.zeros((n, m), dtype=np.bool_)
    for j, p in enumerate(market_programs):
        if p is None:
            continue
        rows = [row_of[who] for who in p.rank_list if who in row_of]
        ranked_by_program[rows, j] = True

    return Cohort(
        applicants=tuple(applicants),
        applicant_ids=ids,
        row_of=row_of,
        applicant_key=np.array([market_row[who] for who in ids], dtype=np.int64),
        kind=kind,
        visa_need=visa_need,
        exam_failures=failures,
        years_since_graduation=years,
        us_clinical_months=clinical,
        red_flags=flags,
        exam_z=_exam_z(applicants),
        main_specialty=main_specialty,
        main_kind=main_kind,
        programs=programs,
        program_codes=codes,
        col_of=col_of,
        program_key=np.array(
            [market_col.get(c, len(market_col) + j) for j, c in enumerate(codes)], dtype=np.int64
        ),
        program_kind=np.array([POSITION_KINDS.index(kind_of(p.track)) for p in programs], dtype=np.int8),
        track=np.array([TRACKS.index(p.track) for p in programs], dtype=np.int8),
        program_specialty=np.array(
            [spec_index[p.specialty] if p.specialty is not None else -1 for p in programs], dtype=np.int32
        ),
        sponsors=sponsors,
        img_share=np.array([s if s is not None else mean_share for s in shares], dtype=np.float64),
        institution=institution,
        positions=np.array([p.open for p in programs], dtype=np.int32),
        tie=tie,
        known=known,
        ranked_by_program=ranked_by_program,
        specialties=specialties,
        match_year=match_year,
    )


def _couple_programs(market: Market) -> dict[str, tuple[str, ...]]:
    """For each applicant in a couple, the programs on its side of the couple's list, in order."""
    out: dict[str, tuple[str, ...]] = {}
    for c in market.couples:
        for side, member in enumerate(c.members):
            out[member] = tuple(code for pair in c.rank_list if (code := pair[side]) is not None)
    return out


def _interviewed_at(a: Applicant, partner_side: tuple[str, ...]) -> list[str]:
    """Every program the applicant ranked (only programs it interviewed at can be ranked)."""
    out = list(a.ranked_programs)
    for name in sorted(a.supplemental_lists):
        out.extend(a.supplemental_lists[name])
    out.extend(partner_side)
    return out


def _first_ranked(a: Applicant, partner_side: tuple[str, ...]) -> str | None:
    if a.rank_list:
        return a.rank_list[0].program
    return partner_side[0] if partner_side else None


def _main_specialty_name(
    a: Applicant, by_code: Mapping[str, Program], partner_side: tuple[str, ...]
) -> str | None:
    """The specialty of its first-ranked program; without a list, the one it wrote most letters for."""
    first = _first_ranked(a, partner_side)
    p = by_code.get(first) if first is not None else None
    if p is not None and p.specialty is not None:
        return p.specialty
    counts: dict[str, int] = {}
    for d in a.personal_statements:
        counts.setdefault(d.specialty, 0)
    for d in a.letters:
        counts[d.specialty] = counts.get(d.specialty, 0) + 1
    if not counts:
        return None
    # Most letters wins; among equals, the first written (dicts keep insertion order).
    return max(counts, key=lambda s: counts[s])


def _main_kind(a: Applicant, by_code: Mapping[str, Program], partner_side: tuple[str, ...]) -> Kind:
    first = _first_ranked(a, partner_side)
    p = by_code.get(first) if first is not None else None
    return kind_of(p.track) if p is not None else Kind.FULL


def _exam_z(applicants: list[Applicant]) -> Floats:
    """Each applicant's clinical-knowledge score as a z-score among the entrants with the same exam."""
    out = np.full(len(applicants), np.nan)
    for exam in (Exam.USMLE_STEP2_CK, Exam.COMLEX_LEVEL2_CE):
        rows, scores = [], []
        for r, a in enumerate(applicants):
            if not np.isnan(out[r]):
                continue
            score = next((e.score for e in a.exams if e.exam is exam and e.score is not None), None)
            if score is not None:
                rows.append(r)
                scores.append(score)
        if rows:
            values = np.array(scores, dtype=np.float64)
            spread = values.std()
            out[rows] = (values - values.mean()) / spread if spread > 0 else 0.0
    return out
