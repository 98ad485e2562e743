"""``matchweek.result/1``: the outcome of a Main Match as JSON, to and from ``MatchResult``.

Writing is canonical: ``matches`` sorted by applicant then program, the ``applicants``
and ``unfilled`` maps sorted by key, ``instabilities`` in the order given. Reading
accepts matches in any order and sorts them, and checks that the sections agree: every
matched applicant has a status, and an applicant holds a position unless unmatched.
"""

from __future__ import annotations

from matchweek.errors import FormatError
from matchweek.formats.faultlog import FaultLog, Where, document_order, json_path, quote, show
from matchweek.formats.fileio import decode_json, encode_json
from matchweek.formats.jsonvalues import (
    MISSING,
    as_enum,
    as_list,
    as_object,
    as_str,
    as_str_map,
    check_fields,
    read_counts,
    read_top,
)
from matchweek.model import Assignment, Instability, MatchResult, MatchStatus

RESULT_FORMAT = "matchweek.result/1"

_TOP_FIELDS = frozenset({"format", "matches", "applicants", "unfilled", "instabilities"})
_SECTIONS = ("format", "matches", "applicants", "unfilled", "instabilities")
_MATCH_FIELDS = frozenset({"applicant", "program"})
_APPLICANT_INSTABILITY = frozenset({"applicant", "programs"})
_COUPLE_INSTABILITY = frozenset({"couple", "programs"})


def result_from_json(data: bytes | str, source: str | None = None) -> MatchResult:
    """Parse and check a ``matchweek.result/1`` document; FormatError lists every fault."""
    return result_from_document(decode_json(data, source), source)


def result_from_document(document: object, source: str | None = None) -> MatchResult:
    """Like ``result_from_json``, for a document already parsed from JSON."""
    log = FaultLog()
    top = read_top(log, document, RESULT_FORMAT, _TOP_FIELDS, ("matches", "applicants", "unfilled"), source)
    statuses = _statuses(log, top.get("applicants", MISSING))
    matches = _matches(log, top.get("matches", MISSING), statuses)
    unfilled = read_counts(log, top.get("unfilled", MISSING), "unfilled")
    instabilities = _instabilities(log, top.get("instabilities", MISSING), statuses)
    if log:
        ordered = FaultLog()
        ordered.extend(document_order(log.entries, _SECTIONS))
        raise FormatError(ordered.faults(json_path), source)
    return MatchResult(
        matches=tuple(sorted(matches)),
        statuses=statuses or {},
        unfilled=unfilled,
        instabilities=tuple(instabilities),
    )


def _statuses(log: FaultLog, value: object) -> dict[str, MatchStatus] | None:
    """Statuses by applicant; None when the section is missing or unreadable."""
    if value is MISSING:
        return None
    items = as_str_map(log, value, ("applicants",))
    if items is None:
        return None
    out: dict[str, MatchStatus] = {}
    for applicant, status in items.items():
        read = as_enum(log, status, MatchStatus, "status", ("applicants", applicant))
        if read is not None:
            out[applicant] = read
    return out if len(out) == len(items) else None


def _matches(log: FaultLog, value: object, statuses: dict[str, MatchStatus] | None) -> list[Assignment]:
    if value is MISSING:
        return []
    items = as_list(log, value, ("matches",))
    if items is None:
        return []
    out: list[Assignment] = []
    first: dict[tuple[str, str], int] = {}
    for i, item in enumerate(items):
        where: Where = ("matches", i)
        d = as_object(log, item, where)
        if d is None:
            continue
        check_fields(log, d, _MATCH_FIELDS, ("applicant", "program"), where)
        applicant = as_str(log, d["applicant"], (*where, "applicant")) if "applicant" in d else None
        program = as_str(log, d["program"], (*where, "program")) if "program" in d else None
        if applicant is None or program is None:
            continue
        if (applicant, program) in first:
            log.add(where, f"applicant {quote(applicant)} is matched to {quote(program)} twice")
            continue
        first[(applicant, program)] = i
        out.append(Assignment(applicant, program))
        if statuses is not None:
            status = statuses.get(applicant)
            if status is None:
                log.add((*where, "applicant"), f"applicant {quote(applicant)} has no status in applicants")
            elif status is MatchStatus.UNMATCHED:
                log.add(
                    (*where, "applicant"), f"applicant {quote(applicant)} is unmatched but holds a position"
                )
    if statuses is not None:
        holding = {a.applicant for a in out}
        for applicant, status in statuses.items():
            if status is not MatchStatus.UNMATCHED and applicant not in holding:
                log.add(
                    ("applicants", applicant),
                    f"status is {status.value}, but no match row names this applicant",
                )
    return out


def _instabilities(
    log: FaultLog, value: object, statuses: dict[str, MatchStatus] | None
) -> list[Instability]:
    if value is MISSING:
        return []
    items = as_list(log, value, ("instabilities",))
    if items is None:
        return []
    out: list[Instability] = []
    for i, item in enumerate(items):
        where: Where = ("instabilities", i)
        d = as_object(log, item, where)
        if d is None:
            continue
        if "couple" in d and "applicant" in d:
            log.add(where, "names both an applicant and a couple; an instability is one or the other")
            continue
        if "couple" in d:
            read = _couple_instability(log, d, where, statuses)
        else:
            read = _applicant_instability(log, d, where, statuses)
        if read is not None:
            out.append(read)
    return out


def _known(log: FaultLog, applicant: str, where: Where, statuses: dict[str, MatchStatus] | None) -> None:
    if statuses is not None and applicant not in statuses:
        log.add(where, f"applicant {quote(applicant)} has no status in applicants")


def _applicant_instability(
    log: FaultLog, d: dict[str, object], where: Where, statuses: dict[str, MatchStatus] | None
) -> Instability | None:
    check_fields(log, d, _APPLICANT_INSTABILITY, ("applicant", "programs"), where)
    applicant = as_str(log, d["applicant"], (*where, "applicant")) if "applicant" in d else None
    if applicant is not None:
        _known(log, applicant, (*where, "applicant"), statuses)
    programs = None
    if "programs" in d:
        listed = as_list(log, d["programs"], (*where, "programs"))
        if listed is not None and len(listed) != 1:
            log.add(
                (*where, "programs"),
                f"an applicant's instability names exactly one program, got {len(listed)}",
            )
        elif listed is not None:
            code = as_str(log, listed[0], (*where, "programs", 0))
            programs = None if code is None else (code,)
    if applicant is None or programs is None:
        return None
    return Instability(programs=programs, applicant=applicant)


def _couple_instability(
    log: FaultLog, d: dict[str, object], where: Where, statuses: dict[str, MatchStatus] | None
) -> Instability | None:
    check_fields(log, d, _COUPLE_INSTABILITY, ("couple", "programs"), where)
    couple = None
    listed = as_list(log, d["couple"], (*where, "couple"))
    if listed is not None and len(listed) != 2:
        log.add((*where, "couple"), f"a couple has exactly two members, got {len(listed)}")
    elif listed is not None:
        first = as_str(log, listed[0], (*where, "couple", 0))
        second = as_str(log, listed[1], (*where, "couple", 1))
        if first is not None and second is not None:
            if first == second:
                log.add((*where, "couple"), f"both members are {quote(first)}")
            for k, member in enumerate((first, second)):
                _known(log, member, (*where, "couple", k), statuses)
            couple = (first, second)
    programs = None
    if "programs" in d:
        pair = as_list(log, d["programs"], (*where, "programs"))
        if pair is not None and len(pair) != 2:
            log.add(
                (*where, "programs"), f"a couple's instability names a pair of programs, got {show(pair)}"
            )
        elif pair is not None:
            codes = [
                None if c is None else as_str(log, c, (*where, "programs", k)) for k, c in enumerate(pair)
            ]
            if pair[0] is None and pair[1] is None:
                log.add((*where, "programs"), "a pair must name a program for at least one partner")
            elif all(c is not None or p is None for c, p in zip(codes, pair, strict=True)):
                programs = (codes[0], codes[1])
    if couple is None or programs is None:
        return None
    return Instability(programs=programs, couple=couple)


def result_to_json(result: MatchResult) -> bytes:
    """The canonical ``matchweek.result/1`` text of ``result`` (same result, same bytes)."""
    return encode_json(result_to_document(result))


def result_to_document(result: MatchResult) -> dict[str, object]:
    """``result`` as the JSON document of ``matchweek.result/1``, canonically sorted."""
    return {
        "format": RESULT_FORMAT,
        "matches": [{"applicant": m.applicant, "program": m.program} for m in sorted(result.matches)],
        "applicants": {a: result.statuses[a] for a in sorted(result.statuses)},
        "unfilled": {p: result.unfilled[p] for p in sorted(result.unfilled)},
        "instabilities": [_instability_document(x) for x in result.instabilities],
    }


def _instability_document(x: Instability) -> dict[str, object]:
    if x.couple is not None:
        return {"couple": list(x.couple), "programs": list(x.programs)}
    return {"applicant": x.applicant, "programs": list(x.programs)}
