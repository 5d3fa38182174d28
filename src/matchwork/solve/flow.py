"""Exact flow solvers: the largest feasible flow first, then the cheapest among them.

Every stage of matchwork asks the same lexicographic question — *place as many as
the capacities and rules allow, and among those placements take the best total* —
so :func:`solve` answers it in two exact steps:

1. the maximum flow value ``k`` (Dinic's algorithm, ``scipy.sparse.csgraph.maximum_flow``);
2. a minimum-cost flow sending exactly ``k`` units, by the backend asked for:

   * ``"highs"`` — the network LP through ``scipy.optimize.linprog`` (HiGHS dual
     simplex, which returns a vertex: integral on a network);
   * ``"networkx"`` — ``networkx.network_simplex``;
   * ``"ortools"`` — OR-Tools' ``SimpleMinCostFlow`` (optional extra ``fast``).

No big-M weights mix the two goals, so no backend meets numbers large enough to
lose precision. Pinned pairs are arc lower bounds. When a network carries side
rows (capacity families that cross, see :mod:`matchwork.solve.network`) both steps
are linear programs solved with HiGHS, and, if their optimum is fractional, mixed
integer programs (``scipy.optimize.milp``, branch and bound in HiGHS).

Because the sets of candidates that can be placed together form a matroid (a
gammoid: Perfect, 1968), a feasible set of pins always extends to a maximum
placement, so step 1 can ignore pins once they are known to fit together.

Examples
--------
>>> from matchwork.solve.network import NetworkBuilder
>>> b = NetworkBuilder()
>>> s, t, x, y, z = b.nodes(5)
>>> _ = b.arcs([s, s], [x, y], capacity=1)
>>> _ = b.arcs([x, x, y], [z, t, z], capacity=1, cost=[-10, -1, -9])
>>> _ = b.arcs([z], [t], capacity=1)
>>> result = solve(b.build(source=s, sink=t), backend="networkx")
>>> result.amount, result.cost
(2, -10)
"""

from __future__ import annotations

import dataclasses
import importlib.util

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import maximum_flow

from matchwork.errors import MatchError
from matchwork.solve.milp import EXACT
from matchwork.solve.network import Network

__all__ = ["BACKENDS", "FlowResult", "PinConflictError", "available_backends", "max_flow", "min_cost_flow", "solve"]

BACKENDS = ("highs", "networkx", "ortools")


class PinConflictError(MatchError):
    """Pinned pairs that cannot all be honoured; ``arcs`` are the lower-bounded arcs left unrouted."""

    def __init__(self, message: str, arcs: np.ndarray):
        super().__init__(message)
        self.arcs = arcs


@dataclasses.dataclass(frozen=True)
class FlowResult:
    """A solved flow: per-arc ``flow``, the ``amount`` sent, its integer ``cost`` and the backend used."""

    flow: np.ndarray
    amount: int
    cost: int
    backend: str


def available_backends() -> tuple[str, ...]:
    """The backends installed here (``ortools`` needs the ``fast`` extra)."""
    return tuple(b for b in BACKENDS if b != "ortools" or importlib.util.find_spec("ortools") is not None)


def resolve_backend(backend: str, net: Network | None = None) -> str:
    """The backend ``"auto"`` stands for, or ``backend`` itself after checking it can run.

    A network with side rows is always solved by HiGHS, the only backend that takes them.
    """
    if backend == "auto" and net is not None and net.side is not None:
        return "highs"
    if backend == "auto":
        return "ortools" if "ortools" in available_backends() else "highs"
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected 'auto' or one of {BACKENDS}")
    if backend not in available_backends():
        raise ValueError(f"backend {backend!r} is not installed (pip install 'matchwork[fast]')")
    return "highs" if net is not None and net.side is not None else backend


def max_flow(net: Network) -> int:
    """The maximum flow value from source to sink (costs and lower bounds ignored)."""
    open_ = net.capacity > 0
    if not open_.any():
        return 0
    graph = sp.csr_array(
        (net.capacity[open_].astype(np.int64), (net.tail[open_], net.head[open_])), shape=(net.n_nodes, net.n_nodes)
    )
    graph.sum_duplicates()
    if graph.data.max(initial=0) > np.iinfo(np.int32).max:
        graph.data = np.minimum(graph.data, np.iinfo(np.int32).max)
    graph = sp.csr_array((graph.data.astype(np.int32), graph.indices, graph.indptr), shape=graph.shape)
    return int(maximum_flow(graph, net.source, net.sink, method="dinic").flow_value)


def _supplies(net: Network, amount: int) -> tuple[np.ndarray, np.ndarray]:
    """Node supplies (out − in) and reduced capacities once lower bounds are sent."""
    supply = np.zeros(net.n_nodes, dtype=np.int64)
    supply[net.source] += amount
    supply[net.sink] -= amount
    np.subtract.at(supply, net.tail, net.lower)
    np.add.at(supply, net.head, net.lower)
    return supply, net.capacity - net.lower


def min_cost_flow(net: Network, amount: int, backend: str = "auto") -> FlowResult:
    """The cheapest flow sending exactly ``amount`` from source to sink.

    Raises
    ------
    MatchError
        If no such flow exists.
    """
    backend = resolve_backend(backend, net)
    if net.side is not None:
        flow = _lp(net, amount=amount)
    elif backend == "ortools":
        flow = _ortools(net, amount)
    elif backend == "networkx":
        flow = _networkx(net, amount)
    else:
        flow = _lp(net, amount=amount)
    return FlowResult(flow, amount, int(flow @ net.cost), backend)


def _ortools(net: Network, amount: int) -> np.ndarray:
    from ortools.graph.python import min_cost_flow as mcf

    supply, cap = _supplies(net, amount)
    solver = mcf.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(net.tail, net.head, cap, net.cost)
    solver.set_nodes_supplies(np.arange(net.n_nodes), supply)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise MatchError(f"no flow of {amount} exists (OR-Tools status {status})")
    return solver.flows(arcs).astype(np.int64) + net.lower


def _networkx(net: Network, amount: int) -> np.ndarray:
    import networkx as nx

    supply, cap = _supplies(net, amount)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((v, {"demand": -int(b)}) for v, b in enumerate(supply))
    graph.add_edges_from(
        (int(u), int(v), k, {"capacity": int(c), "weight": int(w)})
        for k, (u, v, c, w) in enumerate(zip(net.tail, net.head, cap, net.cost, strict=True))
    )
    try:
        _, flows = nx.network_simplex(graph)
    except nx.NetworkXUnfeasible as exc:
        raise MatchError(f"no flow of {amount} exists ({exc})") from None
    out = np.zeros(net.n_arcs, dtype=np.int64)
    for _u, heads in flows.items():
        for _v, by_key in heads.items():
            for k, f in by_key.items():
                out[k] = f
    return out + net.lower


def _lp(net: Network, *, amount: int | None) -> np.ndarray:
    """Min cost with the flow fixed to ``amount``, or max flow if ``amount`` is None; HiGHS LP, then MILP."""
    inner = np.ones(net.n_nodes, dtype=bool)
    incidence = net.incidence()
    if amount is None:
        inner[[net.source, net.sink]] = False
        c = np.where(net.tail == net.source, -1.0, 0.0) + np.where(net.head == net.source, 1.0, 0.0)
        b_eq = np.zeros(int(inner.sum()))
    else:
        c = net.cost.astype(np.float64)
        b_eq = np.zeros(net.n_nodes)
        b_eq[net.source], b_eq[net.sink] = amount, -amount
    a_eq = incidence[inner] if amount is None else incidence
    a_ub, b_ub = (net.side[0], net.side[1].astype(np.float64)) if net.side is not None else (None, None)
    bounds = np.stack([net.lower, net.capacity], axis=1).astype(np.float64)
    # HiGHS's presolve gains nothing on a network and costs most of the time (60 s against 1 s
    # on a 300 000-arc round), so it is off; the dual simplex returns a vertex, integral on a network.
    res = linprog(
        c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs-ds", options={"presolve": False}
    )
    if res.status != 0:
        raise MatchError(f"no feasible flow{'' if amount is None else f' of {amount}'} ({res.message})")
    x = res.x
    if np.all(np.abs(x - np.round(x)) < 1e-7):
        return np.round(x).astype(np.int64)
    # a fractional vertex: only side rows can cause it; branch and bound for the integer optimum
    constraints = [LinearConstraint(a_eq, b_eq, b_eq)]
    if a_ub is not None:
        constraints.append(LinearConstraint(a_ub, -np.inf, b_ub))
    res = milp(
        c,
        constraints=constraints,
        integrality=np.ones(net.n_arcs),
        bounds=Bounds(bounds[:, 0], bounds[:, 1]),
        options=EXACT,  # HiGHS's default 0.01 % gap would not be exact
    )
    if res.status != 0:
        raise MatchError(f"no feasible integer flow ({res.message})")
    return np.round(res.x).astype(np.int64)


def _check_pins(net: Network) -> None:
    """All lower-bounded arcs must be routable together; else name those that are not."""
    if not net.lower.any():
        return
    if net.side is not None:
        _lp(net, amount=None)  # raises if the lower bounds cannot be met
        return
    pinned = net.lower > 0
    from_source = net.tail == net.source
    only_pins = net.with_arcs(~from_source | pinned)
    needed = int(net.lower[pinned & from_source].sum())
    if max_flow(only_pins) < needed:
        raise PinConflictError(
            "the pinned pairs cannot all be honoured together: they exceed a capacity", np.flatnonzero(pinned)
        )


def solve(net: Network, *, backend: str = "auto") -> FlowResult:
    """The most units that can flow, and among such flows one of least cost.

    Parameters
    ----------
    net : Network
    backend : {"auto", "highs", "networkx", "ortools"}
        ``"auto"`` is OR-Tools when installed, else HiGHS. Every backend finds the
        same optimal cost; side rows always use HiGHS.

    Returns
    -------
    FlowResult
    """
    backend = resolve_backend(backend, net)
    _check_pins(net)
    if net.side is not None:
        amount = int(_lp(net, amount=None)[net.tail == net.source].sum())
    else:
        amount = max_flow(net)
    return min_cost_flow(net, amount, backend)
