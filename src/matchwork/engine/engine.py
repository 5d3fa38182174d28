"""The matching engine: a round's three stages, each formulated as an exact optimisation.

One module per stage formulation (:mod:`~matchwork.engine.joint`,
:mod:`~matchwork.engine.squad`, :mod:`~matchwork.engine.peer`); :class:`Engine`
runs them in turn and builds the :class:`~matchwork.MatchResult`, to which it hands
the means to re-solve the same round with a change (for what-if questions) and the
explanation layer.

1. **Site and lead guide, jointly.** A candidate takes a position and a lead guide
   of that same site in one min-cost flow::

       source ─1─▶ candidate ─option─▶ lead guide ─lead cap (convex)─▶ position ─openings─▶ site ─limit─▶ sink

   Each option arc is a (candidate, lead guide, position) triple allowed by every
   rule, worth the site score plus the guide score (plus the continuity bonus for
   pairings in place). Capacities nest: a guide's lead capacity inside its
   position's openings inside the site's limit (the smaller of the legal trainee
   limit and the company tutors' limit). When a site's structure is not nested —
   a lead guide free to lead in any of several positions, or a legal limit that
   counts only the non-exempt candidates — the crossing constraints become side
   rows and HiGHS solves the LP (and, if ever fractional, the MILP).
2. **Squad.** Each placed candidate gets ``squad_size`` more guide workers of the
   same site: a b-matching flow within each guide's total capacity, net of the new
   leads, with convex costs so that load spreads.
3. **Peer supporter.** Placed candidates who want one get a peer supporter within
   each supporter's weekly hours (lower while new). When every candidate needs
   the same hours this is a flow; otherwise a MILP (``scipy.optimize.milp``) with
   convex hour costs.

Every stage places as many as it can first and only then maximises the score
(zero exclusion). Pins are lower bounds; forbidden pairs never enter the network.
Inputs are sorted by id, so the same round in any row order gives the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any, TypeVar

from matchwork.engine.context import SCALE, StageContext
from matchwork.engine.joint import joint_options, solve_joint
from matchwork.engine.peer import hour_cost, hour_segments, solve_peer
from matchwork.engine.squad import solve_squad
from matchwork.explain import EXPLAINER
from matchwork.model.policy import Policy
from matchwork.model.round import Round
from matchwork.result import MatchResult, StageSolution
from matchwork.scoring.capacity import Capacities
from matchwork.scoring.features import Feature
from matchwork.scoring.scorer import Scorer

__all__ = ["SCALE", "Engine", "hour_cost", "hour_segments", "match"]

T = TypeVar("T")
Timed = Callable[[str, Callable[[], Any]], Any]
"""``timed(stage, step)`` runs a stage's step and returns its value (batch runs time them)."""


def match(
    rnd: Round,
    policy: Policy | None = None,
    *,
    objective: str | None = None,
    backend: str | None = None,
    features: Sequence[Feature] = (),
    executor: Executor | None = None,
) -> MatchResult:
    """Match a round: site and lead guide, then squad, then peer supporter.

    Parameters
    ----------
    rnd : Round
    policy : Policy, optional
        Defaults to :meth:`Policy.default`.
    objective : {"total", "fair"}, optional
        Overrides ``policy.solver.objective``.
    backend : {"auto", "highs", "networkx", "ortools"}, optional
        Overrides ``policy.solver.backend``.
    features : sequence of Feature
        Extra features the policy's weights may name.
    executor : concurrent.futures.Executor, optional
        Scores large rounds in parallel blocks.

    Returns
    -------
    MatchResult
        Every candidate exactly once, matched or unmatched with reasons.

    Raises
    ------
    MatchError
        When pins cannot all be honoured (a rule forbids a pinned pair, or pins
        exceed a capacity).

    Examples
    --------
    >>> import matchwork as mw
    >>> result = mw.match(mw.synth.round(60, seed=1))
    >>> sorted(result.assignments["status"].unique())
    ['matched', 'unmatched']
    >>> len(result.assignments) == 60
    True
    """
    policy = (policy or Policy.default()).with_solver(objective=objective, backend=backend)
    scores = Scorer(rnd, policy, features=features).scores(executor=executor)
    return Engine(scores).run()


class Engine(StageContext):
    """Solves the three stages of a scored round; see the module docstring."""

    def joint_options(self) -> dict[str, Any]:
        """Every allowed (candidate, position, lead guide) triple with its scores."""
        return joint_options(self)

    def joint(self) -> StageSolution:
        """Stage 1: site and lead guide."""
        return solve_joint(self)

    def squad(self, joint: StageSolution) -> StageSolution:
        """Stage 2: squads at the sites of stage 1."""
        return solve_squad(self, joint)

    def peer(self, joint: StageSolution) -> StageSolution:
        """Stage 3: peer supporters for the people placed in stage 1."""
        return solve_peer(self, joint)

    def run(self, timed: Timed | None = None) -> MatchResult:
        """Solve the stages in turn (each through ``timed``, if given) and build the result."""
        step: Timed = timed or (lambda _stage, fn: fn())
        joint = step("site_and_lead", self.joint)
        squad = step("squad", lambda: self.squad(joint))
        peer = step("peer", lambda: self.peer(joint))
        return MatchResult(
            scores=self.scores,
            joint=joint,
            squad=squad,
            peer=peer,
            existing=self.existing,
            resolve=self.resolve,
            explainer=EXPLAINER,
        )

    def resolve(self, rnd: Round | None = None, capacities: Capacities | None = None) -> MatchResult:
        """The same round (or ``rnd``) matched again under the same policy and features, with ``capacities``.

        What-if questions (why not this pair, what would one more slot be worth) are
        this call with one change; every other input stays as it was.
        """
        scorer = self.scores.scorer
        features = [f for fs in scorer.features.values() for f in fs]
        new = Scorer(rnd if rnd is not None else scorer.round, scorer.policy, features=features, capacities=capacities)
        return Engine(new.scores(dense=self.scores.site.dense)).run()
