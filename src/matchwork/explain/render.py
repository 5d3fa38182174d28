"""Explanations in words: plain text and HTML, in the audience's terms and language."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from matchwork.i18n import words

if TYPE_CHECKING:
    from matchwork.explain.model import Explanation, WhyNot

__all__ = ["explanation_html", "explanation_lines", "explanation_text", "why_not_text"]


def explanation_lines(e: Explanation) -> list[str]:
    """The explanation as lines of text in its audience's words and its language."""
    t = words("explain", e.lang)
    plain = e.audience == "candidate"
    who = f"{e.candidate_name} ({e.candidate_id})"
    out = [t["title"].format(who=who, status=t[e.status])]
    for s in e.stages:
        out.append("")
        out.append(f"{t[s.stage]}")
        if s.partner_id is None:
            out.append(f"  {s.note or t['none']}")
        else:
            partner = f"{s.partner_name} ({s.partner_id})"
            key = "chosen_plain" if plain else "chosen"
            out.append("  " + t[key].format(partner=partner, score=s.score or 0.0, rank=s.rank, n=s.n_options))
            parts = [c for c in s.contributions if c.points > 0]
            if parts:
                out.append(f"  {t['why']}:")
                for c in sorted(parts, key=lambda c: -c.points):
                    out.append(f"    - {c.label}" + ("" if plain else f": {c.points:.1f} {t['points']}"))
        if s.alternatives:
            out.append(f"  {t['alternatives']}:")
            out += [f"    - {a.partner_name} ({a.partner_id}): {a.detail}" for a in s.alternatives]
        if s.binding and not plain:
            out.append(f"  {t['binding']}: " + "; ".join(s.binding))
    if e.blocked:
        out.append("")
        out.append(t["blocked"])
        out += [f"  - {a.partner_name} ({a.partner_id}): {a.detail}" for a in e.blocked]
    return out


def explanation_text(e: Explanation) -> str:
    """The explanation as plain text."""
    return "\n".join(explanation_lines(e))


def explanation_html(e: Explanation) -> str:
    """The explanation as an HTML fragment (Jupyter)."""
    lines = explanation_lines(e)
    body = "".join(f"<div>{html.escape(line) or '&nbsp;'}</div>" for line in lines[1:])
    return f"<div class='matchwork-explanation'><h4>{html.escape(lines[0])}</h4>{body}</div>"


def why_not_text(w: WhyNot) -> str:
    """One line: whether the pair was possible and what forcing it costs the round."""
    if not w.feasible:
        return f"{w.candidate_id} – {w.partner_id}: " + "; ".join(w.reasons)
    if w.cost is None:
        return f"{w.candidate_id} – {w.partner_id}: {w.message}"
    moved = ", ".join(sorted(set(w.displaced["candidate_id"]))) or "nobody"
    return (
        f"{w.candidate_id} – {w.partner_id}: allowed; forcing it costs the round {w.cost:.2f} points"
        f" and {w.unplaced} placement(s); displaced: {moved}"
    )
