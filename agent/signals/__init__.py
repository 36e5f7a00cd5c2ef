"""Signals: the normalized input model and one parser per input format (CONTRACTS §3)."""

from agent.kernel.errors import SignalParseError
from agent.kernel.signal import MetricSample, Signal

__all__ = ["MetricSample", "Signal", "SignalParseError"]
