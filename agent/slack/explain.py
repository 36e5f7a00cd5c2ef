"""`/triage why <signal_id>`: explain a stored decision from its own record, nothing invented."""

from __future__ import annotations

from agent.config.org import OrgConfig
from agent.kernel.decision import Decision
from agent.slack.text import code, safe

_IMPACT = {"high": "tier 1 / customer-facing / production-wide",
           "medium": "tier 2 or one team's service", "low": "tier 3, one user or one device"}
_URGENCY = {"high": "hard failure or outage now, or failure within the hour",
            "medium": "degradation with a workaround, or critical without confirmed impact",
            "low": "soft threshold, slow burn or explicitly not urgent"}
_MATRIX = ("impact \\ urgency   high  medium  low\n"
           "high               P1    P2      P3\n"
           "medium             P2    P3      P4\n"
           "low                P3    P4      P5")


def _catalog(decision: Decision, config: OrgConfig) -> str:
    entry = config.services.get(decision.service or "")
    if entry is None:
        return "service not in the catalog"
    facing = "customer-facing" if entry.customer_facing else "internal"
    return f"catalog: tier {entry.tier}, {facing}, team {entry.team or 'none'}"


def explain_decision(decision: Decision, config: OrgConfig) -> str:
    """Rationale, the impact × urgency cell with the catalog facts, noise, runbooks, actions."""
    lines = [
        f"*{decision.kind.upper()} {decision.priority}* ({decision.severity}) for "
        f"{code(decision.signal_id)}: {safe(decision.title, 300)}",
        f"*Rationale:* {safe(decision.rationale, 1500) or 'none recorded'}",
        f"*Priority:* impact *{decision.impact}* ({_IMPACT[decision.impact]}) × urgency "
        f"*{decision.urgency}* ({_URGENCY[decision.urgency]}) → *{decision.priority}*; "
        f"service {code(decision.service or 'none')} ({_catalog(decision, config)})",
        f"```{_MATRIX}```",
    ]
    if decision.kind == "request":
        lines.append("Requests are not scored by event type; their priority follows the same "
                     "matrix.")
    noise = decision.noise
    if noise.duplicate_of:
        lines.append(f"*Noise:* duplicate of {code(noise.duplicate_of)}")
    elif noise.suppressed_by:
        lines.append(f"*Noise:* suppressed by {code(noise.suppressed_by, 120)}")
    if noise.group_id:
        lines.append(f"*Group:* {code(noise.group_id)}")
    docs = [*decision.runbooks[:3], *decision.postmortems[:2]]
    if docs:
        lines.append("*Knowledge:* " + "; ".join(
            f"{code(d.id)} {safe(d.title, 120)} ({d.score:.2f})" for d in docs))
    else:
        lines.append("*Knowledge:* no runbook or postmortem matched")
    if decision.runbook_url:
        lines.append(f"*Runbook link (from the alert):* <{decision.runbook_url}>")
    if decision.actions:
        lines.append("*Actions:* " + "; ".join(
            f"{code(a.tool, 60)} {a.status}" + (f" ({safe(a.detail, 160)})" if a.detail else "")
            for a in decision.actions[:5]))
    lines.append(f"_confidence {decision.confidence:.2f}, reasoner {decision.reasoner}_")
    return "\n".join(lines)
