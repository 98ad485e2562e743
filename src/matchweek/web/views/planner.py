"""What the applicant planner shows in the portal: the profile, the optimal list with its odds, the
tracker, and the recommendation on offers in hand.

The planner (``matchweek.plan``) works on values; this module feeds it from the store: the
applicant's saved profile (or the one derived from its market record), the programs it may
apply to now (``soap.visible_programs``, with the positions still unfilled), the
applications it sent and the offers it holds. The live SOAP record is the truth about the
applicant's standing, so eligibility and what it holds come from there, not from the profile;
the documents pre-selected for an application are those on file. The API's shapes are the
plan file formats (``matchweek.profile/1``, ``matchweek.plan/1``, ``matchweek.odds/1``,
``matchweek.documents/1``, ``matchweek.decision/1``) and the tracker's columns.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from html import escape
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_validator,
)

from matchweek.errors import Fault, FormatError
from matchweek.formats.faultlog import json_path
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Exam,
    Holding,
    Market,
    MatchResult,
    Policy,
    RedFlag,
    Track,
    Visa,
)
from matchweek.plan.charts import plan_figure
from matchweek.plan.decide import Decision, OfferInHand, WaitingApplication, decide
from matchweek.plan.documents import DocumentPlan, assign_documents
from matchweek.plan.exports import decision_document, documents_document, odds_document
from matchweek.plan.listing import Listing, listing_of
from matchweek.plan.odds import default_odds_model, odds_for
from matchweek.plan.optimize import PlannedList, planned_from
from matchweek.plan.planfile import plan_to_document
from matchweek.plan.profile import Profile, appraise, profile_from_document, profile_of, profile_to_document
from matchweek.plan.tracker import (
    TrackedProgram,
    Tracker,
    is_interview_time,
    read_tracker,
    tracker_bytes,
)
from matchweek.soap import Kind, unfilled_positions, visible_programs
from matchweek.store import planner as planner_store
from matchweek.web.charts import safe_json
from matchweek.web.portal import Portal
from matchweek.web.problems import Conflict, Forbidden, NotFound
from matchweek.web.schemas import Identifier, Output, StrictInput
from matchweek.web.transfer import XLSX_TYPE, Download
from matchweek.web.views.applicant import unfilled_list_access

OBJECTIVE_LABELS: dict[str, str] = {
    "utility": "the most expected utility",
    "placement": "the best chance of a position you would take",
}
"""What each objective of the optimal list maximises, by key."""

TRACKER_FORMAT = "matchweek.tracker/1"

Objective = Literal["utility", "placement"]

# --- shapes: the plan file formats as the API takes and returns them ----------------------------------

# JSON's types are exact: a number is not taken from text, nor a flag from a number.
Flag = StrictBool
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Place = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Weight = Annotated[StrictFloat, Field(ge=0, le=1e6)]
Positions = Annotated[StrictInt, Field(ge=0, le=100_000)]


class _Strict(StrictInput):
    # Infinity and NaN would make every figure computed from them meaningless.
    model_config = ConfigDict(allow_inf_nan=False)


class ExamDocument(_Strict):
    exam: Exam
    passed: Flag
    attempts: StrictInt = Field(default=1, ge=1, le=20)
    score: StrictInt | None = Field(default=None, ge=0, le=1000)


class DocumentEntry(_Strict):
    """A letter or personal statement: its id, the specialty it was written for (``general``), its author."""

    id: Identifier
    specialty: Name
    author: Name | None = None


class TierEntryDocument(_Strict):
    """Programs of one specialty (``*``: any), of the tracks given (none: any)."""

    specialty: Name
    tracks: list[Track] = Field(default_factory=list, max_length=5)


class TierDocument(_Strict):
    """A priority tier: its name, the utility of a position in it, the programs it holds."""

    name: Name | None = None
    utility: StrictFloat | None = Field(default=None, gt=0, le=1e6)
    programs: list[TierEntryDocument | Name] = Field(min_length=1, max_length=100)


class MustHavesDocument(_Strict):
    visas: list[Visa] = Field(default_factory=list, max_length=2)
    tracks: list[Track] = Field(default_factory=list, max_length=5)
    excluded_states: list[Place] = Field(default_factory=list, max_length=60)


class PreferencesDocument(_Strict):
    regions: list[Place] = Field(default_factory=list, max_length=80)
    region_weight: Weight = 1.0
    tracks: list[Track] = Field(default_factory=list, max_length=5)
    track_weight: Weight = 0.5
    min_positions: Positions | None = None
    max_positions: Positions | None = None
    size_weight: Weight = 0.5


class CriteriaDocument(_Strict):
    must_haves: MustHavesDocument | None = None
    preferences: PreferencesDocument | None = None


class ProfileDocument(_Strict):
    """``matchweek.profile/1``: the applicant's file, its priorities (specialty tiers with utilities) and
    criteria (must-haves and preferences). See docs/planner.md for every field."""

    format: Literal["matchweek.profile/1"]
    applicant: Identifier | None = None
    kind: ApplicantKind
    graduation_year: StrictInt | None = Field(default=None, ge=1900, le=2100)
    verified: Flag = True
    can_start_july_1: Flag = True
    visa_need: Visa | None = None
    us_clinical_months: StrictInt = Field(default=0, ge=0, le=600)
    exams: list[ExamDocument] = Field(default_factory=list, max_length=20)
    letters: list[DocumentEntry] = Field(default_factory=list, max_length=50)
    personal_statements: list[DocumentEntry] = Field(default_factory=list, max_length=50)
    ties: list[Place] = Field(default_factory=list, max_length=60)
    red_flags: list[RedFlag] = Field(default_factory=list, max_length=10)
    known_institutions: list[Name] = Field(default_factory=list, max_length=1000)
    holds: Holding | None = None
    priorities: list[TierDocument] = Field(default_factory=list, max_length=50)
    criteria: CriteriaDocument | None = None


class PickDocument(Output):
    """A program on the optimal list: its facts, odds, utility and what it adds to the list."""

    rank: int
    program: str
    track: str
    open: int
    name: str | None = None
    institution: str | None = None
    specialty: str | None = None
    state: str | None = None
    img_share: float | None = None
    positions: int | None = None
    usual_score: float | None = None
    visa: list[str]
    odds: float
    utility: float
    marginal_gain: float
    loss_if_dropped: float
    tier: str | None = None


class PlanDocument(Output):
    """``matchweek.plan/1``: the optimal list for the applications left, picks in application order."""

    format: Literal["matchweek.plan/1"]
    applicant: str | None = None
    objective: Objective
    cap: int = Field(description="applications left to plan (the policy's cap minus those sent)")
    expected_value: float
    chance_of_offer: float
    round_shares: list[float]
    picks: list[PickDocument]
    expected_offers: float | None = None
    candidates: int | None = None


class ProgramOddsDocument(Output):
    """One program the applicant may apply to: its odds of an offer and what moves them."""

    program: str
    name: str | None
    specialty: str | None
    track: str
    state: str | None
    j1: bool
    h1b: bool
    img_share: float | None
    open: int
    odds: float
    log_odds: float
    hard_zero: str | None
    utility: float | None
    excluded: str | None
    contributions: dict[str, float]


class OddsDocument(Output):
    """``matchweek.odds/1``: the odds of an offer from every program, best first."""

    format: Literal["matchweek.odds/1"]
    intercept: float
    programs: list[ProgramOddsDocument]


class DocumentChoiceDocument(Output):
    program: str
    specialty: str | None
    personal_statement: str | None
    letters: list[str]
    note: str | None


class DocumentGapDocument(Output):
    specialty: str
    document: str
    programs: int
    detail: str


class DocumentsDocument(Output):
    """``matchweek.documents/1``: the statement and letters for each pick, and the gaps to fill."""

    format: Literal["matchweek.documents/1"]
    applications: list[DocumentChoiceDocument]
    gaps: list[DocumentGapDocument]


class PlanOut(Output):
    """The planner's answer for the applicant now: the optimal list, the odds, the documents."""

    plan: PlanDocument
    odds: OddsDocument
    documents: DocumentsDocument
    applications_used: int
    applications_cap: int
    profile_saved: bool = Field(description="false while the profile is the one derived from the market")


class LaterChanceDocument(Output):
    program: str
    utility: float
    later_odds: float
    better: bool


class DecisionDocument(Output):
    """``matchweek.decision/1``: accept the best offer in hand, or wait, with the numbers behind it."""

    format: Literal["matchweek.decision/1"]
    round: int
    rounds: int
    recommendation: Literal["accept", "wait"]
    best_offer: str | None
    accept_value: float
    wait_value: float
    chance_better_offer: float
    chance_unplaced_if_waiting: float
    chance_unplaced_if_accepting: float
    reasons: list[str]
    later: list[LaterChanceDocument]


Text = Annotated[str, StringConstraints(max_length=200)]


class TrackedProgramDocument(_Strict):
    """One row of the tracker, in the tracker's columns. ``applied`` is read from your applications
    (a value sent is ignored)."""

    program: Identifier
    name: Text | None = None
    specialty: Text | None = None
    track: Track | None = None
    location: Text | None = None
    j1: Flag = False
    h1b: Flag = False
    img_share: StrictFloat | None = Field(default=None, ge=0, le=1)
    img_friendly: Literal["high", "medium", "low"] | None = None
    interest: StrictInt | None = Field(default=None, ge=1, le=5)
    odds: StrictFloat | None = Field(default=None, ge=0, le=1)
    utility: StrictFloat | None = Field(default=None, ge=-1e6, le=1e6)
    applied: Flag = False
    interview_time: Annotated[str, StringConstraints(max_length=40)] | None = None
    interview_contact: Annotated[str, StringConstraints(max_length=500)] | None = None
    notes: Annotated[str, StringConstraints(max_length=4000)] | None = None

    @model_validator(mode="after")
    def _interview_time_reads(self) -> TrackedProgramDocument:
        if self.interview_time and not is_interview_time(self.interview_time):
            raise ValueError(
                f'interview_time: must be a week time like "Tue 14:00" or a date and time like '
                f'"2025-03-18T14:00", got {self.interview_time!r}'
            )
        return self


class TrackerDocument(_Strict):
    """The program tracker: one row per program, in your order."""

    format: Literal["matchweek.tracker/1"]
    programs: list[TrackedProgramDocument] = Field(max_length=1000)

    @model_validator(mode="after")
    def _each_program_once(self) -> TrackerDocument:
        seen: set[str] = set()
        for i, row in enumerate(self.programs):
            if row.program in seen:
                raise ValueError(f"programs[{i}].program: {row.program!r} is tracked twice")
            seen.add(row.program)
        return self


# --- the profile --------------------------------------------------------------------------------------


def market_applicant(portal: Portal, applicant: str) -> tuple[Market, MatchResult | None, Applicant]:
    """The loaded market, its Main Match result and the applicant's record in it."""
    catalogue = portal.catalogue()
    if catalogue is None:
        raise Conflict("no market is loaded yet: the planner works from the market's records")
    record = catalogue.applicants.get(applicant)
    if record is None:
        raise NotFound(f"applicant {applicant} is not in the market")
    return catalogue.market, portal.store.match_result(), record


def current_profile(portal: Portal, applicant: str) -> tuple[Profile, bool]:
    """The applicant's planning profile and whether it is saved (if not: derived from its market record)."""
    market, result, record = market_applicant(portal, applicant)
    stored = planner_store.planner_profile(portal.store, applicant)
    if stored is not None:
        return profile_from_document(stored, "saved profile"), True
    return profile_of(record, market, result), False


def profile_document(profile: Profile) -> ProfileDocument:
    """The ``matchweek.profile/1`` document of ``profile`` (its fields left out where defaults).

    Conflict for a profile beyond the portal's bounds (a market record can hold more letters,
    say, than a profile sent to the portal may).
    """
    try:
        return ProfileDocument.model_validate(profile_to_document(profile))
    except ValidationError as e:
        raise Conflict(f"the profile is beyond what the portal takes: {validation_faults(e)[0]}") from None


def profile_json(profile: Profile) -> dict[str, Any]:
    """The ``matchweek.profile/1`` document of ``profile`` as plain JSON values."""
    return profile_document(profile).model_dump(mode="json", exclude_unset=True)


def checked_profile(document: object, applicant: str, source: str) -> Profile:
    """The profile in ``document`` for ``applicant``; FormatError naming every field at fault.

    The planner's reader checks its meaning (known states and regions, unique document
    ids, …); the portal adds bounds on sizes and values. A profile naming another applicant
    is refused; one naming none becomes the applicant's.
    """
    profile = profile_from_document(document, source)
    try:
        ProfileDocument.model_validate(document)
    except ValidationError as e:
        raise FormatError(validation_faults(e), source) from None
    if profile.applicant not in (None, applicant):
        raise FormatError(
            Fault("applicant", f"must be your own applicant id {applicant}, got {profile.applicant!r}"),
            source,
        )
    return replace(profile, applicant=applicant)


def save_profile(portal: Portal, applicant: str, profile: Profile, actor: str) -> None:
    """Keep ``profile`` (checked) as the applicant's planning profile."""
    planner_store.save_planner_profile(portal.store, applicant, profile_json(profile), actor=actor)


def validation_faults(error: ValidationError) -> list[Fault]:
    """The problems Pydantic found, each located by its JSON path."""
    return [
        Fault(json_path(tuple(e["loc"])), e["msg"].removeprefix("Value error, "))
        for e in error.errors(include_url=False)
    ]


# --- the applicant's standing now ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Standing:
    """What the live SOAP record says about the applicant, read at one moment."""

    visible: bool
    """Whether the List of Unfilled Programs is open to it."""
    note: str
    policy: Policy | None
    open_positions: dict[str, int]
    """Programs it may apply to now, with the positions they still have unfilled."""
    applied: tuple[str, ...]
    holding: Holding | None
    """What it holds, as the complementary-track rule reads it (None: nothing, or all it needs)."""
    verified: bool
    can_start_july_1: bool
    round: int
    round_open: bool
    open_offers: tuple[str, ...]
    waiting: tuple[str, ...]
    """Programs it applied to that may still offer it a position (never offered, unfilled, needed)."""


def standing(portal: Portal, applicant: str) -> Standing:
    """The applicant's standing in SOAP now."""
    with portal.store.reading() as state:
        visible, note = unfilled_list_access(state, applicant)
        entrant = state.applicants.get(applicant)
        left = unfilled_positions(state)
        codes = visible_programs(state, applicant) if visible else ()
        if entrant is None:
            return Standing(visible, note, state.policy, {}, (), None, False, False, 0, False, (), ())
        waiting = tuple(
            code
            for code in entrant.applications
            if code in left and code not in entrant.offers and state.programs[code].kind in entrant.needs
        )
        return Standing(
            visible=visible,
            note=note,
            policy=state.policy,
            open_positions={code: left[code] for code in codes if code in left},
            applied=tuple(entrant.applications),
            holding=_holding(entrant.holds),
            verified=entrant.verified,
            can_start_july_1=entrant.can_start_july_1,
            round=state.current_round,
            round_open=state.round_open,
            open_offers=tuple(sorted(entrant.open_offers)),
            waiting=waiting,
        )


def _holding(holds: frozenset[Kind]) -> Holding | None:
    if holds == {Kind.ADVANCED}:
        return Holding.ADVANCED
    if holds == {Kind.PGY1_ONLY}:
        return Holding.PGY1
    return None


class _ListingCache:
    """The list SOAP opened with, built once per market, Main Match result and policy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Market, MatchResult, Policy] | None = None
        self._listing: Listing | None = None

    def get(self, market: Market, result: MatchResult, policy: Policy) -> Listing:
        with self._lock:
            key = self._key
            stale = key is None or key[0] is not market or key[1] is not result or key[2] != policy
            if self._listing is None or stale:
                self._listing = listing_of(market, result, policy)
                self._key = (market, result, policy)
            return self._listing


_LISTINGS = _ListingCache()


@dataclass(frozen=True, eq=False)
class Planning:
    """What planning for the applicant starts from."""

    profile: Profile
    """Its profile, with eligibility and holdings as the live SOAP record has them."""
    saved: bool
    standing: Standing
    listing: Listing
    """Every program SOAP opened with, with the facts an applicant can know."""
    policy: Policy
    on_file: Applicant


def planning(portal: Portal, applicant: str) -> Planning:
    """The profile, standing and list to plan from; Conflict before SOAP has started."""
    market, result, record = market_applicant(portal, applicant)
    now = standing(portal, applicant)
    if now.policy is None or result is None:
        raise Conflict("SOAP has not started: the planner works on the List of Unfilled Programs")
    profile, saved = current_profile(portal, applicant)
    live = replace(profile, holds=now.holding, verified=now.verified, can_start_july_1=now.can_start_july_1)
    return Planning(live, saved, now, _LISTINGS.get(market, result, now.policy), now.policy, record)


def _sub_listing(listing: Listing, open_positions: dict[str, int]) -> Listing:
    """The programs of ``listing`` named in ``open_positions``, with those positions open."""
    programs = tuple(
        replace(listing.programs[listing.index[code]], open=n)
        for code, n in open_positions.items()
        if code in listing.index
    )
    return Listing(programs, listing.match_year, listing.applications_per_position)


# --- the optimal list ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PlanView:
    """The optimal list for the applications left, with the odds and documents behind it."""

    planned: PlannedList
    documents: DocumentPlan
    wanted: npt.NDArray[np.float64]
    """Per program of the list: its utility to the applicant (also where it applied already)."""
    applied: frozenset[str]
    used: int
    cap: int
    saved_profile: bool

    @property
    def left(self) -> int:
        """Applications it may still send."""
        return max(0, self.cap - self.used)


def plan_view(portal: Portal, applicant: str, objective: Objective = "utility") -> PlanView:
    """The optimal list over the programs the applicant may apply to and has not, for the applications
    it has left; Forbidden while the List of Unfilled Programs is not open to it."""
    p = planning(portal, applicant)
    now = p.standing
    if not now.visible:
        raise Forbidden(f"the List of Unfilled Programs is not open to you: {now.note}")
    listing = _sub_listing(p.listing, now.open_positions)
    table = odds_for(p.profile, listing, default_odds_model())
    wanted, reasons = appraise(p.profile, listing)
    utility = (wanted > 0).astype(np.float64) if objective == "placement" else wanted.copy()
    applied = frozenset(now.applied)
    for j, program in enumerate(listing.programs):
        if program.code in applied:
            utility[j] = 0.0
            reasons[j] = reasons[j] or "applied already"
    left = max(0, p.policy.max_applications - len(applied))
    planned = planned_from(p.profile, table, utility, left, objective, reasons)
    documents = assign_documents(
        replace(p.profile, letters=p.on_file.letters, personal_statements=p.on_file.personal_statements),
        [pick.program for pick in planned.picks],
        p.policy,
    )
    return PlanView(planned, documents, wanted, applied, len(applied), p.policy.max_applications, p.saved)


def plan_out(view: PlanView) -> PlanOut:
    """The API's answer: the list as ``matchweek.plan/1``, the odds, the documents."""
    planned = view.planned
    odds = odds_document(planned.odds, view.wanted.tolist(), list(planned.exclusions))
    return PlanOut(
        plan=PlanDocument.model_validate(plan_to_document(planned)),
        odds=OddsDocument.model_validate(odds),
        documents=DocumentsDocument.model_validate(documents_document(view.documents)),
        applications_used=view.used,
        applications_cap=view.cap,
        profile_saved=view.saved_profile,
    )


def plan_chart_json(view: PlanView) -> str:
    """The odds-against-utility chart of the plan as Plotly JSON, safe inside a script block."""
    planned = view.planned
    fig = plan_figure(planned)
    title = (
        f"{len(planned.picks)} programs chosen: expected value {planned.expected_value:.3f}, "
        f"chance of an offer {planned.chance_of_offer:.1%}"
    )
    fig.update_layout(title={"text": escape(title), "x": 0, "xanchor": "left"}, height=460)
    return safe_json(fig)


# --- offers in hand -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Advice:
    """The recommendation on the offers in hand, and what each of them is worth to the applicant."""

    decision: Decision
    offer_utility: dict[str, float]


def offer_advice(portal: Portal, applicant: str) -> Advice | None:
    """Whether to accept the best offer in hand or wait, while a round is open and offers are in hand
    (None otherwise). Utilities are the profile's; the waiting applications are those that may still
    bring an offer, with their odds."""
    p = planning(portal, applicant)
    now = p.standing
    if not now.round_open or not now.open_offers or now.round < 1:
        return None
    listing = _sub_listing(p.listing, dict.fromkeys((*now.open_offers, *now.waiting), 1))
    model = default_odds_model()
    odds = odds_for(p.profile, listing, model).probability
    utility, _ = appraise(p.profile, listing)
    offers, waiting = [], []
    for j, program in enumerate(listing.programs):
        if program.code in now.open_offers:
            offers.append(OfferInHand(program.code, float(utility[j])))
        else:
            waiting.append(WaitingApplication(program.code, float(odds[j]), float(utility[j])))
    decision = decide(offers, waiting, now.round, p.policy.rounds, model.round_shares)
    return Advice(decision, {o.program: o.utility for o in offers})


def decision_out(decision: Decision) -> DecisionDocument:
    return DecisionDocument.model_validate(decision_document(decision))


# --- the tracker --------------------------------------------------------------------------------------


def tracker(portal: Portal, applicant: str) -> Tracker:
    """The applicant's tracked programs, ``applied`` read from its applications."""
    records = planner_store.planner_tracker(portal.store, applicant)
    applied = {a.program for a in portal.store.applications_of(applicant)}
    return tuple(
        TrackedProgram(
            **{**r, "track": Track(r["track"]) if r["track"] else None},
            applied=r["program"] in applied,
        )
        for r in records
    )


def tracker_document(rows: Tracker) -> TrackerDocument:
    """The tracker as the API shows it."""
    return TrackerDocument(
        format=TRACKER_FORMAT, programs=[TrackedProgramDocument.model_validate(asdict(r)) for r in rows]
    )


def save_tracker(portal: Portal, applicant: str, document: TrackerDocument, actor: str) -> None:
    """Replace the applicant's tracker with ``document``'s rows (``applied`` is not kept: it is read)."""
    planner_store.save_planner_tracker(portal.store, applicant, _records(document.programs), actor=actor)


def save_tracked_program(portal: Portal, applicant: str, row: TrackedProgramDocument, actor: str) -> None:
    """Replace one row of the tracker (a new program goes last)."""
    planner_store.save_tracker_record(portal.store, applicant, _records([row])[0], actor=actor)


def _records(rows: list[TrackedProgramDocument]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json", exclude={"applied"}) for r in rows]


def checked_tracker(rows: Tracker, source: str | None, row_label: Callable[[int], str]) -> TrackerDocument:
    """``rows`` as a tracker document; FormatError naming each row (``row_label(i)`` for row ``i``, from
    0) and field out of the portal's bounds."""
    document = {"format": TRACKER_FORMAT, "programs": [asdict(r) for r in rows]}
    try:
        return TrackerDocument.model_validate(document)
    except ValidationError as e:
        faults = []
        for problem in e.errors(include_url=False):
            loc = tuple(problem["loc"])
            where = json_path(loc)
            if len(loc) >= 2 and loc[0] == "programs" and isinstance(loc[1], int):
                where = ", ".join([row_label(loc[1]), *(str(x) for x in loc[2:])])
            faults.append(Fault(where, problem["msg"]))
        raise FormatError(faults, source) from None


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def read_uploaded_tracker(filename: str, data: bytes) -> TrackerDocument:
    """The tracker in an uploaded ``.csv`` or ``.xlsx`` file, refused whole (FormatError, every fault
    named by row and column) if any cell is wrong."""
    name = _SAFE_NAME.sub("_", PurePosixPath(filename.replace("\\", "/")).name)[-100:] or "upload"
    workbook = name.lower().endswith(".xlsx")
    if not (workbook or name.lower().endswith(".csv")):
        raise FormatError(Fault("", "upload a tracker as a .csv file or an .xlsx workbook"), name)
    if not data:
        raise FormatError(Fault("", "the uploaded file is empty"), name)
    # A CSV file's faults name the file and row; a workbook's name the sheet and row, the file as source.
    source = name if workbook else None
    with tempfile.TemporaryDirectory(prefix="matchweek-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            rows = read_tracker(path)
        except FormatError as e:
            raise FormatError(e.faults, source) from None
    label = "sheet tracker" if workbook else name
    # Row i of the tracker is line i + 2 of its file, after the header.
    return checked_tracker(rows, source, lambda i: f"{label} row {i + 2}")


def tracker_download(rows: Tracker, form: Literal["csv", "xlsx"]) -> Download:
    """The tracker as a CSV file or an XLSX workbook (sheet ``tracker``)."""
    filename = f"tracker.{form}"
    media_type = XLSX_TYPE if form == "xlsx" else "text/csv; charset=utf-8"
    return Download(filename, media_type, tracker_bytes(rows, filename))
