"""The result of a round: every candidate exactly once, matched or unmatched with the reasons.

:class:`MatchResult` is the contract integrators code against:

* :attr:`MatchResult.assignments` — one row per candidate: ``candidate_id, status,
  site_id, position_id, lead_guide_id, squad_ids, tutor_id, operator_id, peer_id, score,
  site_score, guide_score, peer_score, continuity`` (a cooperative's team gives a lead guide and a
  squad; a host company a company tutor and the desk operator of the person's area);
* :attr:`MatchResult.loads` — ``partner_id, role, load, capacity`` for every site,
  lead guide, guide and peer supporter, counting what was already carried;
* :attr:`MatchResult.unmatched_reasons` — why each unmatched candidate is unmatched;
* :attr:`MatchResult.metrics` — score distribution, loads against caps, outcomes per area.

A result is data. It answers what-if questions (:meth:`MatchResult.why_not`,
:meth:`MatchResult.capacity_prices`) through :meth:`MatchResult.resolve`, a re-solve
of the same round with one change, and explanations through an
:class:`ExplainerLike`; the engine hands it both, so this module imports neither
the engine nor the explanation layer.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from matchwork.limits import Blocks, Limits
from matchwork.model.existing import partner_positions
from matchwork.scoring.rules import RULE_BY_CODE, role_mask
from matchwork.solve.flow import FlowResult
from matchwork.solve.milp import SolveStatus
from matchwork.solve.network import Network

if TYPE_CHECKING:
    from matchwork.model.round import Round
    from matchwork.scoring.arrays import ExistingIndex
    from matchwork.scoring.capacity import Capacities
    from matchwork.scoring.scorer import Scores

Resolver = Callable[["Round | None", "Capacities | None"], "MatchResult"]
"""``resolve(round, capacities)``: the same round (or ``round``) matched again with ``capacities``."""


class ExplainerLike(Protocol):
    """What a result needs from the explanation layer (:data:`matchwork.explain.EXPLAINER`)."""

    def explain(self, result: MatchResult, candidate_id: str, audience: str, lang: str, *, prices: bool) -> Any: ...

    def why_not(self, result: MatchResult, candidate_id: str, partner_id: str, role: str | None, lang: str) -> Any: ...

    def suggest(self, result: MatchResult, candidate_id: str, k: int, lang: str) -> pd.DataFrame: ...

    def capacity_prices(self, result: MatchResult, roles: Iterable[str] | None) -> pd.DataFrame: ...


class WriterLike(Protocol):
    """What writes a result's output folder (:func:`matchwork.batch.write_result`, registered by that module)."""

    def __call__(
        self, result: MatchResult, out_dir: str | os.PathLike[str], *, lang: str = "it", prices: bool = False
    ) -> Path: ...


_WRITERS: list[WriterLike] = []


def register_writer(writer: WriterLike) -> None:
    """Set what :meth:`MatchResult.write` calls. :mod:`matchwork.batch` registers itself when imported,
    which ``mw.match`` does on first use; the output layer comes after this module, so it is handed in."""
    _WRITERS[:] = [writer]


__all__ = [
    "ASSIGNMENT_COLUMNS",
    "LOAD_COLUMNS",
    "ExplainerLike",
    "MatchResult",
    "Resolver",
    "StageSolution",
    "WriterLike",
    "register_writer",
]

ASSIGNMENT_COLUMNS = (
    "candidate_id",
    "status",
    "site_id",
    "position_id",
    "lead_guide_id",
    "squad_ids",
    "tutor_id",
    "operator_id",
    "peer_id",
    "score",
    "site_score",
    "guide_score",
    "peer_score",
    "continuity",
)
LOAD_COLUMNS = ("partner_id", "role", "load", "capacity")
_CHANGE_COLUMNS = ("candidate_id", "role", "partner_id", "since", "until", "change", "reason")


SMALLER_IS_BETTER = frozenset({"missing"})
"""Tiers the engine minimises (squad places left empty); every other tier is larger-is-better."""


def tier_loss(tier: str, before: float, after: float) -> float:
    """What changing one tier from ``before`` to ``after`` loses (positive) or gains (negative).

    Examples
    --------
    >>> tier_loss("placed", 10, 9), tier_loss("missing", 0, 2)
    (1, 2)
    """
    return after - before if tier in SMALLER_IS_BETTER else before - after


@dataclasses.dataclass(frozen=True)
class StageSolution:
    """One solved stage: what it chose among its options, and how its solve ended.

    Attributes
    ----------
    name : str
        ``"joint"`` (position, lead guide and squad, solved together), ``"squad"``
        (the squads of the joint solve, as their own options) or ``"peer"``.
    network, flow : Network, FlowResult or None
        The flow network and its solution, for a stage solved as a flow.
    arcs : int array
        The arc (or column) of each option.
    options : dict of arrays
        The stage's options, one entry per option (candidate, partner, scores, gain…).
    chosen : bool array
        Which options were taken.
    status : SolveStatus
        How the solve ended: optimal, or time limit with the proven gap.
    tiers : tuple of (str, float)
        What the stage optimised, most important first: e.g.
        ``(("placed", 41), ("missing", 0), ("points", 2875.3))``, with ``("lowest", …)``
        after the count under the fair objective. ``missing`` (squad places left empty
        in placements that need a squad) is smaller-is-better, every other tier
        larger-is-better (:func:`tier_loss`). Points are the engine's own objective:
        scores plus continuity bonuses minus convex load costs. The squad stage has
        none of its own: the joint stage optimised its squads and points.
    method : str
        How the optimum was reached: ``lp`` (an integral linear optimum with its
        certificate), ``repair`` or ``mip`` (branch and bound), ``lp-bound`` (a tier
        held at its linear bound and reached by the next), ``search`` (the fair
        floor), ``flow``; joined by ``+``.
    """

    name: str
    network: Network | None
    flow: FlowResult | None
    arcs: np.ndarray
    options: dict[str, np.ndarray]
    chosen: np.ndarray
    status: SolveStatus = dataclasses.field(default_factory=SolveStatus)
    tiers: tuple[tuple[str, float], ...] = ()
    method: str = ""


class MatchResult:
    """Every candidate of a round, matched or not, with the scores and reasons behind it.

    Built by :func:`matchwork.match`; read its tables as attributes.
    """

    def __init__(
        self,
        *,
        scores: Scores,
        joint: StageSolution,
        squad: StageSolution,
        peer: StageSolution,
        existing: ExistingIndex,
        resolve: Resolver,
        explainer: ExplainerLike,
        kept: pd.DataFrame | None = None,
        changes: pd.DataFrame | None = None,
        full_round: Round | None = None,
        kept_scores: tuple[dict[str, Any], dict[tuple[str, str], int]] | None = None,
    ):
        self.kept_scores = kept_scores or ({}, {})
        self._kept = kept
        self._changes = changes
        self.solved_round = scores.scorer.round
        """The round the stages solved: the people whose placements were kept are not in it."""
        self._resolve = resolve
        self._explainer = explainer
        self.scores = scores
        self.stages = {"joint": joint, "squad": squad, "peer": peer}
        self.existing = existing
        a = scores.arrays
        n = len(a.candidates)
        self.round = full_round if full_round is not None else scores.scorer.round
        """The round as given, every candidate in it."""
        self.policy = scores.policy
        self._position = np.full(n, -1, dtype=np.int64)
        self._lead = np.full(n, -1, dtype=np.int64)
        self._peer = np.full(n, -1, dtype=np.int64)
        self._tutor = np.full(n, -1, dtype=np.int64)
        self._operator = np.full(n, -1, dtype=np.int64)
        self._site_score = np.full(n, np.nan)
        self._guide_score = np.full(n, np.nan)
        self._peer_score = np.full(n, np.nan)
        o, ch = joint.options, joint.chosen
        self._position[o["cand"][ch]] = o["pos"][ch]
        self._lead[o["cand"][ch]] = o["guide"][ch]
        self._site_score[o["cand"][ch]] = o["site_score"][ch]
        self._guide_score[o["cand"][ch]] = o["guide_score"][ch]
        if "tutor" in o:  # the company tutor and desk operator chosen with the placement (-1: none needed)
            self._tutor[o["cand"][ch]] = o["tutor"][ch]
            self._operator[o["cand"][ch]] = o["operator"][ch]
        o, ch = peer.options, peer.chosen
        self._peer[o["cand"][ch]] = o["peer"][ch]
        self._peer_score[o["cand"][ch]] = o["score"][ch]
        o, ch = squad.options, squad.chosen
        self._squad: list[list[int]] = [[] for _ in range(n)]
        self._squad_score: list[list[float]] = [[] for _ in range(n)]
        order = np.lexsort((o["guide"][ch], o["cand"][ch]))
        for c, g, s in zip(o["cand"][ch][order], o["guide"][ch][order], o["score"][ch][order], strict=True):
            self._squad[int(c)].append(int(g))
            self._squad_score[int(c)].append(float(s))

    # ------------------------------------------------------------ per-candidate access

    def _ids(self, kind: str, idx: np.ndarray) -> list[str | None]:
        ids = {
            "guides": self.scores.arrays.guides.ids,
            "peers": self.scores.arrays.peers.ids,
            "positions": self.scores.arrays.positions.ids,
            "sites": self.scores.arrays.sites.ids,
            "tutors": self.scores.arrays.tutors.ids,
            "operators": self.scores.arrays.operators.ids,
        }[kind]
        return [None if i < 0 else str(ids[i]) for i in idx]

    @functools.cached_property
    def assignments(self) -> pd.DataFrame:
        """One row per candidate, sorted by id (see the module docstring for the columns).

        People whose placement in place was kept (policy ``continuity.keep``) are
        ``matched`` with ``continuity`` ``kept``, or ``kept_with_issue`` when one of
        their pairings now fails a rule (:attr:`kept` names the rules).
        """
        solved = self.solved_assignments
        if self._kept is None or self._kept.empty:
            return solved
        k = self._kept
        stages = k[["site_score", "guide_score", "peer_score"]].to_numpy(dtype=float)
        kept = pd.DataFrame(
            {
                "candidate_id": k.candidate_id,
                "status": "matched",
                "site_id": k.site_id,
                "position_id": k.position_id,
                "lead_guide_id": k.lead_guide_id,
                "squad_ids": k.squad_ids,
                "tutor_id": k.tutor_id,
                "operator_id": k.operator_id,
                "peer_id": k.peer_id,
                "score": np.nanmean(np.where(np.isnan(stages).all(axis=1, keepdims=True), 0.0, stages), axis=1),
                "site_score": stages[:, 0],
                "guide_score": stages[:, 1],
                "peer_score": stages[:, 2],
                "continuity": np.where(k.issues.map(len) > 0, "kept_with_issue", "kept"),
            }
        ).astype({c: object for c in ("candidate_id", "status", "site_id", "position_id", "lead_guide_id",
                                      "squad_ids", "tutor_id", "operator_id", "peer_id", "continuity")})  # fmt: skip
        kept = (
            kept.astype(object)
            .where(kept.notna(), None)
            .astype({c: float for c in ("score", "site_score", "guide_score", "peer_score")})
        )
        both = pd.concat([solved, kept[list(ASSIGNMENT_COLUMNS)]], ignore_index=True)
        return both.sort_values("candidate_id", kind="stable").reset_index(drop=True)

    @functools.cached_property
    def kept_ids(self) -> frozenset[str]:
        """Ids of the people whose placement in place was kept."""
        return frozenset() if self._kept is None else frozenset(self._kept.candidate_id)

    @property
    def kept(self) -> pd.DataFrame:
        """The people whose placement in place was kept, with ``since`` and the rules it now fails (``issues``).

        Case-team data: ``issues`` may name rules that read health data.
        """
        from_plan = self._kept
        return from_plan.copy() if from_plan is not None else pd.DataFrame(columns=["candidate_id", "issues"])

    @property
    def changes(self) -> pd.DataFrame:
        """Every change of an ongoing pairing, with its reason: ``candidate_id, role, partner_id, since, until,
        change, reason``.

        ``change`` is ``ended`` (the pairing's end date has passed, or the squad's
        months are over: ``reason`` says why), ``joined_squad`` (the lead's period is
        over: the lead now follows the person in the squad), ``released`` (a pin, or —
        with ``continuity.keep = "unless_rule"`` — a rule that now fails: the person is
        matched again), ``moved`` (the round gave the person another partner in that
        role; ``reason`` is ``score``: the continuity bonus was outweighed) or ``added``
        (a kept placement had no company tutor, desk operator or peer supporter in
        place and the round gave one before the newcomers; ``reason``
        ``none_in_place``: :mod:`matchwork.engine.refill`).
        """
        base = self._changes if self._changes is not None else pd.DataFrame(columns=list(_CHANGE_COLUMNS))
        moved = self._moved()
        frames = [f for f in (base, moved) if not f.empty]
        if not frames:
            return base.copy()
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values(["candidate_id", "role", "partner_id"], kind="stable").reset_index(drop=True)

    def _moved(self) -> pd.DataFrame:
        """Pairings in place of the people the stages solved that the round did not keep."""
        asg = self.solved_assignments.set_index("candidate_id")
        released = set() if self._changes is None else set(self._changes.query("change == 'released'").candidate_id)
        rows = []
        for p in self.solved_round.pairings:
            row: Any = asg.loc[p.candidate_id]
            role = p.role.value
            if role == "site":
                held = bool(row.position_id in partner_positions(self.solved_round, p.partner_id))
            elif role == "lead_guide":
                held = row.lead_guide_id == p.partner_id
            elif role == "guide":
                held = p.partner_id in row.squad_ids or row.lead_guide_id == p.partner_id
            elif role == "peer":
                held = row.peer_id == p.partner_id
            elif role == "tutor":
                held = row.tutor_id == p.partner_id
            else:  # operator
                held = row.operator_id == p.partner_id
            if not held:
                why = "released" if p.candidate_id in released else "score"
                rows.append((p.candidate_id, role, p.partner_id, p.since, p.until, "moved", why))
        return pd.DataFrame(rows, columns=list(_CHANGE_COLUMNS))

    @functools.cached_property
    def solved_assignments(self) -> pd.DataFrame:
        """The rows of the people the stages solved, in the order of the score tables (by id).

        :attr:`assignments` adds the people whose placement in place was kept.
        """
        a = self.scores.arrays
        matched = self._position >= 0
        site_idx = np.where(matched, a.positions.site[np.maximum(self._position, 0)], -1)
        stages = np.stack([self._site_score, self._guide_score, self._peer_score])
        present = ~np.isnan(stages)
        counted = present.sum(axis=0)
        score = np.where(counted > 0, np.where(present, stages, 0.0).sum(axis=0) / np.maximum(counted, 1), np.nan)
        guide_ids = a.guides.ids

        def ids(values: list[Any]) -> pd.Series:
            return pd.Series(values, dtype=object)

        frame = pd.DataFrame(
            {
                "candidate_id": ids([str(x) for x in a.candidates.ids]),
                "status": ids(np.where(matched, "matched", "unmatched").tolist()),
                "site_id": ids(self._ids("sites", site_idx)),
                "position_id": ids(self._ids("positions", self._position)),
                "lead_guide_id": ids(self._ids("guides", self._lead)),
                "squad_ids": ids([tuple(str(guide_ids[g]) for g in s) for s in self._squad]),
                "tutor_id": ids(self._ids("tutors", self._tutor)),
                "operator_id": ids(self._ids("operators", self._operator)),
                "peer_id": ids(self._ids("peers", self._peer)),
                "score": score,
                "site_score": self._site_score,
                "guide_score": self._guide_score,
                "peer_score": self._peer_score,
                "continuity": ids(self._continuity()),
            },
            columns=list(ASSIGNMENT_COLUMNS),
        )
        return frame

    def _continuity(self) -> list[str]:
        ex = self.existing
        out = []
        for c in range(len(self._position)):
            tutor, operator = getattr(ex, "tutor", {}), getattr(ex, "operator", {})
            had = c in ex.site or c in ex.lead or c in ex.squad or c in ex.peer or c in tutor or c in operator
            if not had:
                out.append("new")
                continue
            kept = (
                (c not in ex.site or self._position[c] in ex.site[c])
                and (c not in ex.lead or self._lead[c] == ex.lead[c])
                and (c not in ex.squad or ex.squad[c] <= set(self._squad[c]))
                and (c not in ex.peer or self._peer[c] == ex.peer[c])
                and (c not in tutor or self._tutor[c] == tutor[c])
                and (c not in operator or self._operator[c] == operator[c])
            )
            out.append("kept" if kept else "changed")
        return out

    @functools.cached_property
    def squads(self) -> pd.DataFrame:
        """One row per squad member: ``candidate_id, guide_id, score``."""
        ids, guides = self.scores.arrays.candidates.ids, self.scores.arrays.guides.ids
        rows = [
            (str(ids[c]), str(guides[g]), s)
            for c, (members, scores) in enumerate(zip(self._squad, self._squad_score, strict=True))
            for g, s in zip(members, scores, strict=True)
        ]
        return pd.DataFrame(rows, columns=["candidate_id", "guide_id", "score"])

    # ------------------------------------------------------------ loads

    @functools.cached_property
    def limits(self) -> Limits:
        """Every limit's load and capacity after the match, and which block an option (see :mod:`matchwork.limits`)."""
        members = np.array([g for squad in self._squad for g in squad], dtype=np.int64)
        return Limits(self.scores, self._position, self._lead, members, self._peer, self._tutor, self._operator)

    @functools.cached_property
    def loads(self) -> pd.DataFrame:
        """Load against capacity of every limit: ``partner_id, role, load, capacity``.

        Roles: ``site`` (the binding limit: the smallest of the company tutors' limit,
        the legal limit plus the exempt trainees placed this round, and the trainees
        present plus the open positions), and each limit apart — ``position``
        (openings), ``site_legal`` (the legal trainee limit, which exempt trainees do
        not count against), ``site_tutors`` (company tutors × trainees each) —
        ``lead_guide`` (newcomers led this round), ``guide`` (newcomers followed, lead
        or squad) and ``peer`` (weekly hours). ``load`` includes what was already
        carried (trainees present, newcomers followed, hours in use) net of this
        round's candidates, who are matched again.
        """
        return self.limits.table

    # ------------------------------------------------------------ reasons

    @functools.cached_property
    def unmatched_reasons(self) -> pd.DataFrame:
        """Why each unmatched candidate is unmatched: ``candidate_id, reason, rules, partners, limits, detail``.

        ``reason`` is one of

        * ``"no_feasible_option"`` — rules rule out every position with a lead guide;
          ``rules`` counts the rule codes over the candidate's pairs;
        * ``"no_full_squad"`` — some positions had a lead guide the rules allow, but
          none of their sites enough other guide workers the rules allow for the full
          squad the policy requires (``squad.require_full``, ``caps.squad_size``);
          ``partners`` are those sites;
        * ``"capacity_taken"`` — allowed options exist (their sites in ``partners``) and
          each is blocked by a limit that the :attr:`loads` table shows full: ``limits``
          names them with their figures (a position's openings, a site's legal or
          tutors' limit, the lead guides who could take the candidate, the guide
          workers who could form their squad);
        * ``"trade_off"`` — an allowed option had room at every limit, but the round
          is better without it (with every limit modelled, an exact engine leaves
          nobody out this way while placing the most people, so this flags a limit the
          loads table does not show).

        ``pins`` lists the partners of the candidate's pins that could not be honoured
        because the candidate was not placed (a peer supporter pinned to someone no
        site could take).
        """
        a = self.scores.arrays
        n = len(a.candidates)
        unmatched = np.flatnonzero(self._position < 0)
        is_unmatched = np.zeros(n, dtype=bool)
        is_unmatched[unmatched] = True
        site = self.scores.site
        ok = site.feasible("site") & is_unmatched[site.rows]
        oc, op = site.rows[ok].astype(np.int64), site.cols[ok].astype(np.int64)
        blocks = self.limits.blocks(oc, op)
        usable = ~blocks.no_lead & ~blocks.no_squad
        has_usable = np.bincount(oc[usable], minlength=n) > 0
        has_lead = np.bincount(oc[~blocks.no_lead], minlength=n) > 0
        has_free = np.bincount(oc[usable & blocks.free], minlength=n) > 0
        named = self._named_limits(oc, op, usable, blocks)
        partners = pd.Series(a.sites.ids[a.positions.site[op[usable]]], dtype=object).groupby(oc[usable]).unique()
        blocked = unmatched[~has_usable[unmatched]]
        counts = dict(zip(blocked.tolist(), self._rule_counts_many(blocked), strict=True))
        short = pd.Series(a.sites.ids[a.positions.site[op[blocks.no_squad]]], dtype=object)
        short_sites = short.groupby(oc[blocks.no_squad]).unique()
        size = self.policy.caps.squad_size
        pinned: dict[str, list[str]] = {}
        for pin in self.solved_round.pins:
            pinned.setdefault(pin.candidate_id, []).append(pin.partner_id)
        rows: list[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str, tuple[str, ...]]] = []
        for c in unmatched.tolist():
            cid = str(a.candidates.ids[c])
            pins = tuple(sorted(pinned.get(cid, ())))
            if not has_usable[c] and has_lead[c]:
                sites = tuple(sorted(str(x) for x in short_sites.get(c, ())))
                detail = f"no site with a lead guide has {size} more guide workers the rules allow for the squad"
                rows.append((cid, "no_full_squad", (), sites, (), detail, pins))
                continue
            if not has_usable[c]:
                common = counts[c].most_common()
                detail = "; ".join(f"{code} ({k})" for code, k in common) or "no site with a lead guide the rules allow"
                rows.append((cid, "no_feasible_option", tuple(code for code, _ in common), (), (), detail, pins))
                continue
            sites = tuple(sorted(str(x) for x in partners.get(c, ())))
            limits = named.get(c, ())
            if has_free[c]:
                detail = "an option was allowed with room at every limit; the round is better without it"
                rows.append((cid, "trade_off", (), sites, limits, detail, pins))
            else:
                rows.append((cid, "capacity_taken", (), sites, limits, "full: " + "; ".join(limits), pins))
        columns = ["candidate_id", "reason", "rules", "partners", "limits", "detail", "pins"]
        return pd.DataFrame(rows, columns=columns)

    def _named_limits(
        self, oc: np.ndarray, op: np.ndarray, usable: np.ndarray, blocks: Blocks
    ) -> dict[int, tuple[str, ...]]:
        """The full limits blocking each candidate's usable options, as ``"role partner load/capacity"``."""
        named = self.limits.named(oc, op, usable, blocks)
        if named.empty:
            return {}
        named["label"] = (
            named["role"] + " " + named["partner_id"] + " "
            + named["load"].astype(int).astype(str) + "/" + named["capacity"].astype(int).astype(str)
        )  # fmt: skip
        grouped = named.drop_duplicates(["cand", "label"]).sort_values("label").groupby("cand")["label"]
        return {int(c): tuple(labels) for c, labels in grouped}  # type: ignore[arg-type]

    def _rule_counts_many(self, candidates: np.ndarray) -> list[Counter[str]]:
        """:meth:`rule_counts` of many candidates, in blocks.

        On rounds scored sparsely, positions beyond a candidate's commute radius are
        counted as ``commute_too_far`` without evaluating them, and lead guides are
        those of the sites within reach: the counts a dense evaluation would give
        for the site stage, and the nearby ones for guides.
        """
        if self.scores.site.dense:
            return [self.rule_counts(int(c)) for c in candidates]
        scorer, a = self.scores.scorer, self.scores.arrays
        out = [Counter[str]() for _ in candidates]
        if not len(candidates):
            return out
        where = {int(c): i for i, c in enumerate(candidates)}
        rows, cols = scorer.site_pairs(candidates)
        near = np.bincount(np.searchsorted(candidates, rows), minlength=len(candidates))
        far = len(a.positions) - near
        for i in np.flatnonzero(far > 0):
            out[i]["commute_too_far"] += int(far[i])
        stages = (("site", "site", rows, cols), ("guide", "lead_guide", *scorer.guide_pairs(rows, cols)))
        for stage, role, r, c in stages:
            if not len(r):
                continue
            reasons, _, _ = scorer.evaluate(stage, r, c)
            reasons &= np.uint64(role_mask(role))
            owner = np.array([where[int(x)] for x in np.unique(r)])[np.searchsorted(np.unique(r), r)]
            for rule in RULE_BY_CODE.values():
                hit = np.bincount(owner, weights=(reasons & np.uint64(rule.mask)) > 0, minlength=len(candidates))
                for i in np.flatnonzero(hit):
                    out[i][rule.code] += int(hit[i])
        return out

    def rule_counts(self, candidate: int) -> Counter[str]:
        """How many of a candidate's site and lead-guide pairs each rule forbids."""
        scorer = self.scores.scorer
        counts: Counter[str] = Counter()
        for stage, role in (("site", "site"), ("guide", "lead_guide")):
            reasons = scorer.dense(stage, candidates=np.array([candidate])).reasons & np.uint64(role_mask(role))
            for rule in RULE_BY_CODE.values():  # one vectorised count per rule, not a loop over pairs
                n = int(np.count_nonzero(reasons & np.uint64(rule.mask)))
                if n:
                    counts[rule.code] += n
        return counts

    # ------------------------------------------------------------ metrics

    @functools.cached_property
    def metrics(self) -> dict[str, Any]:
        """Round summary: placement counts, score distribution, loads against caps, outcomes per area.

        Returns
        -------
        dict
            ``candidates``, ``matched``, ``matched_share``, ``peers_wanted``,
            ``peers_given``, ``squad_filled_share``; ``scores`` (DataFrame: describe of
            each stage score); ``loads`` (DataFrame per role: mean and max load share,
            partners at capacity); ``by_area`` (DataFrame per area: candidates,
            matched, share, mean score); ``solver`` (DataFrame per stage: ``status``
            — optimal, or time_limit when the policy's time limit stopped a
            mixed-integer solve — the proven ``gap`` of the solution kept, ``seconds``,
            and ``method``: ``lp`` (an integral linear optimum, certified), ``repair``
            or ``mip`` (branch and bound), ``lp-bound`` (a tier held at its linear bound
            and reached), ``count`` (the peer stage's most placed proven by the flow's
            bound), ``search`` (the fair floor), ``flow``; ``+`` joins several).
        """
        asg = self.assignments
        a = self.scores.arrays
        matched = asg["status"] == "matched"
        wants = a.candidates.wants_peer
        size = self.policy.caps.squad_size
        loads = self.loads.assign(
            share=lambda d: np.where(d.capacity > 0, d.load / d.capacity.where(d.capacity > 0), np.nan)
        )
        load_summary = loads.groupby("role").agg(
            partners=("partner_id", "size"),
            mean_share=("share", "mean"),
            max_share=("share", "max"),
            at_capacity=("share", lambda s: int((s >= 1 - 1e-9).sum())),
        )
        area_of = {c.id: c.area for c in self.round.candidates}
        area = asg.candidate_id.map(area_of)
        by_area = (
            asg.assign(area=area, matched=matched)
            .groupby("area")
            .agg(candidates=("candidate_id", "size"), matched=("matched", "sum"), mean_score=("score", "mean"))
        )
        by_area["share"] = by_area["matched"] / by_area["candidates"]
        n_matched = int(matched.sum())
        led = matched & asg["lead_guide_id"].notna()
        return {
            "candidates": len(asg),
            "matched": n_matched,
            "matched_share": n_matched / len(asg) if len(asg) else 0.0,
            "peers_wanted": int((wants & (self.solved_assignments["status"] == "matched").to_numpy()).sum())
            + self._kept_wanting_peer(),
            "kept": 0 if self._kept is None else len(self._kept),
            "peers_given": int(asg["peer_id"].notna().sum()),
            "squad_filled_share": (  # among the people placed with a lead guide (host companies have no squad)
                float(asg.loc[led, "squad_ids"].map(len).sum() / (size * int(led.sum())))
                if int(led.sum()) and size
                else 1.0
            ),
            "scores": asg[["score", "site_score", "guide_score", "peer_score"]].describe(),
            "loads": load_summary,
            "by_area": by_area,
            "solver": pd.DataFrame(
                [
                    (name, st.status.status, st.status.gap, st.status.seconds, st.method or "flow")
                    for name, st in self.stages.items()
                ],
                columns=["stage", "status", "gap", "seconds", "method"],
            ).set_index("stage"),
        }

    def _kept_wanting_peer(self) -> int:
        """Kept people who want a peer supporter (``peers_given`` counts theirs too)."""
        if self._kept is None or self._kept.empty:
            return 0
        wanting = {c.id for c in self.round.candidates if c.wants_peer}
        return int(self._kept.candidate_id.isin(wanting).sum())

    @property
    def tiers(self) -> tuple[tuple[str, str, float], ...]:
        """What the engine optimised, stage by stage, most important first: ``(stage, tier, value)``.

        Each stage's tiers (:attr:`StageSolution.tiers`) were optimised in order, each
        larger-is-better but ``missing`` (:func:`tier_loss`); what-if questions compare
        two results on them.

        Examples
        --------
        >>> import matchwork as mw
        >>> [t[:2] for t in mw.match(mw.synth.round(60, seed=1)).tiers]  # doctest: +NORMALIZE_WHITESPACE
        [('joint', 'placed'), ('joint', 'missing'), ('joint', 'points'), ('peer', 'given'), ('peer', 'points')]
        >>> [t[:2] for t in mw.match(mw.synth.round(60, seed=1), objective="fair").tiers][:2]
        [('joint', 'placed'), ('joint', 'lowest')]
        """
        return tuple((name, tier, value) for name, stage in self.stages.items() for tier, value in stage.tiers)

    @property
    def objective(self) -> dict[str, float]:
        """What the solver optimised, tier by tier in the order optimised, then the score sums.

        The tiers (:attr:`tiers`, under names of their own): ``matched`` (people
        placed — with a full squad unless pinned or the policy allows less),
        ``floor`` (``fair`` only: the lowest placement score — site plus lead guide,
        continuity bonus included — among the unpinned people placed),
        ``squad_missing`` (squad places left empty in placements that need a squad:
        0 unless squads may be short), ``joint_value`` (site, lead and squad scores plus
        continuity bonuses minus the guides' load costs, in points); then the peer
        stage's ``peers`` (peer supporters given), ``peer_floor`` (``fair`` only) and
        ``peer_value`` (scores plus continuity bonuses minus hour costs, in points).
        After them ``squad_members`` (members of the squads the stages chose), the
        score sums ``site_total``, ``lead_guide_total``, ``squad_total``,
        ``peer_total`` and ``total``, their sum (scores only: continuity bonuses and
        load costs are not scores).
        Stages are solved in turn, so a change upstream may raise a later stage's values.
        """
        asg = self.assignments
        names = {
            ("joint", "placed"): "matched",
            ("joint", "lowest"): "floor",
            ("joint", "missing"): "squad_missing",
            ("joint", "points"): "joint_value",
            ("peer", "given"): "peers",
            ("peer", "lowest"): "peer_floor",
            ("peer", "points"): "peer_value",
        }
        out: dict[str, float] = {names.get((stage, tier), f"{stage}_{tier}"): v for stage, tier, v in self.tiers}
        for key in ("matched", "squad_missing", "peers"):
            if key in out:
                out[key] = int(out[key])
        out["squad_members"] = int(self.solved_assignments["squad_ids"].map(len).sum())
        by_stage = {
            "site": float(np.nansum(asg["site_score"])),
            "lead_guide": float(np.nansum(asg["guide_score"])),
            "squad": float(self.squads["score"].sum()),
            "peer": float(np.nansum(asg["peer_score"])),
        }
        return {**out, **{f"{k}_total": v for k, v in by_stage.items()}, "total": sum(by_stage.values())}

    # ------------------------------------------------------------ explanations

    def explain(self, candidate_id: str, audience: str = "case_team", lang: str = "it", *, prices: bool = True) -> Any:
        """Why a candidate was paired as they were (or not), for an audience, in Italian or English.

        Parameters
        ----------
        candidate_id : str
        audience : {"case_team", "site", "candidate", "peer"}
            ``site`` and ``candidate`` never see a feature or rule that reads a
            field marked sensitive in the profile schema.
        lang : {"it", "en"}
        prices : bool
            Name what one more slot of a full partner would be worth (each price
            is a full re-solve, computed once per partner and kept).

        Returns
        -------
        Explanation
            Per stage: the partner, the score and each feature's points (summing
            to it), the rank among the allowed options, better options not taken
            and why, and the caps that bind; for an unmatched candidate, what
            blocked each of the best positions and what would change it.

        Examples
        --------
        >>> import matchwork as mw
        >>> result = mw.match(mw.synth.round(60, seed=1))
        >>> first = result.explain("C000001", lang="en").text.splitlines()[0]
        >>> "(C000001)" in first and first.split(": ")[-1] in ("matched", "not matched in this round")
        True
        """
        return self._explainer.explain(self, candidate_id, audience, lang, prices=prices)

    def why_not(self, candidate_id: str, partner_id: str, role: str | None = None, lang: str = "it") -> Any:
        """Why a candidate was not paired with a partner (a :class:`~matchwork.explain.WhyNot`).

        If rules forbid the pair, which ones; otherwise what forcing it costs: a full
        re-solve with the pair pinned, compared stage by stage on what the engine
        optimises (placements first, then points), with who loses and who gains.
        The partner may be a site or position, a guide worker (``role`` chooses
        ``lead_guide``, the default, or ``guide``), a company tutor or a desk operator
        (who place the person at a host company) or a peer supporter; ``lang`` the
        language of the reasons and the text.

        Examples
        --------
        >>> import matchwork as mw
        >>> result = mw.match(mw.synth.round(60, seed=1))
        >>> w = result.why_not("C000001", result.assignments.site_id.dropna().iloc[-1])
        >>> w.feasible in (True, False)
        True
        """
        return self._explainer.why_not(self, candidate_id, partner_id, role, lang)

    def suggest(self, candidate_id: str, k: int = 5, lang: str = "it") -> pd.DataFrame:
        """The candidate's top-``k`` allowed partners per stage, with each feature's points.

        Examples
        --------
        >>> import matchwork as mw
        >>> result = mw.match(mw.synth.round(60, seed=1))
        >>> list(result.suggest("C000001", k=2).columns)
        ['stage', 'rank', 'partner_id', 'partner_name', 'score', 'breakdown']
        """
        return self._explainer.suggest(self, candidate_id, k, lang)

    def capacity_prices(self, roles: Iterable[str] | None = None) -> pd.DataFrame:
        """How much the round would gain from one more slot of each site, guide and peer supporter.

        Each partner at capacity is priced by a full re-solve with one more slot
        (a site: one more trainee anywhere in it; a lead guide: one more newcomer
        to lead; a guide: one more to follow; a peer supporter: a medium-intensity
        candidate's hours); partners with room left are worth 0. Columns: those of
        :attr:`loads`, ``binding``, ``extra_matched`` (candidates more placed),
        ``gain`` (points gained in the first stage that changes, never negative:
        a slot only relaxes its stage) and ``gain_<stage>`` for every stage (a later
        stage may lose), sorted best first. Points are what the engine optimises:
        scores plus continuity bonuses minus load costs.
        """
        return self._explainer.capacity_prices(self, roles)

    def write(self, out_dir: str | os.PathLike[str], lang: str = "it", *, prices: bool = False) -> Path:
        """Write the files ``matchwork run`` writes into ``out_dir``, in ``lang``; returns the folder.

        Assignments, reasons and loads (CSV for programs, Excel for people), the
        explanations, the site view, the report, and the round, policy and run
        record; see :mod:`matchwork.batch`. ``prices`` names, in explanations and
        the report's headline, what one more place of each full partner is worth
        (one re-solve per full partner).
        """
        if not _WRITERS:  # pragma: no cover - mw.match and matchwork.batch register the writer
            raise RuntimeError("no output writer registered: import matchwork.batch first")
        return _WRITERS[0](self, out_dir, lang=lang, prices=prices)

    def resolve(self, rnd: Round | None = None, capacities: Capacities | None = None) -> MatchResult:
        """The same round (or ``rnd``) matched again under the same policy and features, with ``capacities``.

        What-if questions are this call with exactly one change; everything else stays.
        """
        return self._resolve(rnd, capacities)

    def _repr_html_(self) -> str:
        m = self.metrics
        head = (
            f"<p><b>MatchResult</b>: {m['matched']} of {m['candidates']} candidates matched, "
            f"{m['peers_given']} of {m['peers_wanted']} peer supporters given</p>"
        )
        return head + self.assignments.head(20).to_html(index=False, na_rep="")

    def __repr__(self) -> str:
        m = self.metrics
        return (
            f"MatchResult({m['matched']} of {m['candidates']} candidates matched, "
            f"{m['peers_given']} of {m['peers_wanted']} peer supporters given)"
        )
