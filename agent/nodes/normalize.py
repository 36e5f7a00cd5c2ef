"""Stage 1: canonicalize the signal and resolve its service against the catalog."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.catalog import structured_service, text_service
from agent.context import TriageContext
from agent.state import TriageState


def normalize(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """Resolve the service: catalog name from structured fields, else one the text names."""
    signal, config = state.signal, runtime.context.config
    service = structured_service(signal, config)
    source = "structured" if service else None
    if service is None and signal.service:
        service, source = signal.service, "structured"
    if service is None:
        service = text_service(f"{signal.title}\n{signal.text}", config)
        source = "text" if service else None
    if service != signal.service:
        signal = signal.model_copy(update={"service": service})
    return {"signal": signal, "service_source": source}
