"""The graph LangGraph Studio and `langgraph dev` run (`agent/studio.py:graph` in langgraph.json).

Studio hands a run a plain JSON input and, at most, a JSON context; the live pipeline injects a
`TriageContext` of stores and clients that cannot travel as JSON. This graph therefore takes a
webhook body (`payload`, `format`, `index`) and an optional `StudioContext` (`home`, `config`,
`reasoner`, all defaulting to the settings), parses and stores the chosen signal, and runs the
real stages with the context the composition root builds from those settings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field

from agent.config.loader import load_config
from agent.config.settings import Settings
from agent.context import TriageContext
from agent.graph import NODES, STAGES
from agent.pipeline import Pipeline
from agent.signals.parse import parse_payload
from agent.state import TriageState
from agent.telemetry import traced_stage

log = logging.getLogger(__name__)
Node = Callable[[TriageState, Runtime[TriageContext]], dict]


class StudioContext(BaseModel):
    """What a Studio user may set per run; empty fields fall back to the environment/.env."""

    model_config = ConfigDict(extra="forbid")

    home: str | None = Field(None, description="state folder (TRIAGE_HOME)")
    config: str | None = Field(None, description="YAML organisation config (TRIAGE_CONFIG)")
    reasoner: Literal["offline", "llm", "auto"] | None = Field(
        None, description="reasoner (TRIAGE_REASONER)")


@dataclass
class StudioInput:
    """One received payload (any CONTRACTS §3 format) and which of its signals to triage."""

    payload: dict[str, Any] | list[Any] | str
    format: str = "auto"
    index: int = 0


@dataclass
class StudioState(TriageState):
    """The triage state plus the raw input it was parsed from."""

    payload: dict[str, Any] | list[Any] | str | None = None
    format: str = "auto"
    index: int = 0


_PIPELINES: dict[tuple[str | None, str | None, str | None], Pipeline] = {}
_LOCK = threading.Lock()


def studio_pipeline(context: StudioContext | dict | None) -> Pipeline:
    """The live pipeline (stores, KB, tools, reasoner) for a Studio context, built once per
    distinct context by the composition root."""
    ctx = StudioContext.model_validate(context or {})
    key = (ctx.home, ctx.config, ctx.reasoner)
    with _LOCK:
        if key not in _PIPELINES:
            from agent.wiring import open_pipeline

            update = {k: v for k, v in (("home", ctx.home and Path(ctx.home)),
                                        ("config", ctx.config and Path(ctx.config)),
                                        ("reasoner", ctx.reasoner)) if v}
            settings = Settings().model_copy(update=update)
            log.info("studio: opening the pipeline", extra={"home": str(settings.home)})
            _PIPELINES[key] = open_pipeline(settings, load_config(settings.config))
        return _PIPELINES[key]


def _live(runtime: Runtime[Any]) -> Runtime[TriageContext]:
    if isinstance(runtime.context, TriageContext):
        return runtime
    return runtime.override(context=studio_pipeline(runtime.context).context)


def _with_context(fn: Node) -> Node:
    @wraps(fn)
    def node(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
        return fn(state, _live(runtime))

    return node


def parse(state: StudioInput, runtime: Runtime[StudioContext]) -> dict:
    """Parse the payload, durably store the chosen signal and hand it to the stages."""
    if isinstance(runtime.context, TriageContext):
        raise ValueError("the Studio graph takes a payload; call the pipeline to decide signals")
    pipeline = studio_pipeline(runtime.context)
    signals = parse_payload(state.payload, state.format, received_at=pipeline.clock(),
                            new_id=pipeline.new_id)
    if not 0 <= state.index < len(signals):
        raise ValueError(f"index: the payload holds {len(signals)} signal(s), "
                         f"got index {state.index}")
    signal = signals[state.index]
    pipeline.store.add_signals([signal])
    return {"signal": signal}


def build_studio_graph(stages: list[tuple[str, Node]]) -> CompiledStateGraph:
    """`parse` then the given stages in order, each run with the context built from settings."""
    builder = StateGraph(StudioState, input_schema=StudioInput, output_schema=TriageState,
                         context_schema=StudioContext)
    builder.add_node("parse", parse)
    for name, fn in stages:
        builder.add_node(name, traced_stage(name, _with_context(fn)))
    names = ["parse", *(name for name, _ in stages)]
    builder.add_edge(START, names[0])
    for a, b in zip(names, names[1:], strict=False):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], END)
    return builder.compile(name="triage")


graph = build_studio_graph(list(zip(STAGES, NODES, strict=True)))
