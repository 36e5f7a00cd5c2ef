"""Verified remediation: after an executed action, the runbook's `verify:` check, in a window.

Runbook front matter declares what proves the fix (values name facts, never targets):

```yaml
verify: {alert_resolves: true, within: 10m}                   # the incident's alerts resolve
verify: {metric: http_error_rate_percent, below: 5, within: 10m}  # a sample of the service under
verify: {health_check: true, within: 5m}   # the incident's own http_health_check passes again
```

The outcome is `verified` (evidence arrived in the window), `not_verified` (the window passed
and the evidence says it is still broken), or `unknown` (no check declared, or no evidence
either way). It is recorded on the action and the incident; `not_verified` escalates.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from agent.incidents.model import Incident, Outcome
from agent.incidents.service import IncidentService, decision_time
from agent.kernel.decision import ActionRef, Decision
from agent.kernel.durations import parse_duration
from agent.kernel.signal import Signal

log = logging.getLogger(__name__)
REMEDIATION_RISKS = ("safe_write", "risky")
# (tool, args) of the incident's own health-check action -> True when it passes
Prober = Callable[[str, dict[str, Any]], bool]
DecisionUpdate = Callable[[str, int, Outcome], None]


@dataclass(frozen=True)
class CheckSpec:
    """A parsed `verify:` declaration."""

    kind: str  # alert_resolves | metric_below | health_check | none
    window: timedelta
    metric: str | None = None
    below: float | None = None

    def as_json(self, probe: dict[str, Any] | None = None) -> str:
        """Serialized for the checks table (with the health-check args it will re-run)."""
        return json.dumps({"kind": self.kind, "window": self.window.total_seconds(),
                           "metric": self.metric, "below": self.below, "probe": probe},
                          sort_keys=True)


def parse_spec(value: Any, default_window: timedelta,
               thresholds: dict[str, float] | None = None) -> CheckSpec:
    """The check a runbook declares (`none` when it declares nothing usable)."""
    if not isinstance(value, dict):
        return CheckSpec("none", default_window)
    try:
        window = parse_duration(value.get("within", default_window))
    except ValueError:
        window = default_window
    if value.get("alert_resolves"):
        return CheckSpec("alert_resolves", window)
    if isinstance(value.get("metric"), str):
        below = value.get("below")
        if not isinstance(below, int | float):
            below = (thresholds or {}).get(value["metric"])
        if isinstance(below, int | float):
            return CheckSpec("metric_below", window, value["metric"], float(below))
    if value.get("health_check"):
        return CheckSpec("health_check", window)
    return CheckSpec("none", window)


def event_time(signal: Signal, decision: Decision) -> datetime:
    """When the signal happened: a resolve's end time, else the decision's signal time."""
    if signal.status == "resolved" and signal.ends_at is not None and signal.ends_at.year > 1:
        return signal.ends_at
    return decision_time(decision)


def _is_remediation(action: ActionRef, dry_run: bool = False) -> bool:
    ran = action.status == "executed" or (dry_run and action.status == "dry_run")
    return ran and (action.risk in REMEDIATION_RISKS or action.risk is None)


class Verifier:
    """Starts checks for executed remediations and settles them from the signal stream."""

    def __init__(self, incidents: IncidentService, *, window: timedelta,
                 thresholds: dict[str, float] | None = None, prober: Prober | None = None,
                 on_outcome: Callable[[Incident, str, Outcome, str], None] | None = None,
                 update_decision: DecisionUpdate | None = None) -> None:
        self.incidents, self.window, self.thresholds = incidents, window, thresholds or {}
        self.prober, self.on_outcome, self.update_decision = prober, on_outcome, update_decision
        self.conn = incidents.store.conn
        self.include_dry_run = False  # evals: check the logic on remediations that only dry-ran

    def _rows(self, where: str, params: tuple) -> list[Any]:
        with self.incidents.store.lock:
            return self.conn.execute(f"SELECT * FROM incident_checks WHERE {where}",
                                     params).fetchall()

    def checks(self, incident_id: str) -> list[dict[str, Any]]:
        """An incident's checks as plain rows (for display)."""
        return [dict(r) for r in self._rows("incident_id = ? ORDER BY started_at",
                                            (incident_id,))]

    def start(self, incident: Incident, decision: Decision, verify: Any) -> list[str]:
        """Open a check for every newly executed remediation of the decision."""
        started: list[str] = []
        at = max(decision_time(decision), self.incidents.clock())  # when the action ran
        for i, action in enumerate(decision.actions):
            if not _is_remediation(action, self.include_dry_run):
                continue
            key = f"{decision.signal_id}#{i}"
            spec = parse_spec(verify, self.window, self.thresholds)
            probe = next((a.args for a in decision.actions if a.tool == "http_health_check"
                          and a.status == "executed"), None)  # the incident's own check
            with self.incidents.store.tx() as conn:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO incident_checks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (key, incident.id, decision.signal_id, i, action.tool, spec.as_json(probe),
                     at.isoformat(), (at + spec.window).isoformat(), None, None, None, None))
            if cur.rowcount != 1:
                continue
            started.append(key)
            self.incidents.record(incident.id, "verification_started", (
                f"{action.tool}: {spec.kind}" + (f" {spec.metric} < {spec.below:g}"
                                                 if spec.kind == "metric_below" else "")
                + f" within {int(spec.window.total_seconds() // 60)}m"), at=at,
                data={"check": key, "kind": spec.kind})
            if spec.kind == "none":
                self._settle(key, incident.id, "unknown", "the runbook declares no verify check",
                             at)
        return started

    def observe(self, signal: Signal, decision: Decision) -> None:
        """Settle open checks that this signal proves (an alert resolved, a metric recovered)."""
        at = event_time(signal, decision)
        for row in self._rows("outcome IS NULL", ()):
            spec = json.loads(row["spec"])
            if at < datetime.fromisoformat(row["started_at"]) or at > datetime.fromisoformat(
                    row["deadline"]):
                continue
            incident = self.incidents.store.get(row["incident_id"])
            if spec["kind"] == "alert_resolves" and signal.status == "resolved":
                firing = self._fingerprints(incident)
                if decision.fingerprint in firing:
                    self._settle(row["key"], incident.id, "verified",
                                 f"alert resolved (signal {decision.signal_id})", at)
            elif spec["kind"] == "metric_below" and signal.metric is not None:
                sample = signal.metric
                same = (sample.name == spec["metric"] and
                        (signal.service is None or signal.service == incident.service))
                if same and sample.value < spec["below"]:
                    self._settle(row["key"], incident.id, "verified",
                                 f"{sample.name} = {sample.value:g} < {spec['below']:g}", at)
                elif same:
                    self._evidence(row["key"], f"{sample.name} = {sample.value:g}")

    @staticmethod
    def _fingerprints(incident: Incident) -> set[str]:
        return {e.data["fingerprint"] for e in incident.timeline
                if e.event in ("opened", "signal_linked") and e.data.get("fingerprint")
                and e.data.get("kind") in ("alert", "incident")
                and e.data.get("status") != "resolved"}

    def _evidence(self, key: str, note: str) -> None:
        with self.incidents.store.tx() as conn:
            conn.execute("UPDATE incident_checks SET evidence = ? WHERE key = ?", (note, key))

    def tick(self, now: datetime) -> list[str]:
        """Run health checks and settle every check whose window has passed."""
        settled: list[str] = []
        for row in self._rows("outcome IS NULL", ()):
            spec = json.loads(row["spec"])
            deadline = datetime.fromisoformat(row["deadline"])
            if spec["kind"] == "health_check" and self._probe(row):
                settled.append(row["key"])
                self._settle(row["key"], row["incident_id"], "verified", "health check passed",
                             min(now, deadline))
                continue
            if now < deadline:
                continue
            outcome, why = self._expired(spec, row)
            self._settle(row["key"], row["incident_id"], outcome, why, deadline)
            settled.append(row["key"])
        return settled

    def _probe(self, row: Any) -> bool:
        args = json.loads(row["spec"]).get("probe")
        if self.prober is None or not isinstance(args, dict):
            return False
        try:
            return bool(self.prober("http_health_check", args))
        except Exception:  # a failing probe is evidence of nothing
            log.exception("health probe failed", extra={"check": row["key"]})
            return False

    def _expired(self, spec: dict[str, Any], row: Any) -> tuple[Outcome, str]:
        window = f"{int(spec['window'] // 60)}m"
        if spec["kind"] == "alert_resolves":
            return "not_verified", f"the alert still fired {window} after the action"
        if spec["kind"] == "metric_below":
            if row["evidence"]:
                return "not_verified", f"last sample {row['evidence']} after {window}"
            return "unknown", f"no {spec['metric']} sample within {window}"
        if spec["kind"] == "health_check":
            if self.prober is None:
                return "unknown", "no health prober configured"
            return "not_verified", f"health check still failing after {window}"
        return "unknown", "the runbook declares no verify check"

    def _settle(self, key: str, incident_id: str, outcome: Outcome, why: str,
                at: datetime) -> None:
        with self.incidents.store.tx() as conn:
            cur = conn.execute("UPDATE incident_checks SET outcome=?, detail=?, decided_at=? "
                               "WHERE key=? AND outcome IS NULL",
                               (outcome, why, at.isoformat(), key))
        if cur.rowcount != 1:
            return
        signal_id, _, index = key.rpartition("#")

        def mark(incident: Incident) -> None:
            incident.verification = outcome

        incident = self.incidents.record(incident_id, f"remediation_{outcome}", why, at=at,
                                         data={"check": key}, update=mark)
        with self.incidents.store.tx():
            for link in self.incidents.store.links(incident_id):
                if link.kind == "action" and link.ref.startswith(f"{key}:"):
                    self.incidents.store.set_link_detail(incident_id, "action", link.ref,
                                                         f"{link.detail.split(';')[0]}; "
                                                         f"{outcome}")
        if self.update_decision is not None:
            try:
                self.update_decision(signal_id, int(index), outcome)
            except Exception:
                log.exception("could not record the outcome on the decision", extra={"key": key})
        if self.on_outcome is not None:
            self.on_outcome(incident, key, outcome, why)
        log.info("remediation check settled", extra={"check": key, "outcome": outcome})
