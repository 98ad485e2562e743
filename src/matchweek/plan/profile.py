"""An applicant's planning profile (``matchweek.profile/1``): its file, its priorities and its criteria.

The file is what programs triage on (exams and attempts, graduation year,
verification, visa need, US clinical experience, ties, red flags, institutions
that know the applicant) and the documents it can attach (letters and personal
statements by specialty). Priorities are specialty tiers, each worth a utility;
criteria are must-haves (visas it can train on, tracks it will take, states it
will not go to), which exclude a program outright, and flexible preferences
(region, program type, size), which add to a program's utility.

A profile is read from JSON with every fault named by its field
(``exams[0].score: must be a whole number, got "high"``), written canonically,
or derived from a market applicant with :func:`profile_of`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from matchweek.errors import FormatError
from matchweek.formats.faultlog import FaultLog, Where, quote, show
from matchweek.formats.fileio import atomic_write, decode_json, encode_json, read_bytes
from matchweek.formats.jsonvalues import (
    MISSING,
    as_bool,
    as_enum,
    as_enum_list,
    as_int,
    as_list,
    as_number,
    as_object,
    as_str,
    as_str_list,
    check_fields,
    check_format,
)
from matchweek.formats.market_json import document_document, exam_document
from matchweek.formats.market_reader import document as document_record
from matchweek.formats.market_reader import exam_result
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Document,
    ExamResult,
    Holding,
    Market,
    MatchResult,
    MatchStatus,
    Program,
    RedFlag,
    Track,
    Visa,
)
from matchweek.plan.listing import ListedProgram, Listing
from matchweek.plan.scores import clinical_score
from matchweek.synth.geography import DIVISIONS, STATES

PROFILE_FORMAT = "matchweek.profile/1"

T = TypeVar("T")
D = TypeVar("D")

ANY_SPECIALTY = "*"
"""A tier entry's specialty that matches every specialty."""

REGIONS: Mapping[str, tuple[str, ...]] = {
    "Northeast": ("New England", "Middle Atlantic"),
    "Midwest": ("East North Central", "West North Central"),
    "South": ("South Atlantic", "East South Central", "West South Central"),
    "West": ("Mountain", "Pacific"),
}
"""The four census regions and their divisions."""

STATE_DIVISION: Mapping[str, str] = {s.code: s.division for s in STATES}
"""The census division of each state (and DC)."""

PRIMARY_CARE_FALLBACKS: tuple[str, ...] = ("Internal Medicine", "Family Medicine", "Pediatrics")
"""Categorical fields a derived profile falls back on (the fields with most SOAP positions)."""


@dataclass(frozen=True, slots=True)
class TierEntry:
    """What a tier holds: programs of one specialty (``*``: any), of the given tracks (none: any)."""

    specialty: str
    tracks: tuple[Track, ...] = ()

    def matches(self, program: ListedProgram) -> bool:
        """Whether ``program`` is of this entry's specialty and track."""
        if self.tracks and program.track not in self.tracks:
            return False
        if self.specialty == ANY_SPECIALTY:
            return True
        return program.specialty is not None and same_specialty(self.specialty, program.specialty)


@dataclass(frozen=True, slots=True)
class Tier:
    """One priority tier: a name, the utility of a position in it, and the programs it holds."""

    name: str
    utility: float
    entries: tuple[TierEntry, ...]


@dataclass(frozen=True, slots=True)
class MustHaves:
    """Criteria a program must meet to be considered at all."""

    visas: tuple[Visa, ...] = ()
    """Visas the applicant can train on (empty: its ``visa_need``, if any); a program must sponsor one."""
    tracks: tuple[Track, ...] = ()
    """Tracks it will take (empty: every track it is eligible for)."""
    excluded_states: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Preferences:
    """Flexible preferences: each adds its weight to the utility of a program that meets it."""

    regions: tuple[str, ...] = ()
    """State codes, census divisions (``Middle Atlantic``) or regions (``Northeast``)."""
    region_weight: float = 1.0
    tracks: tuple[Track, ...] = ()
    """Preferred program types (tracks)."""
    track_weight: float = 0.5
    min_positions: int | None = None
    """Preferred size: at least this many positions (the program's Match quota, else its open ones)."""
    max_positions: int | None = None
    size_weight: float = 0.5


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything the planner knows about one applicant and what it wants."""

    kind: ApplicantKind
    applicant: str | None = None
    graduation_year: int | None = None
    verified: bool = True
    can_start_july_1: bool = True
    visa_need: Visa | None = None
    us_clinical_months: int = 0
    exams: tuple[ExamResult, ...] = ()
    letters: tuple[Document, ...] = ()
    personal_statements: tuple[Document, ...] = ()
    ties: tuple[str, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()
    known_institutions: tuple[str, ...] = ()
    """Its home institution and institutions it interviewed at in the Main Match."""
    holds: Holding | None = None
    """What a partially matched applicant holds from the Main Match (None: unmatched)."""
    priorities: tuple[Tier, ...] = ()
    """Specialty tiers, most wanted first; none means every program is worth the same (1)."""
    must_haves: MustHaves = field(default_factory=MustHaves)
    preferences: Preferences = field(default_factory=Preferences)

    @property
    def exam_failures(self) -> int:
        """Failed licensing exam attempts, all exams together."""
        return sum(e.failures for e in self.exams)

    @property
    def clinical_score(self) -> float | None:
        """Its clinical-knowledge score on the Step 2 CK scale (see ``scores.clinical_score``)."""
        return clinical_score(self.exams)

    @property
    def accepted_visas(self) -> tuple[Visa, ...]:
        """Visas it can train on; empty when it needs none."""
        if self.visa_need is None:
            return ()
        return self.must_haves.visas or (self.visa_need,)

    @property
    def eligible(self) -> bool:
        """Whether it may apply in SOAP at all (verified and able to start on July 1, §2)."""
        return self.verified and self.can_start_july_1

    def eligible_tracks(self) -> frozenset[Track]:
        """Tracks it may apply to: the complementary kind when partially matched (§4), then its must-haves."""
        allowed = set(_complement(self.holds)) if self.holds is not None else set(Track)
        if self.must_haves.tracks:
            allowed &= set(self.must_haves.tracks)
        return frozenset(allowed)

    def visa_compatible(self, program: ListedProgram) -> bool:
        """Whether ``program`` sponsors a visa it can train on (always, when it needs none)."""
        visas = self.accepted_visas
        return not visas or any(v in program.visa for v in visas)

    def exclusion(self, program: ListedProgram) -> str | None:
        """Why ``program`` is ruled out by eligibility or a must-have, or None when it is not."""
        if not self.eligible:
            return "not eligible for SOAP (unverified, or cannot start on July 1)"
        if not self.visa_compatible(program):
            return "does not sponsor a visa it can train on"
        if self.holds is not None and program.track not in _complement(self.holds):
            return f"a {program.track.value} position; holding a {self.holds.value} position it may not apply"
        if program.track not in self.eligible_tracks():
            return f"a {program.track.value} position, not a track it will take"
        if program.state is not None and program.state in self.must_haves.excluded_states:
            return f"in {program.state}, a state it excludes"
        return None

    def tier_of(self, program: ListedProgram) -> int | None:
        """Index of the first tier holding ``program``; None when no tier does (with no tiers: 0)."""
        if not self.priorities:
            return 0
        for i, tier in enumerate(self.priorities):
            if any(e.matches(program) for e in tier.entries):
                return i
        return None

    def utility(self, program: ListedProgram) -> float:
        """Utility of a position at ``program``: its tier's plus the preferences it meets; 0 if excluded."""
        if self.exclusion(program) is not None:
            return 0.0
        tier = self.tier_of(program)
        if tier is None:
            return 0.0
        base = self.priorities[tier].utility if self.priorities else 1.0
        return base + self.preference_bonus(program)

    def preference_bonus(self, program: ListedProgram) -> float:
        """What the flexible preferences add to ``program``'s utility."""
        p = self.preferences
        bonus = 0.0
        if p.regions and program.state is not None and in_regions(program.state, p.regions):
            bonus += p.region_weight
        if p.tracks and program.track in p.tracks:
            bonus += p.track_weight
        if p.min_positions is not None or p.max_positions is not None:
            size = program.positions if program.positions is not None else program.open
            if (p.min_positions is None or size >= p.min_positions) and (
                p.max_positions is None or size <= p.max_positions
            ):
                bonus += p.size_weight
        return bonus


def _complement(holding: Holding) -> frozenset[Track]:
    """The tracks a partially matched applicant holding ``holding`` may still apply to (§4)."""
    if holding is Holding.ADVANCED:
        return frozenset({Track.PRELIMINARY, Track.TRANSITIONAL})
    return frozenset({Track.ADVANCED})


_DASHES = re.compile(r"\s*[-‐‑‒–—]\s*")
_SPACES = re.compile(r"\s+")


@cache
def specialty_key(name: str) -> str:
    """A specialty name compared loosely: case, spacing and the kind of dash do not matter."""
    return _SPACES.sub(" ", _DASHES.sub("–", name.strip())).casefold()


def same_specialty(a: str, b: str) -> bool:
    """Whether two specialty names are the same (``Internal Medicine-Psychiatry`` = ``…–Psychiatry``)."""
    return specialty_key(a) == specialty_key(b)


def component_specialties(name: str) -> tuple[str, ...]:
    """The fields a combined specialty joins (``Internal Medicine–Psychiatry`` -> both); else itself."""
    parts = [p.strip() for p in _DASHES.split(name.strip()) if p.strip()]
    # "Internal Medicine – Primary" is one field's primary-care track, not a combination.
    if len(parts) > 1 and parts[-1].casefold() != "primary":
        return tuple(parts)
    return (name,)


def in_regions(state: str, regions: Sequence[str]) -> bool:
    """Whether ``state`` is one of ``regions`` (state codes, census divisions or regions)."""
    division = STATE_DIVISION.get(state)
    for r in regions:
        if r == state or (division is not None and (r == division or division in REGIONS.get(r, ()))):
            return True
    return False


def utilities(profile: Profile, listing: Listing) -> npt.NDArray[np.float64]:
    """Utility of every program of ``listing`` for ``profile`` (0 where excluded or in no tier)."""
    return appraise(profile, listing)[0]


def exclusions(profile: Profile, listing: Listing) -> list[str | None]:
    """For every program of ``listing``, why ``profile`` rules it out (None: it does not)."""
    return appraise(profile, listing)[1]


def appraise(profile: Profile, listing: Listing) -> tuple[npt.NDArray[np.float64], list[str | None]]:
    """Utility of every program of ``listing`` for ``profile``, and why it is 0 where it is."""
    values = np.zeros(len(listing.programs), dtype=np.float64)
    reasons: list[str | None] = []
    for j, p in enumerate(listing.programs):
        why = profile.exclusion(p)
        if why is None:
            tier = profile.tier_of(p)
            if tier is None:
                why = "in none of its priority tiers"
            else:
                base = profile.priorities[tier].utility if profile.priorities else 1.0
                values[j] = base + profile.preference_bonus(p)
        reasons.append(why)
    return values, reasons


# ---------------------------------------------------------------------------------------------
# deriving a profile from a market applicant


def profile_of(
    applicant: Applicant,
    market: Market,
    match_result: MatchResult | None = None,
    *,
    excluded_states: tuple[str, ...] = (),
) -> Profile:
    """The profile of a market applicant, as it would fill it in for SOAP.

    Its file is copied; the institutions that know it are its home institution and
    those of every program it (or its side of its couple's list) ranked; what it holds
    comes from ``match_result`` when given. Its priorities follow the guides: its
    Main Match specialty in the kind of track it ranked first (utility 4), the
    primary-care fallbacks' categorical tracks (3), one-year PGY-1 positions (2),
    anything else (1); its visa need is a must-have.
    """
    by_code = market.program_index()
    partner = _couple_side(market, applicant.id)
    ranked = [*applicant.ranked_programs]
    for name in sorted(applicant.supplemental_lists):
        ranked.extend(applicant.supplemental_lists[name])
    ranked.extend(partner)
    known: dict[str, None] = {}
    if applicant.home_institution:
        known[applicant.home_institution] = None
    for code in ranked:
        p = by_code.get(code)
        if p is not None and p.institution:
            known[p.institution] = None
    first_code = applicant.rank_list[0].program if applicant.rank_list else (partner[0] if partner else None)
    first = by_code.get(first_code) if first_code is not None else None
    main = _main_specialty(applicant, first)
    one_year = first is not None and first.track.is_pgy1_only
    own_tracks = (Track.PRELIMINARY, Track.TRANSITIONAL) if one_year else (Track.CATEGORICAL, Track.ADVANCED)
    tiers: list[Tier] = []
    if main is not None:
        tiers.append(Tier("own specialty", 4.0, (TierEntry(main, own_tracks),)))
    fallbacks = tuple(
        TierEntry(s, (Track.CATEGORICAL,))
        for s in PRIMARY_CARE_FALLBACKS
        if main is None or not same_specialty(s, main) or one_year
    )
    tiers.append(Tier("primary-care fallback", 3.0, fallbacks))
    tiers.append(
        Tier("one-year PGY-1", 2.0, (TierEntry(ANY_SPECIALTY, (Track.PRELIMINARY, Track.TRANSITIONAL)),))
    )
    tiers.append(Tier("other", 1.0, (TierEntry(ANY_SPECIALTY),)))
    return Profile(
        kind=applicant.kind or ApplicantKind.PRIOR_GRAD,
        applicant=applicant.id,
        graduation_year=applicant.graduation_year,
        verified=applicant.verified,
        can_start_july_1=applicant.can_start_july_1,
        visa_need=applicant.visa_need,
        us_clinical_months=applicant.us_clinical_months or 0,
        exams=applicant.exams,
        letters=applicant.letters,
        personal_statements=applicant.personal_statements,
        ties=applicant.ties,
        red_flags=tuple(dict.fromkeys(applicant.red_flags)),
        known_institutions=tuple(known),
        holds=_holding(applicant.id, market, match_result),
        priorities=tuple(tiers),
        must_haves=MustHaves(
            visas=(applicant.visa_need,) if applicant.visa_need is not None else (),
            excluded_states=excluded_states,
        ),
    )


def _couple_side(market: Market, applicant: str) -> tuple[str, ...]:
    for c in market.couples:
        for side, member in enumerate(c.members):
            if member == applicant:
                return tuple(code for pair in c.rank_list if (code := pair[side]) is not None)
    return ()


def _main_specialty(applicant: Applicant, first: Program | None) -> str | None:
    """The specialty of its first-ranked program; without one, the one it wrote most letters for."""
    if first is not None and first.specialty is not None:
        return first.specialty
    counts: dict[str, int] = {}
    for d in applicant.personal_statements:
        counts.setdefault(d.specialty, 0)
    for d in applicant.letters:
        counts[d.specialty] = counts.get(d.specialty, 0) + 1
    return max(counts, key=lambda s: counts[s]) if counts else None


def _holding(applicant: str, market: Market, match_result: MatchResult | None) -> Holding | None:
    if match_result is None or match_result.statuses.get(applicant) is not MatchStatus.PARTIALLY_MATCHED:
        return None
    tracks = market.program_index()
    for m in match_result.matches:
        if m.applicant == applicant:
            p = tracks.get(m.program)
            if p is not None:
                return Holding.ADVANCED if p.track is Track.ADVANCED else Holding.PGY1
    return None


# ---------------------------------------------------------------------------------------------
# the file format


_TOP = frozenset(
    {
        "format",
        "applicant",
        "kind",
        "graduation_year",
        "verified",
        "can_start_july_1",
        "visa_need",
        "us_clinical_months",
        "exams",
        "letters",
        "personal_statements",
        "ties",
        "red_flags",
        "known_institutions",
        "holds",
        "priorities",
        "criteria",
    }
)
_TIER = frozenset({"name", "utility", "programs"})
_ENTRY = frozenset({"specialty", "tracks"})
_CRITERIA = frozenset({"must_haves", "preferences"})
_MUST = frozenset({"visas", "tracks", "excluded_states"})
_PREFS = frozenset(
    {"regions", "region_weight", "tracks", "track_weight", "min_positions", "max_positions", "size_weight"}
)
_STATE_CODES = frozenset(STATE_DIVISION)


def read_profile(path: str | Path) -> Profile:
    """Read and check a ``matchweek.profile/1`` file; a FormatError names every faulty field."""
    source = str(path)
    return profile_from_document(decode_json(read_bytes(path), source), source)


def write_profile(profile: Profile, path: str | Path) -> None:
    """Write ``profile`` as canonical ``matchweek.profile/1`` JSON, atomically."""
    atomic_write(path, encode_json(profile_to_document(profile)))


def profile_from_document(document: object, source: str | None = None) -> Profile:
    """A profile from parsed JSON; raises FormatError with every fault, each naming its field."""
    log = FaultLog()
    top = as_object(log, document, ())
    if top is None:
        raise FormatError(log.faults(), source)
    check_format(log, top, PROFILE_FORMAT)
    check_fields(log, top, _TOP, ("kind",), ())
    reader = _Reader(log, top)
    kind = reader.get("kind", lambda v, w: as_enum(log, v, ApplicantKind, "applicant kind", w))
    applicant = reader.get("applicant", lambda v, w: as_str(log, v, w))
    graduation_year = reader.get("graduation_year", lambda v, w: as_int(log, v, w))
    verified = reader.get("verified", lambda v, w: as_bool(log, v, w), True)
    july_1 = reader.get("can_start_july_1", lambda v, w: as_bool(log, v, w), True)
    visa_need = reader.get("visa_need", lambda v, w: as_enum(log, v, Visa, "visa", w))
    months = reader.get("us_clinical_months", lambda v, w: _count(log, v, w), 0)
    exams = reader.get("exams", lambda v, w: _items(log, v, w, _exam), ())
    letters = reader.get("letters", lambda v, w: _items(log, v, w, document_record), ())
    statements = reader.get("personal_statements", lambda v, w: _items(log, v, w, document_record), ())
    ties = reader.get("ties", lambda v, w: _states(log, v, w), ())
    flags = reader.get("red_flags", lambda v, w: as_enum_list(log, v, RedFlag, "red flag", w), ())
    known = reader.get("known_institutions", lambda v, w: as_str_list(log, v, w), ())
    holds = reader.get("holds", lambda v, w: as_enum(log, v, Holding, "holding", w))
    tiers = reader.get("priorities", lambda v, w: _tiers(log, v, w), ())
    must, prefs = MustHaves(), Preferences()
    criteria = top.get("criteria", MISSING)
    if criteria is not MISSING and criteria is not None:
        got = _criteria(log, criteria, ("criteria",))
        if got is not None:
            must, prefs = got
    _check_documents(log, letters or (), "letters")
    _check_documents(log, statements or (), "personal_statements")
    if visa_need is None and must.visas:
        log.add(("criteria", "must_haves", "visas"), "lists visas but visa_need is not set")
    if log:
        raise FormatError(log.faults(), source)
    assert kind is not None
    return Profile(
        kind=kind,
        applicant=applicant,
        graduation_year=graduation_year,
        verified=bool(verified),
        can_start_july_1=bool(july_1),
        visa_need=visa_need,
        us_clinical_months=int(months or 0),
        exams=tuple(exams or ()),
        letters=tuple(letters or ()),
        personal_statements=tuple(statements or ()),
        ties=tuple(ties or ()),
        red_flags=tuple(flags or ()),
        known_institutions=tuple(known or ()),
        holds=holds,
        priorities=tuple(tiers or ()),
        must_haves=must,
        preferences=prefs,
    )


class _Reader:
    """Reads the optional top-level fields of one object, logging faults where they are."""

    def __init__(self, log: FaultLog, obj: dict[str, object]) -> None:
        self.log, self.obj = log, obj

    def get(self, key: str, read: Callable[[object, Where], T | None], default: D = None) -> T | D:  # type: ignore[assignment]
        """The field ``key`` read with ``read``; ``default`` when absent, null or unreadable."""
        value = self.obj.get(key, MISSING)
        if value is MISSING or value is None:
            return default
        got = read(value, (key,))
        return default if got is None else got


def _count(log: FaultLog, value: object, where: Where) -> int | None:
    n = as_int(log, value, where)
    if n is not None and n < 0:
        log.add(where, f"must not be negative, got {n}")
        return None
    return n


def _positive(log: FaultLog, value: object, where: Where) -> float | None:
    x = as_number(log, value, where)
    if x is not None and not x > 0:
        log.add(where, f"must be greater than 0, got {show(value)}")
        return None
    return x


def _weight(log: FaultLog, value: object, where: Where) -> float | None:
    x = as_number(log, value, where)
    if x is not None and x < 0:
        log.add(where, f"must not be negative, got {show(value)}")
        return None
    return x


def _items(
    log: FaultLog, value: object, where: Where, read: Callable[[FaultLog, object, Where], T | None]
) -> tuple[T, ...] | None:
    items = as_list(log, value, where)
    if items is None:
        return None
    out = [read(log, item, (*where, j)) for j, item in enumerate(items)]
    return tuple(x for x in out if x is not None)


def _states(log: FaultLog, value: object, where: Where) -> tuple[str, ...] | None:
    codes = as_str_list(log, value, where)
    if codes is None:
        return None
    for j, code in enumerate(codes):
        if code not in _STATE_CODES:
            log.add((*where, j), f"unknown state {quote(code)} (two-letter codes such as NY, DC)")
    return codes


def _exam(log: FaultLog, item: object, where: Where) -> ExamResult | None:
    result = exam_result(log, item, where)
    if result is not None and result.attempts < 1:
        log.add((*where, "attempts"), f"must be at least 1, got {result.attempts}")
        return None
    return result


def _check_documents(log: FaultLog, docs: Sequence[Document], key: str) -> None:
    seen: set[str] = set()
    for j, d in enumerate(docs):
        if d.id in seen:
            log.add((key, j, "id"), f"document id {quote(d.id)} appears twice")
        seen.add(d.id)


def _tiers(log: FaultLog, value: object, where: Where) -> tuple[Tier, ...] | None:
    items = as_list(log, value, where)
    if items is None:
        return None
    out: list[Tier] = []
    for i, item in enumerate(items):
        w = (*where, i)
        d = as_object(log, item, w)
        if d is None:
            continue
        check_fields(log, d, _TIER, ("programs",), w)
        name = as_str(log, d["name"], (*w, "name")) if "name" in d else f"tier {i + 1}"
        utility: float | None = float(len(items) - i)
        if d.get("utility") is not None:
            utility = _positive(log, d["utility"], (*w, "utility"))
        entries: list[TierEntry] = []
        listed = as_list(log, d["programs"], (*w, "programs")) if "programs" in d else None
        if listed is not None and not listed:
            log.add((*w, "programs"), "must name at least one specialty")
        for j, e in enumerate(listed or ()):
            entry = _entry(log, e, (*w, "programs", j))
            if entry is not None:
                entries.append(entry)
        if name is not None and utility is not None:
            out.append(Tier(name, utility, tuple(entries)))
    return tuple(out)


def _entry(log: FaultLog, value: object, where: Where) -> TierEntry | None:
    if type(value) is str:
        return TierEntry(value) if as_str(log, value, where) is not None else None
    d = as_object(log, value, where)
    if d is None:
        return None
    check_fields(log, d, _ENTRY, ("specialty",), where)
    specialty = as_str(log, d["specialty"], (*where, "specialty")) if "specialty" in d else None
    tracks: tuple[Track, ...] | None = ()
    if d.get("tracks") is not None:
        tracks = as_enum_list(log, d["tracks"], Track, "track", (*where, "tracks"))
    if specialty is None or tracks is None:
        return None
    return TierEntry(specialty, tracks)


def _criteria(log: FaultLog, value: object, where: Where) -> tuple[MustHaves, Preferences] | None:
    d = as_object(log, value, where)
    if d is None:
        return None
    check_fields(log, d, _CRITERIA, (), where)
    must, prefs = MustHaves(), Preferences()
    m = d.get("must_haves")
    if m is not None:
        mw: Where = (*where, "must_haves")
        md = as_object(log, m, mw)
        if md is not None:
            check_fields(log, md, _MUST, (), mw)
            visas = _opt(md, "visas", lambda v: as_enum_list(log, v, Visa, "visa", (*mw, "visas")), ())
            tracks = _opt(md, "tracks", lambda v: as_enum_list(log, v, Track, "track", (*mw, "tracks")), ())
            states = _opt(md, "excluded_states", lambda v: _states(log, v, (*mw, "excluded_states")), ())
            must = MustHaves(visas=visas or (), tracks=tracks or (), excluded_states=states or ())
    p = d.get("preferences")
    if p is not None:
        pw: Where = (*where, "preferences")
        pd = as_object(log, p, pw)
        if pd is not None:
            check_fields(log, pd, _PREFS, (), pw)
            regions = _opt(pd, "regions", lambda v: _regions(log, v, (*pw, "regions")), ())
            tracks = _opt(pd, "tracks", lambda v: as_enum_list(log, v, Track, "track", (*pw, "tracks")), ())
            low = _opt(pd, "min_positions", lambda v: _count(log, v, (*pw, "min_positions")), None)
            high = _opt(pd, "max_positions", lambda v: _count(log, v, (*pw, "max_positions")), None)
            if low is not None and high is not None and low > high:
                log.add((*pw, "max_positions"), f"must not be below min_positions ({low}), got {high}")
            default = Preferences()
            prefs = Preferences(
                regions=regions or (),
                region_weight=_opt(
                    pd,
                    "region_weight",
                    lambda v: _weight(log, v, (*pw, "region_weight")),
                    default.region_weight,
                ),
                tracks=tracks or (),
                track_weight=_opt(
                    pd, "track_weight", lambda v: _weight(log, v, (*pw, "track_weight")), default.track_weight
                ),
                min_positions=low,
                max_positions=high,
                size_weight=_opt(
                    pd, "size_weight", lambda v: _weight(log, v, (*pw, "size_weight")), default.size_weight
                ),
            )
    return must, prefs


def _opt(d: dict[str, object], key: str, read: Callable[[object], T | None], default: D) -> T | D:
    value = d.get(key)
    if value is None:
        return default
    got = read(value)
    return default if got is None else got


def _regions(log: FaultLog, value: object, where: Where) -> tuple[str, ...] | None:
    names = as_str_list(log, value, where)
    if names is None:
        return None
    for j, name in enumerate(names):
        if name not in _STATE_CODES and name not in DIVISIONS and name not in REGIONS:
            log.add(
                (*where, j),
                f"unknown region {quote(name)} (a state code, a census division such as "
                '"Middle Atlantic", or one of Northeast, Midwest, South, West)',
            )
    return names


def profile_to_document(profile: Profile) -> dict[str, object]:
    """The canonical ``matchweek.profile/1`` document of ``profile`` (defaults left out)."""
    d: dict[str, object] = {"format": PROFILE_FORMAT}
    if profile.applicant is not None:
        d["applicant"] = profile.applicant
    d["kind"] = profile.kind.value
    if profile.graduation_year is not None:
        d["graduation_year"] = profile.graduation_year
    if not profile.verified:
        d["verified"] = False
    if not profile.can_start_july_1:
        d["can_start_july_1"] = False
    if profile.visa_need is not None:
        d["visa_need"] = profile.visa_need.value
    if profile.us_clinical_months:
        d["us_clinical_months"] = profile.us_clinical_months
    if profile.exams:
        d["exams"] = [exam_document(e) for e in profile.exams]
    if profile.letters:
        d["letters"] = [document_document(x) for x in profile.letters]
    if profile.personal_statements:
        d["personal_statements"] = [document_document(x) for x in profile.personal_statements]
    if profile.ties:
        d["ties"] = list(profile.ties)
    if profile.red_flags:
        d["red_flags"] = [f.value for f in profile.red_flags]
    if profile.known_institutions:
        d["known_institutions"] = list(profile.known_institutions)
    if profile.holds is not None:
        d["holds"] = profile.holds.value
    if profile.priorities:
        d["priorities"] = [
            {
                "name": t.name,
                "utility": t.utility,
                "programs": [
                    {"specialty": e.specialty, "tracks": [x.value for x in e.tracks]}
                    if e.tracks
                    else {"specialty": e.specialty}
                    for e in t.entries
                ],
            }
            for t in profile.priorities
        ]
    criteria: dict[str, object] = {}
    m = profile.must_haves
    if m != MustHaves():
        must: dict[str, object] = {}
        if m.visas:
            must["visas"] = [v.value for v in m.visas]
        if m.tracks:
            must["tracks"] = [t.value for t in m.tracks]
        if m.excluded_states:
            must["excluded_states"] = list(m.excluded_states)
        criteria["must_haves"] = must
    p = profile.preferences
    if p != Preferences():
        criteria["preferences"] = {
            "regions": list(p.regions),
            "region_weight": p.region_weight,
            "tracks": [t.value for t in p.tracks],
            "track_weight": p.track_weight,
            "min_positions": p.min_positions,
            "max_positions": p.max_positions,
            "size_weight": p.size_weight,
        }
    if criteria:
        d["criteria"] = criteria
    return d
