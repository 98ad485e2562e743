"""A whole Match Week: the Main Match, then SOAP with the behaviour models, counted and reported.

``run_week`` is pure (values in, values out); ``write_week`` puts a week's files in a folder.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from matchweek.formats import result_to_json, soap_result_to_json
from matchweek.formats.fileio import atomic_write, encode_json
from matchweek.match import MatchSummary, run_match, summarize
from matchweek.model import Market, MatchResult, Policy
from matchweek.report import render_week_report
from matchweek.week.eventlog import event_log_bytes
from matchweek.week.simulate import DEFAULT_STRATEGY, SoapRun, StrategyChoice, simulate_soap
from matchweek.week.stats import ROUND_COLUMNS, WeekStats, round_rows, stats_to_json, week_stats

MATCH_RESULT_FILE = "match-result.json"
SOAP_EVENTS_FILE = "soap-events.jsonl"
SOAP_RESULT_FILE = "soap-result.json"
STATS_FILE = "week-stats.json"
ROUNDS_FILE = "rounds.csv"
REPORT_FILE = "report.html"


@dataclass(frozen=True, eq=False)
class WeekRun:
    """A simulated Match Week: the Main Match result and summary, the SOAP run and the week's figures."""

    match_result: MatchResult
    match_summary: MatchSummary
    soap: SoapRun
    stats: WeekStats
    seed: int
    policy: Policy


def run_week(
    market: Market,
    policy: Policy,
    seed: int,
    *,
    strategy: StrategyChoice | Mapping[str, StrategyChoice] = DEFAULT_STRATEGY,
) -> WeekRun:
    """Run the Main Match on ``market``, then simulate SOAP under ``policy`` with ``seed``.

    Deterministic: the same market, policy, seed and strategy give the same week.
    """
    match_result = run_match(market)
    soap = simulate_soap(market, match_result, policy, seed, strategy=strategy)
    return WeekRun(
        match_result=match_result,
        match_summary=summarize(market, match_result),
        soap=soap,
        stats=week_stats(market, match_result, soap.events),
        seed=seed,
        policy=policy,
    )


def week_files(week: WeekRun, *, title: str) -> dict[str, bytes]:
    """Each file of the week by name: results, the event log, the figures and the HTML report."""
    rows = io.StringIO()
    writer = csv.DictWriter(rows, fieldnames=list(ROUND_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(round_rows(week.stats))
    report = render_week_report(
        week.stats,
        title=title,
        match_summary=week.match_summary,
        notes=(
            f"Seed {week.seed}; {week.policy.rounds} offer rounds of {week.policy.response_window_minutes} "
            f"minutes; at most {week.policy.max_applications} applications per applicant.",
        ),
    )
    return {
        MATCH_RESULT_FILE: result_to_json(week.match_result),
        SOAP_EVENTS_FILE: event_log_bytes(week.soap.events),
        SOAP_RESULT_FILE: soap_result_to_json(week.soap.result),
        STATS_FILE: encode_json(stats_to_json(week.stats)),
        ROUNDS_FILE: rows.getvalue().encode(),
        REPORT_FILE: report.encode(),
    }


def write_week(week: WeekRun, folder: str | Path, *, title: str) -> dict[str, Path]:
    """Write the week's files into ``folder`` (made if missing), each atomically; their paths by name."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, data in week_files(week, title=title).items():
        atomic_write(target / name, data)
        written[name] = target / name
    return written
