"""The tool registry: each tool's name, strict argument model, risk, timeout, plan and runner.

Deny by default: only tools registered here can ever run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from agent.config.sections import ToolsSection
from tools.envelope import Risk
from tools.executor import Executor

if TYPE_CHECKING:
    from tools.egress import EgressPolicy


class StrictArgs(BaseModel):
    """Base for argument models: unknown keys rejected, no type coercion of strings."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


@dataclass(frozen=True)
class Plan:
    """Exactly what a call would do: argv lists for the executor and/or an in-process step."""

    commands: list[list[str]] = field(default_factory=list)
    description: str = ""


@dataclass(frozen=True)
class ToolContext:
    """What a runner may use: executor, tools section (allowed folders), timeout, egress policy."""

    executor: Executor
    section: ToolsSection
    timeout_s: float
    egress: EgressPolicy | None = None  # None: no network destination is allowed


class ToolFailure(Exception):
    """Raised by a runner for a failed call; the runtime turns it into an error envelope."""


class NoData(Exception):
    """Raised by a runner when the call worked but found nothing (status no_data)."""


Planner = Callable[[Any, ToolContext], Plan]
Runner = Callable[[Any, ToolContext, Plan], Any]


@dataclass(frozen=True)
class ToolSpec:
    """One registered tool."""

    name: str
    description: str
    args_model: type[BaseModel]
    risk: Risk
    timeout_s: float
    plan: Planner
    runner: Runner
    target: Callable[[Any], str]
    idempotency_fields: tuple[str, ...] | None = None  # None: every argument

    def idempotency_key(self, scope: str, args: BaseModel) -> str:
        """Stable key for (scope, tool, the arguments that identify the effect)."""
        values = args.model_dump(mode="json")
        if self.idempotency_fields is not None:
            values = {k: values[k] for k in self.idempotency_fields}
        return hashlib.sha256(f"{scope}|{self.name}|{canonical(values)}".encode()).hexdigest()[:32]


def canonical(value: Any) -> str:
    """Canonical JSON (sorted keys, no spaces) used for hashing arguments."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def args_hash(tool: str, args: dict[str, Any]) -> str:
    """SHA-256 of the tool name plus its exact, canonical arguments."""
    return hashlib.sha256(f"{tool}|{canonical(args)}".encode()).hexdigest()


class Registry:
    """Name → ToolSpec; lookups of unregistered names return None (deny by default)."""

    def __init__(self, specs: Iterable[ToolSpec] = ()) -> None:
        self._specs: dict[str, ToolSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: ToolSpec) -> None:
        """Add a tool; a duplicate name is a programming error."""
        if spec.name in self._specs:
            raise ValueError(f"tool {spec.name!r} registered twice")
        self._specs[spec.name] = spec

    def get(self, name: str) -> ToolSpec | None:
        """The tool called `name`, or None when it is not registered."""
        if not isinstance(name, str):
            return None
        return self._specs.get(name)

    def names(self) -> list[str]:
        """Registered tool names, sorted."""
        return sorted(self._specs)

    def specs(self) -> list[ToolSpec]:
        """Registered tools, sorted by name."""
        return [self._specs[n] for n in self.names()]
