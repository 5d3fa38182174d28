"""Exact mixed-integer programmes through HiGHS (:func:`scipy.optimize.milp`).

HiGHS stops branch and bound at a 0.01 % relative gap by default, which is not
exact: on a round whose total is 3·10⁸ (scores are scaled to integers) it may
stop 30 000 units — three whole pairings' worth — short of the optimum.
:data:`EXACT` closes the gap to zero and :func:`solve_milp` always uses it.

Examples
--------
>>> import numpy as np
>>> from scipy.optimize import Bounds, LinearConstraint
>>> c = -np.array([5.0, 4.0, 3.0])           # a knapsack: values 5, 4, 3
>>> weight = LinearConstraint([[2.0, 3.0, 1.0]], -np.inf, 4.0)
>>> solve_milp(c, [weight], np.ones(3), Bounds(0, 1)).round().tolist()
[1.0, 0.0, 1.0]
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["EXACT", "solve_milp"]

EXACT = {"mip_rel_gap": 0.0}
"""HiGHS options for a proven optimum (no relative gap tolerated)."""


def solve_milp(
    c: np.ndarray, constraints: list[LinearConstraint], integrality: np.ndarray, bounds: Bounds
) -> np.ndarray | None:
    """The optimal solution of ``min c·x`` under the constraints, or None when infeasible.

    A reduced-cost-fixing variant (LP relaxation, a RENS-like neighbourhood search,
    then the MILP over the variables left free) was measured on the 5 000-candidate
    synthetic round and gained nothing over HiGHS's own presolve and cuts, so the
    programme goes to HiGHS whole.
    """
    res = milp(c, constraints=constraints, integrality=integrality, bounds=bounds, options=EXACT)
    return res.x if res.status == 0 else None
