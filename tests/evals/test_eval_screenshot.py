"""report.html renders in headless Chromium (slow; skipped when chromium is not installed)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest

from evals.report import build_report, write_reports
from evals.scoring import CaseResult

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _results() -> list[CaseResult]:
    base = {"event_type": "exception", "priority": "P2", "security": False, "team": "web",
            "runbooks": [], "actions": [], "llm_tokens": 0, "rationale": "rule matched",
            "noise": {"suppressed_by": None, "duplicate_of": None, "group_id": "g"}}
    kinds = ["event", "alert", "incident", "request"]
    return [CaseResult(f"c{i}", i, [f"tag{i % 5}"], {"kind": kinds[i % 4], "priority": "P2"},
                       [{**base, "kind": kinds[(i * 3) % 4 if i % 3 == 0 else i % 4]}],
                       latency_ms=float(i)) for i in range(40)]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_html_renders_in_headless_chromium(tmp_path):
    report = build_report(_results(), reasoner="offline", dataset="shot.jsonl", config=None)
    write_reports(report, tmp_path)
    shot = tmp_path / "report.png"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", f"--screenshot={shot}",
             "--window-size=1280,2000", (tmp_path / "report.html").as_uri()],
            capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
    assert len(data) > 30_000  # a real page with charts, not a blank canvas
