"""The applicant planner: from a profile to the best list of programs, with honest odds.

- ``profile``: the applicant's file, priorities and criteria (``matchweek.profile/1``);
- ``listing``: the List of Unfilled Programs as the planner reads it;
- ``odds``: P(offer | applicant, program), a logistic model over named features (``features``),
  fitted on simulated Match Weeks or an office's history (``fit``);
- ``optimize``: the exact optimal list under the application cap (Kapur & Hong), each pick explained;
- ``documents``: the statement and letters for each application, and the gaps;
- ``decide``: accept the best offer in hand, or wait;
- ``tracker``: the applicant's spreadsheet of programs (CSV or XLSX);
- ``strategies`` and ``compare``: the planner's lists as simulated applicants, against the others.

Functions here take and return values (no printing); the CLI (``plan.cli``) and portal pages
render them. Names are imported from their modules on first use, so importing ``plan.cli``
(for ``matchweek --help``) loads none of the numerical code.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Calibration": "matchweek.plan.odds",
    "Decision": "matchweek.plan.decide",
    "DocumentChoice": "matchweek.plan.documents",
    "DocumentGap": "matchweek.plan.documents",
    "DocumentPlan": "matchweek.plan.documents",
    "ListedProgram": "matchweek.plan.listing",
    "Listing": "matchweek.plan.listing",
    "MustHaves": "matchweek.plan.profile",
    "NoListing": "matchweek.plan.errors",
    "OddsModel": "matchweek.plan.odds",
    "OddsTable": "matchweek.plan.odds",
    "OfferInHand": "matchweek.plan.decide",
    "Pick": "matchweek.plan.optimize",
    "PlanError": "matchweek.plan.errors",
    "PlannedList": "matchweek.plan.optimize",
    "Preferences": "matchweek.plan.profile",
    "Profile": "matchweek.plan.profile",
    "SavedPlan": "matchweek.plan.planfile",
    "Tier": "matchweek.plan.profile",
    "TierEntry": "matchweek.plan.profile",
    "TrackedProgram": "matchweek.plan.tracker",
    "UnknownProgram": "matchweek.plan.errors",
    "WaitingApplication": "matchweek.plan.decide",
    "application_order": "matchweek.plan.optimize",
    "assign_documents": "matchweek.plan.documents",
    "brute_force_portfolio": "matchweek.plan.optimize",
    "decide": "matchweek.plan.decide",
    "default_odds_model": "matchweek.plan.odds",
    "later_odds": "matchweek.plan.decide",
    "listing_from_start": "matchweek.plan.listing",
    "listing_of": "matchweek.plan.listing",
    "odds_for": "matchweek.plan.odds",
    "optimal_portfolio": "matchweek.plan.optimize",
    "plan_list": "matchweek.plan.optimize",
    "portfolio_value": "matchweek.plan.optimize",
    "profile_of": "matchweek.plan.profile",
    "read_listing": "matchweek.plan.listing",
    "read_odds_model": "matchweek.plan.odds",
    "read_plan": "matchweek.plan.planfile",
    "read_profile": "matchweek.plan.profile",
    "read_tracker": "matchweek.plan.tracker",
    "tracker_from_picks": "matchweek.plan.tracker",
    "write_listing": "matchweek.plan.listing",
    "write_odds_model": "matchweek.plan.odds",
    "write_plan": "matchweek.plan.planfile",
    "write_profile": "matchweek.plan.profile",
    "write_tracker": "matchweek.plan.tracker",
}
"""Each public name and the module that defines it (imported on first use)."""

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
