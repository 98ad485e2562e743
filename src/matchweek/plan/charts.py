"""The chart of a planned list: every candidate's odds against its utility, the chosen ones marked."""

from __future__ import annotations

from html import escape

import numpy as np
import plotly.graph_objects as go

from matchweek.plan.optimize import PlannedList

_CHOSEN, _OTHER = "#D55E00", "#56B4E9"


def plan_figure(planned: PlannedList) -> go.Figure:
    """Odds (x, log scale) against utility (y) of every program worth applying to; picks highlighted."""
    p = planned.odds.probability
    u = planned.utility
    programs = planned.listing.programs
    chosen = {pick.program.code for pick in planned.picks}
    worth = np.flatnonzero((p > 0) & (u > 0))
    fig = go.Figure()
    for label, colour, mask in (("not chosen", _OTHER, False), ("on the list", _CHOSEN, True)):
        idx = [j for j in worth.tolist() if (programs[j].code in chosen) is mask]
        fig.add_trace(
            go.Scatter(
                x=[float(p[j]) for j in idx],
                y=[float(u[j]) for j in idx],
                mode="markers",
                name=label,
                marker={"color": colour, "size": 9 if mask else 6, "opacity": 0.9 if mask else 0.5},
                text=[
                    f"{programs[j].code} {programs[j].specialty or ''} ({programs[j].state or '?'})"
                    for j in idx
                ],
                hovertemplate="%{text}<br>odds %{x:.2%}<br>utility %{y:.2f}<extra></extra>",
            )
        )
    fig.update_layout(
        template="plotly_white",
        xaxis={"title": "odds of an offer", "type": "log", "tickformat": ".1%"},
        yaxis={"title": "utility"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1, "xanchor": "right"},
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
    )
    return fig


def plan_chart_html(planned: PlannedList) -> str:
    """A self-contained HTML page of :func:`plan_figure` (plotly.js inline)."""
    fig = plan_figure(planned)
    title = (
        f"{len(planned.picks)} programs chosen: expected value {planned.expected_value:.3f}, "
        f"chance of an offer {planned.chance_of_offer:.1%}"
    )
    fig.update_layout(title={"text": escape(title), "x": 0, "xanchor": "left"}, height=560)
    body = fig.to_html(full_html=False, include_plotlyjs=True, div_id="plan-chart", default_width="100%")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Planned list</title></head>'
        f'<body style="font-family: system-ui, sans-serif; margin: 2em">{body}</body></html>\n'
    )
