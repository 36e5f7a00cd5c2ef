"""Optional config sections owned by the noise, LLM, knowledge and tools subsystems."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoiseSection(_Strict):
    """Noise-reduction knobs beyond Alertmanager's grouping (dedup window, flapping)."""

    dedup_window: str = "24h"
    flap_threshold: int = Field(4, ge=1)
    flap_window: str = "1h"


class LLMSection(_Strict):
    """The optional OpenAI-compatible reasoner (off unless the reasoner says llm or auto)."""

    model: str | None = None
    confidence_threshold: float = Field(0.7, ge=0, le=1)
    always: bool = False


class KnowledgeSection(_Strict):
    """Knowledge-base options: Chroma server URL and embedding backend."""

    chroma_url: str | None = None
    embeddings: str = Field("onnx", pattern="^(onnx|openai)$")
    embedding_model: str | None = None


class ToolsSection(_Strict):
    """Remediation policy knobs (kill switch and a policy file)."""

    enabled: bool = True
    policy_file: str | None = None
