"""Checkpoint compatibility only: runs paused before the kernel move name this module.

New code imports `agent.kernel.decision`.
"""

from agent.kernel.decision import ActionRef, Decision, DocRef, Noise

__all__ = ["ActionRef", "Decision", "DocRef", "Noise"]
