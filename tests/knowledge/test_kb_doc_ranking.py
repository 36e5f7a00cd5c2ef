"""The document catalog's derived indexes and the vector half of a search, on real Chroma."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.chunk_snapshot import ChunkCache
from knowledge.doc_ranking import DocCatalog
from knowledge.vector_search import VectorSearch
from knowledge.vectors import CHUNKS, VectorIndex, open_chroma


def test_catalog_indexes_follow_every_change() -> None:
    catalog = DocCatalog()
    catalog.load([("rb/disk.md", "runbook", "Disk full", {"alerts": ["NodeDiskFull"]})])
    by_name, _ = catalog.name_index()
    assert any("rb/disk.md" in ids for ids in by_name.values())
    catalog.put("rb/cpu.md", "runbook", "CPU", {"alerts": ["HighCPU"], "services": ["shop"]})
    by_name, by_service = catalog.name_index()
    assert by_name["highcpu"] == {"rb/cpu.md"} and by_service["shop"] == {"rb/cpu.md"}
    assert catalog.has_kind(("runbook",)) and not catalog.has_kind(("postmortem",))
    catalog.pop("rb/cpu.md")
    by_name, by_service = catalog.name_index()
    assert "highcpu" not in by_name and "shop" not in by_service
    catalog.pop("unknown")  # forgetting an unknown document is not an error


class CountingIndex(VectorIndex):
    """A real Chroma chunk index that counts the questions it is asked."""

    asked = 0

    def query(self, vector, n, where=None):  # type: ignore[override]
        """Count, then ask Chroma."""
        CountingIndex.asked += 1
        return super().query(vector, n, where)


def test_chroma_is_asked_once_per_text_until_the_chunks_change(tmp_path: Path) -> None:
    index = CountingIndex(open_chroma(tmp_path / "chroma", None), CHUNKS, "test-model")
    vectors = np.eye(4, dtype=np.float32)
    index.add([f"c{i}" for i in range(4)], vectors, [f"text {i}" for i in range(4)],
              [{"doc_id": f"d{i}", "kind": "runbook"} for i in range(4)])
    cache = ChunkCache(None, lambda: "stamp", index.all_items, lambda: 4)  # no snapshot file
    search = VectorSearch(cache, lambda: index)
    first = search.candidates(vectors[2], None, "disk full")
    assert first[0][0] == "c2" and CountingIndex.asked == 1
    assert search.candidates(vectors[2], None, "disk full") == first
    assert CountingIndex.asked == 1  # remembered
    # few chunks of the kind among the unfiltered answer (remembered): one filtered question
    assert search.candidates(vectors[2], ("runbook",), "disk full")[0][0] == "c2"
    search.candidates(vectors[2], ("runbook",), "disk full")
    assert CountingIndex.asked == 2
    search.forget()
    search.candidates(vectors[2], None, "disk full")
    assert CountingIndex.asked == 3
