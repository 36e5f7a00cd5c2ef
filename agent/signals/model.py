"""Checkpoint compatibility only: runs paused before the kernel move name this module.

New code imports `agent.kernel.signal`.
"""

from agent.kernel.signal import MetricSample, Signal

__all__ = ["MetricSample", "Signal"]
