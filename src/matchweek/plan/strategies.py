"""The planner's lists as application strategies of the behaviour models, for simulated Match Weeks.

Both implement ``agents.ApplicationStrategy`` and read the odds model's view of
the SOAP they play in (an :class:`OddsBook`):

- ``top-odds``: the programs with the best odds of an offer, up to the limit
  (programs whose visa does not fit have odds 0 and are never chosen);
- ``optimizer``: the optimal list (:func:`optimize.optimal_portfolio`) for the
  applicant's own utilities above its reservation value — an offer below it
  would be declined, so it is worth nothing; with ``objective="placement"``
  every program it would accept is worth the same, and the list maximises the
  chance of an offer it takes.

Both send every application at once (no reserve); applications left over,
when fewer programs are worth applying to than the cap allows, are used
between rounds on programs still open, as the simulation lets every strategy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matchweek.agents import ApplicantPreferences, Cohort, Outlook, best_columns, reservations
from matchweek.formats.faultlog import quote
from matchweek.plan.errors import PlanError
from matchweek.plan.features import ApplicantFacts, ProgramFacts, applicant_facts, program_facts
from matchweek.plan.listing import Listing
from matchweek.plan.odds import OddsModel, odds_grid
from matchweek.plan.optimize import OBJECTIVES, application_order, optimal_portfolio

Rows = npt.NDArray[np.intp]
Columns = npt.NDArray[np.intp]

PAIRS_PER_BLOCK = 1 << 16
"""Applications whose features are built at once (bounds the memory of the feature matrix)."""


class OddsBook:
    """The odds model applied to one SOAP: odds of any entrant at any participating program.

    The listing gives the programs' facts (usual scores, the market's level of
    competition); facts of a cohort's entrants are built once per cohort.
    """

    def __init__(self, model: OddsModel, listing: Listing) -> None:
        self.model = model
        self.listing = listing
        self._programs = program_facts(
            listing.programs, model.demand.competition(listing.programs, listing.applications_per_position)
        )
        self._cohorts: dict[Cohort, tuple[ApplicantFacts, ProgramFacts]] = {}

    def facts(self, cohort: Cohort) -> tuple[ApplicantFacts, ProgramFacts]:
        """The entrants' facts and the programs' facts in the cohort's column order."""
        got = self._cohorts.get(cohort)
        if got is None:
            index = self.listing.index
            missing = [c for c in cohort.program_codes if c not in index]
            if missing:
                raise PlanError(
                    f"program {quote(str(missing[0]))} of this SOAP is not on the odds book's listing"
                )
            cols = np.array([index[c] for c in cohort.program_codes], dtype=np.intp)
            p = self._programs
            programs = ProgramFacts(
                img_share=p.img_share[cols],
                sponsors=p.sponsors[:, cols],
                one_year=p.one_year[cols],
                advanced=p.advanced[cols],
                reserved=p.reserved[cols],
                usual_score=p.usual_score[cols],
                competition=p.competition[cols],
            )
            got = (applicant_facts(cohort.applicants, self.listing.match_year), programs)
            self._cohorts[cohort] = got
        return got

    def odds(self, cohort: Cohort, rows: Rows) -> npt.NDArray[np.float64]:
        """(len(rows), programs): each applicant's odds of an offer from each program."""
        apps, progs = self.facts(cohort)
        m = cohort.n_programs
        out = np.empty((len(rows), m), dtype=np.float64)
        step = max(1, PAIRS_PER_BLOCK // max(1, m))
        for lo in range(0, len(rows), step):
            r = np.asarray(rows[lo : lo + step], dtype=np.int64)
            known = cohort.known[r] | cohort.ranked_by_program[r]
            out[lo : lo + step] = odds_grid(self.model, apps, progs, r, cohort.tie[r], known)
        return out


@dataclass(frozen=True, eq=False)
class TopOddsStrategy:
    """Apply to the programs with the best odds of an offer, up to the limit."""

    book: OddsBook
    reserve_share: float = 0.0
    name: str = "top-odds"

    def choose(
        self, outlook: Outlook, rows: Rows, open_to: npt.NDArray[np.bool_], limits: Rows
    ) -> list[Columns]:
        """Per row, at most ``limits[i]`` columns allowed by ``open_to[i]``, best odds first."""
        p = self.book.odds(outlook.cohort, rows)
        return best_columns(np.where(open_to & (p > 0), -p, np.inf), limits)


@dataclass(frozen=True, eq=False)
class OptimalListStrategy:
    """Apply to the optimal list for the applicant's utilities (see the module docstring)."""

    book: OddsBook
    objective: str = "utility"
    preferences: ApplicantPreferences = field(default_factory=ApplicantPreferences)
    """The simulation's preferences, whose reservation values say which offers would be declined."""
    reserve_share: float = 0.0
    name: str = "optimizer"

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise PlanError(f"unknown objective {quote(self.objective)} (one of {', '.join(OBJECTIVES)})")

    def choose(
        self, outlook: Outlook, rows: Rows, open_to: npt.NDArray[np.bool_], limits: Rows
    ) -> list[Columns]:
        """Per row, the optimal list of at most ``limits[i]`` columns allowed by ``open_to[i]``,
        in application order (largest marginal gain first)."""
        cohort = outlook.cohort
        p = self.book.odds(cohort, rows)
        floor = reservations(cohort, self.preferences, outlook.seed, rows)
        out: list[Columns] = []
        for i, row in enumerate(rows.tolist()):
            surplus = outlook.utility[row].astype(np.float64) - floor[i]
            worth = open_to[i] & (surplus > 0)
            t = np.where(worth, 1.0 if self.objective == "placement" else surplus, 0.0)
            chosen, _ = optimal_portfolio(p[i], t, int(limits[i]))
            order, _ = application_order(p[i][chosen], t[chosen], len(chosen))
            out.append(chosen[order].astype(np.intp))
        return out
