"""The "fair" objective: raise the lowest pair score first, then the total.

A bottleneck (max-min) search over the distinct pair scores, as max-min reviewer
assignment does (Garg et al., "Assigning papers to referees", *Algorithmica* 2010;
Stelmakh, Shah & Singh, "PeerReview4All", *JMLR* 2021): the largest threshold
whose pairs still place as many people as the unrestricted round is found by
binary search, each step an exact maximum flow; the cheapest flow among those
pairs is then solved as usual. Pinned pairs (arcs with a lower bound, and every
option of a node whose inflow a lower bound forces) are never left out and do
not count in the floor: the pins stay honoured, the floor is the others'.

Examples
--------
>>> import numpy as np
>>> from matchwork.solve.network import NetworkBuilder
>>> b = NetworkBuilder()
>>> s, t, x, y, p, q = b.nodes(6)
>>> _ = b.arcs([s, s], [x, y], capacity=1)
>>> options = b.arcs([x, x, y, y], [p, q, p, q], capacity=1, cost=[-10, -6, -9, -1])
>>> _ = b.arcs([p, q], [t, t], capacity=1)
>>> result = solve_fair(b.build(source=s, sink=t), options, np.array([10, 6, 9, 1]), backend="highs")
>>> result.flow[options].tolist()  # 6 + 9 (lowest 6) beats 10 + 1 (lowest 1)
[0, 1, 1, 0]
"""

from __future__ import annotations

import numpy as np

from matchwork.solve.backends import lp_flow, resolve_backend
from matchwork.solve.flow import FlowResult, check_pins, max_flow, min_cost_flow
from matchwork.solve.network import Network

__all__ = ["solve_fair"]


def _value(net: Network, time_limit: float | None = None) -> int:
    if net.side is not None:
        return int(lp_flow(net, amount=None, time_limit=time_limit)[0][net.tail == net.source].sum())
    return max_flow(net)


def solve_fair(
    net: Network,
    options: np.ndarray,
    scores: np.ndarray,
    *,
    backend: str = "auto",
    time_limit: float | None = None,
) -> FlowResult:
    """Maximise the lowest score among the option arcs used, then the total (least cost).

    Parameters
    ----------
    net : Network
    options : int array
        The arcs that stand for pairs; other arcs are structure.
    scores : array
        The score of each option arc (higher is better).
    backend : str
        As for :func:`matchwork.solve.flow.solve`.
    time_limit : float, optional
        As for :func:`matchwork.solve.flow.solve`.
    """
    backend = resolve_backend(backend, net)
    check_pins(net)
    amount = _value(net, time_limit)
    structural = np.ones(net.n_arcs, dtype=bool)
    structural[options] = False
    # an option of a node whose inflow a lower bound forces (a pinned candidate) is never left out: the floor is
    # raised among the others, and the pins stay honoured
    forced = np.zeros(net.n_nodes, dtype=bool)
    forced[net.head[(net.lower > 0) & structural]] = True
    pinned = (net.lower[options] > 0) | forced[net.tail[options]]
    levels = np.unique(scores[~pinned])

    def restricted(i: int) -> Network:
        keep = structural.copy()
        keep[options] = (scores >= levels[i]) | pinned
        return net.with_arcs(keep)

    lo, hi = 0, len(levels) - 1  # levels[lo] always places `amount`: it keeps every option
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _value(restricted(mid), time_limit) == amount:
            lo = mid
        else:
            hi = mid - 1
    return min_cost_flow(restricted(lo) if len(levels) else net, amount, backend, time_limit=time_limit)
