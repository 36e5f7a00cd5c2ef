"""One guarded chat-completion call: rate/concurrency limits, breaker, retries, response formats."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai

from agent.config.sections import LLMSection
from agent.kernel.redact import redact, redact_value
from agent.reasoning.llm.budget import CircuitBreaker, RateLimiter, backoff_delay
from agent.reasoning.llm.metrics import LLMMetrics
from agent.reasoning.llm.prompts import schema_message
from agent.reasoning.llm.schema import (
    decision_schema,
    response_format_json_object,
    response_format_json_schema,
)

log = logging.getLogger(__name__)


class LLMUnavailable(Exception):
    """No usable answer from the endpoint (down, over budget, timed out); `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Completion:
    """The assistant message of one successful request, with its token use and latency."""

    message: Any  # openai ChatCompletionMessage
    prompt_tokens: int
    completion_tokens: int
    latency_s: float
    response_format: str | None = None

    @property
    def tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers if exc.response is not None else {}
    for key, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(key)
        if value:
            try:
                return float(value) * scale
            except ValueError:
                return None
    return None


def _clean_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Last line of defence: redact every message body before it leaves the process."""
    out = []
    for m in messages:
        m = dict(m)
        if isinstance(m.get("content"), str):
            m["content"] = redact(m["content"])
        if m.get("tool_calls"):
            m["tool_calls"] = redact_value(m["tool_calls"])
        out.append(m)
    return out


class LLMClient:
    """Wraps an injected `openai.OpenAI` with the section's limits; shared by reasoner and chat."""

    def __init__(self, client: openai.OpenAI, model: str, section: LLMSection, *,
                 metrics: LLMMetrics | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        options: dict[str, Any] = {"max_retries": 0}  # retries are ours (backoff, breaker)
        if section.timeout_s is not None:
            options["timeout"] = section.timeout_s
        self._client = client.with_options(**options)
        self.model = model
        self.section = section
        self.metrics = metrics or LLMMetrics()
        self._sleep = sleep
        self._clock = clock
        self.breaker = CircuitBreaker(section.breaker_failures, section.breaker_cooldown_s, clock)
        self._rate = RateLimiter(section.requests_per_minute, clock)
        self._slots = threading.BoundedSemaphore(section.max_concurrency)
        self._format_lock = threading.Lock()
        self._format = "json_object" if section.response_format == "json_object" else "json_schema"

    @property
    def response_format_mode(self) -> str:
        """The structured-output mode currently used (auto may have switched to json_object)."""
        return self._format

    def complete(self, messages: list[dict[str, Any]], *, tools: list[dict] | None = None,
                 tool_choice: Any = None, structured: bool = False,
                 max_tokens: int | None = None) -> Completion:
        """Send one chat completion; raise LLMUnavailable instead of any transport error."""
        if not self.breaker.allow():
            self.metrics.count("errors", "circuit_open")
            raise LLMUnavailable("circuit open: endpoint failed repeatedly, cooling down")
        if not self._rate.try_acquire():
            self.metrics.count("errors", "rate_budget")
            raise LLMUnavailable(f"request budget: {self.section.requests_per_minute}/min reached")
        wait = self.section.timeout_s or 30.0
        if not self._slots.acquire(timeout=wait):
            self.metrics.count("errors", "concurrency")
            raise LLMUnavailable(f"concurrency limit {self.section.max_concurrency} busy")
        try:
            return self._with_retries(_clean_messages(messages), tools, tool_choice, structured,
                                      max_tokens or self.section.max_output_tokens)
        finally:
            self._slots.release()

    def _request(self, messages: list[dict[str, Any]], tools: list[dict] | None,
                 tool_choice: Any, fmt: str | None, max_tokens: int) -> Any:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages,
                                  self.section.max_tokens_field: max_tokens}
        if self.section.temperature is not None:
            kwargs["temperature"] = self.section.temperature
        if tools:
            kwargs["tools"] = tools
            if tool_choice is not None:
                kwargs["tool_choice"] = tool_choice
        if fmt == "json_schema":
            kwargs["response_format"] = response_format_json_schema(
                strict=self.section.json_schema_strict)
        elif fmt == "json_object":
            kwargs["response_format"] = response_format_json_object(
                with_schema=self.section.schema_in_response_format)
            kwargs["messages"] = [*messages, {"role": "system", "content": schema_message(
                decision_schema(strict=False))}]
        return self._client.chat.completions.create(**kwargs)

    def _with_retries(self, messages: list[dict[str, Any]], tools: list[dict] | None,
                      tool_choice: Any, structured: bool, max_tokens: int) -> Completion:
        auto = self.section.response_format == "auto"
        fmt = self._format if structured else None
        switched = False
        attempt = 0
        while True:
            started = self._clock()
            try:
                resp = self._request(messages, tools, tool_choice, fmt, max_tokens)
            except openai.APITimeoutError:
                self.metrics.count("errors", "timeout")
                self._failed()
                raise LLMUnavailable("timeout: no answer within the request timeout") from None
            except openai.APIStatusError as exc:
                status = exc.status_code
                if (structured and auto and fmt == "json_schema" and not switched
                        and status in (400, 422, 500)):
                    log.info("server rejected json_schema; trying json_object",
                             extra={"status": status, "model": self.model})
                    fmt, switched = "json_object", True
                    continue
                self.metrics.count("errors", f"http_{status}")
                if (status == 429 or status >= 500) and attempt < self.section.max_retries:
                    self._backoff(attempt, _retry_after(exc))
                    attempt += 1
                    continue
                if status >= 500 or status in (401, 403, 404, 429):  # endpoint unusable
                    self._failed()
                raise LLMUnavailable(f"http {status}: {str(exc.message)[:200]}") from None
            except openai.APIConnectionError:
                self.metrics.count("errors", "connection")
                if attempt < self.section.max_retries:
                    self._backoff(attempt, None)
                    attempt += 1
                    continue
                self._failed()
                raise LLMUnavailable("connection: endpoint unreachable") from None
            except (openai.APIError, ValueError) as exc:  # e.g. a 200 body that is not JSON
                self.metrics.count("errors", "bad_response")
                self._failed()
                raise LLMUnavailable(f"bad response: {type(exc).__name__}") from None
            return self._succeeded(resp, started, fmt, switched)

    def _backoff(self, attempt: int, retry_after: float | None) -> None:
        self.metrics.count("retries")
        self._sleep(backoff_delay(attempt, self.section.backoff_base_s,
                                  self.section.backoff_max_s, retry_after))

    def _failed(self) -> None:
        if self.breaker.failure():
            self.metrics.count("breaker_opened")
            log.warning("LLM circuit breaker opened", extra={"model": self.model})

    def _succeeded(self, resp: Any, started: float, fmt: str | None,
                   switched: bool) -> Completion:
        latency = self._clock() - started
        self.breaker.success()
        if switched:
            with self._format_lock:
                self._format = "json_object"
            self.metrics.count("response_format_fallbacks")
        if not getattr(resp, "choices", None):
            raise LLMUnavailable("malformed response: no choices")
        usage = getattr(resp, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        self.metrics.request(prompt, completion, latency)
        return Completion(resp.choices[0].message, prompt, completion, latency, fmt)
