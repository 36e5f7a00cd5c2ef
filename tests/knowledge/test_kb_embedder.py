"""Embedders: ONNX batching equals one-by-one, determinism, normalization; OpenAI endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from knowledge.embedder import OnnxEmbedder, OpenAIEmbedder, default_embedder, embedder_from_config

TEXTS = ["disk almost full on db-1", "checkout latency SLO burn",
         "a much longer sentence about pods crash looping after a bad deploy in payments", ""]


def test_batched_equals_single_and_is_deterministic(embedder: OnnxEmbedder) -> None:
    batched = embedder.embed(TEXTS)
    single = np.vstack([embedder.embed([t]) for t in TEXTS])
    assert batched.shape == (4, 384) and batched.dtype == np.float32
    assert np.allclose(batched, single, atol=1e-4)
    assert np.array_equal(batched, embedder.embed(TEXTS))
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_the_session_is_built_on_the_first_embedding() -> None:
    """Constructing the embedder loads nothing; the first text builds the session once."""
    fresh = OnnxEmbedder()
    assert not fresh.loaded
    vector = fresh.embed(["disk almost full on db-1"])
    assert fresh.loaded and vector.shape == (1, 384)
    session = fresh._load()[1]
    fresh.embed(["checkout latency SLO burn", "printer jams"])
    assert fresh._load()[1] is session


def test_similar_texts_are_closer(embedder: OnnxEmbedder) -> None:
    a, b, c = embedder.embed(["the disk is full", "no space left on device", "user wants a laptop"])
    assert a @ b > a @ c


def test_default_embedder_is_shared(embedder: OnnxEmbedder) -> None:
    assert default_embedder() is embedder
    assert embedder_from_config("onnx") is embedder
    with pytest.raises(ValueError):
        embedder_from_config("nope")


class _Handler(BaseHTTPRequestHandler):
    calls: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.calls.append({"path": self.path, "body": body})
        data = [{"object": "embedding", "index": i,
                 "embedding": [float(len(text)), 1.0, 0.0]}
                for i, text in reversed(list(enumerate(body["input"])))]
        payload = json.dumps({"object": "list", "data": data, "model": body["model"],
                              "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def embeddings_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_embedder_against_local_endpoint(embeddings_server: str) -> None:
    from openai import OpenAI

    _Handler.calls.clear()
    client = OpenAI(base_url=embeddings_server, api_key="test-key", max_retries=0)
    emb = OpenAIEmbedder(client, "text-embedding-test", batch_size=2)
    vectors = emb.embed(["a", "bbb", "cc"])
    assert [c["path"] for c in _Handler.calls] == ["/v1/embeddings", "/v1/embeddings"]
    assert _Handler.calls[0]["body"]["input"] == ["a", "bbb"]
    expected = np.array([[1, 1, 0], [3, 1, 0], [2, 1, 0]], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(vectors, expected)
    assert emb.model_id == "openai:text-embedding-test"


def test_one_text_is_embedded_once_per_token_sequence(embedder: OnnxEmbedder) -> None:
    """A signal's retrieval query and its learned heads differ only in whitespace: the second
    call reuses the first one's vector, and that vector is the one a fresh embedding gives."""
    fresh = OnnxEmbedder()
    calls: list[list[str]] = []
    run = fresh._run
    fresh._run = lambda texts: calls.append(list(texts)) or run(texts)  # type: ignore[method-assign]
    first = fresh.embed(["Disk full\non db-1 (95%)"])
    again = fresh.embed(["Disk full \non  db-1 (95%) "])
    other = fresh.embed(["Disk full on db-2 (95%)"])
    assert len(calls) == 2  # the whitespace variant came from the cache
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert np.array_equal(first, embedder.embed(["Disk full\non db-1 (95%)"]))
    first[0, 0] = 42.0  # callers get copies: the cached row is not theirs to change
    assert fresh.embed(["Disk full\non db-1 (95%)"])[0, 0] != 42.0
    batched = fresh.embed(["Disk full\non db-1 (95%)", "checkout latency SLO burn"])
    assert len(calls) == 3 and batched.shape == (2, fresh.dim)  # batches bypass the cache
