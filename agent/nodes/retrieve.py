"""Stage 3: retrieve runbooks, postmortems and similar past cases for the signal."""

from __future__ import annotations

import re

from langgraph.runtime import Runtime

from agent.context import TriageContext
from agent.kernel.signal import Signal
from agent.state import TriageState
from knowledge.types import RetrievalQuery

_NAME_KEYS = ("alertname", "service", "job", "namespace", "container", "deployment", "app",
              "program", "component", "rulename", "__name__")
_NAMELIKE = re.compile(r"^[A-Za-z][\w.:-]{2,80}$")


def query_for(signal: Signal) -> RetrievalQuery:
    """The retrieval query: the signal's text plus its name-like structured values as terms."""
    labels = signal.label_view()
    terms: list[str] = []
    for key in _NAME_KEYS:
        value = labels.get(key)
        if value and _NAMELIKE.match(value) and value not in terms:
            terms.append(value)
    url = next((v for k, v in signal.annotations.items()
                if k.lower() in {"runbook_url", "runbook"} and "/" in v), None)
    return RetrievalQuery(text=f"{signal.title}\n{signal.text}".strip(), terms=tuple(terms),
                          service=signal.service, labels=labels, runbook_url=url)


def retrieve(state: TriageState, runtime: Runtime[TriageContext]) -> dict:
    """Best runbooks, postmortems and past cases from the knowledge base, when there is one."""
    kb = runtime.context.retriever
    if kb is None:
        return {}
    query = query_for(state.signal)
    return {
        "runbooks": kb.search(query, k=3, kind="runbook"),
        "postmortems": kb.search(query, k=2, kind="postmortem"),
        "cases": kb.similar_cases(query, k=7),
        "team_guess": kb.history_guess(query, "team"),
    }
