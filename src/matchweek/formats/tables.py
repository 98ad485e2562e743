"""Tables of typed cells, and their two spreadsheet forms: a folder of CSV files and an XLSX workbook.

A table has named, typed columns. Writing renders every cell the same way each time, so
the same rows give the same bytes. Reading matches columns by header name (any order;
optional columns may be left out), skips blank rows, converts each cell to its column's
type and reports every misfit as ``programs.csv row 12, positions: ...``, where row 1 is
the header, as a spreadsheet numbers it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from matchweek.errors import Fault, FormatError
from matchweek.formats.faultlog import quote, show
from matchweek.formats.fileio import atomic_write, read_bytes

Cell = str | int | float | bool | None
CellKind = Literal["text", "int", "float", "bool"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header name, the type of its cells, and whether a cell may be blank."""

    name: str
    kind: CellKind = "text"
    required: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """The layout of one table (one CSV file, one sheet)."""

    name: str
    columns: tuple[Column, ...]
    required: bool = False
    """The table must be present (an absent optional table reads as empty)."""

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True, slots=True)
class Row:
    """One data row, its cells converted to their columns' types (None: blank or unreadable)."""

    where: str
    """Where the row is, for messages: ``programs.csv row 12``."""
    cells: dict[str, Cell]
    sound: bool
    """Every cell could be read."""

    def at(self, column: str | None = None) -> str:
        """The row's location, naming ``column`` if given."""
        return self.where if column is None else f"{self.where}, {column}"


# ---------------------------------------------------------------------------------------
# cells


_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def read_cell(kind: CellKind, raw: object) -> tuple[Cell, str | None]:
    """A raw cell (text from CSV, or a typed value from a workbook) as ``kind``, or why it cannot be."""
    if raw is None or raw == "":
        return None, None
    if kind == "text":
        if type(raw) is str:
            return raw, None
        if type(raw) is int or (type(raw) is float and raw.is_integer()):
            return str(int(raw)), None
        return None, f"must be text, got {show(raw)}"
    if kind == "bool":
        if type(raw) is bool:
            return raw, None
        if type(raw) is str and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true", None
        return None, f"must be true or false, got {show(raw)}"
    if kind == "int":
        if type(raw) is int:
            return raw, None
        if type(raw) is float and raw.is_integer():
            return int(raw), None
        if type(raw) is str and _INT.fullmatch(raw.strip()):
            return int(raw.strip()), None
        return None, f"must be a whole number, got {show(raw)}"
    if type(raw) is int or type(raw) is float:
        return float(raw), None
    if type(raw) is str and _FLOAT.fullmatch(raw.strip()):
        return float(raw.strip()), None
    return None, f"must be a number, got {show(raw)}"


def csv_text(value: Cell) -> str:
    """How a cell is written to CSV: blank for None, ``true``/``false``, shortest exact numbers."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is float:
        return repr(value)
    return str(value)


def parse_rows(
    table: Table,
    label: str,
    header: list[object] | None,
    rows: Iterable[tuple[int, list[object]]],
    faults: list[Fault],
) -> list[Row]:
    """Convert raw rows under ``header`` to typed rows of ``table``, adding every misfit to ``faults``.

    ``label`` names the table in messages (``programs.csv``, ``sheet programs``);
    ``rows`` gives each row's number with its raw cells.
    """
    if header is None:
        if table.required:
            faults.append(Fault(label, "missing (this table is required)"))
        return []
    names = ["" if h is None else str(h).strip() for h in header]
    while names and names[-1] == "":
        names.pop()
    known = {c.name: c for c in table.columns}
    position: dict[str, int] = {}
    header_sound = True
    for k, name in enumerate(names):
        if name not in known:
            faults.append(
                Fault(f"{label} row 1", f"unknown column {quote(name)} (columns: {', '.join(table.header)})")
            )
            header_sound = False
        elif name in position:
            faults.append(Fault(f"{label} row 1", f"column {quote(name)} appears twice"))
            header_sound = False
        else:
            position[name] = k
    for c in table.columns:
        if c.required and c.name not in position:
            faults.append(Fault(f"{label} row 1", f"missing column {quote(c.name)}"))
            header_sound = False
    if not header_sound:
        return []
    out: list[Row] = []
    width = len(names)
    for number, raw in rows:
        if all(v is None or v == "" for v in raw):
            continue
        where = f"{label} row {number}"
        sound = True
        if any(v is not None and v != "" for v in raw[width:]):
            faults.append(Fault(where, f"has {len(raw)} cells but the header names {width} columns"))
            sound = False
        cells: dict[str, Cell] = {}
        for c in table.columns:
            k = position.get(c.name)
            value, problem = read_cell(c.kind, raw[k] if k is not None and k < len(raw) else None)
            if problem is not None:
                faults.append(Fault(f"{where}, {c.name}", problem))
                sound = False
            elif value is None and c.required:
                faults.append(Fault(f"{where}, {c.name}", "required, but blank"))
                sound = False
            cells[c.name] = value
        out.append(Row(where, cells, sound))
    return out


# ---------------------------------------------------------------------------------------
# CSV folders


FORMAT_FILE = "format.txt"


def folder_format(folder: Path) -> str | None:
    """The format a table folder declares in its ``format.txt`` (None: no such file)."""
    marker = folder / FORMAT_FILE
    if not marker.is_file():
        return None
    return read_bytes(marker).decode("utf-8", errors="replace").strip()


def render_csv(table: Table, rows: Iterable[tuple[Cell, ...]]) -> bytes:
    """The CSV text of ``table``: header, then one line per row, ``\\n`` line ends, UTF-8."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows([csv_text(v) for v in row] for row in rows)
    return text.getvalue().encode("utf-8")


def write_csv_folder(
    folder: str | Path, format_name: str, tables: list[tuple[Table, list[tuple[Cell, ...]]]]
) -> None:
    """Write each table as ``<name>.csv`` in ``folder`` (created if needed) with a ``format.txt``.

    Every file is rendered before any is written, and each is replaced atomically.
    """
    target = Path(folder)
    files = [(f"{table.name}.csv", render_csv(table, rows)) for table, rows in tables]
    files.append((FORMAT_FILE, f"{format_name}\n".encode()))
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        atomic_write(target / name, data)


def read_csv_folder(folder: str | Path, tables: Iterable[Table], faults: list[Fault]) -> dict[str, list[Row]]:
    """Read ``<name>.csv`` of each table in ``folder`` (absent optional tables read as empty)."""
    root = Path(folder)
    out: dict[str, list[Row]] = {}
    for table in tables:
        label = f"{table.name}.csv"
        path = root / label
        if not path.is_file():
            out[table.name] = parse_rows(table, label, None, (), faults)
            continue
        data = read_bytes(path)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            row = data.count(b"\n", 0, e.start) + 1
            faults.append(Fault(f"{label} row {row}", "is not UTF-8 text"))
            out[table.name] = []
            continue
        try:
            lines = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as e:
            faults.append(Fault(label, f"is not readable CSV: {e}"))
            out[table.name] = []
            continue
        header = list(lines[0]) if lines else None
        if header is None:
            faults.append(Fault(label, "is empty; it needs at least a header row"))
            out[table.name] = []
            continue
        rows = ((n, list(cells)) for n, cells in enumerate(lines[1:], start=2))
        out[table.name] = parse_rows(table, label, header, rows, faults)
    return out


# ---------------------------------------------------------------------------------------
# XLSX workbooks

_FIXED_TIME = b"2000-01-01T00:00:00Z"
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def render_workbook(tables: list[tuple[Table, list[tuple[Cell, ...]]]]) -> bytes:
    """An XLSX workbook with one sheet per table, the same bytes for the same tables.

    Cells keep their types (numbers, booleans, text); text is always stored as text,
    even when it starts with ``=``. Raises FormatError for text a workbook cannot hold.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Checked before any sheet is started, so that a refusal leaves no half-built workbook behind.
    for table, rows in tables:
        for n, row in enumerate(rows, start=2):
            for column, value in zip(table.columns, row, strict=True):
                if type(value) is str and ILLEGAL_CHARACTERS_RE.search(value):
                    where = f"sheet {table.name} row {n}, {column.name}"
                    raise FormatError(Fault(where, "text holds a control character, which XLSX cannot store"))
    book = Workbook(write_only=True)
    for table, rows in tables:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.header))
        for row in rows:
            cells = []
            for value in row:
                if (type(value) is int or type(value) is float) and not _exact_in_workbook(value):
                    value = repr(value)  # kept exact as text; reading takes text for numbers too
                cell = WriteOnlyCell(sheet, value)
                if type(value) is str:
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
            sheet.append(cells)
    raw = io.BytesIO()
    book.save(raw)
    return _repack(raw.getvalue())


def _exact_in_workbook(value: float) -> bool:
    """Whether a number survives the workbook writer, which keeps 16 significant digits."""
    return float(f"{value:.16g}") == value and (type(value) is float or abs(value) < 10**15)


def _repack(data: bytes) -> bytes:
    """The same archive with fixed timestamps, so that equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + _FIXED_TIME + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def write_workbook(path: str | Path, tables: list[tuple[Table, list[tuple[Cell, ...]]]]) -> None:
    """Write ``tables`` as an XLSX workbook at ``path``, atomically."""
    atomic_write(path, render_workbook(tables))


def read_workbook(path: str | Path, tables: Iterable[Table], faults: list[Fault]) -> dict[str, list[Row]]:
    """Read the sheet of each table from the workbook at ``path`` (absent optional sheets read as empty).

    A file that is missing or is not a workbook is one FormatError line.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    p = Path(path)
    data = read_bytes(p)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as e:
        raise FormatError(Fault("", f"is not an XLSX workbook ({e})"), str(p)) from None
    try:
        out: dict[str, list[Row]] = {}
        for table in tables:
            label = f"sheet {table.name}"
            if table.name not in book.sheetnames:
                out[table.name] = parse_rows(table, label, None, (), faults)
                continue
            sheet = book[table.name]
            sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
            rows: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                faults.append(Fault(label, "is empty; it needs at least a header row"))
                out[table.name] = []
                continue
            numbered = ((n, list(cells)) for n, cells in enumerate(rows, start=2))
            out[table.name] = parse_rows(table, label, list(header), numbered, faults)
        return out
    finally:
        book.close()
