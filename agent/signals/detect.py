"""Auto-detection of the input format of a decoded payload (CONTRACTS §3).

Order for a JSON object (first match wins):
1. `alerts` array with Grafana markers (`orgId`, top-level `state`/`title`/`message`, or an alert
   with `values`/`valueString`/`dashboardURL`/`panelURL`/`silenceURL`) → grafana
2. `alerts` array (Alertmanager: `version`/`groupKey`/`receiver`, or anything else) → alertmanager
3. legacy Grafana (`ruleName` or `evalMatches`) → grafana
4. `event_action` (with `routing_key` or `payload.summary`, or alone) → pagerduty
4a. a Jira webhook (`webhookEvent` with an `issue`) or a bare Jira issue (`key` + `fields`) → jira
4b. a ServiceNow record (`sys_id`/`number` INC…/REQ…), `{"result": …}` or `{"table","record"}`
    → servicenow
4c. a Zendesk ticket event (`type` zen:event-type:ticket.*) or `{"ticket": {...}}` → zendesk
5. `metric` (a name or a Prometheus series object) + `value` → metric
6. `line` string → log
7. Slack: `type: message`, `type: event_callback` or an `event` object → slack
8. a bare alert (`labels` object with `alertname`, plus `annotations`/`startsAt`) → alertmanager
9. ticket: `reporter`/`requester`, `body` with a `title`/`subject`, or an `issue.fields` object
   → ticket
10. a structured log record (a level key and a message key) → log
11. any title/message/summary/description/text string, or a nested `detail` object with text
    (EventBridge / AWS Health) → generic
else SignalParseError("payload", ...).

Text (not JSON): a log-shaped first line (syslog 5424/3164, ISO timestamp prefix, klog, Common Log
Format, logfmt, an upper-case level prefix) → log; any other text → ticket.
"""

from __future__ import annotations

from typing import Any

from agent.signals.formats.common import fail
from agent.signals.formats.generic import has_nested_detail, has_text_field
from agent.signals.formats.jira import is_jira
from agent.signals.formats.log import is_json_log_object
from agent.signals.formats.logline import looks_like_log
from agent.signals.formats.metric import metric_value
from agent.signals.formats.servicenow import is_servicenow
from agent.signals.formats.zendesk import is_zendesk

_GRAFANA_ALERT_KEYS = ("values", "valueString", "dashboardURL", "panelURL", "silenceURL")


def _is_grafana(obj: dict[str, Any]) -> bool:
    if any(key in obj for key in ("orgId", "state", "title", "message")):
        return True
    alerts = obj["alerts"]
    return any(isinstance(a, dict) and any(k in a for k in _GRAFANA_ALERT_KEYS) for a in alerts)


def _is_metric(obj: dict[str, Any]) -> bool:
    if "value" not in obj:
        return False
    name = obj.get("metric")
    if isinstance(name, dict):
        return isinstance(obj["value"], list)
    return isinstance(name, str) and metric_value(obj["value"]) is not None


def _is_slack(obj: dict[str, Any]) -> bool:
    return (obj.get("type") in ("message", "event_callback", "app_mention")
            or isinstance(obj.get("event"), dict))


def _is_bare_alert(obj: dict[str, Any]) -> bool:
    labels = obj.get("labels")
    return (isinstance(labels, dict) and "alertname" in labels
            and any(key in obj for key in ("annotations", "startsAt", "generatorURL")))


def _is_ticket(obj: dict[str, Any]) -> bool:
    issue = obj.get("issue")
    if isinstance(issue, dict) and isinstance(issue.get("fields"), dict):
        return True
    if any(key in obj for key in ("reporter", "requester")):
        return True
    return "body" in obj and any(key in obj for key in ("title", "subject"))


def detect_object(obj: dict[str, Any]) -> str:
    """Name the format of a JSON object, in the documented order."""
    if isinstance(obj.get("alerts"), list):
        return "grafana" if _is_grafana(obj) else "alertmanager"
    if "ruleName" in obj or "evalMatches" in obj:
        return "grafana"
    if "event_action" in obj:
        return "pagerduty"
    if is_jira(obj):
        return "jira"
    if is_servicenow(obj):
        return "servicenow"
    if is_zendesk(obj):
        return "zendesk"
    if _is_metric(obj):
        return "metric"
    if isinstance(obj.get("line"), str):
        return "log"
    if _is_slack(obj):
        return "slack"
    if _is_bare_alert(obj):
        return "alertmanager"
    if _is_ticket(obj):
        return "ticket"
    if is_json_log_object(obj):
        return "log"
    if has_text_field(obj) or has_nested_detail(obj):
        return "generic"
    keys = ", ".join(sorted(str(k) for k in obj)[:8])
    fail("payload", f"unrecognized object (keys: {keys or 'none'}); pass --format explicitly")


def detect_text(text: str) -> str:
    """Name the format of free text: a log line when it looks like one, else a ticket."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "log" if looks_like_log(first) else "ticket"


def detect_format(payload: Any) -> str:
    """Name the format of a decoded payload (object or text)."""
    if isinstance(payload, dict):
        return detect_object(payload)
    if isinstance(payload, str):
        return detect_text(payload)
    fail("payload", "must be a JSON object or text")
