"""Running a Match Week: ``simulate_soap`` plays the SOAP phase with behaviour models of its actors."""

from matchweek.week.simulate import DEFAULT_STRATEGY, SoapRun, StrategyChoice, simulate_soap

__all__ = ["DEFAULT_STRATEGY", "SoapRun", "StrategyChoice", "simulate_soap"]
