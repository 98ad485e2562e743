"""Reading, writing and validating matchweek's public file formats (see FORMATS.md).

JSON: ``matchweek.market/1``, ``matchweek.result/1``, ``matchweek.soap/1`` and
``matchweek.soap-result/1``, each to and from its model type. Writing is canonical (the
same value always gives the same bytes); reading rejects an invalid file as a whole with
a FormatError that lists every fault, each naming its record and field. A market also
has a spreadsheet form (a folder of CSV files, or an XLSX workbook) that round-trips
without loss; a result can be exported to the same forms.

Writers replace their target atomically: a failed write leaves the old file, never half
of a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from matchweek.errors import Fault, FormatError
from matchweek.formats.faultlog import show
from matchweek.formats.fileio import atomic_write, decode_json, read_bytes
from matchweek.formats.market_checks import market_faults
from matchweek.formats.market_json import (
    MARKET_FORMAT,
    market_from_document,
    market_from_json,
    market_to_json,
)
from matchweek.formats.market_tables import (
    read_market_csv,
    read_market_xlsx,
    write_market_csv,
    write_market_xlsx,
)
from matchweek.formats.result_json import (
    RESULT_FORMAT,
    result_from_document,
    result_from_json,
    result_to_json,
)
from matchweek.formats.result_tables import write_result_csv, write_result_xlsx
from matchweek.formats.soap_json import (
    SOAP_FORMAT,
    soap_script_from_document,
    soap_script_from_json,
    soap_script_to_json,
)
from matchweek.formats.soap_result_json import (
    SOAP_RESULT_FORMAT,
    soap_result_from_document,
    soap_result_from_json,
    soap_result_to_json,
)
from matchweek.formats.tables import folder_format
from matchweek.model import Market, MatchResult, SoapResult, SoapScript

__all__ = [
    "FORMATS",
    "MARKET_FORMAT",
    "RESULT_FORMAT",
    "SOAP_FORMAT",
    "SOAP_RESULT_FORMAT",
    "market_faults",
    "market_from_json",
    "market_to_json",
    "read_any",
    "read_market",
    "read_market_csv",
    "read_market_then",
    "read_market_xlsx",
    "read_result",
    "read_soap_result",
    "read_soap_script",
    "result_from_json",
    "result_to_json",
    "soap_result_from_json",
    "soap_result_to_json",
    "soap_script_from_json",
    "soap_script_to_json",
    "write_market",
    "write_market_csv",
    "write_market_xlsx",
    "write_result",
    "write_result_csv",
    "write_result_xlsx",
    "write_soap_result",
    "write_soap_script",
]

T = TypeVar("T")

FORMATS = (MARKET_FORMAT, RESULT_FORMAT, SOAP_FORMAT, SOAP_RESULT_FORMAT)
"""Every format name this package reads and writes."""


def read_market(path: str | Path) -> Market:
    """Read and check a ``matchweek.market/1`` JSON file; FormatError lists every fault."""
    return market_from_json(read_bytes(path), str(path))


def read_market_then(path: str | Path, work: Callable[[Market], T]) -> tuple[Market, T]:
    """``read_market`` and ``work(market)`` at once: the rules are checked on a second core.

    ``work`` must be pure; on a market that breaks the format its outcome is dropped and the
    FormatError raised (see ``market_aside``).
    """
    from matchweek.formats.market_aside import market_from_json_then

    return market_from_json_then(read_bytes(path), work, str(path))


def write_market(market: Market, path: str | Path) -> None:
    """Write ``market`` as canonical ``matchweek.market/1`` JSON, atomically."""
    atomic_write(path, market_to_json(market))


def read_result(path: str | Path) -> MatchResult:
    """Read and check a ``matchweek.result/1`` JSON file; FormatError lists every fault."""
    return result_from_json(read_bytes(path), str(path))


def write_result(result: MatchResult, path: str | Path) -> None:
    """Write ``result`` as canonical ``matchweek.result/1`` JSON, atomically."""
    atomic_write(path, result_to_json(result))


def read_soap_script(path: str | Path) -> SoapScript:
    """Read and check a ``matchweek.soap/1`` JSON file; FormatError lists every fault."""
    return soap_script_from_json(read_bytes(path), str(path))


def write_soap_script(script: SoapScript, path: str | Path) -> None:
    """Write ``script`` as canonical ``matchweek.soap/1`` JSON, atomically."""
    atomic_write(path, soap_script_to_json(script))


def read_soap_result(path: str | Path) -> SoapResult:
    """Read and check a ``matchweek.soap-result/1`` JSON file; FormatError lists every fault."""
    return soap_result_from_json(read_bytes(path), str(path))


def write_soap_result(result: SoapResult, path: str | Path) -> None:
    """Write ``result`` as canonical ``matchweek.soap-result/1`` JSON, atomically."""
    atomic_write(path, soap_result_to_json(result))


_FROM_DOCUMENT = {
    MARKET_FORMAT: market_from_document,
    RESULT_FORMAT: result_from_document,
    SOAP_FORMAT: soap_script_from_document,
    SOAP_RESULT_FORMAT: soap_result_from_document,
}


def read_any(path: str | Path) -> tuple[str, Market | MatchResult | SoapScript | SoapResult]:
    """Read a file in any of the formats and return its format name and its checked value.

    A folder is read as a market in CSV tables, a ``.xlsx`` file as a market workbook,
    anything else as JSON whose ``"format"`` field says what it is. Raises FormatError
    listing every fault.
    """
    p = Path(path)
    source = str(p)
    if p.is_dir():
        declared = folder_format(p)
        if declared == RESULT_FORMAT:
            raise FormatError(
                Fault("", "result tables are an export only; read the result's JSON file"), source
            )
        return MARKET_FORMAT, read_market_csv(p)
    if p.suffix.lower() == ".xlsx":
        return MARKET_FORMAT, read_market_xlsx(p)
    document = decode_json(read_bytes(p), source)
    if not isinstance(document, dict):
        raise FormatError(Fault("", f"must be a JSON object, got {show(document)}"), source)
    name = document.get("format")
    read = _FROM_DOCUMENT.get(name) if isinstance(name, str) else None
    if read is None:
        known = ", ".join(FORMATS)
        if name is None:
            raise FormatError(Fault("format", f"required field missing (one of {known})"), source)
        raise FormatError(Fault("format", f"unknown format {show(name)} (one of {known})"), source)
    return name, read(document, source)  # type: ignore[operator]
