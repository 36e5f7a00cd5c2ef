"""The investigation loop: the model may call read-only tools; anything else is refused in code."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.kernel.redact import redact_value
from agent.reasoning.llm.budget import TokenBudget, estimate_tokens
from agent.reasoning.llm.client import LLMClient
from agent.reasoning.llm.prompts import untrusted

log = logging.getLogger(__name__)

RunTool = Callable[[str, dict], Any]
ToolSet = tuple[list[dict], RunTool]

REFUSAL = ("refused: not an allowed read-only diagnostic tool; write and risky actions are "
           "proposals for humans and are never executed by the model")


@dataclass
class ToolCall:
    """One tool call the model asked for, and what happened to it."""

    name: str
    args: Any
    status: str  # envelope status: success | error | refused | …
    executed: bool


@dataclass
class Investigation:
    """Outcome of the loop: tool findings, calls, a possible direct answer and the cost."""

    findings: list[tuple[str, str]] = field(default_factory=list)  # (tool, wrapped result)
    calls: list[ToolCall] = field(default_factory=list)
    answer: str | None = None
    requests: int = 0
    stopped: str = ""


def allowed_names(tool_specs: list[dict]) -> set[str]:
    """Names of the function tools in the (read-only) specs; the only ones ever executed."""
    names = set()
    for spec in tool_specs:
        fn = spec.get("function") if isinstance(spec, dict) else None
        if spec.get("type") == "function" and isinstance(fn, dict) and fn.get("name"):
            names.add(str(fn["name"]))
    return names


def _envelope(result: Any, name: str) -> dict[str, Any]:
    if hasattr(result, "model_dump"):
        result = result.model_dump(mode="json")
    if not isinstance(result, dict):
        result = {"tool": name, "status": "success", "data": result}
    return result


def execute_call(name: str, raw_args: str | None, allowed: set[str],
                 run_tool: RunTool) -> tuple[dict[str, Any], ToolCall]:
    """Run one requested call if (and only if) its name is allowed; never raises."""
    if name not in allowed:
        env = {"tool": name, "status": "refused", "error": REFUSAL}
        return env, ToolCall(name, raw_args, "refused", executed=False)
    try:
        args = json.loads(raw_args or "{}")
    except json.JSONDecodeError as exc:
        env = {"tool": name, "status": "error", "error": f"arguments are not JSON: {exc.msg}"}
        return env, ToolCall(name, raw_args, "error", executed=False)
    if not isinstance(args, dict):
        env = {"tool": name, "status": "error", "error": "arguments must be a JSON object"}
        return env, ToolCall(name, args, "error", executed=False)
    try:
        env = _envelope(run_tool(name, args), name)
    except Exception as exc:  # tools must not raise; if one does, it stays out of the loop
        log.warning("tool raised", extra={"tool": name, "error": repr(exc)})
        env = {"tool": name, "status": "error", "error": f"tool failed: {type(exc).__name__}"}
    return env, ToolCall(name, args, str(env.get("status", "success")), executed=True)


def _tool_choice(setting: str, step: int, allowed: set[str]) -> Any:
    if step > 0 or setting == "auto":
        return "auto"
    if setting in allowed:
        return {"type": "function", "function": {"name": setting}}
    return setting  # "required" or "none"


def investigate(llm: LLMClient, messages: list[dict[str, Any]], tools: ToolSet,
                budget: TokenBudget) -> Investigation:
    """Let the model call read-only tools for up to `max_steps` rounds within the token budget."""
    section = llm.section
    tool_specs, run_tool = tools
    allowed = allowed_names(tool_specs)
    result = Investigation()
    convo = list(messages)
    for step in range(section.max_steps):
        if not budget.allows(estimate_tokens(convo, len(json.dumps(tool_specs)))
                             + 2 * section.max_output_tokens):
            result.stopped = "token budget"
            break
        comp = llm.complete(convo, tools=tool_specs,
                            tool_choice=_tool_choice(section.tool_choice, step, allowed))
        budget.spend(comp.tokens)
        result.requests += 1
        msg = comp.message
        calls = list(msg.tool_calls or [])
        if not calls:
            result.answer = msg.content
            result.stopped = "answered"
            break
        calls = calls[: section.max_tool_calls_per_step]
        convo.append({"role": "assistant", "content": msg.content or "", "tool_calls": [
            {"id": c.id, "type": "function",
             "function": {"name": c.function.name, "arguments": c.function.arguments or "{}"}}
            for c in calls]})
        for call in calls:
            env, record = execute_call(call.function.name, call.function.arguments, allowed,
                                       run_tool)
            llm.metrics.count("tool_calls", record.status)
            result.calls.append(record)
            wrapped = untrusted(f"tool:{call.function.name}",
                                json.dumps(redact_value(env), default=str, ensure_ascii=False),
                                section.tool_result_chars)
            result.findings.append((call.function.name, wrapped))
            convo.append({"role": "tool", "tool_call_id": call.id, "content": wrapped})
    else:
        result.stopped = "step budget"
    return result
