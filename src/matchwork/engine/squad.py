"""The squad of a placement: guide workers of the same site, besides the lead, and the best of them under prices.

A person placed at a position of a site with a lead guide gets ``caps.squad_size``
more guide workers **of that site** for the months after the lead's two weeks:
workers whose pair with the person every rule allows in the ``guide`` role, other
than the lead. A member is scored as the lead is (seed 002: every lavoratore guida
has "buone capacità tecnico-professionali"): the person × guide score plus the
guide × position score of the placement's position — the member's skills in its
work and their share of its shifts. So a member's gain depends on the position,
and the rows of eligible members are per (candidate, position).

The squad is chosen together with the site and the lead (:mod:`~matchwork.engine.joint`);
this module holds what the squad part of that choice needs:

* :func:`squad_options` — every allowed (candidate, position, guide) squad pair at a
  position where the candidate has a placement option with a lead, with its score
  (both tables' totals) and gain (the score, plus the continuity bonus for a squad
  member already in place);
* :class:`Members` — each (candidate, position)'s eligible squad members as a padded
  matrix, and :meth:`Members.best` — the best squad of every placement option at
  once under per-guide prices, for the column-generation oracle: the members with
  the highest ``weight × gain − price``, pinned members first, the option's lead
  left out.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from matchwork.engine.context import SCALE, StageContext, in_pairs
from matchwork.scoring.arrays import join

__all__ = ["Members", "squad_options"]


def squad_options(ctx: StageContext, cand: np.ndarray, pos: np.ndarray) -> dict[str, np.ndarray]:
    """Allowed squad pairs of candidates at the positions where they have placement options with a lead.

    ``cand`` and ``pos`` are those options' candidates and positions. A pair is
    allowed when the person × guide pair is allowed in the squad role, the guide ×
    position pair too, and their scores summed reach the policy's minimum guide
    score (as for the lead). Pairs are sorted by candidate, position, then guide;
    ``pair`` indexes the guide table, ``gp_pair`` the guide × position table.
    """
    a, g, gp = ctx.arrays, ctx.scores.guide, ctx.scores["guide_position"]
    n_s, n_p, n_g = len(a.sites), len(a.positions), len(a.guides)
    ok = np.flatnonzero(g.feasible("guide"))  # sorted by candidate, then guide
    rows, cols = g.rows[ok].astype(np.int64), g.cols[ok].astype(np.int64)
    gsite = a.guides.site.astype(np.int64)[cols]
    wanted = np.unique(np.asarray(cand, dtype=np.int64) * n_p + np.asarray(pos, dtype=np.int64))
    w_cand, w_pos = np.divmod(wanted, n_p)
    # every (candidate, position) wanted x the candidate's allowed guides of the position's site
    wi, pi = join(w_cand * n_s + a.positions.site[w_pos].astype(np.int64), rows * n_s + gsite)
    c, p, h, pair = w_cand[wi], w_pos[wi], cols[pi], ok[pi]
    # the guide x position part: the member at the placement's position
    k = np.asarray(gp.find(h, p), dtype=np.int64) if len(h) else np.zeros(0, dtype=np.int64)
    keep = k >= 0
    keep[keep] = gp.feasible("guide", k[keep])
    score = np.where(keep, g.total[pair] + gp.total[np.maximum(k, 0)], -np.inf) if len(k) else np.zeros(0)
    keep &= score + 1e-9 >= ctx.policy.scoring.min_score.get("guide", 0.0)
    c, p, h, pair, k, score = c[keep], p[keep], h[keep], pair[keep], k[keep], score[keep]
    order = np.lexsort((h, p, c))  # by candidate, position, guide
    c, p, h, pair, k, score = c[order], p[order], h[order], pair[order], k[order], score[order]
    bonus = ctx.bonus * in_pairs(c, h, ctx.existing.squad, n_g).astype(np.int64)
    return {
        "cand": c,
        "guide": h,
        "pos": p,
        "site": a.positions.site[p].astype(np.int64),
        "pair": pair,
        "gp_pair": k,
        "score": score,
        "gain": np.round(score * SCALE).astype(np.int64) + bonus,
    }


@dataclasses.dataclass(frozen=True)
class Members:
    """The eligible squad members of each (candidate, position), as a padded ``(pairs, width)`` matrix.

    Every placement option of a candidate at a position draws its squad from the
    same row, its lead left out (:meth:`best`).

    Attributes
    ----------
    key : int array (rows,)
        ``candidate × n_positions + position`` of each row, sorted.
    pair : int array (rows, width)
        Index into the squad options of each eligible member, ``-1`` past the end.
    guide : int array (rows, width)
        The member's guide (``-1`` past the end), by id.
    gain : int array (rows, width)
        The member's gain in integer units (0 past the end).
    forced : bool array (rows, width)
        Members a pin puts in the squad.
    """

    key: np.ndarray
    pair: np.ndarray
    guide: np.ndarray
    gain: np.ndarray
    forced: np.ndarray

    @classmethod
    def of(cls, squad: dict[str, np.ndarray], forced_pair: np.ndarray, n_positions: int) -> Members:
        """The rows of ``squad`` options (sorted by candidate, position, guide)."""
        key_all = squad["cand"] * n_positions + squad["pos"]  # sorted
        lo = np.flatnonzero(np.r_[True, key_all[1:] != key_all[:-1]]) if len(key_all) else np.zeros(0, np.int64)
        key = key_all[lo]
        counts = np.diff(np.r_[lo, len(key_all)])
        width = int(counts.max(initial=0))
        idx = lo[:, None] + np.arange(width)[None, :]
        valid = np.arange(width)[None, :] < counts[:, None]
        idx = np.where(valid, idx, 0)
        has = len(key_all) > 0
        return cls(
            key=key,
            pair=np.where(valid, idx, -1),
            guide=np.where(valid, squad["guide"][idx] if has else 0, -1).astype(np.int32),
            gain=np.where(valid, squad["gain"][idx] if has else 0, 0),
            forced=valid & (forced_pair[idx] if has else False),
        )

    def row_of(self, cand: np.ndarray, pos: np.ndarray, n_positions: int) -> np.ndarray:
        """The row of each (candidate, position), ``-1`` where the candidate has no squad member there."""
        want = np.asarray(cand, dtype=np.int64) * n_positions + np.asarray(pos, dtype=np.int64)
        if not len(self.key):
            return np.full(len(want), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.key, want), len(self.key) - 1)
        return np.where(self.key[at] == want, at, -1)

    def slot_of(self, row: np.ndarray, guide: np.ndarray) -> np.ndarray:
        """Where ``guide`` sits in each ``row`` (``-1`` if it is not an eligible member there)."""
        if not self.pair.shape[1]:
            return np.full(len(row), -1, dtype=np.int64)
        hit = (self.guide[np.maximum(row, 0)] == np.asarray(guide)[:, None]) & (np.asarray(row) >= 0)[:, None]
        return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)

    def take(self, rows: np.ndarray) -> Members:
        return Members(self.key[rows], self.pair[rows], self.guide[rows], self.gain[rows], self.forced[rows])

    @property
    def valid(self) -> np.ndarray:
        return self.pair >= 0

    @property
    def any_forced(self) -> bool:
        return bool(self.forced.any())

    @property
    def count(self) -> np.ndarray:
        """Eligible members of each row."""
        return self.valid.sum(axis=1)

    @property
    def n_forced(self) -> np.ndarray:
        """Pinned members of each row."""
        return self.forced.sum(axis=1)

    def best(
        self, value: np.ndarray, row: np.ndarray, lead_slot: np.ndarray, size: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The best ``size`` members of each option under ``value``, pinned first, the lead left out.

        ``value`` is per (row, slot); options are given by their ``row`` and the
        slot of their lead there (``-1`` if the lead is not an eligible member).
        Returns the chosen slots ``(options, size)`` from the best down and their
        values (``-inf`` where the row has too few members).
        """
        width = self.pair.shape[1]
        n = len(row)
        v = np.where(self.valid, value, -np.inf)
        rank = np.where(self.forced, np.inf, v) if self.any_forced else v
        k = min(size + 1, width)
        # the best size + 1 of each row, by repeated arg-max (size is small: faster than sorting)
        top = np.full((len(v), size + 1), -1, dtype=np.int64)
        work = rank.copy()
        every = np.arange(len(v))
        for i in range(k):
            pick = np.argmax(work, axis=1)
            top[:, i] = np.where(work[every, pick] > -np.inf, pick, -1)
            work[every, pick] = -np.inf
        top = np.vstack([top, np.full((1, size + 1), -1, dtype=np.int64)])  # row -1 (no member) reads this
        v = np.vstack([v, np.full((1, width), -np.inf)])
        slots = top[row]  # (options, size + 1)
        # skip the lead: entries from its place on shift left by one (at most one entry is the lead)
        lead = np.where(np.asarray(lead_slot) >= 0, lead_slot, -2)
        at = np.full(n, size, dtype=np.int64)
        for j in range(size - 1, -1, -1):
            at = np.where(slots[:, j] == lead, j, at)
        chosen = np.empty((n, size), dtype=np.int64)
        for j in range(size):
            chosen[:, j] = np.where(j >= at, slots[:, j + 1], slots[:, j])
        values = np.where(chosen >= 0, v[row[:, None], np.maximum(chosen, 0)] if width else 0.0, -np.inf)
        return chosen, values
