"""``matchweek.market/1``: a Main Match instance as JSON, to and from ``Market``.

Writing is canonical: keys in the order of FORMATS.md, then the extension fields in the
model's field order; optional fields equal to the model default are left out, except the
lists the format shows in every record (``rank_list``, ``couples``, a couple's
``members`` and ``rank_list``), which are always written. Reading checks every field
and every rule of ``market_checks`` and raises one FormatError carrying all faults.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from matchweek.errors import FormatError
from matchweek.formats.faultlog import FaultLog, document_order, json_path
from matchweek.formats.fileio import decode_json, encode_json
from matchweek.formats.jsonvalues import MISSING, read_top
from matchweek.formats.market_checks import check_market
from matchweek.formats.market_fast import decode_market
from matchweek.formats.market_reader import MarketReader
from matchweek.model import Applicant, Document, ExamResult, Market, Program

MARKET_FORMAT = "matchweek.market/1"

_TOP_FIELDS = frozenset({"format", "programs", "applicants", "couples"})
_SECTIONS = ("format", "programs", "applicants", "couples")


# ---------------------------------------------------------------------------------------
# reading


def market_from_json(data: bytes | str, source: str | None = None) -> Market:
    """Parse and check a ``matchweek.market/1`` document.

    Raises FormatError (every fault, each naming its record and field; ``source`` is put
    in front of each line) when the text is not JSON or the market breaks the format.
    """
    with collector_paused():
        decoded = decode_market(data)
        if decoded is not None and not check_market(*decoded):
            return decoded[0]
        # Something is wrong somewhere: the careful reader says exactly what.
        return market_from_document(decode_json(data, source), source)


def market_from_document(document: object, source: str | None = None) -> Market:
    """Like ``market_from_json``, for a document already parsed from JSON."""
    log = FaultLog()
    top = read_top(log, document, MARKET_FORMAT, _TOP_FIELDS, ("programs", "applicants"), source)
    with collector_paused():
        reader = MarketReader(log)
        programs = reader.programs(top.get("programs", MISSING), top.get("applicants"))
        applicants = reader.applicants(top.get("applicants", MISSING))
        couples = reader.couples(top.get("couples", MISSING))
        market = Market(programs=tuple(programs), applicants=tuple(applicants), couples=tuple(couples))
        log.extend(check_market(market, reader.notes))
    if log:
        raise _error(log, source)
    return market


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a market is built.

    Building a national market allocates millions of objects, none of them garbage;
    every collection the allocations would trigger only walks them to find nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _error(log: FaultLog, source: str | None) -> FormatError:
    ordered = FaultLog()
    ordered.extend(document_order(log.entries, _SECTIONS))
    return FormatError(ordered.faults(json_path), source)


# ---------------------------------------------------------------------------------------
# writing


def market_to_json(market: Market) -> bytes:
    """The canonical ``matchweek.market/1`` text of ``market`` (same market, same bytes)."""
    return encode_json(market_to_document(market))


def market_to_document(market: Market) -> dict[str, object]:
    """``market`` as the JSON document of ``matchweek.market/1``, keys in canonical order."""
    return {
        "format": MARKET_FORMAT,
        "programs": [_program_document(p) for p in market.programs],
        "applicants": [_applicant_document(a) for a in market.applicants],
        "couples": [
            {"members": list(c.members), "rank_list": [list(p) for p in c.rank_list]} for c in market.couples
        ],
    }


def _program_document(p: Program) -> dict[str, object]:
    d: dict[str, object] = {"code": p.code}
    if p.name is not None:
        d["name"] = p.name
    if p.specialty is not None:
        d["specialty"] = p.specialty
    d["track"] = p.track
    d["positions"] = p.positions
    if p.state is not None:
        d["state"] = p.state
    if p.visa:
        d["visa"] = p.visa
    if p.reverts_to is not None:
        d["reverts_to"] = p.reverts_to
    d["rank_list"] = p.rank_list
    if p.institution is not None:
        d["institution"] = p.institution
    if p.soap is not None:
        d["soap"] = p.soap
    if p.img_share is not None:
        d["img_share"] = p.img_share
    return d


def _applicant_document(a: Applicant) -> dict[str, object]:
    d: dict[str, object] = {"id": a.id}
    if a.kind is not None:
        d["kind"] = a.kind
    d["rank_list"] = [
        e.program if e.supplemental is None else {"program": e.program, "supplemental": e.supplemental}
        for e in a.rank_list
    ]
    if a.supplemental_lists:
        d["supplemental_lists"] = {name: a.supplemental_lists[name] for name in sorted(a.supplemental_lists)}
    if a.graduation_year is not None:
        d["graduation_year"] = a.graduation_year
    if a.visa_need is not None:
        d["visa_need"] = a.visa_need
    if a.verified is not True:
        d["verified"] = a.verified
    if a.can_start_july_1 is not True:
        d["can_start_july_1"] = a.can_start_july_1
    if a.us_clinical_months is not None:
        d["us_clinical_months"] = a.us_clinical_months
    if a.exams:
        d["exams"] = [exam_document(e) for e in a.exams]
    if a.personal_statements:
        d["personal_statements"] = [document_document(doc) for doc in a.personal_statements]
    if a.letters:
        d["letters"] = [document_document(doc) for doc in a.letters]
    if a.ties:
        d["ties"] = a.ties
    if a.red_flags:
        d["red_flags"] = a.red_flags
    if a.home_institution is not None:
        d["home_institution"] = a.home_institution
    return d


def exam_document(e: ExamResult) -> dict[str, object]:
    d: dict[str, object] = {"exam": e.exam.value, "passed": e.passed}
    if e.attempts != 1:
        d["attempts"] = e.attempts
    if e.score is not None:
        d["score"] = e.score
    return d


def document_document(doc: Document) -> dict[str, object]:
    d: dict[str, object] = {"id": doc.id, "specialty": doc.specialty}
    if doc.author is not None:
        d["author"] = doc.author
    return d
