"""Why a candidate was paired as they were (or not), per stage, for an audience: :func:`explain`, :func:`suggest`.

Every number an explanation shows is read back from the score tables, the solved
stages and the round's limits (:attr:`matchwork.MatchResult.limits`), never
recomputed another way: a pairing's contributions are ``weight × value`` of each
feature and sum exactly to its stage score; an option not taken is ruled out by the
rules it names, blocked by limits the loads table shows full, or a trade-off (open,
but the round is better without it). What each audience sees is in
:mod:`matchwork.explain.audience`.

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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matchwork.explain.audience import N_ALTERNATIVES, SHOWS_POINTS, STAGES_SEEN, check, hidden, rule_text
from matchwork.explain.kept import explain_kept
from matchwork.explain.lookup import names, partner_index, rank_allowed
from matchwork.explain.model import Alternative, Contribution, Explanation, Priority, StageExplanation
from matchwork.explain.whatif import price_book
from matchwork.i18n import TEXTS, number, words
from matchwork.limits import Blocks
from matchwork.model.vocab import label
from matchwork.scoring.features import Feature
from matchwork.scoring.rules import RULE_BY_CODE, reason_codes, role_mask
from matchwork.scoring.scorer import ScoreTable

if TYPE_CHECKING:
    from matchwork.result import MatchResult

__all__ = ["Context", "context", "explain", "suggest"]

_NAN = float("nan")


class Context:
    """What explanations for one audience and language read off a result: names, rows, limits, prices."""

    def __init__(self, result: MatchResult, audience: str, lang: str, prices: bool = True, full: bool = True):
        self.result, self.audience, self.lang, self.t = result, audience, lang, words("explain", lang)
        self.prices, self.full_rows = prices, full
        self.points = SHOWS_POINTS[audience]
        self.you = audience == "candidate"
        self.a = result.scores.arrays
        self.scorer = result.scores.scorer
        self.names = names(result)
        self.limits = result.limits
        self.cap = result.scores.capacities

    def row(self, stage: str, c: int) -> ScoreTable:
        """Every pair of the candidate in a stage, allowed or not (read off a dense table when there is one)."""
        table = self.result.scores[stage]
        if table.dense or not self.full_rows:
            return table.take(table.of_candidate(c))
        return rows(self.result).row(stage, c)

    # ------------------------------------------------------------ words

    def contributions(self, table: ScoreTable, i: int) -> tuple[Contribution, ...]:
        """Each criterion's part of pair ``i``'s score, confidential ones in one line.

        Audiences who see no figures get the criteria that count, most first, without them.
        """
        # the guide x position table (rows are guides) holds the guide stage's features measured at the position
        at_position = table.stage == "guide_position"
        feats = {f.name: f for f in self.scorer.features["guide" if at_position else table.stage]}
        points = table.contributions(i)
        out: list[Contribution] = []
        secret = 0.0
        for j, name in enumerate(table.feature_names):
            f: Feature = feats[name]
            if hidden(self.audience, f.reads):
                secret += float(points[j])
            else:
                weight, value = float(table.weights[table.rows[i], j]), float(table.values[name][i])
                asked = not at_position and name in self.asked(int(table.rows[i]))
                out.append(Contribution(name, self.label(f), weight, value, float(points[j]), asked))
        if secret:
            out.append(Contribution("confidential", self.t["confidential_points"], _NAN, _NAN, secret))
        if not self.points:
            out = sorted((x for x in out if x.points > 0 or x.asked), key=lambda x: -x.points)
            out = [dataclasses.replace(x, weight=_NAN, value=_NAN, points=_NAN if x.points > 0 else 0.0) for x in out]
        return tuple(out)

    def asked(self, c: int) -> set[str]:
        """The criteria the person asked for: their most important one, and those their profile states a wish for."""
        person = self.result.solved_round.candidates[c]
        wished = {
            "wished_sector": bool(person.wished_sectors),
            "gender": person.preferred_gender is not None,
            "lived_experience": bool(person.peer_experience),
        }
        asked = {name for name, yes in wished.items() if yes}
        return asked | {person.most_important} if person.most_important else asked

    def priority(self, table: ScoreTable, i: int, allowed: np.ndarray) -> Priority | None:
        """The person's most important criterion in this stage, if it counts here and may be told."""
        c = int(table.rows[i])
        name = self.result.solved_round.candidates[c].most_important
        if name not in table.feature_names:
            return None
        f = next(x for x in self.scorer.features[table.stage] if x.name == name)
        if hidden(self.audience, f.reads):
            return None
        j = table.feature_names.index(name)
        weight = float(table.weights[c, j])
        idx = np.flatnonzero(allowed)
        best = (
            int(idx[np.lexsort((table.cols[idx], -table.total[idx], -table.values[name][idx]))[0]]) if len(idx) else i
        )
        pid = str(table.partner_ids[table.cols[best]])
        figures = self.points
        return Priority(
            name,
            self.label(f),
            weight * float(table.values[name][i]) if figures else None,
            weight if figures else None,
            pid,
            self.names.get(pid, pid),
            weight * float(table.values[name][best]) if figures else None,
        )

    def label(self, f: Feature) -> str:
        """A criterion in words; about the candidate themself in the second person when they read it."""
        key = f"feature_you.{f.stage}.{f.name}"
        return (
            words("feature_you", self.lang)[f"{f.stage}.{f.name}"] if self.you and key in TEXTS else f.text[self.lang]
        )

    def reasons(self, mask: int, role: str) -> tuple[tuple[str, ...], str]:
        codes = reason_codes(int(mask) & role_mask(role))
        texts = dict.fromkeys(rule_text(code, self.lang, self.audience) for code in codes)
        return codes, "; ".join(texts)

    def price_text(self, role: str, pid: str) -> tuple[float | None, str]:
        """What one more slot of a partner is worth, in words (only computed when prices are asked for)."""
        if not self.prices:
            return None, self.t["unpriced"]
        price = price_book(self.result).get(role, partner_index(self.result, role, pid))
        key = "price_none" if price.extra_matched == 0 else "price_one" if price.extra_matched == 1 else "price_many"
        gain = number(price.gain, self.lang)
        return price.gain, self.t[key].format(n=price.extra_matched, gain=f"+{gain}" if price.gain >= 0 else gain)

    def limit(self, role: str, idx: int, need: float = 0.0) -> str:
        """A full limit in words, with its figures."""
        lim, cap, t = self.limits, self.cap, self.t
        if role == "position":
            return t["limit_position"].format(load=lim.position_load[idx], capacity=cap.position_open[idx])
        if role == "site_legal":
            return t["limit_site_legal"].format(load=lim.legal_load[idx], capacity=cap.site_legal_limit[idx])
        if role == "site_tutors":
            return t["limit_site_tutors"].format(load=lim.site_tutor_load[idx], capacity=cap.site_tutor_limit[idx])
        if role in ("tutor", "operator"):
            people = self.a.tutors if role == "tutor" else self.a.operators
            partner = self.names.get(str(people.ids[idx]), str(people.ids[idx]))
            load = (lim.tutor_load if role == "tutor" else lim.operator_load)[idx]
            capacity = (cap.tutor_limit if role == "tutor" else cap.operator_limit)[idx]
            return t[f"limit_{role}"].format(partner=partner, load=load, capacity=capacity)
        if role.startswith("peer"):
            partner = self.names[str(self.a.peers.ids[idx])]
            if role == "peer_people":
                load, capacity = lim.peer_people_load[idx], cap.peer_people_limit[idx]
                return t["limit_peer_people"].format(partner=partner, load=load, capacity=capacity)
            if hidden(self.audience, ("candidates.support_intensity",)):  # hours would tell the intensity
                return t[f"limit_{role}_hidden"].format(partner=partner)
            if role == "peer_full":  # the chosen supporter: no hours left after this person's
                load, capacity = (number(float(x), self.lang) for x in (lim.peer_load[idx], cap.peer_limit[idx]))
                return t["limit_peer_full"].format(partner=partner, load=load, capacity=capacity)
            room = number(float(lim.peer_room()[idx]), self.lang)
            return t["limit_peer"].format(partner=partner, room=room, need=number(need, self.lang))
        partner = self.names[str(self.a.guides.ids[idx])]
        if role == "lead_guide":
            return t["limit_lead_guide"].format(partner=partner, load=lim.lead_load[idx], capacity=cap.guide_lead[idx])
        return t["limit_guide"].format(partner=partner, load=lim.guide_load[idx], capacity=cap.guide_limit[idx])

    # ------------------------------------------------------------ options not taken

    def site_alternative(self, c: int, table: ScoreTable, i: int, own_site: int) -> Alternative:
        """Why position ``table.cols[i]`` was not the candidate's: a rule, full limits, or a trade-off."""
        a, t = self.a, self.t
        pos = int(table.cols[i])
        pid, score = str(a.positions.ids[pos]), float(table.total[i])
        mask = int(table.reasons[i]) & role_mask("site")
        if mask:
            codes, text = self.reasons(mask, "site")
            return Alternative(pid, self.names[pid], score, "rule", codes, None, t["rule"].format(reasons=text))
        blocks = site_blocks(self.result).of(c, pos)
        site = int(a.positions.site[pos])
        same = site == own_site  # the candidate is counted at their own site already
        full: list[tuple[str, int]] = []
        if blocks.position[0]:
            full.append(("position", pos))
        if blocks.site_legal[0] and not same:
            full.append(("site_legal", site))
        if blocks.site_tutors[0] and not same:
            full.append(("site_tutors", site))
        if blocks.no_lead[0]:
            lead_codes = self._lead_rules(c, site)
            text = (
                self.t["you_no_lead"]
                if self.you
                else t["no_lead"].format(reasons=self.reasons(lead_codes, "lead_guide")[1])
            )
            return Alternative(pid, self.names[pid], score, "rule", reason_codes(lead_codes), None, text)
        leads = [int(g) for g in blocks.full_leads[0]]
        if blocks.leads_full[0]:
            full.append(("leads", -1))
        if blocks.tutors_full[0]:
            full += [("tutor", int(x)) for x in blocks.full_tutors[0]]
        if blocks.operators_full[0]:
            full += [("operator", int(x)) for x in blocks.full_operators[0]]
        if not full:
            return Alternative(
                pid, self.names[pid], score, "trade_off", (), None, t["you_trade_off" if self.you else "trade_off"]
            )
        named = self._named(full, leads)
        if self.you:
            return Alternative(pid, self.names[pid], score, "capacity", (), None, t["you_full"], named)
        words_ = [
            t["limit_leads"].format(names=", ".join(self.names[str(a.guides.ids[g])] for g in leads))
            if role == "leads"
            else self.limit(role, idx)
            for role, idx in full
        ]
        price_role, price_id = (
            ("lead_guide", str(a.guides.ids[leads[0]])) if full[0][0] == "leads" else ("site", str(a.sites.ids[site]))
        )
        price, price_words = self.price_text(price_role, price_id) if self.prices else (None, "")
        key = "full_priced" if self.prices else "full"
        detail = t[key].format(limits="; ".join(words_), price=price_words)
        return Alternative(pid, self.names[pid], score, "capacity", (), price, detail, named)

    def _named(self, full: list[tuple[str, int]], leads: list[int]) -> tuple[str, ...]:
        """The full limits as ``"role:partner_id"``; each full lead guide by the limit that is full."""
        out = []
        for role, idx in full:
            if role != "leads":
                people = {"position": self.a.positions, "tutor": self.a.tutors, "operator": self.a.operators}
                ids = people[role].ids if role in people else self.a.sites.ids
                out.append(f"{role}:{ids[idx]}")
                continue
            for g in leads:
                at_lead = self.limits.lead_load[g] >= self.cap.guide_lead[g]
                out.append(f"{'lead_guide' if at_lead else 'guide'}:{self.a.guides.ids[g]}")
        return tuple(out)

    def _lead_rules(self, c: int, site: int) -> int:
        """The union of the rule bits that forbid each guide of a site to lead the candidate."""
        a = self.a
        row = self.row("guide", c)
        at_site = a.guides.site[row.cols] == site
        masks = row.reasons[at_site] & np.uint64(role_mask("lead_guide"))
        bits = int(np.bitwise_or.reduce(masks)) if at_site.any() else 0
        cannot = at_site & ~a.guides.can_lead[row.cols]
        if cannot.any() or not at_site.any():
            bits |= RULE_BY_CODE["cannot_lead"].mask
        return bits

    def partner_alternative(self, c: int, table: ScoreTable, i: int, role: str, own: set[int]) -> Alternative:
        """Why guide or peer ``table.cols[i]`` was not the candidate's in ``role``."""
        t, lim, cap = self.t, self.limits, self.cap
        col = int(table.cols[i])
        pid, score = str(table.partner_ids[col]), float(table.total[i])
        mask = int(table.reasons[i]) & role_mask(role)
        if mask:
            codes, text = self.reasons(mask, role)
            return Alternative(pid, self.names[pid], score, "rule", codes, None, t["rule"].format(reasons=text))
        full: list[str] = []
        if role == "peer":
            need = float(cap.hours_needed[c])
            if lim.peer_room()[col] + (need if col in own else 0.0) < need - 1e-9:
                full.append("peer")
            if col not in own and lim.peer_people_load[col] >= cap.peer_people_limit[col]:
                full.append("peer_people")
        else:
            counted = col in own  # the candidate already counts in this guide's load
            if role == "lead_guide" and lim.lead_load[col] >= cap.guide_lead[col]:
                full.append("lead_guide")
            if not counted and lim.guide_load[col] >= cap.guide_limit[col]:
                full.append("guide")
        if not full:
            return Alternative(pid, self.names[pid], score, "trade_off", (), None, t["trade_off"])
        words_ = [self.limit(r, col, float(cap.hours_needed[c])) for r in full]
        # one more slot of a supporter is priced with its hours and one more person (whatif._one_more)
        priced = "peer" if role == "peer" else full[0]
        price, price_words = self.price_text(priced, pid) if self.prices else (None, "")
        key = "full_priced" if self.prices else "full"
        detail = t[key].format(limits="; ".join(words_), price=price_words)
        named = tuple(f"{r}:{pid}" for r in full)
        return Alternative(pid, self.names[pid], score, "capacity", (), price, detail, named)

    def binding(self, role: str, idx: int) -> tuple[str, ...]:
        """The limits of the chosen partner that the round filled (only for audiences that see figures)."""
        if not self.points:
            return ()
        lim, cap = self.limits, self.cap
        out = []
        if role == "site":
            site = int(self.a.positions.site[idx])
            if lim.position_load[idx] >= cap.position_open[idx]:
                out.append(self.limit("position", idx))
            if lim.legal_load[site] >= cap.site_legal_limit[site] and not hidden(
                self.audience, ("candidates.category",)
            ):
                out.append(self.limit("site_legal", site))
            if lim.site_tutor_load[site] >= cap.site_tutor_limit[site]:
                out.append(self.limit("site_tutors", site))
        elif role in ("tutor", "operator"):
            load = (lim.tutor_load if role == "tutor" else lim.operator_load)[idx]
            if load >= (cap.tutor_limit if role == "tutor" else cap.operator_limit)[idx]:
                out.append(self.limit(role, idx))
        elif role in ("lead_guide", "guide"):
            if role == "lead_guide" and lim.lead_load[idx] >= cap.guide_lead[idx]:
                out.append(self.limit("lead_guide", idx))
            if lim.guide_load[idx] >= cap.guide_limit[idx]:
                out.append(self.limit("guide", idx))
        else:
            if lim.peer_room()[idx] < 1e-9:
                out.append(self.limit("peer_full", idx))
            if lim.peer_people_load[idx] >= cap.peer_people_limit[idx]:
                out.append(self.limit("peer_people", idx))
        return tuple(out)


class Rows:
    """Full rows (every pair of a candidate in a stage) scored in blocks of candidates, kept per result.

    Explaining a round asks for the candidates in order: the first request scores one
    candidate, and each request that follows on from the last block scores a block twice
    as large, up to :attr:`MAX_BLOCK` candidates (fewer where partners are many, so that
    a block holds about :attr:`BLOCK_PAIRS` pairs). A candidate's row is a slice of its
    block's table, the same numbers as scoring them alone.
    """

    MAX_BLOCK = 256
    BLOCK_PAIRS = 1_000_000

    def __init__(self, result: MatchResult):
        self.scorer = result.scores.scorer
        self.n = len(result.scores.arrays.candidates)
        self._blocks: dict[str, tuple[int, int, ScoreTable]] = {}

    def row(self, stage: str, c: int) -> ScoreTable:
        """Every pair of candidate ``c`` in ``stage``."""
        block = self._blocks.get(stage)
        if block is None or not block[0] <= c < block[1]:
            block = self._blocks[stage] = self._score(stage, c, block)
        table = block[2]
        return table.take(table.of_candidate(c))

    def _score(self, stage: str, c: int, last: tuple[int, int, ScoreTable] | None) -> tuple[int, int, ScoreTable]:
        cap = min(self.MAX_BLOCK, max(1, self.BLOCK_PAIRS // max(len(self.scorer.partners(stage)), 1)))
        size = 1
        if last is not None and last[0] <= c < last[1] + max(last[1] - last[0], 16):  # following on: larger
            size = min(2 * (last[1] - last[0]), cap)
        hi = min(c + size, self.n)
        return c, hi, self.scorer.dense(stage, candidates=np.arange(c, hi))


class SiteBlocks:
    """What stands in the way of each candidate's best allowed positions, found for every candidate at once.

    Explanations ask :meth:`matchwork.limits.Limits.blocks` about the allowed positions
    they list as options not taken: always among the candidate's
    :data:`~matchwork.explain.audience.N_ALTERNATIVES` best allowed positions (best by
    score, ties by position). Those of every candidate are asked in one call; any other
    option is asked on its own.
    """

    def __init__(self, result: MatchResult):
        self.limits = result.limits
        table = result.scores.site
        ok = np.flatnonzero(table.feasible("site"))
        order = ok[np.lexsort((table.cols[ok], -table.total[ok], table.rows[ok]))]
        grouped = table.rows[order]
        first = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(order) else np.zeros(0, np.int64)
        rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
        best = np.sort(order[rank < N_ALTERNATIVES])  # pairs in (candidate, position) order
        self.cand, self.pos = table.rows[best].astype(np.int64), table.cols[best].astype(np.int64)
        self.n_pos = len(table.partner_ids)
        self.keys = self.cand * self.n_pos + self.pos
        self.blocks = self.limits.blocks(self.cand, self.pos) if len(best) else None

    def of(self, c: int, pos: int) -> Blocks:
        """The blocks of option ``(c, pos)``, as :meth:`~matchwork.limits.Limits.blocks` of that option alone."""
        key = c * self.n_pos + pos
        i = int(np.searchsorted(self.keys, key))
        b = self.blocks
        if b is None or i >= len(self.keys) or self.keys[i] != key:
            return self.limits.blocks(np.array([c]), np.array([pos]))
        one = slice(i, i + 1)
        return Blocks(*(getattr(b, f.name)[one] for f in dataclasses.fields(b)))


def site_blocks(result: MatchResult) -> SiteBlocks:
    """The blocks of the candidates' best allowed positions, shared by every audience's explanations."""
    cache = result.__dict__.get("_explain_site_blocks")
    if cache is None:
        cache = result.__dict__["_explain_site_blocks"] = SiteBlocks(result)
    return cache


def rows(result: MatchResult) -> Rows:
    """The full rows of a result's candidates, shared by every audience's explanations."""
    cache = result.__dict__.get("_explain_rows")
    if cache is None:
        cache = result.__dict__["_explain_rows"] = Rows(result)
    return cache


def context(result: MatchResult, audience: str, lang: str, prices: bool = True, full: bool = True) -> Context:
    """One context per result, audience, language and options, kept on the result."""
    cache = result.__dict__.setdefault("_explain_contexts", {})
    key = (audience, lang, prices, full)
    if key not in cache:
        cache[key] = Context(result, audience, lang, prices, full)
    return cache[key]


# ---------------------------------------------------------------- stages


def _rank(ctx: Context, ranked: np.ndarray, i: int) -> str:
    """ "la migliore di 5 opzioni possibili", "l'unica opzione possibile", "la 3ª di 12 …"."""
    n = len(ranked)
    r = int(np.flatnonzero(ranked == i)[0]) + 1 if i in ranked else n
    if n == 1:
        return ctx.t["rank_only"]
    return ctx.t["rank_best"].format(n=n) if r == 1 else ctx.t["rank_nth"].format(r=r, n=n)


def _chosen(
    ctx: Context, stage: str, table: ScoreTable, i: int, allowed: np.ndarray, role: str, idx: int, note: str = ""
) -> StageExplanation:
    """The explanation of one chosen pair ``i`` of ``table`` among the ``allowed`` pairs."""
    ranked = rank_allowed(table, allowed)
    pid = str(table.partner_ids[table.cols[i]])
    score = float(table.total[i]) if ctx.points else None
    rank = (int(np.flatnonzero(ranked == i)[0]) + 1 if i in ranked else None) if ctx.audience == "case_team" else None
    return StageExplanation(
        stage,
        pid,
        ctx.names.get(pid, pid),
        score,
        ctx.contributions(table, i),
        rank,
        len(ranked) if ctx.audience == "case_team" else 0,
        (),
        ctx.binding(role, idx),
        note,
        ctx.priority(table, i, allowed) if ctx.audience in ("case_team", "candidate") else None,
        _flags(ctx, table, i, role),
    )


def _flags(ctx: Context, table: ScoreTable, i: int, role: str) -> tuple[str, ...]:
    """The flagged rules the chosen pair meets, for the case team (they read people's histories)."""
    if ctx.audience != "case_team" or table.flags is None:
        return ()
    return reason_codes(int(table.flags[i]) & role_mask(role))


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
    if candidate_id in result.kept_ids:
        return explain_kept(result, candidate_id, audience, lang)
    if candidate_id not in a.candidates.index:
        raise KeyError(f"no candidate {candidate_id!r} in this round")
    ctx = context(result, audience, lang, prices and audience == "case_team", full)
    c = a.candidates.index[candidate_id]
    row = result.solved_assignments.iloc[c]
    matched = row["status"] == "matched"
    name = ctx.names[candidate_id]
    has_peer = row["peer_id"] is not None  # people waiting may have one too (policy.team.peer_for_waiting)
    if audience in ("site", "peer") and not ((matched and audience == "site") or (audience == "peer" and has_peer)):
        return Explanation(candidate_id, "", audience, lang, "not_yours", ())  # not theirs: nothing about the person
    stages: list[StageExplanation] = []
    blocked: tuple[Alternative, ...] = ()
    seen = STAGES_SEEN[audience]
    if matched:
        stages += _placement(ctx, c, row, seen)
    elif audience in ("case_team", "candidate"):
        blocked = _blocked(ctx, c)
    if "peer" in seen and (matched or has_peer) and (a.candidates.wants_peer[c] or has_peer):
        stages += _peer(ctx, c, row)
    accommodations: tuple[str, ...] = ()
    if audience == "site":
        accommodations = tuple(sorted(label(x, lang) for x in result.solved_round.candidates[c].accommodations))
    return Explanation(candidate_id, name, audience, lang, str(row["status"]), tuple(stages), blocked, accommodations)


def _placement(ctx: Context, c: int, row: Any, seen: tuple[str, ...]) -> list[StageExplanation]:
    """The site, lead and squad stages of a placed candidate, as the audience may see them."""
    a = ctx.a
    pos = a.positions.index[row["position_id"]]
    site = int(a.positions.site[pos])
    site_row, guide_row = ctx.row("site", c), ctx.row("guide", c)
    out: list[StageExplanation] = []
    if "site" in seen:
        allowed = (site_row.reasons & np.uint64(role_mask("site"))) == 0
        i = int(site_row.find(c, pos))
        stage = _chosen(ctx, "site", site_row, i, allowed, "site", pos)
        if ctx.audience in ("case_team", "candidate"):
            better = _better(site_row, i)  # sites, not people: the candidate may read them too
            stage = dataclasses.replace(
                stage, alternatives=tuple(ctx.site_alternative(c, site_row, j, site) for j in better)
            )
        out.append(stage)
    if row["lead_guide_id"] is None:  # a host company: a company tutor and the desk operator, no guides
        roles = [r for r in ("tutor", "operator") if r in seen and row[f"{r}_id"] is not None]
        return out + [_team(ctx, c, role, str(row[f"{role}_id"])) for role in roles]
    same_site = a.guides.site[guide_row.cols] == site
    lead = a.guides.index[row["lead_guide_id"]]
    squad = {a.guides.index[g] for g in row["squad_ids"]}
    if "lead_guide" in seen:
        may_lead = (
            same_site
            & a.guides.can_lead[guide_row.cols]
            & ((guide_row.reasons & np.uint64(role_mask("lead_guide"))) == 0)
        )
        i = int(guide_row.find(c, lead))
        stage = _at_position(ctx, guide_row, i, may_lead, "lead_guide", pos)
        if ctx.audience == "case_team":
            among = same_site & a.guides.can_lead[guide_row.cols]
            better = [j for j in _better(guide_row, i) if among[j]]
            alts = tuple(ctx.partner_alternative(c, guide_row, j, "lead_guide", {lead, *squad}) for j in better)
            stage = dataclasses.replace(stage, alternatives=alts)
        out.append(stage)
    if "squad" in seen:
        for g in sorted(squad, key=lambda g: str(a.guides.ids[g])):
            i = int(guide_row.find(c, g))
            may = same_site & (guide_row.cols != lead) & ((guide_row.reasons & np.uint64(role_mask("guide"))) == 0)
            out.append(_at_position(ctx, guide_row, i, may, "guide", pos))
        if not squad:
            out.append(StageExplanation("squad", None, None, None, (), None, 0, (), ()))
    return out


def _at_position(
    ctx: Context, table: ScoreTable, i: int, allowed: np.ndarray, role: str, pos: int, note: str = ""
) -> StageExplanation:
    """A lead's or squad member's stage at the position: the person x guide part and the guide x position part
    (their share of the position's shifts, their skills in its work; issue 18: every lavoratore guida is scored
    at the position), ranked among the guides allowed in the role at that position on the two parts summed."""
    gp = ctx.result.scores["guide_position"]
    at = np.asarray(gp.find(table.cols, pos), dtype=np.int64)
    ok = allowed & (at >= 0)
    ok[ok] = gp.feasible(role, at[ok])
    stage = _chosen(ctx, "squad" if role == "guide" else role, table, i, ok, role, int(table.cols[i]), note)
    k = int(at[i])
    if k < 0:  # pragma: no cover - every guide has a row at each position of their site
        return stage
    full = np.where(at >= 0, table.total + gp.total[np.maximum(at, 0)], -np.inf)
    idx = np.flatnonzero(ok)
    ranked = idx[np.lexsort((table.cols[idx], -full[idx]))]
    rank = int(np.flatnonzero(ranked == i)[0]) + 1 if i in ranked else None
    return dataclasses.replace(
        stage,
        score=None if stage.score is None else stage.score + float(gp.total[k]),
        contributions=stage.contributions + ctx.contributions(gp, k),
        rank=rank if stage.rank is not None else None,
    )


def _team(ctx: Context, c: int, role: str, pid: str) -> StageExplanation:
    """The company tutor or the desk operator of a person placed at a host company.

    They carry no score: the rules say who may follow the person, and among those the
    engine takes any with room (their limits are rows of the joint stage).
    """
    people = ctx.a.tutors if role == "tutor" else ctx.a.operators
    table = ctx.result.scores[role]
    mine = table.of_candidate(c)
    ok = (table.reasons[mine] & np.uint64(role_mask(role))) == 0
    if role == "tutor":  # a tutor of the person's own site
        site = ctx.a.positions.site[ctx.a.positions.index[ctx.result.solved_assignments.iloc[c]["position_id"]]]
        ok &= people.site[table.cols[mine]] == site
    allowed = int(ok.sum())
    note = (
        ""
        if ctx.audience != "case_team"
        else ctx.t["team_among"].format(n=allowed)
        if allowed > 1
        else ctx.t["rank_only"]
    )
    idx = int(people.index[pid])
    return StageExplanation(
        role, pid, ctx.names.get(pid, pid), None, (), None, allowed, (), ctx.binding(role, idx), note
    )


def _peer(ctx: Context, c: int, row: Any) -> list[StageExplanation]:
    a = ctx.a
    note = "" if a.candidates.wants_peer[c] else ctx.t["not_wanted"]
    solved = ctx.result.stages["peer"].status
    if row["peer_id"] is not None and solved.status == "time_limit" and solved.gap is not None:
        gap = ctx.t["peer_gap"].format(gap=number(100 * solved.gap, ctx.lang, digits=2))
        note = f"{note}; {gap}" if note else gap
    peer_row = ctx.row("peer", c)
    allowed = (peer_row.reasons & np.uint64(role_mask("peer"))) == 0
    if row["peer_id"] is None:
        alts: tuple[Alternative, ...] = ()
        if ctx.audience == "case_team":
            best = rank_allowed(peer_row, np.ones(len(peer_row), dtype=bool))[:N_ALTERNATIVES]
            alts = tuple(ctx.partner_alternative(c, peer_row, int(j), "peer", set()) for j in best)
        return [StageExplanation("peer", None, None, None, (), None, int(allowed.sum()), alts, (), note)]
    p = a.peers.index[row["peer_id"]]
    i = int(peer_row.find(c, p))
    stage = _chosen(ctx, "peer", peer_row, i, allowed, "peer", p, note)
    if ctx.audience == "case_team":
        alts = tuple(ctx.partner_alternative(c, peer_row, j, "peer", {p}) for j in _better(peer_row, i))
        stage = dataclasses.replace(stage, alternatives=alts)
    return [stage]


def _better(table: ScoreTable, i: int) -> list[int]:
    """The (up to three) pairs of the table scoring more than pair ``i``, best first, ties by partner id."""
    better = np.flatnonzero(table.total > table.total[i])
    return better[np.lexsort((table.cols[better], -table.total[better]))][:N_ALTERNATIVES].tolist()


def _blocked(ctx: Context, c: int) -> tuple[Alternative, ...]:
    """For an unmatched candidate: the best allowed positions and the best ruled out, each with what blocked it."""
    site_row = ctx.row("site", c)
    order = np.lexsort((site_row.cols, -site_row.total))
    allowed = (site_row.reasons[order] & np.uint64(role_mask("site"))) == 0
    best = [*order[allowed][:N_ALTERNATIVES], *order[~allowed][:N_ALTERNATIVES]]
    return tuple(ctx.site_alternative(c, site_row, int(i), -1) for i in best)


# ---------------------------------------------------------------- suggest


def suggest(result: MatchResult, candidate_id: str, k: int = 5, lang: str = "it") -> pd.DataFrame:
    """The candidate's top-``k`` allowed partners per stage, each stage inside the sites suggested.

    Returns a DataFrame ``stage, rank, partner_id, partner_name, score, breakdown``
    (``breakdown``: feature → points, summing to ``score``). Stages are ``site``
    (positions), then ``lead_guide`` (guides who may lead) and ``squad`` (guides who
    may join the squad), both only at the sites of the positions suggested, then
    ``peer``.
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
    site_row = ctx.row("site", c)
    top_sites = rank_allowed(site_row, (site_row.reasons & np.uint64(role_mask("site"))) == 0)[:k]
    sites = set(a.positions.site[site_row.cols[top_sites]].tolist())
    guide_row, peer_row = ctx.row("guide", c), ctx.row("peer", c)
    at_sites = np.isin(a.guides.site[guide_row.cols], list(sites))
    plan = (
        ("site", site_row, top_sites),
        ("lead_guide", guide_row, _ranked(guide_row, "lead_guide", at_sites & a.guides.can_lead[guide_row.cols])[:k]),
        ("squad", guide_row, _ranked(guide_row, "guide", at_sites)[:k]),
        ("peer", peer_row, _ranked(peer_row, "peer", np.ones(len(peer_row), dtype=bool))[:k]),
    )
    for stage, table, chosen in plan:
        for r, i in enumerate(chosen):
            pid = str(table.partner_ids[table.cols[i]])
            breakdown = {x.feature: x.points for x in ctx.contributions(table, int(i))}
            rows.append((stage, r + 1, pid, ctx.names.get(pid, pid), float(table.total[i]), breakdown))
    return pd.DataFrame(rows, columns=["stage", "rank", "partner_id", "partner_name", "score", "breakdown"])


def _ranked(table: ScoreTable, role: str, among: np.ndarray) -> np.ndarray:
    return rank_allowed(table, among & ((table.reasons & np.uint64(role_mask(role))) == 0))
