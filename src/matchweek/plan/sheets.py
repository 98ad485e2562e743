"""One table in one file: a CSV file or an XLSX workbook, chosen by the file's suffix.

Reading names the file, row and column of every faulty cell (through
``formats.tables``); writing is canonical, so the same rows give the same bytes
and a file written and read back gives the same rows.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from matchweek.errors import Fault, FormatError
from matchweek.formats.fileio import atomic_write, read_bytes
from matchweek.formats.tables import Cell, Row, Table, parse_rows, read_workbook, render_csv, render_workbook


def is_workbook(path: str | Path) -> bool:
    """Whether ``path`` names an XLSX workbook (else it is read and written as CSV)."""
    return Path(path).suffix.lower() == ".xlsx"


def read_table(path: str | Path, table: Table, faults: list[Fault]) -> list[Row]:
    """The rows of ``table`` in the CSV file or workbook (sheet ``table.name``) at ``path``.

    Faulty cells are added to ``faults``; a file that cannot be read at all is a FormatError.
    """
    if is_workbook(path):
        return read_workbook(path, [table], faults)[table.name]
    source = str(path)
    data = read_bytes(path)
    try:
        lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except UnicodeDecodeError:
        raise FormatError(Fault("", "is not UTF-8 text"), source) from None
    except csv.Error as e:
        raise FormatError(Fault("", f"is not readable CSV: {e}"), source) from None
    if not lines:
        raise FormatError(Fault("", "is empty; it needs at least a header row"), source)
    numbered = ((n, list(cells)) for n, cells in enumerate(lines[1:], start=2))
    return parse_rows(table, Path(path).name, list(lines[0]), numbered, faults)


def table_bytes(path: str | Path, table: Table, rows: list[tuple[Cell, ...]]) -> bytes:
    """The file ``path`` would hold: a workbook for ``.xlsx``, CSV text otherwise."""
    if is_workbook(path):
        return render_workbook([(table, rows)])
    return render_csv(table, rows)


def write_table(path: str | Path, table: Table, rows: list[tuple[Cell, ...]]) -> None:
    """Write ``rows`` of ``table`` to ``path`` (workbook or CSV by suffix), atomically."""
    atomic_write(path, table_bytes(path, table, rows))


_ROW = re.compile(r" row (\d+)")


def in_row_order(faults: list[Fault]) -> list[Fault]:
    """``faults`` sorted by the row they name (faults of one row, or naming none, keep their order)."""

    def row(f: Fault) -> int:
        m = _ROW.search(f.where)
        return int(m.group(1)) if m else 0

    return sorted(faults, key=row)
