"""The Main Match engine (rule book §1): Roth–Peranson deferred acceptance on a compiled kernel.

``run_match(market)`` does everything; the steps are public so they can be timed apart:
``compile_market`` (flat arrays, once), ``run_kernel`` (the compiled proposal loop) and
``to_result``. ``verify`` checks a result independently of the engine, ``summarize`` counts it
the way the national reports do. Pure: no I/O, nothing imported from above the engines.
"""

from matchweek.match.arrays import MatchArrays, arrays_from_lists, compile_market, market_faults
from matchweek.match.engine import (
    RECONSIDERATION_BUDGET,
    REPAIR_ROUNDS,
    KernelOutput,
    RunStats,
    match_from_lists,
    run_kernel,
    run_match,
    to_result,
)
from matchweek.match.summary import (
    CALIBRATION_2025,
    CalibrationTargets,
    Comparison,
    Fill,
    KindOutcome,
    MatchSummary,
    summarize,
)
from matchweek.match.verify import Violation, verify

__all__ = [
    "CALIBRATION_2025",
    "RECONSIDERATION_BUDGET",
    "REPAIR_ROUNDS",
    "CalibrationTargets",
    "Comparison",
    "Fill",
    "KernelOutput",
    "KindOutcome",
    "MatchArrays",
    "MatchSummary",
    "RunStats",
    "Violation",
    "arrays_from_lists",
    "compile_market",
    "market_faults",
    "match_from_lists",
    "run_kernel",
    "run_match",
    "summarize",
    "to_result",
    "verify",
]
