"""The figures of a whole Match Week: the Main Match, then SOAP round by round, from its event log.

:func:`week_stats` counts a week from the market, the Main Match result and the
SOAP event log (whose first event, :class:`~matchweek.soap.SoapStarted`, names
the programs and entrants that took part). Each offer round is counted overall,
by specialty and by applicant kind; the week is summed up as outcomes by
applicant kind, positions filled by the Match and by SOAP, and the positions
still unfilled after SOAP. :func:`stats_to_json` and :func:`round_rows` turn
the figures into plain values for a ``stats.json`` file and a CSV table.
Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from matchweek.errors import MatchweekError
from matchweek.match.summary import UNSPECIFIED
from matchweek.model import ApplicantKind, Market, MatchResult, MatchStatus, Track
from matchweek.soap.events import (
    Event,
    OfferAccepted,
    OfferExpired,
    OfferExtended,
    OfferRejected,
    RoundClosed,
    RoundOpened,
    SoapEnded,
    SoapStarted,
)

STATS_FORMAT = "matchweek.week-stats/1"
"""The ``format`` value :func:`stats_to_json` writes."""

ALL = "all"
"""Group and name of the overall row in :func:`round_rows`."""

ROUND_COLUMNS: tuple[str, ...] = (
    "round",
    "group",
    "name",
    "offers",
    "accepted",
    "rejected",
    "rejected_automatic",
    "expired",
    "outstanding",
    "filled",
    "filled_cumulative",
    "open_after",
)
"""The keys of every :func:`round_rows` row, in order (a CSV header)."""


class EventLogMismatch(MatchweekError):
    """The SOAP event log cannot be counted against this market and Main Match result.

    Raised when the log does not open with ``SoapStarted``, names a program or
    applicant the market does not have, or starts SOAP from other figures than
    the Main Match left (open positions, applicant status).
    """


# --- the figures ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundFigures:
    """What happened in one offer round to one group (all, a specialty or an applicant kind).

    ``rejected`` counts every rejected offer, ``rejected_automatic`` those of
    them the clearinghouse rejected because the applicant accepted another
    offer. ``outstanding`` is offers not yet answered, never more than zero once
    the round has closed. ``filled_cumulative`` counts SOAP positions accepted
    from round 1 to this one. ``open_after`` is the group's SOAP positions not
    yet accepted after the round; None for an applicant kind, since positions
    have no applicant kind.
    """

    offers: int
    accepted: int
    rejected: int
    rejected_automatic: int
    expired: int
    outstanding: int
    filled_cumulative: int
    open_after: int | None

    @property
    def filled(self) -> int:
        """Positions filled in the round: one per accepted offer."""
        return self.accepted


@dataclass(frozen=True, slots=True)
class RoundStats:
    """One offer round: overall, by specialty (of the program) and by applicant kind.

    ``by_specialty`` holds every specialty with positions in SOAP, sorted by
    name; ``by_kind`` every applicant kind in the rule book's order (then
    ``unspecified`` when the market has applicants without a kind).
    """

    round: int
    closed: bool
    overall: RoundFigures
    by_specialty: dict[str, RoundFigures]
    by_kind: dict[str, RoundFigures]


@dataclass(frozen=True, slots=True)
class ApplicantOutcomes:
    """How a group of registered applicants came out of the week.

    ``matched``, ``partially_matched`` and ``unmatched`` are Main Match statuses.
    ``placed_in_soap`` counts entrants who accepted at least one SOAP offer;
    ``partial_not_placed`` the partially matched ones who accepted none (they
    keep their half of training); ``unplaced_after_soap`` the applicants left
    unmatched by the Main Match who accepted no SOAP offer, hence hold no
    position. ``matched + placed_in_soap + partial_not_placed +
    unplaced_after_soap == registered``.
    """

    registered: int
    matched: int
    partially_matched: int
    unmatched: int
    soap_entrants: int
    placed_in_soap: int
    partial_not_placed: int
    unplaced_after_soap: int

    def share(self, count: int) -> float | None:
        """``count`` per 100 registered applicants (None when the group is empty)."""
        return 100.0 * count / self.registered if self.registered else None


@dataclass(frozen=True, slots=True)
class PositionTotals:
    """Positions of the week, counted after reversions as the Main Match summary counts them.

    ``in_soap`` is the open positions of the programs taking part in SOAP, a
    part of ``unfilled_after_match``; ``unfilled_after_soap`` also holds the
    unfilled positions of programs that did not take part.
    """

    total: int
    filled_by_match: int
    unfilled_after_match: int
    in_soap: int
    placed_in_soap: int
    unfilled_after_soap: int

    @property
    def match_fill_rate(self) -> float | None:
        """Positions the Main Match filled, per 100 positions (None when there are none)."""
        return 100.0 * self.filled_by_match / self.total if self.total else None

    @property
    def soap_fill_rate(self) -> float | None:
        """Positions SOAP filled, per 100 positions it offered (None when it offered none)."""
        return 100.0 * self.placed_in_soap / self.in_soap if self.in_soap else None

    @property
    def combined_fill_rate(self) -> float | None:
        """Positions filled by the Main Match or SOAP, per 100 positions (None when there are none)."""
        return 100.0 * (self.filled_by_match + self.placed_in_soap) / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Unfilled:
    """Unfilled positions of a group of programs after the Main Match and after SOAP."""

    after_match: int
    after_soap: int

    @property
    def placed_in_soap(self) -> int:
        return self.after_match - self.after_soap


@dataclass(frozen=True, slots=True)
class UnfilledProgram:
    """A program with positions still unfilled after SOAP (a line of the rule book's §6 live list)."""

    code: str
    name: str | None
    specialty: str
    track: str
    state: str | None
    in_soap: bool
    after_match: int
    after_soap: int


@dataclass(frozen=True, slots=True)
class WeekStats:
    """The figures of one Match Week; every mapping and tuple is in a stable order.

    ``outcomes_by_kind`` lists applicant kinds in the rule book's order, then
    ``unspecified`` if some applicant has no kind. ``unfilled_by_specialty``
    holds the specialties with positions unfilled after the Main Match, most
    unfilled after SOAP first (then most after the Match, then by name);
    ``unfilled_by_track`` every track type in the rule book's order;
    ``unfilled_programs`` the programs still unfilled after SOAP, by code.
    """

    rounds_planned: int
    soap_ended: bool
    programs_in_soap: int
    positions: PositionTotals
    outcomes: ApplicantOutcomes
    outcomes_by_kind: dict[str, ApplicantOutcomes]
    rounds: tuple[RoundStats, ...]
    unfilled_by_specialty: dict[str, Unfilled]
    unfilled_by_track: dict[str, Unfilled]
    unfilled_programs: tuple[UnfilledProgram, ...] = field(default=())


# --- counting ------------------------------------------------------------------------------------

_OFFER_FIELDS = ("offers", "accepted", "rejected", "rejected_automatic", "expired")


@dataclass(slots=True)
class _RoundTally:
    """Counts of one round keyed by (group, name, field)."""

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    closed: bool = False

    def add(self, what: str, specialty: str, kind: str) -> None:
        self.counts[(ALL, ALL, what)] += 1
        self.counts[("specialty", specialty, what)] += 1
        self.counts[("kind", kind, what)] += 1


def week_stats(market: Market, match_result: MatchResult, events: Sequence[Event]) -> WeekStats:
    """Count the week that ``match_result`` and the SOAP log ``events`` make of ``market``.

    ``events`` is the SOAP engine's log from its first event (``SoapStarted``);
    it may stop before SOAP ends, in which case the figures are those so far
    (``soap_ended`` False; an open round has ``outstanding`` offers). Applicant
    kinds and program specialties come from the market. Raises
    :class:`EventLogMismatch` when the log does not belong to this Main Match.
    """
    if not events or not isinstance(events[0], SoapStarted):
        raise EventLogMismatch("the SOAP event log does not start with SoapStarted")
    start = events[0]
    programs = market.program_index()
    applicant_kind = {a.id: (a.kind.value if a.kind else UNSPECIFIED) for a in market.applicants}
    statuses = match_result.statuses

    soap_open: dict[str, int] = {}
    program_specialty: dict[str, str] = {}
    for sp in start.programs:
        program = programs.get(sp.code)
        if program is None:
            raise EventLogMismatch(f"program {sp.code} takes part in SOAP but is not in the market")
        left = match_result.unfilled.get(sp.code, 0)
        if sp.open != left:
            raise EventLogMismatch(
                f"program {sp.code} enters SOAP with {sp.open} open positions; the Main Match left {left}"
            )
        soap_open[sp.code] = sp.open
        program_specialty[sp.code] = program.specialty or UNSPECIFIED
    entrants: set[str] = set()
    for entrant in start.applicants:
        if entrant.id not in applicant_kind:
            raise EventLogMismatch(f"applicant {entrant.id} enters SOAP but is not in the market")
        status = statuses.get(entrant.id, MatchStatus.UNMATCHED)
        if status.value != entrant.status.value:
            raise EventLogMismatch(
                f"applicant {entrant.id} enters SOAP {entrant.status.value}; "
                f"the Main Match left it {status.value}"
            )
        entrants.add(entrant.id)

    tallies: dict[int, _RoundTally] = {}
    placed: set[str] = set()
    accepted_by_program: Counter[str] = Counter()
    ended = False

    def tally_of(number: int) -> _RoundTally:
        tally = tallies.get(number)
        if tally is None:
            raise EventLogMismatch(f"the SOAP event log records round {number} before the round opened")
        return tally

    def where(program: str, applicant: str) -> tuple[str, str]:
        specialty = program_specialty.get(program)
        if specialty is None:
            raise EventLogMismatch(f"the SOAP event log names program {program}, which is not in SOAP")
        if applicant not in entrants:
            raise EventLogMismatch(f"the SOAP event log names applicant {applicant}, who is not in SOAP")
        return specialty, applicant_kind[applicant]

    for event in events[1:]:
        if isinstance(event, RoundOpened):
            tallies[event.round] = _RoundTally()
        elif isinstance(event, OfferExtended):
            tally_of(event.round).add("offers", *where(event.program, event.applicant))
        elif isinstance(event, OfferAccepted):
            tally_of(event.round).add("accepted", *where(event.program, event.applicant))
            accepted_by_program[event.program] += 1
            placed.add(event.applicant)
        elif isinstance(event, OfferRejected):
            tally = tally_of(event.round)
            groups = where(event.program, event.applicant)
            tally.add("rejected", *groups)
            if event.automatic:
                tally.add("rejected_automatic", *groups)
        elif isinstance(event, OfferExpired):
            tally_of(event.round).add("expired", *where(event.program, event.applicant))
        elif isinstance(event, RoundClosed):
            tally_of(event.round).closed = True
        elif isinstance(event, SoapEnded):
            ended = True
        elif isinstance(event, SoapStarted):
            raise EventLogMismatch("the SOAP event log starts SOAP twice")

    kinds = [k.value for k in ApplicantKind]
    if UNSPECIFIED in applicant_kind.values():
        kinds.append(UNSPECIFIED)
    specialty_open: Counter[str] = Counter()
    for code, open_positions in soap_open.items():
        specialty_open[program_specialty[code]] += open_positions
    rounds = _rounds(tallies, sorted(specialty_open), kinds, specialty_open, sum(soap_open.values()))

    outcomes_by_kind, outcomes = _outcomes(market, match_result, applicant_kind, kinds, entrants, placed)
    positions, by_specialty, by_track, unfilled_programs = _positions(
        market, match_result, soap_open, accepted_by_program
    )
    return WeekStats(
        rounds_planned=start.policy.rounds,
        soap_ended=ended,
        programs_in_soap=len(start.programs),
        positions=positions,
        outcomes=outcomes,
        outcomes_by_kind=outcomes_by_kind,
        rounds=rounds,
        unfilled_by_specialty=by_specialty,
        unfilled_by_track=by_track,
        unfilled_programs=unfilled_programs,
    )


def _rounds(
    tallies: dict[int, _RoundTally],
    specialties: list[str],
    kinds: list[str],
    specialty_open: Counter[str],
    total_open: int,
) -> tuple[RoundStats, ...]:
    filled_so_far: Counter[tuple[str, str]] = Counter()

    def figures(tally: _RoundTally, group: str, name: str, in_soap: int | None) -> RoundFigures:
        c = {what: tally.counts[(group, name, what)] for what in _OFFER_FIELDS}
        filled_so_far[(group, name)] += c["accepted"]
        cumulative = filled_so_far[(group, name)]
        return RoundFigures(
            offers=c["offers"],
            accepted=c["accepted"],
            rejected=c["rejected"],
            rejected_automatic=c["rejected_automatic"],
            expired=c["expired"],
            outstanding=c["offers"] - c["accepted"] - c["rejected"] - c["expired"],
            filled_cumulative=cumulative,
            open_after=None if in_soap is None else in_soap - cumulative,
        )

    out = []
    for number in sorted(tallies):
        tally = tallies[number]
        out.append(
            RoundStats(
                round=number,
                closed=tally.closed,
                overall=figures(tally, ALL, ALL, total_open),
                by_specialty={s: figures(tally, "specialty", s, specialty_open[s]) for s in specialties},
                by_kind={k: figures(tally, "kind", k, None) for k in kinds},
            )
        )
    return tuple(out)


def _outcomes(
    market: Market,
    match_result: MatchResult,
    applicant_kind: dict[str, str],
    kinds: list[str],
    entrants: set[str],
    placed: set[str],
) -> tuple[dict[str, ApplicantOutcomes], ApplicantOutcomes]:
    tallies: dict[str, Counter[str]] = {k: Counter() for k in kinds}
    for a in market.applicants:
        t = tallies[applicant_kind[a.id]]
        status = match_result.statuses.get(a.id, MatchStatus.UNMATCHED)
        t["registered"] += 1
        t[status.value] += 1
        if a.id in entrants:
            t["soap_entrants"] += 1
        if a.id in placed:
            t["placed_in_soap"] += 1
        elif status is MatchStatus.PARTIALLY_MATCHED:
            t["partial_not_placed"] += 1
        elif status is MatchStatus.UNMATCHED:
            t["unplaced_after_soap"] += 1
    total: Counter[str] = Counter()
    for t in tallies.values():
        total.update(t)
    return {k: _outcome(t) for k, t in tallies.items()}, _outcome(total)


def _outcome(t: Counter[str]) -> ApplicantOutcomes:
    return ApplicantOutcomes(
        registered=t["registered"],
        matched=t[MatchStatus.MATCHED.value],
        partially_matched=t[MatchStatus.PARTIALLY_MATCHED.value],
        unmatched=t[MatchStatus.UNMATCHED.value],
        soap_entrants=t["soap_entrants"],
        placed_in_soap=t["placed_in_soap"],
        partial_not_placed=t["partial_not_placed"],
        unplaced_after_soap=t["unplaced_after_soap"],
    )


def _positions(
    market: Market,
    match_result: MatchResult,
    soap_open: dict[str, int],
    accepted_by_program: Counter[str],
) -> tuple[PositionTotals, dict[str, Unfilled], dict[str, Unfilled], tuple[UnfilledProgram, ...]]:
    filled_by_match: Counter[str] = Counter(m.program for m in match_result.matches)
    total = filled = after_match_total = after_soap_total = 0
    specialty_after: dict[str, list[int]] = {}
    track_after: dict[str, list[int]] = {t.value: [0, 0] for t in Track}
    unfilled_programs = []
    for p in sorted(market.programs, key=lambda p: p.code):
        after_match = match_result.unfilled.get(p.code, 0)
        after_soap = after_match - accepted_by_program[p.code]
        total += filled_by_match[p.code] + after_match
        filled += filled_by_match[p.code]
        after_match_total += after_match
        after_soap_total += after_soap
        specialty = p.specialty or UNSPECIFIED
        if after_match > 0:
            pair = specialty_after.setdefault(specialty, [0, 0])
            pair[0] += after_match
            pair[1] += after_soap
        track_after[p.track.value][0] += after_match
        track_after[p.track.value][1] += after_soap
        if after_soap > 0:
            unfilled_programs.append(
                UnfilledProgram(
                    code=p.code,
                    name=p.name,
                    specialty=specialty,
                    track=p.track.value,
                    state=p.state,
                    in_soap=p.code in soap_open,
                    after_match=after_match,
                    after_soap=after_soap,
                )
            )
    positions = PositionTotals(
        total=total,
        filled_by_match=filled,
        unfilled_after_match=after_match_total,
        in_soap=sum(soap_open.values()),
        placed_in_soap=sum(accepted_by_program.values()),
        unfilled_after_soap=after_soap_total,
    )
    ranked = sorted(specialty_after.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))
    by_specialty = {s: Unfilled(a, b) for s, (a, b) in ranked}
    by_track = {t: Unfilled(a, b) for t, (a, b) in track_after.items()}
    return positions, by_specialty, by_track, tuple(unfilled_programs)


# --- plain values --------------------------------------------------------------------------------


def _rate(value: float | None) -> float | None:
    # Two decimals of a percentage: enough for a report, and the counts are all there.
    return None if value is None else round(value, 2)


def _figures_json(f: RoundFigures) -> dict[str, Any]:
    out: dict[str, Any] = {
        "offers": f.offers,
        "accepted": f.accepted,
        "rejected": f.rejected,
        "rejected_automatic": f.rejected_automatic,
        "expired": f.expired,
        "outstanding": f.outstanding,
        "filled": f.filled,
        "filled_cumulative": f.filled_cumulative,
    }
    if f.open_after is not None:
        out["open_after"] = f.open_after
    return out


def _outcome_json(o: ApplicantOutcomes) -> dict[str, int]:
    return {
        "registered": o.registered,
        "matched": o.matched,
        "partially_matched": o.partially_matched,
        "unmatched": o.unmatched,
        "soap_entrants": o.soap_entrants,
        "placed_in_soap": o.placed_in_soap,
        "partial_not_placed": o.partial_not_placed,
        "unplaced_after_soap": o.unplaced_after_soap,
    }


def _unfilled_json(u: Unfilled) -> dict[str, int]:
    return {"after_match": u.after_match, "placed_in_soap": u.placed_in_soap, "after_soap": u.after_soap}


def stats_to_json(stats: WeekStats) -> dict[str, Any]:
    """``stats`` as plain JSON values in a fixed key order, for a ``stats.json`` file.

    Rates are per 100, rounded to two decimals (null when undefined); an
    applicant kind's round figures have no ``open_after``.
    """
    p = stats.positions
    return {
        "format": STATS_FORMAT,
        "soap": {
            "rounds_planned": stats.rounds_planned,
            "rounds_run": len(stats.rounds),
            "ended": stats.soap_ended,
            "programs": stats.programs_in_soap,
            "entrants": stats.outcomes.soap_entrants,
        },
        "positions": {
            "total": p.total,
            "filled_by_match": p.filled_by_match,
            "unfilled_after_match": p.unfilled_after_match,
            "in_soap": p.in_soap,
            "placed_in_soap": p.placed_in_soap,
            "unfilled_after_soap": p.unfilled_after_soap,
            "match_fill_rate": _rate(p.match_fill_rate),
            "soap_fill_rate": _rate(p.soap_fill_rate),
            "combined_fill_rate": _rate(p.combined_fill_rate),
        },
        "outcomes": {
            ALL: _outcome_json(stats.outcomes),
            "by_kind": {k: _outcome_json(o) for k, o in stats.outcomes_by_kind.items()},
        },
        "rounds": [
            {
                "round": r.round,
                "closed": r.closed,
                ALL: _figures_json(r.overall),
                "by_specialty": {s: _figures_json(f) for s, f in r.by_specialty.items()},
                "by_kind": {k: _figures_json(f) for k, f in r.by_kind.items()},
            }
            for r in stats.rounds
        ],
        "unfilled_after_soap": {
            "by_specialty": {s: _unfilled_json(u) for s, u in stats.unfilled_by_specialty.items()},
            "by_track": {t: _unfilled_json(u) for t, u in stats.unfilled_by_track.items()},
            "programs": [
                {
                    "code": u.code,
                    "name": u.name,
                    "specialty": u.specialty,
                    "track": u.track,
                    "state": u.state,
                    "in_soap": u.in_soap,
                    "after_match": u.after_match,
                    "after_soap": u.after_soap,
                }
                for u in stats.unfilled_programs
            ],
        },
    }


def round_rows(stats: WeekStats) -> list[dict[str, Any]]:
    """One row per round and group, keyed by :data:`ROUND_COLUMNS`, for a CSV file.

    Rows go round by round: the overall row (group and name ``all``), then one
    per specialty (group ``specialty``), then one per applicant kind (group
    ``kind``, ``open_after`` None).
    """
    rows: list[dict[str, Any]] = []
    for r in stats.rounds:
        groups = [(ALL, ALL, r.overall)]
        groups += [("specialty", s, f) for s, f in r.by_specialty.items()]
        groups += [("kind", k, f) for k, f in r.by_kind.items()]
        for group, name, f in groups:
            rows.append(
                {
                    "round": r.round,
                    "group": group,
                    "name": name,
                    "offers": f.offers,
                    "accepted": f.accepted,
                    "rejected": f.rejected,
                    "rejected_automatic": f.rejected_automatic,
                    "expired": f.expired,
                    "outstanding": f.outstanding,
                    "filled": f.filled,
                    "filled_cumulative": f.filled_cumulative,
                    "open_after": f.open_after,
                }
            )
    return rows
