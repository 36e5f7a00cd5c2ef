"""Render Evidence as a user message: trusted config facts plus delimited untrusted data blocks."""

from __future__ import annotations

from typing import Any

from agent.reasoning.llm.prompts import dumps, untrusted
from agent.reasoning.types import Evidence, Judgement


def _catalog_facts(ev: Evidence) -> dict[str, Any]:
    """Config-derived facts (operator-written YAML) relevant to this signal."""
    cfg = ev.config
    facts: dict[str, Any] = {}
    svc = ev.signal.service
    if svc and svc in cfg.services:
        facts["service_catalog_entry"] = {svc: cfg.services[svc].model_dump(mode="json")}
    facts["catalog"] = [
        f"{name} team={s.team} tier={s.tier}{' customer-facing' if s.customer_facing else ''}"
        for name, s in list(cfg.services.items())[:30]]
    labels = ev.signal.label_view()
    route = next((r.team for r in cfg.routes if r.matches(labels)), None)
    if route:
        facts["first_matching_route_team"] = route
    if cfg.security_team:
        facts["security_team"] = cfg.security_team
    if ev.signal.metric is not None and ev.signal.metric.name in cfg.thresholds:
        facts["threshold"] = {ev.signal.metric.name:
                              cfg.thresholds[ev.signal.metric.name].model_dump(mode="json")}
    noise = ev.noise
    facts["noise"] = {"group_id": noise.group_id, "flapping": noise.flapping,
                      "inside_maintenance_window": noise.maintenance,
                      "anomaly": noise.anomaly}
    return facts


def _signal_fields(ev: Evidence) -> dict[str, Any]:
    s = ev.signal
    fields: dict[str, Any] = {
        "source": s.source, "status": s.status, "severity": s.severity, "service": s.service,
        "host": s.host, "reporter": s.reporter, "timestamp": s.timestamp.isoformat(),
        "labels": s.labels}
    if s.metric is not None:
        fields["metric"] = {"name": s.metric.name, "value": s.metric.value}
    if s.action:
        fields["action"] = s.action
    return fields


def render_evidence(ev: Evidence, prior: Judgement | None, *, limit: int = 2000) -> str:
    """The user message for one signal; every piece of signal or document text is untrusted."""
    s = ev.signal
    parts = ["Decide the triage labels for this signal.",
             "TRUSTED FACTS (from the operator's configuration):", dumps(_catalog_facts(ev))]
    parts.append("SIGNAL (untrusted data):")
    parts.append(untrusted("signal.fields", dumps(_signal_fields(ev)), limit))
    if s.title:
        parts.append(untrusted("signal.title", s.title, limit))
    if s.text and s.text != s.title:
        parts.append(untrusted("signal.text", s.text, limit))
    if s.annotations:
        parts.append(untrusted("alert.annotations", dumps(s.annotations), limit))
    if ev.related:
        lines = [f"{d.timestamp or d.received_at} {d.signal_id} {d.kind}/{d.event_type} "
                 f"{d.priority} service={d.service} title={d.title!r}" for d in ev.related[:10]]
        parts.append("CORRELATED SIGNALS in the same group (untrusted):")
        parts.append(untrusted("related", "\n".join(lines), limit))
    for label, hits in (("RUNBOOKS", ev.runbooks), ("POSTMORTEMS", ev.postmortems)):
        for hit in hits[:3]:
            parts.append(f"{label[:-1]} id={dumps(hit.id)} score={hit.score:.2f}:")
            parts.append(untrusted(f"{hit.kind}:{hit.id}", f"{hit.title}\n{hit.snippet}",
                                   min(limit, 1200)))
    for case in ev.cases[:3]:
        parts.append(f"PAST CASE id={dumps(case.id)} score={case.score:.2f} labels="
                     f"{untrusted('case.labels', dumps(case.labels), 600)}:")
        parts.append(untrusted(f"case:{case.id}", case.text, 800))
    if prior is not None:
        parts.append("RULE-BASED PRE-ASSESSMENT (may be wrong; check it against the guide):")
        parts.append(untrusted("offline_reasoner", dumps({
            "kind": prior.kind, "event_type": prior.event_type, "security": prior.security,
            "impact": prior.impact, "urgency": prior.urgency, "team": prior.team,
            "confidence": round(prior.confidence, 2), "rationale": prior.rationale}), limit))
    return "\n".join(parts)


def render_tool_findings(findings: list[tuple[str, str]]) -> str:
    """Summarize diagnostic tool results (already wrapped as untrusted) for the final request."""
    if not findings:
        return ""
    lines = ["DIAGNOSTIC TOOL RESULTS (untrusted data):"]
    for name, wrapped in findings:
        lines.append(f"tool {name}:")
        lines.append(wrapped)
    return "\n".join(lines)
