"""The flow network every stage is formulated as: integer capacities and costs, source to sink.

A :class:`Network` is plain arrays — ``tail``, ``head``, ``capacity``, ``cost`` and
``lower`` (a lower bound, for pinned pairs) per arc — plus optional *side rows*:
extra ``A x ≤ b`` constraints over arc flows for the rare structures that are not
a network (two capacity families that cross, such as a legal limit that counts
only some candidates of a site). Costs are integers: solvers such as NetworkX's
network simplex and OR-Tools are exact only on integers, and every backend then
optimises the very same numbers.

Convex load costs enter as parallel unit arcs whose costs increase
(:meth:`NetworkBuilder.convex`): a min-cost flow fills the cheapest first, so the
third newcomer of a guide costs more than the first (Ahuja, Magnanti & Orlin,
*Network Flows*, 1993, §14.3, "convex cost flows").

Examples
--------
>>> b = NetworkBuilder()
>>> s, t = b.nodes(2)
>>> a = b.arcs([s], [t], capacity=[3], cost=[0])
>>> arcs = b.convex(s, t, marginal=[1, 1, 5])
>>> net = b.build(source=s, sink=t)
>>> net.capacity.tolist(), net.cost.tolist()
([3, 2, 1], [0, 1, 5])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["SCALE", "Network", "NetworkBuilder"]

SCALE = 10_000
"""Integer cost units per score point: every stage optimises scores to 1/10 000 of a point."""


@dataclasses.dataclass(frozen=True)
class Network:
    """A capacitated network with integer arc costs.

    Attributes
    ----------
    n_nodes : int
    tail, head : int64 arrays
        Arc ends.
    capacity, lower : int64 arrays
        Upper and lower bounds of each arc's flow.
    cost : int64 array
        Cost per unit of flow.
    source, sink : int
    side : (scipy.sparse.csr_array, int64 array) or None
        Extra constraints ``A @ flow <= b``, if the structure needs them.
    """

    n_nodes: int
    tail: np.ndarray
    head: np.ndarray
    capacity: np.ndarray
    cost: np.ndarray
    lower: np.ndarray
    source: int
    sink: int
    side: tuple[sp.csr_array, np.ndarray] | None = None

    @property
    def n_arcs(self) -> int:
        return len(self.tail)

    def with_arcs(self, keep: np.ndarray) -> Network:
        """The same network with the arcs outside ``keep`` (a boolean mask) closed (capacity 0)."""
        return dataclasses.replace(self, capacity=np.where(keep, self.capacity, 0), lower=np.where(keep, self.lower, 0))

    def incidence(self) -> sp.csr_array:
        """Node-arc incidence matrix: +1 where an arc leaves a node, -1 where it enters."""
        cols = np.arange(self.n_arcs)
        data = np.concatenate([np.ones(self.n_arcs), -np.ones(self.n_arcs)])
        return sp.csr_array(
            (data, (np.concatenate([self.tail, self.head]), np.concatenate([cols, cols]))),
            shape=(self.n_nodes, self.n_arcs),
        )


class NetworkBuilder:
    """Builds a :class:`Network` arc group by arc group (all vectorized)."""

    def __init__(self) -> None:
        self._n = 0
        self._parts: list[tuple[np.ndarray, ...]] = []
        self._n_arcs = 0
        self._side: list[tuple[np.ndarray, np.ndarray, int]] = []

    def nodes(self, n: int) -> np.ndarray:
        """``n`` new node ids."""
        out = np.arange(self._n, self._n + n, dtype=np.int64)
        self._n += n
        return out

    def arcs(
        self,
        tail: Sequence[int] | np.ndarray,
        head: Sequence[int] | np.ndarray,
        capacity: Sequence[int] | np.ndarray | int,
        cost: Sequence[int] | np.ndarray | int = 0,
        lower: Sequence[int] | np.ndarray | int = 0,
    ) -> np.ndarray:
        """Add arcs; returns their indices."""
        tail = np.asarray(tail, dtype=np.int64)
        n = len(tail)
        parts = (
            tail,
            np.asarray(head, dtype=np.int64),
            np.broadcast_to(np.asarray(capacity, dtype=np.int64), n).copy(),
            np.broadcast_to(np.asarray(cost, dtype=np.int64), n).copy(),
            np.broadcast_to(np.asarray(lower, dtype=np.int64), n).copy(),
        )
        if np.any(parts[2] < 0) or np.any(parts[4] > parts[2]):
            raise ValueError("arc capacities must be >= 0 and >= their lower bounds")
        self._parts.append(parts)
        out = np.arange(self._n_arcs, self._n_arcs + n)
        self._n_arcs += n
        return out

    def convex(self, tail: int, head: int, marginal: Sequence[int] | np.ndarray) -> np.ndarray:
        """Arcs from ``tail`` to ``head`` whose k-th unit costs ``marginal[k]`` (non-decreasing).

        Runs of equal marginal cost share one arc, so a cost-free capacity is a single arc.
        """
        m = np.asarray(marginal, dtype=np.int64)
        if len(m) == 0:
            return np.zeros(0, dtype=np.int64)
        if np.any(np.diff(m) < 0):
            raise ValueError("marginal costs must be non-decreasing (convex load costs)")
        starts = np.flatnonzero(np.r_[True, m[1:] != m[:-1]])
        sizes = np.diff(np.r_[starts, len(m)])
        return self.arcs(np.full(len(starts), tail), np.full(len(starts), head), sizes, m[starts])

    def convex_many(self, tails: np.ndarray, heads: np.ndarray, marginal: np.ndarray, units: np.ndarray) -> np.ndarray:
        """Vectorized :meth:`convex` for many arc groups.

        ``marginal`` is ``(groups, max_units)``; group ``g`` uses its first ``units[g]`` entries.
        """
        units = np.asarray(units, dtype=np.int64)
        if len(units) == 0:
            return np.zeros(0, dtype=np.int64)
        width = marginal.shape[1] if marginal.ndim == 2 else 0
        used = np.arange(width)[None, :] < units[:, None]
        if width > 1 and np.any(np.diff(marginal, axis=1)[used[:, 1:]] < 0):
            raise ValueError("marginal costs must be non-decreasing (convex load costs)")
        # one arc per run of equal cost within each group
        new_run = np.ones_like(used)
        if width > 1:
            new_run[:, 1:] = marginal[:, 1:] != marginal[:, :-1]
        new_run &= used
        g, k = np.nonzero(new_run)
        run_id = np.cumsum(new_run.ravel())[used.ravel()] - 1
        sizes = np.bincount(run_id, minlength=len(g))
        return self.arcs(tails[g], heads[g], sizes, marginal[g, k])

    def side_row(self, arcs: np.ndarray, bound: int) -> None:
        """Constrain the total flow on ``arcs`` to at most ``bound``."""
        self._side.append((np.asarray(arcs, dtype=np.int64), np.ones(len(arcs)), int(bound)))

    def build(self, *, source: int, sink: int) -> Network:
        """The network built so far."""
        cols = list(zip(*self._parts, strict=True)) if self._parts else [()] * 5
        tail, head, cap, cost, lower = (np.concatenate(c) if c else np.zeros(0, dtype=np.int64) for c in cols)
        side = None
        if self._side:
            rows = np.concatenate([np.full(len(a), i) for i, (a, _, _) in enumerate(self._side)])
            arcs = np.concatenate([a for a, _, _ in self._side])
            a_mat = sp.csr_array((np.ones(len(arcs)), (rows, arcs)), shape=(len(self._side), len(tail)))
            side = (a_mat, np.array([b for _, _, b in self._side], dtype=np.int64))
        return Network(self._n, tail, head, cap, cost, lower, int(source), int(sink), side)
