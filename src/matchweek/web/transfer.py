"""Markets in and results out over HTTP: an uploaded file read as a market; exports as downloadable bytes.

Uploads are JSON (``matchweek.market/1``), an XLSX workbook, or a ZIP of the CSV tables
(files at the top level of the archive or in one folder). Everything is read through
``matchweek.formats``, so an upload is accepted whole or refused with a FormatError that
names the record and field at fault. ZIP archives are checked before extraction: only
plain ``.csv``/``.txt`` members, no paths out of the folder, bounded sizes.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from starlette.responses import Response

from matchweek.errors import Fault, FormatError
from matchweek.formats import (
    market_from_json,
    market_to_json,
    read_market_csv,
    read_market_xlsx,
    result_to_json,
    soap_result_to_json,
    write_market_csv,
    write_market_xlsx,
    write_result_csv,
    write_result_xlsx,
)
from matchweek.formats.fileio import encode_json
from matchweek.model import Market, MatchResult, SoapResult
from matchweek.soap import Event
from matchweek.week.eventlog import event_log_bytes
from matchweek.week.stats import WeekStats, stats_to_json

MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
"""Most bytes a CSV archive may unpack to (a national market's tables are a few hundred MB)."""

MAX_ARCHIVE_MEMBERS = 64

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_uploaded_market(filename: str, data: bytes) -> Market:
    """The market in an uploaded file, read by its kind: ``.json``, ``.xlsx`` or ``.zip`` of CSV tables.

    A file of another kind, or one that breaks its format, raises FormatError naming it.
    """
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    suffix = PurePosixPath(name).suffix.lower()
    if not data:
        raise FormatError(Fault("", "the uploaded file is empty"), name)
    if suffix == ".json":
        return market_from_json(data, name)
    if suffix == ".xlsx":
        with tempfile.TemporaryDirectory(prefix="matchweek-upload-") as folder:
            path = Path(folder) / "market.xlsx"
            path.write_bytes(data)
            try:
                return read_market_xlsx(path)
            except FormatError as e:
                raise FormatError(e.faults, name) from None
    if suffix == ".zip":
        return _market_from_csv_zip(name, data)
    raise FormatError(
        Fault("", "upload a market as .json (matchweek.market/1), .xlsx, or a .zip of its CSV tables"), name
    )


def _market_from_csv_zip(name: str, data: bytes) -> Market:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FormatError(Fault("", "is not a ZIP archive"), name) from None
    with archive, tempfile.TemporaryDirectory(prefix="matchweek-upload-") as folder:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise FormatError(
                Fault("", f"holds {len(members)} files; a market has at most a few dozen"), name
            )
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise FormatError(Fault("", "unpacks to more than 1 GB"), name)
        parents = {PurePosixPath(m.filename).parent for m in members}
        if len(parents) > 1:
            raise FormatError(Fault("", "the CSV files must all be in one folder of the archive"), name)
        root = Path(folder)
        for m in members:
            member = PurePosixPath(m.filename)
            if member.is_absolute() or ".." in member.parts:
                raise FormatError(Fault(m.filename, "a path outside the archive's folder"), name)
            if member.suffix.lower() not in (".csv", ".txt"):
                raise FormatError(Fault(m.filename, "only .csv tables (and format.txt) belong here"), name)
            # Read at most the declared size plus one byte: a member lying about its size is refused.
            with archive.open(m) as src:
                content = src.read(m.file_size + 1)
            if len(content) != m.file_size:
                raise FormatError(Fault(m.filename, "its size does not match the archive's record"), name)
            (root / member.name).write_bytes(content)
        try:
            return read_market_csv(root)
        except FormatError as e:
            raise FormatError(e.faults, name) from None


@dataclass(frozen=True, slots=True)
class Download:
    """Bytes to send as a file."""

    filename: str
    media_type: str
    content: bytes

    def response(self) -> Response:
        """The answer that sends it as an attachment."""
        return Response(
            self.content,
            media_type=self.media_type,
            headers={"content-disposition": f'attachment; filename="{self.filename}"'},
        )


def _through_file(write: Callable[[Path], None], filename: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="matchweek-export-") as folder:
        path = Path(folder) / filename
        write(path)
        return path.read_bytes()


def _zip_of_folder(write: Callable[[Path], None]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="matchweek-export-") as folder:
        root = Path(folder) / "tables"
        write(root)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.iterdir()):
                # A fixed timestamp: the same tables give the same archive.
                info = zipfile.ZipInfo(path.name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        return out.getvalue()


def market_download(market: Market, form: str) -> Download:
    """The market as ``json``, ``xlsx`` or ``csv`` (a ZIP of its tables)."""
    if form == "json":
        return Download("market.json", "application/json", market_to_json(market))
    if form == "xlsx":
        return Download(
            "market.xlsx", XLSX_TYPE, _through_file(lambda p: write_market_xlsx(market, p), "market.xlsx")
        )
    return Download(
        "market-csv.zip", "application/zip", _zip_of_folder(lambda p: write_market_csv(market, p))
    )


def result_download(result: MatchResult, form: str) -> Download:
    """The Main Match result as ``json``, ``xlsx`` or ``csv`` (a ZIP of its tables)."""
    if form == "json":
        return Download("result.json", "application/json", result_to_json(result))
    if form == "xlsx":
        return Download(
            "result.xlsx", XLSX_TYPE, _through_file(lambda p: write_result_xlsx(result, p), "result.xlsx")
        )
    return Download(
        "result-csv.zip", "application/zip", _zip_of_folder(lambda p: write_result_csv(result, p))
    )


def soap_result_download(result: SoapResult) -> Download:
    """The SOAP result so far as ``matchweek.soap-result/1`` JSON."""
    return Download("soap-result.json", "application/json", soap_result_to_json(result))


def event_log_download(events: Iterable[Event]) -> Download:
    """The SOAP event log as JSON Lines, one event per line (``matchweek soap`` writes the same)."""
    return Download("soap-events.jsonl", "application/x-ndjson", event_log_bytes(events))


def stats_download(stats: WeekStats) -> Download:
    """The week's figures as ``matchweek.week-stats/1`` JSON."""
    return Download("week-stats.json", "application/json", encode_json(stats_to_json(stats)))
