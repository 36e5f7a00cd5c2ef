"""Proposing actions for a decision: the top runbook's allowed actions, arguments filled in.

Only front-matter actions (tool names or {tool, args}) are proposed, never anything read from
document bodies, alert text or tool output. Arguments that name a target come only from the
organisation's own inventory (`targets` config section), the catalog, or the runbook's own
literal arguments — never from a signal's labels, annotations or text. A label may *select*
one of the inventory's entries (equal value), but the value used is always the inventory's.
Whatever results is validated again (strict models, policy, egress, approval) before it runs.
"""

from __future__ import annotations

import re
from typing import Any

from agent.config.org import OrgConfig
from agent.config.targets import ServiceTargets, split_endpoint
from agent.kernel.decision import ActionRef, Decision
from agent.kernel.signal import Signal
from knowledge.types import DocHit
from tools.registry import Registry

MAX_ACTIONS = 5
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]{0,40})\}")


def _fill(value: Any, trusted: dict[str, str]) -> Any:
    """Substitute `{service}`-style placeholders from trusted values only (else None)."""
    if isinstance(value, str):
        if any(not trusted.get(m) for m in _PLACEHOLDER.findall(value)):
            return None
        return _PLACEHOLDER.sub(lambda m: trusted[m.group(1)], value)
    if isinstance(value, list):
        return [_fill(v, trusted) for v in value]
    return value


def _pick(options: list[str], wanted: list[str | None], *, strict: bool = False) -> str | None:
    """The inventory option a label names (by equal value), else the first one.

    `strict` (risky targets): when the signal names something that is not listed and the
    inventory has several options, guess nothing.
    """
    for want in wanted:
        if want and want in options:
            return options[options.index(want)]
    if strict and len(options) > 1 and any(wanted):
        return None
    return options[0] if options else None


def _host_of(instance: str) -> str:
    host = re.sub(r"^[a-z]+://", "", instance).split("/")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _workload(inv: ServiceTargets, labels: dict[str, str]) -> dict[str, Any]:
    names = [labels.get(k) for k in ("deployment", "statefulset", "daemonset", "pod",
                                     "container")]
    for w in inv.kubernetes:
        if labels.get("namespace") in (None, w.namespace) and any(
                n and (n == w.name or n.startswith(w.name + "-")) for n in names):
            return {"namespace": w.namespace, "kind": w.kind, "name": w.name}
    if len(inv.kubernetes) == 1 or (inv.kubernetes and not any(names)):
        w = inv.kubernetes[0]
        return {"namespace": w.namespace, "kind": w.kind, "name": w.name}
    return {}


def _inventory_args(tool: str, inv: ServiceTargets | None, labels: dict[str, str],
                    service: str | None) -> dict[str, Any]:
    """Arguments a tool needs, taken from the service's inventory (labels only select)."""
    if tool == "recent_deploys":
        return {"service": service} if service else {}
    if inv is None:
        return {}
    instance = labels.get("instance", "")
    out: dict[str, Any] = {}
    if tool == "systemd_restart":
        out["unit"] = _pick(inv.systemd_units, [labels.get("unit"), labels.get("name")],
                            strict=True)
    elif tool in ("kubectl_rollout_restart", "kubectl_scale"):
        out.update(_workload(inv, labels))
    elif tool == "http_health_check":
        out["url"] = _pick(inv.http, [labels.get("url"), instance])
    elif tool == "dns_lookup":
        out["name"] = _pick(inv.hosts, [labels.get("host"), _host_of(instance)])
    elif tool == "tls_cert_expiry":
        endpoint = _pick(inv.tls, [instance, labels.get("host")])
        if endpoint:
            out["host"], out["port"] = split_endpoint(endpoint)
    elif tool == "disk_usage":
        out["path"] = _pick(inv.disk_paths, [labels.get("mountpoint"), labels.get("path")])
    elif tool in ("tail_log", "rotate_logs"):
        out["path"] = _pick(inv.log_paths, [labels.get("filename"), labels.get("log_path")])
    elif tool == "clear_cache_dir":
        out["path"] = _pick(inv.cache_dirs, [labels.get("cache_dir"), labels.get("path")])
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
            *, deploy_log: bool = False, config: OrgConfig | None = None) -> list[ActionRef]:
    """Actions for this decision: the top runbook's allowed actions (+ recent deploys)."""
    labels = {k: v for k, v in signal.label_view().items() if isinstance(v, str)}
    config = config or OrgConfig()
    service = decision.service if decision.service in config.services else None
    inventory = config.targets.for_service(service)
    trusted = {"service": service} if service else {}
    proposals: list[ActionRef] = []
    seen: set[str] = set()
    entries = [(t, a, f"runbook {runbooks[0].id}") for t, a in _entries(runbooks[0])] \
        if runbooks else []
    if deploy_log and decision.kind == "incident" and service:
        entries.append(("recent_deploys", {}, "the decision (incident on a catalog service)"))
    for tool, args, source in entries:
        if tool in seen or len(proposals) >= MAX_ACTIONS:
            continue
        seen.add(tool)
        spec = registry.get(tool)
        filled = {k: v for k, v in ((k, _fill(v, trusted)) for k, v in args.items())
                  if v is not None}
        origin = "runbook" if filled else ""
        if spec is not None:
            fields = spec.args_model.model_fields
            extra = {k: v for k, v in _inventory_args(tool, inventory, labels, service).items()
                     if k in fields and k not in filled}
            if extra:
                filled.update(extra)
                origin = f"{origin} + inventory of {service}" if origin else \
                    f"inventory of {service}"
        detail = f"proposed from {source}" + (f"; arguments from {origin}" if origin else "")
        proposals.append(ActionRef(tool=tool, args=filled, status="proposed",
                                   risk=spec.risk.value if spec else None, detail=detail))
    return proposals
