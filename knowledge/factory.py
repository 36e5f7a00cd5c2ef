"""Opening the knowledge base from process settings and the YAML `knowledge:` section."""

from __future__ import annotations

from agent.config import Settings
from agent.config.sections import KnowledgeSection
from knowledge.base import KnowledgeBase
from knowledge.embedder import Embedder, embedder_from_config


def embedder_for(settings: Settings, section: KnowledgeSection) -> Embedder:
    """The configured embedder: shared ONNX session, or the OpenAI-compatible endpoint."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return embedder_from_config(section.embeddings, section.embedding_model,
                                base_url=settings.openai_base_url, api_key=key)


def open_kb(settings: Settings, section: KnowledgeSection | None = None) -> KnowledgeBase:
    """The KB under settings.home; TRIAGE_CHROMA_URL wins over `knowledge.chroma_url`."""
    section = section or KnowledgeSection()
    return KnowledgeBase.open(settings.home, chroma_url=settings.chroma_url or section.chroma_url,
                              embedder=embedder_for(settings, section), section=section)
