"""A Match Week report as one self-contained HTML page: a headline, charts and the tables behind them.

The page needs no network when viewed: plotly.js is embedded once, inline, with
the first chart, and later charts reuse it. Every chart's figures are also in a
plain table, so the page is complete without JavaScript and prints well. All
text taken from data (program names, specialties, codes, the title, notes) is
HTML-escaped, in the tables and in the charts alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from importlib import resources
from string import Template

import plotly.graph_objects as go

from matchweek import __version__
from matchweek.match.summary import UNSPECIFIED, MatchSummary
from matchweek.model import ApplicantKind
from matchweek.report.figures import (
    BLUE,
    GREEN,
    GREY,
    PURPLE,
    VERMILLION,
    bar_figure,
    round_labels,
    rounds_figure,
)
from matchweek.week.stats import ApplicantOutcomes, RoundFigures, WeekStats

KIND_LABELS: dict[str, str] = {
    ApplicantKind.US_MD.value: "US MD seniors",
    ApplicantKind.US_DO.value: "US DO seniors",
    ApplicantKind.US_IMG.value: "US-citizen IMGs",
    ApplicantKind.NON_US_IMG.value: "Non-US-citizen IMGs",
    ApplicantKind.PRIOR_GRAD.value: "Prior graduates",
    UNSPECIFIED: "Kind not given",
}
"""How applicant kinds read in the report."""

FILL_CHART_TITLE = "Fill by round"
OUTCOMES_CHART_TITLE = "Outcomes by applicant kind"
UNFILLED_CHART_TITLE = "Unfilled positions after SOAP by specialty"

_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def render_week_report(
    stats: WeekStats,
    *,
    title: str,
    match_summary: MatchSummary | None = None,
    notes: Sequence[str] = (),
) -> str:
    """The week as one HTML page that works offline: headline, three charts and their tables.

    ``title`` heads the page; ``notes`` are plain-text paragraphs shown under the
    headline (how the week was made, for example); ``match_summary``, when given,
    adds a Main Match section with outcomes and PGY-1 match rates by applicant
    kind. The same arguments always give the same page.
    """
    charts = _Charts()
    sections = [
        _headline(stats, notes),
        _rounds_section(stats, charts),
        _outcomes_section(stats, charts),
        _unfilled_section(stats, charts),
    ]
    nav = [
        ("fill", FILL_CHART_TITLE),
        ("outcomes", OUTCOMES_CHART_TITLE),
        ("unfilled", "Unfilled after SOAP"),
    ]
    if match_summary is not None:
        sections.append(_match_section(match_summary))
        nav.append(("main-match", "Main Match"))
    links = "".join(f'<li><a href="#{anchor}">{escape(label)}</a></li>' for anchor, label in nav)
    page = _template().substitute(
        title=escape(title),
        version=escape(__version__),
        subtitle=f'<p class="subtitle">{escape(_subtitle(stats))}</p>',
        nav=f'<nav aria-label="Sections"><ul>{links}</ul></nav>',
        body="\n".join(sections),
    )
    return page


def _template() -> Template:
    text = resources.files("matchweek.report").joinpath("templates", "week.html").read_text(encoding="utf-8")
    return Template(text)


def _subtitle(stats: WeekStats) -> str:
    p = stats.positions
    run = len(stats.rounds)
    return (
        f"Main Match, then SOAP: {run} of {stats.rounds_planned} offer round{_s(stats.rounds_planned)}, "
        f"{_n(stats.programs_in_soap)} program{_s(stats.programs_in_soap)} with {_n(p.in_soap)} "
        f"open position{_s(p.in_soap)}, {_n(stats.outcomes.soap_entrants)} "
        f"entrant{_s(stats.outcomes.soap_entrants)}."
    )


# --- formatting ----------------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def _table(
    caption: str,
    head: Sequence[str],
    rows: Sequence[tuple[str, Sequence[str]]],
    *,
    ident: str | None = None,
    foot: tuple[str, Sequence[str]] | None = None,
    text_columns: int = 0,
) -> str:
    """A table whose first cell of each row is its header. Every argument must already be escaped.

    ``text_columns`` data cells after the row header are text (left-aligned), the rest numbers.
    """
    id_attr = f' id="{ident}"' if ident else ""
    header = "".join(f'<th scope="col">{h}</th>' for h in head)

    def line(label: str, cells: Sequence[str], tag: str = "td") -> str:
        out = [f'<th scope="row">{label}</th>']
        for i, cell in enumerate(cells):
            cls = ' class="text"' if i < text_columns else ""
            out.append(f"<{tag}{cls}>{cell}</{tag}>")
        return "<tr>" + "".join(out) + "</tr>"

    body = "\n".join(line(label, cells) for label, cells in rows)
    footer = f"<tfoot>{line(foot[0], foot[1])}</tfoot>" if foot else ""
    return (
        f'<div class="table-wrap"><table{id_attr}><caption>{caption}</caption>'
        f"<thead><tr>{header}</tr></thead><tbody>\n{body}\n</tbody>{footer}</table></div>"
    )


class _Charts:
    """Turns figures into HTML, embedding plotly.js with the first one only."""

    def __init__(self) -> None:
        self._embedded = False

    def html(self, fig: go.Figure, ident: str, title: str, described_by: str, height: int) -> str:
        fig.update_layout(
            template="plotly_white",
            title={"text": escape(title), "x": 0, "xanchor": "left"},
            height=height,
            margin={"l": 10, "r": 10, "t": 50, "b": 10},
            font={"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 13},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1, "xanchor": "right"},
        )
        # A fixed div id keeps the page identical from run to run (plotly would draw a random one).
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=not self._embedded,
            div_id=f"chart-{ident}",
            config=_PLOTLY_CONFIG,
            default_width="100%",
            default_height=f"{height}px",
        )
        self._embedded = True
        return (
            f'<figure aria-describedby="{described_by}">'
            f"<figcaption>{escape(title)}</figcaption>"
            f'<div class="chart" role="img" aria-label="{escape(title)}: chart; the table below holds '
            f'the same figures">{div}</div>'
            f"<noscript><p>The chart needs JavaScript; the table below holds its figures.</p></noscript>"
            f"</figure>"
        )


# --- sections ------------------------------------------------------------------------------------


def _headline(stats: WeekStats, notes: Sequence[str]) -> str:
    p = stats.positions
    o = stats.outcomes
    items = [
        ("Positions", _n(p.total), "after reversions"),
        ("Filled by the Main Match", _n(p.filled_by_match), f"{_pct(p.match_fill_rate)} of positions"),
        (
            "Placed in SOAP",
            _n(p.placed_in_soap),
            f"positions, {_n(o.placed_in_soap)} applicant{_s(o.placed_in_soap)}; "
            f"{_pct(p.soap_fill_rate)} of SOAP positions",
        ),
        ("Combined fill", _pct(p.combined_fill_rate), "Main Match and SOAP"),
        (
            "Unfilled after SOAP",
            _n(p.unfilled_after_soap),
            f"of {_n(p.unfilled_after_match)} after the Match",
        ),
    ]
    cards = "".join(
        f"<div><dt>{label}</dt><dd>{value}<small>{note}</small></dd></div>" for label, value, note in items
    )
    parts = ['<section aria-labelledby="headline-title">', '<h2 id="headline-title">Headline</h2>']
    if not stats.soap_ended:
        parts.append(
            '<p class="notice" role="note">SOAP had not ended when this log was taken: '
            "the figures are those so far.</p>"
        )
    parts.append(f'<dl class="headline">{cards}</dl>')
    if notes:
        parts.append('<div class="notes">' + "".join(f"<p>{escape(n)}</p>" for n in notes) + "</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _rounds_section(stats: WeekStats, charts: _Charts) -> str:
    rounds = stats.rounds
    labels = round_labels(rounds)
    fig = rounds_figure(rounds, filled_name="Positions filled (cumulative)", open_line=True)
    fig.update_layout(legend_traceorder="normal")
    parts = [
        '<section aria-labelledby="fill">',
        f'<h2 id="fill">{FILL_CHART_TITLE}</h2>',
        f"<p>SOAP opened with {_n(stats.positions.in_soap)} open position{_s(stats.positions.in_soap)} in "
        f"{_n(stats.programs_in_soap)} program{_s(stats.programs_in_soap)}. Each round, programs offer "
        "their open positions down their preference lists; an offer is accepted, rejected (by the "
        "applicant, or automatically when it accepts another) or expires when the round closes.</p>",
        charts.html(fig, "fill", FILL_CHART_TITLE, "table-rounds", 420),
    ]
    if not rounds:
        parts.append("<p>No offer round was run.</p>")
    parts.append(
        _table(
            "Offers and positions by round",
            (
                "Round",
                "Offers",
                "Accepted",
                "Rejected",
                "Rejected automatically",
                "Expired",
                "Unanswered",
                "Filled (cumulative)",
                "Still open",
            ),
            [(escape(label), _round_cells(r.overall)) for label, r in zip(labels, rounds, strict=True)],
            ident="table-rounds",
        )
    )
    if rounds:
        parts.append("<h3>By specialty</h3>")
        parts.append(_by_group_table(stats, "specialty"))
        parts.append("<h3>By applicant kind</h3>")
        parts.append(_by_group_table(stats, "kind"))
    parts.append("</section>")
    return "\n".join(parts)


def _round_cells(f: RoundFigures) -> list[str]:
    return [
        _n(f.offers),
        _n(f.accepted),
        _n(f.rejected),
        _n(f.rejected_automatic),
        _n(f.expired),
        _n(f.outstanding),
        _n(f.filled_cumulative),
        "–" if f.open_after is None else _n(f.open_after),
    ]


def _by_group_table(stats: WeekStats, group: str) -> str:
    """Positions filled round by round for each specialty (or applicant kind), with the week's totals."""
    rounds = stats.rounds
    by_specialty = group == "specialty"
    if by_specialty:
        series = {s: [r.by_specialty[s] for r in rounds] for s in rounds[0].by_specialty}
    else:
        series = {k: [r.by_kind[k] for r in rounds] for k in rounds[0].by_kind}
    head = [
        "Specialty" if by_specialty else "Applicant kind",
        *(["Positions in SOAP"] if by_specialty else []),
        "Offers",
        *[f"Filled in round {r.round}" for r in rounds],
        "Rejected",
        "Expired",
        "Still open" if by_specialty else "Positions filled",
    ]
    rows = []
    for name, per_round in series.items():
        last = per_round[-1]
        cells = []
        if by_specialty:
            cells.append(_n((last.open_after or 0) + last.filled_cumulative))
        cells.append(_n(sum(f.offers for f in per_round)))
        cells += [_n(f.filled) for f in per_round]
        cells.append(_n(sum(f.rejected for f in per_round)))
        cells.append(_n(sum(f.expired for f in per_round)))
        cells.append(_n(last.open_after or 0) if by_specialty else _n(last.filled_cumulative))
        rows.append((escape(name if by_specialty else _kind_label(name)), cells))
    caption = (
        "SOAP positions filled by round and specialty"
        if by_specialty
        else "Offers received and positions accepted by round and applicant kind"
    )
    return _table(caption, head, rows, ident=f"table-rounds-{group}")


def _outcomes_section(stats: WeekStats, charts: _Charts) -> str:
    groups = [(k, o) for k, o in stats.outcomes_by_kind.items() if o.registered]
    groups.append(("all", stats.outcomes))
    labels = [_kind_label(k) if k != "all" else "All applicants" for k, _ in groups]
    segments = (
        ("Matched in the Main Match", BLUE, lambda o: o.matched),
        ("Placed in SOAP", GREEN, lambda o: o.placed_in_soap),
        ("Partially matched, not placed in SOAP", PURPLE, lambda o: o.partial_not_placed),
        ("Unplaced", VERMILLION, lambda o: o.unplaced_after_soap),
    )
    fig = go.Figure()
    for name, colour, count in segments:
        shares = [o.share(count(o)) for _, o in groups]
        fig.add_trace(
            go.Bar(
                name=name,
                y=[escape(label) for label in labels],
                x=shares,
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}: %{x:.1f}%<extra>" + escape(name) + "</extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        xaxis={"title": "share of registered applicants (%)", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
    )
    height = 140 + 44 * len(groups)
    rows = [(escape(label), _outcome_cells(o)) for (_, o), label in zip(groups, labels, strict=True)]
    foot = rows.pop()  # the last group is all applicants
    table = _table(
        "Outcomes by applicant kind (counts, then shares of registered applicants)",
        (
            "Applicant kind",
            "Registered",
            "Matched",
            "Partially matched",
            "Unmatched",
            "SOAP entrants",
            "Placed in SOAP",
            "Partial, not placed",
            "Unplaced",
            "Matched, share",
            "Placed in SOAP, share",
            "Partial, not placed, share",
            "Unplaced, share",
        ),
        rows,
        ident="table-outcomes",
        foot=foot,
    )
    return "\n".join(
        [
            '<section aria-labelledby="outcomes">',
            f'<h2 id="outcomes">{OUTCOMES_CHART_TITLE}</h2>',
            "<p>Each registered applicant once: matched by the Main Match, placed in SOAP (unmatched or "
            "partially matched applicants who accepted a SOAP offer), partially matched and placed nowhere "
            "else, or without any position after SOAP.</p>",
            charts.html(fig, "outcomes", OUTCOMES_CHART_TITLE, "table-outcomes", height),
            table,
            "</section>",
        ]
    )


def _outcome_cells(o: ApplicantOutcomes) -> list[str]:
    return [
        _n(o.registered),
        _n(o.matched),
        _n(o.partially_matched),
        _n(o.unmatched),
        _n(o.soap_entrants),
        _n(o.placed_in_soap),
        _n(o.partial_not_placed),
        _n(o.unplaced_after_soap),
        _pct(o.share(o.matched)),
        _pct(o.share(o.placed_in_soap)),
        _pct(o.share(o.partial_not_placed)),
        _pct(o.share(o.unplaced_after_soap)),
    ]


def _unfilled_section(stats: WeekStats, charts: _Charts) -> str:
    specialties = list(stats.unfilled_by_specialty.items())
    names = [escape(s) for s, _ in specialties]
    fig = bar_figure(
        names,
        (
            ("Unfilled after the Main Match", GREY, [u.after_match for _, u in specialties]),
            ("Unfilled after SOAP", VERMILLION, [u.after_soap for _, u in specialties]),
        ),
        barmode="group",
        horizontal=True,
    )
    fig.update_layout(xaxis={"title": "positions", "rangemode": "tozero"})
    height = max(260, 110 + 34 * len(specialties))
    p = stats.positions
    spec_rows = [
        (escape(s), [_n(u.after_match), _n(u.placed_in_soap), _n(u.after_soap)]) for s, u in specialties
    ]
    track_rows = [
        (escape(t.capitalize()), [_n(u.after_match), _n(u.placed_in_soap), _n(u.after_soap)])
        for t, u in stats.unfilled_by_track.items()
    ]
    total = ("All", [_n(p.unfilled_after_match), _n(p.placed_in_soap), _n(p.unfilled_after_soap)])
    figures = ("Unfilled after the Match", "Placed in SOAP", "Unfilled after SOAP")
    parts = [
        '<section aria-labelledby="unfilled">',
        '<h2 id="unfilled">Unfilled positions after SOAP</h2>',
        f"<p>{_n(p.unfilled_after_soap)} position{_s(p.unfilled_after_soap)} stayed unfilled after SOAP, "
        "including those of programs that did not take part; they go on the live list of unfilled "
        "programs.</p>",
        charts.html(fig, "unfilled", UNFILLED_CHART_TITLE, "table-unfilled-specialty", height),
    ]
    if not specialties:
        parts.append("<p>The Main Match left no position unfilled.</p>")
    parts.append(
        _table(
            "Unfilled positions by specialty",
            ("Specialty", *figures),
            spec_rows,
            ident="table-unfilled-specialty",
            foot=total if specialties else None,
        )
    )
    parts.append(
        _table(
            "Unfilled positions by track type",
            ("Track type", *figures),
            track_rows,
            ident="table-unfilled-track",
            foot=total,
        )
    )
    if stats.unfilled_programs:
        program_rows = [
            (
                escape(u.code),
                [
                    escape(u.name or ""),
                    escape(u.specialty),
                    escape(u.track),
                    escape(u.state or ""),
                    "yes" if u.in_soap else "no",
                    _n(u.after_match),
                    _n(u.after_soap),
                ],
            )
            for u in stats.unfilled_programs
        ]
        parts.append("<h3>Programs with unfilled positions after SOAP</h3>")
        parts.append(
            _table(
                "Programs with unfilled positions after SOAP, by program code",
                (
                    "Code",
                    "Program",
                    "Specialty",
                    "Track",
                    "State",
                    "In SOAP",
                    "After the Match",
                    "After SOAP",
                ),
                program_rows,
                ident="table-unfilled-programs",
                text_columns=5,
            )
        )
    parts.append("</section>")
    return "\n".join(parts)


def _match_section(summary: MatchSummary) -> str:
    rows = []
    for kind, o in summary.by_kind.items():
        rows.append(
            (
                escape(_kind_label(kind)),
                [
                    _n(o.applicants),
                    _n(o.certified),
                    _n(o.matched),
                    _n(o.partially_matched),
                    _n(o.unmatched),
                    _pct(o.pgy1_rate),
                ],
            )
        )
    o = summary.overall
    foot = (
        "All applicants",
        [
            _n(o.applicants),
            _n(o.certified),
            _n(o.matched),
            _n(o.partially_matched),
            _n(o.unmatched),
            _pct(o.pgy1_rate),
        ],
    )
    fill = summary.overall_fill
    stability = (
        "The matching is stable."
        if summary.instabilities == 0
        else f"{_n(summary.instabilities)} instabilit{'y' if summary.instabilities == 1 else 'ies'} "
        "could not be removed."
    )
    return "\n".join(
        [
            '<section aria-labelledby="main-match">',
            '<h2 id="main-match">Main Match</h2>',
            f"<p>The algorithm filled {_n(fill.filled)} of {_n(fill.positions)} positions "
            f"({_pct(fill.rate)}). {stability}</p>",
            _table(
                "Main Match outcomes by applicant kind (PGY-1 match rate per applicant who certified a list)",
                (
                    "Applicant kind",
                    "Applicants",
                    "Certified a list",
                    "Matched",
                    "Partially matched",
                    "Unmatched",
                    "PGY-1 match rate",
                ),
                rows,
                ident="table-main-match",
                foot=foot,
            ),
            "</section>",
        ]
    )
