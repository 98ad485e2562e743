"""Reports on a Match Week for people: a self-contained HTML page with charts and tables.

``render_week_report(stats, title=...)`` turns the figures of
:func:`matchweek.week.stats.week_stats` into one HTML page that needs no
network to view.
"""

from matchweek.report.html import (
    FILL_CHART_TITLE,
    KIND_LABELS,
    OUTCOMES_CHART_TITLE,
    UNFILLED_CHART_TITLE,
    render_week_report,
)

__all__ = [
    "FILL_CHART_TITLE",
    "KIND_LABELS",
    "OUTCOMES_CHART_TITLE",
    "UNFILLED_CHART_TITLE",
    "render_week_report",
]
