"""``matchweek.plan/1``: a planned list as JSON, and reading it back for documents and decisions.

The file holds the list's figures (objective, cap, expected value, chance of an
offer), the odds model's round shares (for offer-time decisions) and every pick
with the program's facts, its odds, utility, marginal gain and tier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from matchweek.errors import FormatError
from matchweek.formats.faultlog import FaultLog, Where, quote, show
from matchweek.formats.fileio import atomic_write, decode_json, encode_json, read_bytes
from matchweek.formats.jsonvalues import (
    as_enum,
    as_enum_list,
    as_int,
    as_list,
    as_number,
    as_object,
    as_str,
    check_fields,
    check_format,
)
from matchweek.model import Track, Visa
from matchweek.plan.listing import ListedProgram
from matchweek.plan.optimize import OBJECTIVES, Pick, PlannedList

PLAN_FORMAT = "matchweek.plan/1"


@dataclass(frozen=True, eq=False)
class SavedPlan:
    """A planned list as read back from its file."""

    applicant: str | None
    objective: str
    cap: int
    expected_value: float
    chance_of_offer: float
    round_shares: tuple[float, ...]
    picks: tuple[Pick, ...]

    def pick(self, code: str) -> Pick | None:
        return next((p for p in self.picks if p.program.code == code), None)


def saved(planned: PlannedList) -> SavedPlan:
    """The part of ``planned`` its file keeps."""
    return SavedPlan(
        applicant=planned.profile.applicant,
        objective=planned.objective,
        cap=planned.cap,
        expected_value=planned.expected_value,
        chance_of_offer=planned.chance_of_offer,
        round_shares=planned.odds.model.round_shares,
        picks=planned.picks,
    )


def plan_to_document(plan: PlannedList | SavedPlan) -> dict[str, object]:
    """The ``matchweek.plan/1`` document of a plan (picks in application order)."""
    s = saved(plan) if isinstance(plan, PlannedList) else plan
    d: dict[str, object] = {"format": PLAN_FORMAT}
    if s.applicant is not None:
        d["applicant"] = s.applicant
    d.update(
        {
            "objective": s.objective,
            "cap": s.cap,
            "expected_value": s.expected_value,
            "chance_of_offer": s.chance_of_offer,
            "round_shares": list(s.round_shares),
            "picks": [_pick_document(p) for p in s.picks],
        }
    )
    if isinstance(plan, PlannedList):
        d["expected_offers"] = plan.expected_offers
        d["candidates"] = plan.candidates
    return d


def _pick_document(p: Pick) -> dict[str, object]:
    g = p.program
    d: dict[str, object] = {"rank": p.rank, "program": g.code, "track": g.track.value, "open": g.open}
    for key, value in (
        ("name", g.name),
        ("institution", g.institution),
        ("specialty", g.specialty),
        ("state", g.state),
        ("img_share", g.img_share),
        ("positions", g.positions),
        ("usual_score", g.usual_score),
    ):
        if value is not None:
            d[key] = value
    d["visa"] = [v.value for v in g.visa]
    d.update(
        {
            "odds": p.odds,
            "utility": p.utility,
            "marginal_gain": p.marginal_gain,
            "loss_if_dropped": p.loss_if_dropped,
        }
    )
    if p.tier is not None:
        d["tier"] = p.tier
    return d


def write_plan(plan: PlannedList | SavedPlan, path: str | Path) -> None:
    """Write ``plan`` as ``matchweek.plan/1`` JSON, atomically."""
    atomic_write(path, encode_json(plan_to_document(plan)))


def read_plan(path: str | Path) -> SavedPlan:
    """Read and check a ``matchweek.plan/1`` file; FormatError names every faulty field."""
    source = str(path)
    return plan_from_document(decode_json(read_bytes(path), source), source)


_TOP = frozenset(
    {
        "format",
        "applicant",
        "objective",
        "cap",
        "expected_value",
        "chance_of_offer",
        "round_shares",
        "picks",
        "expected_offers",
        "candidates",
    }
)
_PICK = frozenset(
    {
        "rank",
        "program",
        "track",
        "open",
        "name",
        "institution",
        "specialty",
        "state",
        "img_share",
        "positions",
        "usual_score",
        "visa",
        "odds",
        "utility",
        "marginal_gain",
        "loss_if_dropped",
        "tier",
    }
)


def plan_from_document(document: object, source: str | None = None) -> SavedPlan:
    """A saved plan from parsed JSON; FormatError with every fault."""
    log = FaultLog()
    top = as_object(log, document, ())
    if top is None:
        raise FormatError(log.faults(), source)
    check_format(log, top, PLAN_FORMAT)
    check_fields(log, top, _TOP, ("objective", "cap", "round_shares", "picks"), ())
    objective = as_str(log, top.get("objective", "utility"), ("objective",))
    if objective is not None and objective not in OBJECTIVES:
        log.add(("objective",), f"must be one of {', '.join(OBJECTIVES)}, got {show(objective)}")
    cap = as_int(log, top.get("cap", 0), ("cap",))
    value = _number(log, top.get("expected_value", 0.0), ("expected_value",))
    chance = _share(log, top.get("chance_of_offer", 0.0), ("chance_of_offer",))
    shares = [
        _share(log, x, ("round_shares", j))
        for j, x in enumerate(as_list(log, top.get("round_shares", []), ("round_shares",)) or [])
    ]
    applicant = top.get("applicant")
    if applicant is not None:
        applicant = as_str(log, applicant, ("applicant",))
    picks = []
    seen: set[str] = set()
    for j, item in enumerate(as_list(log, top.get("picks", []), ("picks",)) or []):
        pick = _pick(log, item, ("picks", j))
        if pick is not None:
            if pick.program.code in seen:
                log.add(("picks", j, "program"), f"program {quote(pick.program.code)} is on the list twice")
            seen.add(pick.program.code)
            picks.append(pick)
    if log:
        raise FormatError(log.faults(), source)
    return SavedPlan(
        applicant=applicant if isinstance(applicant, str) else None,
        objective=str(objective),
        cap=int(cap or 0),
        expected_value=float(value or 0.0),
        chance_of_offer=float(chance or 0.0),
        round_shares=tuple(float(x or 0.0) for x in shares),
        picks=tuple(picks),
    )


def _number(log: FaultLog, value: object, where: Where) -> float | None:
    x = as_number(log, value, where)
    if x is not None and not math.isfinite(x):
        log.add(where, f"must be a finite number, got {show(value)}")
        return None
    return x


def _share(log: FaultLog, value: object, where: Where) -> float | None:
    x = _number(log, value, where)
    if x is not None and not 0.0 <= x <= 1.0:
        log.add(where, f"must be a share from 0 to 1, got {show(value)}")
        return None
    return x


def _pick(log: FaultLog, item: object, where: Where) -> Pick | None:
    d = as_object(log, item, where)
    if d is None:
        return None
    check_fields(log, d, _PICK, ("rank", "program", "track", "odds", "utility"), where)

    def text(key: str) -> str | None:
        v = d.get(key)
        return None if v is None else as_str(log, v, (*where, key))

    def number(key: str) -> float | None:
        v = d.get(key)
        return None if v is None else _number(log, v, (*where, key))

    rank = as_int(log, d.get("rank", 0), (*where, "rank"))
    code = as_str(log, d.get("program", ""), (*where, "program"))
    track = as_enum(log, d.get("track", ""), Track, "track", (*where, "track"))
    opened = as_int(log, d.get("open", 1), (*where, "open"))
    visa = as_enum_list(log, d.get("visa", []), Visa, "visa", (*where, "visa"))
    odds = _share(log, d.get("odds", 0.0), (*where, "odds"))
    utility = number("utility")
    positions = d.get("positions")
    if positions is not None:
        positions = as_int(log, positions, (*where, "positions"))
    if rank is None or code is None or track is None or opened is None or visa is None or odds is None:
        return None
    program = ListedProgram(
        code=code,
        track=track,
        open=opened,
        name=text("name"),
        institution=text("institution"),
        specialty=text("specialty"),
        state=text("state"),
        visa=visa,
        img_share=number("img_share"),
        positions=positions if isinstance(positions, int) else None,
        usual_score=number("usual_score"),
    )
    return Pick(
        rank=rank,
        program=program,
        odds=odds,
        utility=float(utility or 0.0),
        marginal_gain=float(number("marginal_gain") or 0.0),
        loss_if_dropped=float(number("loss_if_dropped") or 0.0),
        tier=text("tier"),
    )
