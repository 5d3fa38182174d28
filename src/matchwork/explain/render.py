"""Explanations in words: plain text and HTML, in the audience's terms and language."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from matchwork.explain.audience import rule_text
from matchwork.i18n import number, words
from matchwork.result import tier_loss
from matchwork.solve.network import SCALE

if TYPE_CHECKING:
    from matchwork.explain.model import Explanation, StageExplanation, WhyNot

__all__ = ["explanation_html", "explanation_lines", "explanation_text", "why_not_text"]


def explanation_lines(e: Explanation) -> list[str]:
    """The explanation as lines of text in its audience's words and its language."""
    t = words("explain", e.lang)
    if e.status == "not_yours":
        return [t["title_not_yours"]]
    you = e.audience == "candidate"
    matched = e.status == "matched"
    if you:
        out = [t["you_title_matched" if matched else "you_title_unmatched"]]
    else:
        who = f"{e.candidate_name} ({e.candidate_id})" if e.audience == "case_team" else e.candidate_name
        out = [t["title_matched" if matched else "title_unmatched"].format(who=who)]
    if e.audience == "site":
        out += ["", f"{t['accommodations']}: " + (", ".join(e.accommodations) or t["no_accommodations"])]
    for s in e.stages:
        out.append("")
        out += _stage_lines(t, e, s)
    if e.blocked:
        out += ["", t["you_blocked" if you else "blocked"]]
        out += [f"  - {_who(e, a.partner_name, a.partner_id)}: {a.detail}" for a in e.blocked]
    return out


def _who(e: Explanation, name: str | None, pid: str | None) -> str:
    return f"{name} ({pid})" if e.audience == "case_team" else str(name)


def _stage_lines(t: Mapping[str, str], e: Explanation, s: StageExplanation) -> list[str]:
    you = e.audience == "candidate"
    if you:
        head = (
            t[f"you_{s.stage}"].format(partner=s.partner_name)
            if s.partner_id
            else f"{t[s.stage]}: {s.note or t['you_none']}"
        )
        out = [re.sub(r"\.\.$", ".", head)]  # a name ending in an initial ("Aisha C.") ends the sentence too
    else:
        out = [t[s.stage]]
        if s.partner_id is None:
            out.append(f"  {s.note or t['none']}")
        elif s.score is None and e.audience in ("case_team", "site"):  # no score: a tutor, an operator
            out.append(f"  {_who(e, s.partner_name, s.partner_id)}")
        elif e.audience == "case_team":
            score, most = number(s.score or 0.0, e.lang), _most(s.most, e.lang)
            who = _who(e, s.partner_name, s.partner_id)
            out.append("  " + t["chosen"].format(partner=who, score=score, most=most, rank=_rank(t, s)))
        elif e.audience == "site":
            score, most = number(s.score or 0.0, e.lang), _most(s.most, e.lang)
            out.append("  " + t["chosen_site"].format(partner=s.partner_name, score=score, most=most))
        else:
            out.append("  " + t["chosen_peer"].format(partner=s.partner_name))
    if s.partner_id is not None and s.note:
        out.append("  " + s.note)
    figures = e.audience in ("case_team", "site")
    parts = [c for c in s.contributions if c.points > 0 or c.asked] if figures else list(s.contributions)
    if s.partner_id is not None and parts:
        out.append(f"  {t['you_why' if you else 'why']}:")
        for c in sorted(parts, key=lambda c: -c.points) if figures else parts:
            if figures:
                out.append(f"    - {c.label}: {number(c.points, e.lang)} {t['points']}")
            else:
                out.append(f"    - {c.label}" + (f" ({t['not_met']})" if c.points == 0 else ""))
    if s.priority is not None:
        out.append("  " + _priority(t, e, s))
    if s.alternatives:
        out.append(f"  {t['you_alternatives' if you else 'alternatives']}:")
        out += [f"    - {_who(e, a.partner_name, a.partner_id)}: {a.detail}" for a in s.alternatives]
    if s.binding:
        out.append(f"  {t['binding']}: " + "; ".join(s.binding))
    if s.flags:
        texts = dict.fromkeys(rule_text(code, e.lang, e.audience) for code in s.flags)
        out.append(f"  {t['flagged']}: " + "; ".join(texts))
    return out


def _most(x: float, lang: str) -> str:
    """The highest possible score: ``100``, ``58,3``."""
    return number(x, lang, digits=0 if x == round(x) else 1)


def _priority(t: Mapping[str, str], e: Explanation, s: StageExplanation) -> str:
    """The person's most important criterion: its points here, and the best allowed option for it."""
    p = s.priority
    assert p is not None
    if e.audience == "candidate":
        line = t["you_priority"].format(label=p.label)
        return line + (
            "; " + t["you_priority_best"].format(partner=p.best_partner_name)
            if p.best_partner_id != s.partner_id
            else ""
        )
    line = t["priority"].format(
        label=p.label, points=number(p.points or 0.0, e.lang), possible=number(p.possible or 0.0, e.lang)
    )
    if p.best_partner_id != s.partner_id:
        line += "; " + t["priority_best"].format(
            partner=f"{p.best_partner_name} ({p.best_partner_id})", points=number(p.best_points or 0.0, e.lang)
        )
    return line


def _rank(t: Mapping[str, str], s: StageExplanation) -> str:
    if s.rank is None and s.n_options == 0:  # a pairing in place, kept: not chosen among options
        return t["rank_kept"]
    if s.rank is None or s.n_options <= 1:
        return t["rank_only"]
    return t["rank_best"].format(n=s.n_options) if s.rank == 1 else t["rank_nth"].format(r=s.rank, n=s.n_options)


def explanation_text(e: Explanation) -> str:
    """The explanation as plain text."""
    return "\n".join(explanation_lines(e))


def explanation_html(e: Explanation) -> str:
    """The explanation as an HTML fragment (Jupyter)."""
    lines = explanation_lines(e)
    body = "".join(f"<div>{html.escape(line) or '&nbsp;'}</div>" for line in lines[1:])
    return f"<div class='matchwork-explanation'><h4>{html.escape(lines[0])}</h4>{body}</div>"


def why_not_text(w: WhyNot) -> str:
    """What forcing the pair would do, in the WhyNot's language.

    The stage of the first tier that changes leads, with every tier of it that
    changes; later stages follow with "then", gains said as gains; then who loses
    something and, apart, who gains.
    """
    t = words("explain", w.lang)
    pair = f"{w.candidate_id} – {w.partner_id}"
    if not w.feasible:
        return t["whynot_no"].format(pair=pair, reasons="; ".join(w.reasons))
    if w.current:
        return t["whynot_current"].format(pair=pair)
    if w.headline is None:
        return t["whynot_same"].format(pair=pair)
    stages = list(dict.fromkeys(stage for stage, _, _ in w.tiers_before))
    effects: list[str] = []
    for stage in stages[stages.index(w.headline[0]) :]:
        changed = [
            _tier_effect(t, stage, tier, tier_loss(tier, before, after), w.lang)
            for (s, tier, before), (_, _, after) in zip(w.tiers_before, w.tiers_after, strict=True)
            if s == stage and round(before * SCALE) != round(after * SCALE)
        ]
        if changed:
            effect = (
                changed[0] if len(changed) == 1 else t["whynot_and"].format(a=", ".join(changed[:-1]), b=changed[-1])
            )
            effects.append(effect if not effects else t["whynot_then"].format(effect=effect))
    out = [t["whynot_yes"].format(pair=pair, effects="; ".join(effects))]
    for frame, key in ((w.displaced, "whynot_lose"), (w.gained, "whynot_gain")):
        if len(frame):
            out.append(t[key].format(ids=", ".join(sorted(set(frame["candidate_id"])))))
    return " ".join(out)


def _tier_effect(t: Mapping[str, str], stage: str, tier: str, loss: float, lang: str) -> str:
    """One tier's change in words: a loss when ``loss`` is positive, a gain when negative."""
    if tier == "points":
        key = f"whynot_loses_{stage}" if loss >= 0 else f"whynot_gains_{stage}"
        return t[key].format(x=number(abs(loss), lang))
    if tier == "lowest":
        key = f"whynot_lowest_{stage}" if loss >= 0 else f"whynot_rises_{stage}"
        return t[key].format(x=number(abs(loss), lang))
    n = abs(round(loss))
    more = "" if loss > 0 else "_more"
    return t[f"whynot_{tier}{more}_one" if n == 1 else f"whynot_{tier}{more}_many"].format(n=n)
