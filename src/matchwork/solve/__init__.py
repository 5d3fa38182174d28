"""Solvers: the flow network formulation, exact backends, the fair objective, and ``assign``.

Everything here works on plain arrays and knows nothing of candidates or sites;
:mod:`matchwork.engine` formulates each stage of a round as a :class:`Network`.
"""

from matchwork.solve.assign import assign
from matchwork.solve.backends import MIN_COST_FLOW, available_backends, resolve_backend
from matchwork.solve.fairness import solve_fair
from matchwork.solve.flow import FlowResult, PinConflictError, max_flow, min_cost_flow, solve
from matchwork.solve.network import Network, NetworkBuilder

__all__ = [
    "MIN_COST_FLOW",
    "FlowResult",
    "Network",
    "NetworkBuilder",
    "PinConflictError",
    "assign",
    "available_backends",
    "max_flow",
    "min_cost_flow",
    "resolve_backend",
    "solve",
    "solve_fair",
]
