"""Min-cost-flow backends by name: the registry that the policy, ``match`` and ``assign`` share.

Each backend is a function ``(network, amount, time_limit) -> (flow per arc, status)``
that sends exactly ``amount`` units from source to sink at least cost, or raises
:class:`~matchwork.errors.MatchError` when no such flow exists:

* ``"highs"`` — the network LP through ``scipy.optimize.linprog`` (HiGHS dual
  simplex returns a vertex, integral on a network); the only backend that takes
  side rows, which may make a vertex fractional: then ``scipy.optimize.milp``;
* ``"networkx"`` — ``networkx.network_simplex``;
* ``"ortools"`` — OR-Tools' ``SimpleMinCostFlow`` (optional extra ``fast``).

:data:`matchwork._validation.Backend` lists the same names plus ``"auto"``.

Examples
--------
>>> sorted(MIN_COST_FLOW)
['highs', 'networkx', 'ortools']
>>> resolve_backend("highs")
'highs'
"""

from __future__ import annotations

import dataclasses
import importlib.util
import time
from collections.abc import Callable

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog

from matchwork._validation import Backend, choice
from matchwork.errors import MatchError
from matchwork.solve.milp import SolveStatus, solve_milp
from matchwork.solve.network import Network

__all__ = ["MIN_COST_FLOW", "Flow", "available_backends", "lp_flow", "resolve_backend"]

Flow = tuple[np.ndarray, SolveStatus]
"""A flow per arc and how its solve ended."""


def available_backends() -> tuple[str, ...]:
    """The backends installed here (``ortools`` needs the ``fast`` extra)."""
    return tuple(b for b in MIN_COST_FLOW if b != "ortools" or importlib.util.find_spec("ortools") is not None)


def resolve_backend(backend: str, net: Network | None = None) -> str:
    """The backend ``"auto"`` stands for, or ``backend`` itself after checking it can run.

    A network with side rows is always solved by HiGHS, the only backend that takes them.
    """
    if backend == "auto" and net is not None and net.side is not None:
        return "highs"
    if backend == "auto":
        return "ortools" if "ortools" in available_backends() else "highs"
    choice("backend", backend, Backend)
    if backend not in available_backends():
        raise ValueError(f"backend {backend!r} is not installed (pip install 'matchwork[fast]')")
    return "highs" if net is not None and net.side is not None else backend


def _supplies(net: Network, amount: int) -> tuple[np.ndarray, np.ndarray]:
    """Node supplies (out − in) and reduced capacities once lower bounds are sent."""
    supply = np.zeros(net.n_nodes, dtype=np.int64)
    supply[net.source] += amount
    supply[net.sink] -= amount
    np.subtract.at(supply, net.tail, net.lower)
    np.add.at(supply, net.head, net.lower)
    return supply, net.capacity - net.lower


def _ortools(net: Network, amount: int, time_limit: float | None = None) -> Flow:
    from ortools.graph.python import min_cost_flow as mcf

    start = time.perf_counter()

    supply, cap = _supplies(net, amount)
    solver = mcf.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(net.tail, net.head, cap, net.cost)
    solver.set_nodes_supplies(np.arange(net.n_nodes), supply)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise MatchError(f"no flow of {amount} exists (OR-Tools status {status})")
    return solver.flows(arcs).astype(np.int64) + net.lower, _took(start)


def _networkx(net: Network, amount: int, time_limit: float | None = None) -> Flow:
    import networkx as nx

    start = time.perf_counter()
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
    return out + net.lower, _took(start)


def lp_flow(net: Network, *, amount: int | None, time_limit: float | None = None) -> Flow:
    """Min cost with the flow fixed to ``amount``, or max flow if ``amount`` is None; HiGHS LP, then MILP.

    The LP's vertex is integral on a pure network; side rows may make it fractional,
    and then the integer optimum comes from branch and bound (:func:`solve_milp`),
    which ``time_limit`` may stop early: the status says so.
    """
    start = time.perf_counter()
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
        return np.round(x).astype(np.int64), _took(start)
    # a fractional vertex: only side rows can cause it; branch and bound for the integer optimum
    constraints = [LinearConstraint(a_eq, b_eq, b_eq)]
    if a_ub is not None:
        constraints.append(LinearConstraint(a_ub, -np.inf, b_ub))
    found = solve_milp(c, constraints, np.ones(net.n_arcs), Bounds(bounds[:, 0], bounds[:, 1]), time_limit=time_limit)
    if found.x is None:
        raise MatchError(f"no feasible integer flow ({found.status}: {found.message})")
    status = dataclasses.replace(found, seconds=time.perf_counter() - start)
    return np.round(found.x).astype(np.int64), SolveStatus(status.status, status.gap, status.seconds, status.message)


def _highs(net: Network, amount: int, time_limit: float | None = None) -> Flow:
    return lp_flow(net, amount=amount, time_limit=time_limit)


def _took(start: float) -> SolveStatus:
    return SolveStatus("optimal", 0.0, time.perf_counter() - start)


MIN_COST_FLOW: dict[str, Callable[[Network, int, float | None], Flow]] = {
    "highs": _highs,
    "networkx": _networkx,
    "ortools": _ortools,
}
"""Backend name → min-cost-flow function."""
