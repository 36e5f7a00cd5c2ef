"""Compressed JSON columns: zlib with a preset dictionary per record kind, found again on read.

A decision or a signal row is ~0.4-2 KB of JSON whose keys and common values repeat in every
row; plain zlib per row barely halves it, a preset dictionary of those keys and values takes it
to about a fifth (issue #12 storage targets). The dictionary's Adler-32 sits in the zlib header
(FDICT), so a reader finds the dictionary a blob was packed with; text written before packing
reads as it was. A dictionary here must never change once released: add a new one instead.

Callers pack text that was already redacted: packing hides nothing, it only shrinks.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from agent.kernel.decision import Decision

# Keys and values as the models serialize them, the most frequent last (zlib prefers the end).
DECISION_DICT = (
    b'"reasoner":"llm","source":"grafana","source":"pagerduty","source":"generic","source":"metric"'
    b',"source":"log","source":"ticket","source":"slack","kind":"request","kind":"event",'
    b'"event_type":"maintenance","event_type":"informational","event_type":"warning",'
    b'"impact":"low","urgency":"low","priority":"P5","severity":"SEV5","priority":"P4",'
    b'"severity":"SEV4","priority":"P1","severity":"SEV1","security":true,"verification":'
    b'"verified","status":"executed","status":"awaiting_approval","status":"dry_run",'
    b'"status":"approved","status":"failed","status":"resolved","risk":"risky","risk":"write",'
    b'"detail":"invalid arguments: ","detail":"rate limit: ","detail":"cannot plan: ",'
    b'"detail":"needs approval","tool":"kubectl_rollout_restart","tool":"kubectl_scale",'
    b'"tool":"systemd_restart","tool":"http_health_check","tool":"dns_lookup","tool":'
    b'"tls_cert_expiry","tool":"tail_log","tool":"top_processes","tool":"disk_usage","tool":'
    b'"recent_deploys","tool":"run_runbook_script","args":{"service":"","namespace":"",'
    b'"name":"","unit":"","limit":10,"sort":"cpu"}," Similar past cases: ",'
    b'"rationale":"event/informational by rule \'","rationale":"alert/exception by rule \'",'
    b'"rationale":"incident/exception by rule \'"," Impact high (tier 1 service ",'
    b'" Impact medium (tier 2 service "," Impact low (tier 3 service ","), urgency high (",'
    b'"), urgency medium (","), urgency low (","Team: "," (catalog team of ",'
    b'"correlated with an open incident","severity=critical; ","severity=warning; ",'
    b'{"signal_id":"sig-","source":"alertmanager","fingerprint":"","received_at":"2026-01-01T'
    b'00:00:00.000000Z","kind":"alert","event_type":"exception","security":false,"impact":'
    b'"medium","urgency":"high","priority":"P3","severity":"SEV3","priority":"P2","severity":'
    b'"SEV2","service":null,"team":null,"noise":{"duplicate_of":null,"suppressed_by":null,'
    b'"group_id":"g-","flapping":false,"notify":true},"runbooks":[{"id":".md","title":"",'
    b'"score":0.}],"postmortems":[],"actions":[{"tool":"","args":{},"status":"proposed","risk":'
    b'"read_only","detail":null,"verification":null},{"tool":"","args":{},"status":"refused",'
    b'"risk":"read_only","detail":"","verification":null}],"confidence":0.8,"rationale":"",'
    b'"citations":[".md"],"reasoner":"offline","llm_tokens":0,"title":"","status":"firing",'
    b'"llm_downgrades_blocked":[],"timestamp":"2026-01-01T00:00:00Z","runbook_url":null}'
)

SIGNAL_DICT = (
    b'"source":"grafana","source":"pagerduty","source":"generic","source":"metric","source":'
    b'"log","source":"ticket","source":"slack","status":"resolved","severity":"info",'
    b'"severity":"error","severity":"high","reporter":"","metric":{"name":"","value":0.0},'
    b'"labels":{"job":"","namespace":"","pod":"","container":"","team":"","env":"prod",'
    b'"ticket_system":""},"annotations":{"description":"","runbook_url":"https://",'
    b'"dashboard":""},"dedup_key":"","action":"trigger",'
    b'{"signal_id":"sig-","source":"alertmanager","fingerprint":"","status":"firing","title":"",'
    b'"text":"","labels":{"alertname":"","severity":"critical","service":"","instance":""},'
    b'"annotations":{"summary":""},"severity":"warning","severity":"critical","service":"",'
    b'"host":"","reporter":null,"metric":null,"starts_at":"2026-01-01T00:00:00Z","ends_at":null,'
    b'"timestamp":"2026-01-01T00:00:00Z","received_at":"2026-01-01T00:00:00.000000Z",'
    b'"dedup_key":null,"action":null}'
)

# Webhook bodies as senders post them: Alertmanager v4, Grafana unified alerting, PagerDuty v2.
PAYLOAD_DICT = (
    b'"routing_key":"","event_action":"trigger","dedup_key":"","payload":{"summary":"",'
    b'"source":"","severity":"critical","component":"","group":"","class":"",'
    b'"custom_details":{}},"links":[],"images":[],"client":"","client_url":"https://",'
    b'"severity":"warning","severity":"critical","status":"resolved","silenceURL":"http://",'
    b'"dashboardURL":"","panelURL":"","values":{},"valueString":"","orgId":1,"title":'
    b'"[FIRING:1] ","state":"alerting","message":"**Firing**\n\nValue: ","grafana_folder":"",'
    b'{"version":"4","groupKey":"{}:{alertname=\"\"}","truncatedAlerts":0,"status":"firing",'
    b'"receiver":"","groupLabels":{"alertname":""},"commonLabels":{"alertname":"",'
    b'"severity":"","service":"","instance":""},"commonAnnotations":{"summary":"",'
    b'"description":""},"externalURL":"http://alertmanager:9093","alerts":[{"status":"firing",'
    b'"labels":{"alertname":"","severity":"","service":"","instance":""},"annotations":'
    b'{"summary":"","description":""},"startsAt":"2026-01-01T00:00:00Z","endsAt":'
    b'"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph","fingerprint":""}]}'
)

# Facts of incident timeline entries (agent/incidents): a linked decision's, an action's.
TIMELINE_DICT = (
    b'{"fingerprint": "", "kind": "alert", "priority": "P3", "signal_id": "sig-", "source": '
    b'"alertmanager", "status": "resolved"}{"fingerprint": "", "kind": "incident", "priority": '
    b'"P2", "signal_id": "sig-", "source": "alertmanager", "status": "firing"}'
    b'{"action": "sig-#0:", "tool": ""}'
)

_DICTS = {zlib.adler32(d): d for d in (DECISION_DICT, SIGNAL_DICT, PAYLOAD_DICT, TIMELINE_DICT)}


def pack(text: str, dictionary: bytes | None = None) -> bytes:
    """`text` as stored: zlib-compressed, with a preset `dictionary` when given."""
    packer = zlib.compressobj(6, zdict=dictionary) if dictionary else zlib.compressobj(6)
    return packer.compress(text.encode("utf-8")) + packer.flush()


def unpack(stored: str | bytes | memoryview) -> str:
    """The text of a stored column: packed blobs inflated (with their dictionary), text as is."""
    if isinstance(stored, str):
        return stored
    data = bytes(stored)
    if len(data) >= 6 and data[1] & 0x20:  # FDICT: the dictionary's Adler-32 follows
        dictionary = _DICTS.get(int.from_bytes(data[2:6], "big"))
        if dictionary is None:
            raise ValueError("packed with an unknown dictionary")
        unpacker = zlib.decompressobj(zdict=dictionary)
        return (unpacker.decompress(data) + unpacker.flush()).decode("utf-8")
    return zlib.decompress(data).decode("utf-8")


def decision_from_row(body: str | bytes) -> Decision:
    """A decision from its stored `decisions.body` (packed, or JSON text in older rows)."""
    return Decision.model_validate_json(unpack(body))


def stored_json(body: str | bytes) -> Any:
    """A stored packed-or-text JSON column (`decisions.body`, `signals.body`) as JSON data."""
    return json.loads(unpack(body))
