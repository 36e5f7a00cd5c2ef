"""What is traced, following the OpenTelemetry GenAI semantic conventions (development status).

* one `invoke_agent triage` span per graph run (`Pipeline.decide`), with the signal id as
  `gen_ai.conversation.id` and the decision's kind, priority and team;
* one `stage {name}` span per graph node (normalize ... act), children of the run;
* one `execute_tool {tool}` span per tool call (`ToolRuntime.call`) with the approval
  disposition `triage.tool.disposition`: allowed, dry_run, denied, awaiting_approval or error;
* one `chat {model}` span per LLM completion (`LLMClient.complete`) with
  `gen_ai.usage.input_tokens` / `gen_ai.usage.output_tokens`.

`instrument()` wraps the run, tool and LLM entry points once, when tracing is turned on;
before that they are untouched. Graph nodes are built through `traced_stage`, whose wrapper
costs one boolean test per node while tracing is off. Span attributes never carry signal text,
prompts or tool output (untrusted, possibly secret).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from agent.kernel.version import version

F = TypeVar("F", bound=Callable[..., Any])
SCOPE = "triage"
_LOCK = threading.Lock()


class _State:
    active = False
    provider: Any = None  # a TracerProvider given to instrument(), else the global one


_STATE = _State()
DISPOSITION = {"success": "allowed", "no_data": "allowed", "dry_run": "dry_run",
               "refused": "denied", "approval_required": "awaiting_approval", "error": "error"}


def _tracer() -> Any:
    if _STATE.provider is not None:
        return _STATE.provider.get_tracer(SCOPE, version())
    from opentelemetry import trace

    return trace.get_tracer(SCOPE, version())


def _error(span: Any, exc: BaseException) -> None:
    from opentelemetry.trace import Status, StatusCode

    span.set_attribute("error.type", type(exc).__qualname__)
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, str(exc)[:200]))


def traced_stage(name: str, fn: F) -> F:
    """`fn` (a graph node) run inside a `stage {name}` span once tracing is on."""

    @functools.wraps(fn)
    def node(state: Any, runtime: Any) -> Any:
        if not _STATE.active:
            return fn(state, runtime)
        with _tracer().start_as_current_span(
                f"stage {name}", attributes={"triage.stage": name, "langgraph.node": name,
                                             "gen_ai.agent.name": "triage"},
                record_exception=False, set_status_on_exception=False) as span:
            try:
                return fn(state, runtime)
            except Exception as exc:
                if type(exc).__name__ != "GraphInterrupt":  # an approval pause, not a failure
                    _error(span, exc)
                raise

    return node  # type: ignore[return-value]


def _wrap_decide(decide: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(decide)
    def traced(self: Any, signal_id: str) -> Any:
        reasoner = getattr(self.context.reasoner, "name", None) or type(
            self.context.reasoner).__name__
        attrs = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "triage",
                 "gen_ai.agent.version": version(), "gen_ai.provider.name": "triage",
                 "gen_ai.conversation.id": signal_id, "triage.reasoner": str(reasoner)}
        with _tracer().start_as_current_span("invoke_agent triage", attributes=attrs,
                                             record_exception=False,
                                             set_status_on_exception=False) as span:
            try:
                decision = decide(self, signal_id)
            except Exception as exc:
                _error(span, exc)
                raise
            span.set_attributes({"triage.kind": decision.kind,
                                 "triage.priority": decision.priority,
                                 "triage.team": decision.team or "",
                                 "triage.source": decision.source,
                                 "gen_ai.usage.total_tokens": decision.llm_tokens})
            return decision

    return traced


def _wrap_tool_call(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def traced(self: Any, tool: str, args: Any, ctx: Any, **kwargs: Any) -> Any:
        name = str(tool)[:64]
        attrs = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name,
                 "gen_ai.tool.type": "function", "triage.actor": str(ctx.actor or ""),
                 "triage.signal_id": str(ctx.scope or "")}
        with _tracer().start_as_current_span(f"execute_tool {name}", attributes=attrs) as span:
            result = call(self, tool, args, ctx, **kwargs)
            disposition = DISPOSITION.get(result.status, result.status)
            span.set_attributes({"triage.tool.status": result.status,
                                 "triage.tool.disposition": disposition,
                                 "triage.tool.risk": str(getattr(result.risk, "value",
                                                                 result.risk) or ""),
                                 "gen_ai.tool.call.id": result.idempotency_key or ""})
            if result.status == "error":
                from opentelemetry.trace import Status, StatusCode

                span.set_attribute("error.type", "tool_error")
                span.set_status(Status(StatusCode.ERROR, (result.error or "")[:200]))
            return result

    return traced


def _server(client: Any) -> tuple[str, int] | None:
    base = getattr(getattr(client, "_client", None), "base_url", None)
    host, port = getattr(base, "host", None), getattr(base, "port", None)
    if not host:
        return None
    scheme = getattr(base, "scheme", "https")
    return str(host), int(port or (443 if scheme == "https" else 80))


def _wrap_complete(complete: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(complete)
    def traced(self: Any, messages: Any, **kwargs: Any) -> Any:
        attrs: dict[str, Any] = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                                 "gen_ai.request.model": self.model}
        if kwargs.get("max_tokens"):
            attrs["gen_ai.request.max_tokens"] = int(kwargs["max_tokens"])
        server = _server(self)
        if server:
            attrs["server.address"], attrs["server.port"] = server
        from opentelemetry.trace import SpanKind

        with _tracer().start_as_current_span(f"chat {self.model}", kind=SpanKind.CLIENT,
                                             attributes=attrs, record_exception=False,
                                             set_status_on_exception=False) as span:
            try:
                completion = complete(self, messages, **kwargs)
            except Exception as exc:
                _error(span, exc)
                raise
            span.set_attributes({"gen_ai.usage.input_tokens": completion.prompt_tokens,
                                 "gen_ai.usage.output_tokens": completion.completion_tokens,
                                 "gen_ai.output.type": "json" if kwargs.get("structured")
                                 else "text"})
            return completion

    return traced


def instrument(provider: Any = None) -> None:
    """Turn tracing on: wrap the run, tool and LLM entry points (once per process) and record
    stage spans. `provider`: a TracerProvider to use instead of the global one (tests)."""
    with _LOCK:
        if provider is not None:
            _STATE.provider = provider
        if _STATE.active:
            return
        from agent.pipeline import Pipeline
        from agent.reasoning.llm.client import LLMClient
        from tools.runtime import ToolRuntime

        Pipeline.decide = _wrap_decide(Pipeline.decide)  # type: ignore[method-assign]
        ToolRuntime.call = _wrap_tool_call(ToolRuntime.call)  # type: ignore[method-assign]
        LLMClient.complete = _wrap_complete(LLMClient.complete)  # type: ignore[method-assign]
        _STATE.active = True


def active() -> bool:
    """Whether spans are being recorded."""
    return _STATE.active
