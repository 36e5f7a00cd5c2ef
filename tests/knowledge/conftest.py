"""Fixtures for knowledge-base tests: one ONNX session per test session, KBs on tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.embedder import OnnxEmbedder, default_embedder

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def embedder() -> OnnxEmbedder:
    """The real ONNX embedder, loaded once for all knowledge tests."""
    return default_embedder()


@pytest.fixture
def make_kb(tmp_path: Path, embedder: OnnxEmbedder) -> Callable[..., KnowledgeBase]:
    """Open a real embedded KnowledgeBase under a fresh home folder."""
    count = 0

    def make(**kwargs) -> KnowledgeBase:
        nonlocal count
        count += 1
        return KnowledgeBase.open(tmp_path / f"home{count}", embedder=embedder, **kwargs)

    return make


@pytest.fixture
def runbooks(tmp_path: Path) -> Path:
    """A writable copy of the small fixture runbook folder."""
    target = tmp_path / "runbooks"
    shutil.copytree(FIXTURES / "runbooks", target)
    return target
