"""The composition root: the one place that assembles a running Triage.

Surfaces (CLI, HTTP service, Slack, evals, LangGraph Studio) ask this module for a pipeline,
a knowledge base, a tool runtime or a chat responder; nothing else in the project constructs
stores, reasoners or clients from settings. Every dependency is injected, nothing is global.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agent.config.org import OrgConfig
from agent.config.settings import Settings
from agent.kernel.errors import LLMConfigError

# Heavy parts load when a function needs them, not when a surface imports this module:
# LangGraph for a pipeline, Chroma only for a knowledge base that holds vectors, the OpenAI
# client only for the llm/auto reasoner or an LLM-backed chat responder (`triage run` and
# every other command start in a fraction of the time).
if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from agent.chat.answer import ChatResponder
    from agent.config.sections import LLMSection
    from agent.incidents.clock import StreamClock
    from agent.incidents.postmortem import Writer
    from agent.kernel.noise import NoiseAdmin
    from agent.pipeline import Pipeline
    from agent.reasoning.llm.investigate import ToolSet
    from agent.reasoning.llm.metrics import LLMMetrics
    from agent.reasoning.llm.reasoner import LLMReasoner, Mode, SignalTools
    from agent.reasoning.types import Reasoner
    from agent.tickets.runtime import TicketsRuntime
    from agent.tickets.writeback import SignalSource
    from knowledge.base import KnowledgeBase
    from knowledge.types import Retriever
    from tools.investigation import InvestigationTools
    from tools.runtime import ToolRuntime

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Checkpointer = Literal["none", "memory", "sqlite"]

__all__ = ["LLMConfigError", "build_chat_responder", "build_llm_reasoner", "build_pipeline",
           "chat_responder", "dry_run_tools", "ingest_history", "investigation_tools",
           "make_reasoner", "noise_admin", "open_kb", "open_kb_at", "open_pipeline",
           "open_tools", "read_only_tools", "ticket_runtime", "tool_runtime"]


# -- knowledge base ----------------------------------------------------------------------------

def open_kb(settings: Settings, config: OrgConfig) -> KnowledgeBase:
    """The knowledge base under --home (or the Chroma server named in settings/config)."""
    from agent.signals.cases import parse_case_input
    from knowledge.factory import open_kb as open_knowledge

    kb = open_knowledge(settings, config.knowledge)
    kb.case_parser = parse_case_input
    return kb


def open_kb_at(folder: Path | None, config: OrgConfig) -> KnowledgeBase:
    """A knowledge base in `folder` (None: a throwaway one), as evals build theirs."""
    from agent.signals.cases import parse_case_input
    from knowledge.base import KnowledgeBase

    kb = KnowledgeBase.open(folder, section=config.knowledge)
    kb.case_parser = parse_case_input
    return kb


def ingest_history(kb: KnowledgeBase, source: str | Path | Iterable[dict[str, Any]]) -> int:
    """Store labeled past cases (eval-case lines) as history, parsed by the core's parser."""
    from agent.signals.cases import parse_case_input

    return kb.ingest_cases(source, parse=parse_case_input)


# -- tools -------------------------------------------------------------------------------------

def open_tools(settings: Settings, config: OrgConfig, db_path: Path | None = None
               ) -> ToolRuntime | None:
    """The tool runtime (registry, policy, approvals, ledger) on the --home database, or None
    when tools are disabled."""
    if not config.tools.enabled:
        return None
    from tools.runtime import ToolRuntime

    return ToolRuntime.open(db_path or settings.db_path, config.tools, config)


def tool_runtime(settings: Settings, config: OrgConfig) -> ToolRuntime:
    """The tool runtime for `triage tools|approvals|audit` (also when remediation is off)."""
    from tools.runtime import ToolRuntime

    return ToolRuntime.open(settings.db_path, config.tools, config)


def dry_run_tools(config: OrgConfig, clock: Clock) -> ToolRuntime:
    """A fresh dry-run tool runtime (in-memory ledger; nothing ever executes), for evals."""
    from tools.runtime import ToolRuntime

    section = config.tools.model_copy(update={"dry_run": True})
    return ToolRuntime.open(":memory:", section, config, clock=clock)


def read_only_tools(config: OrgConfig, clock: Clock) -> ToolRuntime:
    """A fresh runtime (in-memory ledger) that really runs read-only tools, unattended, under
    the egress policy; everything else waits for an approval (evals of the security suite)."""
    from tools.envelope import Risk
    from tools.policy import Policy, PolicyRule
    from tools.runtime import ToolRuntime

    policy = Policy(rules=[PolicyRule(tools=["*"], max_auto_risk=Risk.read_only)])
    return ToolRuntime.open(":memory:", config.tools, config, clock=clock, policy=policy)


def investigation_tools(tools: ToolRuntime | None) -> InvestigationTools | None:
    """The LLM's read-only investigation tools over the tool runtime (None without tools)."""
    from tools.investigation import InvestigationTools

    return InvestigationTools(tools) if tools is not None else None


def noise_admin(settings: Settings, config: OrgConfig) -> NoiseAdmin:
    """The noise gate on the --home database, for `triage maintenance|silence`."""
    from agent.kernel.db import open_db
    from agent.noise.gate import NoiseGate

    return NoiseGate(open_db(settings.db_path), config)


# -- reasoners and chat ------------------------------------------------------------------------

def build_llm_reasoner(settings: Settings, section: LLMSection, fallback: Reasoner,
                       mode: Mode = "llm", tools: ToolSet | SignalTools | None = None,
                       metrics: LLMMetrics | None = None) -> LLMReasoner:
    """An LLMReasoner for the configured endpoint; LLMConfigError when base_url or model miss."""
    from agent.reasoning.llm.endpoint import make_openai_client
    from agent.reasoning.llm.reasoner import LLMReasoner

    client, model = make_openai_client(settings, section)
    return LLMReasoner(client, model, section, fallback, mode=mode, tools=tools, metrics=metrics)


def make_reasoner(name: str | Reasoner, offline: Reasoner, config: OrgConfig,
                  settings: Settings | None, tools: ToolRuntime | None = None) -> Reasoner:
    """The reasoner for a name: offline, or the LLM reasoner (llm / auto) with the read-only
    investigation tools of `tools`."""
    if not isinstance(name, str):
        return name
    if name == "offline":
        return offline
    if name not in {"llm", "auto"}:
        raise ValueError(f"reasoner: must be offline, llm or auto, got {name!r}")
    return build_llm_reasoner(settings or Settings(), config.llm, offline, name,
                              tools=investigation_tools(tools))


def build_chat_responder(settings: Settings, section: LLMSection, *, use_llm: bool = True,
                         metrics: LLMMetrics | None = None) -> ChatResponder:
    """A responder using the configured endpoint, or template-only when none is configured."""
    from agent.chat.answer import ChatResponder

    if not use_llm:
        return ChatResponder(None)
    from agent.reasoning.llm.client import LLMClient
    from agent.reasoning.llm.endpoint import make_openai_client

    try:
        client, model = make_openai_client(settings, section)
    except LLMConfigError:
        return ChatResponder(None)
    return ChatResponder(LLMClient(client, model, section, metrics=metrics))


def chat_responder(settings: Settings, config: OrgConfig) -> ChatResponder:
    """The chat responder of a running system: LLM-backed only for reasoner llm/auto."""
    return build_chat_responder(settings, config.llm, use_llm=settings.reasoner != "offline")


def postmortem_writer(settings: Settings | None, config: OrgConfig) -> Writer | None:
    """The LLM postmortem writer for reasoner llm/auto with a configured endpoint, else None
    (the offline template drafts)."""
    if settings is None or settings.reasoner == "offline":
        return None
    from agent.incidents.postmortem_llm import llm_writer
    from agent.reasoning.llm.client import LLMClient
    from agent.reasoning.llm.endpoint import make_openai_client

    try:
        client, model = make_openai_client(settings, config.llm)
    except LLMConfigError:
        return None
    return llm_writer(LLMClient(client, model, config.llm))


# -- the pipeline ------------------------------------------------------------------------------

def build_pipeline(*, config: OrgConfig, settings: Settings | None = None,
                   db_path: str | Path = ":memory:", checkpointer: Checkpointer = "memory",
                   retriever: Retriever | None = None, reasoner: str | Reasoner = "offline",
                   clock: Clock | None = None, id_prefix: str | None = None,
                   tools: ToolRuntime | None = None,
                   incident_clock: StreamClock | None = None) -> Pipeline:
    """Assemble stores, reasoner and graph into the facade.

    `checkpointer`: "sqlite" (beside db_path; pending approvals survive restarts), "memory",
    or "none" (evals: no interrupts are expected, one compiled graph serves every case).
    """
    from agent.context import TriageContext
    from agent.graph import graph_with, memory_checkpointer, sqlite_checkpointer
    from agent.incidents.clock import StreamClock
    from agent.incidents.runtime import IncidentResponse, label_sink, review_sink, tool_prober
    from agent.kernel.db import open_db
    from agent.noise.gate import NoiseGate
    from agent.pipeline import Pipeline, utc_now
    from agent.reasoning.offline import OfflineReasoner
    from agent.store.signals import SignalStore

    conn = open_db(db_path)
    offline = OfflineReasoner()
    store = SignalStore(conn)
    incidents = IncidentResponse.open(
        # an injected receive clock (evals, tests) is not called here: it may advance per call
        conn, config, clock=incident_clock or StreamClock(base=None if clock else utc_now),
        decisions=store, labels=label_sink(retriever, store), submit=review_sink(retriever),
        prober=tool_prober(tools), writer=postmortem_writer(settings, config))
    context = TriageContext(
        config=config, store=store, noise=NoiseGate(conn, config),
        reasoner=make_reasoner(reasoner, offline, config, settings, tools), offline=offline,
        retriever=retriever, tools=tools, incidents=incidents)
    saver: BaseCheckpointSaver | None = None
    if checkpointer == "sqlite" and str(db_path) != ":memory:":
        saver = sqlite_checkpointer(Path(db_path).with_name("checkpoints.db"))
    elif checkpointer != "none":
        saver = memory_checkpointer()
    return Pipeline(graph=graph_with(saver), context=context,
                    clock=clock or utc_now, id_prefix=id_prefix)


def open_pipeline(settings: Settings, config: OrgConfig, *, db_path: Path | None = None,
                  kb: Retriever | None = None, use_kb: bool = True, use_tools: bool = True,
                  tools: ToolRuntime | None = None) -> Pipeline:
    """The pipeline the CLI, the service and Slack run: durable stores under --home, a SQLite
    checkpointer, the knowledge base and the tool runtime."""
    path = db_path or settings.db_path
    retriever = kb
    if kb is None and use_kb:
        retriever = opened = open_kb(settings, config)
        opened.prefetch()  # the model loads while the graph and the tools are imported
    if tools is None and use_tools:
        tools = open_tools(settings, config, path)
    return build_pipeline(config=config, settings=settings, db_path=path, checkpointer="sqlite",
                          retriever=retriever, reasoner=settings.reasoner, tools=tools)


# -- ticket systems ----------------------------------------------------------------------------

def ticket_runtime(config: OrgConfig, connect: Callable[[], sqlite3.Connection],
                   signals: SignalSource, env: Callable[[], Mapping[str, str]], *,
                   retriever: object | None = None) -> TicketsRuntime | None:
    """The ticket integration (outbox, REST clients, poller, override hook) on the shared
    database, or None without `tickets.instances`; overrides go to the KB when it takes cases."""
    if not config.tickets.instances:
        return None
    from agent.tickets.incident_link import IncidentStoreLookup
    from agent.tickets.outbox import TicketStore
    from agent.tickets.runtime import TicketsRuntime

    cases = retriever if hasattr(retriever, "add_case_record") else None
    return TicketsRuntime(config.tickets, TicketStore(connect()), signals, env=env,
                          cases=cases, incidents=IncidentStoreLookup(connect()))  # type: ignore[arg-type]
