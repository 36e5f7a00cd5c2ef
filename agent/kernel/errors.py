"""The errors surfaces handle: bad input (parsing) and a failed durable store."""

from __future__ import annotations


class SignalParseError(ValueError):
    """Bad input: a one-line message naming the field (`field`) that is wrong or missing."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"invalid input: {field}: {problem}")


class ModelFileError(RuntimeError):
    """A shipped model file is missing or is not the file this release was built with."""


class LLMConfigError(ValueError):
    """The LLM reasoner was asked for but its endpoint or model is not configured."""


class StoreError(RuntimeError):
    """Storing a payload failed; nothing was half-stored and the sender should retry."""
