"""OpenAI function schemas for the read-only tools the LLM may call while investigating."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class ToolDescription(Protocol):
    """What a registry entry offers for a schema: name, description, risk, pydantic args."""

    name: str
    description: str

    @property
    def risk(self) -> Any:
        """The tool's risk level (an enum or its value)."""
        ...

    @property
    def args_model(self) -> Any:
        """The pydantic model of the arguments."""
        ...


def read_only_tool_specs(specs: Iterable[ToolDescription]) -> list[dict[str, Any]]:
    """OpenAI function schemas for the read-only tools among registry specs (others dropped)."""
    out = []
    for spec in specs:
        if str(getattr(spec, "risk", "")) not in ("read_only", "Risk.read_only"):
            continue
        params = spec.args_model.model_json_schema()
        params.pop("title", None)
        out.append({"type": "function", "function": {
            "name": spec.name, "description": spec.description[:500], "parameters": params}})
    return out
