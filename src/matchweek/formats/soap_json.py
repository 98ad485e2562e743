"""``matchweek.soap/1``: a SOAP run as a replayable script, to and from ``SoapScript``.

Reading checks the structure and the references inside the file (applications and
preference lists naming listed applicants and programs, no application sent twice);
the rules that need the run itself (caps, visibility, offers actually made) belong to
the SOAP engine. Writing keeps the order of lists (a script replays in order), sorts
maps by key, and writes the policy values the script set itself, plus any that differ
from the rule book's defaults.
"""

from __future__ import annotations

import re
from dataclasses import fields

from matchweek.errors import FormatError, PolicyError
from matchweek.formats.faultlog import FaultLog, Where, document_order, json_path, quote, show
from matchweek.formats.fileio import decode_json, encode_json
from matchweek.formats.jsonvalues import (
    MISSING,
    as_enum,
    as_enum_list,
    as_int,
    as_list,
    as_object,
    as_str,
    as_str_map,
    check_fields,
    read_top,
)
from matchweek.model import (
    Application,
    Holding,
    Policy,
    Response,
    ScriptRound,
    SoapApplicant,
    SoapProgram,
    SoapScript,
    SoapStatus,
    Track,
    Visa,
)

SOAP_FORMAT = "matchweek.soap/1"

_TOP_FIELDS = frozenset({"format", "policy", "programs", "applicants", "applications", "rounds"})
_SECTIONS = ("format", "policy", "programs", "applicants", "applications", "rounds")
_PROGRAM_FIELDS = frozenset({"code", "track", "open", "specialty", "visa", "state", "name"})
_APPLICANT_FIELDS = frozenset({"id", "status", "holds"})
_APPLICATION_FIELDS = frozenset({"applicant", "program"})
_ROUND_FIELDS = frozenset({"applications", "preference_lists", "responses"})
_RESPONSE_FIELDS = frozenset({"accept", "reject"})
_POLICY_FIELDS = tuple(f.name for f in fields(Policy))
_DEFAULT_POLICY = Policy()


def soap_script_from_json(data: bytes | str, source: str | None = None) -> SoapScript:
    """Parse and check a ``matchweek.soap/1`` document; FormatError lists every fault."""
    return soap_script_from_document(decode_json(data, source), source)


def soap_script_from_document(document: object, source: str | None = None) -> SoapScript:
    """Like ``soap_script_from_json``, for a document already parsed from JSON."""
    log = FaultLog()
    top = read_top(log, document, SOAP_FORMAT, _TOP_FIELDS, ("programs", "applicants"), source)
    reader = _ScriptReader(log)
    policy, overrides = reader.policy(top.get("policy", MISSING))
    programs = reader.programs(top.get("programs", MISSING))
    applicants = reader.applicants(top.get("applicants", MISSING))
    applications = reader.applications(top.get("applications", MISSING), ("applications",))
    rounds = reader.rounds(top.get("rounds", MISSING))
    if log:
        ordered = FaultLog()
        ordered.extend(document_order(log.entries, _SECTIONS))
        raise FormatError(ordered.faults(json_path), source)
    return SoapScript(
        programs=tuple(programs),
        applicants=tuple(applicants),
        applications=tuple(applications),
        rounds=tuple(rounds),
        policy=policy,
        policy_overrides=overrides,
    )


class _ScriptReader:
    def __init__(self, log: FaultLog) -> None:
        self.log = log
        self.program_codes: set[str] | None = None
        self.applicant_ids: set[str] | None = None
        self.applied: dict[tuple[str, str], Where] = {}

    def policy(self, value: object) -> tuple[Policy, frozenset[str]]:
        log = self.log
        if value is MISSING:
            return _DEFAULT_POLICY, frozenset()
        d = as_object(log, value, ("policy",))
        if d is None:
            return _DEFAULT_POLICY, frozenset()
        values: dict[str, object] = {}
        for name, v in d.items():
            if name not in _POLICY_FIELDS:
                log.add(("policy", name), "unknown policy value")
                continue
            expected = type(getattr(_DEFAULT_POLICY, name))
            if expected is int and type(v) is not int:
                log.add(("policy", name), f"must be a whole number, got {show(v)}")
            elif expected is str and type(v) is not str:
                log.add(("policy", name), f"must be a string, got {show(v)}")
            else:
                values[name] = v
        if len(values) != len(d):
            return _DEFAULT_POLICY, frozenset()
        try:
            return _DEFAULT_POLICY.with_values(values), frozenset(values)
        except PolicyError as e:
            # Policy reports every inconsistency in one message: "policy.a: ...; policy.b: ...".
            for part in re.split(r"; (?=policy\.)", str(e)):
                where, _, message = part.partition(": ")
                log.add(tuple(where.split(".", 1)), message)
            return _DEFAULT_POLICY, frozenset()

    def programs(self, value: object) -> list[SoapProgram]:
        log = self.log
        if value is MISSING:
            return []
        items = as_list(log, value, ("programs",))
        if items is None:
            return []
        codes: set[str] = set()
        out: list[SoapProgram] = []
        complete = True
        for i, item in enumerate(items):
            where: Where = ("programs", i)
            d = as_object(log, item, where)
            if d is None:
                complete = False
                continue
            check_fields(log, d, _PROGRAM_FIELDS, ("code", "track", "open"), where)
            code = as_str(log, d["code"], (*where, "code")) if "code" in d else None
            track = as_enum(log, d["track"], Track, "track", (*where, "track")) if "track" in d else None
            n_open = as_int(log, d["open"], (*where, "open")) if "open" in d else None
            if n_open is not None and n_open < 0:
                log.add((*where, "open"), f"must not be negative, got {n_open}")
            visa = as_enum_list(log, d["visa"], Visa, "visa", (*where, "visa")) if "visa" in d else ()
            if visa and len(set(visa)) != len(visa):
                log.add((*where, "visa"), "a visa is listed twice")
            texts = {
                k: None if d.get(k) is None else as_str(log, d[k], (*where, k))
                for k in ("specialty", "state", "name")
            }
            if code is None:
                complete = False
                continue
            if code in codes:
                log.add((*where, "code"), f"duplicate program code {quote(code)}")
            codes.add(code)
            if track is not None and n_open is not None and visa is not None:
                out.append(SoapProgram(code=code, track=track, open=n_open, visa=visa, **texts))
        self.program_codes = codes if complete else None
        return out

    def applicants(self, value: object) -> list[SoapApplicant]:
        log = self.log
        if value is MISSING:
            return []
        items = as_list(log, value, ("applicants",))
        if items is None:
            return []
        ids: set[str] = set()
        out: list[SoapApplicant] = []
        complete = True
        for i, item in enumerate(items):
            where: Where = ("applicants", i)
            d = as_object(log, item, where)
            if d is None:
                complete = False
                continue
            check_fields(log, d, _APPLICANT_FIELDS, ("id", "status"), where)
            applicant = as_str(log, d["id"], (*where, "id")) if "id" in d else None
            status = (
                as_enum(log, d["status"], SoapStatus, "status", (*where, "status")) if "status" in d else None
            )
            holds = None
            if d.get("holds") is not None:
                holds = as_enum(log, d["holds"], Holding, "holding", (*where, "holds"))
                if holds is not None and status is SoapStatus.UNMATCHED:
                    log.add((*where, "holds"), "an unmatched applicant holds nothing")
            elif status is SoapStatus.PARTIALLY_MATCHED:
                log.add((*where, "holds"), "required for a partially matched applicant (advanced or pgy1)")
            if applicant is None:
                complete = False
                continue
            if applicant in ids:
                log.add((*where, "id"), f"duplicate applicant id {quote(applicant)}")
            ids.add(applicant)
            if status is not None:
                out.append(SoapApplicant(id=applicant, status=status, holds=holds))
        self.applicant_ids = ids if complete else None
        return out

    def program(self, value: object, where: Where) -> str | None:
        """A reference to a listed program."""
        code = as_str(self.log, value, where)
        if code is not None and self.program_codes is not None and code not in self.program_codes:
            self.log.add(where, f"unknown program code {quote(code)}")
        return code

    def applicant(self, value: object, where: Where) -> str | None:
        """A reference to a listed applicant."""
        applicant = as_str(self.log, value, where)
        if applicant is not None and self.applicant_ids is not None and applicant not in self.applicant_ids:
            self.log.add(where, f"unknown applicant id {quote(applicant)}")
        return applicant

    def applications(self, value: object, where: Where) -> list[Application]:
        log = self.log
        if value is MISSING:
            return []
        items = as_list(log, value, where)
        if items is None:
            return []
        out: list[Application] = []
        for j, item in enumerate(items):
            at: Where = (*where, j)
            d = as_object(log, item, at)
            if d is None:
                continue
            check_fields(log, d, _APPLICATION_FIELDS, ("applicant", "program"), at)
            applicant = self.applicant(d["applicant"], (*at, "applicant")) if "applicant" in d else None
            program = self.program(d["program"], (*at, "program")) if "program" in d else None
            if applicant is None or program is None:
                continue
            first = self.applied.get((applicant, program))
            if first is not None:
                log.add(
                    at,
                    f"applicant {quote(applicant)} already applied to {quote(program)} at {json_path(first)}",
                )
                continue
            self.applied[(applicant, program)] = at
            out.append(Application(applicant=applicant, program=program))
        return out

    def rounds(self, value: object) -> list[ScriptRound]:
        log = self.log
        if value is MISSING:
            return []
        items = as_list(log, value, ("rounds",))
        if items is None:
            return []
        out: list[ScriptRound] = []
        for r, item in enumerate(items):
            where: Where = ("rounds", r)
            d = as_object(log, item, where)
            if d is None:
                continue
            check_fields(log, d, _ROUND_FIELDS, (), where)
            applications = self.applications(d.get("applications", MISSING), (*where, "applications"))
            lists = self.preference_lists(d.get("preference_lists", MISSING), (*where, "preference_lists"))
            responses = self.responses(d.get("responses", MISSING), (*where, "responses"))
            out.append(
                ScriptRound(applications=tuple(applications), preference_lists=lists, responses=responses)
            )
        return out

    def preference_lists(self, value: object, where: Where) -> dict[str, tuple[str, ...]]:
        log = self.log
        if value is MISSING:
            return {}
        items = as_str_map(log, value, where)
        if items is None:
            return {}
        out: dict[str, tuple[str, ...]] = {}
        for code, listed in items.items():
            self.program(code, (*where, code))
            ranked = as_list(log, listed, (*where, code))
            if ranked is None:
                continue
            seen: set[str] = set()
            ids = []
            for j, item in enumerate(ranked):
                applicant = self.applicant(item, (*where, code, j))
                if applicant is None:
                    continue
                if applicant in seen:
                    log.add((*where, code, j), f"applicant {quote(applicant)} is listed twice")
                seen.add(applicant)
                ids.append(applicant)
            out[code] = tuple(ids)
        return out

    def responses(self, value: object, where: Where) -> dict[str, Response]:
        log = self.log
        if value is MISSING:
            return {}
        items = as_str_map(log, value, where)
        if items is None:
            return {}
        out: dict[str, Response] = {}
        for applicant, item in items.items():
            at: Where = (*where, applicant)
            self.applicant(applicant, at)
            d = as_object(log, item, at)
            if d is None:
                continue
            check_fields(log, d, _RESPONSE_FIELDS, (), at)
            accept: tuple[str, ...] = ()
            value = d.get("accept", MISSING)
            if type(value) is list:
                if len(value) != 2:
                    log.add(
                        (*at, "accept"),
                        f"accepts one code, or a list of two codes; got a list of {len(value)}",
                    )
                codes = [self.program(c, (*at, "accept", k)) for k, c in enumerate(value)]
                if len(value) == 2 and None not in codes:
                    if codes[0] == codes[1]:
                        log.add((*at, "accept"), f"accepts {quote(codes[0])} twice")  # type: ignore[arg-type]
                    accept = tuple(codes)  # type: ignore[arg-type]
            elif value is not MISSING:
                code = self.program(value, (*at, "accept"))
                accept = () if code is None else (code,)
            reject: tuple[str, ...] = ()
            value = d.get("reject", MISSING)
            if value is not MISSING:
                listed = as_list(log, value, (*at, "reject"))
                codes = [self.program(c, (*at, "reject", k)) for k, c in enumerate(listed or ())]
                for k, code in enumerate(codes):
                    if code is not None and code in codes[:k]:
                        log.add((*at, "reject", k), f"rejects {quote(code)} twice")
                    elif code is not None and code in accept:
                        log.add((*at, "reject", k), f"both accepts and rejects {quote(code)}")
                reject = tuple(c for c in codes if c is not None)
            out[applicant] = Response(accept=accept, reject=reject)
        return out


def soap_script_to_json(script: SoapScript) -> bytes:
    """The canonical ``matchweek.soap/1`` text of ``script`` (same script, same bytes)."""
    return encode_json(soap_script_to_document(script))


def soap_script_to_document(script: SoapScript) -> dict[str, object]:
    """``script`` as the JSON document of ``matchweek.soap/1``, keys in canonical order."""
    d: dict[str, object] = {"format": SOAP_FORMAT}
    policy = {
        name: getattr(script.policy, name)
        for name in _POLICY_FIELDS
        if name in script.policy_overrides or getattr(script.policy, name) != getattr(_DEFAULT_POLICY, name)
    }
    if policy:
        d["policy"] = policy
    d["programs"] = [_program_document(p) for p in script.programs]
    d["applicants"] = [_applicant_document(a) for a in script.applicants]
    d["applications"] = [{"applicant": a.applicant, "program": a.program} for a in script.applications]
    d["rounds"] = [_round_document(r) for r in script.rounds]
    return d


def _program_document(p: SoapProgram) -> dict[str, object]:
    d: dict[str, object] = {"code": p.code, "track": p.track, "open": p.open}
    if p.specialty is not None:
        d["specialty"] = p.specialty
    if p.visa:
        d["visa"] = p.visa
    if p.state is not None:
        d["state"] = p.state
    if p.name is not None:
        d["name"] = p.name
    return d


def _applicant_document(a: SoapApplicant) -> dict[str, object]:
    d: dict[str, object] = {"id": a.id, "status": a.status}
    if a.holds is not None:
        d["holds"] = a.holds
    return d


def _round_document(r: ScriptRound) -> dict[str, object]:
    d: dict[str, object] = {}
    if r.applications:
        d["applications"] = [{"applicant": a.applicant, "program": a.program} for a in r.applications]
    if r.preference_lists:
        d["preference_lists"] = {code: r.preference_lists[code] for code in sorted(r.preference_lists)}
    if r.responses:
        d["responses"] = {a: _response_document(r.responses[a]) for a in sorted(r.responses)}
    return d


def _response_document(response: Response) -> dict[str, object]:
    d: dict[str, object] = {}
    if len(response.accept) == 1:
        d["accept"] = response.accept[0]
    elif response.accept:
        d["accept"] = response.accept
    if response.reject:
        d["reject"] = response.reject
    return d
