"""Explanations of people whose placement in place was kept (policy ``continuity.keep``).

They were not matched again: their pairings are facts of their path (issue 15).
The explanation names each partner with the score the pairing has today and,
for the case team only, the rules a kept pairing now fails.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

from matchwork.explain.audience import SHOWS_POINTS, STAGES_SEEN, hidden, rule_text
from matchwork.explain.lookup import names as lookup_names
from matchwork.explain.model import Contribution, Explanation, StageExplanation
from matchwork.i18n import text, words

if TYPE_CHECKING:
    from matchwork.result import MatchResult

__all__ = ["explain_kept"]


def explain_kept(result: MatchResult, candidate_id: str, audience: str, lang: str) -> Explanation:
    """The explanation of a kept placement, for an audience, in ``lang``.

    Examples
    --------
    >>> import matchwork as mw
    >>> result = mw.match(mw.synth.round(120, seed=0))
    >>> cid = sorted(result.kept_ids)[0]
    >>> "resta" in result.explain(cid).text
    True
    """
    k: Any = _kept_rows(result)[candidate_id]
    names = lookup_names(result)
    if audience == "peer" and k.peer_id is None:
        return Explanation(candidate_id, "", audience, lang, "not_yours", ())
    since = "" if k.since is None else text("keep.since", lang, day=k.since.strftime("%d/%m/%Y"))
    note = text("keep.kept", lang, since=since)
    if k.added:  # a partner this round gave (engine.refill): not every pairing is in place
        roles = ", ".join(text(f"label.{role}", lang) for role, _, _ in k.added)
        note += text("keep.added_roles", lang, roles=roles)
    if audience == "case_team" and k.issues:
        note += " " + text("keep.issue", lang, rules="; ".join(rule_text(c, lang, audience) for c in k.issues))
    parts = _Parts(result, candidate_id, audience, lang)
    stages = [_stage("site", k.site_id, names, k.site_score, note, parts("site"))]
    # a pairing in place is scored on the person x guide part only (a site in place may stand for all its
    # positions, so the guide x position part is not known): lead and squad alike, out of what that part can reach
    most = result.scores.scorer.person_guide_most
    if k.lead_guide_id is not None:
        lead = _stage("lead_guide", k.lead_guide_id, names, k.guide_score, "", parts("guide"))
        stages.append(dataclasses.replace(lead, most=most))
    stages += [
        dataclasses.replace(_stage("squad", g, names, x, "", parts(f"guide:{g}")), most=most)
        for g, x in zip(k.squad_ids, k.squad_scores, strict=True)
    ]
    added = {role: (rank, n) for role, rank, n in k.added}  # partners this round gave (engine.refill)

    def given(stage: StageExplanation) -> StageExplanation:
        if stage.stage not in added:
            return stage
        rank, n = added[stage.stage]
        return dataclasses.replace(stage, rank=rank, n_options=n, note=text("keep.added", lang))

    for role, pid in (("tutor", k.tutor_id), ("operator", k.operator_id)):
        if pid is not None:  # a host company: the company tutor and the desk operator, who carry no score
            stages.append(given(_stage(role, pid, names, None, "", ())))
    if k.peer_id is not None:
        stages.append(given(_stage("peer", k.peer_id, names, k.peer_score, "", parts("peer"))))
    seen = STAGES_SEEN[audience]
    shown = tuple(s for s in stages if s.stage in seen)
    return Explanation(candidate_id, names.get(candidate_id, candidate_id), audience, lang, "matched", shown)


def _kept_rows(result: MatchResult) -> dict[str, Any]:
    """The kept rows by candidate id, built once per result (explanations are asked one person at a time)."""
    rows: dict[str, Any] | None = result.__dict__.get("_kept_rows")
    if rows is None:
        rows = result.__dict__["_kept_rows"] = {str(r.candidate_id): r for r in result.kept.itertuples(index=False)}
    return rows


def _stage(
    stage: str, pid: str, names: dict[str, str], score: Any, note: str, parts: tuple[Contribution, ...]
) -> StageExplanation:
    value = None if score is None or (isinstance(score, float) and math.isnan(score)) else float(score)
    return StageExplanation(stage, pid, names.get(pid, pid), value, parts, None, 0, (), (), note)


class _Parts:
    """Each criterion's part of a kept pairing's score, as the explanations of new pairings show them."""

    def __init__(self, result: MatchResult, candidate_id: str, audience: str, lang: str):
        self.tables, self.pairs = result.kept_scores
        self.features = result.scores.scorer.features
        self.audience, self.lang, self.candidate_id = audience, lang, candidate_id
        self.figures = SHOWS_POINTS[audience]

    def __call__(self, key: str) -> tuple[Contribution, ...]:
        i = self.pairs.get((self.candidate_id, key))
        if i is None:
            return ()
        table = self.tables[key.split(":")[0]]
        feats = {f.name: f for f in self.features[table.stage]}
        points = table.contributions(i)
        out, secret = [], 0.0
        for j, name in enumerate(table.feature_names):
            f = feats[name]
            if hidden(self.audience, f.reads):
                secret += float(points[j])
                continue
            weight, value = float(table.weights[table.rows[i], j]), float(table.values[name][i])
            out.append(Contribution(name, f.text[self.lang], weight, value, float(points[j])))
        if secret:
            label = words("explain", self.lang)["confidential_points"]
            out.append(Contribution("confidential", label, math.nan, math.nan, secret))
        if not self.figures:
            out = [
                dataclasses.replace(x, weight=math.nan, value=math.nan, points=math.nan)
                for x in sorted(out, key=lambda x: -x.points)
                if x.points > 0
            ]
        return tuple(out)
