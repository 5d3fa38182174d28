"""The matching engine against brute force, across backends, and its invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchwork as mw
from matchwork.engine import SCALE, hour_cost, hour_segments
from matchwork.errors import MatchError
from matchwork.model.vocab import SiteKind
from matchwork.scoring.rules import role_mask
from matchwork.solve import available_backends, solve

from brute import joint_best, peer_best, squad_best
from strategies import rounds


def tiny(seed: int, n: int = 4, sites: int = 2, guides: int = 4, peers: int = 2) -> mw.Round:
    return mw.synth.round(n, seed=seed, n_sites=sites, n_guides=guides, n_peers=peers)


def lombardy(policy: mw.Policy) -> mw.Policy:
    return policy.model_copy(
        update={"trainee_limits": policy.trainee_limits.model_copy(update={"rule_set": "lombardia"})}
    )


def joint_value(result: mw.MatchResult) -> tuple[int, int]:
    joint = result.stages["joint"]
    return int(joint.chosen.sum()), -joint.flow.cost


def check_brute(rnd: mw.Round, policy: mw.Policy) -> None:
    result = mw.match(rnd, policy)
    scores = mw.score(rnd, policy, dense=True)
    assert joint_value(result) == joint_best(scores, result.existing, policy)
    squad = result.stages["squad"]
    assert (int(squad.chosen.sum()), -squad.flow.cost) == squad_best(scores, result, result.existing, policy)
    peer = result.stages["peer"]
    count, best = peer_best(scores, result, result.existing, policy)
    assert int(peer.chosen.sum()) == count
    cap, o, ch = scores.capacities, peer.options, peer.chosen
    hours = np.bincount(o["peer"][ch], weights=o["hours"][ch], minlength=len(scores.arrays.peers))
    w = policy.solver.peer_load_cost * SCALE
    cost = sum(
        float(hour_cost(np.array(h), *hour_segments(u, lim, room, w)))
        for h, u, lim, room in zip(hours, cap.peer_limit - cap.peer_hours, cap.peer_limit, cap.peer_hours, strict=True)
    )
    value = o["gain"][ch].sum() - cost
    assert value >= best - len(scores.arrays.peers)  # up to the rounding of marginal hour costs to integers


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 5), objective=st.sampled_from(["total"]))
def test_every_stage_is_optimal_against_brute_force(seed: int, n: int, objective: str) -> None:
    rnd = tiny(seed, n=n, sites=2, guides=4, peers=2)
    check_brute(rnd, mw.Policy.default())


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_load_costs_and_lombardy_against_brute_force(seed: int) -> None:
    policy = lombardy(mw.Policy.default())
    policy = policy.model_copy(update={"solver": policy.solver.model_copy(update={"lead_load_cost": 7.0})})
    check_brute(tiny(seed, n=4, sites=2, guides=5, peers=2), policy)


def _crossing(rnd: mw.Round) -> mw.Round:
    """Lead guides free to lead in any position of their site: a structure that is not nested."""
    return rnd.replace(guides=[g.model_copy(update={"position_id": None}) for g in rnd.guides])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_crossing_structures_use_side_rows_and_stay_optimal(seed: int) -> None:
    rnd = _crossing(tiny(seed, n=4, sites=2, guides=4, peers=1))
    check_brute(rnd, mw.Policy.default())


def test_mixed_exemption_with_a_binding_legal_limit() -> None:
    """Two candidates, one exempt, a small firm: only the exempt one may take the second place."""
    rnd = tiny(1, n=2, sites=1, guides=3, peers=1)
    rnd = rnd.replace(region=None, tutors=[], operators=[], relationships=[], pairings=[])
    site = rnd.sites[0].model_copy(
        update={
            "kind": SiteKind.COOPERATIVE,
            "headcount": 3,
            "permanent_employees": None,
            "trainees_present": 0,
            "exempt_trainees_present": 0,
            "trainees_24m": None,
            "hired_24m": None,
            "company_tutors": 2,
        }
    )
    positions = tuple(p.model_copy(update={"openings": 2, "min_skills": {}}) for p in site.positions)
    site = site.model_copy(
        update={"positions": positions, "accommodations": frozenset(), "location": rnd.candidates[0].location}
    )
    cands = [
        c.model_copy(
            update={
                "location": site.location,
                "accommodations": frozenset(),
                "category": cat,
                "languages": frozenset({"it"}),
                "availability": positions[0].shifts,
                "excluded_ids": frozenset(),
            }
        )
        for c, cat in zip(rnd.candidates, ["psychiatric_treatment", None], strict=True)
    ]
    guides = [
        g.model_copy(
            update={
                "can_lead": True,
                "trained": True,
                "languages": frozenset({"it"}),
                "availability": positions[0].shifts,
                "max_mentees": 3,
                "current_mentees": 0,
                "position_id": positions[0].id,
            }
        )
        for g in rnd.guides
    ]
    rnd = rnd.replace(sites=[site], candidates=cands, guides=guides, relationships=[], pairings=[])
    national = mw.match(rnd)
    assert national.metrics["matched"] == 1  # 3 employees: one trainee
    regional = mw.match(rnd, lombardy(mw.Policy.default()))
    assert regional.stages["joint"].network.side is not None
    assert regional.metrics["matched"] == 2  # the exempt candidate does not count
    check_brute(rnd, lombardy(mw.Policy.default()))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backends_find_the_same_optimum(seed: int) -> None:
    """Every stage's network, solved by every backend, gives the same placements and cost.

    (Whole runs may differ where a stage has tied optima: the next stage then meets
    a different, equally good, earlier choice.)
    """
    rnd = mw.synth.round(250, seed=seed)
    result = mw.match(rnd)
    for name in ("joint", "squad"):
        net = result.stages[name].network
        answers = {(r.amount, r.cost) for r in (solve(net, backend=b) for b in available_backends())}
        assert len(answers) == 1, (name, answers)
    joints = {mw.match(rnd, backend=b).stages["joint"].flow.cost for b in available_backends()}
    assert len(joints) == 1


@settings(max_examples=25, deadline=None)
@given(rnd=rounds(max_people=5))
def test_backends_agree_on_generated_rounds(rnd: mw.Round) -> None:
    """On Hypothesis rounds, every backend finds the same most-placed, least-cost flow of each stage."""
    result = mw.match(rnd)
    for name in ("joint", "squad", "peer"):
        net = result.stages[name].network
        if net is None:  # a peer MILP: checked against brute force elsewhere
            continue
        backends = available_backends() if net.side is None else ("highs",)
        answers = {(r.amount, r.cost) for r in (solve(net, backend=b) for b in backends)}
        assert len(answers) == 1, (name, answers)


@pytest.mark.parametrize("objective", ["total", "fair"])
def test_caps_and_rules_are_never_broken(objective: str) -> None:
    rnd = mw.synth.round(400, seed=5)
    result = mw.match(rnd, objective=objective)
    asg = result.assignments
    assert list(asg.candidate_id) == sorted(c.id for c in rnd.candidates)
    assert asg.candidate_id.is_unique
    loads = result.loads
    assert (loads.load <= loads.capacity + 1e-9).all(), loads[loads.load > loads.capacity]
    s = result.scores
    a = s.arrays
    for row in asg[asg.status == "matched"].itertuples():
        c = a.candidates.index[row.candidate_id]
        i = s.site.find(c, a.positions.index[row.position_id])
        assert i >= 0 and s.site.reasons[i] & np.uint64(role_mask("site")) == 0
        j = s.guide.find(c, a.guides.index[row.lead_guide_id])
        assert j >= 0 and s.guide.reasons[j] & np.uint64(role_mask("lead_guide")) == 0
        assert rnd.guides[a.guides.index[row.lead_guide_id]].site_id == row.site_id
        assert len(row.squad_ids) <= result.policy.caps.squad_size
        assert row.lead_guide_id not in row.squad_ids
        for g in row.squad_ids:
            k = s.guide.find(c, a.guides.index[g])
            assert k >= 0 and s.guide.reasons[k] & np.uint64(role_mask("guide")) == 0
            assert rnd.guides[a.guides.index[g]].site_id == row.site_id
        if row.peer_id is not None:
            k = s.peer.find(c, a.peers.index[row.peer_id])
            assert k >= 0 and s.peer.reasons[k] == 0
            assert rnd.candidates[c].wants_peer
    legal = s.capacities.site_legal
    matched = asg[asg.status == "matched"]
    counted = matched[~s.capacities.exempt[[a.candidates.index[c] for c in matched.candidate_id]]]
    for site_id, n in counted.site_id.value_counts().items():
        assert n <= legal[a.sites.index[site_id]]  # the round's region's rules: the exempt do not count


def test_row_order_does_not_change_the_result() -> None:
    rnd = mw.synth.round(200, seed=8)
    frames = {k: v.sample(frac=1.0, random_state=1) for k, v in rnd.to_frames().items()}
    shuffled = mw.Round.from_frames(frames)
    a, b = mw.match(rnd).assignments, mw.match(shuffled).assignments
    pd.testing.assert_frame_equal(a, b)


def test_fair_raises_the_lowest_joint_score() -> None:
    rnd = mw.synth.round(150, seed=2)
    total, fair = mw.match(rnd), mw.match(rnd, objective="fair")
    assert fair.metrics["matched"] == total.metrics["matched"]

    def lowest(r: mw.MatchResult) -> float:
        j = r.stages["joint"]
        return float((j.options["site_score"] + j.options["guide_score"])[j.chosen].min())

    assert lowest(fair) >= lowest(total)
    assert -fair.stages["joint"].flow.cost <= -total.stages["joint"].flow.cost


def test_pins_are_hard() -> None:
    rnd = mw.synth.round(120, seed=4)
    base = mw.match(rnd)
    unmatched = base.assignments[base.assignments.status == "unmatched"].candidate_id.tolist()
    options = base.stages["joint"].options
    ids = base.scores.arrays.candidates.ids
    # pin an unmatched candidate who has an allowed option to that option's site
    cand = next(c for c in unmatched if (options["cand"] == base.scores.arrays.candidates.index[c]).any())
    k = np.flatnonzero(options["cand"] == base.scores.arrays.candidates.index[cand])[0]
    pos_id = base.scores.arrays.positions.ids[options["pos"][k]]
    pinned = mw.match(rnd.replace(pins=[{"candidate_id": cand, "partner_id": pos_id}]))
    row = pinned.assignments.set_index("candidate_id").loc[cand]
    assert row.position_id == pos_id
    assert pinned.metrics["matched"] == base.metrics["matched"]  # a fitting pin never costs a placement
    assert str(ids[0])


def test_pin_on_a_pair_a_rule_forbids_is_an_error() -> None:
    rnd = mw.synth.round(60, seed=4)
    s = mw.score(rnd)
    i = int(np.flatnonzero(s.site.reasons & np.uint64(1))[0])  # commute_too_far
    cand, pos = s.site.candidate_ids[s.site.rows[i]], s.site.partner_ids[s.site.cols[i]]
    with pytest.raises(MatchError, match=f"{cand}.*commute_too_far"):
        mw.match(rnd.replace(pins=[{"candidate_id": cand, "partner_id": pos}]))


def test_pins_that_exceed_a_capacity_are_an_error() -> None:
    # national rules: under Lombardy's exemptions the legal limit becomes a side row, where a pin conflict
    # still surfaces as "no feasible flow" (issue 14; seeds-engine-hooks.md)
    rnd = mw.synth.round(80, seed=6).replace(region=None)
    base = mw.match(rnd)
    lead = base.assignments.dropna(subset=["lead_guide_id"]).iloc[0]
    others = base.assignments[base.assignments.status == "unmatched"].candidate_id.tolist()[:1]
    pins = [{"candidate_id": lead.candidate_id, "partner_id": lead.lead_guide_id}]
    pins += [{"candidate_id": c, "partner_id": lead.lead_guide_id} for c in others]
    with pytest.raises(MatchError, match="pins cannot be honoured"):
        mw.match(rnd.replace(pins=pins))


def test_rerunning_with_the_result_in_place_changes_nothing() -> None:
    rnd = mw.synth.round(150, seed=9).replace(pairings=[])
    first = mw.match(rnd)
    asg = first.assignments[first.assignments.status == "matched"]
    pairings = []
    for r in asg.itertuples():
        pairings.append({"candidate_id": r.candidate_id, "partner_id": r.position_id, "role": "site"})
        pairings.append({"candidate_id": r.candidate_id, "partner_id": r.lead_guide_id, "role": "lead_guide"})
        pairings += [{"candidate_id": r.candidate_id, "partner_id": g, "role": "guide"} for g in r.squad_ids]
        if r.peer_id is not None:
            pairings.append({"candidate_id": r.candidate_id, "partner_id": r.peer_id, "role": "peer"})
    loads = first.loads.set_index(["partner_id", "role"])
    guides = [g.model_copy(update={"current_mentees": int(loads.loc[(g.id, "guide"), "load"])}) for g in rnd.guides]
    placed = asg.site_id.value_counts()
    taken = asg.position_id.value_counts()  # openings count vacancies beyond this round's candidates
    exempt = first.scores.capacities.exempt[[first.scores.arrays.candidates.index[c] for c in asg.candidate_id]]
    placed_exempt = asg[exempt].site_id.value_counts()  # the trainees present now include them, exempt

    def occupied(site: mw.PlacementSite) -> mw.PlacementSite:
        positions = tuple(
            p.model_copy(update={"openings": p.openings - int(taken.get(p.id, 0))}) for p in site.positions
        )
        return site.model_copy(
            update={
                "trainees_present": site.trainees_present + int(placed.get(site.id, 0)),
                "exempt_trainees_present": site.exempt_trainees_present + int(placed_exempt.get(site.id, 0)),
                "positions": positions,
            }
        )

    sites = [occupied(s) for s in rnd.sites]
    paired = asg.peer_id.value_counts()
    peers = [
        p.model_copy(
            update={
                "hours_in_use": float(loads.loc[(p.id, "peer"), "load"]),
                "current_people": None if p.current_people is None else p.current_people + int(paired.get(p.id, 0)),
            }
        )
        for p in rnd.peers
    ]
    again = mw.match(rnd.replace(pairings=pairings, guides=guides, sites=sites, peers=peers))
    cols = ["candidate_id", "status", "site_id", "position_id", "lead_guide_id", "squad_ids", "peer_id"]
    pd.testing.assert_frame_equal(first.assignments[cols], again.assignments[cols])
    assert set(again.assignments[again.assignments.status == "matched"].continuity) == {"kept"}


def test_continuity_marks_kept_changed_new() -> None:
    rnd = mw.synth.round(300, seed=0)
    result = mw.match(rnd)
    had = {p.candidate_id for p in rnd.pairings}
    cont = result.assignments.set_index("candidate_id").continuity
    assert set(cont[list(had)]) <= {"kept", "changed"}
    assert set(cont.drop(list(had))) == {"new"}
    assert (cont == "kept").sum() >= 1


def test_unmatched_reasons_cover_every_unmatched_candidate() -> None:
    result = mw.match(mw.synth.round(200, seed=3))
    unmatched = set(result.assignments[result.assignments.status == "unmatched"].candidate_id)
    reasons = result.unmatched_reasons
    assert set(reasons.candidate_id) == unmatched
    assert set(reasons.reason) <= {"no_feasible_option", "capacity_taken"}
    blocked = reasons[reasons.reason == "no_feasible_option"]
    assert all(len(r) > 0 for r in blocked.rules)


def test_scores_are_what_the_tables_say() -> None:
    result = mw.match(mw.synth.round(100, seed=12))
    s, a = result.scores, result.scores.arrays
    for row in result.assignments.dropna(subset=["position_id"]).itertuples():
        c = a.candidates.index[row.candidate_id]
        assert row.site_score == s.site.total[s.site.find(c, a.positions.index[row.position_id])]
        assert row.guide_score == s.guide.total[s.guide.find(c, a.guides.index[row.lead_guide_id])]
    assert SCALE == 10_000


def _everyone_placed_and_wanting_peers(seed: int, n: int = 4) -> mw.Round:
    """A tiny round where all can be placed and want a peer, with mixed hours: the MILP path."""
    rng = np.random.default_rng(seed)
    rnd = tiny(seed, n=n, sites=2, guides=4, peers=3)
    areas = sorted({c.area for c in rnd.candidates})
    cands = [
        c.model_copy(
            update={
                "max_commute_km": 300.0,
                "accommodations": frozenset(),
                "languages": frozenset({"it"}),
                "wants_peer": True,
                "support_intensity": ["low", "medium", "high"][int(rng.integers(3))],
                "excluded_ids": frozenset(),
                "care_team": frozenset(),
            }
        )
        for c in rnd.candidates
    ]
    sites = [
        s.model_copy(
            update={
                "headcount": 100,
                "company_tutors": 5,
                "positions": tuple(p.model_copy(update={"openings": 3, "min_skills": {}}) for p in s.positions),
            }
        )
        for s in rnd.sites
    ]
    guides = [
        g.model_copy(update={"can_lead": True, "max_mentees": 4, "current_mentees": 0, "languages": frozenset({"it"})})
        for g in rnd.guides
    ]
    peers = [
        p.model_copy(
            update={
                "areas_served": frozenset(areas),
                "languages": frozenset({"it"}),
                "hours_per_week": float(rng.choice([2.0, 3.0, 4.0, 5.0])),
                "hours_in_use": 0.0,
                "started_on": None,
            }
        )
        for p in rnd.peers
    ]
    return rnd.replace(candidates=cands, sites=sites, guides=guides, peers=peers, relationships=[], pairings=[])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_peer_milp_with_mixed_hours_against_brute_force(seed: int) -> None:
    rnd = _everyone_placed_and_wanting_peers(seed)
    check_brute(rnd, mw.Policy.default())


def test_peer_components_in_processes_give_the_serial_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    import matchwork.engine.peer as engine

    rnd = mw.synth.round(400, seed=12)
    serial = mw.match(rnd).assignments
    monkeypatch.setattr(engine, "PARALLEL_MIN_PAIRS", 0)
    pd.testing.assert_frame_equal(mw.match(rnd).assignments, serial)


def test_a_time_limit_is_reported_as_such_never_as_infeasible() -> None:
    from scipy.optimize import Bounds, LinearConstraint

    from matchwork.solve.milp import solve_milp

    rng = np.random.default_rng(0)
    n = 300  # a 5-constraint knapsack that HiGHS needs about two seconds to prove
    weights = rng.integers(20, 60, size=(5, n)).astype(float)
    values = rng.integers(10, 100, size=n).astype(float)
    rows = [LinearConstraint(weights, -np.inf, weights.sum(axis=1) / 3)]
    stopped = solve_milp(-values, rows, np.ones(n), Bounds(0, 1), time_limit=0.05)
    assert stopped.status == "time_limit"
    if stopped.x is not None:  # the incumbent is feasible and its gap is proven, not zero
        assert np.all(weights @ np.round(stopped.x) <= weights.sum(axis=1) / 3 + 1e-6)
        assert stopped.gap is not None and stopped.gap > 0
    impossible = solve_milp(-values, [LinearConstraint(np.ones((1, n)), n + 1, n + 1)], np.ones(n), Bounds(0, 1))
    assert impossible.status == "infeasible" and impossible.x is None


def test_every_stage_reports_how_its_solve_ended() -> None:
    result = mw.match(mw.synth.round(120, seed=4))
    solver = result.metrics["solver"]
    assert list(solver.index) == ["joint", "squad", "peer"]
    assert (solver["status"] == "optimal").all() and (solver["gap"] == 0).all()
