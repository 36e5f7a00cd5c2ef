"""Resuming a triage run paused on an approval, after `triage approvals approve|reject`."""

from __future__ import annotations

from typing import Any

from agent.config.org import OrgConfig
from agent.config.settings import Settings


def resume_thread(settings: Settings, config: OrgConfig, runtime: Any, record: Any,
                  approver: str, accept: bool) -> str:
    """Continue the paused graph thread with the human response; returns a one-line summary."""
    from langgraph.types import Command

    from agent.wiring import build_pipeline

    checkpoints = settings.db_path.with_name("checkpoints.db")
    if not checkpoints.exists():
        return "no checkpoint database; the run will pick up the decision when resumed"
    pipe = build_pipeline(config=config, settings=settings, db_path=settings.db_path,
                          checkpointer="sqlite", tools=runtime)
    thread = {"configurable": {"thread_id": record.thread_id}}
    snapshot = pipe.graph.get_state(thread)
    if "act" not in (snapshot.next or ()):
        return f"run {record.thread_id} is not waiting for an approval"
    response = {"type": "accept" if accept else "reject", "approver": approver}
    pipe.graph.invoke(Command(resume={record.id: response}), thread, context=pipe.context)
    decision = pipe.store.get_decision(record.signal_id)
    if decision is None:
        return f"resumed {record.thread_id}"
    statuses = ", ".join(f"{a.tool}={a.status}" for a in decision.actions)
    return f"resumed {record.thread_id}: {statuses}"
