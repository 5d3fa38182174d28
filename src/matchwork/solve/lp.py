"""A linear programme that grows: rows and columns added, costs and bounds changed, solved again and again.

Column generation adds a few columns to a linear programme and solves it again,
many times; an exact integer answer may then need branch and bound on the same
model. :class:`LinearModel` keeps one HiGHS model alive between solves — through
the binding SciPy ships with its HiGHS (``scipy.optimize._highspy``), so that a
solve after a few new columns starts from the last basis and takes a few pivots
instead of thousands. Where that binding is missing (another SciPy build), the
same model is solved from scratch by :func:`scipy.optimize.linprog` and
:func:`scipy.optimize.milp`: the same answers, slower.

Every solve says how it ended (:class:`LinearSolution`: ``optimal``,
``time_limit`` with the proven gap, ``infeasible``, ``failed``), never a bare
``None``. The model maximises; row duals follow that sense: the reduced value of
column ``j`` is ``cost[j] - A[:, j] @ row_dual``, and a ``≤`` row that binds has a
dual ``≥ 0``.

Examples
--------
>>> import numpy as np
>>> m = LinearModel()
>>> rows = m.add_rows(np.array([-np.inf, -np.inf]), np.array([1.0, 1.0]))  # two rows ≤ 1
>>> cols = m.add_cols(np.array([1.0, 3.0, 1.0]), np.array([0, 1, 3, 4]), np.array([0, 0, 1, 1]))
>>> s = m.solve()  # the middle column uses both rows and is worth more than the other two
>>> s.status, s.x.round().astype(int).tolist(), s.objective
('optimal', [0, 1, 0], 3.0)
>>> float(s.row_dual.sum())  # one more unit of both rows would be worth 3
3.0
>>> rc = m.cost - m.matrix().T @ s.row_dual  # reduced values: <= 0 at a lower bound, >= 0 at an upper one
>>> bool(rc[0] <= 1e-9 and rc[2] <= 1e-9 and rc[1] >= -1e-9)
True
>>> m.set_integral(cols, True)
>>> m.solve().status
'optimal'
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from matchwork.solve.milp import EXACT, SolveStatus

__all__ = ["LinearModel", "LinearSolution", "incremental_available"]

try:  # the HiGHS binding SciPy ships (SciPy >= 1.15); private, so every use is guarded
    from scipy.optimize._highspy import _core as _hs

    _hs._Highs  # noqa: B018 - fail here, not later, if the binding lacks what is used
except (ImportError, AttributeError):  # pragma: no cover - depends on the SciPy build
    _hs = None


def incremental_available() -> bool:
    """Whether solves reuse the model and its basis (SciPy's HiGHS binding is importable)."""
    return _hs is not None


@dataclasses.dataclass(frozen=True)
class LinearSolution(SolveStatus):
    """A solve of a :class:`LinearModel`: its :class:`~matchwork.solve.milp.SolveStatus` and its numbers.

    Attributes
    ----------
    x : float array or None
        Column values (None when nothing was found).
    row_dual : float array or None
        Row duals of a linear solve (None after branch and bound).
    objective : float or None
        The objective of ``x``.
    bound : float or None
        The best bound proven on the objective (branch and bound; equal to the
        objective for an optimal linear solve).
    """

    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    objective: float | None = None
    bound: float | None = None


class LinearModel:
    """``max cost @ x`` subject to ``row_lo <= A @ x <= row_hi`` and ``col_lo <= x <= col_hi``.

    Parameters
    ----------
    incremental : bool, optional
        Keep one HiGHS model between solves (default: whenever SciPy's binding is
        there); False always solves from scratch with ``linprog`` / ``milp``.
    """

    def __init__(self, *, incremental: bool | None = None):
        self.incremental = incremental_available() if incremental is None else incremental and incremental_available()
        self.row_lo = np.zeros(0)
        self.row_hi = np.zeros(0)
        self.cost = np.zeros(0)
        self.col_lo = np.zeros(0)
        self.col_hi = np.zeros(0)
        self.integral = np.zeros(0, dtype=bool)
        self._entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (row, col, value): the cold copy
        self._highs: Any = None
        if self.incremental:
            assert _hs is not None
            self._highs = _hs._Highs()
            self._highs.setOptionValue("output_flag", False)
            self._highs.setOptionValue("threads", 1)
            # a network-like LP gains nothing from presolve, and presolve would drop the basis between solves
            self._highs.setOptionValue("presolve", "off")
            self._highs.setOptionValue("simplex_strategy", 4)
            self._highs.changeObjectiveSense(_hs.ObjSense.kMaximize)

    @property
    def n_rows(self) -> int:
        return len(self.row_lo)

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    def add_rows(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Empty rows with bounds ``lo <= row <= hi`` (``±inf`` for none); returns their indices."""
        lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
        out = np.arange(self.n_rows, self.n_rows + len(lo))
        self.row_lo, self.row_hi = np.r_[self.row_lo, lo], np.r_[self.row_hi, hi]
        if self._highs is not None and len(lo):
            inf = _hs.kHighsInf
            self._highs.addRows(
                len(lo),
                np.clip(lo, -inf, inf),
                np.clip(hi, -inf, inf),
                0,
                np.zeros(len(lo), dtype=np.int32),
                np.zeros(0, dtype=np.int32),
                np.zeros(0),
            )
        return out

    def add_cols(
        self,
        cost: np.ndarray,
        starts: np.ndarray,
        index: np.ndarray,
        value: np.ndarray | None = None,
        *,
        lo: np.ndarray | float = 0.0,
        hi: np.ndarray | float = 1.0,
    ) -> np.ndarray:
        """Columns in compressed form: column ``j`` has ``value[starts[j]:starts[j+1]]`` in rows ``index[...]``.

        ``starts`` has one entry more than there are columns; ``value`` defaults to ones.
        """
        cost = np.asarray(cost, dtype=np.float64)
        n = len(cost)
        out = np.arange(self.n_cols, self.n_cols + n)
        if not n:
            return out
        starts = np.asarray(starts, dtype=np.int64)
        index = np.asarray(index, dtype=np.int64)
        value = np.ones(len(index)) if value is None else np.asarray(value, dtype=np.float64)
        lo_a, hi_a = np.broadcast_to(lo, n).astype(np.float64), np.broadcast_to(hi, n).astype(np.float64)
        self.cost, self.col_lo, self.col_hi = np.r_[self.cost, cost], np.r_[self.col_lo, lo_a], np.r_[self.col_hi, hi_a]
        self.integral = np.r_[self.integral, np.zeros(n, dtype=bool)]
        self._entries.append((index, np.repeat(out, np.diff(starts)), value))
        if self._highs is not None:
            self._highs.addCols(
                n, cost, lo_a, hi_a, len(index), starts[:-1].astype(np.int32), index.astype(np.int32), value
            )
        return out

    def add_row(self, lo: float, hi: float, cols: np.ndarray, value: np.ndarray) -> int:
        """One row ``lo <= value @ x[cols] <= hi`` over existing columns; returns its index."""
        cols = np.asarray(cols, dtype=np.int64)
        value = np.asarray(value, dtype=np.float64)
        row = self.n_rows
        self.row_lo, self.row_hi = np.r_[self.row_lo, float(lo)], np.r_[self.row_hi, float(hi)]
        self._entries.append((np.full(len(cols), row, dtype=np.int64), cols, value))
        if self._highs is not None:
            inf = _hs.kHighsInf
            self._highs.addRows(
                1,
                np.array([max(lo, -inf)]),
                np.array([min(hi, inf)]),
                len(cols),
                np.zeros(1, dtype=np.int32),
                cols.astype(np.int32),
                value,
            )
        return row

    def set_cost(self, cols: np.ndarray, cost: np.ndarray) -> None:
        """New objective coefficients of ``cols``."""
        cols = np.asarray(cols, dtype=np.int64)
        self.cost[cols] = cost
        if self._highs is not None and len(cols):
            self._highs.changeColsCost(len(cols), cols.astype(np.int32), np.asarray(cost, dtype=np.float64))

    def set_bounds(self, cols: np.ndarray, lo: np.ndarray | float, hi: np.ndarray | float) -> None:
        """New bounds of ``cols``."""
        cols = np.asarray(cols, dtype=np.int64)
        lo_a = np.broadcast_to(lo, len(cols)).astype(np.float64)
        hi_a = np.broadcast_to(hi, len(cols)).astype(np.float64)
        self.col_lo[cols], self.col_hi[cols] = lo_a, hi_a
        if self._highs is not None and len(cols):
            self._highs.changeColsBounds(len(cols), cols.astype(np.int32), lo_a, hi_a)

    def set_row_bounds(self, rows: np.ndarray, lo: np.ndarray | float, hi: np.ndarray | float) -> None:
        """New bounds of ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        lo_a = np.broadcast_to(lo, len(rows)).astype(np.float64)
        hi_a = np.broadcast_to(hi, len(rows)).astype(np.float64)
        self.row_lo[rows], self.row_hi[rows] = lo_a, hi_a
        if self._highs is not None and len(rows):
            inf = _hs.kHighsInf
            # the binding has no changeRowsBounds (SciPy 1.17): one row at a time (tiers held: a few rows)
            for r, lo_r, hi_r in zip(rows.tolist(), np.clip(lo_a, -inf, inf), np.clip(hi_a, -inf, inf), strict=True):
                self._highs.changeRowBounds(int(r), float(lo_r), float(hi_r))

    def set_integral(self, cols: np.ndarray, integral: bool) -> None:
        """Mark ``cols`` integer (branch and bound on the next solve) or continuous again."""
        cols = np.asarray(cols, dtype=np.int64)
        self.integral[cols] = integral
        if self._highs is not None and len(cols):
            kind = _hs.HighsVarType.kInteger if integral else _hs.HighsVarType.kContinuous
            self._highs.changeColsIntegrality(len(cols), cols.astype(np.int32), np.full(len(cols), kind))

    def hint(self, cols: np.ndarray, x: np.ndarray) -> None:
        """A feasible start for the next branch and bound (values of ``cols``; the solver completes the rest)."""
        if self._highs is not None and len(cols):
            self._highs.setSolution(len(cols), np.asarray(cols, dtype=np.int32), np.asarray(x, dtype=np.float64))

    def matrix(self) -> sp.csc_array:
        """The constraint matrix (rows × columns)."""
        if not self._entries:
            return sp.csc_array((self.n_rows, self.n_cols))
        rows, cols, vals = (np.concatenate(part) for part in zip(*self._entries, strict=True))
        return sp.csc_array((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))

    def solve(self, *, time_limit: float | None = None) -> LinearSolution:
        """Solve: a linear programme, or branch and bound if some columns are integral (gap closed to zero)."""
        start = time.perf_counter()
        mip = bool(self.integral.any())
        if self.n_cols == 0:  # nothing to choose: the empty choice is optimal when every row allows 0
            ok = bool(np.all((self.row_lo <= 0) & (self.row_hi >= 0)))
            if not ok:
                return LinearSolution("infeasible", None, time.perf_counter() - start, "no columns")
            zero = np.zeros(0)
            dual = None if mip else np.zeros(self.n_rows)
            return LinearSolution("optimal", 0.0, time.perf_counter() - start, "no columns", zero, dual, 0.0, 0.0)
        if self._highs is not None:
            return self._solve_highs(mip, time_limit, start)
        return self._solve_cold(mip, time_limit, start)

    # ------------------------------------------------------------ HiGHS, kept between solves

    def _solve_highs(self, mip: bool, time_limit: float | None, start: float) -> LinearSolution:
        h = self._highs
        h.setOptionValue("time_limit", float(time_limit) if time_limit is not None else _hs.kHighsInf)
        if mip:
            h.setOptionValue("mip_rel_gap", EXACT["mip_rel_gap"])
        h.run()
        status = h.getModelStatus()
        seconds = time.perf_counter() - start
        message = h.modelStatusToString(status)
        info = h.getInfo()
        solution = h.getSolution()
        has_x = bool(solution.value_valid)
        x = np.asarray(solution.col_value) if has_x else None
        objective = float(info.objective_function_value) if has_x else None
        s = _hs.HighsModelStatus
        if status == s.kOptimal:
            dual = None if mip else self._dual(np.asarray(solution.row_dual))
            bound = float(info.mip_dual_bound) if mip else objective
            return LinearSolution("optimal", 0.0, seconds, message, x, dual, objective, bound)
        if status in (s.kTimeLimit, s.kIterationLimit, s.kInterrupt, s.kSolutionLimit):
            gap = float(info.mip_gap) if mip and has_x and np.isfinite(info.mip_gap) else None
            bound = float(info.mip_dual_bound) if mip and np.isfinite(info.mip_dual_bound) else None
            return LinearSolution("time_limit", gap, seconds, message, x, None, objective, bound)
        if status in (s.kInfeasible, s.kUnboundedOrInfeasible):
            return LinearSolution("infeasible", None, seconds, message)
        return LinearSolution("failed", None, seconds, message)

    def _dual(self, raw: np.ndarray) -> np.ndarray:
        # HiGHS reports duals for the sense asked (maximise): reduced value = cost - A^T dual
        return raw.astype(np.float64)

    # ------------------------------------------------------------ SciPy, from scratch

    def _solve_cold(self, mip: bool, time_limit: float | None, start: float) -> LinearSolution:
        a = self.matrix().tocsr()
        lo, hi = self.row_lo, self.row_hi
        if mip:
            options: dict[str, Any] = dict(EXACT)
            if time_limit is not None:
                options["time_limit"] = float(time_limit)
            res = milp(
                -self.cost,
                constraints=[LinearConstraint(a, lo, hi)] if self.n_rows else [],
                integrality=self.integral.astype(np.int64),
                bounds=Bounds(self.col_lo, self.col_hi),
                options=options,
            )
            seconds = time.perf_counter() - start
            x = None if res.x is None else np.asarray(res.x)
            obj = None if x is None else float(self.cost @ x)
            if res.status == 0:
                return LinearSolution("optimal", 0.0, seconds, str(res.message), x, None, obj, obj)
            if res.status == 1:
                gap = float(res.mip_gap) if x is not None and getattr(res, "mip_gap", None) is not None else None
                bound = None if gap is None or obj is None else obj + gap * max(abs(obj), 1.0)
                return LinearSolution("time_limit", gap, seconds, str(res.message), x, None, obj, bound)
            if res.status == 2:
                return LinearSolution("infeasible", None, seconds, str(res.message))
            return LinearSolution("failed", None, seconds, str(res.message))
        # linprog has no ranged rows: each finite side is its own inequality, equal sides an equality
        eq = np.isfinite(lo) & (lo == hi)
        up = ~eq & np.isfinite(hi)
        down = ~eq & np.isfinite(lo)
        a_ub = sp.vstack([a[up], -a[down]]).tocsr()
        b_ub = np.r_[hi[up], -lo[down]]
        res = linprog(
            -self.cost,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            A_eq=a[eq] if eq.any() else None,
            b_eq=lo[eq] if eq.any() else None,
            bounds=np.stack([self.col_lo, self.col_hi], axis=1) if self.n_cols else None,
            method="highs-ds",
            options={"presolve": False, **({"time_limit": float(time_limit)} if time_limit is not None else {})},
        )
        seconds = time.perf_counter() - start
        if res.status == 0:
            dual = np.zeros(self.n_rows)
            if a_ub.shape[0]:
                m = -np.asarray(res.ineqlin.marginals)  # of max: binding ≤ rows get duals ≥ 0
                dual[np.flatnonzero(up)] += m[: up.sum()]
                dual[np.flatnonzero(down)] -= m[up.sum() :]
            if eq.any():
                dual[np.flatnonzero(eq)] = -np.asarray(res.eqlin.marginals)
            x = np.asarray(res.x)
            obj = float(self.cost @ x)
            return LinearSolution("optimal", 0.0, seconds, str(res.message), x, dual, obj, obj)
        if res.status == 1:
            return LinearSolution("time_limit", None, seconds, str(res.message))
        if res.status == 2:
            return LinearSolution("infeasible", None, seconds, str(res.message))
        return LinearSolution("failed", None, seconds, str(res.message))
