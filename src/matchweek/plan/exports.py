"""The planner's results as tables (CSV, XLSX) and JSON documents, for files and pages alike."""

from __future__ import annotations

from pathlib import Path

from matchweek.formats.fileio import atomic_write, encode_json
from matchweek.formats.tables import Cell, Column, Table
from matchweek.model import Visa
from matchweek.plan.compare import Comparison
from matchweek.plan.decide import Decision
from matchweek.plan.documents import DocumentPlan
from matchweek.plan.odds import OddsTable
from matchweek.plan.optimize import Pick, PlannedList
from matchweek.plan.planfile import SavedPlan, plan_to_document
from matchweek.plan.sheets import write_table

CONTRIBUTIONS_SHOWN = 3
"""Features named per program in an odds table (those that move its log-odds most)."""

ODDS_TABLE = Table(
    "odds",
    (
        Column("program", required=True),
        Column("name"),
        Column("specialty"),
        Column("track"),
        Column("state"),
        Column("j1", "bool"),
        Column("h1b", "bool"),
        Column("img_share", "float"),
        Column("open", "int"),
        Column("odds", "float"),
        Column("log_odds", "float"),
        Column("hard_zero"),
        Column("utility", "float"),
        Column("excluded"),
        Column("main_reasons"),
    ),
)

PICKS_TABLE = Table(
    "plan",
    (
        Column("rank", "int"),
        Column("program", required=True),
        Column("name"),
        Column("specialty"),
        Column("track"),
        Column("state"),
        Column("j1", "bool"),
        Column("h1b", "bool"),
        Column("odds", "float"),
        Column("utility", "float"),
        Column("marginal_gain", "float"),
        Column("loss_if_dropped", "float"),
        Column("tier"),
    ),
)

DOCUMENTS_TABLE = Table(
    "documents",
    (
        Column("program", required=True),
        Column("specialty"),
        Column("personal_statement"),
        Column("letters"),
        Column("note"),
    ),
)

GAPS_TABLE = Table(
    "gaps", (Column("specialty"), Column("document"), Column("programs", "int"), Column("detail"))
)

COMPARISON_TABLE = Table(
    "comparison",
    (
        Column("strategy", required=True),
        Column("placement_rate", "float"),
        Column("placement_low", "float"),
        Column("placement_high", "float"),
        Column("utility", "float"),
        Column("utility_low", "float"),
        Column("utility_high", "float"),
        Column("placement_gap", "float"),
        Column("placement_gap_low", "float"),
        Column("placement_gap_high", "float"),
        Column("utility_gap", "float"),
        Column("utility_gap_low", "float"),
        Column("utility_gap_high", "float"),
    ),
)


def odds_rows(
    table: OddsTable, utility: list[float] | None = None, excluded: list[str | None] | None = None
) -> list[tuple[Cell, ...]]:
    """One row per program of the listing, best odds first (then by code)."""
    order = sorted(
        range(len(table.listing.programs)),
        key=lambda j: (-table.probability[j], table.listing.programs[j].code),
    )
    rows: list[tuple[Cell, ...]] = []
    for j in order:
        p = table.listing.programs[j]
        reasons = "; ".join(
            f"{c.feature} {c.contribution:+.2f}"
            for c in table.explain(j)[:CONTRIBUTIONS_SHOWN]
            if c.contribution
        )
        rows.append(
            (
                p.code,
                p.name,
                p.specialty,
                p.track.value,
                p.state,
                Visa.J1 in p.visa,
                Visa.H1B in p.visa,
                p.img_share,
                p.open,
                float(table.probability[j]),
                table.log_odds(j),
                table.hard_zero[j],
                utility[j] if utility is not None else None,
                excluded[j] if excluded is not None else None,
                reasons or None,
            )
        )
    return rows


def odds_document(
    table: OddsTable, utility: list[float] | None = None, excluded: list[str | None] | None = None
) -> dict[str, object]:
    """The odds table as JSON: the model's intercept and, per program, odds and every contribution."""
    out = []
    for row in odds_rows(table, utility, excluded):
        j = table.listing.index[str(row[0])]
        out.append(
            {
                **{
                    c.name: v
                    for c, v in zip(ODDS_TABLE.columns, row, strict=True)
                    if c.name != "main_reasons"
                },
                "contributions": {c.feature: c.contribution for c in table.explain(j)},
            }
        )
    return {"format": "matchweek.odds/1", "intercept": table.model.intercept, "programs": out}


def pick_rows(picks: tuple[Pick, ...]) -> list[tuple[Cell, ...]]:
    """One row per pick, in application order."""
    return [
        (
            p.rank,
            p.program.code,
            p.program.name,
            p.program.specialty,
            p.program.track.value,
            p.program.state,
            Visa.J1 in p.program.visa,
            Visa.H1B in p.program.visa,
            p.odds,
            p.utility,
            p.marginal_gain,
            p.loss_if_dropped,
            p.tier,
        )
        for p in picks
    ]


def document_rows(plan: DocumentPlan) -> list[tuple[Cell, ...]]:
    return [
        (c.program, c.specialty, c.personal_statement, "; ".join(c.letters) or None, c.note)
        for c in plan.choices
    ]


def gap_rows(plan: DocumentPlan) -> list[tuple[Cell, ...]]:
    return [(g.specialty, g.document, g.programs, g.detail) for g in plan.gaps]


def documents_document(plan: DocumentPlan) -> dict[str, object]:
    return {
        "format": "matchweek.documents/1",
        "applications": [
            {
                "program": c.program,
                "specialty": c.specialty,
                "personal_statement": c.personal_statement,
                "letters": list(c.letters),
                "note": c.note,
            }
            for c in plan.choices
        ],
        "gaps": [
            {"specialty": g.specialty, "document": g.document, "programs": g.programs, "detail": g.detail}
            for g in plan.gaps
        ],
    }


def decision_document(decision: Decision) -> dict[str, object]:
    d = decision
    return {
        "format": "matchweek.decision/1",
        "round": d.round,
        "rounds": d.rounds,
        "recommendation": d.recommendation,
        "best_offer": d.best_offer,
        "accept_value": d.accept_value,
        "wait_value": d.wait_value,
        "chance_better_offer": d.chance_better_offer,
        "chance_unplaced_if_waiting": d.chance_unplaced_if_waiting,
        "chance_unplaced_if_accepting": d.chance_unplaced_if_accepting,
        "reasons": list(d.reasons),
        "later": [
            {"program": c.program, "utility": c.utility, "later_odds": c.later_odds, "better": c.better}
            for c in d.later
        ],
    }


def comparison_rows(comparison: Comparison) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for r in comparison.rows:
        rows.append(
            (
                r.strategy,
                r.placement_rate.mean,
                r.placement_rate.low,
                r.placement_rate.high,
                r.utility.mean,
                r.utility.low,
                r.utility.high,
                r.placement_gap.mean,
                r.placement_gap.low,
                r.placement_gap.high,
                r.utility_gap.mean,
                r.utility_gap.low,
                r.utility_gap.high,
            )
        )
    return rows


def comparison_document(comparison: Comparison) -> dict[str, object]:
    return {
        "format": "matchweek.strategy-comparison/1",
        "scale": comparison.scale,
        "seeds": list(comparison.seeds),
        "sample_share": comparison.share,
        "strategies": [
            dict(zip(COMPARISON_TABLE.header, row, strict=True)) for row in comparison_rows(comparison)
        ],
        "weeks": [
            {
                "strategy": o.strategy,
                "seed": o.seed,
                "sample": o.sample,
                "placed": o.placed,
                "placement_rate": o.placement_rate,
                "utility": o.utility,
            }
            for o in comparison.outcomes
        ],
    }


def write_output(path: Path, table: Table, rows: list[tuple[Cell, ...]], document: dict[str, object]) -> None:
    """Write a result to ``path``: JSON for ``.json``, a workbook for ``.xlsx``, CSV otherwise."""
    if path.suffix.lower() == ".json":
        atomic_write(path, encode_json(document))
    else:
        write_table(path, table, rows)


def plan_output(path: Path, plan: PlannedList | SavedPlan) -> None:
    """Write a planned list: ``matchweek.plan/1`` JSON, or its picks as CSV or XLSX."""
    write_output(path, PICKS_TABLE, pick_rows(plan.picks), plan_to_document(plan))
