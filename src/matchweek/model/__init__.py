"""The domain model: pure values, no I/O."""

from matchweek.model.applicant import (
    Applicant,
    ApplicantKind,
    Couple,
    Document,
    Exam,
    ExamResult,
    RankEntry,
    RedFlag,
)
from matchweek.model.market import Market, MarketHeadline
from matchweek.model.policy import Policy, RoundTimes, WeekTime, load_policy
from matchweek.model.program import Program, Track, Visa
from matchweek.model.result import Assignment, Instability, MatchResult, MatchStatus
from matchweek.model.soap import (
    Application,
    Holding,
    Offer,
    Response,
    RoundOutcome,
    ScriptRound,
    SoapApplicant,
    SoapMatch,
    SoapProgram,
    SoapResult,
    SoapScript,
    SoapStatus,
)

__all__ = [
    "Applicant",
    "ApplicantKind",
    "Application",
    "Assignment",
    "Couple",
    "Document",
    "Exam",
    "ExamResult",
    "Holding",
    "Instability",
    "Market",
    "MarketHeadline",
    "MatchResult",
    "MatchStatus",
    "Offer",
    "Policy",
    "Program",
    "RankEntry",
    "RedFlag",
    "Response",
    "RoundOutcome",
    "RoundTimes",
    "ScriptRound",
    "SoapApplicant",
    "SoapMatch",
    "SoapProgram",
    "SoapResult",
    "SoapScript",
    "SoapStatus",
    "Track",
    "Visa",
    "WeekTime",
    "load_policy",
]
