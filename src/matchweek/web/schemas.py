"""The shapes of the portal's JSON API (and the values its pages show), as Pydantic models.

Input models forbid unknown fields and bound every string and list, so malformed or
oversized input is refused with 422 before it reaches the store. Where a public format
of FORMATS.md applies (``matchweek.result/1``, ``matchweek.soap-result/1``), the model
is that format's shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
"""A program code, applicant id or document id as the API accepts it."""

WeekTimeText = Annotated[
    str, StringConstraints(pattern=r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01]\d|2[0-3]):[0-5]\d$")
]
"""A Match Week time such as ``Thu 09:00``."""

Username = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]

MatchStatusText = Literal["matched", "partially_matched", "unmatched"]
OfferStatusText = Literal["open", "accepted", "rejected", "expired"]
RoleText = Literal["operator", "program", "applicant"]


class StrictInput(BaseModel):
    """A request body: unknown fields are refused, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Output(BaseModel):
    """A response body."""

    model_config = ConfigDict(frozen=True)


# --- session ---------------------------------------------------------------------------------------


class SessionIn(StrictInput):
    """Credentials for ``POST /api/session``."""

    username: Username
    password: Password


class AccountOut(Output):
    """An account as the API shows it (never its password)."""

    username: str
    role: RoleText
    programs: list[str]
    applicant: str | None
    display_name: str


class SessionOut(Output):
    """A signed-in API session: send ``Authorization: Bearer <token>`` with every call."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds the token stays valid")
    account: AccountOut


# --- applicant -------------------------------------------------------------------------------------


class ApplicantStatusOut(Output):
    """An applicant's own standing: Match status once released, SOAP eligibility, applications used."""

    applicant: str
    soap_started: bool
    status_released: bool
    status_release_at: str | None
    match_status: MatchStatusText | None = Field(description="null until match status is released")
    main_match_programs: list[str]
    soap_entrant: bool
    unfilled_list_visible: bool
    unfilled_list_note: str
    needs: list[str] = Field(description="kinds of position still needed: full, pgy1_only, advanced")
    applications_used: int
    applications_cap: int
    accepted: list[str] = Field(description="programs whose SOAP offers were accepted")
    soap_ended: bool


class UnfilledProgramOut(Output):
    """A line of the List of Unfilled Programs."""

    code: str
    name: str | None
    specialty: str | None
    track: str
    state: str | None
    visa: list[str]
    open_positions: int
    img_share: float | None = Field(description="share of international graduates in recent classes, 0..1")
    applied: bool


class UnfilledListOut(Output):
    """The programs this applicant may see and apply to, filtered and sorted as asked."""

    programs: list[UnfilledProgramOut]
    visible: int = Field(description="programs on the list before filtering")
    applications_used: int
    applications_cap: int
    specialties: list[str]
    tracks: list[str]
    states: list[str]


class DocumentOut(Output):
    """A personal statement or letter of recommendation on file."""

    id: str
    kind: Literal["personal_statement", "letter"]
    specialty: str
    author: str | None


class DocumentsOut(Output):
    """The applicant's documents, and how many of each one application may carry."""

    personal_statements: list[DocumentOut]
    letters: list[DocumentOut]
    letters_per_application: int
    personal_statements_per_application: int


class ApplicationIn(StrictInput):
    """An application: the program and the documents attached to it."""

    program: Identifier
    personal_statement: Identifier | None = None
    letters: list[Identifier] = Field(default_factory=list, max_length=16)


class ApplicationOut(Output):
    """An application sent."""

    program: str
    program_name: str | None
    specialty: str | None
    personal_statement: str | None
    letters: list[str]
    submitted_at: str = Field(description="Match Week time the application was sent")


class OfferOut(Output):
    """An offer received; ``closes_at`` (UTC) is when an open offer expires unanswered."""

    program: str
    program_name: str | None
    specialty: str | None
    track: str
    round: int
    status: OfferStatusText
    closes_at: datetime | None
    closes_at_week: str | None


class AcceptIn(StrictInput):
    """Accept one offer (or one PGY-1-only and one advanced); ``confirm_binding`` must be true."""

    programs: list[Identifier] = Field(min_length=1, max_length=2)
    confirm_binding: bool = Field(
        description="acceptance is binding under the participation agreement; must be true"
    )


class RejectIn(StrictInput):
    """Reject one or more open offers."""

    programs: list[Identifier] = Field(min_length=1, max_length=64)


class HistoryEntryOut(Output):
    """One event of the log that concerns this applicant (or the whole week's schedule)."""

    seq: int
    recorded_at: datetime
    at: str | None
    type: str
    text: str


# --- program ---------------------------------------------------------------------------------------


class ProgramOut(Output):
    """A program taking part in SOAP, with its positions now."""

    code: str
    name: str | None
    specialty: str | None
    track: str
    state: str | None
    visa: list[str]
    positions: int = Field(description="positions open when SOAP started")
    open: int = Field(description="positions neither accepted nor held by an open offer")
    accepted: int
    applicants: int


class ExamOut(Output):
    exam: str
    passed: bool
    attempts: int
    score: int | None


class ApplicantRowOut(Output):
    """An applicant who applied to the program, with what programs screen on."""

    id: str
    kind: str | None
    soap_status: MatchStatusText
    exams: list[ExamOut]
    best_score: int | None = Field(description="best Step 2 CK or Level 2-CE score")
    exam_failures: int
    graduation_year: int | None
    visa_need: str | None
    us_clinical_months: int | None
    ties: list[str]
    tie_to_program_state: bool
    red_flags: list[str]
    offer_status: OfferStatusText | None = Field(description="this program's offer to the applicant, if any")
    list_rank: int | None = Field(description="place on the program's certified preference list")


class ApplicantDetailOut(Output):
    """One applicant's file as this program sees it, with the documents attached to its application."""

    applicant: ApplicantRowOut
    personal_statement: DocumentOut | None
    letters: list[DocumentOut]
    submitted_at: str | None = Field(description="Match Week time the application was sent")


class ApplicantTableOut(Output):
    """The program's applicants, filtered and sorted as asked."""

    program: str
    applicants: list[ApplicantRowOut]
    total: int = Field(description="applicants before filtering")


class PreferenceListIn(StrictInput):
    """A preference list to certify: applicants who applied, most preferred first."""

    applicants: list[Identifier] = Field(max_length=5000)


class PreferenceListOut(Output):
    """The program's certified list, the list the last round used, and the next deadline."""

    program: str
    certified: list[str]
    in_force: list[str]
    next_round: int | None
    certify_by: str | None = Field(description="Match Week time the next round opens")
    certify_by_utc: datetime | None


class ProgramOfferOut(Output):
    applicant: str
    round: int
    status: OfferStatusText


class RoundStatusOut(Output):
    """Where a program stands in the offer rounds."""

    program: str
    current_round: int
    round_open: bool
    positions: int
    open: int
    offers_out: int
    accepted: int
    rejected: int
    expired: int
    offers: list[ProgramOfferOut]


# --- operator --------------------------------------------------------------------------------------


class StepOut(Output):
    key: str
    label: str
    at: str
    at_utc: datetime
    done: bool


class MarketSummaryOut(Output):
    programs: int
    positions: int
    applicants: int
    couples: int


class MainMatchOut(Output):
    matched: int
    partially_matched: int
    unmatched: int
    positions_filled: int
    positions_unfilled: int
    instabilities: int


class SoapSummaryOut(Output):
    started: bool
    status_released: bool
    list_published: bool
    current_round: int
    round_open: bool
    ended: bool
    programs: int
    entrants: int
    applications: int
    offers: int
    matches: int
    positions_open: int


class OverviewOut(Output):
    """The operator's view of the week: the clock, the market, the Main Match, SOAP and its schedule."""

    clock: str
    clock_utc: datetime
    market: MarketSummaryOut | None
    main_match: MainMatchOut | None
    soap: SoapSummaryOut
    schedule: list[StepOut]
    accounts: int


class ClockIn(StrictInput):
    """Move the clearinghouse clock forward to this Match Week time (steps due by then happen)."""

    at: WeekTimeText


class PolicyIn(StrictInput):
    """Policy values for SOAP; any left out keep the rule book's defaults."""

    max_applications: int | None = Field(default=None, ge=1, le=1000)
    letters_per_application: int | None = Field(default=None, ge=0, le=20)
    personal_statements_per_application: int | None = Field(default=None, ge=0, le=1)
    rounds: int | None = Field(default=None, ge=1, le=20)
    response_window_minutes: int | None = Field(default=None, ge=1, le=10080)
    round_interval_minutes: int | None = Field(default=None, ge=1, le=10080)
    status_release: WeekTimeText | None = None
    list_release: WeekTimeText | None = None
    review_start: WeekTimeText | None = None
    first_round_opens: WeekTimeText | None = None
    soap_end: WeekTimeText | None = None
    match_day: WeekTimeText | None = None

    def overrides(self) -> dict[str, Any]:
        """The values given, by policy field name."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class AccountIn(StrictInput):
    """A new account; a program account names the programs it manages, an applicant account its id."""

    username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")]
    password: Annotated[str, StringConstraints(min_length=8, max_length=1024)]
    role: RoleText
    programs: list[Identifier] = Field(default_factory=list, max_length=50)
    applicant: Identifier | None = None
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None


class EventOut(Output):
    """One entry of the audit log: the SOAP event, who caused it and when it was recorded."""

    seq: int
    actor: str
    recorded_at: datetime
    event: dict[str, Any]


class LoadOut(Output):
    """A market loaded."""

    market: MarketSummaryOut


# --- public formats (FORMATS.md) ------------------------------------------------------------------


class Pair(Output):
    program: str
    applicant: str


class RoundDocument(Output):
    round: int
    offers: list[Pair]
    accepted: list[Pair]
    rejected: list[Pair]
    expired: list[Pair]


class SoapMatchDocument(Output):
    applicant: str
    program: str
    round: int


class SoapResultDocument(Output):
    """``matchweek.soap-result/1``: rounds, matches and what stays unfilled."""

    format: Literal["matchweek.soap-result/1"]
    rounds: list[RoundDocument]
    matches: list[SoapMatchDocument]
    unfilled: dict[str, int]


class AssignmentDocument(Output):
    applicant: str
    program: str


class ResultDocument(Output):
    """``matchweek.result/1``: the outcome of the Main Match."""

    format: Literal["matchweek.result/1"]
    matches: list[AssignmentDocument]
    applicants: dict[str, MatchStatusText]
    unfilled: dict[str, int]
    instabilities: list[dict[str, Any]]


# --- refusals ------------------------------------------------------------------------------------


class Problem(Output):
    """A refusal: one line under ``detail``; a broken SOAP rule also names the rule, its section and the
    record at fault; malformed input lists every problem found under ``errors`` (or ``faults``
    for a file)."""

    detail: str
    rule: str | None = None
    section: str | None = None
    record: str | None = None
    errors: list[str] | None = None
    faults: list[str] | None = None


_STANDARD_REFUSALS: dict[int, str] = {
    401: "not signed in (send `Authorization: Bearer <token>` from `POST /api/session`)",
    403: "this account may not do or see this (or the CSRF check failed)",
    413: "request body too large",
    422: "malformed input: wrong type, out of range, unknown field, bad file",
    429: "too many failed sign-ins",
}


def refusals(specific: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the refusals a route may answer with, each a :class:`Problem`."""
    described = {**_STANDARD_REFUSALS, **(specific or {})}
    return {status: {"model": Problem, "description": text} for status, text in sorted(described.items())}
