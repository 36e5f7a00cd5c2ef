"""Log lines (syslog, ISO, JSON, logfmt, klog), tickets and Slack messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.kernel.errors import SignalParseError


def test_rfc3164_line_takes_year_from_received_at(parse) -> None:
    line = "<34>Nov 20 08:14:15 web-01 sshd[4312]: Failed password for root from 10.0.0.5 port 22"
    (signal,) = parse(line)
    assert signal.source == "log" and signal.host == "web-01"
    assert signal.labels["program"] == "sshd" and signal.labels["pid"] == "4312"
    assert signal.labels["facility"] == "auth" and signal.severity == "critical"
    assert signal.service == "sshd"  # program before host
    assert signal.timestamp == datetime(2026, 11, 20, 8, 14, 15, tzinfo=UTC)
    assert signal.title.startswith("Failed password for root")
    assert signal.raw == line


def test_rfc3164_line_from_last_december_goes_to_previous_year(parse) -> None:
    received = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    (signal,) = parse("Dec 31 23:59:58 db-1 postgres[77]: checkpoint complete", "log", received)
    assert signal.timestamp == datetime(2026, 12, 31, 23, 59, 58, tzinfo=UTC)
    assert signal.severity is None  # no PRI, no level: none invented


def test_rfc5424_line(parse) -> None:
    line = ('<165>1 2026-11-20T08:14:15.003+01:00 mymachine.example.com evntslog - ID47 '
            '[exampleSDID@32473 iut="3" eventSource="Application"] An application event')
    (signal,) = parse(line, "log")
    assert signal.timestamp == datetime(2026, 11, 20, 7, 14, 15, 3000, tzinfo=UTC)
    assert signal.host == "mymachine.example.com" and signal.labels["program"] == "evntslog"
    assert signal.labels["msgid"] == "ID47" and signal.severity == "notice"
    assert signal.text == "An application event"


def test_iso_prefixed_line_with_level_and_component(parse) -> None:
    (signal,) = parse("2026-11-20 08:00:01,250 ERROR [checkout-api] payment failed for order 1234")
    assert signal.severity == "error" and signal.service == "checkout-api"
    assert signal.timestamp == datetime(2026, 11, 20, 8, 0, 1, 250000, tzinfo=UTC)
    assert signal.title == "payment failed for order 1234"


def test_json_log_line_and_object(parse) -> None:
    line = ('{"ts":"2026-11-20T08:00:00+01:00","level":"WARN","msg":"slow query took 2300ms",'
            '"service":"orders","host":"db-1","trace_id":"abc"}')
    (signal,) = parse(line)
    assert signal.source == "log" and signal.severity == "warning"
    assert signal.service == "orders" and signal.host == "db-1"
    assert signal.timestamp == datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    assert signal.labels["trace_id"] == "abc" and signal.title == "slow query took 2300ms"
    (again,) = parse({"line": line, "labels": {"cluster": "eu-1"}})
    assert again.labels["cluster"] == "eu-1" and again.fingerprint == signal.fingerprint


def test_log_fingerprint_masks_numbers_and_ids(parse) -> None:
    a = parse("<11>Nov 20 08:00:00 web-01 app[1]: order 1234 failed id=0x1f2e3d")[0]
    b = parse("<11>Nov 20 08:01:00 web-01 app[2]: order 9876 failed id=0xdeadbeef")[0]
    c = parse("<11>Nov 20 08:01:00 web-02 app[2]: order 9876 failed id=0xdeadbeef")[0]
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_logfmt_klog_and_plain_lines(parse) -> None:
    (fmt,) = parse('time=2026-11-20T08:00:00Z level=error msg="upstream timeout" service=cart')
    assert fmt.severity == "error" and fmt.service == "cart" and fmt.title == "upstream timeout"
    (klog,) = parse("E1120 08:00:00.123456    1234 reflector.go:138] failed to list pods", "log")
    assert klog.severity == "error" and klog.timestamp.month == 11
    (plain,) = parse("ERROR: disk full on /var", "log")
    assert plain.severity == "error" and plain.title == "disk full on /var"


def test_multiline_log_text_splits_into_records(parse) -> None:
    text = ("2026-11-20T08:00:00Z ERROR [api] boom\nTraceback (most recent call last):\n"
            "  File \"x.py\", line 1\n2026-11-20T08:00:05Z INFO [api] recovered")
    first, second = parse(text, "log")
    assert "Traceback" in first.text and first.title == "boom"
    assert second.severity == "info"


@pytest.mark.parametrize(("payload", "message"), [
    ({"line": 5}, "line: must be a string"),
    ({"line": "   "}, "line: must not be empty"),
    ({"foo": 1}, "line: required"),
    ({"line": "x", "timestamp": "never"}, "timestamp"),
])
def test_malformed_log(parse, payload, message: str) -> None:
    with pytest.raises(SignalParseError) as info:
        parse(payload, "log")
    assert message in str(info.value)


def test_ticket_object(parse) -> None:
    body = {"id": "INC-4411", "title": "Cannot access finance share",
            "body": "Since this morning I get access denied on \\\\fs01\\finance.",
            "reporter": {"name": "Ann Lee", "email": "ann@example.com"}, "priority": "low",
            "created_at": "2026-11-20T07:30:00Z", "service": "file-share"}
    (signal,) = parse(body)
    assert signal.source == "ticket" and signal.reporter == "ann@example.com"
    assert signal.title == "Cannot access finance share"
    assert signal.text.startswith("Cannot access finance share\nSince this morning")
    assert signal.labels["priority"] == "low" and signal.labels["ticket_id"] == "INC-4411"
    assert signal.service == "file-share" and signal.severity is None
    assert signal.timestamp == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)


def test_ticket_aliases_and_plain_text(parse, received) -> None:
    (alias,) = parse({"subject": "New laptop", "description": "Mine is broken",
                      "requester": "bob"}, "ticket")
    assert alias.title == "New laptop" and alias.reporter == "bob"
    (text,) = parse("Please give me access to the finance share\n\nThanks, Bob")
    assert text.source == "ticket" and text.title == "Please give me access to the finance share"
    assert "Thanks, Bob" in text.text and text.timestamp == received
    with pytest.raises(SignalParseError, match="title: required"):
        parse({"priority": "high"}, "ticket")


def test_slack_message_event_and_envelope(parse) -> None:
    event = {"type": "message", "channel": "C024BE91L", "user": "U2147483697",
             "text": "checkout is down for <#C1|payments> customers &amp; rising",
             "ts": "1763625600.000200"}
    (signal,) = parse(event)
    assert signal.source == "slack" and signal.reporter == "U2147483697"
    assert signal.text == "checkout is down for #payments customers & rising"
    assert signal.labels["channel"] == "C024BE91L"
    assert signal.timestamp == datetime(2025, 11, 20, 8, 0, 0, 200, tzinfo=UTC)
    envelope = {"token": "x", "team_id": "T1", "type": "event_callback", "event": event,
                "event_id": "Ev1", "event_time": 1763625600}
    (wrapped,) = parse(envelope)
    assert wrapped.fingerprint == signal.fingerprint and wrapped.labels["slack_team"] == "T1"
    assert wrapped.raw == {**envelope, "token": "[REDACTED]"}  # the verification token
    (plain,) = parse("is anyone else seeing VPN drops?", "slack")
    assert plain.source == "slack" and plain.title == "is anyone else seeing VPN drops?"


@pytest.mark.parametrize(("payload", "message"), [
    ({"type": "event_callback"}, "event: must be an object"),
    ({"event": {"type": "message"}}, "event.text: required"),
    ({"type": "message", "text": "hi", "ts": "yesterday"}, "ts:"),
    ("   ", "payload: empty input"),
])
def test_malformed_slack(parse, payload, message: str) -> None:
    with pytest.raises(SignalParseError) as info:
        parse(payload, "slack")
    assert message in str(info.value)


def test_slack_bot_message_with_attachments_and_jira_ticket(parse) -> None:
    bot = {"type": "message", "subtype": "bot_message", "bot_id": "B1", "text": "",
           "attachments": [{"title": "[FIRING:1] HighErrorRate", "text": "checkout 5xx at 12%"}],
           "ts": "1763625600.1"}
    (signal,) = parse(bot)
    assert signal.source == "slack" and signal.reporter == "B1"
    assert signal.text == "[FIRING:1] HighErrorRate\ncheckout 5xx at 12%"
    jira = {"webhookEvent": "jira:issue_created",
            "issue": {"id": "10002", "key": "OPS-17", "fields": {
                "summary": "Grant VPN access", "description": "New hire needs VPN",
                "reporter": {"displayName": "Ann", "emailAddress": "ann@example.com",
                             "name": "ann"},
                "priority": {"name": "Medium"}, "created": "2026-11-20T08:00:00.000+0000",
                "customfield_10010": None}}}
    (ticket,) = parse(jira)
    assert ticket.source == "ticket" and ticket.title == "Grant VPN access"
    assert ticket.labels["ticket_id"] == "OPS-17" and ticket.labels["priority"] == "Medium"
    assert ticket.reporter == "ann@example.com" and ticket.raw == jira
    assert ticket.timestamp == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_component_after_level_and_nginx_error_lines(parse) -> None:
    (job,) = parse("2026-12-01T13:00:05Z ERROR reporting [job=daily_sales] retrying fetch")
    assert job.service == "reporting" and job.title == "[job=daily_sales] retrying fetch"
    (colon,) = parse("2026-12-01T13:00:05Z WARN checkout-api: slow upstream")
    assert colon.service == "checkout-api" and colon.severity == "warning"
    (prose,) = parse("2026-12-01T13:00:05Z ERROR failed: connection reset")
    assert prose.service is None and prose.title == "failed: connection reset"
    nested = ('Dec  1 13:00:01 web-2 nginx[812]: 2026/12/01 13:00:01 [error] 812#0: *9921 '
              'open() "/usr/share/nginx/html/favicon.ico" failed')
    (signal,) = parse(nested)
    assert signal.severity == "error" and signal.service == "nginx"
    assert signal.title.startswith("*9921 open()")
    (plain,) = parse("2026/12/01 13:00:01 [crit] 1#1: worker exited", "log")
    assert plain.severity == "critical"
    assert plain.timestamp == datetime(2026, 12, 1, 13, 0, 1, tzinfo=UTC)


def test_container_runtime_prefixed_lines(parse) -> None:
    (cri,) = parse('2026-12-01T13:00:05.123456789Z stderr F {"level":"error","msg":"oom"}', "log")
    assert cri.severity == "error" and cri.title == "oom"
    assert cri.timestamp == datetime(2026, 12, 1, 13, 0, 5, 123456, tzinfo=UTC)
    (text,) = parse("2026-12-01T13:00:05Z stdout F WARN cache miss storm", "log")
    assert text.severity == "warning" and text.title == "cache miss storm"
