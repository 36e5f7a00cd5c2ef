"""Log lines in the HPC syslog-archive layout (tag, epoch, date, node, syslog line) parse."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.signals.parse import parse_payload

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def one(line: str):
    [s] = parse_payload(line, "auto", received_at=T0, new_id=lambda: "s1")
    return s


def test_archive_line_takes_epoch_time_host_program_and_level() -> None:
    s = one("- 1700000000 2023.11.14 cn042 Nov 14 22:13:20 admin@cn042 "
            "slurmd[4411]: warning: job 88 exceeded memory limit")
    assert s.source == "log"
    assert s.timestamp == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert (s.host, s.labels["program"], s.severity) == ("cn042", "slurmd", "warning")
    assert s.text.startswith("job 88 exceeded memory limit")


def test_category_tag_is_never_kept() -> None:
    s = one("MEMERR 1700000100 2023.11.14 cn007 Nov 14 22:15:00 cn007/cn007 kernel: "
            "EDAC MC1: correctable memory error on DIMM B2")
    assert (s.host, s.labels["program"]) == ("cn007", "kernel")
    assert "MEMERR" not in s.text and "MEMERR" not in " ".join(s.labels.values())


def test_plain_syslog_program_with_parentheses() -> None:
    s = one("Mar  3 04:05:06 gw1 sshd(pam_unix)[311]: authentication failure; rhost=192.0.2.9")
    assert (s.host, s.labels["program"], s.labels["pid"]) == ("gw1", "sshd(pam_unix)", "311")
