"""Fitting the odds model: on simulated Match Weeks, or on an advising office's outcome history.

From a simulated SOAP, every application is a training example; its label is
whether the program offered the applicant a position, read from the event log.
An applicant who accepted a position early is no longer available to the
programs still offering in later rounds: an application with no offer whose
program kept offering after the applicant's acceptance says nothing about the
program's view and is left out (censored); the odds are those of an applicant
who stays available.

Fitting takes two steps. The demand model (ridge regression) learns each
program's log applications per open position from what the list shows, on top
of the market's level; its prediction is the ``competition`` feature. The odds
model (scikit-learn's L2-regularised logistic regression, features
standardised for fitting and the weights mapped back) then learns the chance
of an offer. Calibration is measured on weeks with other seeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matchweek.agents import build_cohort
from matchweek.errors import Fault, FormatError
from matchweek.formats.faultlog import quote
from matchweek.formats.jsonvalues import enum_values
from matchweek.formats.tables import Column, Table
from matchweek.model import ApplicantKind, Market, Policy, Track, Visa
from matchweek.plan.errors import PlanError
from matchweek.plan.features import (
    DEMAND_FEATURE_NAMES,
    FEATURE_NAMES,
    KINDS,
    ApplicantFacts,
    ProgramFacts,
    applicant_facts,
    demand_design,
    design,
    program_facts,
    specialty_keys,
)
from matchweek.plan.listing import ListedProgram, Listing, listing_from_start
from matchweek.plan.odds import Calibration, DemandModel, OddsModel, ReliabilityBin
from matchweek.plan.sheets import in_row_order, read_table
from matchweek.soap import ApplicationSubmitted, OfferAccepted, OfferExtended
from matchweek.week.simulate import SoapRun

Floats = npt.NDArray[np.float64]
Progress = Callable[[str], None]

REGULARISATION = 1.0
"""Inverse strength of the L2 penalty on standardised weights (scikit-learn's ``C``)."""
DEMAND_RIDGE = 1.0
"""Ridge penalty of the demand model (keeps the effects of rare specialties small)."""
RELIABILITY_EDGES: tuple[float, ...] = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
"""Bins of predicted odds for the reliability chart (most odds are small, so the bins are log-spaced)."""


@dataclass(frozen=True, eq=False)
class WeekApplications:
    """The applications of one SOAP with their outcomes, as the odds model reads them."""

    label: str
    """Where they come from (e.g. ``national seed 1001``)."""
    listing: Listing
    applicants: ApplicantFacts
    rows: npt.NDArray[np.int64]
    """Applicant (index into ``applicants``) of each application."""
    cols: npt.NDArray[np.int64]
    """Program (index into ``listing.programs``) of each application."""
    tie: npt.NDArray[np.bool_]
    known: npt.NDArray[np.bool_]
    offered: npt.NDArray[np.bool_]
    censored: npt.NDArray[np.bool_]
    """No offer, and the program kept offering after the applicant had accepted elsewhere."""
    applications_per_program: npt.NDArray[np.int64]
    offers_by_round: npt.NDArray[np.int64]


def week_applications(
    market: Market, run: SoapRun, policy: Policy | None = None, *, label: str = "week"
) -> WeekApplications:
    """Every application of a simulated SOAP ``run`` on ``market``, labelled from its event log."""
    policy = policy or Policy()
    cohort = build_cohort(market, run.start)
    listing = listing_from_start(market, run.start, policy)
    rows: list[int] = []
    cols: list[int] = []
    offers: set[tuple[int, int]] = set()
    accepted_in: dict[int, int] = {}
    last_offer = np.zeros(cohort.n_programs, dtype=np.int64)
    by_round = np.zeros(policy.rounds, dtype=np.int64)
    row_of, col_of = cohort.row_of, cohort.col_of
    for e in run.events:
        if isinstance(e, ApplicationSubmitted):
            rows.append(row_of[e.applicant])
            cols.append(col_of[e.program])
        elif isinstance(e, OfferExtended):
            c = col_of[e.program]
            offers.add((row_of[e.applicant], c))
            last_offer[c] = max(last_offer[c], e.round)
            by_round[e.round - 1] += 1
        elif isinstance(e, OfferAccepted):
            accepted_in.setdefault(row_of[e.applicant], e.round)
    r = np.array(rows, dtype=np.int64)
    c = np.array(cols, dtype=np.int64)
    offered = np.array([(a, b) in offers for a, b in zip(rows, cols, strict=True)], dtype=np.bool_)
    never = policy.rounds + 1
    accepted_round = np.array([accepted_in.get(a, never) for a in rows], dtype=np.int64)
    censored = ~offered & (accepted_round < last_offer[c])
    return WeekApplications(
        label=label,
        listing=listing,
        applicants=applicant_facts(cohort.applicants, cohort.match_year),
        rows=r,
        cols=c,
        tie=cohort.tie[r, c],
        known=cohort.known[r, c] | cohort.ranked_by_program[r, c],
        offered=offered,
        censored=censored,
        applications_per_program=np.bincount(c, minlength=cohort.n_programs).astype(np.int64),
        offers_by_round=by_round,
    )


def simulated_weeks(
    scale: str, seeds: Sequence[int], policy: Policy | None = None, progress: Progress | None = None
) -> list[WeekApplications]:
    """Generate a market per seed, run its Main Match and simulated SOAP (seed = market seed), collect
    the applications. Deterministic in the seeds."""
    from matchweek.match import run_match
    from matchweek.synth import generate_market
    from matchweek.week import simulate_soap

    policy = policy or Policy()
    out = []
    for seed in seeds:
        if progress is not None:
            progress(f"simulating {scale} week, seed {seed}")
        market = generate_market(scale, seed)
        result = run_match(market)
        run = simulate_soap(market, result, policy, seed)
        out.append(week_applications(market, run, policy, label=f"{scale} seed {seed}"))
        del market, result, run
    return out


# ---------------------------------------------------------------------------------------------
# fitting


def fit_demand(weeks: Sequence[WeekApplications]) -> DemandModel:
    """The demand model: log((applications + 1) / open positions) minus the market's log level, by ridge
    regression on the listed programs' features and one effect per specialty."""
    from sklearn.linear_model import Ridge

    xs, ys, keys = [], [], []
    levels = []
    for w in weeks:
        programs = w.listing.programs
        level = _level(w.listing)
        levels.append(level)
        xs.append(demand_design(programs))
        opened = np.array([max(p.open, 1) for p in programs], dtype=np.float64)
        ys.append(np.log((w.applications_per_program + 1.0) / opened) - math.log(level))
        keys.extend(specialty_keys(programs))
    names = sorted({k for k in keys if k is not None})
    onehot = np.zeros((len(keys), len(names)))
    col = {k: j for j, k in enumerate(names)}
    for i, k in enumerate(keys):
        if k is not None:
            onehot[i, col[k]] = 1.0
    x = np.hstack([np.vstack(xs), onehot])
    y = np.concatenate(ys)
    ridge = Ridge(alpha=DEMAND_RIDGE).fit(x, y)
    w = ridge.coef_
    base = len(DEMAND_FEATURE_NAMES)
    return DemandModel(
        intercept=float(ridge.intercept_),
        coefficients={n: float(w[k]) for k, n in enumerate(DEMAND_FEATURE_NAMES)},
        specialties={n: float(w[base + j]) for j, n in enumerate(names)},
        default_applications_per_position=float(np.exp(np.mean(np.log(levels)))),
    )


def _level(listing: Listing) -> float:
    if listing.applications_per_position is None or listing.applications_per_position <= 0:
        raise PlanError("a simulated week's listing has no applications per position")
    return listing.applications_per_position


def training_matrix(
    weeks: Sequence[WeekApplications], demand: DemandModel
) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """Features and labels of every uncensored application of ``weeks``, competition from ``demand``."""
    xs, ys = [], []
    for w in weeks:
        keep = ~w.censored
        progs = _program_facts(w.listing, demand)
        xs.append(design(w.applicants, progs, w.rows[keep], w.cols[keep], w.tie[keep], w.known[keep]))
        ys.append(w.offered[keep])
    return np.vstack(xs), np.concatenate(ys)


def _program_facts(listing: Listing, demand: DemandModel) -> ProgramFacts:
    return program_facts(
        listing.programs, demand.competition(listing.programs, listing.applications_per_position)
    )


def fit_logistic(
    x: Floats, y: npt.NDArray[np.bool_], regularisation: float = REGULARISATION
) -> tuple[float, dict[str, float]]:
    """Intercept and weight per feature of an L2-regularised logistic regression of ``y`` on ``x``.

    Features are standardised for fitting (so the penalty treats them alike) and the
    weights mapped back to the features' own units.
    """
    from sklearn.linear_model import LogisticRegression

    if y.all() or not y.any():
        raise PlanError("fitting needs applications with an offer and applications without one")
    mean = x.mean(axis=0)
    spread = x.std(axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    z = (x - mean) / spread
    model = LogisticRegression(C=regularisation, max_iter=2000, tol=1e-8).fit(z, y)
    w = model.coef_[0] / spread
    intercept = float(model.intercept_[0] - np.sum(w * mean))
    return intercept, {n: float(w[k]) for k, n in enumerate(FEATURE_NAMES)}


def fit_odds_model(
    weeks: Sequence[WeekApplications],
    *,
    regularisation: float = REGULARISATION,
    description: dict[str, object] | None = None,
) -> OddsModel:
    """The odds model fitted on ``weeks``: demand model, then logistic regression, then round shares."""
    demand = fit_demand(weeks)
    x, y = training_matrix(weeks, demand)
    intercept, weights = fit_logistic(x, y, regularisation)
    by_round = np.sum([w.offers_by_round for w in weeks], axis=0).astype(np.float64)
    shares = tuple(float(s) for s in by_round / by_round.sum()) if by_round.sum() else (1.0,)
    training: dict[str, object] = dict(description or {})
    training.update(
        {
            "weeks": [w.label for w in weeks],
            "applications": int(sum(len(w.offered) for w in weeks)),
            "censored": int(sum(int(w.censored.sum()) for w in weeks)),
            "offers": int(y.sum()),
            "examples": len(y),
            "regularisation": regularisation,
        }
    )
    return OddsModel(intercept, weights, demand, shares, training)


# ---------------------------------------------------------------------------------------------
# calibration


def calibration_of(model: OddsModel, weeks: Sequence[WeekApplications], source: str) -> Calibration:
    """Brier score, log loss, AUC and reliability bins of ``model`` on the uncensored ``weeks``."""
    x, y = training_matrix(weeks, model.demand)
    return calibration_from(model.probability(x), y, source)


def calibration_from(p: Floats, y: npt.NDArray[np.bool_], source: str) -> Calibration:
    """Calibration figures of predictions ``p`` against outcomes ``y``."""
    from sklearn.metrics import log_loss, roc_auc_score

    outcome = y.astype(np.float64)
    rate = float(outcome.mean())
    bins = []
    edges = np.array(RELIABILITY_EDGES)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    for b in range(len(edges) - 1):
        inside = which == b
        n = int(inside.sum())
        if n:
            bins.append(ReliabilityBin(float(p[inside].mean()), float(outcome[inside].mean()), n))
    both = 0 < outcome.sum() < len(outcome)
    return Calibration(
        source=source,
        applications=len(y),
        offers=int(outcome.sum()),
        brier=float(np.mean((p - outcome) ** 2)),
        brier_base_rate=float(np.mean((rate - outcome) ** 2)),
        log_loss=float(log_loss(outcome, np.clip(p, 1e-12, 1 - 1e-12), labels=[0.0, 1.0])),
        auc=float(roc_auc_score(outcome, p)) if both else float("nan"),
        bins=tuple(bins),
    )


def reliability_html(calibration: Calibration, *, title: str = "Reliability of the odds model") -> str:
    """A self-contained HTML page (plotly.js inline) charting predicted odds against observed offer rates."""
    import plotly.graph_objects as go

    bins = calibration.bins
    predicted = [b.predicted for b in bins]
    observed = [max(b.observed, 1e-5) for b in bins]
    low = min([*predicted, *observed, 1e-4])
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[low, 1.0],
            y=[low, 1.0],
            mode="lines",
            name="perfect calibration",
            line={"color": "#999999", "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=predicted,
            y=observed,
            mode="lines+markers",
            name="held-out applications",
            marker={"size": [8 + 4 * math.log10(max(b.count, 1)) for b in bins], "color": "#0072B2"},
            text=[f"{b.count:,} applications, {b.observed:.4%} with an offer" for b in bins],
            hovertemplate="predicted %{x:.4%}<br>observed %{y:.4%}<br>%{text}<extra></extra>",
        )
    )
    c = calibration
    fig.update_layout(
        template="plotly_white",
        title={
            "text": f"{title}<br><sup>{c.source}: {c.applications:,} applications, {c.offers:,} offers; "
            f"Brier {c.brier:.5f} (base rate {c.brier_base_rate:.5f}, skill {c.brier_skill:.1%}); "
            f"AUC {c.auc:.3f}</sup>",
            "x": 0,
            "xanchor": "left",
        },
        xaxis={"title": "predicted odds of an offer (bin mean)", "type": "log", "tickformat": ".2%"},
        yaxis={"title": "share of applications with an offer", "type": "log", "tickformat": ".2%"},
        height=560,
        margin={"l": 60, "r": 20, "t": 90, "b": 60},
    )
    body = fig.to_html(full_html=False, include_plotlyjs=True, div_id="reliability", default_width="100%")
    rows = "".join(
        f"<tr><td>{b.predicted:.5f}</td><td>{b.observed:.5f}</td><td>{b.count:,}</td></tr>" for b in bins
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{title}</title></head><body style="font-family: system-ui, sans-serif; margin: 2em">'
        f"{body}<table><caption>Reliability bins</caption><thead><tr><th>mean predicted</th>"
        f"<th>observed</th><th>applications</th></tr></thead><tbody>{rows}</tbody></table></body></html>\n"
    )


# ---------------------------------------------------------------------------------------------
# an advising office's history

HISTORY_TABLE = Table(
    "history",
    (
        Column("applicant", required=True),
        Column("kind", required=True),
        Column("step2_score", "float"),
        Column("exam_failures", "int"),
        Column("years_since_graduation", "int"),
        Column("us_clinical_months", "int"),
        Column("visa_need"),
        Column("lesser_red_flags", "int"),
        Column("serious_red_flag", "bool"),
        Column("state_tie", "bool"),
        Column("known_to_program", "bool"),
        Column("program", required=True),
        Column("specialty"),
        Column("track", required=True),
        Column("open_positions", "int"),
        Column("img_share", "float"),
        Column("j1", "bool"),
        Column("h1b", "bool"),
        Column("usual_score", "float"),
        Column("applications_per_position", "float"),
        Column("offer", "bool", required=True),
    ),
    required=True,
)
"""The columns of an outcome history (one row per application); see docs/planner.md."""


@dataclass(frozen=True, eq=False)
class History:
    """An outcome history as the odds model reads it: one applicant fact and one program fact per row."""

    applicants: ApplicantFacts
    programs: tuple[ListedProgram, ...]
    tie: npt.NDArray[np.bool_]
    known: npt.NDArray[np.bool_]
    offered: npt.NDArray[np.bool_]
    groups: tuple[str, ...]
    """The applicant of each row (folds of cross-validation keep an applicant's rows together)."""
    applications_per_position: npt.NDArray[np.float64]
    """Per row, when known (NaN: predicted by the demand model)."""


def read_history(path: str | Path) -> History:
    """Read an outcome history (CSV, or a workbook with a ``history`` sheet) in the columns of
    ``HISTORY_TABLE``; FormatError names every faulty cell."""
    source = str(path)
    faults: list[Fault] = []
    rows = read_table(path, HISTORY_TABLE, faults)
    kinds, tracks, visas = enum_values(ApplicantKind), enum_values(Track), enum_values(Visa)
    n = len(rows)
    kind = np.full(n, -1, dtype=np.int8)
    score = np.full(n, np.nan)
    failures = np.zeros(n, dtype=np.int64)
    years = np.full(n, -1, dtype=np.int64)
    months = np.zeros(n, dtype=np.int64)
    visa = np.zeros((n, 2), dtype=np.bool_)
    needs = np.zeros(n, dtype=np.bool_)
    lesser = np.zeros(n, dtype=np.int64)
    serious = np.zeros(n, dtype=np.bool_)
    tie = np.zeros(n, dtype=np.bool_)
    known = np.zeros(n, dtype=np.bool_)
    offered = np.zeros(n, dtype=np.bool_)
    level = np.full(n, np.nan)
    programs: list[ListedProgram] = []
    groups: list[str] = []
    for i, row in enumerate(rows):
        c = row.cells
        k = kinds.get(str(c["kind"])) if c["kind"] is not None else None
        if c["kind"] is not None and k is None:
            faults.append(
                Fault(
                    row.at("kind"),
                    f"unknown applicant kind {quote(str(c['kind']))} (one of {', '.join(kinds)})",
                )
            )
        t = tracks.get(str(c["track"])) if c["track"] is not None else None
        if c["track"] is not None and t is None:
            faults.append(
                Fault(row.at("track"), f"unknown track {quote(str(c['track']))} (one of {', '.join(tracks)})")
            )
        v = None
        if c["visa_need"] is not None:
            v = visas.get(str(c["visa_need"]))
            if v is None:
                faults.append(
                    Fault(
                        row.at("visa_need"), f"unknown visa {quote(str(c['visa_need']))} (J-1, H-1B or blank)"
                    )
                )
        for name in ("exam_failures", "years_since_graduation", "us_clinical_months", "lesser_red_flags"):
            value = c[name]
            if isinstance(value, int) and value < 0:
                faults.append(Fault(row.at(name), f"must not be negative, got {value}"))
        share = c["img_share"]
        if isinstance(share, float) and not 0.0 <= share <= 1.0:
            faults.append(Fault(row.at("img_share"), f"must be a share from 0 to 1, got {share!r}"))
        per = c["applications_per_position"]
        if isinstance(per, float) and not per > 0:
            faults.append(Fault(row.at("applications_per_position"), f"must be above 0, got {per!r}"))
        opened = c["open_positions"]
        if isinstance(opened, int) and opened < 1:
            faults.append(Fault(row.at("open_positions"), f"must be at least 1, got {opened}"))
        kind[i] = KINDS.index(k) if k is not None else -1
        score[i] = c["step2_score"] if isinstance(c["step2_score"], float) else np.nan
        failures[i] = c["exam_failures"] if isinstance(c["exam_failures"], int) else 0
        years[i] = c["years_since_graduation"] if isinstance(c["years_since_graduation"], int) else -1
        months[i] = c["us_clinical_months"] if isinstance(c["us_clinical_months"], int) else 0
        if v is not None:
            needs[i] = True
            visa[i, 0 if v is Visa.J1 else 1] = True
        lesser[i] = c["lesser_red_flags"] if isinstance(c["lesser_red_flags"], int) else 0
        serious[i] = c["serious_red_flag"] is True
        tie[i] = c["state_tie"] is True
        known[i] = c["known_to_program"] is True
        offered[i] = c["offer"] is True
        level[i] = per if isinstance(per, float) else np.nan
        groups.append(str(c["applicant"]))
        programs.append(
            ListedProgram(
                code=str(c["program"]),
                track=t or Track.CATEGORICAL,
                open=opened if isinstance(opened, int) else 1,
                specialty=c["specialty"] if isinstance(c["specialty"], str) else None,
                visa=tuple(x for x, col in ((Visa.J1, "j1"), (Visa.H1B, "h1b")) if c[col] is True),
                img_share=share if isinstance(share, float) else None,
                usual_score=c["usual_score"] if isinstance(c["usual_score"], float) else None,
            )
        )
    if faults:
        raise FormatError(in_row_order(faults), source)
    if not n:
        raise FormatError(Fault("", "holds no applications"), source)
    facts = ApplicantFacts(
        kind=kind,
        score=score,
        failures=failures,
        years=years,
        clinical_months=months,
        visas=visa,
        needs_visa=needs,
        lesser_flags=lesser,
        serious_flag=serious,
        eligible=np.ones(n, dtype=np.bool_),
    )
    return History(facts, tuple(programs), tie, known, offered, tuple(groups), level)


def history_matrix(history: History, demand: DemandModel) -> Floats:
    """The features of every row of ``history``; competition from the row when given, else ``demand``."""
    predicted = demand.competition(history.programs, None)
    competition = np.where(
        np.isnan(history.applications_per_position), predicted, np.log(history.applications_per_position)
    )
    progs = program_facts(history.programs, competition)
    idx = np.arange(len(history.offered), dtype=np.int64)
    return design(history.applicants, progs, idx, idx, history.tie, history.known)


def fit_history(
    history: History,
    base: OddsModel,
    *,
    regularisation: float = REGULARISATION,
    folds: int = 5,
    source: str = "history",
) -> OddsModel:
    """The odds model refitted on ``history``; the demand model and round shares are kept from ``base``.

    Calibration is measured by cross-validation with ``folds`` folds that keep each
    applicant's applications together (a fold's predictions come from a model that
    never saw that applicant).
    """
    x = history_matrix(history, base.demand)
    y = history.offered
    intercept, weights = fit_logistic(x, y, regularisation)
    groups = sorted(set(history.groups))
    fold_of = {g: i % max(2, min(folds, len(groups))) for i, g in enumerate(groups)}
    fold = np.array([fold_of[g] for g in history.groups])
    predicted = np.empty(len(y))
    for f in sorted(set(fold.tolist())):
        test = fold == f
        train = ~test
        if y[train].all() or not y[train].any():
            b, w = intercept, weights
        else:
            b, w = fit_logistic(x[train], y[train], regularisation)
        predicted[test] = 1.0 / (1.0 + np.exp(-(b + x[test] @ np.array([w[n] for n in FEATURE_NAMES]))))
    calibration = calibration_from(
        predicted, y, f"{source}: {len(set(fold.tolist()))}-fold cross-validation by applicant"
    )
    training: dict[str, object] = {
        "source": source,
        "applications": len(y),
        "offers": int(y.sum()),
        "applicants": len(groups),
        "regularisation": regularisation,
        "demand_and_rounds_from": str(base.training.get("source", "the base model")),
    }
    return OddsModel(intercept, weights, base.demand, base.round_shares, training, calibration)
