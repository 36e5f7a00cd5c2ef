"""The YAML tool policy: which tools may run for which services/environments, and unattended.

No policy file means: every registered tool is allowed, only read-only ones run without an
approval, remediations are limited to 3 per target per hour. Risky tools always need approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from agent.kernel.durations import parse_duration
from tools.envelope import Risk

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
REMEDIATION_TOOLS = ["systemd_restart", "kubectl_rollout_restart", "kubectl_scale",
                     "clear_cache_dir", "rotate_logs", "run_runbook_script"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicyRule(_Strict):
    """Tools (glob patterns) allowed for services and environments, and the unattended ceiling."""

    tools: list[str] = Field(min_length=1)
    services: list[str] = Field(default_factory=lambda: ["*"])
    environments: list[str] = Field(default_factory=lambda: ["*"])
    max_auto_risk: Risk = Risk.read_only

    def matches(self, tool: str, service: str | None, environment: str | None) -> bool:
        """True when tool, service and environment all match (None matches only `*`)."""
        return (_any(tool, self.tools) and _any(service, self.services)
                and _any(environment, self.environments))


class RateLimit(_Strict):
    """At most `max` executions per target of the matching tools within `per`."""

    tools: list[str] = Field(min_length=1)
    max: int = Field(ge=0)
    per: Duration


class CircuitBreaker(_Strict):
    """Open (refuse) after `failures` consecutive failures of one tool on one target."""

    failures: int = Field(3, ge=1)
    cooldown: Duration = timedelta(minutes=15)


class Policy(_Strict):
    """The whole policy file."""

    rules: list[PolicyRule] = Field(
        default_factory=lambda: [PolicyRule(tools=["*"])])
    rate_limits: list[RateLimit] = Field(default_factory=lambda: [
        RateLimit(tools=REMEDIATION_TOOLS, max=3, per=timedelta(hours=1)),
        RateLimit(tools=["*"], max=30, per=timedelta(minutes=10)),
    ])
    circuit_breaker: CircuitBreaker = Field(default_factory=CircuitBreaker)

    def verdict(self, tool: str, risk: Risk, service: str | None,
                environment: str | None) -> Verdict:
        """Whether the tool may run here, and whether it needs a human approval first."""
        risk = Risk(risk)
        for rule in self.rules:
            if rule.matches(tool, service, environment):
                auto = risk != Risk.risky and risk.rank <= rule.max_auto_risk.rank
                return Verdict(True, not auto, f"rule tools={rule.tools}")
        return Verdict(False, True, f"policy allows no {tool} for service={service} "
                                    f"environment={environment}")

    def rate_limit(self, tool: str) -> RateLimit | None:
        """The first rate limit that applies to `tool`."""
        return next((r for r in self.rate_limits if _any(tool, r.tools)), None)


@dataclass(frozen=True)
class Verdict:
    """A policy answer."""

    allowed: bool
    needs_approval: bool
    reason: str


def _any(value: str | None, patterns: list[str]) -> bool:
    if value is None:
        return "*" in patterns
    return any(fnmatchcase(value, p) for p in patterns)


def load_policy(path: str | Path | None) -> Policy:
    """Read the policy YAML (None → the default policy); raises ValueError naming the problem."""
    if path is None:
        return Policy()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"tool policy {path}: {exc}") from exc
    return Policy.model_validate(data)
