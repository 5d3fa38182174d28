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

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from matchwork.errors import MatchError
from matchwork.solve.backends import MIN_COST_FLOW, lp_flow, resolve_backend
from matchwork.solve.milp import SolveStatus
from matchwork.solve.network import Network

__all__ = ["FlowResult", "PinConflictError", "check_pins", "max_flow", "min_cost_flow", "solve"]


class PinConflictError(MatchError):
    """Pinned pairs that cannot all be honoured; ``arcs`` are the lower-bounded arcs left unrouted."""

    def __init__(self, message: str, arcs: np.ndarray):
        super().__init__(message)
        self.arcs = arcs


@dataclasses.dataclass(frozen=True)
class FlowResult:
    """A solved flow: per-arc ``flow``, the ``amount`` sent, its integer ``cost``, the backend and how it ended."""

    flow: np.ndarray
    amount: int
    cost: int
    backend: str
    status: SolveStatus = dataclasses.field(default_factory=SolveStatus)


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


def min_cost_flow(net: Network, amount: int, backend: str = "auto", *, time_limit: float | None = None) -> FlowResult:
    """The cheapest flow sending exactly ``amount`` from source to sink.

    ``time_limit`` bounds the branch and bound that side rows may need (the status
    then says ``time_limit`` and gives the proven gap); pure networks never need it.

    Raises
    ------
    MatchError
        If no such flow exists.
    """
    backend = resolve_backend(backend, net)
    flow, status = MIN_COST_FLOW[backend](net, amount, time_limit)
    return FlowResult(flow, amount, int(flow @ net.cost), backend, status)


def check_pins(net: Network) -> None:
    """All lower-bounded arcs must be routable together; else name those that are not."""
    if not net.lower.any():
        return
    if net.side is not None:
        lp_flow(net, amount=None)  # raises if the lower bounds cannot be met
        return
    pinned = net.lower > 0
    from_source = net.tail == net.source
    only_pins = net.with_arcs(~from_source | pinned)
    needed = int(net.lower[pinned & from_source].sum())
    if max_flow(only_pins) < needed:
        raise PinConflictError(
            "the pinned pairs cannot all be honoured together: they exceed a capacity", np.flatnonzero(pinned)
        )


def solve(net: Network, *, backend: str = "auto", time_limit: float | None = None) -> FlowResult:
    """The most units that can flow, and among such flows one of least cost.

    Parameters
    ----------
    net : Network
    backend : {"auto", "highs", "networkx", "ortools"}
        ``"auto"`` is OR-Tools when installed, else HiGHS. Every backend finds the
        same optimal cost; side rows always use HiGHS.
    time_limit : float, optional
        Seconds for a branch and bound that side rows may need.

    Returns
    -------
    FlowResult
    """
    backend = resolve_backend(backend, net)
    check_pins(net)
    if net.side is not None:
        amount = int(lp_flow(net, amount=None, time_limit=time_limit)[0][net.tail == net.source].sum())
    else:
        amount = max_flow(net)
    return min_cost_flow(net, amount, backend, time_limit=time_limit)
