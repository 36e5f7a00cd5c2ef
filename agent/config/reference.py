"""The configuration reference (docs/configuration.md), generated from the pydantic models.

`triage config docs` prints it; a test keeps the committed file equal to this output. Every
section and key of `OrgConfig` and every environment variable of `Settings` is listed with its
type, default and description (the field's `description`, else the comment on its line).
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from functools import cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from agent.config.org import OrgConfig
from agent.config.settings import Settings

# Descriptions for keys whose model field carries neither a description nor a line comment.
NOTES: dict[tuple[str, str], str] = {
    ("OrgConfig", "services"): "the service catalog: name → team, tier, facts (impact, routing)",
    ("OrgConfig", "routes"): "Alertmanager-style matchers on signal labels → team; first match "
                             "wins",
    ("OrgConfig", "teams"): "team name → Slack channel and who may approve risky actions",
    ("OrgConfig", "maintenance"): "declared windows; a matching signal inside [start, end) is "
                                  "event/maintenance and suppressed",
    ("OrgConfig", "inhibit_rules"): "Alertmanager inhibit rules; an inhibited signal keeps its "
                                    "kind and priority and is marked suppressed",
    ("OrgConfig", "grouping"): "Alertmanager grouping and notification timing",
    ("OrgConfig", "security_team"): "where security signals go when no route or service decides",
    ("OrgConfig", "thresholds"): "metric name → warning/critical levels for raw samples (format "
                                 "`metric`)",
    ("OrgConfig", "noise"): "dedup, flapping, grouping windows, dynamic baselines",
    ("OrgConfig", "llm"): "the optional OpenAI-compatible reasoner",
    ("OrgConfig", "knowledge"): "knowledge-base storage and embeddings",
    ("OrgConfig", "tools"): "remediation tools: kill switch, policy, folders, limits",
    ("ServiceEntry", "team"): "owning team (routing falls back to it)",
    ("ServiceEntry", "tier"): "1 → high impact, 2 → medium, 3 → low",
    ("ServiceEntry", "customer_facing"): "an error or latency breach on it is measured user impact",
    ("ServiceEntry", "description"): "what it is; its distinctive terms let text name the service",
    ("ServiceEntry", "aliases"): "other names text may use for the service",
    ("Route", "match"): "label → value, all must be equal",
    ("Route", "match_re"): "label → regular expression, fully anchored",
    ("Route", "team"): "the team a matching signal goes to",
    ("Team", "slack_channel"): "where the team's decisions are posted",
    ("Team", "approvers"): "Slack user ids allowed to approve the team's risky actions",
    ("MaintenanceWindow", "match"): "label → value the signal must carry (e.g. service)",
    ("MaintenanceWindow", "match_re"): "label → regular expression, fully anchored",
    ("MaintenanceWindow", "start"): "window start, inclusive",
    ("MaintenanceWindow", "end"): "window end, exclusive",
    ("MaintenanceWindow", "reason"): "shown as `suppressed_by`",
    ("InhibitRule", "source_matchers"): "matchers a firing signal must satisfy to inhibit",
    ("InhibitRule", "target_matchers"): "matchers of the signals it inhibits",
    ("InhibitRule", "equal"): "labels that must be equal on source and target",
    ("Grouping", "group_by"): "labels that form a group",
    ("Grouping", "group_wait"): "wait before the first notification of a new group",
    ("Grouping", "group_interval"): "wait before notifying about new signals in a group",
    ("Grouping", "repeat_interval"): "wait before re-notifying an unchanged group",
    ("Threshold", "warning"): "at or beyond: event/warning",
    ("Threshold", "critical"): "at or beyond: a breach (alert/exception)",
    ("Threshold", "direction"): "`above` (higher is worse) or `below`",
    ("NoiseSection", "dedup_window"): "how long a fingerprint/dedup_key is remembered",
    ("NoiseSection", "flap_window"): "window in which state changes are counted",
    ("LLMSection", "model"): "model name (else TRIAGE_LLM_MODEL)",
    ("LLMSection", "confidence_threshold"): "`auto`: ask the LLM when the offline reasoner's "
                                            "confidence is below this",
    ("LLMSection", "always"): "`auto`: ask the LLM for every signal",
    ("LLMSection", "json_schema_strict"): "send `strict: true` with the JSON schema",
    ("KnowledgeSection", "chroma_url"): "Chroma server (else embedded under --home; "
                                        "TRIAGE_CHROMA_URL wins)",
    ("KnowledgeSection", "embeddings"): "`onnx` (offline, bundled) or `openai` (the endpoint's "
                                        "/embeddings)",
    ("KnowledgeSection", "embedding_model"): "model for `openai` embeddings",
    ("ToolsSection", "enabled"): "kill switch: false refuses every tool call",
    ("ToolsSection", "policy_file"): "YAML policy (allowlist, risk, limits) replacing the "
                                     "built-in one",
    ("ToolsSection", "approval_ttl"): "how long an approval request stays valid",
    ("OrgConfig", "tickets"): "ticketing systems (Jira, ServiceNow, Zendesk): inbound webhooks, "
                              "write-back, polling",
    ("Settings", "home"): "holds all state: SQLite database, checkpoints, embedded Chroma",
    ("Settings", "config"): "the YAML organisation file",
    ("Settings", "reasoner"): "`offline`, `llm`, or `auto` (LLM only when the offline reasoner is "
                              "unsure)",
    ("Settings", "log_level"): "log level of the service",
    ("Settings", "openai_base_url"): "OpenAI-compatible endpoint for the LLM reasoner",
    ("Settings", "openai_api_key"): "its API key",
    ("Settings", "llm_model"): "the model to ask",
    ("Settings", "llm_timeout_s"): "seconds per LLM request",
    ("Settings", "chroma_url"): "a Chroma server instead of the embedded store",
    ("Settings", "slack_bot_token"): "Slack bot token (xoxb-...)",
    ("Settings", "slack_signing_secret"): "verifies Slack's HTTP requests (`POST /slack/events`)",
    ("Settings", "slack_app_token"): "Socket Mode app token (xapp-...) for `triage slack`",
    ("Settings", "slack_api_url"): "Slack Web API base URL (default Slack's)",
    ("Settings", "webhook_token"): "bearer token the webhook and API routes require",
}
MAX_EXAMPLE_ITEMS = 3

_COMMENT = re.compile(r"^\s+(\w+):.*?#\s*(.+)$")
_FIELD = re.compile(r"^\s+(\w+):\s")
HEADER = """# Configuration reference

<!-- Generated by `triage config docs` from agent/config (pydantic models). Do not edit by hand:
     tests/agent/test_config_reference.py fails when this file is out of date. -->

Two sources configure Triage:

* **the YAML organisation file** (`--config FILE` or `TRIAGE_CONFIG`): the service catalog, routes,
  teams, maintenance windows, inhibit rules, grouping, thresholds and the optional `noise`, `llm`,
  `knowledge` and `tools` sections. Every key is optional; an unknown key is an error that names
  it. `triage config check --config FILE` validates a file. The bundled `agent/demo/config.yaml`
  is a complete example.
* **environment variables** (or a `.env` file in the working directory): where state lives,
  secrets, endpoints. Command-line flags override them.

Durations are written like Alertmanager's (`30s`, `5m`, `4h`, `1d`). Times are RFC 3339 with a
timezone.
"""


@cache
def _comments(model: type[BaseModel]) -> dict[str, str]:
    """Trailing `# comment` of each field line in the model's source."""
    try:
        source = inspect.getsource(model)
    except (OSError, TypeError):
        return {}
    out: dict[str, str] = {}
    above: str | None = None
    for line in source.splitlines():
        match = _COMMENT.match(line)
        field = _FIELD.match(line)
        if match:
            out.setdefault(match.group(1), match.group(2).strip())
        elif field and above:
            out.setdefault(field.group(1), above)
        stripped = line.strip()
        above = stripped[1:].strip() if stripped.startswith("#") else None
    return out


def _type(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _type(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(_type(a) for a in get_args(annotation))
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in get_args(annotation))
    if origin in (list, tuple, set):
        return f"list of {_type(get_args(annotation)[0])}"
    if origin is dict:
        key, value = get_args(annotation)
        return f"map {_type(key)} → {_type(value)}"
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    name = getattr(annotation, "__name__", str(annotation))
    return {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
            "timedelta": "duration", "datetime": "RFC 3339 time", "Path": "path",
            "SecretStr": "secret string"}.get(name, name)


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        try:
            value = field.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return "(computed)"
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    if isinstance(value, BaseModel):
        return "see below"
    if hasattr(value, "total_seconds"):
        seconds = int(value.total_seconds())
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds and seconds % size == 0:
                return f"`{seconds // size}{unit}`"
        return f"`{seconds}s`"
    if value in ({}, []):
        return "empty"
    if value is None:
        return "unset"
    if value == "":
        return '`""`'
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def _constraints(field: FieldInfo) -> str:
    parts = []
    for item in field.metadata:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{sign} {value}")
        pattern = getattr(item, "pattern", None)
        if pattern:
            parts.append(f"matches `{pattern}`")
    return f" ({', '.join(parts)})" if parts else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(model: type[BaseModel]) -> list[str]:
    comments = _comments(model)
    rows = ["| key | type | default | description |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        key = field.alias or name
        text = (field.description or comments.get(name)
                or NOTES.get((model.__name__, name), ""))
        rows.append(f"| `{key}` | {_type(field.annotation)} | {_default(field)} | "
                    f"{_cell(text + _constraints(field))} |")
    return rows


def _nested(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in seen:
                seen.add(annotation)
                found.append(annotation)
                for f in annotation.model_fields.values():
                    visit(f.annotation)
            return
        for arg in get_args(annotation):
            visit(arg)

    for field in model.model_fields.values():
        visit(field.annotation)
    return found


def _doc(model: type[BaseModel]) -> str:
    return inspect.cleandoc(model.__doc__ or "").split("\n\n")[0].replace("\n", " ")


def _settings_table() -> list[str]:
    comments = _comments(Settings)
    rows = ["| variable | type | default | description |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None) or [alias or name]
        env = " / ".join(f"`{c}`" for c in choices if isinstance(c, str) and c.isupper())
        text = field.description or comments.get(name) or NOTES.get(("Settings", name), "")
        default = "per-user data folder" if name == "home" else _default(field)
        rows.append(f"| {env or f'`{name}`'} | {_type(field.annotation)} | {default} | "
                    f"{_cell(text + _constraints(field))} |")
    return rows


def render_reference(example: dict[str, Any] | None = None) -> str:
    """The Markdown reference; `example` (a parsed YAML config) supplies per-section examples."""
    import yaml

    lines = [HEADER, "## The YAML file (`OrgConfig`)", "", _doc(OrgConfig), "",
             *_table(OrgConfig), ""]
    seen: set[type[BaseModel]] = set()
    section_of = {}
    for name, field in OrgConfig.model_fields.items():
        for model in _nested_from(field.annotation):
            section_of.setdefault(model, name)
    for model in _nested(OrgConfig, seen):
        lines += [f"### {model.__name__}", ""]
        section = section_of.get(model)
        if section:
            lines += [f"Used by `{section}`. {_doc(model)}", ""]
        else:
            lines += [_doc(model), ""]
        lines += [*_table(model), ""]
        if example and section in example and section_of.get(model) == section \
                and _first_model_of(section) is model:
            snippet = yaml.safe_dump({section: _trim(example[section])}, sort_keys=False,
                                     allow_unicode=True, width=96).rstrip()
            lines += ["Example (from `agent/demo/config.yaml`):", "", "```yaml", snippet, "```",
                      ""]
    lines += ["## Environment variables (`Settings`)", "", _doc(Settings), "",
              *_settings_table(), ""]
    return "\n".join(lines).rstrip() + "\n"


def _trim(value: Any) -> Any:
    """The first few entries of a long map or list (examples stay short)."""
    if isinstance(value, dict) and len(value) > MAX_EXAMPLE_ITEMS:
        return dict(list(value.items())[:MAX_EXAMPLE_ITEMS])
    if isinstance(value, list) and len(value) > MAX_EXAMPLE_ITEMS:
        return value[:MAX_EXAMPLE_ITEMS]
    return value


def _nested_from(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in get_args(annotation) for m in _nested_from(a)]


def _first_model_of(section: str) -> type[BaseModel] | None:
    models = _nested_from(OrgConfig.model_fields[section].annotation)
    return models[0] if models else None
