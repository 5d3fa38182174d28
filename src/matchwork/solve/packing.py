"""Lexicographic 0/1 packing by column generation, each tier proven optimal or its gap reported.

The problem: choose columns ``x_j ∈ {0, 1}``, each a whole option of one *group*
(one candidate's placement with its lead and its squad, say), at most one per
group (exactly one for a forced group), within rows of capacities::

    row_lo <= A x - S s <= row_hi        s ∈ [0, 1]: continuous segments (convex costs)

Every column has +1 in its group's row and in the rows of the resources it uses;
a *segment* has -1 in one balance row and carries one unit of a convex cost
(Ahuja, Magnanti & Orlin 1993, §14.3: segments of rising cost fill cheapest first).
Columns and segments have integer *values* per tier (how many placed, how many
squad members, the score with continuity and load costs); the tiers are optimised
in order, each optimum then held as a row ``value >= optimum`` (lexicographic
optimisation, Isermann 1982).

There are far too many columns to write down (a candidate's squads are subsets of
a site's guides), so an *oracle* prices them: given the row duals it returns each
group's best column (column generation: Gilmore & Gomory 1961; Desrosiers &
Lübbecke 2005). The restricted linear programme is re-solved from its last basis
(:class:`~matchwork.solve.lp.LinearModel`) until no column prices out.

Every tier ends with a **certificate**: for any row duals ``y`` and the group duals
``u_g = max(0, best reduced value of group g)`` (Lagrangian duality),
``bound = Σ_rows y·(hi or lo) + Σ_groups u_g + Σ_segments max(0, reduced value)`` is
an upper bound on every integer solution, computed here from the oracle over *all*
columns, never from the solver's own report. Tier values are integers, so an
integral solution reaching ``floor(bound)`` is optimal. When the linear optimum is
fractional, branch and bound (HiGHS) solves the restricted programme, and every
column whose reduced value could still lift the tier by one unit is added first
(reduced-cost fixing: a solution using column ``j`` is worth at most
``bound + reduced value of j``), so that the branch-and-bound optimum is the
optimum over all columns. A time limit stops branch and bound with the best
solution found and its proven gap to ``bound``; so does a reduced-cost fixing step
that would add more than :data:`WITHIN_LIMIT` columns (the best of them are searched,
for :data:`PARTIAL_SECONDS` when no time limit is set, and the tier is not called
optimal).

Examples
--------
A group picks one of two columns; two groups compete for a row of capacity 1.

>>> import numpy as np
>>> oracle = TableOracle(
...     group=np.array([0, 0, 1]), rows=[[0], [], [0]], values=np.array([[1, 1, 1], [5, 2, 4]]), n_rows=1
... )
>>> solver = PackingSolver(np.array([-np.inf]), np.array([1.0]), oracle, n_groups=2)
>>> first = solver.optimise(np.array([1.0, 0.0]))  # most columns chosen
>>> first.value, first.status.status
(2, 'optimal')
>>> solver.fix(np.array([1.0, 0.0]), first.value)
>>> best = solver.optimise(np.array([0.0, 1.0]))  # then the highest value: 2 + 4, not 5 alone
>>> best.value, sorted(solver.chosen_keys().tolist())
(6, [1, 2])
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from matchwork.solve.lp import LinearModel, LinearSolution
from matchwork.solve.milp import SolveStatus

__all__ = ["PARTIAL_SECONDS", "WITHIN_LIMIT", "Columns", "Oracle", "PackingSolver", "TableOracle", "TierOutcome"]

_INTEGRAL = 1e-6
"""A column value within this of 0 or 1 counts as integral."""

WITHIN_LIMIT = 100_000
"""Columns one reduced-cost fixing step may add at most (:meth:`Oracle.within`'s ``limit``).

Where more columns than this could still lift a tier (a dual-degenerate linear optimum
where thousands of squads price the same), branch and bound runs over the best of them
and the tier is reported ``time_limit`` with its proven gap instead of optimal: a
bounded answer rather than gigabytes of columns and a search that does not end."""

PARTIAL_SECONDS = 60.0
"""Seconds such a branch and bound over part of the columns may take when no time limit is set: it can improve
the answer, never prove it, so it does not run unbounded."""


@dataclasses.dataclass(frozen=True)
class Columns:
    """A batch of columns from an oracle.

    Attributes
    ----------
    group : int array (n,)
        The group of each column.
    starts, index : int arrays
        The rows each column uses besides its group row (coefficient 1):
        ``index[starts[j]:starts[j + 1]]``.
    values : int array (tiers, n)
        The column's value in each tier.
    key : int array (n,)
        A unique id per column, so that a column is never added twice.
    level : int array (n,)
        The level the ``fair`` floor reads (columns below a floor are left out).
    """

    group: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    values: np.ndarray
    key: np.ndarray
    level: np.ndarray

    def __len__(self) -> int:
        return len(self.group)

    def take(self, keep: np.ndarray) -> Columns:
        """The columns selected by an index array or boolean mask."""
        idx = np.flatnonzero(keep) if np.asarray(keep).dtype == bool else np.asarray(keep, dtype=np.int64)
        counts = np.diff(self.starts)[idx]
        offsets = np.repeat(self.starts[idx], counts) + _ramp(counts)
        return Columns(
            self.group[idx],
            np.r_[0, np.cumsum(counts)].astype(np.int64),
            self.index[offsets],
            self.values[:, idx],
            self.key[idx],
            self.level[idx],
        )

    @staticmethod
    def concat(parts: Sequence[Columns], n_tiers: int) -> Columns:
        parts = [p for p in parts if len(p)]
        if not parts:
            z = np.zeros(0, dtype=np.int64)
            return Columns(z, np.zeros(1, dtype=np.int64), z, np.zeros((n_tiers, 0), dtype=np.int64), z, z)
        offsets = np.cumsum([0] + [len(p.index) for p in parts[:-1]])
        return Columns(
            np.concatenate([p.group for p in parts]),
            np.r_[0, np.concatenate([p.starts[1:] + o for p, o in zip(parts, offsets, strict=True)])].astype(np.int64),
            np.concatenate([p.index for p in parts]),
            np.concatenate([p.values for p in parts], axis=1),
            np.concatenate([p.key for p in parts]),
            np.concatenate([p.level for p in parts]),
        )


class Oracle(Protocol):
    """Prices the columns of a packing problem that are too many to write down."""

    def price(self, dual: np.ndarray, weight: np.ndarray, floor: int | None) -> tuple[np.ndarray, Columns]:
        """Each group's best column under ``weight @ values - (duals of the rows it uses)``.

        The group's own row is left out of the reduced value. Columns whose level
        is below ``floor`` are left out, except for exempt groups. Returns the best
        reduced value per group (``-inf`` for none) and those best columns (one
        per group that has any).
        """
        ...

    def within(
        self, dual: np.ndarray, weight: np.ndarray, floor: int | None, threshold: np.ndarray, limit: int | None = None
    ) -> Columns:
        """Every column whose reduced value (as in :meth:`price`) is at least its group's ``threshold``.

        With ``limit``, at most that many, those furthest above their threshold first.
        """
        ...

    def initial(self) -> Columns:
        """Columns to start from (each group's most valuable ones, say)."""
        ...


@dataclasses.dataclass(frozen=True)
class TierOutcome:
    """One tier's optimum: its integer ``value``, the ``bound`` proven over all columns, how its solve ended."""

    value: int
    bound: float
    status: SolveStatus
    method: str
    """``lp`` (an integral linear optimum, certified), ``repair`` (a fractional linear optimum whose fractional
    groups branch and bound settled at the bound), ``mip`` (branch and bound over every generated column),
    ``lp-bound`` (held at the bound of a fractional linear optimum, reached by a later tier's integer solution),
    ``bound`` (held, not yet reached)."""


class PackingSolver:
    """Optimises the tiers of a packing problem in turn (see the module docstring).

    Parameters
    ----------
    row_lo, row_hi : float arrays
        Bounds of the resource rows (``±inf`` for none).
    oracle : Oracle
        Prices the columns; row indices it returns are those of ``row_lo``.
    n_groups : int
    forced : bool array (groups), optional
        Groups that must take a column (pinned candidates).
    exempt : bool array (groups), optional
        Groups the ``fair`` floor does not apply to.
    segments : (row, values) or None
        Continuous segments: the balance row of each (coefficient -1) and their
        values per tier ``(tiers, n)``; segments of one row must be listed from the
        most to the least valuable (convex costs).
    time_limit : float, optional
        Seconds each branch and bound may take.
    incremental : bool, optional
        Passed to :class:`~matchwork.solve.lp.LinearModel`.
    """

    def __init__(
        self,
        row_lo: np.ndarray,
        row_hi: np.ndarray,
        oracle: Oracle,
        n_groups: int,
        *,
        forced: np.ndarray | None = None,
        exempt: np.ndarray | None = None,
        segments: tuple[np.ndarray, np.ndarray] | None = None,
        time_limit: float | None = None,
        incremental: bool | None = None,
    ):
        self.oracle = oracle
        self.n_groups = n_groups
        self.time_limit = time_limit
        self.forced = np.zeros(n_groups, dtype=bool) if forced is None else np.asarray(forced, dtype=bool)
        self.exempt = np.zeros(n_groups, dtype=bool) if exempt is None else np.asarray(exempt, dtype=bool)
        self.lp = LinearModel(incremental=incremental)
        self.n_struct = len(row_lo)
        self.lp.add_rows(np.asarray(row_lo, dtype=np.float64), np.asarray(row_hi, dtype=np.float64))
        self.group_row = self.lp.add_rows(self.forced.astype(np.float64), np.ones(n_groups))
        seg_row, seg_values = segments if segments is not None else (np.zeros(0, np.int64), None)
        self.seg_row = np.asarray(seg_row, dtype=np.int64)
        self.n_seg = len(self.seg_row)
        initial = oracle.initial()
        self.n_tiers = initial.values.shape[0]
        self.seg_values = (
            np.zeros((self.n_tiers, 0)) if seg_values is None else np.asarray(seg_values, dtype=np.float64)
        )
        self.seg_cols = self.lp.add_cols(
            np.zeros(self.n_seg), np.arange(self.n_seg + 1), self.seg_row, -np.ones(self.n_seg)
        )
        # one artificial column per forced group (value -1 in the "pins" tier): keeps every restricted
        # programme feasible until the oracle has found the group's real columns
        self.art_group = np.flatnonzero(self.forced)
        self.art_cols = self.lp.add_cols(
            np.zeros(len(self.art_group)), np.arange(len(self.art_group) + 1), self.group_row[self.art_group]
        )
        self.cols = Columns.concat([], self.n_tiers)
        self.col_index = np.zeros(0, dtype=np.int64)  # LP column of each generated column
        self._keys: set[int] = set()
        self.fixed: list[tuple[int, np.ndarray]] = []  # (row, weight) of each tier held
        self.floor: int | None = None
        self.incumbent: np.ndarray | None = None  # 0/1 per generated column
        self._weight = np.zeros(self.n_tiers)  # the objective being optimised
        self.batch = max(200, n_groups // 4)  # columns added per round of pricing, at most
        self.within_limit: int | None = WITHIN_LIMIT
        self._add(initial)
        self._pins_done = not self.forced.any()

    # ------------------------------------------------------------ columns

    def _add(self, cols: Columns) -> np.ndarray:
        if not len(cols):
            return np.zeros(0, dtype=np.int64)
        fresh = np.array([int(k) not in self._keys for k in cols.key], dtype=bool)
        fresh &= ~_duplicated(cols.key)
        cols = cols.take(fresh)
        if not len(cols):
            return np.zeros(0, dtype=np.int64)
        self._keys.update(int(k) for k in cols.key)
        counts = np.diff(cols.starts)
        n_fixed = len(self.fixed)
        # rows: the group row, the resource rows, then the tier rows held (coefficient: the tier value)
        per = 1 + counts + n_fixed
        starts = np.r_[0, np.cumsum(per)].astype(np.int64)
        index = np.empty(starts[-1], dtype=np.int64)
        value = np.ones(starts[-1])
        first = starts[:-1]
        index[first] = self.group_row[cols.group]
        body = np.repeat(first + 1, counts) + _ramp(counts)
        index[body] = cols.index
        for k, (row, weight) in enumerate(self.fixed):
            at = first + 1 + counts + k
            index[at] = row
            value[at] = weight @ cols.values
        hi = np.ones(len(cols))
        if self.floor is not None:
            hi = np.where((cols.level < self.floor) & ~self.exempt[cols.group], 0.0, 1.0)
        new = self.lp.add_cols(self._weight @ cols.values, starts, index, value, hi=hi)
        self.cols = Columns.concat([self.cols, cols], self.n_tiers)
        self.col_index = np.r_[self.col_index, new]
        if self.incumbent is not None:
            self.incumbent = np.r_[self.incumbent, np.zeros(len(cols))]
        return new

    def chosen(self) -> np.ndarray:
        """Indices (into the generated columns) of the columns of the last incumbent."""
        if self.incumbent is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.incumbent > 0.5)

    def chosen_keys(self) -> np.ndarray:
        """The keys of the chosen columns."""
        return self.cols.key[self.chosen()]

    # ------------------------------------------------------------ tiers

    def fix(self, weight: np.ndarray, value: int) -> None:
        """Hold a tier: ``weight @ values >= value`` from now on."""
        weight = np.asarray(weight, dtype=np.float64)
        cols = np.r_[self.col_index, self.seg_cols]
        coef = np.r_[weight @ self.cols.values, weight @ self.seg_values]
        nz = coef != 0
        row = self.lp.add_row(float(value), np.inf, cols[nz], coef[nz])
        self.fixed.append((row, weight))

    def restrict(self, floor: int | None) -> None:
        """Leave out columns whose level is below ``floor`` (but those of exempt groups); None lifts it."""
        self.floor = floor
        if len(self.cols):
            self.lp.set_bounds(self.col_index, 0.0, self._upper())

    def optimise(self, weight: np.ndarray) -> TierOutcome:
        """The integer optimum of ``weight @ values`` under the rows and the tiers held.

        Raises
        ------
        InfeasibleError
            If the forced groups cannot all take a column together.
        """
        if not self._pins_done:
            self._honour_pins()
        out = self._optimise(np.asarray(weight, dtype=np.float64), pins=False, exact=True)
        if out is None:
            raise RuntimeError("no integer solution satisfies the tiers held")
        return out

    def lexicographic(self, tiers: Sequence[tuple[str, np.ndarray]], *, warm: bool = True) -> dict[str, TierOutcome]:
        """Optimise ``tiers`` (name, weight) in order, each held once optimised; returns each one's outcome.

        A tier whose linear optimum is fractional is held at its bound (the floor of
        the linear optimum, which no integer solution exceeds) rather than solved by
        branch and bound at once: when the last tier finds an integer solution, that
        solution reaches every bound held, so each was the integer optimum. Only if
        none does is the earliest such tier solved by branch and bound and the
        tiers after it solved again.

        Raises
        ------
        InfeasibleError
            If the forced groups cannot all take a column together.
        """
        if not self._pins_done:
            self._honour_pins()
        weights = [np.asarray(w, dtype=np.float64) for _, w in tiers]
        if warm and len(tiers) > 1:
            # the last tier's linear optimum first: its columns (people spread for the best total) are what
            # the earlier tiers end up needing too, and each earlier tier then starts next to its optimum
            self._optimise(weights[-1], pins=False, exact=False)
        rows: dict[int, int] = {}
        exact = [False] * len(tiers)
        held: list[int] = []  # tiers held at a bound no integer solution has reached yet
        out: dict[int, TierOutcome] = {}
        i = 0
        while i < len(tiers):
            last = i == len(tiers) - 1
            got = self._optimise(weights[i], pins=False, exact=last or exact[i])
            if got is None:  # branch and bound found nothing that reaches the bounds held: settle the first one
                first = held[0]
                for k in range(first, i):
                    if k in rows:
                        self.lp.set_row_bounds(np.array([rows[k]]), -np.inf, np.inf)
                exact[first] = True
                held = []
                i = first
                continue
            out[i] = got
            if not last:
                if i in rows:
                    self.lp.set_row_bounds(np.array([rows[i]]), float(got.value), np.inf)
                else:
                    self.fix(weights[i], got.value)
                    rows[i] = self.fixed[-1][0]
                if got.method == "bound":
                    held.append(i)
            i += 1
        for k in held:  # reached by the last tier's integer solution
            out[k] = dataclasses.replace(out[k], method="lp-bound")
        return {name: out[k] for k, (name, _) in enumerate(tiers)}

    def _honour_pins(self) -> None:
        """Phase one: every forced group takes a real column, or the pins cannot be honoured."""
        zero = np.zeros(self.n_tiers)
        outcome = self._optimise(zero, pins=True, exact=True)
        if outcome is None or outcome.value < 0:
            raise InfeasibleError(outcome)
        self.lp.set_bounds(self.art_cols, 0.0, 0.0)
        self._pins_done = True

    def _objective(self, weight: np.ndarray, pins: bool) -> None:
        self._weight = weight
        cols = np.r_[self.col_index, self.seg_cols, self.art_cols]
        cost = np.r_[weight @ self.cols.values, weight @ self.seg_values, -np.ones(len(self.art_cols)) * pins]
        self.lp.set_cost(cols, cost)

    def _optimise(self, weight: np.ndarray, pins: bool, exact: bool) -> TierOutcome | None:
        """Column generation to the linear optimum; then its certificate, or branch and bound if ``exact``.

        Without ``exact``, a fractional linear optimum returns its bound (method
        ``"bound"``). None: branch and bound found no integer solution.
        """
        start = time.perf_counter()
        self._objective(weight, pins)
        solves: list[SolveStatus] = []
        while True:
            sol = self.lp.solve()
            solves.append(sol)
            if sol.status != "optimal" or sol.x is None or sol.row_dual is None:
                raise RuntimeError(f"the linear programme did not solve ({sol.status}: {sol.message})")
            dual = self._clip(sol.row_dual)
            effective = weight - sum((dual[row] * w for row, w in self.fixed), np.zeros(self.n_tiers))
            best, cols = self.oracle.price(dual[: self.n_struct], effective, self.floor)
            bound, group_dual = self._bound(dual, best, weight, pins)
            x, art = sol.x[self.col_index], self._art(sol.x, rounded=False)
            if _integral(x) and _integral(art):
                value = self._value(np.round(x), np.round(art), weight, pins)
                if value >= math.floor(bound + _slack(bound)):
                    self.incumbent = np.round(x)
                    return TierOutcome(value, bound, _merge(solves, start, "optimal", 0.0), "lp")
            # columns whose reduced value, their group's row included, is positive
            lp_group_dual = dual[self.group_row]
            gain = best[cols.group] - lp_group_dual[cols.group]
            improving = np.flatnonzero(gain > _tolerance(weight, cols))
            # a column already in the programme can look improving (at its upper bound, HiGHS may price the
            # bound instead of its group's row): leave those out before taking the best batch, or a batch of
            # them only would end the pricing with better columns still out (and a bound above the optimum)
            improving = improving[np.array([int(k) not in self._keys for k in cols.key[improving]], dtype=bool)]
            if len(improving) > self.batch:  # the most improving first: smaller programmes, fewer pivots
                improving = improving[np.argsort(-gain[improving], kind="stable")[: self.batch]]
            if len(self._add(cols.take(np.sort(improving)))):
                continue
            if not exact:
                self.incumbent = None
                target = math.floor(bound + _slack(bound))
                return TierOutcome(target, bound, _merge(solves, start, "optimal", 0.0), "bound")
            return self._branch(weight, pins, sol, dual, effective, bound, group_dual, solves, start)

    def _branch(
        self,
        weight: np.ndarray,
        pins: bool,
        lp: LinearSolution,
        dual: np.ndarray,
        effective: np.ndarray,
        bound: float,
        group_dual: np.ndarray,
        solves: list[SolveStatus],
        start: float,
    ) -> TierOutcome | None:
        """Branch and bound over the generated columns, after adding every column that could still help.

        A fractional linear optimum is first *repaired*: every column of the groups
        that are not fractional is held where it is, and branch and bound settles
        only the fractional groups (often a few halves). If that reaches the bound,
        the answer is proven optimal without a branch and bound over everything.
        """
        target = math.floor(bound + _slack(bound))
        repaired = self._repair(weight, pins, target, lp, solves, dual, effective, bound, group_dual)
        known = -np.inf
        if repaired is not None:
            known = self._value(repaired, np.zeros(len(self.art_cols)), weight, pins)
            if known >= target:
                self.incumbent = repaired
                return TierOutcome(int(known), bound, _merge(solves, start, "optimal", 0.0), "repair")
        if not np.isfinite(known):
            return self._full_mip(weight, pins, dual, effective, bound, group_dual, target, solves, start)
        # a better solution than the repair's could use only the columns within (bound - known - 1) of their
        # group's best: add those not generated yet, set aside every generated one that falls short
        assert repaired is not None
        threshold = group_dual + (known + 1) - bound - _slack(bound)
        _, complete = self._within(dual, effective, threshold, solves)
        free = ~self._short(dual, group_dual, threshold) & (self._upper() > 0)
        repaired = np.r_[repaired, np.zeros(len(self.col_index) - len(repaired))]
        found, how, best_bound = self._sub_milp(free, np.zeros(len(self.col_index)), solves, self._seconds(complete))
        x, value = repaired, int(known)
        if found is not None:
            found_value = self._value(found, np.zeros(len(self.art_cols)), weight, pins)
            if found_value > known:
                x, value = found, found_value
        self.incumbent = x
        if how in ("optimal", "infeasible") and complete:  # nothing better than the answer exists
            return TierOutcome(int(value), bound, _merge(solves, start, "optimal", 0.0), "mip")
        if best_bound is None or not complete:  # a search over part of the columns proves nothing of the rest
            proven = target
        else:
            proven = min(target, math.floor(best_bound + _slack(best_bound)))
        gap = max(proven - value, 0) / max(abs(proven), 1.0)
        return TierOutcome(int(value), bound, _merge(solves, start, "time_limit", gap), "mip")

    def _within(
        self, dual: np.ndarray, effective: np.ndarray, threshold: np.ndarray, solves: list[SolveStatus]
    ) -> tuple[np.ndarray, bool]:
        """Add the columns within ``threshold`` (at most :attr:`within_limit`); whether all of them came."""
        limit = self.within_limit
        cols = self.oracle.within(dual[: self.n_struct], effective, self.floor, threshold, limit)
        complete = limit is None or len(cols) < limit
        if not complete:
            message = f"more than {limit} columns could lift the tier: branch and bound over the best {limit}"
            solves.append(SolveStatus("time_limit", None, 0.0, message))
        return self._add(cols), complete

    def _short(self, dual: np.ndarray, group_dual: np.ndarray, threshold: np.ndarray) -> np.ndarray:
        """Generated columns whose reduced value (their group's row aside) is below their group's threshold."""
        if not len(self.col_index):
            return np.zeros(0, dtype=bool)
        a = self.lp.matrix().tocsc()[:, self.col_index]
        reduced = self.lp.cost[self.col_index] - a.T @ dual + dual[self.group_row[self.cols.group]]
        return np.asarray(reduced < threshold[self.cols.group] - 1e-9)

    def _full_mip(
        self,
        weight: np.ndarray,
        pins: bool,
        dual: np.ndarray,
        effective: np.ndarray,
        bound: float,
        group_dual: np.ndarray,
        target: int,
        solves: list[SolveStatus],
        start: float,
    ) -> TierOutcome | None:
        """Branch and bound over every generated column, then over what could beat its answer."""
        sol = self._mip(solves)
        complete = True
        if sol.status == "optimal" and sol.x is not None:
            value = self._value(np.round(sol.x[self.col_index]), self._art(sol.x), weight, pins)
            if value < target:  # now that a solution is known, add what could beat it, and solve again
                threshold = group_dual + (value + 1) - bound - _slack(bound)
                added, complete = self._within(dual, effective, threshold, solves)
                if len(added):
                    old = self.col_index[self.col_index < len(sol.x)]
                    self.lp.hint(old, np.round(sol.x[old]))
                    sol = self._mip(solves, self._seconds(complete))
        self.lp.set_integral(self.col_index, False)
        if sol.x is None:
            return None
        x = np.round(sol.x[self.col_index])
        value = self._value(x, self._art(sol.x), weight, pins)
        self.incumbent = x
        if sol.status == "optimal" and complete:
            return TierOutcome(int(value), bound, _merge(solves, start, "optimal", 0.0), "mip")
        if sol.bound is None or not complete:
            proven = target
        else:
            proven = min(target, math.floor(sol.bound + _slack(sol.bound)))
        gap = max(proven - value, 0) / max(abs(proven), 1.0)
        return TierOutcome(int(value), bound, _merge(solves, start, "time_limit", gap), "mip")

    def _repair(
        self,
        weight: np.ndarray,
        pins: bool,
        target: int,
        sol: LinearSolution,
        solves: list[SolveStatus],
        dual: np.ndarray,
        effective: np.ndarray,
        bound: float,
        group_dual: np.ndarray,
    ) -> np.ndarray | None:
        """Branch and bound over the fractional groups only, the rest held: an integer choice (None if none).

        The small programme has every column of the fractional groups that a
        solution reaching ``target`` could use (reduced-cost fixing), the segments of
        the rows they touch, and those rows with what the held columns already use.
        """
        if pins or sol.x is None or not len(self.col_index):
            return None
        x = sol.x[self.col_index]
        fractional = np.abs(x - np.round(x)) >= _INTEGRAL
        if not fractional.any() or fractional.sum() > 5_000:
            return None
        # the fractional groups, and every group with a column on a row they touch (one ring further)
        touched = np.zeros(self.lp.n_rows, dtype=bool)
        counts = np.diff(self.cols.starts)
        owner = np.repeat(np.arange(len(self.cols)), counts)
        touched[self.cols.index[fractional[owner]]] = True
        ring = np.zeros(len(self.cols), dtype=bool)
        np.logical_or.at(ring, owner, touched[self.cols.index])
        groups = np.unique(np.r_[self.cols.group[fractional], self.cols.group[ring & (x > _INTEGRAL)]])
        threshold = np.full(self.n_groups, np.inf)
        threshold[groups] = group_dual[groups] + (target - bound) - _slack(bound)
        added, complete = self._within(dual, effective, threshold, [])  # a repair reaching its target needs no more
        x = np.r_[sol.x, np.zeros(len(added))][self.col_index]
        free = np.isin(self.cols.group, groups) & (self._upper() > 0)
        choice, _, _ = self._sub_milp(free, np.round(x), solves, self._seconds(complete))
        return choice

    def _sub_milp(
        self, free: np.ndarray, held: np.ndarray, solves: list[SolveStatus], seconds: float | None = None
    ) -> tuple[np.ndarray | None, str, float | None]:
        """Branch and bound over the ``free`` generated columns alone, the others held at ``held`` (0 or 1).

        The programme has the free columns, the segments of the rows they touch, and
        those rows less what the held columns use. Returns the whole 0/1 choice (None
        if none was found), how the solve ended and its proven bound.
        """
        a = self.lp.matrix().tocsc()
        free_cols = self.col_index[free]
        rows = np.unique(a[:, free_cols].tocoo().row)
        seg_free = np.isin(self.seg_row, rows)
        var = np.r_[free_cols, self.seg_cols[seg_free]]
        x_held = np.zeros(self.lp.n_cols)
        x_held[self.col_index[~free]] = held[~free]
        sub = a[rows][:, var]
        used = a[rows] @ x_held
        lo, hi = self.lp.row_lo[rows] - used, self.lp.row_hi[rows] - used
        cost = self.lp.cost[var]
        integrality = np.r_[np.ones(len(free_cols)), np.zeros(int(seg_free.sum()))]
        options: dict[str, float] = {"mip_rel_gap": 0.0}
        seconds = self.time_limit if seconds is None else seconds
        if seconds is not None:
            options["time_limit"] = float(seconds)
        start = time.perf_counter()
        res = milp(
            -cost,
            constraints=[LinearConstraint(sub, lo - 1e-9, hi + 1e-9)],
            integrality=integrality,
            bounds=Bounds(np.zeros(len(var)), self.lp.col_hi[var]),
            options=options,
        )
        status = {0: "optimal", 2: "infeasible"}.get(int(res.status), "time_limit")
        solves.append(SolveStatus(status, None, time.perf_counter() - start, str(res.message)))  # type: ignore[arg-type]
        bound = getattr(res, "mip_dual_bound", None)
        bound = None if bound is None or not np.isfinite(bound) else float(cost @ np.zeros(len(var)) - bound)
        if res.x is None:
            return None, status, bound
        choice = held.copy()
        choice[free] = np.round(res.x[: len(free_cols)])
        return choice, status, bound

    def _upper(self) -> np.ndarray:
        """Each generated column's upper bound under the floor in force."""
        if self.floor is None or not len(self.cols):
            return np.ones(len(self.cols))
        below = (self.cols.level < self.floor) & ~self.exempt[self.cols.group]
        return np.where(below, 0.0, 1.0)

    def _seconds(self, complete: bool) -> float | None:
        """The time limit of a branch and bound over all the columns that matter (``complete``) or part of them."""
        if complete or self.time_limit is not None:
            return self.time_limit
        return PARTIAL_SECONDS

    def _mip(self, solves: list[SolveStatus], seconds: float | None = None) -> LinearSolution:
        self.lp.set_integral(np.r_[self.col_index, self.art_cols], True)
        sol = self.lp.solve(time_limit=self.time_limit if seconds is None else seconds)
        solves.append(sol)
        self.lp.set_integral(self.art_cols, False)
        return sol

    def _art(self, x: np.ndarray, *, rounded: bool = True) -> np.ndarray:
        art = x[self.art_cols] if len(self.art_cols) else np.zeros(0)
        return np.round(art) if rounded else art

    # ------------------------------------------------------------ values and bounds

    def _value(self, x: np.ndarray, art: np.ndarray, weight: np.ndarray, pins: bool) -> int:
        """The exact integer objective of a 0/1 choice (segments filled from the most valuable)."""
        chosen = x > 0.5
        total = int(np.round(weight @ self.cols.values[:, chosen].sum(axis=1))) if chosen.any() else 0
        if self.n_seg and np.any(weight @ self.seg_values != 0):
            use = np.zeros(self.lp.n_rows)
            counts = np.diff(self.cols.starts)[chosen]
            rows = self.cols.index[np.repeat(self.cols.starts[:-1][chosen], counts) + _ramp(counts)]
            np.add.at(use, rows, 1.0)
            seg_value = weight @ self.seg_values
            # segments of a row are listed most valuable first: the first `use` of them are filled
            order = np.argsort(self.seg_row, kind="stable")
            first = np.searchsorted(self.seg_row[order], self.seg_row[order], side="left")
            rank = np.arange(self.n_seg) - first
            filled = rank < use[self.seg_row[order]]
            total += int(np.round(seg_value[order][filled].sum()))
        if pins:
            total -= int(np.round(art.sum()))
        return int(total)

    def _clip(self, dual: np.ndarray) -> np.ndarray:
        """Row duals with the signs a bound needs: none on a side a row does not have."""
        lo, hi = self.lp.row_lo, self.lp.row_hi
        return np.where((dual > 0) & ~np.isfinite(hi), 0.0, np.where((dual < 0) & ~np.isfinite(lo), 0.0, dual))

    def _bound(self, dual: np.ndarray, best: np.ndarray, weight: np.ndarray, pins: bool) -> tuple[float, np.ndarray]:
        """The Lagrangian bound over every column, and the group duals it uses."""
        lo, hi = self.lp.row_lo, self.lp.row_hi
        free = np.ones(self.lp.n_rows, dtype=bool)
        free[self.group_row] = False
        y = dual[free]
        terms = [np.where(y > 0, y * np.where(np.isfinite(hi[free]), hi[free], 0.0), 0.0)]
        terms.append(np.where(y < 0, y * np.where(np.isfinite(lo[free]), lo[free], 0.0), 0.0))
        # a group's dual: its best column's reduced value (at least 0 unless the group is forced)
        best = best.copy()
        if pins and len(self.art_group):  # the artificial column is a column of its group too
            best[self.art_group] = np.maximum(best[self.art_group], -1.0)
        group_dual = np.where(self.forced, best, np.maximum(best, 0.0))
        # a forced group with no column left has no solution at all: the bound is -inf
        terms.append(group_dual)
        if self.n_seg:
            seg_rc = weight @ self.seg_values + dual[self.seg_row]
            seg_rc = np.where(self.lp.col_hi[self.seg_cols] > 0, seg_rc, 0.0)
            terms.append(np.maximum(seg_rc, 0.0))
        return math.fsum(np.concatenate(terms).tolist()), group_dual


class InfeasibleError(RuntimeError):
    """The forced groups cannot all take a column together (pins that exceed a capacity)."""

    def __init__(self, outcome: TierOutcome | None):
        super().__init__("the forced groups cannot all take a column together")
        self.outcome = outcome


def _integral(x: np.ndarray) -> bool:
    return bool(np.all(np.abs(x - np.round(x)) < _INTEGRAL))


def _slack(bound: float) -> float:
    """Rounding room when a bound computed in floating point is compared with integers."""
    return 1e-6 + 1e-12 * abs(bound)


def _tolerance(weight: np.ndarray, cols: Columns) -> float:
    scale = float(np.abs(weight) @ np.abs(cols.values).max(axis=1, initial=0)) if len(cols) else 1.0
    return 1e-9 * max(scale, 1.0)


def _merge(solves: list[SolveStatus], start: float, status: str, gap: float | None) -> SolveStatus:
    message = "; ".join(dict.fromkeys(s.message for s in solves if s.message))
    return SolveStatus(status, gap, time.perf_counter() - start, message)  # type: ignore[arg-type]


def _ramp(counts: np.ndarray) -> np.ndarray:
    """0, 1, …, counts[i] - 1 for each i, concatenated."""
    counts = np.asarray(counts, dtype=np.int64)
    if not len(counts):
        return np.zeros(0, dtype=np.int64)
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def _duplicated(key: np.ndarray) -> np.ndarray:
    """True for every repeat of a key after its first occurrence."""
    _, first = np.unique(key, return_index=True)
    out = np.ones(len(key), dtype=bool)
    out[first] = False
    return out


class TableOracle:
    """An oracle over columns written down in full: for small problems and tests.

    Parameters
    ----------
    group : int array (n,)
    rows : list of lists of int
        Resource rows of each column.
    values : int array (tiers, n)
    n_rows : int
    level : int array (n,), optional
    exempt : bool array (groups), optional
    n_groups : int, optional
        Default: one more than the largest group.
    """

    def __init__(
        self,
        group: np.ndarray,
        rows: Sequence[Sequence[int]],
        values: np.ndarray,
        n_rows: int,
        level: np.ndarray | None = None,
        exempt: np.ndarray | None = None,
        n_groups: int | None = None,
    ):
        counts = np.array([len(r) for r in rows], dtype=np.int64)
        index = np.array([i for r in rows for i in r], dtype=np.int64)
        n = len(group)
        self.columns = Columns(
            np.asarray(group, dtype=np.int64),
            np.r_[0, np.cumsum(counts)].astype(np.int64),
            index,
            np.asarray(values, dtype=np.int64).reshape(-1, n),
            np.arange(n, dtype=np.int64),
            np.zeros(n, dtype=np.int64) if level is None else np.asarray(level, dtype=np.int64),
        )
        self.n_groups = int(self.columns.group.max(initial=-1)) + 1 if n_groups is None else n_groups
        self.exempt = np.zeros(self.n_groups, dtype=bool) if exempt is None else np.asarray(exempt, dtype=bool)
        self.n_rows = n_rows

    def _reduced(self, dual: np.ndarray, weight: np.ndarray, floor: int | None) -> np.ndarray:
        c = self.columns
        owner = np.repeat(np.arange(len(c)), np.diff(c.starts))
        used = np.bincount(owner, weights=dual[c.index], minlength=len(c))
        out = weight @ c.values - used
        if floor is not None:
            out = np.where((c.level < floor) & ~self.exempt[c.group], -np.inf, out)
        return out

    def price(self, dual: np.ndarray, weight: np.ndarray, floor: int | None) -> tuple[np.ndarray, Columns]:
        r = self._reduced(dual, weight, floor)
        best = np.full(self.n_groups, -np.inf)
        np.maximum.at(best, self.columns.group, r)
        pick = np.flatnonzero(np.isfinite(r) & (r >= best[self.columns.group]))
        pick = pick[~_duplicated(self.columns.group[pick])]
        return best, self.columns.take(pick)

    def within(
        self, dual: np.ndarray, weight: np.ndarray, floor: int | None, threshold: np.ndarray, limit: int | None = None
    ) -> Columns:
        r = self._reduced(dual, weight, floor)
        margin = r - threshold[self.columns.group]
        keep = np.flatnonzero(np.isfinite(r) & (margin >= -1e-9))
        if limit is not None and len(keep) > limit:
            keep = np.sort(keep[np.argsort(-margin[keep], kind="stable")[:limit]])
        return self.columns.take(keep)

    def initial(self) -> Columns:
        return self.columns.take(np.zeros(0, dtype=np.int64))
