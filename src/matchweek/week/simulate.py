"""A simulated SOAP phase: applicants and programs act on the behaviour models, through the engine.

The schedule is the policy's, as in a played script: SOAP starts and status
goes out at the status release; the List of Unfilled Programs, and the first
applications, at the list release. Before each round, applicants still
unplaced send unused applications to programs with positions still open (from
the close of the previous round), programs certify revised preference lists
(not before review starts), the round opens with the engine's offers, every
applicant's rejections and then acceptances arrive at the opening, and the
round closes on time, expiring what is unanswered. SOAP ends at the policy's
end. Every action is a command the engine checks against the rules.

Deterministic: the same market, result, policy, seed and strategies give the
same event log. Seeded draws are keyed by the applicant's or program's place in
the market, so switching some applicants to another strategy leaves every
other applicant's draws unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchweek.agents import noise
from matchweek.agents.applicants import ApplicationStrategy, Outlook, strategy_named
from matchweek.agents.cohort import POSITION_KINDS, Cohort, build_cohort
from matchweek.agents.documents import DocumentFile, document_file
from matchweek.agents.errors import UnknownEntrant
from matchweek.agents.preferences import ApplicantPreferences, reservations, utilities
from matchweek.agents.programs import (
    ProgramBehaviour,
    Triage,
    cautious_programs,
    certified_list,
    list_length,
    triage,
)
from matchweek.agents.responses import OfferInHand, ResponseBehaviour, answer_offers
from matchweek.match.arrays import collector_paused
from matchweek.model import Market, MatchResult, Policy, SoapResult, WeekTime
from matchweek.soap import (
    Accept,
    CertifyPreferenceList,
    CloseRound,
    EndSoap,
    Event,
    Kind,
    OfferAccepted,
    OfferExtended,
    OpenRound,
    PublishUnfilledList,
    Reject,
    ReleaseStatus,
    SoapEngine,
    SoapState,
    StartSoap,
    SubmitApplication,
    soap_result,
    soap_universe,
    visible_programs,
)

StrategyChoice = str | ApplicationStrategy
"""A strategy by name (see ``agents.STRATEGIES``) or as an object."""

DEFAULT_STRATEGY = "targeted"


@dataclass(frozen=True, eq=False)
class SoapRun:
    """A simulated SOAP phase: the command that started it, the full event log, the final state, the result.

    ``strategies`` names the application strategy each entrant used.
    """

    start: StartSoap
    events: tuple[Event, ...]
    state: SoapState
    result: SoapResult
    strategies: Mapping[str, str]


def simulate_soap(
    market: Market,
    match_result: MatchResult,
    policy: Policy,
    seed: int,
    *,
    strategy: StrategyChoice | Mapping[str, StrategyChoice] = DEFAULT_STRATEGY,
    preferences: ApplicantPreferences | None = None,
    responses: ResponseBehaviour | None = None,
    programs: ProgramBehaviour | None = None,
) -> SoapRun:
    """Simulate SOAP after ``match_result`` with the behaviour models, every action through the engine.

    ``strategy`` is one strategy for every applicant, or a mapping from
    applicant id to strategy; applicants it does not name use ``targeted``,
    and names of market applicants who do not enter SOAP are ignored. An id
    that is not an applicant of the market raises :class:`UnknownEntrant`; an
    unknown strategy name :class:`UnknownStrategy`.
    """
    start = soap_universe(market, match_result, policy)
    with collector_paused():
        week = _Week(
            market,
            start,
            policy,
            seed,
            strategy,
            preferences or ApplicantPreferences(),
            responses or ResponseBehaviour(),
            programs or ProgramBehaviour(),
        )
        week.run()
    state = week.engine.state
    return SoapRun(
        start=start,
        events=tuple(week.engine.events),
        state=state,
        result=soap_result(state),
        strategies={who: week.strategies[r].name for r, who in enumerate(week.cohort.applicant_ids)},
    )


def _resolve_strategies(
    market: Market, cohort: Cohort, strategy: StrategyChoice | Mapping[str, StrategyChoice]
) -> list[ApplicationStrategy]:
    def one(choice: StrategyChoice) -> ApplicationStrategy:
        return strategy_named(choice) if isinstance(choice, str) else choice

    if isinstance(strategy, Mapping):
        default = one(DEFAULT_STRATEGY)
        out = [default] * cohort.n_applicants
        in_market = {a.id for a in market.applicants}
        for who in sorted(strategy):
            if who not in in_market:
                raise UnknownEntrant(who, "a strategy was given for an applicant not in the market")
            row = cohort.row_of.get(who)
            if row is not None:
                out[row] = one(strategy[who])
        return out
    return [one(strategy)] * cohort.n_applicants


class _Week:
    """One simulated SOAP: the engine, the cohort's facts and what the actors have done so far."""

    def __init__(
        self,
        market: Market,
        start: StartSoap,
        policy: Policy,
        seed: int,
        strategy: StrategyChoice | Mapping[str, StrategyChoice],
        preferences: ApplicantPreferences,
        responses: ResponseBehaviour,
        programs: ProgramBehaviour,
    ) -> None:
        self.policy = policy
        self.seed = seed
        self.start = start
        self.responses = responses
        self.program_behaviour = programs
        self.engine = SoapEngine()
        self.cohort = cohort = build_cohort(market, start)
        self.strategies = _resolve_strategies(market, cohort, strategy)
        self.outlook = Outlook(cohort, utilities(cohort, preferences, seed), seed)
        self.reservation = reservations(cohort, preferences, seed)
        n, m = cohort.n_applicants, cohort.n_programs
        self.applied = np.zeros((n, m), dtype=np.bool_)
        self.pair_rows: list[npt.NDArray[np.intp]] = []
        self.pair_cols: list[npt.NDArray[np.intp]] = []
        self.triaged: list[Triage] = []
        self.orders: list[npt.NDArray[np.intp]] | None = None
        self.offered: list[set[int]] = [set() for _ in range(m)]
        self.accepted = np.zeros(m, dtype=np.int64)
        self.certified: list[tuple[str, ...]] = [() for _ in range(m)]
        self.cautious = cautious_programs(cohort, programs, seed)
        self.files: dict[int, DocumentFile] = {}
        self.code_order = sorted(range(m), key=lambda j: cohort.program_codes[j])

    # --- the week -------------------------------------------------------------------------------

    def run(self) -> None:
        policy, engine = self.policy, self.engine
        status_at = WeekTime.parse(policy.status_release)
        list_at = WeekTime.parse(policy.list_release)
        review_at = WeekTime.parse(policy.review_start)
        engine.execute(self.start)
        engine.execute(ReleaseStatus(status_at))
        engine.execute(PublishUnfilledList(list_at))
        self.send_applications(list_at, first=True)
        between = list_at
        for times in policy.round_times():
            if times.number > 1:
                self.send_applications(between, first=False)
            self.certify(max(between, review_at), times.number)
            self.play_round(times.number, times.opens)
            engine.execute(CloseRound(times.closes, times.number))
            between = times.closes
        engine.execute(EndSoap(WeekTime.parse(policy.soap_end)))

    # --- applicants -----------------------------------------------------------------------------

    def visible(self) -> npt.NDArray[np.bool_]:
        """(row, column) programs each applicant may see now, as the engine shows them (§2, §4)."""
        state, cohort = self.engine.state, self.cohort
        classes: dict[tuple[bool, frozenset[Kind]], int] = {}
        templates: list[npt.NDArray[np.bool_]] = []
        index = np.empty(cohort.n_applicants, dtype=np.intp)
        for row, who in enumerate(cohort.applicant_ids):
            a = state.applicants[who]
            key = (a.verified and a.can_start_july_1, frozenset(a.needs))
            k = classes.get(key)
            if k is None:
                k = classes[key] = len(templates)
                mask = np.zeros(cohort.n_programs, dtype=np.bool_)
                mask[[cohort.col_of[c] for c in visible_programs(state, who)]] = True
                templates.append(mask)
            index[row] = k
        if not templates:
            return np.zeros((0, cohort.n_programs), dtype=np.bool_)
        return np.stack(templates)[index]

    def send_applications(self, at: WeekTime, *, first: bool) -> None:
        """Applicants send applications: at the list release all but their reserve; between rounds,
        those still unplaced use what is left on programs with positions still open."""
        state, cohort, cap = self.engine.state, self.cohort, self.policy.max_applications
        open_to = self.visible() & ~self.applied
        ledgers = [state.applicants[who] for who in cohort.applicant_ids]
        used = np.array([len(a.applications) for a in ledgers], dtype=np.intp)
        if first:
            reserve = np.array([math.floor(s.reserve_share * cap) for s in self.strategies], dtype=np.intp)
            limits = cap - reserve
        else:
            still_open = cohort.positions - self.accepted > 0
            open_to &= still_open[None, :]
            unplaced = np.array([not a.accepted for a in ledgers], dtype=np.bool_)
            limits = np.where(unplaced, cap - used, 0)
        limits = np.maximum(limits, 0)
        wanted = np.flatnonzero((limits > 0) & open_to.any(axis=1))
        if not len(wanted):
            return
        chosen: dict[int, npt.NDArray[np.intp]] = {}
        for strategy, rows in self._groups(wanted):
            for row, cols in zip(
                rows.tolist(), strategy.choose(self.outlook, rows, open_to[rows], limits[rows]), strict=True
            ):
                chosen[row] = cols
        self._submit(at, [(row, chosen[row]) for row in wanted.tolist()])

    def _groups(self, rows: npt.NDArray[np.intp]) -> list[tuple[ApplicationStrategy, npt.NDArray[np.intp]]]:
        """``rows`` split by strategy, groups in order of first appearance."""
        groups: list[tuple[ApplicationStrategy, list[int]]] = []
        for row in rows.tolist():
            s = self.strategies[row]
            for g in groups:
                if g[0] is s:
                    g[1].append(row)
                    break
            else:
                groups.append((s, [row]))
        return [(s, np.array(r, dtype=np.intp)) for s, r in groups]

    def _submit(self, at: WeekTime, plan: list[tuple[int, npt.NDArray[np.intp]]]) -> None:
        cohort, execute = self.cohort, self.engine.execute
        codes, ids = cohort.program_codes, cohort.applicant_ids
        specialty = [cohort.specialties[k] if k >= 0 else None for k in cohort.program_specialty.tolist()]
        for row, cols in plan:
            who = ids[row]
            file = self._file(row)
            by_specialty, general = file.by_specialty, file.general
            for col in cols.tolist():
                s = specialty[col]
                attachment = general if s is None else by_specialty.get(s, general)
                execute(
                    SubmitApplication(at, who, codes[col], attachment.personal_statement, attachment.letters)
                )
            self.applied[row, cols] = True
        self.pair_rows.extend(np.full(len(cols), row, dtype=np.intp) for row, cols in plan)
        self.pair_cols.extend(cols for _, cols in plan)
        self.orders = None

    def _file(self, row: int) -> DocumentFile:
        file = self.files.get(row)
        if file is None:
            cohort = self.cohort
            main = int(cohort.main_specialty[row])
            file = self.files[row] = document_file(
                cohort.applicants[row], cohort.specialties[main] if main >= 0 else None, self.policy
            )
        return file

    # --- programs -------------------------------------------------------------------------------

    def certify(self, at: WeekTime, round_number: int) -> None:
        """Each program with open positions certifies its revised list, if it changed."""
        cohort = self.cohort
        if self.orders is None:
            # Only applications that arrived since the last certification are read anew.
            if self.pair_rows:
                rows, cols = np.concatenate(self.pair_rows), np.concatenate(self.pair_cols)
                self.triaged.append(triage(cohort, rows, cols, self.program_behaviour, self.seed))
                self.pair_rows, self.pair_cols = [], []
            self.orders = Triage.joined(self.triaged).preference_order(cohort.n_programs)
        ids = cohort.applicant_ids
        for col in self.code_order:
            open_positions = int(cohort.positions[col] - self.accepted[col])
            cautious = round_number == 1 and bool(self.cautious[col])
            length = list_length(open_positions, self.program_behaviour, cautious_round=cautious)
            ranked = tuple(ids[r] for r in certified_list(self.orders[col], self.offered[col], length))
            if ranked and ranked != self.certified[col]:
                self.engine.execute(CertifyPreferenceList(at, cohort.program_codes[col], ranked))
                self.certified[col] = ranked

    # --- offers ---------------------------------------------------------------------------------

    def play_round(self, number: int, opens: WeekTime) -> None:
        """Open the round and answer every offer it brings, applicant by applicant in SOAP's order:
        rejections, then acceptances."""
        cohort, engine = self.cohort, self.engine
        offers: dict[int, list[int]] = {}
        for e in engine.execute(OpenRound(opens, number)):
            if isinstance(e, OfferExtended):
                row, col = cohort.row_of[e.applicant], cohort.col_of[e.program]
                self.offered[col].add(row)
                offers.setdefault(row, []).append(col)
        if not offers:
            return
        rows = np.array(sorted(offers), dtype=np.intp)
        holdout = noise.uniform_pairs(
            self.seed, noise.Stream.HOLDOUT, cohort.applicant_key[rows], np.full(len(rows), number)
        )
        last = number == self.policy.rounds
        state = engine.state
        for k, row in enumerate(rows.tolist()):
            cols = np.array(offers[row], dtype=np.intp)
            expiry = noise.uniform_pairs(
                self.seed,
                noise.Stream.EXPIRY,
                np.full(len(cols), cohort.applicant_key[row]),
                cohort.program_key[cols] * (self.policy.rounds + 1) + number,
            )
            in_hand = [
                OfferInHand(
                    cohort.program_codes[c],
                    POSITION_KINDS[cohort.program_kind[c]],
                    float(self.outlook.utility[row, c]),
                    float(x),
                )
                for c, x in zip(cols.tolist(), expiry.tolist(), strict=True)
            ]
            who = cohort.applicant_ids[row]
            ledger = state.applicants[who]
            answer = answer_offers(
                in_hand,
                ledger.needs,
                ledger.holds,
                float(self.reservation[row]),
                last_round=last,
                holdout_draw=float(holdout[k]),
                behaviour=self.responses,
            )
            if answer.reject:
                engine.execute(Reject(opens, who, answer.reject))
            if answer.accept:
                for e in engine.execute(Accept(opens, who, answer.accept)):
                    if isinstance(e, OfferAccepted):
                        self.accepted[cohort.col_of[e.program]] += 1
