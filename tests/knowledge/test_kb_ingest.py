"""Ingestion: doc ids, section chunks, front matter, kind detection, skip/replace/prune."""

from __future__ import annotations

from pathlib import Path

from knowledge.markdown import chunk_document, detect_kind, parse_markdown


def test_doc_ids_are_relative_paths_with_slashes(make_kb, runbooks: Path) -> None:
    kb = make_kb()
    report = kb.ingest_path(runbooks)
    assert sorted(report.added) == [
        "disk.md", "kubernetes/KubePodCrashLooping.md", "kubernetes/_index.md", "notes.txt",
        "postmortems/2026-01-outage.md"]
    assert report.errors == []
    single = make_kb().ingest_path(runbooks / "kubernetes" / "KubePodCrashLooping.md")
    assert single.added == ["KubePodCrashLooping.md"]


def test_kinds_front_matter_and_chunks(make_kb, runbooks: Path) -> None:
    kb = make_kb()
    kb.ingest_path(runbooks)
    crash = kb.lexical.get_doc("kubernetes/KubePodCrashLooping.md")
    assert crash is not None and crash.kind == "runbook"
    assert crash.title == "Pod crash looping"
    assert crash.meta["alerts"] == ["KubePodCrashLooping"]
    assert crash.meta["actions"] == [
        {"tool": "recent_deploys", "args": {}},
        {"tool": "kubectl_rollout_restart", "args": {"namespace": "payments",
                                                      "name": "checkout-api"}}]
    assert kb.lexical.get_doc("postmortems/2026-01-outage.md").kind == "postmortem"
    assert kb.lexical.get_doc("notes.txt").title == "VPN troubleshooting notes"
    assert kb.lexical.get_doc("kubernetes/_index.md").meta["is_index"] is True
    headings = [m["heading"] for m in kb.chunks.collection.get(
        where={"doc_id": "kubernetes/KubePodCrashLooping.md"}, include=["metadatas"])["metadatas"]]
    assert "Pod crash looping > KubePodCrashLooping > Diagnosis" in headings
    assert kb.stats()["chunks"] == kb.stats()["vectors"]


def test_chunking_keeps_heading_path_and_ignores_fenced_hashes() -> None:
    text = ("# Title\n\nintro\n\n## Diagnosis\n\nsteps\n\n```\n# comment\n```\n\n"
            "### Deep\n\ndetail\n\n## Mitigation\n\nfix it\n")
    doc = parse_markdown(text, "fallback")
    chunks = chunk_document(doc, "folder / Stem")
    assert [c.heading for c in chunks] == ["Title", "Title > Diagnosis",
                                           "Title > Diagnosis > Deep", "Title > Mitigation"]
    assert "# comment" in chunks[1].text
    assert chunks[2].text.startswith("folder / Stem\nTitle > Diagnosis > Deep\n")


def test_kind_detection_rules() -> None:
    sre = ["Summary", "Impact", "Root Causes", "Trigger", "Resolution"]
    assert detect_kind({}, sre, "x.md") == "postmortem"
    assert detect_kind({}, ["Meaning", "Impact", "Mitigation"], "x.md") == "runbook"
    assert detect_kind({}, [], "post-mortems/2025/x.md") == "postmortem"
    assert detect_kind({"kind": "runbook"}, sre, "postmortems/x.md") == "runbook"


def test_reingest_skips_unchanged_replaces_changed_and_prunes(make_kb, runbooks: Path) -> None:
    kb = make_kb()
    kb.ingest_path(runbooks)
    before = kb.stats()["chunks"]
    again = kb.ingest_path(runbooks)
    assert again.added == [] and again.updated == [] and len(again.skipped) == 5
    (runbooks / "disk.md").write_text("# Disk space low\n\n## Meaning\n\nOnly one section.\n")
    (runbooks / "notes.txt").unlink()
    changed = kb.ingest_path(runbooks, prune=True)
    assert changed.updated == ["disk.md"]
    assert changed.pruned == ["notes.txt"]
    assert kb.lexical.get_doc("notes.txt") is None
    ids = kb.chunks.collection.get(where={"doc_id": "disk.md"})["ids"]
    assert ids == ["disk.md#0", "disk.md#1"]
    assert kb.stats()["chunks"] == kb.stats()["vectors"] < before


def test_reopen_persisted_kb_searches_without_reingest(make_kb, runbooks: Path, tmp_path,
                                                       embedder) -> None:
    from knowledge.base import KnowledgeBase
    from knowledge.types import RetrievalQuery

    home = tmp_path / "persist"
    KnowledgeBase.open(home, embedder=embedder).ingest_path(runbooks)
    reopened = KnowledgeBase.open(home, embedder=embedder)
    hits = reopened.search(RetrievalQuery("filesystem almost full"), k=1)
    assert hits[0].id == "disk.md"


def test_symlinks_out_of_the_folder_are_not_followed(make_kb, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\n\nDB_PASSWORD=hunter2 lives here.\n")
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "real.md").write_text("# Real runbook\n\nRestart the service.\n")
    (folder / "leak.md").symlink_to(outside)
    (folder / "inside.md").symlink_to(folder / "real.md")  # inside the folder: fine
    kb = make_kb()
    report = kb.ingest_path(folder)
    assert sorted(report.added) == ["inside.md", "real.md"]
    assert kb.lexical.get_doc("leak.md") is None


def test_a_second_folder_with_the_same_path_is_namespaced(make_kb, tmp_path: Path) -> None:
    for team in ("payments", "web"):
        (tmp_path / team / "k8s").mkdir(parents=True)
        (tmp_path / team / "k8s" / "Restart.md").write_text(f"# {team} restart\n\nSteps.\n")
    kb = make_kb()
    assert kb.ingest_path(tmp_path / "payments").added == ["k8s/Restart.md"]
    assert kb.ingest_path(tmp_path / "web").added == ["web/k8s/Restart.md"]
    assert kb.lexical.get_doc("k8s/Restart.md").title == "payments restart"  # not replaced
    assert kb.lexical.get_doc("web/k8s/Restart.md").title == "web restart"
    again = kb.ingest_path(tmp_path / "web")  # re-ingesting the second folder is stable
    assert again.skipped == ["web/k8s/Restart.md"] and not again.added
