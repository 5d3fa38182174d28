"""Solvers: the flow network formulation, exact backends, the fair objective, and ``assign``.

Everything here works on plain arrays and knows nothing of candidates or sites;
:mod:`matchwork.engine.engine` formulates each stage of a round as a :class:`Network`.
"""

from matchwork.solve.assign import assign
from matchwork.solve.fairness import solve_fair
from matchwork.solve.flow import (
    BACKENDS,
    FlowResult,
    PinConflictError,
    available_backends,
    max_flow,
    min_cost_flow,
    solve,
)
from matchwork.solve.network import Network, NetworkBuilder

__all__ = [
    "BACKENDS",
    "FlowResult",
    "Network",
    "NetworkBuilder",
    "PinConflictError",
    "assign",
    "available_backends",
    "max_flow",
    "min_cost_flow",
    "solve",
    "solve_fair",
]
