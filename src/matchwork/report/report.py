"""The round report: one self-contained HTML file for the placement office.

What holds placements back (:mod:`matchwork.report.headline`), the round summary,
score distribution, loads against caps, outcomes per area and a table of every
candidate — names beside codes, with their explanation — that filters (search,
unmatched only, area, site), sorts by any column and pages through thousands of
rows. Every word is in the chosen language. The two charts are SVG drawn from
NumPy summaries and inlined in the page; the rows travel as JSON inside the page,
which carries its own CSS and script and loads nothing from the network. It is
meant for the case team: it holds the case-team explanations.

Needs the ``report`` extra (Jinja2).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matchwork._validation import Lang, choice
from matchwork.i18n import gendered, number, text, words
from matchwork.model.vocab import ReviewStatus
from matchwork.report.headline import blockers, headline, names, reason_text, review_line

if TYPE_CHECKING:
    from matchwork.explain.explain import Explanation
    from matchwork.result import MatchResult

__all__ = ["PAGE_SIZE", "ROLES", "WITH_TEXT_UP_TO", "render_report", "report_rows"]

WITH_TEXT_UP_TO = 5_000
"""Rounds up to this many candidates carry each explanation in the report; larger ones
list the pairings only (a browser cannot search a hundred megabytes of text), and
``explanations.json`` holds every explanation."""

PAGE_SIZE = 50
"""Rows of the pairings table per page."""
ROLES: tuple[str, ...] = (
    "site",
    "site_legal",
    "site_tutors",
    "position",
    "lead_guide",
    "guide",
    "tutor",
    "operator",
    "peer",
    "peer_people",
)
"""The roles of the loads table, in the order the report shows them."""

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
    t = words("report", lang)
    share = np.where(loads["capacity"] > 0, loads["load"] / loads["capacity"].where(loads["capacity"] > 0), np.nan)
    data = [share[(loads["role"] == r).to_numpy() & ~np.isnan(share)] for r in ROLES]
    high = max(1.2, *(float(d.max()) for d in data if len(d)))
    width, row, left, head = 720, 34, 250, 8  # room for the longest role name
    height = head + row * len(ROLES) + 36
    plot_w = width - left - 20

    def x(v: float) -> float:
        return left + plot_w * v / high

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img">']
    for i, (role, d) in enumerate(zip(ROLES, data, strict=True)):
        y = head + row * i + row / 2
        name = html.escape(text(f"report.role.{role}", lang))
        parts.append(f'<text x="{left - 8}" y="{y + 4:.0f}" font-size="12" text-anchor="end">{name}</text>')
        if not len(d):
            continue
        lo, q1, med, q3, hi = np.percentile(d, [0, 25, 50, 75, 100])
        figures = {k: number(v, lang, 2) for k, v in (("median", med), ("q1", q1), ("q3", q3), ("max", hi))}
        tip = html.escape(t["chart_box"].format(role=text(f"report.role.{role}", lang), **figures))
        parts.append(f'<line x1="{x(lo):.1f}" y1="{y}" x2="{x(hi):.1f}" y2="{y}" stroke="#333"/>')
        parts.append(
            f'<rect x="{x(q1):.1f}" y="{y - 9}" width="{max(x(q3) - x(q1), 1):.1f}" height="18" fill="#dfe8f5" '
            f'stroke="#333"><title>{tip}</title></rect>'
        )
        parts.append(f'<line x1="{x(med):.1f}" y1="{y - 9}" x2="{x(med):.1f}" y2="{y + 9}" stroke="#e07b00"/>')
    axis_y = head + row * len(ROLES)
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - 20}" y2="{axis_y}" stroke="#333"/>')
    parts.append(f'<line x1="{x(1):.1f}" y1="{head}" x2="{x(1):.1f}" y2="{axis_y}" stroke="#b33"/>')
    for v in np.arange(0, high + 1e-9, 0.2):
        tick = number(float(v), lang, 1)
        parts.append(f'<text x="{x(v):.1f}" y="{axis_y + 15}" font-size="11" text-anchor="middle">{tick}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" font-size="12" text-anchor="middle">'
        f"{html.escape(t['share'])}</text></svg>"
    )
    return "".join(parts)


def report_rows(result: MatchResult, lang: str = "it") -> pd.DataFrame:
    """One row per candidate as people read it: names beside codes, the status and, if unmatched, why.

    Columns ``id, name, area, status, status_text, reason, site_id, site, position,
    lead, squad, tutor, operator, peer, score`` (score to one decimal, NaN if unmatched);
    a person is "name (id)". At a cooperative's team the lead guide and the squad are
    filled, at a host company the company tutor and the desk operator (the others empty).
    The report's table and the assignments workbook both read it.

    >>> import matchwork as mw
    >>> rows = report_rows(mw.match(mw.synth.round(40, seed=1)), "en")
    >>> rows.columns.tolist()[:5]
    ['id', 'name', 'area', 'status', 'status_text']
    """
    rnd = result.round
    asg = result.assignments
    named = names(result)
    titles = {pos.id: pos.title for _, pos in rnd.positions}
    people = {c.id: c for c in rnd.candidates}
    why = blockers(result)
    said = {pair: reason_text(*pair, lang) for pair in set(zip(why["cause"], why["rule"], strict=True))}
    reason = dict(zip(why["candidate_id"], (said[p] for p in zip(why["cause"], why["rule"], strict=True)), strict=True))

    def who(pid: object) -> str:
        return "" if pid is None or pid != pid else f"{named[str(pid)]} ({pid})"

    ids = asg["candidate_id"].tolist()
    status = asg["status"].tolist()
    return pd.DataFrame(
        {
            "id": ids,
            "name": [people[c].name for c in ids],
            "area": [people[c].area for c in ids],
            "status": status,
            # candidates state no gender of their own: the neutral form until they do
            "status_text": [
                gendered(f"status.{s}", getattr(people[c], "gender", None), lang)
                for c, s in zip(ids, status, strict=True)
            ],
            "reason": [reason.get(c, "") for c in ids],
            "site_id": asg["site_id"].fillna("").tolist(),
            "site": [named.get(str(x), "") if x else "" for x in asg["site_id"]],
            "position": [titles.get(str(x), "") if x else "" for x in asg["position_id"]],
            "lead": [who(x) for x in asg["lead_guide_id"]],
            "squad": [", ".join(named[g] for g in squad) for squad in asg["squad_ids"]],
            "tutor": [who(x) for x in asg["tutor_id"]],
            "operator": [who(x) for x in asg["operator_id"]],
            "peer": [who(x) for x in asg["peer_id"]],
            "score": asg["score"].round(1),
        }
    )


def _json_for_html(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no HTML comment)."""
    out = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_report(
    result: MatchResult,
    explanations: Sequence[Explanation],
    *,
    lang: str = "it",
    run: Mapping[str, Any] | None = None,
    prices: pd.DataFrame | None = None,
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
    prices : DataFrame, optional
        :meth:`MatchResult.capacity_prices`, if computed: the headline then names the
        one extra place that would place most people.
    """
    import jinja2

    choice("lang", lang, Lang)
    template = resources.files("matchwork.report").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    t = words("report", lang)
    m = result.metrics
    table = report_rows(result, lang)
    with_text = len(table) <= WITH_TEXT_UP_TO
    texts = [e.text if with_text else "" for e in explanations]
    if len(texts) != len(table):
        raise ValueError(f"{len(texts)} explanations for {len(table)} candidates")
    records = table.assign(score=table["score"].astype(object).where(table["score"].notna(), None), text=texts)
    areas = []
    for row in m["by_area"].reset_index().to_dict("records"):
        score = row["mean_score"]
        areas.append(
            {
                "area": row["area"],
                "candidates": row["candidates"],
                "matched": row["matched"],
                "share": number(100 * row["share"], lang, 0),
                "score": "" if score != score else number(score, lang, 1),
            }
        )
    loads = m["loads"].reindex(list(ROLES)).dropna(how="all").reset_index()
    load_table = [
        {
            "label": text(f"report.role.{r['role']}", lang),
            "partners": int(r["partners"]),
            "mean": "" if r["mean_share"] != r["mean_share"] else number(r["mean_share"], lang, 2),
            "max": "" if r["max_share"] != r["max_share"] else number(r["max_share"], lang, 2),
            "at_capacity": int(r["at_capacity"]),
        }
        for r in loads.to_dict("records")
    ]
    placed = table[table["site_id"] != ""]
    site_options = [
        {"id": sid, "label": f"{name} ({sid})"}
        for sid, name in sorted(set(zip(placed["site_id"], placed["site"], strict=True)), key=lambda x: (x[1], x[0]))
    ]
    data = {
        "rows": records.to_dict("records"),
        "pageSize": PAGE_SIZE,
        "words": {
            "decimal": number(0.5, lang, 1)[1],
            "why": t["why"],
            "page": t["page"],
            "rows_one": text("count.rows.one", lang),
            "rows_other": text("count.rows.other", lang),
        },
    }
    return env.from_string(template).render(
        t=t,
        lang=lang,
        name=result.round.name,
        date=result.round.date.isoformat(),
        review=review_line(result.round.review, lang),
        approved=result.round.review.status == ReviewStatus.APPROVED,
        headline=headline(result, lang, prices).sentences,
        metrics=m,
        placed_pct=number(100 * m["matched_share"], lang, 0),
        squad_pct=number(100 * m["squad_filled_share"], lang, 0),
        summary=[(text(f"table.{k}", lang), v) for k, v in result.round.summary().items() if v],
        score_chart=_score_chart(result, lang),
        load_chart=_load_chart(result, lang),
        load_table=load_table,
        areas=areas,
        area_names=sorted(table["area"].unique()),
        site_options=site_options,
        with_text=with_text,
        data=_json_for_html(data),
        run=dict(run or {}),
    )
