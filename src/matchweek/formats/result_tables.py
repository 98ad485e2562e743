"""A Main Match result as spreadsheet tables (an export; results are read from JSON only).

Tables: ``matches`` (applicant, program), ``applicants`` (applicant, status),
``unfilled`` (program, unfilled) and ``instabilities`` (applicant, partner, program,
partner_program; ``partner`` and ``partner_program`` are set for a couple). Rows follow
the canonical order of ``matchweek.result/1``.
"""

from __future__ import annotations

from pathlib import Path

from matchweek.formats.tables import Cell, Column, Table, write_csv_folder, write_workbook
from matchweek.model import MatchResult

RESULT_FORMAT = "matchweek.result/1"

MATCHES = Table("matches", (Column("applicant", required=True), Column("program", required=True)))
STATUSES = Table("applicants", (Column("applicant", required=True), Column("status", required=True)))
UNFILLED = Table("unfilled", (Column("program", required=True), Column("unfilled", "int", required=True)))
INSTABILITIES = Table(
    "instabilities",
    (Column("applicant", required=True), Column("partner"), Column("program"), Column("partner_program")),
)


def result_to_tables(result: MatchResult) -> list[tuple[Table, list[tuple[Cell, ...]]]]:
    """The tables of ``result``, rows in canonical order."""
    instabilities: list[tuple[Cell, ...]] = []
    for x in result.instabilities:
        if x.couple is not None:
            first, second = (*x.programs, None, None)[:2]
            instabilities.append((x.couple[0], x.couple[1], first, second))
        else:
            instabilities.append((x.applicant, None, x.programs[0] if x.programs else None, None))
    return [
        (MATCHES, [(m.applicant, m.program) for m in sorted(result.matches)]),
        (STATUSES, [(a, result.statuses[a].value) for a in sorted(result.statuses)]),
        (UNFILLED, [(p, result.unfilled[p]) for p in sorted(result.unfilled)]),
        (INSTABILITIES, instabilities),
    ]


def write_result_csv(result: MatchResult, folder: str | Path) -> None:
    """Write ``result`` as CSV files (matches, applicants, unfilled, instabilities) in ``folder``."""
    write_csv_folder(folder, RESULT_FORMAT, result_to_tables(result))


def write_result_xlsx(result: MatchResult, path: str | Path) -> None:
    """Write ``result`` as an XLSX workbook with one sheet per table; same result, same bytes."""
    write_workbook(path, result_to_tables(result))
