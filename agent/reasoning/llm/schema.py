"""The decision the LLM must return: a pydantic model, its JSON schemas and a tolerant parser."""

from __future__ import annotations

import copy
import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from agent.kernel.taxonomy import EventType, Kind, Level

SCHEMA_NAME = "triage_decision"

Citation = Annotated[str, StringConstraints(max_length=160)]


class LLMDecision(BaseModel):
    """What the model decides for one signal (every field required, nothing extra)."""

    model_config = ConfigDict(extra="forbid")

    rationale: str = Field(max_length=500, description="Why, citing the evidence; short.")
    kind: Kind
    event_type: EventType
    security: bool
    impact: Level
    urgency: Level
    team: str | None = Field(max_length=64, description="Owning team, or null when unknown.")
    confidence: float = Field(ge=0, le=1)
    citations: list[Citation] = Field(max_length=5, description="Document ids used.")


class InvalidAnswer(ValueError):
    """The model's answer is not a valid LLMDecision; the message says why (for the retry)."""


_STRICT_UNSUPPORTED = ("maxLength", "minLength", "title")


def _strip(node: Any, keys: tuple[str, ...]) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v, keys) for k, v in node.items() if k not in keys}
    if isinstance(node, list):
        return [_strip(v, keys) for v in node]
    return node


def decision_schema(*, strict: bool = False) -> dict[str, Any]:
    """The JSON schema of LLMDecision; `strict` drops keywords OpenAI strict mode rejects."""
    schema = copy.deepcopy(LLMDecision.model_json_schema())
    schema["additionalProperties"] = False
    schema["required"] = list(schema["properties"])
    if strict:
        schema = _strip(schema, _STRICT_UNSUPPORTED)
        schema["additionalProperties"] = False
    return schema


def response_format_json_schema(*, strict: bool) -> dict[str, Any]:
    """The `response_format` for servers with structured outputs (json_schema)."""
    return {"type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "schema": decision_schema(strict=strict),
                            "strict": strict}}


def response_format_json_object(*, with_schema: bool) -> dict[str, Any]:
    """The `response_format` for JSON mode; llama.cpp servers also accept a `schema` in it."""
    fmt: dict[str, Any] = {"type": "json_object"}
    if with_schema:
        fmt["schema"] = decision_schema(strict=False)
    return fmt


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def _summarize(err: ValidationError) -> str:
    parts = []
    for e in err.errors()[:8]:
        loc = ".".join(str(p) for p in e["loc"]) or "(root)"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


def parse_decision(content: str | None) -> LLMDecision:
    """Parse and validate the model's JSON answer; raise InvalidAnswer with a short reason."""
    if not content or not content.strip():
        raise InvalidAnswer("empty answer; return one JSON object")
    text = content.strip()
    if fence := _FENCE.match(text):
        text = fence.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"not valid JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(data, dict):
        raise InvalidAnswer("the answer must be one JSON object")
    try:
        return LLMDecision.model_validate(data)
    except ValidationError as exc:
        raise InvalidAnswer(_summarize(exc)) from None
