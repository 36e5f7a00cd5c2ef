"""Read-only tools for the LLM reasoner's investigation loop, bound to one signal at a time.

The model chooses which read-only diagnostic to call and with which arguments — so its calls
get no more than any other untrusted caller: only read-only tools that policy lets run
unattended, through `ToolRuntime.call()` (strict arguments, folder confinement, the egress
policy — network targets only from the inventory —, rate limits, the audit ledger). Nothing
the model asks for can create an approval request or run a write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.context import ActionContext
from tools.envelope import Risk
from tools.runtime import ToolRuntime

RunTool = Callable[[str, dict], Any]
REFUSED = "refused: only read-only diagnostics that policy runs unattended are available here"


def function_specs(runtime: ToolRuntime) -> list[dict[str, Any]]:
    """OpenAI function schemas for the runtime's read-only tools."""
    out = []
    for spec in runtime.registry.specs():
        if spec.risk != Risk.read_only:
            continue
        params = spec.args_model.model_json_schema()
        params.pop("title", None)
        out.append({"type": "function", "function": {
            "name": spec.name, "description": spec.description[:500], "parameters": params}})
    return out


class InvestigationTools:
    """Hands the reasoner (specs, run_tool) for one signal; every call is audited for it."""

    def __init__(self, runtime: ToolRuntime) -> None:
        self.runtime = runtime
        self._specs = function_specs(runtime)

    def for_signal(self, signal_id: str, service: str | None,
                   environment: str | None = None) -> tuple[list[dict[str, Any]], RunTool]:
        """The tool specs and a runner whose calls are scoped to this signal."""
        ctx = ActionContext(scope=f"investigate:{signal_id}", service=service,
                            environment=environment, actor="llm-investigation")

        def run(name: str, args: dict) -> Any:
            spec = self.runtime.registry.get(name)
            if spec is None or spec.risk != Risk.read_only:
                return {"tool": str(name)[:64], "status": "refused", "error": REFUSED}
            verdict = self.runtime.policy.verdict(spec.name, spec.risk, service, environment)
            if not verdict.allowed or verdict.needs_approval:
                return {"tool": spec.name, "status": "refused", "error": REFUSED}
            return self.runtime.call(spec.name, args, ctx)

        return self._specs, run
