"""The bundled corpus: coverage, front matter, allowed tools, sections; loaded idempotently."""

from __future__ import annotations

from pathlib import Path

from knowledge.corpus import CORPUS_DIR, ensure_bundled
from knowledge.learnings import injection_flags
from knowledge.markdown import detect_kind, parse_actions, parse_markdown

TOOLS = {"http_health_check", "dns_lookup", "tls_cert_expiry", "disk_usage", "top_processes",
         "tail_log", "recent_deploys", "systemd_restart", "kubectl_rollout_restart",
         "kubectl_scale", "clear_cache_dir", "rotate_logs", "run_runbook_script"}
SERVICES = {"checkout-api", "payments-gateway", "web-frontend", "search-api", "orders-db",
            "inventory-service", "notification-worker", "reporting", "auth-service", "vpn",
            "email", "laptops"}


def _docs(folder: str) -> list[tuple[Path, object]]:
    files = sorted((CORPUS_DIR / folder).rglob("*.md"))
    return [(f, parse_markdown(f.read_text(), f.stem)) for f in files]


def test_runbooks_cover_services_with_valid_front_matter() -> None:
    runbooks = _docs("runbooks")
    assert len(runbooks) >= 40
    covered: set[str] = set()
    for path, doc in runbooks:
        rel = path.relative_to(CORPUS_DIR).as_posix()
        assert detect_kind(doc.front, doc.headings, rel) == "runbook", rel
        assert {"Meaning", "Impact", "Diagnosis", "Mitigation"} <= set(doc.headings), rel
        assert "alerts" in doc.front and "actions" in doc.front, rel
        tools = {a["tool"] for a in parse_actions(doc.front["actions"])}
        assert tools <= TOOLS, (rel, tools - TOOLS)
        covered |= set(doc.front.get("services") or [])
        assert injection_flags(path.read_text()) == [], rel
    assert covered >= SERVICES


def test_postmortems_use_sre_sections() -> None:
    postmortems = _docs("postmortems")
    assert len(postmortems) >= 10
    for path, doc in postmortems:
        rel = path.relative_to(CORPUS_DIR).as_posix()
        assert detect_kind({}, doc.headings, rel) == "postmortem", rel
        assert {"Summary", "Impact", "Root Causes", "Resolution", "Action Items"} <= set(
            doc.headings), rel


def test_ensure_bundled_is_idempotent(make_kb, monkeypatch, tmp_path: Path) -> None:
    import shutil

    import knowledge.corpus as corpus

    small = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR / "runbooks" / "vpn", small / "runbooks" / "vpn")
    (small / "postmortems").mkdir()
    shutil.copy(CORPUS_DIR / "postmortems" / "2026-09-disk-full-reporting.md",
                small / "postmortems" / "pm.md")
    monkeypatch.setattr(corpus, "CORPUS_DIR", small)
    kb = make_kb()
    first = ensure_bundled(kb)
    assert sorted(first.added) == ["postmortems/pm.md", "runbooks/vpn/VpnAuthFailures.md",
                                   "runbooks/vpn/VpnTunnelDown.md"]
    assert kb.lexical.get_doc("postmortems/pm.md").kind == "postmortem"
    assert ensure_bundled(kb).added == []
