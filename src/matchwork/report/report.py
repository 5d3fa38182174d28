"""The round report: one self-contained HTML file for the placement office.

Round summary, score distribution, loads against caps, outcomes per area and a
searchable table of every candidate with their explanation. The two charts are
SVG drawn from NumPy summaries and inlined in the page; the page carries its own
CSS and a few lines of script (the search box) and loads nothing from the network.
It is meant for the case team: it holds the case-team explanations.

Needs the ``report`` extra (Jinja2).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from matchwork._validation import Lang, choice
from matchwork.i18n import words

if TYPE_CHECKING:
    from matchwork.explain.explain import Explanation
    from matchwork.result import MatchResult

__all__ = ["WITH_TEXT_UP_TO", "render_report"]

WITH_TEXT_UP_TO = 5_000
"""Rounds up to this many candidates carry each explanation in the report; larger ones
list the pairings only (a browser cannot search a hundred megabytes of text), and
``explanations.json`` holds every explanation."""

_COLOURS = {"site": "#1f77b4", "lead": "#ff7f0e", "peer": "#2ca02c"}


def _score_chart(result: MatchResult, lang: str) -> str:
    """Histogram of the stage scores (bins of 5 points), as inline SVG.

    Drawn from ``np.histogram`` counts rather than by Matplotlib: importing and
    drawing Matplotlib took most of a province round's run (0.8 of 1.8 s).
    """
    asg = result.assignments
    t = words("report", lang)
    edges = np.linspace(0, 100, 21)
    series = [
        (t[name], _COLOURS[name], np.histogram(asg[col].dropna().to_numpy(), bins=edges)[0])
        for col, name in (("site_score", "site"), ("guide_score", "lead"), ("peer_score", "peer"))
    ]
    top = max(1, *(int(c.max()) for _, _, c in series))
    width, height, left, bottom, head = 660, 230, 44, 34, 10
    plot_w, plot_h = width - left - 10, height - bottom - head
    slot = plot_w / 20
    bar = slot / (len(series) + 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img">']
    for k, (label, colour, counts) in enumerate(series):
        for b, n in enumerate(counts):
            if n:
                h = plot_h * n / top
                x = left + b * slot + (k + 0.5) * bar
                parts.append(
                    f'<rect x="{x:.1f}" y="{head + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                    f"<title>{html.escape(label)} {edges[b]:.0f}–{edges[b + 1]:.0f}: {n}</title></rect>"
                )
        parts.append(
            f'<rect x="{left + 12}" y="{head + 4 + 16 * k}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + 27}" y="{head + 13 + 16 * k}" font-size="12">{html.escape(label)}</text>'
        )
    axis_y = head + plot_h
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - 10}" y2="{axis_y}" stroke="#333"/>')
    parts.append(f'<line x1="{left}" y1="{head}" x2="{left}" y2="{axis_y}" stroke="#333"/>')
    for v in range(0, 101, 20):
        x = left + plot_w * v / 100
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 16}" font-size="11" text-anchor="middle">{v}</text>')
    parts.append(f'<text x="{left - 6}" y="{head + 10}" font-size="11" text-anchor="end">{top}</text>')
    parts.append(f'<text x="{left - 6}" y="{axis_y}" font-size="11" text-anchor="end">0</text>')
    label_x = left + plot_w / 2
    parts.append(
        f'<text x="{label_x:.0f}" y="{height - 4}" font-size="12" text-anchor="middle">{html.escape(t["score"])}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _load_chart(result: MatchResult, lang: str) -> str:
    """Load as a share of capacity per role: a box from the quartiles, whiskers to the extremes, a line at 1."""
    loads = result.loads
    share = np.where(loads["capacity"] > 0, loads["load"] / loads["capacity"].where(loads["capacity"] > 0), np.nan)
    roles = ["site", "lead_guide", "guide", "peer"]
    data = [share[(loads["role"] == r).to_numpy() & ~np.isnan(share)] for r in roles]
    high = max(1.2, *(float(d.max()) for d in data if len(d)))
    width, row, left, head = 660, 34, 90, 8
    height = head + row * len(roles) + 36
    plot_w = width - left - 20

    def x(v: float) -> float:
        return left + plot_w * v / high

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img">']
    for i, (role, d) in enumerate(zip(roles, data, strict=True)):
        y = head + row * i + row / 2
        parts.append(f'<text x="{left - 8}" y="{y + 4:.0f}" font-size="12" text-anchor="end">{role}</text>')
        if not len(d):
            continue
        lo, q1, med, q3, hi = np.percentile(d, [0, 25, 50, 75, 100])
        parts.append(f'<line x1="{x(lo):.1f}" y1="{y}" x2="{x(hi):.1f}" y2="{y}" stroke="#333"/>')
        parts.append(
            f'<rect x="{x(q1):.1f}" y="{y - 9}" width="{max(x(q3) - x(q1), 1):.1f}" height="18" fill="#dfe8f5" '
            f'stroke="#333"><title>{role}: median {med:.2f}, quartiles {q1:.2f}–{q3:.2f}, max {hi:.2f}</title></rect>'
        )
        parts.append(f'<line x1="{x(med):.1f}" y1="{y - 9}" x2="{x(med):.1f}" y2="{y + 9}" stroke="#e07b00"/>')
    axis_y = head + row * len(roles)
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - 20}" y2="{axis_y}" stroke="#333"/>')
    parts.append(f'<line x1="{x(1):.1f}" y1="{head}" x2="{x(1):.1f}" y2="{axis_y}" stroke="#b33"/>')
    for v in np.arange(0, high + 1e-9, 0.2):
        parts.append(f'<text x="{x(v):.1f}" y="{axis_y + 15}" font-size="11" text-anchor="middle">{v:.1f}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" font-size="12" text-anchor="middle">'
        f"{html.escape(words('report', lang)['share'])}</text></svg>"
    )
    return "".join(parts)


def render_report(
    result: MatchResult,
    explanations: Sequence[Explanation],
    *,
    lang: str = "it",
    run: Mapping[str, Any] | None = None,
) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    result : MatchResult
    explanations : sequence of Explanation
        One per candidate, in the order of ``result.assignments``.
    lang : {"it", "en"}
    run : mapping, optional
        What the run records (version, fingerprint, policy): shown at the foot.
    """
    import jinja2

    choice("lang", lang, Lang)
    template = resources.files("matchwork.report").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    m = result.metrics
    by_area = m["by_area"].reset_index()
    rows = []
    asg = result.assignments
    records: list[dict[str, Any]] = asg.to_dict("records")  # type: ignore[assignment]
    for rec, e in zip(records, explanations, strict=True):
        rows.append(
            {
                "id": rec["candidate_id"],
                "name": e.candidate_name,
                "status": rec["status"],
                "site": rec["position_id"] or "",
                "lead": rec["lead_guide_id"] or "",
                "squad": ", ".join(rec["squad_ids"]),
                "peer": rec["peer_id"] or "",
                "score": "" if np.isnan(rec["score"]) else f"{rec['score']:.1f}",
                "text": e.text if len(records) <= WITH_TEXT_UP_TO else "",
            }
        )
    return env.from_string(template).render(
        t=words("report", lang),
        lang=lang,
        name=result.round.name,
        date=result.round.date.isoformat(),
        metrics=m,
        summary=result.round.summary(),
        score_chart=_score_chart(result, lang),
        load_chart=_load_chart(result, lang),
        load_table=m["loads"].reset_index().to_dict("records"),
        areas=by_area.to_dict("records"),
        rows=rows,
        with_text=len(records) <= WITH_TEXT_UP_TO,
        run=dict(run or {}),
    )
