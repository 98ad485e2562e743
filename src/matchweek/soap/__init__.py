"""The SOAP engine: commands are checked against the rule book and produce events; the state is their fold.

Pure and deterministic, no I/O. ``handle(state, command)`` returns the events a
command produces or raises :class:`RuleViolation`; ``apply``/``replay`` fold
events into a :class:`SoapState`; :class:`SoapEngine` keeps both together;
``run_script`` plays a ``matchweek.soap/1`` script; ``soap_universe`` builds
the start of SOAP from a Main Match.
"""

from matchweek.soap.commands import (
    Accept,
    CertifyPreferenceList,
    CloseRound,
    Command,
    EndSoap,
    OpenRound,
    PublishUnfilledList,
    RecordVerification,
    Reject,
    ReleaseStatus,
    SoapEntrant,
    StartSoap,
    SubmitApplication,
)
from matchweek.soap.engine import SoapEngine
from matchweek.soap.errors import RuleViolation
from matchweek.soap.events import (
    EVENT_TYPES,
    ApplicantVerified,
    ApplicationSubmitted,
    Event,
    OfferAccepted,
    OfferExpired,
    OfferExtended,
    OfferRejected,
    PreferenceListCertified,
    RoundClosed,
    RoundOpened,
    SoapEnded,
    SoapStarted,
    StatusReleased,
    UnfilledListPublished,
    event_from_dict,
    event_to_dict,
)
from matchweek.soap.handlers import handle
from matchweek.soap.positions import Kind, kind_of, needs
from matchweek.soap.script import ScriptRun, play_script, run_script
from matchweek.soap.state import (
    OfferStatus,
    OfferView,
    ProgramStanding,
    SoapState,
    applicants_of,
    apply,
    available,
    offers_of,
    replay,
    round_state,
    soap_result,
    unfilled_positions,
    visible_programs,
)
from matchweek.soap.universe import soap_universe

__all__ = [
    "EVENT_TYPES",
    "Accept",
    "ApplicantVerified",
    "ApplicationSubmitted",
    "CertifyPreferenceList",
    "CloseRound",
    "Command",
    "EndSoap",
    "Event",
    "Kind",
    "OfferAccepted",
    "OfferExpired",
    "OfferExtended",
    "OfferRejected",
    "OfferStatus",
    "OfferView",
    "OpenRound",
    "PreferenceListCertified",
    "ProgramStanding",
    "PublishUnfilledList",
    "RecordVerification",
    "Reject",
    "ReleaseStatus",
    "RoundClosed",
    "RoundOpened",
    "RuleViolation",
    "ScriptRun",
    "SoapEnded",
    "SoapEngine",
    "SoapEntrant",
    "SoapStarted",
    "SoapState",
    "StartSoap",
    "StatusReleased",
    "SubmitApplication",
    "UnfilledListPublished",
    "applicants_of",
    "apply",
    "available",
    "event_from_dict",
    "event_to_dict",
    "handle",
    "kind_of",
    "needs",
    "offers_of",
    "play_script",
    "replay",
    "round_state",
    "run_script",
    "soap_result",
    "soap_universe",
    "unfilled_positions",
    "visible_programs",
]
