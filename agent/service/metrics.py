"""Prometheus metrics in the text exposition format 0.0.4, without a client-library dependency.

Counters, gauges and histograms are thread-safe; `ServiceMetrics` names the ones the service
exports (signals received, decisions, duplicates, suppressions, HTTP statuses, latencies, LLM
tokens). Values are per process: scrape every `triage serve` process.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
Labels = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _fmt_labels(labels: Labels, extra: Labels = ()) -> str:
    pairs = labels + extra
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}"


def _fmt_value(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help_text: str, labelnames: Iterable[str] = ()) -> None:
        self.name, self.help = name, help_text
        self.labelnames = tuple(labelnames)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> Labels:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name}: labels must be {self.labelnames}, got {sorted(labels)}")
        return tuple((k, str(labels[k])) for k in self.labelnames)

    def header(self) -> list[str]:
        """The HELP and TYPE lines."""
        return [f"# HELP {self.name} {_escape(self.help)}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> list[str]:
        """The sample lines."""
        raise NotImplementedError


class Counter(_Metric):
    """A monotonically increasing count per label set."""

    kind = "counter"

    def __init__(self, name: str, help_text: str, labelnames: Iterable[str] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: dict[Labels, float] = {}
        if not self.labelnames:
            self._values[()] = 0.0

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        """Add `amount` (>= 0) to the series named by the labels."""
        if amount < 0:
            raise ValueError("counters only go up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        """The current value of one series (0 when never incremented)."""
        with self._lock:
            return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        """One line per series."""
        with self._lock:
            items = sorted(self._values.items())
        return [f"{self.name}{_fmt_labels(k)} {_fmt_value(v)}" for k, v in items]


class Gauge(_Metric):
    """A value read from a callback at scrape time (queue depth, workers alive)."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        super().__init__(name, help_text)
        self.read = read

    def samples(self) -> list[str]:
        """The single sample."""
        try:
            value = float(self.read())
        except Exception:  # a broken reader must not break the scrape
            value = math.nan
        return [f"{self.name} {'NaN' if math.isnan(value) else _fmt_value(value)}"]


class Histogram(_Metric):
    """Cumulative buckets, sum and count of observed values."""

    kind = "histogram"

    def __init__(self, name: str, help_text: str, buckets: Iterable[float] = LATENCY_BUCKETS,
                 labelnames: Iterable[str] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self.buckets = tuple(sorted(buckets)) + (math.inf,)
        self._series: dict[Labels, tuple[list[int], list[float]]] = {}

    def observe(self, value: float, **labels: str) -> None:
        """Record one observation."""
        key = self._key(labels)
        with self._lock:
            counts, total = self._series.setdefault(key, ([0] * len(self.buckets), [0.0]))
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    counts[i] += 1
            total[0] += value

    def count(self, **labels: str) -> int:
        """How many observations one series holds."""
        with self._lock:
            series = self._series.get(self._key(labels))
            return series[0][-1] if series else 0

    def samples(self) -> list[str]:
        """Bucket, sum and count lines per series."""
        lines: list[str] = []
        with self._lock:
            items = sorted((k, (list(c), t[0])) for k, (c, t) in self._series.items())
        for key, (counts, total) in items:
            for bound, n in zip(self.buckets, counts, strict=True):
                le = (("le", _fmt_value(bound)),)
                lines.append(f"{self.name}_bucket{_fmt_labels(key, le)} {n}")
            lines.append(f"{self.name}_sum{_fmt_labels(key)} {_fmt_value(total)}")
            lines.append(f"{self.name}_count{_fmt_labels(key)} {counts[-1]}")
        return lines


class Registry:
    """An ordered set of metrics rendered together."""

    def __init__(self) -> None:
        self._metrics: list[_Metric] = []

    def add(self, metric: _Metric) -> _Metric:
        """Register a metric (names must be unique)."""
        if any(m.name == metric.name for m in self._metrics):
            raise ValueError(f"duplicate metric {metric.name}")
        self._metrics.append(metric)
        return metric

    def render(self) -> str:
        """The exposition text of every metric."""
        lines: list[str] = []
        for metric in self._metrics:
            lines += metric.header() + metric.samples()
        return "\n".join(lines) + "\n"


class ServiceMetrics:
    """The metrics `triage serve` exports at GET /metrics."""

    def __init__(self) -> None:
        self.registry = Registry()
        add = self.registry.add
        self.http_requests: Counter = add(Counter(  # type: ignore[assignment]
            "triage_http_requests_total", "HTTP requests by route and status code.",
            ("route", "status")))
        self.signals_received: Counter = add(Counter(  # type: ignore[assignment]
            "triage_signals_received_total", "Signals durably stored, by source.", ("source",)))
        self.redeliveries: Counter = add(Counter(  # type: ignore[assignment]
            "triage_redeliveries_total", "Payloads received again (answered with first ids).",
            ("route",)))
        self.rejected: Counter = add(Counter(  # type: ignore[assignment]
            "triage_webhook_errors_total", "Webhook and API bodies refused, by route and status.",
            ("route", "status")))
        self.shed: Counter = add(Counter(  # type: ignore[assignment]
            "triage_shed_total", "Bodies answered 503 + Retry-After because the backlog was "
            "full, by route.", ("route",)))
        self.decisions: Counter = add(Counter(  # type: ignore[assignment]
            "triage_decisions_total", "Decisions made, by kind and priority.",
            ("kind", "priority")))
        self.duplicates: Counter = add(Counter(  # type: ignore[assignment]
            "triage_duplicates_total", "Decisions marked as duplicates of an earlier signal."))
        self.suppressed: Counter = add(Counter(  # type: ignore[assignment]
            "triage_suppressed_total", "Decisions suppressed (maintenance, silence, inhibition)."))
        self.decision_errors: Counter = add(Counter(  # type: ignore[assignment]
            "triage_decision_errors_total", "Decision attempts that raised an error."))
        self.llm_tokens: Counter = add(Counter(  # type: ignore[assignment]
            "triage_llm_tokens_total", "LLM tokens spent on decisions, by reasoner.",
            ("reasoner",)))
        self.decision_seconds: Histogram = add(Histogram(  # type: ignore[assignment]
            "triage_decision_duration_seconds", "Time to run the triage graph for one signal."))
        self.time_to_decision: Histogram = add(Histogram(  # type: ignore[assignment]
            "triage_time_to_decision_seconds",
            "Time from a signal being stored to its decision being stored."))

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        """Register a gauge read at scrape time."""
        self.registry.add(Gauge(name, help_text, read))

    def render(self) -> str:
        """The exposition text."""
        return self.registry.render()
