"""How applicants choose where to apply in SOAP: pluggable strategies, chosen by name.

A strategy sees the programs an applicant may apply to (those the engine lets
it see, §4, that it has not applied to yet) and picks up to a limit, most
wanted first. Strategies work on many applicants at once (rows of a
:class:`~matchweek.agents.cohort.Cohort`), but each row's choice depends only
on that applicant's facts, utilities and seeded draws, never on other rows.

- ``spray``: every program it could train at (visa sponsored), up to the cap;
  with more than the cap in view, a seeded sample biased toward its preferences.
- ``targeted``: as applicant guides advise: must-haves first (visa sponsorship,
  excluded states), then specialty tiers (its Main Match specialty, primary-care
  fallbacks, one-year PGY-1 positions, the rest), each tier ordered by its
  estimate of its chances (IMG-friendly programs for international graduates,
  states it has ties to, institutions that know it), with a share of the cap
  per tier so a safety net of one-year positions is always included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from matchweek.agents import noise
from matchweek.agents.cohort import KINDS, PGY1_ONLY, Cohort, row_blocks
from matchweek.agents.errors import UnknownStrategy
from matchweek.agents.preferences import PRIMARY_CARE
from matchweek.model import ApplicantKind

Rows = npt.NDArray[np.intp]
Columns = npt.NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class Outlook:
    """What applicants bring to a choice: the cohort's facts, their utilities, the run's seed."""

    cohort: Cohort
    utility: npt.NDArray[np.float32]
    """(row, column) utility of every program to every applicant (see ``preferences.utilities``)."""
    seed: int


@runtime_checkable
class ApplicationStrategy(Protocol):
    """How an applicant picks the programs it applies to."""

    @property
    def name(self) -> str:
        """The name the strategy is chosen by."""
        ...

    @property
    def reserve_share(self) -> float:
        """Share of the cap held back at the list release, to send between rounds (§4)."""
        ...

    def choose(
        self, outlook: Outlook, rows: Rows, open_to: npt.NDArray[np.bool_], limits: Rows
    ) -> list[Columns]:
        """Per row, at most ``limits[i]`` columns allowed by ``open_to[i]``, most wanted first."""
        ...


def best_columns(keys: npt.NDArray[np.float64], limits: Rows) -> list[Columns]:
    """Per row, the columns of the ``limits[i]`` smallest finite keys, smallest first.

    Each row is handled on its own (ties keep the lower column first), so a row's
    answer depends on nothing but its keys and its limit.
    """
    n, m = keys.shape
    if n == 0:
        return []
    k = int(min(int(limits.max(initial=0)), m))
    if k == 0:
        return [np.empty(0, dtype=np.intp) for _ in range(n)]
    if k < m:
        part = np.argpartition(keys, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(m), (n, m)).copy()
    vals = np.take_along_axis(keys, part, axis=1)
    # Sort by key, then column, so equal keys come out in a fixed order.
    order = np.lexsort((part, vals), axis=1)
    part = np.take_along_axis(part, order, axis=1)
    vals = np.take_along_axis(vals, order, axis=1)
    counts = np.minimum(np.isfinite(vals).sum(axis=1), limits)
    return [part[i, : counts[i]].astype(np.intp) for i in range(n)]


_Chooser = Callable[[Outlook, Rows, npt.NDArray[np.bool_], Rows], list[Columns]]


def _by_blocks(
    choose: _Chooser, outlook: Outlook, rows: Rows, open_to: npt.NDArray[np.bool_], limits: Rows
) -> list[Columns]:
    """``choose`` applied a block of rows at a time (rows are independent, so the answer is the same)."""
    out: list[Columns] = []
    for block in row_blocks(len(rows), outlook.cohort.n_programs):
        out.extend(choose(outlook, rows[block], open_to[block], limits[block]))
    return out


@dataclass(frozen=True)
class SprayStrategy:
    """Apply to anything it could train at, up to the cap; a preference-biased seeded sample if more.

    The sample is drawn without replacement with probabilities following
    ``exp(utility / temperature)`` (Gumbel top-k): a high temperature samples
    almost uniformly, a low one takes the most wanted programs.
    """

    temperature: float = 1.0
    reserve_share: float = 0.0
    name: str = "spray"

    def choose(
        self, outlook: Outlook, rows: Rows, open_to: npt.NDArray[np.bool_], limits: Rows
    ) -> list[Columns]:
        """Per row, at most ``limits[i]`` columns allowed by ``open_to[i]``, most wanted first."""
        return _by_blocks(self._choose, outlook, rows, open_to, limits)

    def _choose(
        self, outlook: Outlook, rows: Rows, open_to: npt.NDArray[np.bool_], limits: Rows
    ) -> list[Columns]:
        cohort = outlook.cohort
        allowed = open_to & cohort.visa_ok(rows)
        score = noise.gumbel_grid(
            outlook.seed, noise.Stream.SPRAY, cohort.applicant_key[rows], cohort.program_key
        )
        score += outlook.utility[rows] / np.float32(self.temperature)
        return best_columns(np.where(allowed, -score, np.float32(np.inf)), limits)


def _default_outsider() -> dict[ApplicantKind, float]:
    return {
        ApplicantKind.US_MD: 0.0,
        ApplicantKind.US_DO: 0.25,
        ApplicantKind.US_IMG: 1.0,
        ApplicantKind.NON_US_IMG: 1.0,
        ApplicantKind.PRIOR_GRAD: 0.5,
    }


TIERS = ("own specialty", "primary-care fallback", "one-year PGY-1", "other")
"""The targeted strategy's specialty tiers, in priority order."""


@dataclass(frozen=True)
class TargetedStrategy:
    """Must-haves, then specialty tiers, each tier by estimated chances (see the module docstring)."""

    tier_shares: tuple[float, float, float, float] = (0.5, 0.3, 0.2, 0.0)
    """Most of the applications (share of the limit) each tier of ``TIERS`` gets in the first pass;
    slots a tier cannot use go to the remaining programs in tier order."""
    fallback_specialties: tuple[str, ...] = PRIMARY_CARE
    excluded_states: tuple[str, ...] = ()
    """States it will not train in (a must-have; none by default)."""
    img_friendliness: float = 3.0
    """Weight of a program's IMG share in its chance estimate, scaled by ``outsider``."""
    outsider: dict[ApplicantKind, float] = field(default_factory=_default_outsider)
    """How much each kind's chances depend on a program being friendly to international graduates."""
    state_tie: float = 1.0
    known_institution: float = 1.5
    preference: float = 0.5
    """Weight of its own utility when estimates are otherwise close."""
    reserve_share: float = 0.1
    """Share of the cap kept back for programs still open after a round (rounded down)."""
    name: str = "targeted"

    def tiers(self, cohort: Cohort, rows: Rows) -> npt.NDArray[np.int8]:
        """(row, column) tier index into ``TIERS``."""
        spec = cohort.program_specialty[None, :]
        main = cohort.main_specialty[rows][:, None]
        one_year = (cohort.program_kind == PGY1_ONLY)[None, :]
        main_one_year = (cohort.main_kind[rows] == PGY1_ONLY)[:, None]
        own = (spec == main) & (main >= 0) & (one_year == main_one_year)
        fallback_ids = [cohort.specialty_index(s) for s in self.fallback_specialties]
        fallback = np.isin(spec, [i for i in fallback_ids if i >= 0]) & ~one_year & ~own
        tier = np.full((len(rows), cohort.n_programs), 3, dtype=np.int8)
        tier[np.broadcast_to(one_year, tier.shape) & ~own] = 2
        tier[fallback] = 1
        tier[own] = 0
        return tier

    def chances(self, outlook: Outlook, rows: Rows) -> npt.NDArray[np.float64]:
        """(row, column) the applicant's estimate of its chances, plus a little of its own preference."""
        cohort = outlook.cohort
        weights = np.array([self.outsider.get(k, 0.5) for k in KINDS] + [0.5])
        kind = cohort.kind[rows].astype(np.intp)
        outsider = weights[np.where(kind >= 0, kind, len(KINDS))]
        estimate = self.img_friendliness * outsider[:, None] * cohort.img_share[None, :]
        estimate = estimate + self.state_tie * cohort.tie[rows] + self.known_institution * cohort.known[rows]
        return estimate + self.preference * outlook.utility[rows]

    def must_haves(self, cohort: Cohort, rows: Rows) -> npt.NDArray[np.bool_]:
        """(row, column) programs that meet its must-haves: a visa it needs, a state it accepts."""
        ok = cohort.visa_ok(rows)
        if self.excluded_states:
            ok = ok & ~np.array([p.state in self.excluded_states for p in cohort.programs], dtype=np.bool_)
        return ok

    def choose(
        self, outlook: Outlook, rows: Rows, open_to: npt.NDArray[np.bool_], limits: Rows
    ) -> list[Columns]:
        """Per row, at most ``limits[i]`` columns allowed by ``open_to[i]``, most wanted first."""
        return _by_blocks(self._choose, outlook, rows, open_to, limits)

    def _choose(
        self, outlook: Outlook, rows: Rows, open_to: npt.NDArray[np.bool_], limits: Rows
    ) -> list[Columns]:
        cohort = outlook.cohort
        allowed = open_to & self.must_haves(cohort, rows)
        tier = self.tiers(cohort, rows)
        chance = self.chances(outlook, rows)
        picks: list[list[Columns]] = [[] for _ in rows]
        taken = np.zeros(len(rows), dtype=np.intp)
        chosen = np.zeros_like(allowed)
        for t, share in enumerate(self.tier_shares):
            quota = np.floor(share * limits + 1e-9).astype(np.intp)
            if not quota.any():
                continue
            best = best_columns(np.where(allowed & (tier == t), -chance, np.inf), quota)
            for i, cols in enumerate(best):
                if len(cols):
                    picks[i].append(cols)
                    chosen[i, cols] = True
                    taken[i] += len(cols)
        left = limits - taken
        if left.any():
            # Slots a tier could not use go to what remains, tier by tier, best chances first.
            keys = np.where(allowed & ~chosen, tier * 1e6 - chance, np.inf)
            for i, cols in enumerate(best_columns(keys, left)):
                if len(cols):
                    picks[i].append(cols)
        return [np.concatenate(p) if p else np.empty(0, dtype=np.intp) for p in picks]


STRATEGIES: Mapping[str, ApplicationStrategy] = {
    "spray": SprayStrategy(),
    "targeted": TargetedStrategy(),
}
"""The strategies known by name, with their default parameters."""


def strategy_named(name: str) -> ApplicationStrategy:
    """The strategy called ``name``; :class:`UnknownStrategy` if there is none."""
    try:
        return STRATEGIES[name]
    except KeyError:
        raise UnknownStrategy(name, tuple(sorted(STRATEGIES))) from None
