"""Proposing actions for a decision: the top runbook's allowed actions, arguments filled in.

Only front-matter actions (tool names or {tool, args}) are proposed, never anything read from
document bodies, alert text or tool output. Arguments come from the front matter, with
`{label}` placeholders and missing fields filled from the signal's structured labels; whatever
results is validated again (strict models, policy, approval) before anything can run.
"""

from __future__ import annotations

import re
from typing import Any

from agent.kernel.decision import ActionRef, Decision
from agent.kernel.signal import Signal
from knowledge.types import DocHit
from tools.registry import Registry

MAX_ACTIONS = 5
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]{0,40})\}")
_POD_SUFFIX = re.compile(r"-(?=[a-z]*\d)[a-z0-9]{3,10}-[a-z0-9]{3,5}$")  # replicaset hash + id


def _fill(value: Any, labels: dict[str, str]) -> Any:
    """Substitute `{label}` placeholders (unknown ones make the value None → invalid)."""
    if isinstance(value, str):
        missing = [m for m in _PLACEHOLDER.findall(value) if not labels.get(m)]
        if missing:
            return None
        return _PLACEHOLDER.sub(lambda m: labels[m.group(1)], value)
    if isinstance(value, list):
        return [_fill(v, labels) for v in value]
    return value


def _host(instance: str) -> str:
    host = re.sub(r"^[a-z]+://", "", instance).split("/")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _inferred(tool: str, labels: dict[str, str], decision: Decision) -> dict[str, Any]:
    """Arguments a tool needs, read from structured labels (never from free text)."""
    out: dict[str, Any] = {}
    instance = labels.get("instance", "")
    if tool == "systemd_restart":
        unit = labels.get("unit") or labels.get("name") or (
            f"{decision.service}.service" if decision.service else None)
        out["unit"] = unit
    elif tool in ("kubectl_rollout_restart", "kubectl_scale"):
        out["namespace"] = labels.get("namespace")
        for kind in ("deployment", "statefulset", "daemonset"):
            if labels.get(kind):
                out["kind"], out["name"] = kind, labels[kind]
                break
        else:
            pod = labels.get("pod") or labels.get("container")
            out["name"] = _POD_SUFFIX.sub("", pod) if pod else None
    elif tool == "http_health_check":
        url = labels.get("url") or (instance if instance.startswith(("http://", "https://"))
                                    else None)
        out["url"] = url
    elif tool == "dns_lookup":
        out["name"] = labels.get("host") or (_host(instance) if instance else None)
    elif tool == "tls_cert_expiry" and instance:
        out["host"] = _host(instance)
        port = instance.rsplit(":", 1)[-1] if instance.count(":") == 1 else ""
        if port.isdigit():
            out["port"] = int(port)
    elif tool == "disk_usage":
        out["path"] = labels.get("mountpoint") or labels.get("path")
    elif tool in ("tail_log", "rotate_logs"):
        out["path"] = labels.get("filename") or labels.get("log_path") or labels.get("path")
    elif tool == "clear_cache_dir":
        out["path"] = labels.get("cache_dir") or labels.get("path")
    elif tool == "recent_deploys":
        out["service"] = decision.service
    return {k: v for k, v in out.items() if v is not None}


def _entries(runbook: DocHit) -> list[tuple[str, dict[str, Any]]]:
    raw = runbook.metadata.get("actions") or []
    if isinstance(raw, str | dict):
        raw = [raw]
    entries: list[tuple[str, dict[str, Any]]] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str):
            entries.append((item.strip(), {}))
        elif isinstance(item, dict) and isinstance(item.get("tool"), str):
            args = item.get("args") if isinstance(item.get("args"), dict) else {}
            entries.append((item["tool"].strip(), dict(args)))
    return entries


def propose(signal: Signal, decision: Decision, runbooks: list[DocHit], registry: Registry,
            *, deploy_log: bool = False) -> list[ActionRef]:
    """Actions for this decision: the top runbook's allowed actions (+ recent deploys)."""
    labels = {k: v for k, v in signal.label_view().items() if isinstance(v, str)}
    if decision.service:
        labels.setdefault("service", decision.service)
    proposals: list[ActionRef] = []
    seen: set[str] = set()
    entries = [(t, a, f"runbook {runbooks[0].id}") for t, a in _entries(runbooks[0])] \
        if runbooks else []
    if deploy_log and decision.kind == "incident" and decision.service:
        entries.append(("recent_deploys", {}, "the decision (incident on a known service)"))
    for tool, args, source in entries:
        if tool in seen or len(proposals) >= MAX_ACTIONS:
            continue
        seen.add(tool)
        spec = registry.get(tool)
        filled = {k: v for k, v in ((k, _fill(v, labels)) for k, v in args.items())
                  if v is not None}
        if spec is not None:
            fields = spec.args_model.model_fields
            for key, value in _inferred(tool, labels, decision).items():
                if key in fields and key not in filled:
                    filled[key] = value
        proposals.append(ActionRef(tool=tool, args=filled, status="proposed",
                                   risk=spec.risk.value if spec else None,
                                   detail=f"proposed from {source}"))
    return proposals
