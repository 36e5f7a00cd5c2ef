"""Runtime context: the injected stores, clients and reasoners every node may use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from agent.config.org import OrgConfig
from agent.incidents.port import IncidentPort
from agent.noise.gate import NoiseGate
from agent.reasoning.types import Reasoner
from agent.store.signals import SignalStore
from knowledge.types import Retriever


@dataclass
class TriageContext:
    """Dependencies injected into the graph run (never checkpointed)."""

    config: OrgConfig
    store: SignalStore
    noise: NoiseGate
    reasoner: Reasoner
    offline: Reasoner
    retriever: Retriever | None = None
    tools: Any | None = None  # tools.runtime.ToolRuntime when remediation is enabled
    correlation_window: timedelta = timedelta(hours=1)
    incidents: IncidentPort | None = None  # incident response hears every stored decision
