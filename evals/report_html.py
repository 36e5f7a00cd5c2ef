"""Render report.html: one self-contained page (inline CSS and SVG, no scripts, no CDN)."""

from __future__ import annotations

from html import escape
from typing import Any

from evals.report_md import fmt, misses
from evals.report_reliability import calibration_section

CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;max-width:1220px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dde}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #dde;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f3f4f8}.num{text-align:right}
.grid{display:flex;flex-wrap:wrap;gap:24px}.bad{color:#b3261e}.ok{color:#1b6e2f}
.miss td{font-size:12px}.small{color:#667;font-size:12px}"""


def _heat(value: int, peak: int, diagonal: bool) -> str:
    if value == 0:
        return "#f7f7fa"
    share = value / peak if peak else 0
    light = int(92 - 55 * share)
    hue = 140 if diagonal else 4
    return f"hsl({hue},60%,{light}%)"


def heatmap(title: str, labels: list[str], matrix: list[list[int]]) -> str:
    """A confusion matrix as an SVG heatmap (rows expected, columns decided, last col none)."""
    cols = labels + ["none"]
    cell, left, top = 46, 110, 86
    width, height = left + cell * len(cols) + 10, top + cell * len(labels) + 10
    peak = max((v for row in matrix for v in row), default=0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)} confusion matrix">',
             f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<text x="{left}" y="34" font-size="11" fill="#667">decided →</text>']
    for j, label in enumerate(cols):
        x = left + j * cell + cell / 2
        parts.append(f'<text x="{x}" y="{top - 8}" font-size="11" text-anchor="start" '
                     f'transform="rotate(-40 {x} {top - 8})">{escape(label)}</text>')
    for i, label in enumerate(labels):
        y = top + i * cell
        parts.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4}" font-size="11" '
                     f'text-anchor="end">{escape(label)}</text>')
        for j, value in enumerate(matrix[i]):
            x = left + j * cell
            parts.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                         f'fill="{_heat(value, peak, i == j)}"><title>expected {escape(label)}, '
                         f'decided {escape(cols[j])}: {value}</title></rect>')
            if value:
                parts.append(f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 4}" '
                             f'font-size="12" text-anchor="middle">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def tag_bars(tags: dict[str, dict[str, Any]]) -> str:
    """A horizontal SVG bar chart: share of fully correct decisions per tag."""
    rows = [(t, v) for t, v in tags.items() if v.get("all_correct") is not None]
    bar, left, span = 18, 170, 520
    height = 30 + bar * len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + span + 120}" '
             f'height="{height}" role="img" aria-label="per-tag accuracy">',
             '<text x="4" y="14" font-size="12" fill="#667">share of decisions with every '
             'labeled field right</text>']
    for k, (tag, v) in enumerate(rows):
        y = 24 + k * bar
        share = float(v["all_correct"])
        color = "#3f8f5a" if share >= 0.8 else "#d39b2a" if share >= 0.5 else "#c8553d"
        parts.append(f'<text x="{left - 6}" y="{y + 12}" font-size="11" text-anchor="end">'
                     f'{escape(tag)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{span}" height="{bar - 4}" '
                     'fill="#eef0f5"/>')
        parts.append(f'<rect x="{left}" y="{y}" width="{span * share:.1f}" height="{bar - 4}" '
                     f'fill="{color}"><title>{escape(tag)}: {share:.3f}</title></rect>')
        parts.append(f'<text x="{left + span + 6}" y="{y + 12}" font-size="11">'
                     f'{share:.2f} (n={v["cases"]})</text>')
    parts.append("</svg>")
    return "".join(parts)


def _metrics_table(metrics: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{escape(n)}</td><td class=num>{escape(fmt(v))}</td></tr>"
                   for n, v in metrics.items())
    return f"<table><tr><th>metric</th><th>value</th></tr>{rows}</table>"


def _class_table(detail: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{escape(c['label'])}</td><td class=num>{fmt(c['precision'])}</td>"
                   f"<td class=num>{fmt(c['recall'])}</td><td class=num>{fmt(c['f1'])}</td>"
                   f"<td class=num>{c['support']}</td></tr>" for c in detail["per_class"])
    return ("<table><tr><th>class</th><th>precision</th><th>recall</th><th>f1</th>"
            f"<th>support</th></tr>{rows}</table>")


def _misses_table(report: dict[str, Any], limit: int = 300) -> str:
    wrong = misses(report)
    rows = []
    for m in wrong[:limit]:
        got = m["error"] if m["error"] else m["got"]
        rows.append(f"<tr><td>{escape(m['id'])}</td><td>{escape(', '.join(m['tags']))}</td>"
                    f"<td>{escape(', '.join(m['wrong']) or 'error')}</td>"
                    f"<td>{escape(str(m['expected']))}</td><td class=bad>{escape(str(got))}</td>"
                    f"<td>{escape(m['rationale'][:400])}</td></tr>")
    more = (f"<p class=small>{len(wrong) - limit} more in report.json</p>"
            if len(wrong) > limit else "")
    return (f"<h2>Misclassified cases ({len(wrong)})</h2><table class=miss><tr><th>case</th>"
            "<th>tags</th><th>wrong</th><th>expected</th><th>decided</th><th>rationale</th>"
            f"</tr>{''.join(rows)}</table>{more}")


def render_html(report: dict[str, Any]) -> str:
    """The whole HTML page; every dataset or decision string is escaped (untrusted text)."""
    gate = report.get("gate") or {}
    gate_html = ""
    if gate.get("bounds"):
        items = "".join(f"<li class=bad>FAILED {escape(f)}</li>" for f in gate["failures"])
        gate_html = f"<h2>Gate</h2><ul>{items or '<li class=ok>all bounds met</li>'}</ul>"
    maps = "".join(heatmap(name, d["labels"], d["confusion"])
                   for name, d in report["classes"].items())
    tables = "".join(f"<div><h3>{escape(name)}</h3>{_class_table(d)}</div>"
                     for name, d in report["classes"].items() if d["per_class"])
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>Triage eval: {escape(report['dataset'])}</title><style>{CSS}</style></head>"
        f"<body><h1>Triage evaluation: {escape(report['dataset'])}</h1>"
        f"<p>{report['cases']} cases · {report['decisions']} decisions · {report['errors']} "
        f"errors · reasoner <b>{escape(report['reasoner'])}</b> · config "
        f"<code>{escape(str(report.get('config') or '(none)'))}</code></p>"
        f"{gate_html}<div class=grid><div><h2>Metrics</h2>{_metrics_table(report['metrics'])}"
        f"</div><div><h2>Confusion matrices</h2><div class=grid>{maps}</div>"
        f"<div class=grid>{tables}</div></div></div>"
        f"{calibration_section(report)}"
        f"<h2>Per tag</h2>{tag_bars(report['tags'])}"
        f"{_misses_table(report)}</body></html>\n")
