"""The round generators draw rounds the solver has real work on (issue 14, Deliver 5)."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis.internal.conjecture.providers import HypothesisProvider

import matchwork as mw
from reference_joint import JointInfeasibleError, joint_problem, solve_milp

from strategies import matchable_cases

EFFECTIVE_ROLE = {"site": "site", "position": "site", "guide": "lead_guide", "peer": "peer"}


@dataclasses.dataclass
class Figures:
    """What a sample of generated rounds holds and how ``mw.match`` fares on it."""

    share_placed: list[float] = dataclasses.field(default_factory=list)
    candidates: list[int] = dataclasses.field(default_factory=list)
    pins: list[int] = dataclasses.field(default_factory=list)
    engine_raised: int = 0
    pins_impossible: int = 0  # rounds whose pins the exact joint model cannot honour
    roles: Counter[str] = dataclasses.field(default_factory=Counter)


def measure(rnd: mw.Round, policy: mw.Policy, figures: Figures) -> None:
    try:
        result = mw.match(rnd, policy)
    except mw.MatchError:
        # pins that cannot be honoured: the share placed is then measured without them
        figures.engine_raised += 1
        result = mw.match(rnd.replace(pins=[]), policy)
    figures.share_placed.append(float((result.assignments["status"] == "matched").mean()))
    figures.candidates.append(len(rnd.candidates))
    figures.pins.append(len(rnd.pins))
    try:
        solve_milp(joint_problem(mw.score(rnd, policy), require_full=False))
    except JointInfeasibleError:
        figures.pins_impossible += 1
    for pin in rnd.pins:
        role = pin.role.value if pin.role else EFFECTIVE_ROLE[str(rnd.role_of(pin.partner_id))]
        figures.roles[f"pin {role}"] += 1
    for pairing in rnd.pairings:
        figures.roles[f"pairing {pairing.role.value}"] += 1
    for forbid in rnd.forbids:
        figures.roles[f"forbid {forbid.role.value if forbid.role else 'all'}"] += 1
    if any(v > 0 for v in policy.scoring.min_score.values()):
        figures.roles["min_score"] += 1


def test_generated_rounds_place_people_and_carry_pins_and_pairings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over 60 rounds of ``matchable_cases`` (derandomised, so the figures repeat for one version of the code):

    measured (run with ``-s`` to print them) — 0.53 of each round's candidates placed
    on average (with full squads, the default, and issue 18's leads on the position's
    shifts; 3.3 candidates on average); 1.75 pins per round, pins in 72 % of rounds (83
    site or position, 10 lead guide, 11 squad, 1 peer); 59 pairings in place (29 site,
    22 lead guide, 3 squad, 5 peer); forbids of site 7, every role 16, guide 2, lead
    guide 1; a minimum score in 9 policies. The exact joint model found the pins
    impossible in 9 rounds, and the engine raised on those 9, and only those.
    The thresholds below leave a margin: the draws move whenever scoring or the
    readers change.
    """
    figures = Figures()
    cases: list[tuple[mw.Round, mw.Policy]] = []
    # Hypothesis mixes in constants read from every local module loaded so far, so a derandomised
    # sample depended on which tests ran before (CI drew 13 forbids where a lone run drew 40);
    # without them the sample is the same alone and inside the suite
    monkeypatch.setattr(HypothesisProvider, "_maybe_draw_constant", lambda *args, **kwargs: None)

    # the sample is drawn first, the engine run after: what Hypothesis draws next depends on how each
    # example ran, so measuring inside the loop would tie the sample to the engine
    @settings(max_examples=60, derandomize=True, database=None, deadline=None, phases=[Phase.generate])
    @given(case=matchable_cases())
    def collect(case: tuple[mw.Round, mw.Policy]) -> None:
        cases.append(case)

    collect()
    for case in cases:
        measure(*case, figures)
    print(  # the figures quoted in the docstring
        f"placed {np.mean(figures.share_placed):.2f}, candidates {np.mean(figures.candidates):.1f}, "
        f"pins/round {np.mean(figures.pins):.2f}, rounds with pins {np.mean(np.array(figures.pins) > 0):.2f}, "
        f"engine raised {figures.engine_raised}, pins impossible {figures.pins_impossible}, {dict(figures.roles)}"
    )
    n = len(figures.share_placed)
    assert n == 60
    assert np.mean(figures.share_placed) >= 0.5, np.mean(figures.share_placed)  # issue 14: at least half
    assert np.mean(figures.candidates) >= 2.0 and max(figures.candidates) >= 6
    assert np.mean(np.array(figures.pins) > 0) >= 0.5 and np.mean(figures.pins) >= 0.6
    for role in ("site", "lead_guide", "guide", "peer"):
        assert figures.roles[f"pin {role}"] >= 1, (role, figures.roles)
        assert figures.roles[f"pairing {role}"] >= 1, (role, figures.roles)
    forbids = {k for k in figures.roles if k.startswith("forbid ")}
    assert len(forbids) >= 3 and forbids & {"forbid lead_guide", "forbid guide"}, figures.roles
    assert figures.roles["min_score"] >= 5
    # most pins can be honoured, not all; the engine raises exactly where no solution honours them
    assert 1 <= figures.pins_impossible <= n // 4, figures.pins_impossible
    assert figures.engine_raised == figures.pins_impossible


@settings(max_examples=30, deadline=None)
@given(case=matchable_cases())
def test_generated_peer_pairings_are_carried_in_hours(case: tuple[mw.Round, mw.Policy]) -> None:
    """A peer supporter's hours in use cover the pairings in place with them (the round checks guides and sites)."""
    rnd, policy = case
    need = {c.id: policy.caps.hours_by_intensity[c.support_intensity] for c in rnd.candidates}
    carried: defaultdict[str, float] = defaultdict(float)
    for p in rnd.pairings:
        if p.role.value == "peer":
            carried[p.partner_id] += need[p.candidate_id]
    for e in rnd.peers:
        assert e.hours_in_use >= carried[e.id]
        assert e.hours_per_week is None or e.hours_in_use <= e.hours_per_week
