"""Server mode: the same KB against a real `chroma run` subprocess via HttpClient."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.types import RetrievalQuery

FIXTURES = Path(__file__).parent / "fixtures"
CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    if not CHROMA.exists():
        pytest.skip("chroma CLI not installed in this environment")
    port = _free_port()
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("chroma server did not start")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ~4 s on an idle 2-core box (server start ~2 s), so it stays in the default suite
def test_server_mode_ingest_search_reopen(chroma_url: str, tmp_path: Path, embedder) -> None:
    shutil.copytree(FIXTURES / "runbooks", tmp_path / "runbooks")
    kb = KnowledgeBase.open(tmp_path / "home", chroma_url=chroma_url, embedder=embedder)
    report = kb.ingest_path(tmp_path / "runbooks")
    assert len(report.added) == 5
    assert not (tmp_path / "home" / "chroma").exists()  # vectors live on the server
    hits = kb.search(RetrievalQuery("filesystem nearly full"), k=1)
    assert hits[0].id == "disk.md"
    again = KnowledgeBase.open(tmp_path / "home", chroma_url=chroma_url, embedder=embedder)
    assert again.chunks.count() == kb.stats()["chunks"]
    assert again.ingest_path(tmp_path / "runbooks").added == []
