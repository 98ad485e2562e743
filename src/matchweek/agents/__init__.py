"""Behaviour models of SOAP's applicants and programs, for simulating Match Weeks.

Pure and deterministic: they read a :class:`Cohort` (the facts of one SOAP's
entrants and programs as arrays) and seeded draws keyed by who draws them, and
return choices; the week service turns the choices into engine commands.

- applicants: where to apply (``spray``, ``targeted``), which documents to
  attach, what they value and how they answer offers;
- programs: triage (deal-breakers, buckets, reading) and preference lists.
"""

from matchweek.agents.applicants import (
    STRATEGIES,
    TIERS,
    ApplicationStrategy,
    Outlook,
    SprayStrategy,
    TargetedStrategy,
    best_columns,
    strategy_named,
)
from matchweek.agents.cohort import Cohort, build_cohort
from matchweek.agents.documents import (
    GENERAL,
    NOTHING_ATTACHED,
    Attachment,
    DocumentFile,
    document_file,
    documents_for,
)
from matchweek.agents.errors import AgentError, UnknownEntrant, UnknownStrategy
from matchweek.agents.preferences import PRIMARY_CARE, ApplicantPreferences, reservations, utilities
from matchweek.agents.programs import (
    Bucket,
    DealBreaker,
    ProgramBehaviour,
    Triage,
    cautious_programs,
    certified_list,
    deal_breakers,
    list_length,
    triage,
)
from matchweek.agents.responses import Answer, OfferInHand, ResponseBehaviour, answer_offers, bundles

__all__ = [
    "GENERAL",
    "NOTHING_ATTACHED",
    "PRIMARY_CARE",
    "STRATEGIES",
    "TIERS",
    "AgentError",
    "Answer",
    "ApplicantPreferences",
    "ApplicationStrategy",
    "Attachment",
    "Bucket",
    "Cohort",
    "DealBreaker",
    "DocumentFile",
    "OfferInHand",
    "Outlook",
    "ProgramBehaviour",
    "ResponseBehaviour",
    "SprayStrategy",
    "TargetedStrategy",
    "Triage",
    "UnknownEntrant",
    "UnknownStrategy",
    "answer_offers",
    "best_columns",
    "build_cohort",
    "bundles",
    "cautious_programs",
    "certified_list",
    "deal_breakers",
    "document_file",
    "documents_for",
    "list_length",
    "reservations",
    "strategy_named",
    "triage",
    "utilities",
]
