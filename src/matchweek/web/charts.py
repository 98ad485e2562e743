"""The operator dashboard's charts: Plotly figures of the week's figures, with the tables behind them.

Figures travel to the page as JSON in a ``<script type="application/json">`` block that
the portal's own ``charts.js`` draws with the plotly.js shipped inside the plotly
package, so no script is inline and nothing loads from the internet.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go

from matchweek.report.figures import GREEN, GREY, SKY, bar_figure, round_labels, rounds_figure
from matchweek.web.labels import APPLICANT_KIND_LABELS
from matchweek.week.stats import WeekStats

SPECIALTIES_SHOWN = 15
"""Specialties in the by-specialty chart (those with most positions in SOAP); the table has all."""


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: its figure as JSON (safe inside a script block) and the table of the same figures."""

    ident: str
    title: str
    figure_json: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def safe_json(fig: go.Figure) -> str:
    # "<", ">" and "&" only occur inside JSON strings; escaped there, no text can close the block.
    text = fig.to_json(validate=False, pretty=False, engine="json")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _layout(fig: go.Figure, title: str, height: int) -> None:
    fig.update_layout(
        template="plotly_white",
        title={"text": escape(title), "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1, "xanchor": "right"},
    )


def fill_by_round(stats: WeekStats) -> Chart:
    """Offers, answers and positions filled in each round so far."""
    title = "Fill by round"
    labels = round_labels(stats.rounds)
    fig = rounds_figure(stats.rounds, filled_name="Filled (cumulative)", open_line=False)
    _layout(fig, title, 380)
    rows = tuple(
        (
            label,
            str(r.overall.offers),
            str(r.overall.accepted),
            str(r.overall.rejected),
            str(r.overall.expired),
            str(r.overall.outstanding),
            str(r.overall.filled_cumulative),
            "–" if r.overall.open_after is None else str(r.overall.open_after),
        )
        for label, r in zip(labels, stats.rounds, strict=True)
    )
    head = ("Round", "Offers", "Accepted", "Rejected", "Expired", "Unanswered", "Filled so far", "Still open")
    return Chart("fill", title, safe_json(fig), head, rows)


def fill_by_specialty(stats: WeekStats) -> Chart:
    """SOAP positions placed and still unfilled, by specialty (most unfilled after the Match first)."""
    title = "Fill by specialty"
    ranked = sorted(stats.unfilled_by_specialty.items(), key=lambda kv: (-kv[1].after_match, kv[0]))
    shown = ranked[:SPECIALTIES_SHOWN]
    names = [escape(name) for name, _ in shown]
    fig = bar_figure(
        names,
        (
            ("Placed in SOAP", GREEN, [u.placed_in_soap for _, u in shown]),
            ("Still unfilled", GREY, [u.after_soap for _, u in shown]),
        ),
        barmode="stack",
        horizontal=True,
    )
    fig.update_layout(xaxis_title="positions unfilled after the Main Match")
    _layout(fig, title, 140 + 26 * max(1, len(shown)))
    rows = tuple((name, str(u.after_match), str(u.placed_in_soap), str(u.after_soap)) for name, u in ranked)
    head = ("Specialty", "Unfilled after the Match", "Placed in SOAP", "Unfilled after SOAP")
    return Chart("specialty", title, safe_json(fig), head, rows)


def fill_by_kind(stats: WeekStats) -> Chart:
    """SOAP entrants and those placed, by applicant kind."""
    title = "SOAP by applicant kind"
    groups = [(k, o) for k, o in stats.outcomes_by_kind.items() if o.registered]
    labels = [escape(APPLICANT_KIND_LABELS.get(k, k)) for k, _ in groups]
    fig = bar_figure(
        labels,
        (
            ("SOAP entrants", SKY, [o.soap_entrants for _, o in groups]),
            ("Placed in SOAP", GREEN, [o.placed_in_soap for _, o in groups]),
        ),
        barmode="group",
    )
    fig.update_layout(yaxis_title="applicants")
    _layout(fig, title, 360)
    rows = tuple(
        (
            APPLICANT_KIND_LABELS.get(k, k),
            str(o.registered),
            str(o.soap_entrants),
            str(o.placed_in_soap),
            str(o.partial_not_placed),
            str(o.unplaced_after_soap),
        )
        for k, o in groups
    )
    head = (
        "Applicant kind",
        "Registered",
        "SOAP entrants",
        "Placed in SOAP",
        "Partial, not placed",
        "Unplaced",
    )
    return Chart("kind", title, safe_json(fig), head, rows)


def dashboard_charts(stats: WeekStats) -> tuple[Chart, ...]:
    """The three dashboard charts: by round, by specialty, by applicant kind."""
    return fill_by_round(stats), fill_by_specialty(stats), fill_by_kind(stats)
