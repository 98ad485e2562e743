"""The rules a Main Match instance must keep beyond its field types.

``market_faults`` checks an in-memory Market, so a market read from JSON, from a CSV
folder or from a workbook, or built by code, is held to exactly the same rules.

A national market has about a million rank-list entries, so each rule is first screened
over the whole market with C-level iteration (``map``, ``set``, ``chain``); only when a
screen fails are the records scanned one by one to say exactly where the faults are.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate, chain, compress
from operator import attrgetter, ne

from matchweek.errors import Fault
from matchweek.formats.faultlog import Where, document_order, json_path, quote
from matchweek.model import Applicant, Market, Program, RankEntry, Track

_code_of = attrgetter("code")
_id_of = attrgetter("id")
_rank_list_of = attrgetter("rank_list")
_program_of = attrgetter("program")
_supplemental_of = attrgetter("supplemental")
_exam_of = attrgetter("exam")
_programs_of_entries = partial(map, _program_of)


PROGRAM_RANK_LISTS = "program_rank_lists"
"""Rule: program rank lists name known applicants, none twice."""
APPLICANT_RANK_LISTS = "applicant_rank_lists"
"""Rule: applicant rank lists name known programs, none twice."""


@dataclass(slots=True)
class ReaderNotes:
    """What a reader learnt about a market while building it, for the rule checks.

    Values it could not read (already reported) are named here so that checks depending
    on them are skipped, and one bad value is reported once rather than again at every
    place that refers to it. Rules it saw hold for every record need not be checked again.
    """

    placeholders: set[str] = field(default_factory=set)
    """Strings standing in for identifiers that could not be read."""
    unsure_track: set[str] = field(default_factory=set)
    """Codes of programs whose track could not be read."""
    programs_unread: bool = False
    """The program section could not be read: references to programs are not checked."""
    applicants_unread: bool = False
    """The applicant section could not be read: references to applicants are not checked."""
    unsure_supplemental: set[int] = field(default_factory=set)
    """Indexes of applicants whose supplemental lists could not be read."""
    verified: set[str] = field(default_factory=set)
    """Rules (``PROGRAM_RANK_LISTS``, ``APPLICANT_RANK_LISTS``) seen to hold for every record."""
    supplemental_holders: set[int] | None = None
    """Indexes of every applicant with supplemental lists or links, when the reader noted them all."""

    def placeholder(self) -> str:
        """A fresh identifier that no input can contain, for a value that could not be read."""
        mark = f"\x00unread{len(self.placeholders)}"
        self.placeholders.add(mark)
        return mark


def market_faults(market: Market) -> list[Fault]:
    """Every way ``market`` breaks the rules of ``matchweek.market/1`` beyond field types.

    Locations are JSON paths (``applicants[17].rank_list[3]``), in document order. An
    empty list means the market is sound. Field types are not checked here (the readers check them).
    """
    ordered = document_order(check_market(market), ("programs", "applicants", "couples"))
    return [Fault(json_path(where), message) for where, message in ordered]


def check_market(market: Market, notes: ReaderNotes | None = None) -> list[tuple[Where, str]]:
    """The faults of ``market`` with their locations as paths (see ``market_faults``)."""
    return _MarketCheck(market, notes or ReaderNotes()).run()


def _repeats(items: Iterable[object]) -> Iterable[tuple[int, object]]:
    """Index and value of every item that already appeared earlier in ``items``."""
    seen: set[object] = set()
    for j, item in enumerate(items):
        if item in seen:
            yield j, item
        else:
            seen.add(item)


def lists_with_repeats(
    lists: Sequence[Sequence[object]], key: Callable[[object], object] | None = None
) -> list[int]:
    """Indexes of the lists holding some item twice (compared by ``key`` of each item, if given)."""
    longer = list(compress(range(len(lists)), map((1).__lt__, map(len, lists))))
    if not longer:
        return []
    chosen = [lists[i] for i in longer]
    items = chosen if key is None else map(partial(map, key), chosen)
    return list(compress(longer, map(ne, map(len, map(set, items)), map(len, chosen))))


class _MarketCheck:
    def __init__(self, market: Market, notes: ReaderNotes) -> None:
        self.market = market
        self.notes = notes
        self.out: list[tuple[Where, str]] = []
        self.programs: dict[str, Program] = {}
        self.applicant_ids: set[str] = set()

    def fault(self, where: Where, message: str) -> None:
        self.out.append((where, message))

    def run(self) -> list[tuple[Where, str]]:
        self.identifiers()
        self.program_fields()
        self.program_rank_lists()
        self.reversion_cycles()
        in_couple = self.couple_members()
        self.applicant_rank_lists(in_couple)
        self.applicant_profiles()
        self.couple_rank_lists()
        return self.out

    # -- identifiers ----------------------------------------------------------------

    def identifiers(self) -> None:
        programs = self.market.programs
        # Built from the end so that the first of two programs with one code is the one kept.
        self.programs = dict(zip(map(_code_of, reversed(programs)), reversed(programs), strict=True))
        if len(self.programs) != len(programs):
            for i, code in _repeats(map(_code_of, programs)):
                self.fault(("programs", i, "code"), f"duplicate program code {quote(code)}")
        applicants = self.market.applicants
        self.applicant_ids = set(map(_id_of, applicants))
        if len(self.applicant_ids) != len(applicants):
            for i, applicant_id in _repeats(map(_id_of, applicants)):
                self.fault(("applicants", i, "id"), f"duplicate applicant id {quote(applicant_id)}")

    def known_program(self, code: str) -> bool:
        return code in self.programs or self.notes.programs_unread or code in self.notes.placeholders

    def known_applicant(self, applicant_id: str) -> bool:
        return (
            applicant_id in self.applicant_ids
            or self.notes.applicants_unread
            or applicant_id in self.notes.placeholders
        )

    def track(self, code: str) -> Track | None:
        """The track of a known program, None when unknown or unreadable."""
        p = self.programs.get(code)
        if p is None or code in self.notes.unsure_track:
            return None
        return p.track

    # -- programs ---------------------------------------------------------------------

    def program_fields(self) -> None:
        for i, p in enumerate(self.market.programs):
            if p.positions < 0:
                self.fault(("programs", i, "positions"), f"must not be negative, got {p.positions}")
            if p.img_share is not None and not 0.0 <= p.img_share <= 1.0:
                self.fault(("programs", i, "img_share"), f"must be between 0 and 1, got {p.img_share!r}")
            if len(p.visa) > 1:
                for j, visa in _repeats(p.visa):
                    self.fault(("programs", i, "visa", j), f"{quote(str(visa))} is listed twice")
            r = p.reverts_to
            if r is not None and r not in self.notes.placeholders:
                if r == p.code:
                    self.fault(("programs", i, "reverts_to"), "a program cannot revert to itself")
                elif not self.known_program(r):
                    self.fault(("programs", i, "reverts_to"), f"unknown program code {quote(r)}")

    def program_rank_lists(self) -> None:
        if PROGRAM_RANK_LISTS in self.notes.verified:
            return
        lists = list(map(_rank_list_of, self.market.programs))
        suspects = lists_with_repeats(lists)
        if not self.applicant_ids.issuperset(chain.from_iterable(lists)):
            suspects = range(len(lists))
        for i in suspects:
            seen: set[str] = set()
            for j, a in enumerate(lists[i]):
                if not self.known_applicant(a):
                    self.fault(("programs", i, "rank_list", j), f"unknown applicant id {quote(a)}")
                elif a in seen and a not in self.notes.placeholders:
                    self.fault(("programs", i, "rank_list", j), f"applicant {quote(a)} is ranked twice")
                seen.add(a)

    def reversion_cycles(self) -> None:
        """Report each reversion cycle once, at its first program in file order."""
        programs = self.market.programs
        if not any(map(attrgetter("reverts_to"), programs)):
            return
        position = {p.code: i for i, p in reversed(list(enumerate(programs)))}
        done: set[str] = set()
        for p in programs:
            path: list[str] = []
            on_path: set[str] = set()
            code: str | None = p.code
            while code is not None and code not in done and code not in on_path:
                on_path.add(code)
                path.append(code)
                nxt = self.programs.get(code)
                target = nxt.reverts_to if nxt is not None else None
                # A program reverting to itself is reported on its own.
                code = None if target == code else target
            if code is not None and code in on_path:
                cycle = path[path.index(code) :]
                first = min(cycle, key=position.__getitem__)
                k = cycle.index(first)
                ordered = [*cycle[k:], *cycle[:k], first]
                self.fault(
                    ("programs", position[first], "reverts_to"),
                    "reversion cycle " + " -> ".join(quote(c) for c in ordered),
                )
            done.update(path)

    # -- applicants -------------------------------------------------------------------

    def applicant_rank_lists(self, in_couple: dict[str, int]) -> None:
        applicants = self.market.applicants
        lists = list(map(_rank_list_of, applicants))
        if APPLICANT_RANK_LISTS not in self.notes.verified:
            codes = list(map(tuple, map(_programs_of_entries, lists)))
            suspects = lists_with_repeats(codes)
            if not set(self.programs).issuperset(chain.from_iterable(codes)):
                suspects = range(len(lists))
            for i in suspects:
                self.rank_list_references(i, codes[i])
        for i in self.with_supplemental(lists):
            self.supplemental_links(i, applicants[i])
            for name, listed in applicants[i].supplemental_lists.items():
                self.supplemental_list(i, name, listed)
        if in_couple:
            index = dict(
                zip(map(_id_of, reversed(applicants)), range(len(applicants) - 1, -1, -1), strict=True)
            )
            for i in sorted(index[m] for m in in_couple if m in index):
                a = applicants[i]
                if a.rank_list:
                    self.fault(
                        ("applicants", i, "rank_list"),
                        f"applicant {quote(a.id)} ranks with a couple, so its own rank list must be empty",
                    )

    def with_supplemental(self, lists: list[tuple[RankEntry, ...]]) -> list[int]:
        """Indexes of the applicants that have supplemental lists or link to one."""
        if self.notes.supplemental_holders is not None:
            return sorted(self.notes.supplemental_holders)
        applicants = self.market.applicants
        found = set(compress(range(len(applicants)), map(attrgetter("supplemental_lists"), applicants)))
        flat = list(chain.from_iterable(lists))
        linked = list(compress(range(len(flat)), map(_supplemental_of, flat)))
        if linked:
            # Entry positions in the flattened lists, back to the applicant that holds each.
            ends = list(accumulate(map(len, lists)))
            found.update(bisect_right(ends, k) for k in linked)
        return sorted(found)

    def rank_list_references(self, i: int, codes: Sequence[str]) -> None:
        seen: set[str] = set()
        for j, code in enumerate(codes):
            if not self.known_program(code):
                self.fault(("applicants", i, "rank_list", j), f"unknown program code {quote(code)}")
            elif code in seen and code not in self.notes.placeholders:
                self.fault(("applicants", i, "rank_list", j), f"program {quote(code)} is ranked twice")
            seen.add(code)

    def supplemental_links(self, i: int, a: Applicant) -> None:
        for j, entry in enumerate(a.rank_list):
            name = entry.supplemental
            if name is None or name in self.notes.placeholders:
                continue
            where = ("applicants", i, "rank_list", j, "supplemental")
            track = self.track(entry.program)
            if track is not None and track is not Track.ADVANCED:
                self.fault(
                    where,
                    f"program {quote(entry.program)} is {track.value}, not advanced; "
                    "only an advanced program takes a supplemental list",
                )
            if name not in a.supplemental_lists and i not in self.notes.unsure_supplemental:
                self.fault(where, f"no supplemental list named {quote(name)}")

    def supplemental_list(self, i: int, name: str, listed: Sequence[str]) -> None:
        where: Where = ("applicants", i, "supplemental_lists", name)
        if not name:
            self.fault(where, "a supplemental list needs a name")
        if not listed:
            self.fault(where, "a supplemental list must name at least one program")
        seen: set[str] = set()
        for j, code in enumerate(listed):
            if not self.known_program(code):
                self.fault((*where, j), f"unknown program code {quote(code)}")
            elif code in seen and code not in self.notes.placeholders:
                self.fault((*where, j), f"program {quote(code)} is listed twice")
            elif self.track(code) is Track.ADVANCED:
                self.fault(
                    (*where, j),
                    f"program {quote(code)} is advanced; a supplemental list holds PGY-1 programs only",
                )
            seen.add(code)

    def applicant_profiles(self) -> None:
        applicants = self.market.applicants
        months = set(map(attrgetter("us_clinical_months"), applicants))
        months.discard(None)
        if months and min(months) < 0:  # type: ignore[type-var]
            for i, a in enumerate(applicants):
                if a.us_clinical_months is not None and a.us_clinical_months < 0:
                    self.fault(
                        ("applicants", i, "us_clinical_months"),
                        f"must not be negative, got {a.us_clinical_months}",
                    )
        exams = list(map(attrgetter("exams"), applicants))
        if min(map(attrgetter("attempts"), chain.from_iterable(exams)), default=1) < 1:
            for i, listed in enumerate(exams):
                for j, e in enumerate(listed):
                    if e.attempts < 1:
                        self.fault(
                            ("applicants", i, "exams", j, "attempts"), f"must be at least 1, got {e.attempts}"
                        )
        for i in lists_with_repeats(exams, _exam_of):
            for j, exam in _repeats(map(_exam_of, exams[i])):
                self.fault(("applicants", i, "exams", j, "exam"), f"{quote(str(exam))} is listed twice")
        statements = list(map(attrgetter("personal_statements"), applicants))
        letters = list(map(attrgetter("letters"), applicants))
        document_ids = list(map(_id_of, chain(chain.from_iterable(statements), chain.from_iterable(letters))))
        # Ids are usually unique across the whole market, which rules out a repeat within
        # any one applicant's documents without looking at each applicant.
        if len(set(document_ids)) == len(document_ids):
            suspects: list[int] = []
        else:
            suspects = lists_with_repeats(list(map(tuple.__add__, statements, letters)), _id_of)
        for i in suspects:
            a = applicants[i]
            seen: set[str] = set()
            for kind in ("personal_statements", "letters"):
                for j, doc in enumerate(getattr(a, kind)):
                    if doc.id in seen:
                        self.fault(
                            ("applicants", i, kind, j, "id"),
                            f"document id {quote(doc.id)} is used twice by this applicant",
                        )
                    seen.add(doc.id)
        for name in ("ties", "red_flags"):
            lists = list(map(attrgetter(name), applicants))
            for i in lists_with_repeats(lists):
                for j, item in _repeats(lists[i]):
                    self.fault(("applicants", i, name, j), f"{quote(str(item))} is listed twice")

    # -- couples ----------------------------------------------------------------------

    def couple_members(self) -> dict[str, int]:
        """Each member's couple (its first, if in several), reporting bad membership."""
        in_couple: dict[str, int] = {}
        for i, c in enumerate(self.market.couples):
            first, second = c.members
            if first == second:
                self.fault(("couples", i, "members"), f"both members are {quote(first)}")
            for k, member in enumerate(c.members[: 1 if first == second else 2]):
                if member in self.notes.placeholders:
                    continue
                if not self.known_applicant(member):
                    self.fault(("couples", i, "members", k), f"unknown applicant id {quote(member)}")
                elif member in in_couple:
                    self.fault(
                        ("couples", i, "members", k),
                        f"applicant {quote(member)} is already in another couple",
                    )
                else:
                    in_couple[member] = i
        return in_couple

    def couple_rank_lists(self) -> None:
        for i, c in enumerate(self.market.couples):
            seen: set[tuple[str | None, str | None]] = set()
            for j, pair in enumerate(c.rank_list):
                where: Where = ("couples", i, "rank_list", j)
                if pair[0] is None and pair[1] is None:
                    self.fault(where, "a pair must name a program for at least one partner")
                for k, code in enumerate(pair):
                    if code is not None and not self.known_program(code):
                        self.fault((*where, k), f"unknown program code {quote(code)}")
                if pair in seen and not (set(pair) & self.notes.placeholders):
                    self.fault(where, "this pair is ranked twice")
                seen.add(pair)
