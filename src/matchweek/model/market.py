"""A Main Match instance: programs, applicants and couples with their rank lists."""

from __future__ import annotations

from dataclasses import dataclass

from matchweek.model.applicant import Applicant, ApplicantKind, Couple
from matchweek.model.program import Program, Track


@dataclass(frozen=True, slots=True)
class Market:
    """Everything the Main Match needs, as certified before the algorithm runs."""

    programs: tuple[Program, ...]
    applicants: tuple[Applicant, ...]
    couples: tuple[Couple, ...] = ()

    def program_index(self) -> dict[str, Program]:
        """Programs by code."""
        return {p.code: p for p in self.programs}

    def applicant_index(self) -> dict[str, Applicant]:
        """Applicants by id."""
        return {a.id: a for a in self.applicants}

    def headline(self) -> MarketHeadline:
        """The market's headline numbers."""
        return MarketHeadline.of(self)


@dataclass(frozen=True, slots=True)
class MarketHeadline:
    """Counts that describe a market at a glance."""

    programs: int
    positions: int
    pgy1_positions: int
    applicants: int
    applicants_by_kind: dict[str, int]
    applicants_with_rank_list: int
    couples: int
    supplemental_lists: int
    programs_by_track: dict[str, int]
    positions_by_track: dict[str, int]
    visa_sponsoring_programs: int

    @classmethod
    def of(cls, market: Market) -> MarketHeadline:
        by_kind = {k.value: 0 for k in ApplicantKind}
        by_kind["unspecified"] = 0
        for a in market.applicants:
            by_kind[a.kind.value if a.kind else "unspecified"] += 1
        if not by_kind["unspecified"]:
            del by_kind["unspecified"]
        in_couple = {m for c in market.couples for m in c.members}
        with_list = sum(1 for a in market.applicants if a.rank_list or a.id in in_couple)
        programs_by_track = {t.value: 0 for t in Track}
        positions_by_track = {t.value: 0 for t in Track}
        for p in market.programs:
            programs_by_track[p.track.value] += 1
            positions_by_track[p.track.value] += p.positions
        return cls(
            programs=len(market.programs),
            positions=sum(p.positions for p in market.programs),
            pgy1_positions=sum(p.positions for p in market.programs if p.track.is_pgy1),
            applicants=len(market.applicants),
            applicants_by_kind=by_kind,
            applicants_with_rank_list=with_list,
            couples=len(market.couples),
            supplemental_lists=sum(len(a.supplemental_lists) for a in market.applicants),
            programs_by_track=programs_by_track,
            positions_by_track=positions_by_track,
            visa_sponsoring_programs=sum(1 for p in market.programs if p.visa),
        )
