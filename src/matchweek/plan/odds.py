"""P(offer | applicant, program): a logistic model over named features, with hard zeros outside it.

The chance that a program offers a position to an applicant who applies there
(and stays available through SOAP's rounds) is

    odds = 0                                  if the applicant is ineligible for SOAP, may not apply
                                              to that kind of position (§4), or needs a visa the
                                              program does not sponsor;
    odds = 1 / (1 + exp(−(b + Σ w_f x_f)))    otherwise,

with the features ``x_f`` of :mod:`matchweek.plan.features` and the weights
``w_f`` fitted with scikit-learn on simulated Match Weeks (or an advising
office's history). The ``competition`` feature comes from a demand model: the
log of applications per open position predicted from what the list shows
(specialty, track, visa sponsorship, IMG share, size) on top of the market's
level. A model is a small JSON document (``matchweek.odds-model/1``): its
weights, its demand model, the share of offers made in each round, where it
was fitted and how well it is calibrated. Nothing is pickled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matchweek.errors import Fault, FormatError
from matchweek.formats.faultlog import FaultLog, Where, show
from matchweek.formats.fileio import atomic_write, decode_json, encode_json, read_bytes
from matchweek.formats.jsonvalues import (
    as_int,
    as_list,
    as_number,
    as_object,
    as_str,
    check_fields,
    check_format,
)
from matchweek.model import Holding, Track
from matchweek.plan.features import (
    DEMAND_FEATURE_NAMES,
    FEATURE_NAMES,
    FEATURES,
    ApplicantFacts,
    ProgramFacts,
    applicant_facts,
    demand_design,
    design,
    program_facts,
    specialty_keys,
    visa_compatible,
)
from matchweek.plan.listing import ListedProgram, Listing
from matchweek.plan.profile import Profile

ODDS_MODEL_FORMAT = "matchweek.odds-model/1"
DEFAULT_MODEL_FILE = "odds-model.json"
"""The default model's file in the package's ``data`` folder."""

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class DemandModel:
    """Predicts a program's log applications per open position: the market's level plus program effects."""

    intercept: float
    coefficients: Mapping[str, float]
    """One weight per name of ``DEMAND_FEATURE_NAMES``."""
    specialties: Mapping[str, float]
    """Effect of each specialty (keyed loosely, see ``profile.specialty_key``); unknown ones: 0."""
    default_applications_per_position: float
    """The market level used when a list does not say (the mean of the weeks it was fitted on)."""

    def competition(
        self, programs: Sequence[ListedProgram], applications_per_position: float | None
    ) -> Floats:
        """Log expected applications per open position of each program."""
        level = applications_per_position or self.default_applications_per_position
        x = demand_design(programs)
        w = np.array([self.coefficients[n] for n in DEMAND_FEATURE_NAMES])
        spec = np.array([self.specialties.get(k, 0.0) if k else 0.0 for k in specialty_keys(programs)])
        return math.log(level) + self.intercept + x @ w + spec


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """Held-out applications grouped by predicted odds: mean predicted, share with an offer, count."""

    predicted: float
    observed: float
    count: int


@dataclass(frozen=True, slots=True)
class Calibration:
    """How well predicted odds match outcomes on data the model was not fitted on."""

    source: str
    """What the figures were measured on (e.g. held-out simulated weeks and their seeds)."""
    applications: int
    offers: int
    brier: float
    """Mean squared difference between predicted odds and outcomes (lower is better)."""
    brier_base_rate: float
    """The Brier score of predicting the overall offer rate for every application."""
    log_loss: float
    auc: float
    bins: tuple[ReliabilityBin, ...]

    @property
    def brier_skill(self) -> float:
        """1 − brier / brier_base_rate: the share of the base rate's error the model removes."""
        return 1.0 - self.brier / self.brier_base_rate if self.brier_base_rate > 0 else 0.0


@dataclass(frozen=True, slots=True)
class OddsModel:
    """A fitted odds model: logistic weights per feature, the demand model, round shares, provenance."""

    intercept: float
    coefficients: Mapping[str, float]
    """One weight per name of ``FEATURE_NAMES``."""
    demand: DemandModel
    round_shares: tuple[float, ...]
    """Share of offers made in each round (they add to 1); used for offer-time decisions."""
    training: Mapping[str, object] = field(default_factory=dict)
    """Where the model was fitted: data, seeds, counts, regularisation."""
    calibration: Calibration | None = None

    @property
    def weights(self) -> Floats:
        """The weights in the order of ``FEATURES``."""
        return np.array([self.coefficients[n] for n in FEATURE_NAMES], dtype=np.float64)

    def probability(self, x: Floats) -> Floats:
        """Odds for rows of features (no hard zeros applied)."""
        return _logistic(self.intercept + x @ self.weights)


def _logistic(z: Floats) -> Floats:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass(frozen=True, slots=True)
class Contribution:
    """One feature's part in one program's odds: its value and weight × value on the log-odds scale."""

    feature: str
    value: float
    contribution: float


@dataclass(frozen=True, eq=False)
class OddsTable:
    """Odds for one applicant at every program of a listing, with what lies behind each."""

    listing: Listing
    probability: Floats
    """Per program; 0 where a hard zero applies."""
    hard_zero: tuple[str | None, ...]
    """Per program, why the odds are zero outside the regression (None: they are not)."""
    features: Floats
    """(program, feature) values."""
    model: OddsModel

    def explain(self, index: int) -> list[Contribution]:
        """The features of program ``index`` by the size of their contribution to its log-odds."""
        w = self.model.weights
        x = self.features[index]
        out = [Contribution(f.name, float(x[k]), float(w[k] * x[k])) for k, f in enumerate(FEATURES)]
        return sorted(out, key=lambda c: (-abs(c.contribution), c.feature))

    def log_odds(self, index: int) -> float:
        """The regression's log-odds for program ``index`` (before any hard zero)."""
        return float(self.model.intercept + self.features[index] @ self.model.weights)


def hard_zero_reason(profile: Profile, program: ListedProgram) -> str | None:
    """Why ``profile`` cannot get an offer from ``program`` whatever its file, or None."""
    if not profile.eligible:
        return "not eligible for SOAP: unverified or cannot start on July 1 (§2)"
    if profile.holds is not None:
        allowed = (
            (Track.PRELIMINARY, Track.TRANSITIONAL)
            if profile.holds is Holding.ADVANCED
            else (Track.ADVANCED,)
        )
        if program.track not in allowed:
            return (
                f"holding a {profile.holds.value} position it may apply only to the complementary kind (§4)"
            )
    if not profile.visa_compatible(program):
        return "the program does not sponsor a visa the applicant can train on"
    return None


def odds_for(profile: Profile, listing: Listing, model: OddsModel | None = None) -> OddsTable:
    """The odds of an offer from every program of ``listing`` for ``profile``, with hard zeros applied."""
    model = model or default_odds_model()
    programs = listing.programs
    apps = applicant_facts([profile], listing.match_year)
    progs = program_facts(programs, model.demand.competition(programs, listing.applications_per_position))
    m = len(programs)
    rows = np.zeros(m, dtype=np.int64)
    cols = np.arange(m, dtype=np.int64)
    ties = set(profile.ties)
    known = set(profile.known_institutions)
    tie = np.array([p.state in ties for p in programs], dtype=np.bool_)
    knows = np.array([p.institution is not None and p.institution in known for p in programs], dtype=np.bool_)
    x = design(apps, progs, rows, cols, tie, knows)
    p = model.probability(x)
    reasons = tuple(hard_zero_reason(profile, prog) for prog in programs)
    zero = np.array([r is not None for r in reasons], dtype=np.bool_)
    return OddsTable(listing, np.where(zero, 0.0, p), reasons, x, model)


def odds_grid(
    model: OddsModel,
    apps: ApplicantFacts,
    progs: ProgramFacts,
    rows: npt.NDArray[np.int64],
    tie: npt.NDArray[np.bool_],
    known: npt.NDArray[np.bool_],
) -> Floats:
    """(len(rows), programs) odds for applicants ``rows`` at every program; 0 where a visa does not fit
    or the applicant is ineligible (``tie`` and ``known`` are (len(rows), programs))."""
    n, m = len(rows), len(progs)
    r = np.repeat(rows, m)
    c = np.tile(np.arange(m, dtype=np.int64), n)
    x = design(apps, progs, r, c, tie.reshape(-1), known.reshape(-1))
    p = model.probability(x)
    ok = visa_compatible(apps, progs, r, c) & apps.eligible[r]
    return np.where(ok, p, 0.0).reshape(n, m)


# ---------------------------------------------------------------------------------------------
# the JSON form


def odds_model_to_document(model: OddsModel) -> dict[str, object]:
    """The ``matchweek.odds-model/1`` document of ``model`` (features in ``FEATURES`` order)."""
    d: dict[str, object] = {
        "format": ODDS_MODEL_FORMAT,
        "features": {f.name: f.meaning for f in FEATURES},
        "intercept": model.intercept,
        "coefficients": {n: model.coefficients[n] for n in FEATURE_NAMES},
        "demand": {
            "intercept": model.demand.intercept,
            "coefficients": {n: model.demand.coefficients[n] for n in DEMAND_FEATURE_NAMES},
            "specialties": dict(sorted(model.demand.specialties.items())),
            "default_applications_per_position": model.demand.default_applications_per_position,
        },
        "round_shares": list(model.round_shares),
        "training": dict(model.training),
    }
    if model.calibration is not None:
        c = model.calibration
        d["calibration"] = {
            "source": c.source,
            "applications": c.applications,
            "offers": c.offers,
            "brier": c.brier,
            "brier_base_rate": c.brier_base_rate,
            "brier_skill": c.brier_skill,
            "log_loss": c.log_loss,
            "auc": c.auc,
            "bins": [{"predicted": b.predicted, "observed": b.observed, "count": b.count} for b in c.bins],
        }
    return d


def write_odds_model(model: OddsModel, path: str | Path) -> None:
    """Write ``model`` as ``matchweek.odds-model/1`` JSON, atomically."""
    atomic_write(path, encode_json(odds_model_to_document(model)))


def read_odds_model(path: str | Path) -> OddsModel:
    """Read and check a ``matchweek.odds-model/1`` file; FormatError names every faulty field."""
    source = str(path)
    return odds_model_from_document(decode_json(read_bytes(path), source), source)


@cache
def default_odds_model() -> OddsModel:
    """The model shipped with matchweek (fitted on simulated national Match Weeks; see docs/planner.md)."""
    ref = resources.files("matchweek.plan") / "data" / DEFAULT_MODEL_FILE
    try:
        data = ref.read_bytes()
    except (FileNotFoundError, OSError):
        raise FormatError(
            Fault(
                "",
                "the default odds model is missing from this installation; fit one with "
                "`matchweek plan fit-odds` and pass it with --model",
            ),
            str(ref),
        ) from None
    return odds_model_from_document(decode_json(data, str(ref)), str(ref))


_TOP = frozenset(
    {"format", "features", "intercept", "coefficients", "demand", "round_shares", "training", "calibration"}
)
_DEMAND = frozenset({"intercept", "coefficients", "specialties", "default_applications_per_position"})
_CALIBRATION = frozenset(
    {"source", "applications", "offers", "brier", "brier_base_rate", "brier_skill", "log_loss", "auc", "bins"}
)


def odds_model_from_document(document: object, source: str | None = None) -> OddsModel:
    """An odds model from parsed JSON: every feature weighted, every number finite, nothing unknown."""
    log = FaultLog()
    top = as_object(log, document, ())
    if top is None:
        raise FormatError(log.faults(), source)
    check_format(log, top, ODDS_MODEL_FORMAT)
    check_fields(log, top, _TOP, ("intercept", "coefficients", "demand", "round_shares"), ())
    intercept = _finite(log, top.get("intercept", 0.0), ("intercept",))
    coefficients = _weights(log, top.get("coefficients", {}), FEATURE_NAMES, ("coefficients",))
    demand = _demand(log, top.get("demand", {}), ("demand",))
    shares = _round_shares(log, top.get("round_shares", [1.0]), ("round_shares",))
    training = top.get("training", {})
    if not isinstance(training, dict):
        log.add(("training",), f"must be an object, got {show(training)}")
        training = {}
    calibration = None
    if top.get("calibration") is not None:
        calibration = _calibration(log, top["calibration"], ("calibration",))
    if log:
        raise FormatError(log.faults(), source)
    assert intercept is not None and coefficients is not None and demand is not None and shares is not None
    return OddsModel(intercept, coefficients, demand, shares, training, calibration)


def _finite(log: FaultLog, value: object, where: Where) -> float | None:
    x = as_number(log, value, where)
    if x is not None and not math.isfinite(x):
        log.add(where, f"must be a finite number, got {show(value)}")
        return None
    return x


def _weights(log: FaultLog, value: object, names: Sequence[str], where: Where) -> dict[str, float] | None:
    d = as_object(log, value, where)
    if d is None:
        return None
    check_fields(log, d, frozenset(names), names, where)
    out: dict[str, float] = {}
    for n in names:
        if n in d:
            x = _finite(log, d[n], (*where, n))
            if x is not None:
                out[n] = x
    return out if len(out) == len(names) else None


def _demand(log: FaultLog, value: object, where: Where) -> DemandModel | None:
    d = as_object(log, value, where)
    if d is None:
        return None
    check_fields(log, d, _DEMAND, tuple(_DEMAND), where)
    intercept = _finite(log, d.get("intercept", 0.0), (*where, "intercept"))
    weights = _weights(log, d.get("coefficients", {}), DEMAND_FEATURE_NAMES, (*where, "coefficients"))
    spec = as_object(log, d.get("specialties", {}), (*where, "specialties"))
    specialties: dict[str, float] = {}
    for k, v in (spec or {}).items():
        x = _finite(log, v, (*where, "specialties", k))
        if x is not None:
            specialties[k] = x
    level = _finite(
        log, d.get("default_applications_per_position", 1.0), (*where, "default_applications_per_position")
    )
    if level is not None and level <= 0:
        log.add((*where, "default_applications_per_position"), f"must be above 0, got {level!r}")
        level = None
    if intercept is None or weights is None or level is None:
        return None
    return DemandModel(intercept, weights, specialties, level)


def _round_shares(log: FaultLog, value: object, where: Where) -> tuple[float, ...] | None:
    items = as_list(log, value, where)
    if items is None:
        return None
    if not items:
        log.add(where, "must list the share of offers of at least one round")
        return None
    out = []
    for j, item in enumerate(items):
        x = _finite(log, item, (*where, j))
        if x is None:
            return None
        if x < 0:
            log.add((*where, j), f"must not be negative, got {x!r}")
            return None
        out.append(x)
    total = sum(out)
    if abs(total - 1.0) > 1e-6:
        log.add(where, f"shares must add up to 1, they add up to {total!r}")
        return None
    return tuple(out)


def _calibration(log: FaultLog, value: object, where: Where) -> Calibration | None:
    d = as_object(log, value, where)
    if d is None:
        return None
    check_fields(
        log, d, _CALIBRATION, ("source", "applications", "offers", "brier", "brier_base_rate"), where
    )
    source = as_str(log, d.get("source", "?"), (*where, "source"))
    apps = as_int(log, d.get("applications", 0), (*where, "applications"))
    offers = as_int(log, d.get("offers", 0), (*where, "offers"))
    numbers = {
        k: _finite(log, d.get(k, 0.0), (*where, k)) for k in ("brier", "brier_base_rate", "log_loss", "auc")
    }
    bins: list[ReliabilityBin] = []
    items = as_list(log, d.get("bins", []), (*where, "bins")) or []
    for j, item in enumerate(items):
        b = as_object(log, item, (*where, "bins", j))
        if b is None:
            continue
        check_fields(
            log,
            b,
            frozenset({"predicted", "observed", "count"}),
            ("predicted", "observed", "count"),
            (*where, "bins", j),
        )
        p = _finite(log, b.get("predicted", 0.0), (*where, "bins", j, "predicted"))
        o = _finite(log, b.get("observed", 0.0), (*where, "bins", j, "observed"))
        n = as_int(log, b.get("count", 0), (*where, "bins", j, "count"))
        if p is not None and o is not None and n is not None:
            bins.append(ReliabilityBin(p, o, n))
    if source is None or apps is None or offers is None or any(v is None for v in numbers.values()):
        return None
    return Calibration(
        source,
        apps,
        offers,
        float(numbers["brier"]),  # type: ignore[arg-type]
        float(numbers["brier_base_rate"]),  # type: ignore[arg-type]
        float(numbers["log_loss"]),  # type: ignore[arg-type]
        float(numbers["auc"]),  # type: ignore[arg-type]
        tuple(bins),
    )
