"""Why a candidate was paired as they were (or not), per stage, for an audience: :func:`explain`, :func:`suggest`.

Every number an explanation shows is read back from the score tables and the
solved stages, never recomputed another way: a pairing's contributions are
``weight × value`` of each feature and sum exactly to its stage score; the cost
of a pairing not made is the difference between two full solves; the price of a
capacity is the gain of a full solve with one more slot.

Audiences (:data:`AUDIENCES`) see different things. ``case_team`` sees
everything. ``site`` sees only the site, the lead guide and the squad, and never
a feature or rule that reads a field marked sensitive in the profile schema
(:func:`matchwork.profiles.sensitive_fields`): those are told as "a confidential
reason". ``candidate`` sees the same, in plain words about themself only, with no
other candidate named. ``peer`` sees the peer-supporter stage.

Examples
--------
>>> import matchwork as mw
>>> result = mw.match(mw.synth.round(80, seed=3))
>>> cid = result.assignments.query("status == 'matched'").candidate_id.iloc[0]
>>> e = result.explain(cid, lang="en")
>>> e.stages[0].stage, e.stages[0].partner_id is not None
('site', True)
>>> abs(sum(c.points for c in e.stages[0].contributions) - e.stages[0].score) < 1e-9
True
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchwork.explain.audience import N_ALTERNATIVES, STAGES_SEEN, check, is_sensitive, rule_text
from matchwork.explain.lookup import capacity_of, names, partner_index, rank_allowed
from matchwork.explain.model import Alternative, Contribution, Explanation, StageExplanation
from matchwork.explain.whatif import price_book
from matchwork.i18n import words
from matchwork.scoring.features import Feature
from matchwork.scoring.rules import reason_codes, role_mask
from matchwork.scoring.scorer import ScoreTable

if TYPE_CHECKING:
    from matchwork.result import MatchResult

__all__ = ["Context", "context", "explain", "suggest"]


class Context:
    """What one explanation reads off a result: names, rows, loads, prices."""

    def __init__(self, result: MatchResult, audience: str, lang: str, prices: bool = True, full: bool = True):
        self.result, self.audience, self.lang, self.t = result, audience, lang, words("explain", lang)
        self.prices, self.full_rows = prices, full
        self.a = result.scores.arrays
        self.scorer = result.scores.scorer
        self.names = names(result)
        self.load = {(r, p): (lo, c) for p, r, lo, c in result.loads.itertuples(index=False)}
        self.full = {key for key, (load, cap) in self.load.items() if load >= cap - 1e-9}
        taken = result.assignments["position_id"].value_counts()
        open_ = result.scores.capacities.position_open
        self.position_full = {
            str(pid) for pid, n in zip(self.a.positions.ids, open_, strict=True) if taken.get(pid, 0) >= n
        }

    @property
    def redact(self) -> bool:
        return self.audience in ("site", "candidate")

    def row(self, stage: str, c: int) -> ScoreTable:
        """Every pair of the candidate in a stage, allowed or not (read off a dense table when there is one)."""
        table = self.result.scores[stage]
        if table.dense or not self.full_rows:
            return table.take(table.of_candidate(c))
        return self.scorer.dense(stage, candidates=np.array([c]))

    def contributions(self, table: ScoreTable, i: int) -> tuple[Contribution, ...]:
        feats = {f.name: f for f in self.scorer.features[table.stage]}
        points = table.contributions(i)
        out = []
        hidden = 0.0
        for j, name in enumerate(table.feature_names):
            f: Feature = feats[name]
            if self.redact and is_sensitive(f.reads):
                hidden += float(points[j])
                continue
            weight = float(table.weights[table.rows[i], j])
            out.append(Contribution(name, f.text[self.lang], weight, float(table.values[name][i]), float(points[j])))
        if hidden:
            out.append(Contribution("confidential", self.t["confidential_points"], float("nan"), float("nan"), hidden))
        return tuple(out)

    def reasons(self, mask: int, role: str) -> tuple[tuple[str, ...], str]:
        codes = reason_codes(int(mask) & role_mask(role))
        texts = dict.fromkeys(rule_text(code, self.lang, self.audience) for code in codes)
        return codes, "; ".join(texts)

    def price_text(self, role: str, pid: str) -> tuple[float | None, str]:
        if not self.prices:
            return None, self.t["unpriced"]
        prices = price_book(self.result)
        idx = partner_index(self.result, role, pid)
        extra, gain = prices.get(role, idx)
        return gain, self.t["price"].format(extra=extra, gain=gain)

    def alternative(self, table: ScoreTable, i: int, role: str, chosen_score: float | None) -> Alternative:
        pid = str(table.partner_ids[table.cols[i]])
        score = float(table.total[i])
        mask = int(table.reasons[i]) & role_mask(role)
        cap_role, cap_id = capacity_of(self.result, role, pid)
        price, detail = None, ""
        if mask:
            codes, text = self.reasons(mask, role)
            why, detail = "rule", self.t["rule"].format(reasons=text)
        elif (cap_role, cap_id) in self.full or (role == "site" and pid in self.position_full):
            codes, why = (), "capacity"
            if self.audience == "candidate":
                detail = self.t["capacity_plain"]
            else:
                price, price_text = self.price_text(cap_role, cap_id)
                detail = self.t["capacity"].format(partner=self.names.get(cap_id, cap_id), price=price_text)
        elif chosen_score is not None and score <= chosen_score:
            codes, why, detail = (), "lower_score", self.t["lower"].format(score=score)
        else:
            codes, why = (), "trade_off"
            detail = self.t["trade_off_plain" if self.audience == "candidate" else "trade_off"]
        return Alternative(pid, self.names.get(pid, pid), score, why, codes, price, detail)

    def binding(self, role: str, pid: str) -> tuple[str, ...]:
        limits = {capacity_of(self.result, role, pid)}
        if role == "lead_guide":  # a lead also counts against the guide's total load
            limits.add(("guide", pid))
        if self.redact:
            limits.discard(("peer", pid))  # a peer's hours follow the candidate's support intensity
        out = [
            self.t[f"cap_{r}"].format(load=self.load[(r, p)][0], capacity=self.load[(r, p)][1])
            for r, p in limits
            if (r, p) in self.full
        ]
        return tuple(sorted(out))


def context(result: MatchResult, audience: str, lang: str, prices: bool = True, full: bool = True) -> Context:
    """One context per result, audience, language and options, kept on the result."""
    cache = result.__dict__.setdefault("_explain_contexts", {})
    key = (audience, lang, prices, full)
    if key not in cache:
        cache[key] = Context(result, audience, lang, prices, full)
    return cache[key]


def _stage(
    ctx: Context,
    stage: str,
    table: ScoreTable,
    role: str,
    among: np.ndarray,
    chosen: list[int],
    note: str = "",
) -> list[StageExplanation]:
    """Explanations of the chosen pairs (indices into ``table``) among the pairs ``among`` allows."""
    ok = among & ((table.reasons & np.uint64(role_mask(role))) == 0)
    ranked = rank_allowed(table, ok)
    rank_of = {int(i): r + 1 for r, i in enumerate(ranked)}
    best_first = np.flatnonzero(among)[np.lexsort((table.cols[among], -table.total[among]))]
    others = [int(i) for i in best_first if int(i) not in chosen]
    out = []
    for k, i in enumerate(chosen or [None]):
        if i is None:
            alts = tuple(ctx.alternative(table, j, role, None) for j in others[:N_ALTERNATIVES])
            out.append(StageExplanation(stage, None, None, None, (), None, int(ok.sum()), alts, (), note))
            continue
        pid = str(table.partner_ids[table.cols[i]])
        better = [j for j in others if table.total[j] > table.total[i]][:N_ALTERNATIVES]
        alts = tuple(ctx.alternative(table, j, role, float(table.total[i])) for j in better) if k == 0 else ()
        out.append(
            StageExplanation(
                stage,
                pid,
                ctx.names.get(pid, pid),
                float(table.total[i]),
                ctx.contributions(table, i),
                rank_of.get(i),
                int(ok.sum()),
                alts,
                ctx.binding(role, pid) if ctx.audience != "candidate" else (),
            )
        )
    return out


def explain(
    result: MatchResult,
    candidate_id: str,
    audience: str = "case_team",
    lang: str = "it",
    *,
    prices: bool = True,
    full: bool = True,
) -> Explanation:
    """Why ``candidate_id`` was paired as they were; see :meth:`MatchResult.explain`.

    ``prices=False`` leaves capacity prices out (each costs a full re-solve).
    ``full=False`` reads only the pairs the score tables kept: on large rounds,
    scored sparsely, that is the allowed pairs near the candidate, so options that
    rules forbid are not listed — batch runs of large rounds use it.
    """
    check(audience, lang)
    a = result.scores.arrays
    if candidate_id not in a.candidates.index:
        raise KeyError(f"no candidate {candidate_id!r} in this round")
    ctx = context(result, audience, lang, prices, full)
    c = a.candidates.index[candidate_id]
    row = result.assignments.iloc[c]
    seen = STAGES_SEEN[audience]
    stages: list[StageExplanation] = []
    site_row, guide_row = ctx.row("site", c), ctx.row("guide", c)
    everything = np.ones(len(site_row), dtype=bool)
    blocked: tuple[Alternative, ...] = ()
    if row["status"] == "matched":
        pos = a.positions.index[row["position_id"]]
        site = a.positions.site[pos]
        if "site" in seen:
            stages += _stage(ctx, "site", site_row, "site", everything, [int(site_row.find(c, pos))])
        same_site = a.guides.site[guide_row.cols] == site
        if "lead_guide" in seen:
            lead = int(guide_row.find(c, a.guides.index[row["lead_guide_id"]]))
            can_lead = same_site & a.guides.can_lead[guide_row.cols]
            stages += _stage(ctx, "lead_guide", guide_row, "lead_guide", can_lead, [lead])
        if "squad" in seen:
            members = [int(guide_row.find(c, a.guides.index[g])) for g in row["squad_ids"]]
            lead_col = a.guides.index[row["lead_guide_id"]]
            stages += _stage(ctx, "squad", guide_row, "guide", same_site & (guide_row.cols != lead_col), members)
    else:
        blocked = _blocked(ctx, c, site_row, guide_row)
    if "peer" in seen and row["status"] == "matched" and (a.candidates.wants_peer[c] or audience == "peer"):
        peer_row = ctx.row("peer", c)
        chosen = [] if row["peer_id"] is None else [int(peer_row.find(c, a.peers.index[row["peer_id"]]))]
        note = "" if a.candidates.wants_peer[c] else ctx.t["not_wanted"]
        stages += _stage(ctx, "peer", peer_row, "peer", np.ones(len(peer_row), dtype=bool), chosen, note)
    if audience == "candidate":
        stages = [dataclasses.replace(s, binding=()) for s in stages]
    if audience == "site":  # a host company is not told about other companies' places
        stages = [dataclasses.replace(s, alternatives=()) for s in stages]
        blocked = ()
    return Explanation(
        candidate_id, ctx.names[candidate_id], audience, lang, str(row["status"]), tuple(stages), blocked
    )


def _blocked(ctx: Context, c: int, site_row: ScoreTable, guide_row: ScoreTable) -> tuple[Alternative, ...]:
    """For an unmatched candidate: the best positions, what blocked each and what would change it."""
    a, t = ctx.a, ctx.t
    order = np.lexsort((site_row.cols, -site_row.total))
    allowed = (site_row.reasons[order] & np.uint64(role_mask("site"))) == 0
    best = np.concatenate([order[allowed][:N_ALTERNATIVES], order[~allowed][:N_ALTERNATIVES]])
    out = []
    for i in best:
        alt = ctx.alternative(site_row, int(i), "site", None)
        if alt.why == "rule":
            detail = t["change_rule"].format(reasons=ctx.reasons(int(site_row.reasons[i]), "site")[1])
        else:
            site = a.positions.site[site_row.cols[i]]
            guides = a.guides.site[guide_row.cols] == site
            lead_ok = guides & ((guide_row.reasons & np.uint64(role_mask("lead_guide"))) == 0)
            lead_ok &= a.guides.can_lead[guide_row.cols]
            if not lead_ok.any():
                masks = np.bitwise_or.reduce(guide_row.reasons[guides]) if guides.any() else 0
                text = ctx.reasons(int(masks), "lead_guide")[1] or rule_text("cannot_lead", ctx.lang, ctx.audience)
                alt = dataclasses.replace(alt, why="rule", rules=reason_codes(int(masks) & role_mask("lead_guide")))
                detail = t["no_lead"].format(reasons=text)
            elif alt.why == "trade_off" and all(
                ("lead_guide", g) in ctx.full for g in guide_row.partner_ids[guide_row.cols[lead_ok]]
            ):
                # the site has room but every guide who could lead there leads as many as allowed
                best = np.flatnonzero(lead_ok)[np.argmax(guide_row.total[lead_ok])]
                gid = str(guide_row.partner_ids[guide_row.cols[best]])
                price = ctx.price_text("lead_guide", gid)
                alt = dataclasses.replace(alt, why="capacity", price=price[0])
                detail = t["change_capacity"].format(partner=ctx.names[gid], price=price[1])
                if ctx.audience == "candidate":
                    alt, detail = dataclasses.replace(alt, price=None), t["change_plain"]
            elif alt.why == "capacity" and ctx.audience != "candidate":
                sid = str(a.sites.ids[site])
                detail = t["change_capacity"].format(partner=ctx.names[sid], price=ctx.price_text("site", sid)[1])
            elif alt.why == "capacity":
                detail = t["change_plain"]
            else:
                detail = alt.detail
        out.append(dataclasses.replace(alt, detail=detail))
    return tuple(out)


def suggest(result: MatchResult, candidate_id: str, k: int = 5, lang: str = "it") -> pd.DataFrame:
    """The candidate's top-``k`` allowed partners per stage with their breakdowns.

    Returns a DataFrame ``stage, rank, partner_id, partner_name, score, breakdown``
    (``breakdown``: feature → points, summing to ``score``). Stages are ``site``
    (positions), ``lead_guide`` (guides who may lead, at any site) and ``peer``.
    """
    check("case_team", lang)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    a = result.scores.arrays
    if candidate_id not in a.candidates.index:
        raise KeyError(f"no candidate {candidate_id!r} in this round")
    c = a.candidates.index[candidate_id]
    ctx = context(result, "case_team", lang)
    rows = []
    for stage, table_name in (("site", "site"), ("lead_guide", "guide"), ("peer", "peer")):
        table = ctx.row(table_name, c)
        ok = (table.reasons & np.uint64(role_mask(stage))) == 0
        if stage == "lead_guide":
            ok &= a.guides.can_lead[table.cols]
        for r, i in enumerate(rank_allowed(table, ok)[:k]):
            pid = str(table.partner_ids[table.cols[i]])
            breakdown = {x.feature: x.points for x in ctx.contributions(table, int(i))}
            rows.append((stage, r + 1, pid, ctx.names.get(pid, pid), float(table.total[i]), breakdown))
    return pd.DataFrame(rows, columns=["stage", "rank", "partner_id", "partner_name", "score", "breakdown"])
