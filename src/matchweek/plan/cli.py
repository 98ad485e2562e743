"""``matchweek plan``: the applicant planner's commands.

Thin commands over the ``plan`` package: parse the input, call one function,
render the result. Heavy modules are imported inside each command; matchweek
errors reach the user as one line each (through the ``matchweek`` entry point).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from matchweek.console import out, progress_bar

if TYPE_CHECKING:
    from matchweek.model import Policy
    from matchweek.plan.listing import ListedProgram, Listing
    from matchweek.plan.odds import OddsModel

plan_app = typer.Typer(
    name="plan",
    help="The applicant planner: profile, odds, the optimal list, documents, offer decisions, tracker.",
    no_args_is_help=True,
)

SCALES = ("small", "state", "national")

ProfileArg = Annotated[Path, typer.Argument(metavar="PROFILE", help="A profile (matchweek.profile/1 JSON).")]
MarketOpt = Annotated[
    Path | None,
    typer.Option("--market", help="A market (matchweek.market/1): its unfilled programs are the list."),
]
ResultOpt = Annotated[
    Path | None,
    typer.Option("--result", help="The market's Main Match result (default: the Main Match is run)."),
]
ListingOpt = Annotated[
    Path | None,
    typer.Option("--listing", help="A list of unfilled programs (matchweek.listing/1 CSV or XLSX)."),
]
MatchYearOpt = Annotated[
    int | None, typer.Option("--match-year", help="The year of the Match (needed with --listing).")
]
PerPositionOpt = Annotated[
    float | None,
    typer.Option(
        "--applications-per-position", help="Expected applications per open position (with --listing)."
    ),
]
ModelOpt = Annotated[
    Path | None,
    typer.Option("--model", help="An odds model (matchweek.odds-model/1; default: the shipped one)."),
]
PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="A policy TOML file (defaults: the NRMP's SOAP).")
]


def _policy(policy_file: Path | None) -> Policy:
    from matchweek.model import Policy, load_policy

    return load_policy(policy_file) if policy_file is not None else Policy()


def _model(model_file: Path | None) -> OddsModel:
    from matchweek.plan.odds import default_odds_model, read_odds_model

    return read_odds_model(model_file) if model_file is not None else default_odds_model()


def _listing(
    market_file: Path | None,
    result_file: Path | None,
    listing_file: Path | None,
    match_year: int | None,
    per_position: float | None,
    policy: Policy,
) -> Listing:
    """The list of unfilled programs, from a market (and its result) or from a listing file."""
    from matchweek.plan.errors import NoListing

    if (market_file is None) == (listing_file is None):
        raise NoListing(
            "give the list of unfilled programs: --market MARKET [--result RESULT], or --listing FILE"
        )
    if listing_file is not None:
        from matchweek.plan.listing import read_listing

        if match_year is None:
            raise NoListing(f"{listing_file}: give the year of the Match with --match-year")
        return read_listing(listing_file, match_year=match_year, applications_per_position=per_position)
    from matchweek.formats import read_market, read_result
    from matchweek.match import run_match
    from matchweek.plan.listing import listing_of

    assert market_file is not None
    market = read_market(market_file)
    result = read_result(result_file) if result_file is not None else run_match(market)
    return listing_of(market, result, policy)


def _seeds(text: str, option: str) -> list[int]:
    """``"1,2,5-7"`` -> ``[1, 2, 5, 6, 7]``."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part[1:]:
                low, high = part.split("-", 1)
                seeds.extend(range(int(low), int(high) + 1))
            elif part:
                seeds.append(int(part))
    except ValueError:
        raise typer.BadParameter(f"must be seeds such as 1,2,5-7, got {text!r}", param_hint=option) from None
    if not seeds:
        raise typer.BadParameter("must name at least one seed", param_hint=option)
    return seeds


def _pct(x: float) -> str:
    return f"{x:.1%}" if x >= 0.001 or x == 0 else f"{x:.3%}"


# ---------------------------------------------------------------------------------------------


@plan_app.command("profile")
def profile_command(
    file: Annotated[
        Path | None, typer.Argument(metavar="[PROFILE]", help="A profile to check and summarise.")
    ] = None,
    market_file: MarketOpt = None,
    result_file: ResultOpt = None,
    applicant: Annotated[
        str | None, typer.Option("--applicant", help="With --market: derive the profile of this applicant.")
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the profile here (JSON).")
    ] = None,
) -> None:
    """Check a profile and summarise it, or derive one from a market applicant (--market, --applicant)."""
    from rich.table import Table

    from matchweek.formats.faultlog import quote
    from matchweek.plan.errors import PlanError
    from matchweek.plan.profile import profile_of, read_profile, write_profile

    if file is not None:
        profile = read_profile(file)
    elif market_file is not None and applicant is not None:
        from matchweek.formats import read_market, read_result

        market = read_market(market_file)
        found = market.applicant_index().get(applicant)
        if found is None:
            raise PlanError(f"{market_file}: no applicant {quote(applicant)}")
        result = read_result(result_file) if result_file is not None else None
        profile = profile_of(found, market, result)
    else:
        raise typer.BadParameter("give a PROFILE file, or --market and --applicant to derive one")
    if out_file is not None:
        write_profile(profile, out_file)
    t = Table(title=f"Profile {profile.applicant or ''}".strip(), show_header=False, title_justify="left")
    t.add_column("what")
    t.add_column("value")
    score = profile.clinical_score
    t.add_row("kind", profile.kind.value)
    t.add_row("clinical-knowledge score", f"{score:.0f} (Step 2 CK scale)" if score is not None else "none")
    t.add_row("failed exam attempts", str(profile.exam_failures))
    t.add_row("graduation year", str(profile.graduation_year or "unknown"))
    t.add_row("visa", ", ".join(v.value for v in profile.accepted_visas) or "none needed")
    t.add_row("US clinical experience", f"{profile.us_clinical_months} months")
    t.add_row("SOAP-eligible", "yes" if profile.eligible else "no (unverified or cannot start July 1)")
    t.add_row("letters", ", ".join(sorted({d.specialty for d in profile.letters})) or "none")
    t.add_row("ties", ", ".join(profile.ties) or "none")
    for i, tier in enumerate(profile.priorities, start=1):
        entries = ", ".join(
            e.specialty + (f" ({'/'.join(x.value for x in e.tracks)})" if e.tracks else "")
            for e in tier.entries
        )
        t.add_row(f"tier {i}: {tier.name}", f"utility {tier.utility:g}: {entries}")
    out.print(t)
    if out_file is not None:
        out.print(f"Wrote {out_file}.")


@plan_app.command("odds")
def odds_command(
    profile_file: ProfileArg,
    market_file: MarketOpt = None,
    result_file: ResultOpt = None,
    listing_file: ListingOpt = None,
    match_year: MatchYearOpt = None,
    per_position: PerPositionOpt = None,
    model_file: ModelOpt = None,
    policy_file: PolicyOpt = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write every program's odds here (.csv, .xlsx or .json)."),
    ] = None,
    top: Annotated[int, typer.Option(help="Programs shown, best odds first.")] = 15,
) -> None:
    """The odds of an offer from every program on the list, with what moves each (hard zeros named)."""
    from rich.table import Table

    from matchweek.plan.exports import ODDS_TABLE, odds_document, odds_rows, write_output
    from matchweek.plan.odds import odds_for
    from matchweek.plan.profile import exclusions, read_profile, utilities

    profile = read_profile(profile_file)
    policy = _policy(policy_file)
    listing = _listing(market_file, result_file, listing_file, match_year, per_position, policy)
    table = odds_for(profile, listing, _model(model_file))
    utility = utilities(profile, listing).tolist()
    excluded = exclusions(profile, listing)
    rows = odds_rows(table, utility, excluded)
    if out_file is not None:
        write_output(out_file, ODDS_TABLE, rows, odds_document(table, utility, excluded))
    t = Table(
        title=f"Odds of an offer ({len(rows):,} programs; best {min(top, len(rows))})", title_justify="left"
    )
    for name in ("program", "specialty", "track", "state", "odds", "utility", "what moves it most"):
        t.add_column(name, justify="right" if name in ("odds", "utility") else "left")
    for r in rows[:top]:
        t.add_row(
            str(r[0]),
            str(r[2] or ""),
            str(r[3]),
            str(r[4] or ""),
            _pct(float(r[9])),
            f"{r[12]:g}",
            str(r[14] or r[11] or ""),
        )
    out.print(t)
    zero = sum(1 for r in rows if r[11] is not None)
    out.print(f"{zero:,} programs have zero odds whatever the file (visa, eligibility or track).")
    if out_file is not None:
        out.print(f"Wrote {out_file}.")


@plan_app.command("optimize")
def optimize_command(
    profile_file: ProfileArg,
    market_file: MarketOpt = None,
    result_file: ResultOpt = None,
    listing_file: ListingOpt = None,
    match_year: MatchYearOpt = None,
    per_position: PerPositionOpt = None,
    model_file: ModelOpt = None,
    policy_file: PolicyOpt = None,
    cap: Annotated[
        int | None, typer.Option(help="Most programs on the list (default: the policy's cap).")
    ] = None,
    objective: Annotated[
        str,
        typer.Option(help="utility (expected utility of the best offer) or placement (chance of an offer)."),
    ] = "utility",
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the list here (.json plan, .csv or .xlsx).")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Also write a chart of odds against utility (HTML).")
    ] = None,
) -> None:
    """The optimal list: at most the cap of programs maximising the expected utility of the best offer."""
    from rich.table import Table

    from matchweek.plan.exports import plan_output
    from matchweek.plan.optimize import plan_list
    from matchweek.plan.profile import read_profile

    profile = read_profile(profile_file)
    policy = _policy(policy_file)
    listing = _listing(market_file, result_file, listing_file, match_year, per_position, policy)
    started = time.perf_counter()
    planned = plan_list(profile, listing, _model(model_file), cap=cap, policy=policy, objective=objective)
    elapsed = time.perf_counter() - started
    if out_file is not None:
        plan_output(out_file, planned)
    if chart is not None:
        from matchweek.formats.fileio import atomic_write
        from matchweek.plan.charts import plan_chart_html

        atomic_write(chart, plan_chart_html(planned).encode())
    t = Table(title=f"Optimal list ({objective})", title_justify="left")
    for name in ("#", "program", "specialty", "track", "state", "odds", "utility", "marginal gain", "tier"):
        t.add_column(name, justify="right" if name in ("#", "odds", "utility", "marginal gain") else "left")
    for p in planned.picks:
        g = p.program
        t.add_row(
            str(p.rank),
            g.code,
            g.specialty or "",
            g.track.value,
            g.state or "",
            _pct(p.odds),
            f"{p.utility:g}",
            f"{p.marginal_gain:.4f}",
            p.tier or "",
        )
    out.print(t)
    out.print(
        f"{len(planned.picks)} of at most {planned.cap} applications, from {planned.candidates:,} "
        f"programs worth applying to; expected value {planned.expected_value:.3f}, chance of at least "
        f"one offer {_pct(planned.chance_of_offer)}, expected offers {planned.expected_offers:.2f} "
        f"({elapsed * 1000:.0f} ms)."
    )
    if out_file is not None:
        out.print(f"Wrote {out_file}.")


def _programs_of(source: Path) -> list[ListedProgram]:
    """The programs of a plan file (``.json``) or of a tracker (CSV or XLSX)."""
    from matchweek.plan.planfile import read_plan
    from matchweek.plan.tracker import read_tracker, tracked_programs

    if source.suffix.lower() == ".json":
        return [p.program for p in read_plan(source).picks]
    return tracked_programs(read_tracker(source), str(source))


@plan_app.command("documents")
def documents_command(
    profile_file: ProfileArg,
    source: Annotated[
        Path,
        typer.Argument(metavar="PLAN", help="A plan (matchweek.plan/1 JSON) or a tracker (CSV or XLSX)."),
    ],
    policy_file: PolicyOpt = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the documents per program here (.csv, .xlsx or .json)."),
    ] = None,
) -> None:
    """Assign each program on the list a personal statement and letters, and flag the gaps."""
    from rich.table import Table

    from matchweek.plan.documents import assign_documents
    from matchweek.plan.exports import DOCUMENTS_TABLE, document_rows, documents_document, write_output
    from matchweek.plan.profile import read_profile

    profile = read_profile(profile_file)
    programs = _programs_of(source)
    plan = assign_documents(profile, programs, _policy(policy_file))
    if out_file is not None:
        write_output(out_file, DOCUMENTS_TABLE, document_rows(plan), documents_document(plan))
    t = Table(title="Documents per application", title_justify="left")
    for name in ("program", "specialty", "personal statement", "letters", "note"):
        t.add_column(name)
    for c in plan.choices:
        t.add_row(
            c.program,
            c.specialty or "",
            c.personal_statement or "none",
            ", ".join(c.letters) or "none",
            c.note or "",
        )
    out.print(t)
    if plan.gaps:
        for g in plan.gaps:
            out.print(f"gap: {g.detail} ({g.programs} application{'s' if g.programs != 1 else ''})")
    else:
        out.print("No gaps: every specialty on the list has its own statement and letters.")
    if out_file is not None:
        out.print(f"Wrote {out_file}.")


@plan_app.command("track")
def track_command(
    source: Annotated[
        Path,
        typer.Argument(metavar="SOURCE", help="A plan (matchweek.plan/1 JSON) or a tracker (CSV or XLSX)."),
    ],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="The tracker to write (.csv or .xlsx).")],
    into: Annotated[
        Path | None,
        typer.Option(
            "--into", help="An existing tracker to refresh from the plan (keeps your notes and dates)."
        ),
    ] = None,
) -> None:
    """Make or refresh the program tracker from a plan, or convert a tracker between CSV and XLSX."""
    from matchweek.plan.planfile import read_plan
    from matchweek.plan.tracker import read_tracker, tracker_from_picks, write_tracker

    existing = read_tracker(into) if into is not None else ()
    if source.suffix.lower() == ".json":
        tracker = tracker_from_picks(read_plan(source).picks, existing)
    else:
        tracker = read_tracker(source)
    write_tracker(tracker, out_file)
    applied = sum(1 for r in tracker if r.applied)
    out.print(f"Wrote {out_file}: {len(tracker)} programs tracked, {applied} applied to.")


@plan_app.command("decide")
def decide_command(
    plan_file: Annotated[
        Path, typer.Argument(metavar="PLAN", help="The plan applied with (matchweek.plan/1 JSON).")
    ],
    round_number: Annotated[int, typer.Option("--round", help="The round whose offers are in hand.")],
    offers: Annotated[
        list[str] | None,
        typer.Option("--offer", help="A program whose offer is in hand (repeat for several)."),
    ] = None,
    declined: Annotated[
        list[str] | None,
        typer.Option("--declined", help="A program whose offer was declined in an earlier round (repeat)."),
    ] = None,
    policy_file: PolicyOpt = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the decision here (JSON).")
    ] = None,
) -> None:
    """Accept the best offer in hand, or wait? A recommendation with the numbers behind it."""
    from matchweek.formats.fileio import atomic_write, encode_json
    from matchweek.plan.decide import OfferInHand, WaitingApplication, decide
    from matchweek.plan.errors import UnknownProgram
    from matchweek.plan.exports import decision_document
    from matchweek.plan.planfile import read_plan

    plan = read_plan(plan_file)
    policy = _policy(policy_file)
    in_hand = []
    for code in offers or []:
        pick = plan.pick(code)
        if pick is None:
            raise UnknownProgram(code, f"{plan_file}: --offer")
        in_hand.append(OfferInHand(code, pick.utility))
    gone = set(offers or []) | set(declined or [])
    for code in declined or []:
        if plan.pick(code) is None:
            raise UnknownProgram(code, f"{plan_file}: --declined")
    waiting = [
        WaitingApplication(p.program.code, p.odds, p.utility)
        for p in plan.picks
        if p.program.code not in gone
    ]
    decision = decide(in_hand, waiting, round_number, policy.rounds, plan.round_shares)
    if out_file is not None:
        atomic_write(out_file, encode_json(decision_document(decision)))
    verdict = (
        f"accept {decision.best_offer}"
        if decision.recommendation == "accept"
        else "decline and wait for a later round"
    )
    out.print(f"Round {decision.round} of {decision.rounds}: recommended: {verdict}.")
    out.print(f"  taking the best offer now: utility {decision.accept_value:.3f}")
    out.print(
        f"  waiting: expected utility {decision.wait_value:.3f}; chance of a better offer "
        f"{_pct(decision.chance_better_offer)}; chance of ending unplaced "
        f"{_pct(decision.chance_unplaced_if_waiting)}"
    )
    for reason in decision.reasons:
        out.print(f"  - {reason}")
    if out_file is not None:
        out.print(f"Wrote {out_file}.")


@plan_app.command("fit-odds")
def fit_odds_command(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Where to write the model (JSON).")],
    history: Annotated[
        Path | None,
        typer.Option("--history", help="Refit on an outcome history (CSV or XLSX; see docs/planner.md)."),
    ] = None,
    base_file: Annotated[
        Path | None,
        typer.Option(
            "--base", help="With --history: the model whose demand model and round shares are kept."
        ),
    ] = None,
    scale: Annotated[str, typer.Option(help="Simulated weeks: small, state or national.")] = "national",
    train_seeds: Annotated[
        str, typer.Option("--train-seeds", help="Seeds of the training weeks.")
    ] = "1001-1006",
    holdout_seeds: Annotated[
        str, typer.Option("--holdout-seeds", help="Seeds of the held-out weeks (calibration).")
    ] = "2001-2003",
    regularisation: Annotated[float, typer.Option(help="Inverse L2 penalty (scikit-learn's C).")] = 1.0,
    figure: Annotated[
        Path | None,
        typer.Option("--figure", help="Also write the reliability chart here (self-contained HTML)."),
    ] = None,
) -> None:
    """Fit the odds model on simulated Match Weeks (default), or refit it on an office's --history."""
    from matchweek.formats.fileio import atomic_write
    from matchweek.plan.fit import (
        calibration_of,
        fit_history,
        fit_odds_model,
        read_history,
        reliability_html,
        simulated_weeks,
    )
    from matchweek.plan.odds import write_odds_model

    if regularisation <= 0:
        raise typer.BadParameter("must be above 0", param_hint="--regularisation")
    started = time.perf_counter()
    if history is not None:
        base = _model(base_file)
        model = fit_history(read_history(history), base, regularisation=regularisation, source=history.name)
    else:
        if scale not in SCALES:
            raise typer.BadParameter(f"must be one of {', '.join(SCALES)}", param_hint="--scale")
        train = _seeds(train_seeds, "--train-seeds")
        held = _seeds(holdout_seeds, "--holdout-seeds")
        if set(train) & set(held):
            raise typer.BadParameter(
                "held-out seeds must differ from the training seeds", param_hint="--holdout-seeds"
            )
        with progress_bar("Fitting the odds model") as update:
            steps = len(train) + len(held) + 1
            done = [0]

            def note(stage: str) -> None:
                update(stage, done[0] / steps)
                done[0] += 1

            weeks = simulated_weeks(scale, train, progress=note)
            model = fit_odds_model(
                weeks,
                regularisation=regularisation,
                description={"source": f"simulated {scale} Match Weeks", "scale": scale, "seeds": train},
            )
            del weeks
            held_weeks = simulated_weeks(scale, held, progress=note)
            seeds = ", ".join(str(s) for s in held)
            calibration = calibration_of(
                model, held_weeks, f"held-out simulated {scale} weeks (seeds {seeds})"
            )
        model = replace(model, calibration=calibration)
    write_odds_model(model, out_file)
    c = model.calibration
    if c is not None:
        out.print(
            f"Calibration on {c.source}: Brier {c.brier:.5f} (base rate {c.brier_base_rate:.5f}, skill "
            f"{c.brier_skill:.1%}), log loss {c.log_loss:.4f}, AUC {c.auc:.3f} over {c.applications:,} "
            f"applications with {c.offers:,} offers."
        )
        for b in c.bins:
            out.print(
                f"  predicted {_pct(b.predicted):>8}  observed {_pct(b.observed):>8}  "
                f"({b.count:,} applications)"
            )
        if figure is not None:
            atomic_write(figure, reliability_html(c).encode())
            out.print(f"Wrote the reliability chart to {figure}.")
    out.print(f"Wrote {out_file} ({time.perf_counter() - started:.0f} s).")


@plan_app.command("compare")
def compare_command(
    scale: Annotated[str, typer.Option(help="small, state or national.")] = "national",
    seeds: Annotated[str, typer.Option(help="Seeds of the simulated weeks (e.g. 1-5).")] = "1-5",
    share: Annotated[float, typer.Option(help="Share of the SOAP entrants switched to each strategy.")] = 0.1,
    model_file: ModelOpt = None,
    policy_file: PolicyOpt = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the table here (.csv, .xlsx or .json with every week)."),
    ] = None,
) -> None:
    """Compare spray, targeted, top-by-odds and the optimizer in otherwise identical simulated weeks."""
    from rich.table import Table

    from matchweek.plan.compare import compare_strategies
    from matchweek.plan.exports import COMPARISON_TABLE, comparison_document, comparison_rows, write_output

    if scale not in SCALES:
        raise typer.BadParameter(f"must be one of {', '.join(SCALES)}", param_hint="--scale")
    if not 0 < share <= 1:
        raise typer.BadParameter("must be a share above 0 and at most 1", param_hint="--share")
    seed_list = _seeds(seeds, "--seeds")
    started = time.perf_counter()
    with progress_bar("Comparing strategies") as update:
        steps = len(seed_list) * 6
        done = [0]

        def note(stage: str) -> None:
            update(stage, done[0] / steps)
            done[0] += 1

        comparison = compare_strategies(
            scale,
            seed_list,
            share=share,
            model=_model(model_file),
            policy=_policy(policy_file),
            progress=note,
        )
    if out_file is not None:
        write_output(out_file, COMPARISON_TABLE, comparison_rows(comparison), comparison_document(comparison))
    t = Table(
        title=f"Strategies for a {share:.0%} sample ({scale}, seeds {seeds}; 95% intervals over seeds)",
        title_justify="left",
    )
    for name in (
        "strategy",
        "placement rate",
        "expected utility",
        "placement − optimizer",
        "utility − optimizer",
    ):
        t.add_column(name, justify="left" if name == "strategy" else "right")
    for r in comparison.rows:
        t.add_row(
            r.strategy,
            f"{r.placement_rate.mean:.1%} [{r.placement_rate.low:.1%}, {r.placement_rate.high:.1%}]",
            f"{r.utility.mean:.3f} [{r.utility.low:.3f}, {r.utility.high:.3f}]",
            f"{r.placement_gap.mean:+.1%} [{r.placement_gap.low:+.1%}, {r.placement_gap.high:+.1%}]",
            f"{r.utility_gap.mean:+.3f} [{r.utility_gap.low:+.3f}, {r.utility_gap.high:+.3f}]",
        )
    out.print(t)
    weeks = "1 week" if len(seed_list) == 1 else f"{len(seed_list)} weeks"
    out.print(f"{weeks} per strategy ({time.perf_counter() - started:.0f} s).")
    if out_file is not None:
        out.print(f"Wrote {out_file}.")
