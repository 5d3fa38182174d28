"""Explanations: why this pairing, why not that one, and what one more slot is worth.

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
import functools
import html
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matchwork._validation import Audience, Lang, choice, choices
from matchwork.errors import MatchError
from matchwork.i18n import words
from matchwork.model.existing import partner_positions
from matchwork.model.profiles import PROFILE_TYPES, Pin, sensitive_fields
from matchwork.model.vocab import Role, SupportIntensity
from matchwork.scoring.capacity import Capacities
from matchwork.scoring.features import Feature
from matchwork.scoring.rules import RULE_BY_CODE, reason_codes, role_mask
from matchwork.scoring.scorer import Scorer, ScoreTable

if TYPE_CHECKING:
    from matchwork.result import MatchResult

__all__ = [
    "AUDIENCES",
    "Alternative",
    "Contribution",
    "Explanation",
    "StageExplanation",
    "WhyNot",
    "capacity_prices",
    "explain",
    "suggest",
    "why_not",
]

AUDIENCES: tuple[str, ...] = choices(Audience)
_STAGES_SEEN: dict[str, tuple[str, ...]] = {
    "case_team": ("site", "lead_guide", "squad", "peer"),
    "site": ("site", "lead_guide", "squad"),
    "candidate": ("site", "lead_guide", "squad", "peer"),
    "peer": ("peer",),
}
_N_ALTERNATIVES = 3


def _check(audience: str, lang: str) -> None:
    choice("audience", audience, Audience)
    choice("lang", lang, Lang)


@functools.cache
def _sensitive() -> frozenset[str]:
    """``"table.field"`` names marked sensitive in the profile schema."""
    return frozenset(f"{table}.{f}" for table, model in PROFILE_TYPES.items() for f in sensitive_fields(model))


def is_sensitive(reads: Iterable[str]) -> bool:
    """Whether any of the ``"table.field"`` names is marked sensitive in the schema.

    >>> is_sensitive(["candidates.category"]), is_sensitive(["candidates.availability"])
    (True, False)
    """
    return any(r in _sensitive() for r in reads)


def rule_text(code: str, lang: str = "it", audience: str = "case_team") -> str:
    """One sentence saying why a rule forbids a pair, for an audience.

    >>> rule_text("commute_too_far", "en")
    'the site is farther than the longest trip the person can make'
    >>> rule_text("trainee_limit", "en", audience="site")
    'a confidential reason (ask the case team)'
    """
    _check(audience, lang)
    rule = RULE_BY_CODE[code]
    if audience in ("site", "candidate") and is_sensitive(rule.reads):
        return words("explain", lang)["confidential"]
    return rule.text[lang]


# ---------------------------------------------------------------- data


@dataclasses.dataclass(frozen=True)
class Contribution:
    """One feature's part of a stage score: ``points = weight × value``."""

    feature: str
    label: str
    weight: float
    value: float
    points: float


@dataclasses.dataclass(frozen=True)
class Alternative:
    """An option the candidate did not get, and why.

    ``why`` is ``"rule"`` (``rules`` forbid it), ``"capacity"`` (the partner is
    full; ``price`` is what one more slot would add to the round's total score),
    ``"trade_off"`` (allowed and free, but the round's total is higher without
    it) or ``"lower_score"``.
    """

    partner_id: str
    partner_name: str
    score: float
    why: str
    rules: tuple[str, ...]
    price: float | None
    detail: str


@dataclasses.dataclass(frozen=True)
class StageExplanation:
    """One stage of a candidate's explanation (``partner_id`` None when nobody was assigned)."""

    stage: str
    partner_id: str | None
    partner_name: str | None
    score: float | None
    contributions: tuple[Contribution, ...]
    rank: int | None
    n_options: int
    alternatives: tuple[Alternative, ...]
    binding: tuple[str, ...]
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Explanation:
    """Why a candidate was paired as they were, for one audience and language.

    Render with :attr:`text` (plain text) or in Jupyter (``_repr_html_``); keep
    with :meth:`to_dict` (JSON-ready).
    """

    candidate_id: str
    candidate_name: str
    audience: str
    lang: str
    status: str
    stages: tuple[StageExplanation, ...]
    blocked: tuple[Alternative, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The explanation as plain data."""
        return dataclasses.asdict(self)

    @property
    def text(self) -> str:
        """The explanation in the audience's words."""
        return "\n".join(self._lines())

    def _lines(self) -> list[str]:
        t = words("explain", self.lang)
        plain = self.audience == "candidate"
        who = f"{self.candidate_name} ({self.candidate_id})"
        out = [t["title"].format(who=who, status=t[self.status])]
        for s in self.stages:
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
        if self.blocked:
            out.append("")
            out.append(t["blocked"])
            out += [f"  - {a.partner_name} ({a.partner_id}): {a.detail}" for a in self.blocked]
        return out

    def _repr_html_(self) -> str:
        lines = self._lines()
        body = "".join(f"<div>{html.escape(line) or '&nbsp;'}</div>" for line in lines[1:])
        return f"<div class='matchwork-explanation'><h4>{html.escape(lines[0])}</h4>{body}</div>"

    def __str__(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True)
class WhyNot:
    """Whether a pair was possible and, if so, what forcing it costs the round.

    Attributes
    ----------
    feasible : bool
        False when rules forbid the pair (``rules`` and ``reasons`` say which).
    cost : float or None
        Total score the round loses when the pair is pinned (a full re-solve),
        0 when it is already made; None when not feasible or pins conflict.
    unplaced : int
        Candidates fewer placed at a site when it is pinned.
    cost_by_stage : dict
        ``cost`` split by stage (``site``, ``lead_guide``, ``squad``, ``peer``):
        stages are solved in turn, so a later one may gain what an earlier one loses.
    displaced : DataFrame
        ``candidate_id, stage, before, after`` for everyone else whose pairing changes.
    """

    candidate_id: str
    partner_id: str
    role: str
    feasible: bool
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    cost: float | None
    unplaced: int
    displaced: pd.DataFrame
    cost_by_stage: dict[str, float] = dataclasses.field(default_factory=dict)
    message: str = ""

    @property
    def text(self) -> str:
        if not self.feasible:
            return f"{self.candidate_id} – {self.partner_id}: " + "; ".join(self.reasons)
        if self.cost is None:
            return f"{self.candidate_id} – {self.partner_id}: {self.message}"
        moved = ", ".join(sorted(set(self.displaced["candidate_id"]))) or "nobody"
        return (
            f"{self.candidate_id} – {self.partner_id}: allowed; forcing it costs the round {self.cost:.2f} points"
            f" and {self.unplaced} placement(s); displaced: {moved}"
        )

    def _repr_html_(self) -> str:
        return f"<div class='matchwork-why-not'>{html.escape(self.text)}</div>"


# ---------------------------------------------------------------- explain


class _Context:
    """What one explanation reads off a result: names, rows, loads, prices."""

    def __init__(self, result: MatchResult, audience: str, lang: str, prices: bool = True, full: bool = True):
        self.result, self.audience, self.lang, self.t = result, audience, lang, words("explain", lang)
        self.prices, self.full_rows = prices, full
        self.a = result.scores.arrays
        self.scorer = result.scores.scorer
        self.names = _names(result)
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
        prices = _prices(self.result)
        idx = _partner_index(self.result, role, pid)
        extra, gain = prices.get(role, idx)
        return gain, self.t["price"].format(extra=extra, gain=gain)

    def alternative(self, table: ScoreTable, i: int, role: str, chosen_score: float | None) -> Alternative:
        pid = str(table.partner_ids[table.cols[i]])
        score = float(table.total[i])
        mask = int(table.reasons[i]) & role_mask(role)
        cap_role, cap_id = _capacity_of(self.result, role, pid)
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
        limits = {_capacity_of(self.result, role, pid)}
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


def _context(result: MatchResult, audience: str, lang: str, prices: bool = True, full: bool = True) -> _Context:
    """One context per result, audience, language and options, kept on the result."""
    cache = result.__dict__.setdefault("_explain_contexts", {})
    key = (audience, lang, prices, full)
    if key not in cache:
        cache[key] = _Context(result, audience, lang, prices, full)
    return cache[key]


def _names(result: MatchResult) -> dict[str, str]:
    rnd = result.round
    people: list[Any] = [*rnd.candidates, *rnd.guides, *rnd.peers, *rnd.sites]
    names = {x.id: x.name for x in people}
    for site_id, pos in rnd.positions:
        names[pos.id] = f"{names[site_id]} – {pos.title}"
    return names


def _capacity_of(result: MatchResult, role: str, pid: str) -> tuple[str, str]:
    """The capacity an option draws on: a position's site, a guide's lead or total load, a peer's hours."""
    if role == "site":
        a = result.scores.arrays
        return "site", str(a.sites.ids[a.positions.site[a.positions.index[pid]]])
    return role, pid


def _partner_index(result: MatchResult, role: str, pid: str) -> int:
    a = result.scores.arrays
    cols = {"site": a.sites, "lead_guide": a.guides, "guide": a.guides, "peer": a.peers}[role]
    return int(cols.index[pid])


def _ranked(table: ScoreTable, ok: np.ndarray) -> np.ndarray:
    """Indices of the allowed pairs, best first, ties by partner (id order)."""
    idx = np.flatnonzero(ok)
    return idx[np.lexsort((table.cols[idx], -table.total[idx]))]


def _stage(
    ctx: _Context,
    stage: str,
    table: ScoreTable,
    role: str,
    among: np.ndarray,
    chosen: list[int],
    note: str = "",
) -> list[StageExplanation]:
    """Explanations of the chosen pairs (indices into ``table``) among the pairs ``among`` allows."""
    ok = among & ((table.reasons & np.uint32(role_mask(role))) == 0)
    ranked = _ranked(table, ok)
    rank_of = {int(i): r + 1 for r, i in enumerate(ranked)}
    best_first = np.flatnonzero(among)[np.lexsort((table.cols[among], -table.total[among]))]
    others = [int(i) for i in best_first if int(i) not in chosen]
    out = []
    for k, i in enumerate(chosen or [None]):
        if i is None:
            alts = tuple(ctx.alternative(table, j, role, None) for j in others[:_N_ALTERNATIVES])
            out.append(StageExplanation(stage, None, None, None, (), None, int(ok.sum()), alts, (), note))
            continue
        pid = str(table.partner_ids[table.cols[i]])
        better = [j for j in others if table.total[j] > table.total[i]][:_N_ALTERNATIVES]
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
    _check(audience, lang)
    a = result.scores.arrays
    if candidate_id not in a.candidates.index:
        raise KeyError(f"no candidate {candidate_id!r} in this round")
    ctx = _context(result, audience, lang, prices, full)
    c = a.candidates.index[candidate_id]
    row = result.assignments.iloc[c]
    seen = _STAGES_SEEN[audience]
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


def _blocked(ctx: _Context, c: int, site_row: ScoreTable, guide_row: ScoreTable) -> tuple[Alternative, ...]:
    """For an unmatched candidate: the best positions, what blocked each and what would change it."""
    a, t = ctx.a, ctx.t
    order = np.lexsort((site_row.cols, -site_row.total))
    allowed = (site_row.reasons[order] & np.uint32(role_mask("site"))) == 0
    best = np.concatenate([order[allowed][:_N_ALTERNATIVES], order[~allowed][:_N_ALTERNATIVES]])
    out = []
    for i in best:
        alt = ctx.alternative(site_row, int(i), "site", None)
        if alt.why == "rule":
            detail = t["change_rule"].format(reasons=ctx.reasons(int(site_row.reasons[i]), "site")[1])
        else:
            site = a.positions.site[site_row.cols[i]]
            guides = a.guides.site[guide_row.cols] == site
            lead_ok = guides & ((guide_row.reasons & np.uint32(role_mask("lead_guide"))) == 0)
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


# ---------------------------------------------------------------- suggest


def suggest(result: MatchResult, candidate_id: str, k: int = 5, lang: str = "it") -> pd.DataFrame:
    """The candidate's top-``k`` allowed partners per stage with their breakdowns.

    Returns a DataFrame ``stage, rank, partner_id, partner_name, score, breakdown``
    (``breakdown``: feature → points, summing to ``score``). Stages are ``site``
    (positions), ``lead_guide`` (guides who may lead, at any site) and ``peer``.
    """
    _check("case_team", lang)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    a = result.scores.arrays
    if candidate_id not in a.candidates.index:
        raise KeyError(f"no candidate {candidate_id!r} in this round")
    c = a.candidates.index[candidate_id]
    ctx = _context(result, "case_team", lang)
    rows = []
    for stage, table_name in (("site", "site"), ("lead_guide", "guide"), ("peer", "peer")):
        table = ctx.row(table_name, c)
        ok = (table.reasons & np.uint32(role_mask(stage))) == 0
        if stage == "lead_guide":
            ok &= a.guides.can_lead[table.cols]
        for r, i in enumerate(_ranked(table, ok)[:k]):
            pid = str(table.partner_ids[table.cols[i]])
            breakdown = {x.feature: x.points for x in ctx.contributions(table, int(i))}
            rows.append((stage, r + 1, pid, ctx.names.get(pid, pid), float(table.total[i]), breakdown))
    return pd.DataFrame(rows, columns=["stage", "rank", "partner_id", "partner_name", "score", "breakdown"])


# ---------------------------------------------------------------- re-solves


def _resolve(result: MatchResult, *, rnd: Any = None, capacities: Capacities | None = None) -> MatchResult:
    """The same round (or ``rnd``) matched again under the same policy and features."""
    from matchwork.engine.engine import Engine

    scorer = result.scores.scorer
    features = [f for fs in scorer.features.values() for f in fs]
    new = Scorer(rnd if rnd is not None else scorer.round, scorer.policy, features=features, capacities=capacities)
    dense = result.scores.site.dense
    return Engine(new.scores(dense=dense)).run()


def why_not(result: MatchResult, candidate_id: str, partner_id: str, role: str | None = None) -> WhyNot:
    """Whether the pair was possible; if so, what forcing it costs; see :meth:`MatchResult.why_not`."""
    rnd, a = result.round, result.scores.arrays
    if candidate_id not in a.candidates.index:
        raise KeyError(f"no candidate {candidate_id!r} in this round")
    kind = rnd.role_of(partner_id)
    if kind not in ("site", "position", "guide", "peer"):
        raise KeyError(f"no site, position, guide worker or peer supporter {partner_id!r} in this round")
    role = role or {"site": "site", "position": "site", "guide": "lead_guide", "peer": "peer"}[kind]
    if role not in ("site", "lead_guide", "guide", "peer") or (kind == "guide") != (role in ("lead_guide", "guide")):
        raise ValueError(f"role {role!r} does not fit partner {partner_id!r} (a {kind})")
    c = a.candidates.index[candidate_id]
    codes = _forbidding(result, c, kind, partner_id, role)
    empty = pd.DataFrame(columns=["candidate_id", "stage", "before", "after"])
    if codes:
        texts = tuple(dict.fromkeys(RULE_BY_CODE[x].text["en"] for x in codes))
        return WhyNot(candidate_id, partner_id, role, False, codes, texts, None, 0, empty)
    pin_role = None if role in ("site", "peer") else Role(role)
    pinned = rnd.replace(pins=[*rnd.pins, Pin(candidate_id=candidate_id, partner_id=partner_id, role=pin_role)])
    try:
        other = _resolve(result, rnd=pinned)
    except MatchError as exc:
        return WhyNot(candidate_id, partner_id, role, True, (), (), None, 0, empty, message=str(exc))
    before, after = result.objective, other.objective
    return WhyNot(
        candidate_id,
        partner_id,
        role,
        True,
        (),
        (),
        before["total"] - after["total"],
        int(before["matched"] - after["matched"]),
        _displaced(result, other, exclude=candidate_id),
        {k: before[f"{k}_total"] - after[f"{k}_total"] for k in ("site", "lead_guide", "squad", "peer")},
    )


def _forbidding(result: MatchResult, c: int, kind: str, partner_id: str, role: str) -> tuple[str, ...]:
    """The rules that forbid the pair in the role (for a site: those forbidding every one of its positions)."""
    scorer, a = result.scores.scorer, result.scores.arrays
    if kind in ("site", "position"):
        row = scorer.dense("site", candidates=np.array([c]))
        cols = np.array([a.positions.index[p] for p in partner_positions(result.round, partner_id)])
        masks = row.reasons[cols] & np.uint32(role_mask("site"))
        return () if (masks == 0).any() else reason_codes(int(np.bitwise_and.reduce(masks)) or int(masks[0]))
    table = "guide" if kind == "guide" else "peer"
    col = {"guide": a.guides, "peer": a.peers}[table].index[partner_id]
    row = scorer.dense(table, candidates=np.array([c]))
    codes = reason_codes(int(row.reasons[col]) & role_mask(role))
    if role == "lead_guide" and not a.guides.can_lead[col] and "cannot_lead" not in codes:
        codes = (*codes, "cannot_lead")
    return codes


def _displaced(before: MatchResult, after: MatchResult, exclude: str) -> pd.DataFrame:
    cols = {"site": "site_id", "lead_guide": "lead_guide_id", "squad": "squad_ids", "peer": "peer_id"}
    x, y = before.assignments, after.assignments
    rows = []
    for stage, col in cols.items():
        changed = x[col].map(repr) != y[col].map(repr)  # None == None here, unlike pandas' !=
        for cid, b, a in zip(x.candidate_id[changed], x[col][changed], y[col][changed], strict=True):
            if cid != exclude:
                rows.append((cid, stage, b, a))
    return pd.DataFrame(rows, columns=["candidate_id", "stage", "before", "after"])


class _Prices:
    """Capacity prices computed on demand and kept: one full re-solve per binding partner."""

    def __init__(self, result: MatchResult):
        self.result = result
        self.cache: dict[tuple[str, int], tuple[int, float]] = {}

    def get(self, role: str, idx: int) -> tuple[int, float]:
        key = (role, idx)
        if key not in self.cache:
            other = _resolve(self.result, capacities=_one_more(self.result, role, idx))
            before, after = self.result.objective, other.objective
            self.cache[key] = (int(after["matched"] - before["matched"]), after["total"] - before["total"])
        return self.cache[key]


def _prices(result: MatchResult) -> _Prices:
    prices = result.__dict__.get("_prices")
    if prices is None:
        prices = result.__dict__["_prices"] = _Prices(result)
    return prices


def _one_more(result: MatchResult, role: str, idx: int) -> Capacities:
    """The round's capacities with one more slot for one partner.

    A site: one more trainee under both its limits and one more opening in each
    of its positions (so one more anywhere in the site); a lead guide: one more
    newcomer to lead (and to follow); a guide: one more newcomer to follow; a peer
    supporter: the hours a medium-intensity candidate needs.
    """
    cap, a, policy = result.scores.capacities, result.scores.arrays, result.policy

    def plus(arr: np.ndarray, at: Any, by: float = 1) -> np.ndarray:
        out = arr.copy()
        out[at] += by
        return out

    if role == "site":
        positions = np.flatnonzero(a.positions.site == idx)
        return dataclasses.replace(
            cap,
            site_legal=plus(cap.site_legal, idx),
            site_tutor=plus(cap.site_tutor, idx),
            site_legal_limit=plus(cap.site_legal_limit, idx),
            site_tutor_limit=plus(cap.site_tutor_limit, idx),
            position_open=plus(cap.position_open, positions),
        )
    if role in ("lead_guide", "guide"):
        total = plus(cap.guide_total, idx)
        lead = np.where(a.guides.can_lead, np.minimum(policy.caps.lead_newcomers, total), 0)
        if role == "lead_guide":
            lead = plus(np.minimum(lead, cap.guide_lead), idx)
        return dataclasses.replace(
            cap, guide_total=total, guide_limit=plus(cap.guide_limit, idx), guide_lead=np.minimum(lead, total)
        )
    hours = float(policy.caps.hours_by_intensity[SupportIntensity.MEDIUM])
    return dataclasses.replace(
        cap, peer_hours=plus(cap.peer_hours, idx, hours), peer_limit=plus(cap.peer_limit, idx, hours)
    )


def capacity_prices(result: MatchResult, roles: Iterable[str] | None = None) -> pd.DataFrame:
    """What one more slot of each partner would add to the round; see :meth:`MatchResult.capacity_prices`."""
    roles = tuple(roles or ("site", "lead_guide", "guide", "peer"))
    bad = set(roles) - {"site", "lead_guide", "guide", "peer"}
    if bad:
        raise ValueError(f"roles must be among site, lead_guide, guide, peer; got {sorted(bad)}")
    loads = result.loads[result.loads["role"].isin(roles)].reset_index(drop=True)
    binding = (loads["load"] >= loads["capacity"] - 1e-9).to_numpy()
    prices = _prices(result)
    extra = np.zeros(len(loads), dtype=np.int64)
    gain = np.zeros(len(loads))
    a = result.scores.arrays
    for i in np.flatnonzero(binding):
        role, pid = str(loads.at[i, "role"]), str(loads.at[i, "partner_id"])
        if role == "lead_guide" and not a.guides.can_lead[a.guides.index[pid]]:
            continue  # one more lead slot is worth nothing to a guide who may not lead
        extra[i], gain[i] = prices.get(role, _partner_index(result, role, pid))
    out = loads.assign(binding=binding, extra_matched=extra, gain=gain)
    return out.sort_values(["extra_matched", "gain", "role", "partner_id"], ascending=[False, False, True, True])


def _plain(x: Any) -> Any:
    """Dataclasses, tuples and floats as JSON-ready data (NaN as None); faster than ``dataclasses.asdict``."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: _plain(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, float) and x != x:
        return None
    return x


def to_json(explanations: Iterable[Explanation]) -> str:
    """Explanations as a JSON array (NaN written as null)."""
    # no indent: json's C encoder only runs without one (five times faster on a large round)
    return json.dumps([_plain(e) for e in explanations], ensure_ascii=False)
