"""Text embeddings: offline all-MiniLM-L6-v2 (int8 ONNX) by default, OpenAI-compatible optionally.

Embeddings are computed here and handed to Chroma as vectors, so opening a persisted
collection never needs an embedding function or the network.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

MAX_TOKENS = 256
BATCH_SIZE = 32
ONNX_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
SINGLE_CACHE = 1024  # single-text embeddings kept per process (one signal is embedded once)
_BERT_SPACE = re.compile(r"[ \t\n\r]+")


def token_key(text: str) -> str:
    """A key equal for texts the tokenizer splits into the same tokens: runs of the whitespace
    the BERT pre-tokenizer splits on collapse to one space, ends trimmed ("a \nb" = "a\nb")."""
    return _BERT_SPACE.sub(" ", text).strip() or " "


class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors (one row per text)."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for the texts, shape (len(texts), dim), rows L2-normalized."""
        ...


def _model_files() -> tuple[Path, Path]:
    """Locate the ONNX model and tokenizer of all-MiniLM-L6-v2, verified by sha256."""
    from knowledge.models import model_files

    files = model_files()
    return files.model, files.tokenizer


def _normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class OnnxEmbedder:
    """all-MiniLM-L6-v2 on onnxruntime (CPU): batched, padded to the longest item, mean-pooled."""

    model_id = ONNX_MODEL_ID
    dim = 384

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path | None = None,
                 threads: int = 1, workers: int | None = None,
                 batch_size: int = BATCH_SIZE) -> None:
        """One intra-op thread per run (fastest for single queries on a busy 2-core box);
        ingestion spreads batches over `workers` concurrent runs (default: up to 2 cores).
        The files are verified and the session built on the first embedding, not here: a
        command that never embeds a text (an empty knowledge base, no learned head) never
        pays for onnxruntime (about 0.3 s of a cold start)."""
        self._paths = (model_path, tokenizer_path)
        self._threads = threads
        self._loaded: tuple[Any, Any, set[str]] | None = None  # tokenizer, session, inputs
        self._load_lock = threading.Lock()
        self._batch_size = batch_size
        self._workers = workers or max(1, min(2, os.cpu_count() or 1))
        self._pool: ThreadPoolExecutor | None = None
        # one text at a time (a signal's retrieval query, then its learned heads): the same
        # tokens give the same vector, so the second caller reuses the first one's
        self._single: OrderedDict[str, np.ndarray] = OrderedDict()
        self._single_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the tokenizer and the ONNX session are built (after the first embedding)."""
        return self._loaded is not None

    def load(self) -> None:
        """Build the tokenizer and the ONNX session now instead of on the first embedding."""
        self._load()

    def _load(self) -> tuple[Any, Any, set[str]]:
        """Verify the files, build the tokenizer and the session once (thread-safe)."""
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._load_lock:
            if self._loaded is None:
                self._loaded = self._build()
            return self._loaded

    def _build(self) -> tuple[Any, Any, set[str]]:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = self._paths
        if model_path is None or tokenizer_path is None:  # the shipped files, verified
            default_model, default_tok = _model_files()
            model_path, tokenizer_path = model_path or default_model, tokenizer_path or default_tok
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to longest in batch
        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # basic rewrites (constant folding: the int8 weights are dequantised once, at load) but
        # not the extended fusions, which are slower on this model: measured interleaved on one
        # core, p50 17.2 vs 18.5 ms per text with ORT_ENABLE_ALL, session built in 0.19 vs 0.24 s
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.log_severity_level = 3
        session = ort.InferenceSession(str(model_path), sess_options=options,
                                       providers=["CPUExecutionProvider"])
        log.info("ONNX embedder loaded", extra={"model": ONNX_MODEL_ID})
        return tokenizer, session, {i.name for i in session.get_inputs()}

    def _run(self, texts: list[str]) -> np.ndarray:
        tokenizer, session, inputs = self._load()
        encodings = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[0]  # InferenceSession.run is thread-safe
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _normalize(pooled)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in length-sorted batches (less padding), returned in input order."""
        items = [t if t.strip() else " " for t in texts]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(items) == 1:
            return self._embed_single(items[0])
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        batches = [order[s:s + self._batch_size] for s in range(0, len(order), self._batch_size)]
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        if len(batches) == 1 or self._workers == 1:
            results = [self._run([items[i] for i in idx]) for idx in batches]
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="embed")
            results = list(self._pool.map(lambda idx: self._run([items[i] for i in idx]),
                                          batches))
        for idx, vectors in zip(batches, results, strict=True):
            out[idx] = vectors
        return out

    def _embed_single(self, text: str) -> np.ndarray:
        """One text, unpadded, through a small LRU keyed by its tokens (rows are copies)."""
        key = token_key(text)
        with self._single_lock:
            vector = self._single.get(key)
            if vector is not None:
                self._single.move_to_end(key)
                return vector[None, :].copy()
        vector = self._run([text])[0]
        with self._single_lock:
            self._single[key] = vector
            while len(self._single) > SINGLE_CACHE:
                self._single.popitem(last=False)
        return vector[None, :].copy()


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible `/embeddings` endpoint (client injected)."""

    def __init__(self, client: Any, model: str, batch_size: int = 64) -> None:
        self._client = client
        self._model = model
        self._batch_size = batch_size
        self.model_id = f"openai:{model}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Call the endpoint in batches and L2-normalize the returned vectors."""
        rows: list[list[float]] = []
        items = [t if t.strip() else " " for t in texts]
        for start in range(0, len(items), self._batch_size):
            batch = items[start:start + self._batch_size]
            response = self._client.embeddings.create(model=self._model, input=batch)
            data = sorted(response.data, key=lambda d: d.index)
            rows.extend(d.embedding for d in data)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return _normalize(np.asarray(rows, dtype=np.float32))


_DEFAULT_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _cached_onnx() -> OnnxEmbedder:
    return OnnxEmbedder()


def default_embedder() -> OnnxEmbedder:
    """The process-wide ONNX embedder: one session shared by every KnowledgeBase."""
    with _DEFAULT_LOCK:
        return _cached_onnx()


def embedder_from_config(kind: str, model: str | None = None, *, base_url: str | None = None,
                         api_key: str | None = None, client: Any = None) -> Embedder:
    """Build the embedder a KnowledgeSection asks for (`onnx` default, or `openai`)."""
    if kind == "onnx":
        return default_embedder()
    if kind == "openai":
        if client is None:
            from openai import OpenAI

            client = OpenAI(base_url=base_url, api_key=api_key or "unused")
        return OpenAIEmbedder(client, model or "text-embedding-3-small")
    raise ValueError(f"unknown embeddings backend {kind!r} (onnx or openai)")
