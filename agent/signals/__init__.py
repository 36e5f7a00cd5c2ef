"""Signals: the normalized input model and one parser per input format (CONTRACTS §3)."""

from agent.signals.errors import SignalParseError
from agent.signals.model import MetricSample, Signal

__all__ = ["MetricSample", "Signal", "SignalParseError"]
