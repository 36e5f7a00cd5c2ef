"""Ranking hints beyond text similarity: a document's name words and the runbook_url."""

from __future__ import annotations

from pathlib import Path

from knowledge.ranking import heading_coverage, heading_idf, prepare, url_matches, url_path_key
from knowledge.types import RetrievalQuery

DOCS = {
    "node/DiskSpaceFillingUp.md": ("Disk space filling up",
                                   "A filesystem is predicted to run out of space. Check which "
                                   "directories grow and clean up or extend the volume."),
    "node/DiskInodesFillingUp.md": ("Disk inodes filling up",
                                    "A filesystem is predicted to run out of inodes: many small "
                                    "files are created and the filesystem space is fine."),
    "general/ScrapeTargetDown.md": ("Scrape target down",
                                    "One or more scrape targets are unreachable for Prometheus."),
}


def _write(root: Path) -> Path:
    for doc_id, (title, body) in DOCS.items():
        path = root / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {title.title().replace(' ', '')}\n\n## Meaning\n\n{body}\n")
    return root


def test_name_words_covered_by_the_query_lift_the_document(make_kb, tmp_path: Path) -> None:
    kb = make_kb()
    kb.ingest_path(_write(tmp_path / "rb"), kind="runbook")
    q = RetrievalQuery(text="Filesystem on /var has only 3% space left and is filling up fast.")
    hits = kb.search(q, k=3)
    assert hits[0].id == "node/DiskSpaceFillingUp.md"
    assert "heading" in hits[0].metadata["match"]


def test_runbook_url_names_the_document(make_kb, tmp_path: Path) -> None:
    kb = make_kb()
    kb.ingest_path(_write(tmp_path / "rb"), kind="runbook")
    q = RetrievalQuery(text="something is off",
                       runbook_url="https://runbooks.example.com/runbooks/node/diskinodesfillingup")
    hits = kb.search(q, k=3)
    assert hits[0].id == "node/DiskInodesFillingUp.md"
    assert "runbook_url" in hits[0].metadata["match"]


def test_coverage_weighs_rare_words_and_ignores_stopwords() -> None:
    metas = [prepare({"stem": "DiskSpaceFillingUp", "title": "Disk space and filling up"}),
             prepare({"stem": "DiskInodesFillingUp", "title": ""}),
             prepare({"stem": "DiskLatencyHigh", "title": ""})]
    idf = heading_idf(metas)
    assert idf["disk"] < idf["space"]
    words = {"space", "filling", "up", "left"}
    assert heading_coverage(metas[0], words, idf) > heading_coverage(metas[1], words, idf)
    assert heading_coverage(metas[2], words, idf) == 0.0


def test_url_matching_is_a_path_tail() -> None:
    key = url_path_key("https://wiki.example.com/ops/node/DiskSpaceFillingUp.md#steps")
    assert url_matches("node/DiskSpaceFillingUp.md", key)
    assert not url_matches("general/DiskSpaceFillingUp.md", key)
    assert not url_matches("SpaceFillingUp.md", key)
