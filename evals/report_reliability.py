"""The reliability diagram (inline SVG) and the `auto` band table for report.html."""

from __future__ import annotations

from html import escape
from typing import Any


def reliability_svg(buckets: list[dict[str, Any]]) -> str:
    """Accuracy against mean confidence per bucket; the diagonal is perfect calibration."""
    size, pad = 260, 40
    full = size + 2 * pad

    def px(v: float) -> float:
        return pad + v * size

    def py(v: float) -> float:
        return pad + (1 - v) * size

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{full + 140}" height="{full}" '
             'role="img" aria-label="reliability diagram">',
             f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="#f7f7fa" '
             'stroke="#ccd"/>',
             f'<line x1="{px(0)}" y1="{py(0)}" x2="{px(1)}" y2="{py(1)}" stroke="#99a" '
             'stroke-dasharray="4 3"/>',
             f'<text x="{pad}" y="{full - 8}" font-size="11" fill="#667">confidence →</text>',
             f'<text x="6" y="{pad - 10}" font-size="11" fill="#667">accuracy ↑</text>']
    total = sum(b["n"] for b in buckets) or 1
    points = []
    for b in buckets:
        if not b["n"]:
            continue
        x0, x1 = px(b["low"]), px(b["high"])
        h = b["accuracy"] * size
        parts.append(f'<rect x="{x0 + 1:.1f}" y="{py(b["accuracy"]):.1f}" '
                     f'width="{x1 - x0 - 2:.1f}" height="{h:.1f}" fill="#8fb3d9" '
                     f'fill-opacity="{0.35 + 0.65 * b["n"] / total:.2f}"><title>'
                     f'{b["low"]:.1f}–{b["high"]:.1f}: {b["n"]} decisions, accuracy '
                     f'{b["accuracy"]:.3f}, mean confidence {b["confidence"]:.3f}</title></rect>')
        points.append(f'{px(b["confidence"]):.1f},{py(b["accuracy"]):.1f}')
    if points:
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#1d4f91" '
                     'stroke-width="2"/>')
    for tick in (0.0, 0.5, 1.0):
        parts.append(f'<text x="{px(tick) - 6}" y="{py(0) + 14}" font-size="10">{tick}</text>')
        parts.append(f'<text x="{pad - 24}" y="{py(tick) + 4}" font-size="10">{tick}</text>')
    parts.append(f'<text x="{full + 4}" y="{pad + 12}" font-size="11">bars: accuracy per '
                 'bucket</text>')
    parts.append(f'<text x="{full + 4}" y="{pad + 28}" font-size="11">line: at mean '
                 'confidence</text>')
    parts.append("</svg>")
    return "".join(parts)


def calibration_section(report: dict[str, Any]) -> str:
    """The calibration block: metrics, reliability diagram, buckets and the `auto` band."""
    cal = report.get("calibration")
    if not cal or not cal.get("judged_decisions"):
        return ""
    m = report["metrics"]
    rows = "".join(f"<tr><td>{b['low']:.1f}–{b['high']:.1f}</td><td class=num>{b['n']}</td>"
                   f"<td class=num>{b['confidence']:.3f}</td><td class=num>{b['accuracy']:.3f}"
                   "</td></tr>" for b in cal["buckets"] if b["n"])
    band = cal["auto_band"]

    def share(v: float | None) -> str:
        return "–" if v is None else f"{v:.3f}"

    return (f"<h2>Calibration</h2><p>ECE {escape(str(m.get('confidence_ece')))} · AUROC "
            f"{escape(str(m.get('confidence_auroc')))} · Brier {escape(str(m.get('brier')))} "
            f"over {cal['judged_decisions']} decisions (right = kind, event_type and security "
            "all right where labeled)</p><div class=grid>"
            f"<div>{reliability_svg(cal['buckets'])}</div><div><table><tr><th>confidence</th>"
            f"<th>n</th><th>mean conf.</th><th>accuracy</th></tr>{rows}</table>"
            f"<p><code>auto</code> band (confidence &lt; {band['threshold']}): "
            f"{band['uncertain']} decisions, accuracy {share(band['uncertain_accuracy'])}; "
            f"above: {band['confident']}, accuracy {share(band['confident_accuracy'])}; "
            f"decided by the LLM: {band['decided_by_llm']}</p></div></div>")
