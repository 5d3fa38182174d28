"""The round report: one self-contained HTML file for the placement office.

Round summary, score distribution, loads against caps, outcomes per area and a
searchable table of every candidate with their explanation. Charts are Matplotlib
SVG inlined in the page; the page carries its own CSS and a few lines of script
(the search box) and loads nothing from the network. It is meant for the case
team: it holds the case-team explanations.

Needs the ``report`` extra (Jinja2, Matplotlib).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matchwork.explain import Explanation
    from matchwork.result import MatchResult

__all__ = ["WITH_TEXT_UP_TO", "render_report"]

WITH_TEXT_UP_TO = 5_000
"""Rounds up to this many candidates carry each explanation in the report; larger ones
list the pairings only (a browser cannot search a hundred megabytes of text), and
``explanations.json`` holds every explanation."""

_LABELS = {
    "it": {
        "title": "Turno di abbinamento",
        "summary": "Sintesi",
        "scores": "Distribuzione dei punteggi",
        "loads": "Carichi rispetto ai limiti",
        "areas": "Esiti per ambito",
        "pairings": "Abbinamenti",
        "search": "Cerca per nome, codice, sede…",
        "candidate": "Persona",
        "status": "Esito",
        "matched": "abbinate",
        "site": "Sede",
        "lead": "Referente",
        "squad": "Squadra",
        "peer": "Peer supporter",
        "score": "Punteggio",
        "why": "perché",
        "share": "quota del limite",
        "partners": "partner",
        "run": "Esecuzione",
        "no_text": "Turno grande: le spiegazioni sono in explanations.json.",
    },
    "en": {
        "title": "Matching round",
        "summary": "Summary",
        "scores": "Score distribution",
        "loads": "Loads against caps",
        "areas": "Outcomes by area",
        "pairings": "Pairings",
        "search": "Search by name, id, site…",
        "candidate": "Candidate",
        "status": "Status",
        "matched": "matched",
        "site": "Site",
        "lead": "Lead guide",
        "squad": "Squad",
        "peer": "Peer supporter",
        "score": "Score",
        "why": "why",
        "share": "share of cap",
        "partners": "partners",
        "run": "Run",
        "no_text": "A large round: the explanations are in explanations.json.",
    },
}


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _score_chart(result: MatchResult, lang: str) -> str:
    from matplotlib.figure import Figure  # not pyplot: no GUI backend, and half the import time

    asg = result.assignments
    fig = Figure(figsize=(7, 3), layout="constrained")
    ax = fig.subplots()
    bins = np.linspace(0, 100, 21)
    for col, name in (("site_score", "site"), ("guide_score", "lead"), ("peer_score", "peer")):
        values = asg[col].dropna().to_numpy()
        if len(values):
            ax.hist(values, bins=bins.tolist(), histtype="step", linewidth=1.6, label=_LABELS[lang][name])
    ax.set_xlabel(_LABELS[lang]["score"])
    ax.set_ylabel("n")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def _load_chart(result: MatchResult, lang: str) -> str:
    from matplotlib.figure import Figure

    loads = result.loads
    share = np.where(loads["capacity"] > 0, loads["load"] / loads["capacity"].where(loads["capacity"] > 0), np.nan)
    roles = ["site", "lead_guide", "guide", "peer"]
    fig = Figure(figsize=(7, 2.8), layout="constrained")
    ax = fig.subplots()
    data = [share[(loads["role"] == r).to_numpy() & ~np.isnan(share)] for r in roles]
    ax.boxplot([d if len(d) else [np.nan] for d in data], orientation="horizontal", widths=0.5)
    ax.set_yticks(range(1, len(roles) + 1), roles)
    ax.axvline(1.0, color="#b33", linewidth=1)
    ax.set_xlabel(_LABELS[lang]["share"])
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


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
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "matchwork"  # the same round gives the same file

    template = resources.files("matchwork").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
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
        t=_LABELS[lang],
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
