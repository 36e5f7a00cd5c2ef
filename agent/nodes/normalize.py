"""Stage 1: canonicalize the signal and resolve its service against the catalog."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agent.catalog import fallback_service, structured_service, text_service
from agent.context import TriageContext
from agent.state import TriageState


def normalize(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """Resolve the service: a catalog service named by structured fields, else one the text
    clearly refers to, else a structured value outside the catalog (CONTRACTS §7)."""
    signal, config = state.signal, runtime.context.config
    service = structured_service(signal, config)
    source = "structured" if service else None
    if service is None:
        service = text_service(f"{signal.title}\n{signal.text}", config)
        source = "text" if service else None
    if service is None and (service := fallback_service(signal)):
        source = "structured"
    if service != signal.service:
        signal = signal.model_copy(update={"service": service})
    return {"signal": signal, "service_source": source}
