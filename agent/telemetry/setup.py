"""Tracer provider set-up from the standard `OTEL_*` environment variables."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from agent.kernel.version import version

log = logging.getLogger(__name__)
_CONFIGURED = False


def wanted(env: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for tracing (exporter or OTLP endpoint named, SDK on)."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter != "none"
    return bool(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                or env.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def _exporters(env: Mapping[str, str]) -> list[object]:
    names = [n.strip().lower() for n in env.get("OTEL_TRACES_EXPORTER", "otlp").split(",")]
    out: list[object] = []
    for name in names:
        if name == "console":
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            out.append(ConsoleSpanExporter())
        elif name == "otlp":
            protocol = (env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
                        or env.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf")
            if protocol == "grpc":
                from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
                    OTLPSpanExporter,
                )
            else:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )
            out.append(OTLPSpanExporter())  # endpoint, headers, timeout: from OTEL_* itself
        elif name != "none":
            raise ValueError(f"OTEL_TRACES_EXPORTER: unsupported exporter {name!r} "
                             "(otlp, console or none)")
    return out


def configure_from_env(env: Mapping[str, str] = os.environ) -> bool:
    """Install a tracer provider and the instrumentation when the environment asks for it.

    Returns whether tracing is on. Raises RuntimeError with a one-line message when tracing is
    asked for but the SDK or the exporter package is not installed.
    """
    global _CONFIGURED
    if _CONFIGURED or not wanted(env):
        return _CONFIGURED
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        exporters = _exporters(env)
    except ImportError as exc:
        raise RuntimeError(f"OpenTelemetry tracing asked for by OTEL_* but {exc.name} is not "
                           "installed: pip install 'triage[otel]'") from None
    resource = Resource.create({"service.name": env.get("OTEL_SERVICE_NAME", "triage"),
                                "service.version": version()})
    provider = TracerProvider(resource=resource)  # OTEL_TRACES_SAMPLER is read here
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))  # type: ignore[arg-type]
    trace.set_tracer_provider(provider)
    from agent.telemetry.spans import instrument

    instrument()
    _CONFIGURED = True
    log.info("tracing on", extra={"exporters": [type(e).__name__ for e in exporters]})
    return True


def tracing_enabled() -> bool:
    """True when spans are being recorded (configured here or `instrument()` called)."""
    from agent.telemetry.spans import active

    return active()
