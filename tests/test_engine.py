"""The matching engine against brute force, and its invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matchwork as mw
from in_place import in_place
from matchwork.engine import SCALE, hour_cost, hour_segments
from matchwork.errors import MatchError
from matchwork.model.vocab import SiteKind
from matchwork.scoring.rules import role_mask
from matchwork.scoring.scorer import Scores
from matchwork.solve import available_backends, solve
from reference_joint import JointInfeasibleError, compare_with_engine
from reference_joint import solve as reference_solve

from brute import engine_tiers, joint_best, load_cost, peer_best
from strategies import REMATCH, matchable_cases, rounds


def tiny(seed: int, n: int = 4, sites: int = 2, guides: int = 4, peers: int = 2) -> mw.Round:
    return mw.synth.round(n, seed=seed, n_sites=sites, n_guides=guides, n_peers=peers)


def lombardy(policy: mw.Policy) -> mw.Policy:
    return policy.model_copy(
        update={"trainee_limits": policy.trainee_limits.model_copy(update={"rule_set": "lombardia"})}
    )


def partial(policy: mw.Policy) -> mw.Policy:
    """Squads may be short of ``squad_size``."""
    return policy.model_copy(update={"squad": policy.squad.model_copy(update={"require_full": False})})


def check_brute(rnd: mw.Round, policy: mw.Policy) -> mw.MatchResult:
    """The joint stage reaches the brute-force optimum tier by tier; the peer stage its own."""
    result = mw.match(rnd, policy)
    scores = mw.score(result.solved_round, policy, dense=True)  # the round the stages solved
    fair = policy.solver.objective == "fair"
    assert engine_tiers(result, fair=fair) == joint_best(scores, policy, fair=fair)
    # the stage's own account of its tiers is what its tables say
    placed, floor, missing, value = engine_tiers(result, fair=fair)
    tiers = dict(result.stages["joint"].tiers)
    assert (tiers["placed"], -tiers["missing"]) == (placed, missing)
    assert round(tiers["points"] * SCALE) == value
    if fair:
        assert round(tiers["lowest"] * SCALE) == (0 if floor == float("inf") else floor)
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
    if not fair:  # under fair the lowest peer gain rises first, and the total may be lower (test_peer_solver: floors)
        assert value >= best - len(scores.arrays.peers)  # up to the rounding of marginal hour costs to integers
    return result


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 4),
    objective=st.sampled_from(["total", "fair"]),
    full=st.booleans(),
)
def test_every_stage_is_optimal_against_brute_force(seed: int, n: int, objective: str, full: bool) -> None:
    rnd = tiny(seed, n=n, sites=2, guides=5, peers=2)
    policy = REMATCH.with_solver(objective=objective)
    check_brute(rnd, policy if full else partial(policy))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), objective=st.sampled_from(["total", "fair"]))
def test_load_costs_and_lombardy_against_brute_force(seed: int, objective: str) -> None:
    policy = lombardy(REMATCH).with_solver(objective=objective, lead_load_cost=7.0, guide_load_cost=30.0)
    check_brute(tiny(seed, n=4, sites=2, guides=6, peers=2), policy)


def _crossing(rnd: mw.Round) -> mw.Round:
    """Lead guides free to lead in any position of their site: a structure that is not nested."""
    return rnd.replace(guides=[g.model_copy(update={"position_id": None}) for g in rnd.guides])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_guides_free_to_lead_in_any_position_stay_optimal(seed: int) -> None:
    rnd = _crossing(tiny(seed, n=4, sites=2, guides=5, peers=1))
    check_brute(rnd, REMATCH)


def _one_site(n_guides: int = 3, max_mentees: int = 3, openings: int = 2) -> mw.Round:
    """Two candidates who can both work at one site (the one at the first candidate's home), national rules."""
    rnd = tiny(1, n=2, sites=1, guides=n_guides, peers=1)
    rnd = rnd.replace(region=None, tutors=[], operators=[], relationships=[], pairings=[])
    site = rnd.sites[0].model_copy(
        update={
            "kind": SiteKind.COOPERATIVE,
            "headcount": 30,
            "permanent_employees": None,
            "trainees_present": 0,
            "exempt_trainees_present": 0,
            "trainees_24m": None,
            "hired_24m": None,
            "company_tutors": 2,
        }
    )
    positions = tuple(p.model_copy(update={"openings": openings, "min_skills": {}}) for p in site.positions[:1])
    site = site.model_copy(
        update={"positions": positions, "accommodations": frozenset(), "location": rnd.candidates[0].location}
    )
    cands = [
        c.model_copy(
            update={
                "location": site.location,
                "accommodations": frozenset(),
                "languages": frozenset({"it"}),
                "availability": positions[0].shifts,
                "excluded_ids": frozenset(),
                "category": None,
            }
        )
        for c in rnd.candidates
    ]
    guides = [
        g.model_copy(
            update={
                "can_lead": True,
                "trained": True,
                "languages": frozenset({"it"}),
                "availability": positions[0].shifts,
                "max_mentees": max_mentees,
                "current_mentees": 0,
                "position_id": positions[0].id,
            }
        )
        for g in rnd.guides
    ]
    return rnd.replace(sites=[site], candidates=cands, guides=guides, relationships=[], pairings=[])


def test_mixed_exemption_with_a_binding_legal_limit() -> None:
    """Two candidates, one exempt, a small firm: only the exempt one may take the second place."""
    rnd = _one_site(n_guides=6)
    site = rnd.sites[0].model_copy(update={"headcount": 3})
    cands = [
        c.model_copy(update={"category": cat})
        for c, cat in zip(rnd.candidates, ["psychiatric_treatment", None], strict=True)
    ]
    rnd = rnd.replace(sites=[site], candidates=cands)
    national = mw.match(rnd)
    assert national.metrics["matched"] == 1  # 3 employees: one trainee
    regional = mw.match(rnd, lombardy(REMATCH))
    assert regional.metrics["matched"] == 2  # the exempt candidate does not count
    check_brute(rnd, lombardy(REMATCH))


def test_a_full_squad_is_chosen_with_the_site() -> None:
    """Three guide workers who may each follow one newcomer: one person placed with lead and full squad.

    The staged engine placed both people (two leads) and left both without a full squad.
    """
    rnd = _one_site(n_guides=3, max_mentees=1)
    full = mw.match(rnd)
    assert full.metrics["matched"] == 1
    (row,) = full.assignments[full.assignments.status == "matched"].itertuples()
    assert len(row.squad_ids) == 2 and row.lead_guide_id not in row.squad_ids
    reasons = full.unmatched_reasons
    assert reasons.reason.tolist() == ["capacity_taken"]
    short = mw.match(rnd, partial(REMATCH))
    assert short.metrics["matched"] == 2 and short.objective["squad_members"] == 1
    assert short.objective["squad_missing"] == 3 and dict(short.stages["joint"].tiers)["missing"] == 3
    check_brute(rnd, REMATCH)
    check_brute(rnd, partial(REMATCH))


def test_a_site_without_enough_guide_workers_is_no_full_squad() -> None:
    rnd = _one_site(n_guides=2)
    result = mw.match(rnd)
    assert result.metrics["matched"] == 0
    assert set(result.unmatched_reasons.reason) == {"no_full_squad"}
    assert mw.match(rnd, partial(REMATCH)).metrics["matched"] == 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backends_find_the_same_optimum(seed: int) -> None:
    """The peer stage's network, solved by every backend, gives the same placements and cost."""
    rnd = mw.synth.round(250, seed=seed)
    rnd = rnd.replace(candidates=[c.model_copy(update={"support_intensity": "medium"}) for c in rnd.candidates])
    result = mw.match(rnd)
    net = result.stages["peer"].network
    assert net is not None  # everyone needs the same hours: a flow
    answers = {(r.amount, r.cost) for r in (solve(net, backend=b) for b in available_backends())}
    assert len(answers) == 1, answers
    peers = {mw.match(rnd, backend=b).stages["peer"].flow.cost for b in available_backends()}
    assert len(peers) == 1


@settings(max_examples=25, deadline=None)
@given(rnd=rounds(max_people=5))
def test_backends_agree_on_generated_rounds(rnd: mw.Round) -> None:
    """On Hypothesis rounds, every backend finds the same most-placed, least-cost flow of the peer stage."""
    result = mw.match(rnd)
    net = result.stages["peer"].network
    if net is not None:  # a peer MILP: checked against brute force elsewhere
        answers = {(r.amount, r.cost) for r in (solve(net, backend=b) for b in available_backends())}
        assert len(answers) == 1, answers


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
    solved = result.solved_assignments  # kept placements are facts, with their own checks (test_continuity)
    companies = 0
    for row in solved[solved.status == "matched"].itertuples():
        c = a.candidates.index[row.candidate_id]
        i = s.site.find(c, a.positions.index[row.position_id])
        assert i >= 0 and s.site.reasons[i] & np.uint64(role_mask("site")) == 0
        if row.lead_guide_id is None:  # a host company: a company tutor of the site and a desk operator, no guides
            t, o = a.tutors.index[row.tutor_id], a.operators.index[row.operator_id]
            assert rnd.tutors[t].site_id == row.site_id and row.squad_ids == ()
            k = s.tutor.find(c, t)
            assert k >= 0 and s.tutor.reasons[k] & np.uint64(role_mask("tutor")) == 0
            k = s.operator.find(c, o)
            assert k >= 0 and s.operator.reasons[k] & np.uint64(role_mask("operator")) == 0
            companies += 1
            continue
        assert row.tutor_id is None and row.operator_id is None
        j = s.guide.find(c, a.guides.index[row.lead_guide_id])
        assert j >= 0 and s.guide.reasons[j] & np.uint64(role_mask("lead_guide")) == 0
        assert rnd.guides[a.guides.index[row.lead_guide_id]].site_id == row.site_id
        k = s.guide_position.find(a.guides.index[row.lead_guide_id], a.positions.index[row.position_id])
        assert k >= 0 and s.guide_position.feasible("lead_guide")[k]  # a lead of the position's team
        assert len(row.squad_ids) == result.policy.caps.squad_size  # full squads: the default, no pins here
        assert row.lead_guide_id not in row.squad_ids and len(set(row.squad_ids)) == len(row.squad_ids)
        for g in row.squad_ids:
            k = s.guide.find(c, a.guides.index[g])
            assert k >= 0 and s.guide.reasons[k] & np.uint64(role_mask("guide")) == 0
            assert rnd.guides[a.guides.index[g]].site_id == row.site_id
        if row.peer_id is not None:
            k = s.peer.find(c, a.peers.index[row.peer_id])
            assert k >= 0 and s.peer.reasons[k] == 0
            assert result.solved_round.candidates[c].wants_peer
    legal = s.capacities.site_legal  # the room left beside the kept placements
    matched = solved[solved.status == "matched"]
    counted = matched[~s.capacities.exempt[[a.candidates.index[c] for c in matched.candidate_id]]]
    for site_id, n in counted.site_id.value_counts().items():
        assert n <= legal[a.sites.index[site_id]]  # the round's region's rules: the exempt do not count
    assert companies >= 100, companies  # the desk round places most people at host companies


def test_lead_load_cost_is_per_newcomer_the_guide_already_follows() -> None:
    """Issue 14: with one newcomer per lead, ``lead_load_cost`` charged ``w × 1`` to every lead alike.

    Two guide workers may lead; the squad takes two of the others, so every choice scores
    the same and only the lead's cost differs: the lead goes to the one who follows fewer
    newcomers already, whichever of the two that is.
    """
    rnd = _one_site(n_guides=4)
    rnd = rnd.replace(candidates=rnd.candidates[:1])
    same = {"years_experience": 5.0, "gender": None, "availability": rnd.guides[0].availability}
    base = [g.model_copy(update=same | {"can_lead": i < 2, "max_mentees": 5}) for i, g in enumerate(rnd.guides)]
    policy = REMATCH.with_solver(guide_load_cost=0.0, lead_load_cost=5.0)
    for busy, free in ((0, 1), (1, 0)):
        guides = list(base)
        guides[busy] = guides[busy].model_copy(update={"current_mentees": 2})
        result = mw.match(rnd.replace(guides=guides), policy)
        assert result.assignments.lead_guide_id.iloc[0] == guides[free].id
        check_brute(rnd.replace(guides=guides), policy)
    # a busy lead costs 5 points per newcomer carried: 10 for two, by the documented formula
    cap = mw.score(rnd.replace(guides=guides), policy).capacities
    assert load_cost(policy, cap, np.array([0, 1, 0, 0]), np.array([0, 1, 0, 0])) == 10 * SCALE


def test_components_in_processes_give_the_serial_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    import matchwork.engine.joint as joint

    rnd = mw.synth.round(400, seed=12, provinces=2)
    serial = mw.match(rnd)
    monkeypatch.setattr(joint, "PARALLEL_MIN_OPTIONS", 0)
    pd.testing.assert_frame_equal(mw.match(rnd).assignments, serial.assignments)


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

    def lowest(r: mw.MatchResult) -> int:
        j = r.stages["joint"]
        return int(j.options["gain"][j.chosen].min())

    assert lowest(fair) >= lowest(total)
    assert round(dict(fair.stages["joint"].tiers)["lowest"] * SCALE) == lowest(fair)
    assert fair.objective["floor"] == lowest(fair) / SCALE
    assert fair.objective["joint_value"] <= total.objective["joint_value"]
    assert list(fair.objective)[:4] == ["matched", "floor", "squad_missing", "joint_value"]


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
    # a pinned person is placed even without a full squad, and takes at most one other's place
    assert pinned.metrics["matched"] >= base.metrics["matched"]
    assert len(ids) + base.metrics["kept"] == len(pinned.assignments) == len(rnd.candidates)


def test_pin_on_a_pair_a_rule_forbids_is_an_error() -> None:
    rnd = mw.synth.round(60, seed=4)
    s = mw.score(rnd)
    i = int(np.flatnonzero(s.site.reasons & np.uint64(1))[0])  # commute_too_far
    cand, pos = s.site.candidate_ids[s.site.rows[i]], s.site.partner_ids[s.site.cols[i]]
    with pytest.raises(MatchError, match=f"{cand}.*commute_too_far"):
        mw.match(rnd.replace(pins=[{"candidate_id": cand, "partner_id": pos}]))


def test_pins_that_exceed_a_capacity_are_an_error_naming_the_limit() -> None:
    """Both candidates pinned to the same lead guide, who may lead one newcomer."""
    rnd = _one_site(n_guides=4)
    lead = rnd.guides[0].id
    pins = [{"candidate_id": c.id, "partner_id": lead, "role": "lead_guide"} for c in rnd.candidates]
    expected = rf"pins cannot be honoured together: .*{lead} \(lead_guide\).*guide worker {lead} may lead \(1\)"
    with pytest.raises(MatchError, match=expected):
        mw.match(rnd.replace(pins=pins))


def test_pins_that_exceed_the_legal_limit_name_it() -> None:
    """Two pins on a firm of three employees: the national rule set allows one trainee at once."""
    rnd = _one_site(n_guides=6)
    site = rnd.sites[0].model_copy(update={"headcount": 3})
    pins = [{"candidate_id": c.id, "partner_id": site.id} for c in rnd.candidates]
    with pytest.raises(MatchError, match=f"legal trainee limit of site {site.id} \\(1\\)"):
        mw.match(rnd.replace(sites=[site], pins=pins))
    assert mw.match(rnd.replace(sites=[site], pins=pins[:1])).metrics["matched"] == 1


@pytest.mark.parametrize("objective", ["total", "fair"])
def test_a_satisfiable_pin_under_fair_is_honoured(objective: str) -> None:
    """Issue 14: synth.round(8, seed=1) with C000006 pinned to S00001-P2 raised under fair."""
    rnd = mw.synth.round(8, seed=1)
    pinned = rnd.replace(pins=[{"candidate_id": "C000006", "partner_id": "S00001-P2"}])
    result = mw.match(pinned, objective=objective)
    assert result.assignments.set_index("candidate_id").at["C000006", "position_id"] == "S00001-P2"
    check_brute(pinned, REMATCH.with_solver(objective=objective))


def _lead_to_pin_in_a_squad(rnd: mw.Round) -> tuple[str, str, str]:
    """A placed candidate, their site, and their lead guide, at a site with another guide who may lead."""
    free = mw.match(rnd)
    guides = pd.DataFrame(
        [{"id": g.id, "site_id": g.site_id, "can_lead": g.can_lead and g.trained} for g in rnd.guides]
    )
    leaders = guides[guides.can_lead].groupby("site_id").size()
    placed = free.assignments[free.assignments.status == "matched"]
    for row in placed.itertuples():
        if leaders.get(row.site_id, 0) >= 2:
            return row.candidate_id, row.site_id, row.lead_guide_id
    raise AssertionError("no placed candidate at a site with two guides who may lead")


@pytest.mark.parametrize("objective", ["total", "fair"])
def test_a_site_pin_and_a_squad_pin_on_a_guide_who_can_lead(objective: str) -> None:
    """Issue 14: a site pin plus a squad pin on the guide the engine would take as lead.

    The reproducer was synth.round(17, seed=2), C000011 pinned to S00003 and to G000005 as a
    squad member; the synthetic round has changed since, so the case is found again: a
    placed person, their site, and the lead guide the free run gave them.
    """
    rnd = mw.synth.round(40, seed=2)
    candidate, site, lead = _lead_to_pin_in_a_squad(rnd)
    pins = [
        {"candidate_id": candidate, "partner_id": site},
        {"candidate_id": candidate, "partner_id": lead, "role": "guide"},
    ]
    result = mw.match(rnd.replace(pins=pins), objective=objective)
    row = result.assignments.set_index("candidate_id").loc[candidate]
    assert row.site_id == site and lead in row.squad_ids and row.lead_guide_id != lead
    free = mw.match(rnd, objective=objective)
    assert result.metrics["matched"] == free.metrics["matched"]  # these pins cost no placement


def test_a_peer_pin_of_a_candidate_who_cannot_be_placed_is_reported_on_them() -> None:
    rnd = mw.synth.round(60, seed=1)
    base = mw.match(rnd)
    blocked = base.unmatched_reasons.query("reason == 'no_feasible_option'").candidate_id.iloc[0]
    peer = rnd.peers[0].id
    result = mw.match(rnd.replace(pins=[{"candidate_id": blocked, "partner_id": peer}]))
    reasons = result.unmatched_reasons.set_index("candidate_id")
    assert reasons.at[blocked, "pins"] == (peer,)
    assert result.assignments.set_index("candidate_id").at[blocked, "status"] == "unmatched"


def test_a_peer_pin_on_a_pair_a_rule_forbids_names_the_rule() -> None:
    rnd = mw.synth.round(120, seed=3)
    base = mw.match(rnd)
    s = base.scores
    placed = set(base.assignments.query("status == 'matched'").candidate_id)
    bad = np.flatnonzero(s.peer.reasons & np.uint64(mw.scoring.rules.RULE_BY_CODE["outside_area"].mask))
    i = next(int(i) for i in bad if s.peer.candidate_ids[s.peer.rows[i]] in placed)
    cand, peer = s.peer.candidate_ids[s.peer.rows[i]], s.peer.partner_ids[s.peer.cols[i]]
    with pytest.raises(MatchError, match=f"{cand}.*outside_area"):
        mw.match(rnd.replace(pins=[{"candidate_id": cand, "partner_id": peer}]))


def test_rerunning_with_the_result_in_place_changes_nothing() -> None:
    rnd = mw.synth.round(150, seed=9).replace(pairings=[])
    first = mw.match(rnd, REMATCH)  # the continuity bonus alone keeps them
    asg = first.assignments
    assert asg.tutor_id.notna().any() and asg.operator_id.notna().any()  # the round places people at host companies
    again = mw.match(in_place(rnd, first), REMATCH)
    cols = ["candidate_id", "status", "site_id", "position_id", "lead_guide_id", "squad_ids"]
    cols += ["tutor_id", "operator_id", "peer_id"]
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
    assert set(reasons.reason) <= {"no_feasible_option", "no_full_squad", "capacity_taken"}
    blocked = reasons[reasons.reason == "no_feasible_option"]
    assert all(len(r) > 0 for r in blocked.rules)


def test_scores_are_what_the_tables_say() -> None:
    result = mw.match(mw.synth.round(100, seed=12))
    s, a = result.scores, result.scores.arrays
    for row in result.solved_assignments.dropna(subset=["position_id"]).itertuples():
        c = a.candidates.index[row.candidate_id]
        assert row.site_score == s.site.total[s.site.find(c, a.positions.index[row.position_id])]
        if row.lead_guide_id is None:  # a host company: no guide score
            assert np.isnan(row.guide_score)
            continue
        g, pos = a.guides.index[row.lead_guide_id], a.positions.index[row.position_id]
        gp = s.guide_position.total[s.guide_position.find(g, pos)]  # issue 18 §1: the position part too
        assert row.guide_score == pytest.approx(s.guide.total[s.guide.find(c, g)] + gp, abs=1e-9)
        # a squad member too: the person x guide part and the member at the person's position
        mine = result.squads[result.squads.candidate_id == row.candidate_id]
        assert len(mine) == len(row.squad_ids) > 0
        for m in mine.itertuples():
            h = a.guides.index[m.guide_id]
            at = s.guide_position.total[s.guide_position.find(h, pos)]
            assert m.score == pytest.approx(s.guide.total[s.guide.find(c, h)] + at, abs=1e-9)
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
    check_brute(rnd, REMATCH)


def test_peer_components_in_processes_give_the_serial_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    import matchwork.solve.peer as solver

    rnd = mw.synth.round(400, seed=12)
    serial = mw.match(rnd).assignments
    monkeypatch.setattr(solver, "PARALLEL_MIN_PAIRS", 0)
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


# ---------------------------------------------------------------------------- against the independent joint model


def _require(policy: mw.Policy, full: bool) -> mw.Policy:
    return policy if full else partial(policy)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=matchable_cases(), objective=st.sampled_from(["total", "fair"]), full=st.booleans())
def test_the_engine_reaches_the_joint_reference_optimum(
    case: tuple[mw.Round, mw.Policy], objective: str, full: bool
) -> None:
    """The engine equals the reference MILP (``tests/reference_joint.py``) tier by tier, pins included.

    The reference is written from the issue's statement, not from the engine: its own
    options, capacities and load costs (``LoadCosts.of``: a new lead costs
    ``lead_load_cost`` per newcomer carried; every newcomer ``guide_load_cost`` times the
    share of capacity in use), pinned people placed with whatever squad their site can
    give and left out of the fair floor.
    """
    rnd, policy = case
    policy = _require(policy.with_solver(objective=objective), full)
    scores = mw.score(rnd, policy)
    try:
        reference = reference_solve(scores, objective, require_full=full, pinned_in_floor=False)  # type: ignore[arg-type]
    except JointInfeasibleError:
        with pytest.raises(MatchError, match="pins cannot be honoured"):
            mw.match(rnd, policy)
        return
    forbidden_peer_pins = _forbidden_peer_pins(rnd, scores)
    try:
        result = mw.match(rnd, policy)
    except MatchError as error:  # a peer pin the rules forbid, on a person the engine placed
        message = str(error)
    else:
        message = ""
    if message:
        assert forbidden_peer_pins and "peer stage" in message, message
        assert any(c in message for c in forbidden_peer_pins), message
        return
    placed = set(result.assignments.candidate_id[result.assignments.status == "matched"])
    assert not placed & forbidden_peer_pins
    comparison = compare_with_engine(result, reference)
    assert comparison.violations == (), comparison.violations
    assert comparison.shortfall is None, (comparison.engine.tiers, reference.tiers)
    assert comparison.engine.tiers == reference.tiers


def _forbidden_peer_pins(rnd: mw.Round, scores: Scores) -> set[str]:
    """Candidates pinned to a peer supporter the rules forbid them: the peer stage raises if they are placed."""
    a, t = scores.arrays, scores.peer
    ok = set(zip(t.rows[t.feasible("peer")].tolist(), t.cols[t.feasible("peer")].tolist(), strict=True))
    return {
        p.candidate_id
        for p in rnd.pins
        if rnd.role_of(p.partner_id) == "peer"
        and (a.candidates.index[p.candidate_id], a.peers.index[p.partner_id]) not in ok
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=matchable_cases(max_candidates=4, max_sites=2, max_guides_per_site=4, max_peers=1),
    objective=st.sampled_from(["total", "fair"]),
    full=st.booleans(),
)
def test_the_engine_reaches_the_brute_force_optimum_of_the_reference(
    case: tuple[mw.Round, mw.Policy], objective: str, full: bool
) -> None:
    """On rounds small enough to enumerate: the engine, the reference's brute force and ``brute.py`` agree."""
    rnd, policy = case
    policy = _require(policy.with_solver(objective=objective), full)
    scores = mw.score(rnd, policy, dense=True)
    mine = joint_best(scores, policy, fair=objective == "fair")
    try:
        reference = reference_solve(scores, objective, "brute", require_full=full, pinned_in_floor=False)  # type: ignore[arg-type]
    except JointInfeasibleError:
        assert mine is None
        with pytest.raises(MatchError, match="pins cannot be honoured"):
            mw.match(rnd, policy)
        return
    result = mw.match(rnd, policy)
    assert compare_with_engine(result, reference).optimal
    assert engine_tiers(result, fair=objective == "fair") == mine
    floor = reference.floor if reference.floor is not None else float("inf")
    assert mine == (reference.placed, floor, -reference.squad_missing, reference.total)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=matchable_cases(max_candidates=6), objective=st.sampled_from(["total", "fair"]))
def test_properties_hold_on_rounds_that_place_people(case: tuple[mw.Round, mw.Policy], objective: str) -> None:
    """On generated rounds where people are placed: every candidate once, rules, caps and pins kept,
    contributions that sum to the scores, the same result in any row order, and the result kept
    when it is put back as the pairings in place."""
    rnd, policy = case
    policy = policy.with_solver(objective=objective)
    try:
        result = mw.match(rnd, policy)
    except MatchError:
        return  # pins no solution honours: the reference tests check that these raise exactly then
    asg = result.assignments
    assert list(asg.candidate_id) == sorted(c.id for c in rnd.candidates)
    loads = result.loads
    assert (loads.load <= loads.capacity + 1e-9).all(), loads[loads.load > loads.capacity]
    s, a = result.scores, result.scores.arrays
    rows = asg.set_index("candidate_id")
    for row in asg[asg.status == "matched"].itertuples():
        c = a.candidates.index[row.candidate_id]
        assert s.site.reasons[s.site.find(c, a.positions.index[row.position_id])] & np.uint64(role_mask("site")) == 0
        lead = s.guide.find(c, a.guides.index[row.lead_guide_id])
        assert s.guide.reasons[lead] & np.uint64(role_mask("lead_guide")) == 0
        for g in row.squad_ids:
            k = s.guide.find(c, a.guides.index[g])
            assert s.guide.reasons[k] & np.uint64(role_mask("guide")) == 0 and g != row.lead_guide_id
        pinned = any(p.candidate_id == row.candidate_id and rnd.role_of(p.partner_id) != "peer" for p in rnd.pins)
        assert len(row.squad_ids) == policy.caps.squad_size or pinned  # full squads, pins aside
        for stage in result.explain(row.candidate_id, lang="en", prices=False).stages:
            if stage.partner_id is not None:
                assert sum(c.points for c in stage.contributions) == pytest.approx(stage.score, abs=1e-9)
    unreached = result.unmatched_reasons.set_index("candidate_id")["pins"]
    for pin in rnd.pins:
        kind, row = rnd.role_of(pin.partner_id), rows.loc[pin.candidate_id]
        if kind == "peer":  # honoured, or reported on a person no site could take
            assert row.peer_id == pin.partner_id or pin.partner_id in unreached.get(pin.candidate_id, ())
        elif pin.role is not None and pin.role.value == "guide":
            assert pin.partner_id in row.squad_ids
        elif kind == "guide":
            assert row.lead_guide_id == pin.partner_id
        else:
            assert pin.partner_id in (row.site_id, row.position_id)
    frames = {k: v.sample(frac=1.0, random_state=3) for k, v in rnd.to_frames().items()}
    shuffled = mw.match(mw.Round.from_frames(frames), policy)
    pd.testing.assert_frame_equal(shuffled.assignments, asg)
    free = rnd.replace(pairings=[], pins=[])
    first = mw.match(free, policy)
    again = mw.match(in_place(free, first), policy)
    cols = ["candidate_id", "status", "site_id", "position_id", "lead_guide_id", "squad_ids", "peer_id"]
    pd.testing.assert_frame_equal(first.assignments[cols], again.assignments[cols])


def test_fair_with_a_peer_pin_on_the_flow_path() -> None:
    """Issue 14: under fair, a peer pin was ignored by the threshold search and the flow then had no solution."""
    rnd = mw.synth.round(150, seed=2)
    rnd = rnd.replace(candidates=[c.model_copy(update={"support_intensity": "medium"}) for c in rnd.candidates])
    base = mw.match(rnd, objective="fair")
    assert base.stages["peer"].network is not None  # everyone needs the same hours: the peer stage is a flow
    s = base.scores.peer
    given = base.solved_assignments.dropna(subset=["peer_id"])  # a kept person given a peer (refill) is not solved
    # the lowest-scoring allowed peer of someone who has one: a pin the fair floor would otherwise refuse
    for row in given.itertuples():
        c = base.scores.arrays.candidates.index[row.candidate_id]
        mine = np.flatnonzero((s.rows == c) & s.feasible("peer"))
        worst = mine[np.argmin(s.total[mine])]
        if s.partner_ids[s.cols[worst]] != row.peer_id:
            break
    peer = str(s.partner_ids[s.cols[worst]])
    pinned = mw.match(rnd.replace(pins=[{"candidate_id": row.candidate_id, "partner_id": peer}]), objective="fair")
    assert pinned.assignments.set_index("candidate_id").at[row.candidate_id, "peer_id"] == peer
    assert pinned.objective["peers"] == base.objective["peers"]  # pins that fit never cost a match (gammoid)


def test_a_time_limit_on_the_joint_stage_keeps_a_feasible_answer_and_says_so() -> None:
    """Branch and bound stopped by the policy's limit: the best answer found, its status and gap, never an error."""
    rnd = mw.synth.round(1000, seed=1)
    exact = mw.match(rnd, REMATCH)
    hurried = mw.match(rnd, REMATCH.with_solver(time_limit=0.01))
    joint = hurried.metrics["solver"].loc["joint"]
    assert joint.status in ("optimal", "time_limit")
    if joint.status == "time_limit":
        assert joint.gap is not None and joint.gap >= 0
    else:
        assert hurried.objective["joint_value"] == exact.objective["joint_value"]
    assert hurried.objective["matched"] <= exact.objective["matched"]
    loads = hurried.loads
    assert (loads.load <= loads.capacity + 1e-9).all()


@pytest.mark.parametrize(("n", "seed", "caseload"), [(30, 3, 20), (40, 4, 16), (60, 5, 14), (60, 6, 12)])
def test_desk_rounds_reach_the_reference_optimum_with_tutors_and_operators(n: int, seed: int, caseload: int) -> None:
    """Desk rounds (host companies with tutors, the desk's operators): the engine equals the reference MILP.

    The reference chooses each company placement's tutor and operator explicitly (one
    variable per (person, position, tutor, operator), a room row per tutor and per
    operator), the engine through sets of allowed partners and Hall rows: the two
    must agree on every tier. Lower caseloads make the operator rows bind; the rounds
    must place people at host companies (counted), or the test tests nothing new.
    """
    # REMATCH: placements in place are not kept out of the optimisation (the reference solves the whole round)
    policy = REMATCH.model_copy(update={"caps": REMATCH.caps.model_copy(update={"operator_caseload": caseload})})
    rnd = mw.synth.round(n, seed=seed)
    scores = mw.score(rnd, policy)
    reference = reference_solve(scores, "total", pinned_in_floor=False)
    result = mw.match(rnd, policy)
    asg = result.assignments
    at_companies = int((asg.status == "matched").sum() - asg.lead_guide_id.notna().sum())
    assert at_companies >= n // 3, at_companies
    assert asg.tutor_id.notna().sum() == at_companies == asg.operator_id.notna().sum()
    loads = result.loads.query("role in ['tutor', 'operator']")
    assert (loads.load <= loads.capacity).all()
    assert (loads.load >= loads.capacity).any()  # some tutor or operator limit binds
    comparison = compare_with_engine(result, reference)
    assert comparison.violations == (), comparison.violations
    assert comparison.engine.tiers == reference.tiers, (comparison.engine.tiers, reference.tiers)


def _people_capped_and_waiting(seed: int) -> tuple[mw.Round, mw.Policy]:
    """Everyone wants a peer, mixed hours; one opening per position (some people wait); supporters follow 1–2 people."""
    rnd = _everyone_placed_and_wanting_peers(seed, n=5)
    sites = [
        s.model_copy(
            update={
                "positions": tuple(p.model_copy(update={"openings": int(k == 0)}) for k, p in enumerate(s.positions))
            }
        )
        for s in rnd.sites
    ]
    peers = [p.model_copy(update={"hours_per_week": 6.0}) for p in rnd.peers]
    policy = mw.Policy.default()
    policy = policy.model_copy(
        update={
            "team": policy.team.model_copy(update={"peer_for_waiting": True}),
            "caps": policy.caps.model_copy(update={"peer_max_people": 1 + seed % 2, "peer_new_max_people": 1}),
        }
    )
    return rnd.replace(sites=sites, peers=peers), policy


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_peer_people_cap_and_people_waiting_against_brute_force(seed: int) -> None:
    rnd, policy = _people_capped_and_waiting(seed)
    result = check_brute(rnd, policy)
    peer = result.stages["peer"]
    per_peer = np.bincount(peer.options["peer"][peer.chosen], minlength=len(rnd.peers))
    assert np.all(per_peer <= result.scores.capacities.peer_people)


def test_the_people_capped_generator_gives_waiting_people_a_peer_and_fills_supporters() -> None:
    """Counted over fixed seeds: people waiting get supporters, and the people cap binds."""
    waiting_with_peer = capped = given_ = 0
    for seed in range(12):
        rnd, policy = _people_capped_and_waiting(seed)
        result = mw.match(rnd, policy)
        asg, peer = result.assignments, result.stages["peer"]
        given_ += int(asg.peer_id.notna().sum())
        waiting_with_peer += int((asg.peer_id.notna() & (asg.status != "matched")).sum())
        per_peer = np.bincount(peer.options["peer"][peer.chosen], minlength=len(rnd.peers))
        capped += int(np.sum(per_peer == result.scores.capacities.peer_people_limit))
        without = mw.match(
            rnd, policy.model_copy(update={"team": policy.team.model_copy(update={"peer_for_waiting": False})})
        )
        assert not (without.assignments.peer_id.notna() & (without.assignments.status != "matched")).any()
    assert given_ >= 24 and waiting_with_peer >= 5 and capped >= 5, (given_, waiting_with_peer, capped)


def test_a_peer_pin_on_a_person_waiting_is_honoured_when_the_policy_offers_them_a_peer() -> None:
    rnd, policy = _people_capped_and_waiting(3)
    result = mw.match(rnd, policy)
    asg = result.assignments
    waiting = asg.loc[asg.status != "matched", "candidate_id"].tolist()
    assert waiting
    s = result.scores
    c = s.arrays.candidates.index[waiting[0]]
    j = next(int(j) for j in np.flatnonzero(s.peer.rows == c) if s.peer.feasible("peer")[j])
    peer = str(s.peer.partner_ids[s.peer.cols[j]])
    pinned = mw.match(rnd.replace(pins=[{"candidate_id": waiting[0], "partner_id": peer}]), policy).assignments
    assert pinned.set_index("candidate_id").at[waiting[0], "peer_id"] == peer


def test_peer_explanations_say_when_the_time_limit_stopped_the_solve() -> None:
    """The gap sentence of a peer pairing is the gap in result.metrics['solver'], Italian first."""
    import dataclasses

    from matchwork.solve.milp import SolveStatus

    result = mw.match(mw.synth.round(120, seed=4))
    asg = result.assignments
    cid = asg.loc[asg.peer_id.notna(), "candidate_id"].iloc[0]
    assert "limite di tempo" not in result.explain(cid, prices=False).text
    stopped = dataclasses.replace(result.stages["peer"], status=SolveStatus("time_limit", 0.0012, 60.0, ""))
    result.stages["peer"] = stopped
    assert result.metrics["solver"].loc["peer", "gap"] == 0.0012
    it = result.explain(cid, prices=False).text
    assert (
        "scelto entro il limite di tempo del calcolo: la soluzione è al più lo 0,12 % sotto la migliore possibile" in it
    )
    en = result.explain(cid, lang="en", prices=False).text
    assert "at most 0.12 % below the best possible" in en
    other = asg.loc[asg.peer_id.isna() & (asg.status == "matched"), "candidate_id"]
    if len(other):
        assert "limite di tempo" not in result.explain(other.iloc[0], prices=False).text


def test_a_person_waiting_with_a_peer_has_the_peer_in_their_explanation() -> None:
    rnd, policy = _people_capped_and_waiting(3)
    result = mw.match(rnd, policy)
    asg = result.assignments
    waiting = asg.loc[asg.peer_id.notna() & (asg.status != "matched")]
    assert len(waiting)
    row = waiting.iloc[0]
    e = result.explain(row.candidate_id, prices=False)
    assert [s.partner_id for s in e.stages if s.stage == "peer"] == [row.peer_id]
    assert result.explain(row.candidate_id, audience="peer", prices=False).status != "not_yours"


def test_tutor_and_operator_pins_place_the_person_against_brute_force() -> None:
    """A pin on a company tutor or a desk operator places the person (it is a placement pin), with that partner,
    at the brute-force optimum. Pins go to a partner of a host-company placement the rules allow (the person
    is often left out, or placed elsewhere, without the pin); counted: most change the placement."""
    honoured = moved = 0
    for seed in range(16):
        rnd = tiny(seed, n=4, sites=2, guides=5, peers=1)
        base = mw.match(rnd, REMATCH)
        o, s = base.stages["joint"].options, base.scores
        company = np.flatnonzero(o["tutor_set"] >= 0)
        if not len(company):
            continue
        k = company[seed % len(company)]
        c, site = int(o["cand"][k]), int(o["site"][k])
        cid = str(s.arrays.candidates.ids[c])
        for role in ("tutor", "operator"):
            t = s.tutor if role == "tutor" else s.operator
            ok = np.flatnonzero(t.feasible(role) & (t.rows == c))
            if role == "tutor":
                ok = ok[np.asarray(s.arrays.tutors.site)[t.cols[ok]] == site]
            pid = str(t.partner_ids[t.cols[ok[0]]])
            result = check_brute(rnd.replace(pins=[{"candidate_id": cid, "partner_id": pid}]), REMATCH)
            row = result.assignments.set_index("candidate_id").loc[cid]
            assert row.status == "matched" and row[f"{role}_id"] == pid, (seed, role, row)
            honoured += 1
            moved += int(base.assignments.set_index("candidate_id").loc[cid, f"{role}_id"] != pid)
    assert honoured >= 16 and moved >= 6, (honoured, moved)
