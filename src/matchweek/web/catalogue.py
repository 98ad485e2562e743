"""The loaded market indexed for the pages: programs and applicants by id, kept while the market stays."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from matchweek.model import Applicant, Document, Market, MatchResult, Program


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Programs and applicants of one market by code and id, and each applicant's documents by id."""

    market: Market
    programs: dict[str, Program]
    applicants: dict[str, Applicant]

    @classmethod
    def of(cls, market: Market) -> Catalogue:
        return cls(market, market.program_index(), market.applicant_index())

    def document(self, applicant: str, document_id: str) -> Document | None:
        """The applicant's personal statement or letter with this id, if it has one."""
        a = self.applicants.get(applicant)
        if a is None:
            return None
        for doc in (*a.personal_statements, *a.letters):
            if doc.id == document_id:
                return doc
        return None


@dataclass(frozen=True, slots=True)
class Holdings:
    """The positions each applicant holds from one Main Match result, by applicant id."""

    result: MatchResult
    programs: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, result: MatchResult) -> Holdings:
        held: dict[str, list[str]] = {}
        for m in result.matches:
            held.setdefault(m.applicant, []).append(m.program)
        return cls(result, {a: tuple(sorted(codes)) for a, codes in held.items()})


class CatalogueCache:
    """Builds the :class:`Catalogue` of a market (and :class:`Holdings` of a result) once, and reuses it
    while the store holds that market (and result)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: Catalogue | None = None
        self._holdings: Holdings | None = None

    def holdings(self, result: MatchResult | None) -> Holdings | None:
        if result is None:
            return None
        with self._lock:
            if self._holdings is None or self._holdings.result is not result:
                self._holdings = Holdings.of(result)
            return self._holdings

    def get(self, market: Market | None) -> Catalogue | None:
        if market is None:
            return None
        with self._lock:
            if self._last is None or self._last.market is not market:
                self._last = Catalogue.of(market)
            return self._last
