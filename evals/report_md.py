"""Render report.md: metrics table, gate result, per-class scores, per-tag breakdown, misses."""

from __future__ import annotations

from typing import Any

MAX_MISSES = 60


def fmt(value: Any) -> str:
    """A metric value for humans: 3 decimals, integers as is, None as n/a."""
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def misses(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Cases with a wrong field or an error, with what was expected and what came out."""
    out = []
    for row in report["per_case"]:
        wrong = [name for name, ok in row["correct"].items() if not ok]
        if not wrong and row.get("error") is None:
            continue
        decision = row.get("decision") or {}
        got = {name: _got(name, decision) for name in wrong}
        out.append({"id": row["id"], "tags": row["tags"], "wrong": wrong,
                    "expected": {n: row["expected"].get(n) for n in wrong}, "got": got,
                    "error": row.get("error"), "rationale": decision.get("rationale", "")})
    return out


def _got(name: str, decision: dict[str, Any]) -> Any:
    noise = decision.get("noise") or {}
    if name == "suppressed":
        return noise.get("suppressed_by")
    if name == "duplicate":
        return noise.get("duplicate_of")
    if name == "runbook":
        return [r.get("id") for r in decision.get("runbooks") or []][:3]
    if name == "action":
        return [a.get("tool") for a in decision.get("actions") or []]
    return decision.get(name)


def render_markdown(report: dict[str, Any]) -> str:
    """The whole Markdown report."""
    lines = [f"# Triage evaluation: {report['dataset']}", "",
             f"{report['cases']} cases, {report['decisions']} decisions, "
             f"{report['errors']} errors, reasoner `{report['reasoner']}`, "
             f"config `{report.get('config') or '(none)'}`.", "",
             "| metric | value |", "|---|---|"]
    lines += [f"| {name} | {fmt(value)} |" for name, value in report["metrics"].items()]
    gate = report.get("gate") or {}
    if gate.get("bounds"):
        lines += ["", "## Gate", ""]
        lines += [f"- FAILED {f}" for f in gate["failures"]] or ["- all bounds met"]
    cal = report.get("calibration") or {}
    if cal.get("judged_decisions"):
        band = cal["auto_band"]
        lines += ["", "## Calibration", "", "| confidence | n | mean confidence | accuracy |",
                  "|---|---|---|---|"]
        lines += [f"| {b['low']:.1f}–{b['high']:.1f} | {b['n']} | {b['confidence']:.3f} | "
                  f"{b['accuracy']:.3f} |" for b in cal["buckets"] if b["n"]]
        lines += ["", f"`auto` band (confidence < {band['threshold']}): {band['uncertain']} "
                  f"decisions, accuracy {fmt(band['uncertain_accuracy'])}; above: "
                  f"{band['confident']}, accuracy {fmt(band['confident_accuracy'])}; decided by "
                  f"the LLM: {band['decided_by_llm']}."]
    for field, detail in report["classes"].items():
        if not detail["per_class"]:
            continue
        lines += ["", f"## {field}", "", "| class | precision | recall | f1 | support |",
                  "|---|---|---|---|---|"]
        lines += [f"| {c['label']} | {fmt(c['precision'])} | {fmt(c['recall'])} | "
                  f"{fmt(c['f1'])} | {c['support']} |" for c in detail["per_class"]]
        labels = detail["labels"] + ["none"]
        lines += ["", "Confusion (rows: expected, columns: decided)", "",
                  "| expected \\ decided | " + " | ".join(labels) + " |",
                  "|---" * (len(labels) + 1) + "|"]
        lines += [f"| {label} | " + " | ".join(str(v) for v in row) + " |"
                  for label, row in zip(detail["labels"], detail["confusion"], strict=True)]
    lines += ["", "## Tags", "", "| tag | cases | all correct | kind | event_type | priority "
              "| team | security |", "|---|---|---|---|---|---|---|---|"]
    for tag, t in report["tags"].items():
        lines.append(f"| {_cell(tag)} | {t['cases']} | {fmt(t['all_correct'])} | "
                     f"{fmt(t['kind_accuracy'])} | {fmt(t['event_type_accuracy'])} | "
                     f"{fmt(t['priority_accuracy'])} | {fmt(t['team_accuracy'])} | "
                     f"{fmt(t['security_accuracy'])} |")
    wrong = misses(report)
    lines += ["", f"## Misclassified ({len(wrong)})", "",
              "| case | wrong | expected | got | rationale |", "|---|---|---|---|---|"]
    for m in wrong[:MAX_MISSES]:
        lines.append(f"| {_cell(m['id'])} | {_cell(', '.join(m['wrong']) or 'error')} | "
                     f"{_cell(m['expected'])} | {_cell(m['error'] or m['got'])} | "
                     f"{_cell(m['rationale'][:200])} |")
    if len(wrong) > MAX_MISSES:
        lines.append(f"\n… {len(wrong) - MAX_MISSES} more in report.json / report.html")
    return "\n".join(lines) + "\n"
