"""The Plotly figures the week's report and the operator's dashboard share.

One palette and one way to draw each kind of chart, so a figure reads the same in the
HTML report and in the portal; each caller adds its own titles, sizes and tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from matchweek.week.stats import RoundStats

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
BLUE = "#0072B2"
SKY = "#56B4E9"
GREEN = "#009E73"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"

Series = tuple[str, str, Sequence[float | int | None]]
"""One series of bars: its name, its colour and its values, one per category."""


def round_labels(rounds: Sequence[RoundStats]) -> list[str]:
    """``Round 1``, ``Round 2``, … for the rounds held."""
    return [f"Round {r.round}" for r in rounds]


def rounds_figure(rounds: Sequence[RoundStats], *, filled_name: str, open_line: bool) -> go.Figure:
    """Offers, acceptances, rejections and expiries per round as bars, positions filled as a line.

    ``open_line`` adds the positions still open after each round as a dashed line.
    """
    labels = round_labels(rounds)
    fig = bar_figure(
        labels,
        (
            ("Offers", SKY, [r.overall.offers for r in rounds]),
            ("Accepted", GREEN, [r.overall.accepted for r in rounds]),
            ("Rejected", VERMILLION, [r.overall.rejected for r in rounds]),
            ("Expired", ORANGE, [r.overall.expired for r in rounds]),
        ),
        barmode="group",
    )
    lines = [(filled_name, [r.overall.filled_cumulative for r in rounds], {"color": BLUE, "width": 3})]
    if open_line:
        lines.append(
            (
                "Positions still open",
                [r.overall.open_after for r in rounds],
                {"color": GREY, "width": 2, "dash": "dash"},
            )
        )
    for name, values, line in lines:
        fig.add_trace(go.Scatter(name=name, x=labels, y=values, mode="lines+markers", line=line))
    fig.update_layout(yaxis_title="offers / positions")
    return fig


def bar_figure(
    categories: Sequence[str], series: Sequence[Series], *, barmode: str, horizontal: bool = False
) -> go.Figure:
    """Bars of several series over the same categories, grouped or stacked.

    Horizontal charts list the categories from the top down, in the order given.
    """
    fig = go.Figure()
    for name, colour, values in series:
        if horizontal:
            fig.add_trace(
                go.Bar(name=name, y=list(categories), x=list(values), orientation="h", marker_color=colour)
            )
        else:
            fig.add_trace(go.Bar(name=name, x=list(categories), y=list(values), marker_color=colour))
    fig.update_layout(barmode=barmode)
    if horizontal:
        fig.update_layout(yaxis={"autorange": "reversed"})
    return fig
