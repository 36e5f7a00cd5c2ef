"""CLI comfort: the decision table fits 80 columns without losing the signal or runbook, long
jobs report progress through a callback, /docs works offline
(`triage demo` keeping its own home is checked by tests/packaging/test_wheel_install.py)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from agent.cli.render import decisions_table
from agent.kernel.decision import Decision, DocRef

T = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _decision() -> Decision:
    return Decision(signal_id="sig-1", source="alertmanager", fingerprint="f", received_at=T,
                    timestamp=T, kind="incident", event_type="exception", impact="high",
                    urgency="high", priority="P1", severity="SEV1", service="checkout-api",
                    team="payments",
                    title="CheckoutHigh5xxRate: checkout-api 5xx rate 12% for 10 minutes",
                    runbooks=[DocRef(id="runbooks/checkout-api/CheckoutHigh5xxRate.md",
                                     title="5xx", score=1.0)])


def _render(width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, legacy_windows=False)
    console.print(decisions_table([_decision()], width=console.width))
    return out.getvalue()


def test_80_columns_keep_signal_and_runbook() -> None:
    text = _render(80)
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = [line.split("│")[1:-1] for line in text.splitlines() if line.startswith("│")]
    signal = "".join(r[0].strip() for r in rows)
    runbook = "".join(r[-1].strip() for r in rows)
    assert runbook == "CheckoutHigh5xxRate.md"  # wrapped, not cut
    assert signal.replace(" ", "") == _decision().title.replace(" ", "")
    assert "payments" in text and "P1" in text and "incident" in text
    assert "alertmanager" not in text  # source is the first column dropped


def test_wide_terminal_shows_every_column() -> None:
    text = _render(160)
    for column in ("time", "source", "signal", "kind", "type", "prio", "team", "noise",
                   "runbook"):
        assert column in text
    assert "runbooks/checkout-api/" in text  # the full id (ellipsis when it is long)


def test_ingest_reports_progress(tmp_path: Path) -> None:
    from knowledge.base import KnowledgeBase

    corpus = Path(__file__).resolve().parents[3] / "knowledge" / "corpus" / "runbooks"
    ticks: list[tuple[int, int]] = []
    kb = KnowledgeBase.open(tmp_path / "kb")
    report = kb.ingest_path(corpus / "kubernetes", kind="runbook",
                            progress=lambda done, total: ticks.append((done, total)))
    assert ticks and ticks[-1] == (len(report.added), len(report.added))
    assert [d for d, _ in ticks] == sorted(d for d, _ in ticks)


def test_docs_page_is_offline(tmp_path: Path, demo_config) -> None:
    from fastapi.testclient import TestClient

    from agent.config.settings import Settings
    from agent.service import ServiceOptions, create_app
    from agent.wiring import build_pipeline

    app = create_app(Settings(_env_file=None, TRIAGE_HOME=str(tmp_path)), demo_config,
                     build_pipeline(config=demo_config), options=ServiceOptions(background=False))
    with TestClient(app) as client:
        page = client.get("/docs")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "/v1/webhooks/alertmanager" in page.text and "/v2/enqueue" in page.text
        assert "<script" not in page.text and "cdn" not in page.text.lower()
        assert client.get("/redoc").status_code == 404
        assert client.get("/openapi.json").status_code == 200
