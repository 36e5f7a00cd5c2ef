"""Optional config sections owned by the noise, LLM, knowledge and tools subsystems."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoiseSection(_Strict):
    """Noise-reduction knobs beyond Alertmanager's grouping (dedup window, flapping)."""

    dedup_window: str = "24h"
    flap_threshold: int = Field(4, ge=1)  # state changes (firing<->resolved) allowed per window
    flap_window: str = "1h"
    group_window: str = "1h"  # max gap between linked signals of one group (or one service)
    correlate_services: bool = True  # tickets/logs/chat of a service join its alert groups
    anomaly_sigma: float = Field(4.0, gt=0)  # dynamic threshold: |x - mean| > k * sigma
    baseline_min_samples: int = Field(30, ge=2)  # samples before a baseline may raise anomalies
    baseline_alpha: float = Field(0.05, gt=0, le=1)  # EWMA weight of a new sample
    seasonal_min_samples: int = Field(10, ge=2)  # samples in an hour bucket before it is used


class LLMSection(_Strict):
    """The optional OpenAI-compatible reasoner (off unless the reasoner says llm or auto)."""

    model: str | None = None
    confidence_threshold: float = Field(0.7, ge=0, le=1)
    always: bool = False
    # structured output: json_schema (strict), json_object (+ schema in the prompt), or auto
    response_format: Literal["json_schema", "json_object", "auto"] = "auto"
    json_schema_strict: bool = True
    schema_in_response_format: bool = True  # json_object: also send {"schema": …} (llama.cpp)
    temperature: float | None = Field(0.0, ge=0, le=2)  # None: not sent (reasoning models)
    max_output_tokens: int = Field(600, ge=16)
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    # investigation with read-only tools
    max_steps: int = Field(3, ge=0, le=20)
    max_tool_calls_per_step: int = Field(4, ge=1, le=20)
    tool_choice: str = "auto"  # auto | required | a tool name (forced on the first step only)
    tool_result_chars: int = Field(3000, ge=200)
    max_block_chars: int = Field(2000, ge=200)
    # cost and resilience
    max_tokens_per_signal: int = Field(8000, ge=256)
    requests_per_minute: int = Field(60, ge=1)
    max_concurrency: int = Field(4, ge=1)
    timeout_s: float | None = Field(None, gt=0)  # overrides TRIAGE_LLM_TIMEOUT when set
    max_retries: int = Field(2, ge=0, le=10)
    backoff_base_s: float = Field(0.5, ge=0)
    backoff_max_s: float = Field(8.0, ge=0)
    breaker_failures: int = Field(3, ge=1)
    breaker_cooldown_s: float = Field(60.0, ge=0)


class KnowledgeSection(_Strict):
    """Knowledge-base options: Chroma server URL and embedding backend."""

    chroma_url: str | None = None
    embeddings: str = Field("onnx", pattern="^(onnx|openai)$")
    embedding_model: str | None = None


class ToolsSection(_Strict):
    """Remediation knobs: kill switch, policy file, allowed folders, executor PATH, limits."""

    enabled: bool = True
    policy_file: str | None = None
    dry_run: bool = False  # every tool call only reports what it would run
    bin_path: str | None = None  # PATH the executor searches (None: the system default)
    log_dirs: list[str] = Field(default_factory=list)  # tail_log / rotate_logs roots
    cache_dirs: list[str] = Field(default_factory=list)  # clear_cache_dir roots
    scripts_dir: str | None = None  # run_runbook_script allowlisted folder
    deploy_log: str | None = None  # recent_deploys source (JSON Lines or text)
    approval_ttl: str = "1h"
    max_concurrency: int = Field(2, ge=1, le=64)
    max_queue_s: float = Field(10.0, ge=0, le=600)  # wait for a free slot, then refuse
    max_output_chars: int = Field(4000, ge=200, le=200_000)
