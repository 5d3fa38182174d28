"""The matching engine: a round's stages, each formulated as an exact optimisation.

One module per stage formulation (:mod:`~matchwork.engine.joint` with
:mod:`~matchwork.engine.squad`, :mod:`~matchwork.engine.peer`); :class:`Engine`
runs them in turn and builds the :class:`~matchwork.MatchResult`, to which it hands
the means to re-solve the same round with a change (for what-if questions) and the
explanation layer.

1. **Site, lead guide and squad, together.** Each candidate takes a position, a
   lead guide of that site and a squad of ``squad_size`` more guide workers of the
   same site, in one lexicographic optimisation: the most people placed (with a
   full squad, by default), then — for ``fair`` — the highest lowest placement
   score, then the most squad members, then the best total with convex load costs.
   Column generation over whole options with a certificate of optimality per tier,
   branch and bound where the linear optimum is fractional
   (:mod:`~matchwork.engine.joint`).
2. **Peer supporter.** Placed candidates who want one (and people waiting, when
   ``policy.team.peer_for_waiting``) get a peer supporter within each supporter's
   weekly hours and people (lower while new), none in a therapeutic relationship
   with the person's team. When every candidate needs the same hours this is a
   flow; otherwise the hour-unit flow bounds it and exact MILPs repair the people
   it splits, after reduced-cost fixing (:mod:`~matchwork.engine.peer`).

Every stage places as many as it can first and only then maximises the score
(zero exclusion). Pins are hard; forbidden pairs never become options.
Inputs are sorted by id, so the same round in any row order gives the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any, TypeVar

from matchwork.engine.context import SCALE, StageContext
from matchwork.engine.continuity import ContinuityPlan, plan
from matchwork.engine.joint import JointSolution, joint_options, solve_joint
from matchwork.engine.peer import hour_cost, hour_segments, peer_scores, solve_peer
from matchwork.engine.refill import refill
from matchwork.explain import EXPLAINER
from matchwork.model.policy import Policy
from matchwork.model.round import Round
from matchwork.result import MatchResult, StageSolution
from matchwork.scoring.capacity import Capacities
from matchwork.scoring.features import Feature
from matchwork.scoring.scorer import Scorer, Scores

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
    """Match a round: site, lead guide and squad together, then peer supporter.

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
    kept = refill(plan(rnd, policy), policy)
    scores = Scorer(kept.round, policy, features=features).scores(executor=executor)
    engine = Engine(scores)
    engine.continuity = kept
    return engine.run()


class Engine(StageContext):
    """Solves the three stages of a scored round; see the module docstring.

    ``continuity`` (set by :func:`match`) holds the people whose placements in place
    are kept and the changes of ongoing pairings; the result shows both.
    """

    continuity: ContinuityPlan | None = None

    def joint_options(self) -> dict[str, Any]:
        """Every allowed (candidate, position, lead guide) triple with its scores."""
        return joint_options(self)

    def joint(self) -> JointSolution:
        """Stages 1 and 2: position, lead guide and squad together."""
        return solve_joint(self)

    def peer(self, joint: StageSolution, scores: Scores | None = None) -> StageSolution:
        """Stage 3: peer supporters for the people placed in stage 1 (and those waiting, if the policy says so).

        ``scores``: the round's scores with the peer table checked against each
        person's team (:func:`~matchwork.engine.peer.peer_scores`); default: as scored.
        """
        return solve_peer(self, joint, scores)

    def run(self, timed: Timed | None = None) -> MatchResult:
        """Solve the stages in turn (each through ``timed``, if given) and build the result.

        Timed steps: ``site_and_lead`` (the joint solve of position, lead and squad),
        ``squad`` (reading the squads off it), ``peer``.
        """
        step: Timed = timed or (lambda _stage, fn: fn())
        both = step("site_and_lead", self.joint)
        squad = step("squad", lambda: both.squad)
        scores = peer_scores(self, both.joint, squad)  # the peer table checked against each person's team
        peer = step("peer", lambda: self.peer(both.joint, scores))
        return MatchResult(
            scores=scores,
            joint=both.joint,
            squad=squad,
            peer=peer,
            existing=self.existing,
            resolve=self.resolve,
            explainer=EXPLAINER,
            kept=None if self.continuity is None else self.continuity.kept,
            changes=None if self.continuity is None else self.continuity.changes,
            full_round=None if self.continuity is None else self.continuity.full,
            kept_scores=None if self.continuity is None else (self.continuity.tables, self.continuity.pairs),
        )

    def resolve(self, rnd: Round | None = None, capacities: Capacities | None = None) -> MatchResult:
        """The same round (or ``rnd``) matched again under the same policy and features, with ``capacities``.

        What-if questions (why not this pair, what would one more slot be worth) are
        this call with one change; every other input stays as it was.
        """
        scorer = self.scores.scorer
        features = [f for fs in scorer.features.values() for f in fs]
        new = Scorer(rnd if rnd is not None else scorer.round, scorer.policy, features=features, capacities=capacities)
        engine = Engine(new.scores(dense=self.scores.site.dense))
        engine.continuity = self.continuity
        return engine.run()
