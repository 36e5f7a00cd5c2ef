"""Load eval datasets (CONTRACTS §5 JSON Lines) with errors that name the line and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.kernel.taxonomy import EventType, Kind, Priority

FormatName = Literal[
    "auto", "alertmanager", "grafana", "pagerduty", "generic", "metric", "log", "ticket", "slack",
    "jira", "servicenow", "zendesk",
]


class DatasetError(ValueError):
    """A dataset line is malformed; the message names the file, line number and field."""


class Delivery(BaseModel):
    """One payload delivered to the pipeline (a case's input or one of its context items)."""

    model_config = ConfigDict(extra="forbid")

    format: FormatName = "auto"
    payload: dict[str, Any] | list[Any] | str


class Expected(BaseModel):
    """The labels of a case; every field optional (a metric only counts cases that carry it)."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    event_type: EventType | None = None
    security: bool | None = None
    priority: Priority | None = None
    team: str | None = None
    runbook: str | None = None
    action: str | None = None
    suppressed: bool | None = None
    duplicate: bool | None = None
    # addition: the follow-up check of an executed remediation (cases with `followup`)
    verified: Literal["verified", "not_verified", "unknown"] | None = None

    def carried(self) -> dict[str, Any]:
        """The fields this case labels: non-null values, plus explicit nulls for team/action."""
        out: dict[str, Any] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if value is not None or name in {"team", "action"}:
                out[name] = value
        return out


class EvalCase(BaseModel):
    """One labeled case: input payload, optional context delivered first, labels and tags."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    input: Delivery
    context: list[Delivery] = Field(default_factory=list)
    followup: list[Delivery] = Field(default_factory=list)  # addition: delivered after input
    expected: Expected = Field(default_factory=Expected)
    tags: list[str] = Field(default_factory=list)


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
    more = f" (+{len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{where}: {msg}{more}"


def parse_case(line: str, lineno: int, origin: str) -> EvalCase:
    """Parse one JSON line into an EvalCase; raise DatasetError naming line and field."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{origin}:{lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise DatasetError(f"{origin}:{lineno}: a case must be a JSON object")
    try:
        return EvalCase.model_validate(data)
    except ValidationError as exc:
        raise DatasetError(f"{origin}:{lineno}: {_describe(exc)}") from None


def load_dataset(path: str | Path) -> list[EvalCase]:
    """Read every case of a JSONL dataset (blank lines skipped; ids must be unique)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"{file}: cannot read: {exc.strerror or exc}") from None
    cases: list[EvalCase] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        case = parse_case(line, lineno, str(file))
        if case.id in seen:
            raise DatasetError(f"{file}:{lineno}: id: duplicate of line {seen[case.id]}")
        seen[case.id] = lineno
        cases.append(case)
    if not cases:
        raise DatasetError(f"{file}: no cases")
    return cases
