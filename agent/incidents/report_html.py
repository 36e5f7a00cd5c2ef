"""The KPI report as one self-contained HTML page with inline-SVG plots over time."""

from __future__ import annotations

from html import escape

from agent.incidents.kpis import Kpis, Report

COLUMNS = [("signals", "signals"), ("notifications", "notified"), ("noise_ratio", "noise ratio"),
           ("dedup_rate", "dedup"), ("suppression_rate", "suppressed"),
           ("auto_resolution_rate", "auto-resolved"), ("incidents", "incidents"),
           ("escalations", "escalations"), ("mtta_min", "MTTA min"), ("mttr_min", "MTTR min"),
           ("time_to_engage_min", "engage min"), ("verified_fix_rate", "verified fixes")]


def fmt(value: float | int | None, key: str) -> str:
    """A cell: rates as percentages, minutes with one decimal, n/a for missing."""
    if value is None:
        return "n/a"
    if key.endswith("_rate"):
        return f"{100 * value:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _table(title: str, rows: dict[str, Kpis]) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for _, label in COLUMNS)
    body = []
    for name, k in rows.items():
        d = k.as_dict()
        cells = "".join(f"<td>{escape(fmt(d[key], key))}</td>" for key, _ in COLUMNS)
        body.append(f"<tr><th>{escape(name)}</th>{cells}</tr>")
    return (f"<h2>{escape(title)}</h2><table><tr><th></th>{head}</tr>"
            f"{''.join(body)}</table>")


def svg_series(title: str, labels: list[str], series: dict[str, list[float | None]],
               width: int = 640, height: int = 220) -> str:
    """A line chart (one polyline per series, points on missing values skipped)."""
    pad, colors = 40, ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e"]
    values = [v for vs in series.values() for v in vs if v is not None]
    top = max(values) if values else 1.0
    top = top or 1.0
    n = max(len(labels), 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)
        return x, height - pad - (height - 2 * pad) * (v / top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}">',
             f'<text x="{pad}" y="18" font-size="13">{escape(title)}</text>',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
             'stroke="#888"/>',
             f'<text x="4" y="{pad + 4}" font-size="10">{top:.1f}</text>']
    for i, label in enumerate(labels):
        x, _ = xy(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{height - pad + 14}" font-size="10" '
                     f'text-anchor="middle">{escape(label)}</text>')
    for (name, vs), color in zip(series.items(), colors, strict=False):
        points = [xy(i, v) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                         f'points="{path}"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
        legend_y = 18 + 14 * (list(series).index(name) + 1)
        parts.append(f'<text x="{width - pad - 120}" y="{legend_y}" font-size="11" '
                     f'fill="{color}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: Report, title: str = "Triage operations report") -> str:
    """The whole page: overall, per team, per service, and plots per day."""
    days = list(report.days)
    daily = {d: k.as_dict() for d, k in report.days.items()}
    plots = [
        svg_series("MTTA and MTTR per day (minutes)", days, {
            "MTTA": [daily[d]["mtta_min"] for d in days],
            "MTTR": [daily[d]["mttr_min"] for d in days]}),
        svg_series("Raw signals and notifications per day", days, {
            "signals": [float(daily[d]["signals"] or 0) for d in days],
            "notifications": [float(daily[d]["notifications"] or 0) for d in days]}),
        svg_series("Escalations per day", days, {
            "escalations": [float(daily[d]["escalations"] or 0) for d in days]}),
    ]
    rows = "".join(
        f"<tr><td>{escape(i.id)}</td><td>{escape(i.priority)}</td><td>{escape(i.status)}</td>"
        f"<td>{escape(i.team or '-')}</td><td>{escape(i.service or '-')}</td>"
        f"<td>{escape(i.title[:120])}</td><td>{escape(i.verification or '-')}</td></tr>"
        for i in report.incidents)
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
             "th{background:#f4f4f4}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{style}</style></head><body><h1>{escape(title)}</h1>"
            + _table("Overall", {"all": report.overall}) + _table("Per team", report.teams)
            + _table("Per service", report.services) + "<h2>Over time</h2>"
            + "".join(f"<div>{p}</div>" for p in plots)
            + "<h2>Incidents</h2><table><tr><th>id</th><th>prio</th><th>state</th><th>team</th>"
              "<th>service</th><th>title</th><th>check</th></tr>" + rows + "</table>"
            + "</body></html>")
