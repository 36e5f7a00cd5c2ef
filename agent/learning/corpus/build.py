"""Build the training corpus from local mirrors into a cache directory outside the repository."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.learning.corpus import (
    elastic_rules,
    extra_rules,
    helm_rules,
    loghub,
    notices,
    prometheus_rules,
)
from agent.learning.corpus.mirror import DEFAULT_MIRRORS, Mirror, MirrorMissing
from agent.learning.corpus.records import Example, write_jsonl

log = logging.getLogger(__name__)
TASKS = ("severity", "log", "security", "notice")


_NOT_WORDS = re.compile(r"\([^)]*\)|[^a-z]+")


def normalized(text: str) -> str:
    """Annotation text reduced to its words (parenthesised parts, digits, punctuation gone), so
    a copy of an eval rule with other placeholder values or another alertname still matches."""
    return " ".join(_NOT_WORDS.sub(" ", text.lower()).split())


def _eval_alerts(shared: Path | None) -> Iterator[dict]:
    if shared is None or not shared.is_dir():
        return
    for path in shared.rglob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            payload = json.loads(line).get("input", {}).get("payload")
            yield from (payload or {}).get("alerts", []) if isinstance(payload, dict) else []


def eval_alertnames(shared: Path | None) -> set[str]:
    """Alertnames of the evaluation sets (never trained on), read from their cases."""
    return {name for alert in _eval_alerts(shared)
            if (name := (alert.get("labels") or {}).get("alertname"))}


def eval_texts(shared: Path | None) -> set[str]:
    """Normalised summaries and descriptions of the evaluation sets (never trained on)."""
    return {n for alert in _eval_alerts(shared)
            for v in (alert.get("annotations") or {}).values()
            if len(n := normalized(str(v))) >= 20}


def copies_eval(example: Example, texts: set[str]) -> bool:
    """True when a rule example's summary or description is an evaluation case's text."""
    if not texts or example.fmt != "alertmanager":
        return False
    return any(normalized(str(v)) in texts for alert in example.payload.get("alerts", [])
               for v in (alert.get("annotations") or {}).values())


SOURCES = (prometheus_rules.REPO, prometheus_rules.SECOND_REPO, helm_rules.REPO,
           helm_rules.SAP_REPO, *extra_rules.COLLECTIONS, loghub.REPO, elastic_rules.REPO,
           *notices.K8S_REPOS, notices.ZABBIX_REPO)


def _examples(repo: str, mirror: Mirror, exclude: set[str],
              texts: frozenset[str] | set[str] = frozenset()) -> Iterator[Example]:
    """One source's examples; alert rules also give `benign` security and `condition` examples."""
    if repo in (prometheus_rules.REPO, prometheus_rules.SECOND_REPO):
        rules: Iterator[Example] = prometheus_rules.severity_examples(mirror, exclude)
    elif repo in (helm_rules.REPO, helm_rules.SAP_REPO):
        rules = helm_rules.severity_examples(mirror, exclude)
    elif repo in extra_rules.COLLECTIONS:
        rules = extra_rules.severity_examples(mirror, exclude)
    elif repo == loghub.REPO:
        yield from loghub.log_examples(mirror)
        yield from notices.log_level_examples(mirror)
        return
    elif repo == notices.ZABBIX_REPO:
        yield from (ex for ex in notices.zabbix_trigger_examples(mirror)
                    if not copies_eval(ex, set(texts))
                    and ex.payload["alerts"][0]["labels"]["alertname"] not in exclude)
        return
    elif repo in notices.K8S_REPOS:
        yield from notices.k8s_event_examples(mirror)
        return
    else:
        yield from elastic_rules.security_examples(mirror)
        return
    for ex in rules:
        if copies_eval(ex, texts):
            log.info("dropped a copy of an eval rule", extra={"source": ex.source})
            continue
        yield ex
        yield Example("security", "benign", ex.source, ex.group, ex.fmt, ex.payload)
        yield notices.rule_condition(ex)


def collect(mirrors: Path = DEFAULT_MIRRORS, shared: Path | None = None
            ) -> tuple[dict[str, list[Example]], dict[str, str], list[str]]:
    """Every example of every task from the mirrors present (eval alertnames excluded);
    also the commit read per source and the sources whose mirror is missing."""
    out: dict[str, list[Example]] = {t: [] for t in TASKS}
    exclude, texts = eval_alertnames(shared), eval_texts(shared)
    commits: dict[str, str] = {}
    missing: list[str] = []
    for repo in SOURCES:
        try:
            mirror = Mirror.open(repo, mirrors)
        except MirrorMissing:
            log.warning("corpus source missing", extra={"repo": repo})
            missing.append(repo)
            continue
        commits[repo] = mirror.commit()
        for ex in _examples(repo, mirror, exclude, texts):
            out[ex.task].append(ex)
    if not commits:
        raise MirrorMissing(f"none of the corpus sources is mirrored under {mirrors}")
    log.info("corpus collected", extra={t: len(v) for t, v in out.items()})
    return out, commits, missing


def build(cache: Path, mirrors: Path = DEFAULT_MIRRORS, shared: Path | None = None
          ) -> dict[str, Any]:
    """Write <cache>/<task>.jsonl and <cache>/summary.json; return the summary."""
    corpus, commits, missing = collect(mirrors, shared)
    summary: dict[str, Any] = {"mirrors": commits, "missing": missing, "tasks": {}}
    for task, examples in corpus.items():
        write_jsonl(cache / f"{task}.jsonl", examples)
        by_source = Counter(e.source.split(":")[0] for e in examples)
        summary["tasks"][task] = {"count": len(examples),
                                  "labels": dict(Counter(e.label for e in examples)),
                                  "sources": dict(by_source)}
    (cache / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary
