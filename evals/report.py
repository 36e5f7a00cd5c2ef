"""Assemble report.json (CONTRACTS §5) from case results and write all three report files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.calibration import DEFAULT_THRESHOLD, calibration_detail
from evals.metrics import class_details, compute_metrics, tag_breakdown
from evals.scoring import CaseResult, correctness


def _case_row(result: CaseResult) -> dict[str, Any]:
    """One per_case entry: the decision(s), per-field correctness (all decisions must agree)."""
    fields: dict[str, bool] = {}
    for item in result.scored():
        for name, ok in correctness(item.expected, item.decision).items():
            fields[name] = fields.get(name, True) and ok
    row: dict[str, Any] = {
        "id": result.case_id, "tags": result.tags, "expected": result.expected,
        "decision": result.decisions[0] if result.decisions else {},
        "correct": fields, "error": result.error,
        "latency_ms": round(result.latency_ms, 3), "llm_tokens": result.llm_tokens,
        "unsafe_actions": result.unsafe_actions,
    }
    if len(result.decisions) > 1:
        row["decisions"] = result.decisions
    return row


def build_report(results: Sequence[CaseResult], *, reasoner: str, dataset: str,
                 config: str | None, kb: Sequence[str] = (), history: str | None = None,
                 bounds: dict[str, float] | None = None, tools: str = "off",
                 failures: Sequence[str] = (),
                 threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """The report.json object: counts, metrics, per-class, per-tag and per-case detail."""
    return {
        "cases": len(results),
        "decisions": sum(len(r.decisions) for r in results),
        "errors": sum(1 for r in results if r.error is not None),
        "reasoner": reasoner, "dataset": dataset, "config": config,
        "kb": list(kb), "history": history, "tools": tools,
        "metrics": compute_metrics(results),
        "classes": class_details(results),
        "tags": tag_breakdown(results),
        "calibration": calibration_detail([s for r in results for s in r.scored()],
                                          threshold),
        "gate": {"bounds": bounds or {}, "failures": list(failures)},
        "per_case": [_case_row(r) for r in results],
    }


def write_reports(report: dict[str, Any], out: Path) -> list[Path]:
    """Write report.json, report.md and report.html into `out` (created if needed)."""
    from evals.report_html import render_html
    from evals.report_md import render_markdown

    out.mkdir(parents=True, exist_ok=True)
    files = {"report.json": json.dumps(report, indent=2, sort_keys=False) + "\n",
             "report.md": render_markdown(report), "report.html": render_html(report)}
    paths = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
