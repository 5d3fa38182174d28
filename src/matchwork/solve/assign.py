"""``assign``: the solver as a plain function over any score matrix, SciPy-style.

Examples
--------
>>> import numpy as np
>>> from matchwork import assign
>>> scores = np.array([[9.0, 8.0], [7.0, 1.0], [6.0, 2.0]])
>>> assign(scores)                      # two places: rows 0 and 1 make 8 + 7
(array([0, 1]), array([1, 0]))
>>> assign(scores, capacity=[2, 1])     # three places: everyone is placed
(array([0, 1, 2]), array([1, 0, 0]))
>>> same = np.array([[5.0, 4.0], [5.0, 4.0]])
>>> assign(same, capacity=2)            # both prefer column 0
(array([0, 1]), array([0, 0]))
>>> assign(same, capacity=2, load_cost=[0.0, 3.0])   # a second newcomer costs 3: spread the load
(array([0, 1]), array([0, 1]))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matchwork._validation import Objective, choice
from matchwork.solve.fairness import solve_fair
from matchwork.solve.flow import solve
from matchwork.solve.network import NetworkBuilder

__all__ = ["assign", "integer_scale"]

_LSA_MAX_CELLS = 20_000_000


def integer_scale(*arrays: np.ndarray, digits: int = 7) -> float:
    """The power of ten that turns values into integers keeping ``digits`` significant digits of the largest.

    >>> integer_scale(np.array([0.5, 99.9]))  # 99.9 → 9 990 000: seven digits
    100000.0
    """
    top = max((float(np.max(np.abs(a))) for a in arrays if np.size(a)), default=0.0)
    if top == 0 or not math.isfinite(top):
        return 1.0
    return float(10.0 ** (digits - 1 - math.floor(math.log10(top))))


def _pairs(scores: Any, feasible: Any) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of the candidate pairs, validated."""
    if sp.issparse(scores):
        coo = sp.coo_array(scores)
        n, m = coo.shape
        rows, cols, vals = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)
    else:
        dense = np.asarray(scores, dtype=np.float64)
        if dense.ndim != 2:
            raise ValueError(f"scores must be a 2-D matrix, got shape {dense.shape}")
        n, m = dense.shape
        rows, cols = np.divmod(np.arange(n * m, dtype=np.int64), m)
        vals = dense.ravel()
    if np.isnan(vals).any():
        raise ValueError("scores contain NaN; mark impossible pairs with `feasible` instead")
    if np.isinf(vals).any():
        raise ValueError("scores contain infinite values; mark impossible pairs with `feasible` instead")
    if feasible is not None:
        mask = feasible.toarray() if sp.issparse(feasible) else np.asarray(feasible)
        if mask.shape != (n, m):
            raise ValueError(f"feasible has shape {mask.shape}, expected {(n, m)}")
        if mask.dtype != bool:
            raise ValueError("feasible must be a boolean mask")
        keep = mask[rows, cols]
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
    return n, m, rows, cols, vals


def _capacities(capacity: Any, m: int) -> np.ndarray:
    cap = np.asarray(capacity)
    if cap.ndim == 0:
        cap = np.full(m, cap)
    if cap.shape != (m,):
        raise ValueError(f"capacity must be a scalar or one value per column ({m}), got shape {cap.shape}")
    if not np.all(np.isfinite(cap)) or np.any(cap < 0) or np.any(cap != np.round(cap)):
        raise ValueError("capacity must hold non-negative integers")
    return cap.astype(np.int64)


def _load_costs(load_cost: Any, cap: np.ndarray) -> np.ndarray | None:
    if load_cost is None:
        return None
    lc = np.asarray(load_cost, dtype=np.float64)
    m, top = len(cap), int(cap.max(initial=0))
    if lc.ndim == 1:
        lc = np.tile(lc, (m, 1))
    if lc.ndim != 2 or lc.shape[0] != m:
        raise ValueError(f"load_cost must be (units,) or (columns, units), got shape {np.shape(load_cost)}")
    if lc.shape[1] < top:
        raise ValueError(f"load_cost gives {lc.shape[1]} units but a column has capacity {top}")
    if not np.all(np.isfinite(lc)):
        raise ValueError("load_cost must be finite")
    both_used = np.arange(1, lc.shape[1])[None, :] < cap[:, None]
    if np.any(np.diff(lc, axis=1)[both_used] < 0):
        raise ValueError("load_cost must be non-decreasing along each column's units (convex load costs)")
    return lc[:, :top]


def assign(
    scores: Any,
    capacity: Any = 1,
    *,
    feasible: Any = None,
    load_cost: Any = None,
    objective: str = "total",
    backend: str = "auto",
) -> tuple[np.ndarray, np.ndarray]:
    """Assign rows to columns: as many rows as possible, then the highest total score.

    Parameters
    ----------
    scores : (n, m) array or scipy sparse matrix
        Score of each row-column pair (higher is better). For a sparse matrix only
        the stored entries are candidate pairs. NaN raises ``ValueError``.
    capacity : int or (m,) int array
        Rows each column can take.
    feasible : (n, m) bool array, optional
        Pairs that may be made; others never are.
    load_cost : (units,) or (m, units) array, optional
        Marginal cost of each further unit of a column's load, non-decreasing
        (convex): ``load_cost[j, u]`` is subtracted when column ``j`` takes its
        ``u + 1``-th row. Spreads load across columns.
    objective : {"total", "fair"}
        ``"fair"`` first raises the lowest score among the pairs made, then the total.
    backend : {"auto", "scipy", "highs", "networkx", "ortools"}
        ``"scipy"`` solves expanded slots with ``linear_sum_assignment`` (dense) or
        ``min_weight_full_bipartite_matching`` (sparse); the others solve the flow
        network. ``"auto"`` takes ``"scipy"`` for moderate problems with the
        ``"total"`` objective, the flow network otherwise.

    Returns
    -------
    row_ind, col_ind : int arrays
        The pairs made, sorted by row. No row is left out if it could be placed
        (zero exclusion): the number of pairs is the largest the capacities and
        feasibility allow.

    Notes
    -----
    Scores (and load costs) are rounded to 7 significant digits of the largest
    before solving, so that every backend optimises the same integers; pairs are
    otherwise compared exactly. Ties go to the lower row and column indices as
    each backend meets them: sort your rows and columns by id for an order-free
    result.
    """
    n, m, rows, cols, vals = _pairs(scores, feasible)
    cap = _capacities(capacity, m)
    lc = _load_costs(load_cost, cap)
    choice("objective", objective, Objective)
    scale = integer_scale(vals, lc if lc is not None else np.zeros(0))
    gain = np.round(vals * scale).astype(np.int64)
    marginal = np.round(lc * scale).astype(np.int64) if lc is not None else None

    if backend == "auto":
        slots = int(cap.clip(max=n).sum())
        backend = "scipy" if objective == "total" and n * (slots + n) <= _LSA_MAX_CELLS else "auto"
    if backend == "scipy":
        if objective != "total":
            raise ValueError("the 'scipy' backend solves the 'total' objective only")
        r, c = _slots(n, rows, cols, gain, np.minimum(cap, n), marginal, sparse=sp.issparse(scores))
    else:
        r, c = _flow(n, m, rows, cols, gain, cap, marginal, objective, backend)
    order = np.argsort(r, kind="stable")
    return r[order], c[order]


def _flow(
    n: int,
    m: int,
    rows: np.ndarray,
    cols: np.ndarray,
    gain: np.ndarray,
    cap: np.ndarray,
    marginal: np.ndarray | None,
    objective: str,
    backend: str,
) -> tuple[np.ndarray, np.ndarray]:
    b = NetworkBuilder()
    source, sink = b.nodes(2)
    row_nodes, col_nodes = b.nodes(n), b.nodes(m)
    b.arcs(np.full(n, source), row_nodes, capacity=1)
    options = b.arcs(row_nodes[rows], col_nodes[cols], capacity=1, cost=-gain)
    if marginal is None:
        b.arcs(col_nodes, np.full(m, sink), capacity=cap)
    else:
        b.convex_many(col_nodes, np.full(m, sink), marginal, cap)
    net = b.build(source=source, sink=sink)
    result = solve_fair(net, options, gain, backend=backend) if objective == "fair" else solve(net, backend=backend)
    used = result.flow[options] > 0
    return rows[used], cols[used]


def _slots(
    n: int,
    rows: np.ndarray,
    cols: np.ndarray,
    gain: np.ndarray,
    cap: np.ndarray,
    marginal: np.ndarray | None,
    *,
    sparse: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Expanded slots: column j becomes cap[j] unit columns; one private "unplaced" column per row."""
    first = np.concatenate([[0], np.cumsum(cap)[:-1]])
    n_slots = int(cap.sum())
    # each pair (i, j) is repeated for every slot u of column j
    units = cap[cols]
    pair = np.repeat(np.arange(len(rows)), units)
    unit = np.arange(len(pair)) - np.repeat(np.cumsum(units) - units, units)
    slot_rows = rows[pair]
    slot_cols = first[cols[pair]] + unit
    cost = -gain[pair]
    if marginal is not None:
        cost = cost + marginal[cols[pair], unit]
    spread = int(cost.max(initial=0) - cost.min(initial=0))
    unplaced = n * (spread + 1) + 1  # larger than any gain from leaving someone out: cardinality first
    if not sparse:
        matrix = np.full((n, n_slots + n), np.inf)
        matrix[slot_rows, slot_cols] = cost
        matrix[np.arange(n), n_slots + np.arange(n)] = unplaced
        r, c = linear_sum_assignment(matrix)
    else:
        base = -int(cost.min(initial=0)) + 1  # min_weight_full_bipartite_matching needs non-zero weights
        data = np.concatenate([cost + base, np.full(n, unplaced + base)]).astype(np.float64)
        graph = sp.csr_array(
            (data, (np.concatenate([slot_rows, np.arange(n)]), np.concatenate([slot_cols, n_slots + np.arange(n)]))),
            shape=(n, n_slots + n),
        )
        r, c = min_weight_full_bipartite_matching(graph)
    placed = c < n_slots
    slot_owner = np.repeat(np.arange(len(cap)), cap)
    return r[placed].astype(np.int64), slot_owner[c[placed]].astype(np.int64)
