"""LLMReasoner: the OpenAI-compatible reasoner behind the same interface as the offline one."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Literal, Protocol

import openai

from agent.config.sections import LLMSection
from agent.kernel.redact import redact_value
from agent.reasoning.llm.budget import TokenBudget, estimate_tokens
from agent.reasoning.llm.client import LLMClient, LLMUnavailable
from agent.reasoning.llm.evidence import render_evidence, render_tool_findings
from agent.reasoning.llm.floor import apply_floor
from agent.reasoning.llm.investigate import Investigation, ToolSet, investigate
from agent.reasoning.llm.metrics import DecisionRecord, LLMMetrics
from agent.reasoning.llm.prompts import SYSTEM_PROMPT, retry_message
from agent.reasoning.llm.schema import InvalidAnswer, LLMDecision, parse_decision
from agent.reasoning.types import Evidence, Judgement, Reasoner

log = logging.getLogger(__name__)

Mode = Literal["llm", "auto"]


class SignalTools(Protocol):
    """Investigation tools bound per signal (e.g. `tools.investigation.InvestigationTools`)."""

    def for_signal(self, signal_id: str, service: str | None,
                   environment: str | None = None) -> ToolSet:
        """The (specs, run_tool) pair whose calls are scoped to this signal."""
        ...


class _Fallback(Exception):
    def __init__(self, reason: str, tokens: int) -> None:
        super().__init__(reason)
        self.reason, self.tokens = reason, tokens


def _known_teams(ev: Evidence) -> set[str]:
    cfg = ev.config
    teams = set(cfg.teams) | {s.team for s in cfg.services.values() if s.team}
    teams |= {r.team for r in cfg.routes}
    if cfg.security_team:
        teams.add(cfg.security_team)
    return teams


def _doc_ids(ev: Evidence) -> set[str]:
    return ({h.id for h in ev.runbooks} | {h.id for h in ev.postmortems}
            | {c.id for c in ev.cases})


class LLMReasoner:
    """Judges a signal with an LLM (optionally investigating with read-only tools).

    Falls back to the injected offline reasoner, with the reason in the rationale, whenever the
    endpoint is unavailable, over budget or answers invalidly twice.
    """

    name = "llm"

    def __init__(self, client: openai.OpenAI, model: str, section: LLMSection,
                 fallback: Reasoner, mode: Mode = "llm",
                 tools: ToolSet | SignalTools | None = None, *,
                 metrics: LLMMetrics | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 on_decision: Callable[[DecisionRecord], None] | None = None) -> None:
        if mode not in ("llm", "auto"):
            raise ValueError(f"mode must be 'llm' or 'auto', not {mode!r}")
        self.section = section
        self.fallback = fallback
        self.mode = mode
        self.tools = tools
        self.llm = LLMClient(client, model, section, metrics=metrics, sleep=sleep, clock=clock)
        self.metrics = self.llm.metrics
        self._clock = clock
        self._on_decision = on_decision
        self.last_record: DecisionRecord | None = None

    def _skip_reason(self, ev: Evidence, base: Judgement) -> str | None:
        """Why this signal is decided without the LLM (noise gate, confident offline rules)."""
        noise = ev.noise
        if noise.duplicate_of or noise.suppressed_by or noise.maintenance:
            return "noise gate: duplicate, suppressed or in maintenance"
        if (self.mode == "auto" and not self.section.always
                and base.confidence >= self.section.confidence_threshold):
            return "auto: offline confidence above threshold"
        return None

    def judge(self, evidence: Evidence) -> Judgement:
        """Decide one signal; never raises for a well-formed Evidence."""
        started = self._clock()
        base = self.fallback.judge(evidence)
        sid = evidence.signal.signal_id
        skip = self._skip_reason(evidence, base)
        if skip:
            self._finish(DecisionRecord(sid, "skipped", skip), started)
            if self.mode == "llm":
                base.rationale = f"{base.rationale} [LLM not consulted: {skip}]"
            return base
        budget = TokenBudget(self.section.max_tokens_per_signal)
        record = DecisionRecord(sid, "llm")
        try:
            try:
                decision, inv = self._decide(evidence, base, budget, record)
            except (_Fallback, LLMUnavailable):
                raise
            except Exception as exc:  # judge() never raises: anything unexpected falls back
                log.exception("LLM reasoner failed", extra={"signal_id": sid})
                raise _Fallback(f"internal error: {type(exc).__name__}", budget.spent) from None
        except _Fallback as fb:
            record.outcome, record.reason, record.tokens = "fallback", fb.reason, fb.tokens
            self._finish(record, started)
            log.info("LLM fallback", extra={"signal_id": sid, "reason": fb.reason})
            base.rationale = f"{base.rationale} [LLM fallback: {fb.reason}]"
            base.llm_tokens = fb.tokens
            return base
        record.tokens = budget.spent
        judged = apply_floor(base, self._judgement(evidence, base, decision, inv, budget.spent))
        if judged.downgrades_blocked:
            record.reason = "downgrade blocked: " + "; ".join(judged.downgrades_blocked)
            self.metrics.count("downgrades_blocked")
            log.warning("LLM downgrade blocked", extra={
                "signal_id": sid, "blocked": judged.downgrades_blocked})
        self._finish(record, started)
        return judged

    def _finish(self, record: DecisionRecord, started: float) -> None:
        record.latency_s = self._clock() - started
        self.last_record = record
        self.metrics.decision(record)
        log.info("llm reasoner decision", extra={
            "signal_id": record.signal_id, "outcome": record.outcome, "reason": record.reason,
            "llm_tokens": record.tokens, "latency_s": round(record.latency_s, 3)})
        if self._on_decision is not None:
            self._on_decision(record)

    def _decide(self, ev: Evidence, base: Judgement, budget: TokenBudget,
                record: DecisionRecord) -> tuple[LLMDecision, Investigation | None]:
        user = render_evidence(ev, base, limit=self.section.max_block_chars)
        messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT},
                                          {"role": "user", "content": user}]
        inv: Investigation | None = None
        toolset = self._toolset(ev)
        try:
            if toolset is not None and toolset[0] and self.section.max_steps > 0:
                inv = investigate(self.llm, messages, toolset, budget)
                record.requests += inv.requests
                record.tool_calls = [{"tool": c.name, "args": redact_value(c.args),
                                      "status": c.status, "executed": c.executed}
                                     for c in inv.calls]
                if inv.answer:
                    try:
                        return parse_decision(inv.answer), inv
                    except InvalidAnswer:
                        pass  # ask again with the structured response format
                if inv.findings:
                    messages[1] = {"role": "user", "content": user + "\n" + render_tool_findings(
                        inv.findings)}
            return self._structured(messages, budget, record), inv
        except LLMUnavailable as exc:
            raise _Fallback(exc.reason, budget.spent) from None

    def _toolset(self, ev: Evidence) -> ToolSet | None:
        """The investigation tools: a fixed ToolSet, or one bound to this signal."""
        if self.tools is None or isinstance(self.tools, tuple):
            return self.tools
        labels = ev.signal.labels
        return self.tools.for_signal(ev.signal.signal_id, ev.signal.service,
                                     labels.get("env") or labels.get("environment"))

    def _structured(self, messages: list[dict[str, Any]], budget: TokenBudget,
                    record: DecisionRecord) -> LLMDecision:
        """Ask for the decision; retry once with the validation error, then give up."""
        error = ""
        for attempt in range(2):
            if not budget.allows(estimate_tokens(messages) + self.section.max_output_tokens):
                raise _Fallback(f"token budget: {budget.limit} tokens per signal exhausted",
                                budget.spent)
            comp = self.llm.complete(messages, structured=True)
            budget.spend(comp.tokens)
            record.requests += 1
            try:
                return parse_decision(comp.message.content)
            except InvalidAnswer as exc:
                error = str(exc)
                self.metrics.count("errors", "invalid_answer")
                if attempt == 0:
                    messages = [*messages,
                                {"role": "assistant", "content": comp.message.content or ""},
                                {"role": "user", "content": retry_message(error)}]
        raise _Fallback(f"invalid answer twice: {error}", budget.spent)

    def _judgement(self, ev: Evidence, base: Judgement, d: LLMDecision,
                   inv: Investigation | None, tokens: int) -> Judgement:
        """Turn the validated answer into a Judgement, enforcing contract invariants."""
        event_type, security = d.event_type, d.security
        if d.kind == "request":  # CONTRACTS: requests are informational, never security
            event_type, security = "informational", False
        team = base.team
        if team is None and d.team in _known_teams(ev):
            team = d.team
        ids = _doc_ids(ev)
        citations = [c for c in d.citations if c in ids]
        rationale = f"LLM: {d.rationale.strip()}"
        if inv is not None and inv.calls:
            done = ", ".join(f"{c.name}={c.status}" for c in inv.calls)
            rationale += f" [tools: {done}]"
        return Judgement(kind=d.kind, event_type=event_type, security=security, impact=d.impact,
                         urgency=d.urgency, confidence=min(1.0, max(0.0, d.confidence)),
                         rationale=rationale, team=team, citations=citations or base.citations,
                         reasoner="llm", llm_tokens=tokens)
