"""Optional OpenTelemetry tracing with the GenAI semantic conventions (`pip install '.[otel]'`).

Off unless the standard variables ask for it (`OTEL_TRACES_EXPORTER` other than `none`, or an
`OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`; `OTEL_SDK_DISABLED=true` wins), or a host process calls
`instrument(provider)` with its own tracer provider. See `spans.py` for what is traced.
"""

from agent.telemetry.setup import configure_from_env, tracing_enabled
from agent.telemetry.spans import instrument, traced_stage

__all__ = ["configure_from_env", "instrument", "traced_stage", "tracing_enabled"]
