"""``matchweek.soap-result/1``: what a SOAP run produced, to and from ``SoapResult``.

Writing is canonical: rounds by number, every list sorted by program code then
applicant id, ``unfilled`` sorted by key. Reading sorts the same way and checks that the
sections agree: each round's accepted, rejected and expired offers are offers of that
round, no offer ends two ways, and the matches are exactly the accepted offers.
"""

from __future__ import annotations

from matchweek.errors import FormatError
from matchweek.formats.faultlog import FaultLog, Where, document_order, json_path, quote
from matchweek.formats.fileio import decode_json, encode_json
from matchweek.formats.jsonvalues import (
    MISSING,
    as_int,
    as_list,
    as_object,
    as_str,
    check_fields,
    read_counts,
    read_top,
)
from matchweek.model import Offer, RoundOutcome, SoapMatch, SoapResult

SOAP_RESULT_FORMAT = "matchweek.soap-result/1"

_TOP_FIELDS = frozenset({"format", "rounds", "matches", "unfilled"})
_SECTIONS = ("format", "rounds", "matches", "unfilled")
_ROUND_FIELDS = frozenset({"round", "offers", "accepted", "rejected", "expired"})
_OUTCOMES = ("accepted", "rejected", "expired")
_OFFER_FIELDS = frozenset({"program", "applicant"})
_MATCH_FIELDS = frozenset({"applicant", "program", "round"})


def soap_result_from_json(data: bytes | str, source: str | None = None) -> SoapResult:
    """Parse and check a ``matchweek.soap-result/1`` document; FormatError lists every fault."""
    return soap_result_from_document(decode_json(data, source), source)


def soap_result_from_document(document: object, source: str | None = None) -> SoapResult:
    """Like ``soap_result_from_json``, for a document already parsed from JSON."""
    log = FaultLog()
    top = read_top(log, document, SOAP_RESULT_FORMAT, _TOP_FIELDS, ("rounds", "matches", "unfilled"), source)
    rounds, accepted = _rounds(log, top.get("rounds", MISSING))
    matches = _matches(log, top.get("matches", MISSING), accepted)
    unfilled = read_counts(log, top.get("unfilled", MISSING), "unfilled")
    if log:
        ordered = FaultLog()
        ordered.extend(document_order(log.entries, _SECTIONS))
        raise FormatError(ordered.faults(json_path), source)
    return SoapResult(
        rounds=tuple(sorted(rounds, key=lambda r: r.round)),
        matches=tuple(sorted(matches, key=_match_order)),
        unfilled=unfilled,
    )


def _match_order(m: SoapMatch) -> tuple[str, str, int]:
    return (m.program, m.applicant, m.round)


def _offers(log: FaultLog, value: object, where: Where) -> list[Offer] | None:
    items = as_list(log, value, where)
    if items is None:
        return None
    out: list[Offer] = []
    seen: set[Offer] = set()
    for j, item in enumerate(items):
        at: Where = (*where, j)
        d = as_object(log, item, at)
        if d is None:
            continue
        check_fields(log, d, _OFFER_FIELDS, ("program", "applicant"), at)
        program = as_str(log, d["program"], (*at, "program")) if "program" in d else None
        applicant = as_str(log, d["applicant"], (*at, "applicant")) if "applicant" in d else None
        if program is None or applicant is None:
            continue
        offer = Offer(program=program, applicant=applicant)
        if offer in seen:
            log.add(at, f"{quote(program)} to {quote(applicant)} is listed twice")
            continue
        seen.add(offer)
        out.append(offer)
    return out


def _rounds(log: FaultLog, value: object) -> tuple[list[RoundOutcome], dict[tuple[int, Offer], Where] | None]:
    """The rounds, and every accepted offer by round (None if some round could not be read)."""
    if value is MISSING:
        return [], None
    items = as_list(log, value, ("rounds",))
    if items is None:
        return [], None
    out: list[RoundOutcome] = []
    accepted: dict[tuple[int, Offer], Where] | None = {}
    numbers: set[int] = set()
    for r, item in enumerate(items):
        where: Where = ("rounds", r)
        d = as_object(log, item, where)
        if d is None:
            accepted = None
            continue
        check_fields(log, d, _ROUND_FIELDS, ("round",), where)
        number = as_int(log, d["round"], (*where, "round")) if "round" in d else None
        if number is not None and number < 1:
            log.add((*where, "round"), f"rounds are numbered from 1, got {number}")
            number = None
        elif number is not None and number in numbers:
            log.add((*where, "round"), f"round {number} is listed twice")
            number = None
        lists: dict[str, list[Offer] | None] = {}
        for name in ("offers", *_OUTCOMES):
            lists[name] = _offers(log, d[name], (*where, name)) if name in d else []
        if number is None or any(v is None for v in lists.values()):
            accepted = None
            continue
        numbers.add(number)
        made = set(lists["offers"] or ())
        ended: dict[Offer, str] = {}
        for name in _OUTCOMES:
            for j, offer in enumerate(lists[name] or ()):
                at: Where = (*where, name, j)
                if offer not in made:
                    log.add(
                        at,
                        f"{quote(offer.program)} to {quote(offer.applicant)} is not an offer of this round",
                    )
                elif offer in ended:
                    log.add(at, f"{quote(offer.program)} to {quote(offer.applicant)} is also {ended[offer]}")
                ended.setdefault(offer, name)
                if name == "accepted" and accepted is not None:
                    accepted[(number, offer)] = at
        out.append(
            RoundOutcome(
                round=number,
                offers=tuple(sorted(lists["offers"] or ())),
                accepted=tuple(sorted(lists["accepted"] or ())),
                rejected=tuple(sorted(lists["rejected"] or ())),
                expired=tuple(sorted(lists["expired"] or ())),
            )
        )
    return out, accepted


def _matches(
    log: FaultLog, value: object, accepted: dict[tuple[int, Offer], Where] | None
) -> list[SoapMatch]:
    if value is MISSING:
        return []
    items = as_list(log, value, ("matches",))
    if items is None:
        return []
    out: list[SoapMatch] = []
    found: set[tuple[int, Offer]] = set()
    complete = True
    for i, item in enumerate(items):
        where: Where = ("matches", i)
        d = as_object(log, item, where)
        if d is None:
            complete = False
            continue
        check_fields(log, d, _MATCH_FIELDS, ("applicant", "program", "round"), where)
        applicant = as_str(log, d["applicant"], (*where, "applicant")) if "applicant" in d else None
        program = as_str(log, d["program"], (*where, "program")) if "program" in d else None
        number = as_int(log, d["round"], (*where, "round")) if "round" in d else None
        if applicant is None or program is None or number is None:
            complete = False
            continue
        key = (number, Offer(program=program, applicant=applicant))
        if key in found:
            log.add(where, f"{quote(applicant)} in {quote(program)} (round {number}) is listed twice")
            continue
        found.add(key)
        if accepted is not None and key not in accepted:
            log.add(
                where, f"no offer from {quote(program)} to {quote(applicant)} was accepted in round {number}"
            )
        out.append(SoapMatch(applicant=applicant, program=program, round=number))
    if accepted is not None and complete:
        for key, at in accepted.items():
            if key not in found:
                log.add(at, "an accepted offer has no row in matches")
    return out


def soap_result_to_json(result: SoapResult) -> bytes:
    """The canonical ``matchweek.soap-result/1`` text of ``result`` (same result, same bytes)."""
    return encode_json(soap_result_to_document(result))


def soap_result_to_document(result: SoapResult) -> dict[str, object]:
    """``result`` as the JSON document of ``matchweek.soap-result/1``, canonically sorted."""
    return {
        "format": SOAP_RESULT_FORMAT,
        "rounds": [_round_document(r) for r in sorted(result.rounds, key=lambda r: r.round)],
        "matches": [
            {"applicant": m.applicant, "program": m.program, "round": m.round}
            for m in sorted(result.matches, key=_match_order)
        ],
        "unfilled": {p: result.unfilled[p] for p in sorted(result.unfilled)},
    }


def _round_document(r: RoundOutcome) -> dict[str, object]:
    def offers(items: tuple[Offer, ...]) -> list[dict[str, str]]:
        return [{"program": o.program, "applicant": o.applicant} for o in sorted(items)]

    return {
        "round": r.round,
        "offers": offers(r.offers),
        "accepted": offers(r.accepted),
        "rejected": offers(r.rejected),
        "expired": offers(r.expired),
    }
