"""Recognize and take apart one log line: RFC 5424 and RFC 3164 syslog, ISO-timestamp-prefixed
lines, JSON log objects, logfmt, klog and Common Log Format. Pure text handling, no Signal."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.signals.formats.common import SYSLOG_SEVERITIES, normalize_level, soft_time
from agent.signals.formats.structured_log import (
    LOGFMT_HINT,
    LOGFMT_START,
    LogLine,
    from_json_object,
    is_structured_log,
    parse_logfmt,
)

LEVEL_WORDS = ("emergency", "emerg", "alert", "critical", "crit", "fatal", "panic", "error",
               "err", "warning", "warn", "notice", "info", "information", "debug", "trace")
_LEVEL = "|".join(LEVEL_WORDS)
_ISO = (r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
        r"(?:\s?(?:Z|[+-]\d{2}(?::?\d{2})?))?")

RFC5424 = re.compile(
    r"^<(?P<pri>\d{1,3})>(?P<ver>\d{1,2}) (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<pid>\S+) "
    r"(?P<msgid>\S+) (?P<sd>-|(?:\[(?:[^\]\\\"]|\\.|\"(?:[^\"\\]|\\.)*\")*\])+)(?: (?P<msg>.*))?$",
    re.DOTALL)
RFC3164 = re.compile(
    r"^(?:<(?P<pri>\d{1,3})>)?(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +"
    r"(?P<day>\d{1,2}) (?P<time>\d{2}:\d{2}:\d{2}) (?P<rest>.*)$", re.DOTALL)
ISO_PREFIX = re.compile(rf"^(?:<(?P<pri>\d{{1,3}})>)?\[?(?P<ts>{_ISO})\]?\s+(?P<rest>.*)$",
                        re.DOTALL)
HOST_TAG = re.compile(r"^(?P<host>[\w.\-:@/]+) (?P<tag>[^\s:\[\]]+)(?:\[(?P<pid>[^\]]*)\])?: ?"
                      r"(?P<msg>.*)$", re.DOTALL)
TAG_ONLY = re.compile(r"^(?P<tag>[^\s:\[\]]+)(?:\[(?P<pid>[^\]]*)\])?: (?P<msg>.*)$", re.DOTALL)
LEVEL_PREFIX = re.compile(rf"^[\[<(]?(?P<level>{_LEVEL})[\]>)]?:?(?:\s+|$)(?P<rest>.*)$",
                          re.DOTALL | re.IGNORECASE)
UPPER_LEVEL_START = re.compile(
    rf"^(?:\[(?i:{_LEVEL})\]|(?:{_LEVEL.upper()})(?::|\s))")
BRACKET_NAME = re.compile(r"^\[(?P<name>[A-Za-z][\w.\-/]{0,80})\]:?\s+(?P<rest>.*)$", re.DOTALL)
NAME_BEFORE_CONTEXT = re.compile(
    r"^(?P<name>[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*) (?=\[)(?P<rest>.*)$"
    r"|^(?P<name2>[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+): (?P<rest2>.*)$", re.DOTALL)
CRI_STREAM = re.compile(r"^(?:stdout|stderr) [FP] ")
NGINX_ERROR = re.compile(r"^(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(?P<level>[a-z]+)\] "
                         r"(?P<pid>\d+)#(?P<tid>\d+): (?P<msg>.*)$", re.DOTALL)
THREADISH = re.compile(r"^main$|thread|exec|worker|pool|-\d+$", re.IGNORECASE)
LEVEL_COLON = re.compile(rf"^(?i:{_LEVEL}):")
KLOG = re.compile(r"^(?P<lvl>[IWEF])(?P<mmdd>\d{4}) (?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+"
                  r"(?P<pid>\d+) (?P<src>[^\]\s]+)\] (?P<msg>.*)$", re.DOTALL)
CLF = re.compile(r"^(?P<client>\S+) \S+ \S+ \[(?P<ts>\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} "
                 r"[+-]\d{4})\] \"(?P<request>[^\"]*)\" (?P<status>\d{3}) (?P<rest>.*)$",
                 re.DOTALL)
# HPC syslog archives (loghub Thunderbird/Spirit/Liberty layout): an alert tag ("-" or a
# category; a label, never read), epoch seconds, a date, the node, then a syslog line.
HPC = re.compile(r"^(?:-|[A-Z][A-Z0-9_]*) (?P<epoch>\d{9,11}) \d{4}\.\d{2}\.\d{2} "
                 r"(?P<node>\S+) (?P<rest>.*)$", re.DOTALL)
_KLOG_LEVELS = {"I": "info", "W": "warning", "E": "error", "F": "fatal"}
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_FACILITIES = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
               "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0",
               "local1", "local2", "local3", "local4", "local5", "local6", "local7")


def _nil(value: str | None) -> str | None:
    return None if value in (None, "", "-") else value


def _pri(line: LogLine, pri: str | None) -> None:
    if pri is None:
        return
    number = int(pri)
    if number > 191:
        return
    line.level = SYSLOG_SEVERITIES[number % 8]
    line.fields["facility"] = _FACILITIES[number // 8]


def _rfc3164_time(mon: str, day: str, clock: str, received_at: datetime) -> datetime | None:
    """RFC 3164 carries no year: take received_at's year, or the previous one if in the future."""
    for year in (received_at.year, received_at.year - 1):
        try:
            moment = datetime.strptime(f"{year} {_MONTHS[mon]} {day} {clock}", "%Y %m %d %H:%M:%S")
        except ValueError:
            continue
        moment = moment.replace(tzinfo=UTC)
        if moment <= received_at + timedelta(days=1):
            return moment
    return None


def _split_level(line: LogLine, rest: str) -> str:
    match = LEVEL_PREFIX.match(rest)
    if match:
        line.level = normalize_level(match.group("level"))
        return match.group("rest")
    return rest


def _parse_json(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def parse_log_line(text: str, received_at: datetime) -> LogLine:
    """Take one log line apart; unknown syntax keeps the whole text as the message."""
    text = text.strip().lstrip("\ufeff")
    obj = _parse_json(text)
    if obj is not None:
        return from_json_object(obj)
    if match := HPC.match(text):
        return _hpc(match, received_at)
    if match := RFC5424.match(text):
        line = LogLine(message=(match.group("msg") or "").lstrip("\ufeff"), syntax="rfc5424",
                       timestamp=soft_time(_nil(match.group("ts"))),
                       host=_nil(match.group("host")), program=_nil(match.group("app")))
        _pri(line, match.group("pri"))
        for key in ("pid", "msgid", "sd"):
            if value := _nil(match.group(key)):
                line.fields[key] = value
        return line
    if match := RFC3164.match(text):
        line = LogLine(message=match.group("rest"), syntax="rfc3164",
                       timestamp=_rfc3164_time(match.group("mon"), match.group("day"),
                                               match.group("time"), received_at))
        _pri(line, match.group("pri"))
        _host_tag(line, match.group("rest"))
        return line
    if match := ISO_PREFIX.match(text):
        line = LogLine(message=match.group("rest"), syntax="iso",
                       timestamp=soft_time(match.group("ts").replace(",", ".")))
        _pri(line, match.group("pri"))
        rest = CRI_STREAM.sub("", match.group("rest"), count=1)
        if (obj := _parse_json(rest.strip())) is not None:  # container runtime prefix + JSON
            return _merge(from_json_object(obj), line)
        line.message = rest
        after_level = _split_level(line, rest)
        if after_level is rest:
            _host_tag(line, rest)
            if line.host is None and (structured := parse_logfmt(rest)):
                return _merge(structured, line)
        else:
            line.message = _bracket_component(line, after_level)
        return line
    if NGINX_ERROR.match(text):
        line = LogLine(message=text, syntax="nginx")
        line.message = _nginx_error(line, text) or text
        return line
    if match := KLOG.match(text):
        stamp = _klog_time(match.group("mmdd"), match.group("time"), received_at)
        return LogLine(message=match.group("msg"), syntax="klog", timestamp=stamp,
                       level=_KLOG_LEVELS[match.group("lvl")],
                       fields={"pid": match.group("pid"), "source_location": match.group("src")})
    if match := CLF.match(text):
        stamp = None
        try:
            stamp = datetime.strptime(match.group("ts"), "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC)
        except ValueError:
            stamp = None
        return LogLine(message=text, syntax="clf", timestamp=stamp,
                       fields={"client": match.group("client"), "request": match.group("request"),
                               "http_status": match.group("status")})
    if structured := parse_logfmt(text):
        return structured
    line = LogLine(message=text)
    if UPPER_LEVEL_START.match(text) or LEVEL_COLON.match(text):
        line.message = _split_level(line, text)
    return line


def _hpc(match: re.Match[str], received_at: datetime) -> LogLine:
    """An HPC archive line: the epoch is the time, the inner syslog line gives host/program."""
    stamp = datetime.fromtimestamp(int(match.group("epoch")), tz=UTC)
    inner = parse_log_line(match.group("rest"), stamp)
    inner.syntax = f"hpc-{inner.syntax}" if inner.syntax else "hpc"
    inner.timestamp = stamp
    host = re.split(r"[@/]", inner.host)[-1 if "@" in inner.host else 0] if inner.host else None
    inner.host = host or match.group("node")
    return inner


def _bracket_component(line: LogLine, rest: str) -> str:
    """`[checkout-api] msg`, `reporting [job=x] msg` or `checkout-api: msg` right after the level
    names the component (thread names such as `[main]` are kept as logger only)."""
    match = BRACKET_NAME.match(rest) or NAME_BEFORE_CONTEXT.match(rest)
    if not match:
        return rest
    groups = match.groupdict()
    name = groups.get("name") or groups.get("name2") or ""
    line.fields["logger"] = name
    if not THREADISH.search(name):
        line.program = line.program or name
    return groups.get("rest") or groups.get("rest2") or ""


def _merge(structured: LogLine, outer: LogLine) -> LogLine:
    structured.timestamp = structured.timestamp or outer.timestamp
    structured.level = structured.level or outer.level
    return structured


def _host_tag(line: LogLine, rest: str) -> None:
    match = HOST_TAG.match(rest) or TAG_ONLY.match(rest)
    if not match:
        return
    groups = match.groupdict()
    line.host = groups.get("host") or line.host
    line.program = match.group("tag")
    if match.group("pid"):
        line.fields["pid"] = match.group("pid")
    line.message = match.group("msg")
    if line.level is None:
        line.message = _nginx_error(line, line.message) or _split_level(line, line.message)


def _nginx_error(line: LogLine, text: str) -> str | None:
    """nginx error log `2026/12/01 13:00:01 [error] 812#0: msg`: level, pid and time."""
    match = NGINX_ERROR.match(text)
    if not match:
        return None
    line.level = normalize_level(match.group("level"))
    line.fields["pid"] = match.group("pid")
    line.timestamp = line.timestamp or soft_time(match.group("ts").replace("/", "-"))
    return match.group("msg")


def _klog_time(mmdd: str, clock: str, received_at: datetime) -> datetime | None:
    month, day = mmdd[:2], mmdd[2:]
    mon = next((name for name, num in _MONTHS.items() if num == int(month)), None)
    if mon is None:
        return None
    return _rfc3164_time(mon, day, clock.split(".")[0], received_at)


def looks_like_log(text: str) -> bool:
    """True when a line has the shape of a log record (used by auto-detection and splitting)."""
    line = text.strip().lstrip("\ufeff")
    if not line:
        return False
    if any(p.match(line) for p in (HPC, RFC5424, RFC3164, KLOG, CLF, NGINX_ERROR)):
        return True
    if ISO_PREFIX.match(line):
        return True
    obj = _parse_json(line)
    if obj is not None:
        return is_structured_log(obj)
    if UPPER_LEVEL_START.match(line):
        return True
    return bool(LOGFMT_START.match(line) and LOGFMT_HINT.search(line))
