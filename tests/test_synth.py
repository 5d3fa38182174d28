from __future__ import annotations

from collections import Counter

import pytest

import matchwork as mw
from matchwork import synth


def test_seeded_and_deterministic() -> None:
    assert synth.round(80, seed=4) == synth.round(80, seed=4)
    assert synth.round(80, seed=4) != synth.round(80, seed=5)


def test_mantova_geography(demo_round: mw.Round) -> None:
    assert {c.area for c in demo_round.candidates} == set(synth.AREAS)
    for person in (*demo_round.candidates, *demo_round.sites):
        assert 44.85 < person.location.lat < 45.5
        assert 10.3 < person.location.lon < 11.45
    towns = {t for area in synth.AREAS.values() for t, _, _ in area}
    assert {c.location.municipality for c in demo_round.candidates} <= towns


def test_sectors_and_nesting(demo_round: mw.Round) -> None:
    codes = {v[0] for v in synth.SECTORS.values()}
    assert {s.sector for s in demo_round.sites} == codes
    positions = {p.id: site for site, p in demo_round.positions}
    for g in demo_round.guides:
        assert positions[g.position_id] == g.site_id
    kind = {s.id: s.kind.value for s in demo_round.sites}
    coops = {s for s, k in kind.items() if k == "cooperative"}
    leads = Counter(positions[g.position_id] for g in demo_round.guides if g.can_lead and g.is_trained)
    assert set(leads) == coops, "every cooperative site has a lead guide, and only they have guide workers"
    lead_positions = {g.position_id for g in demo_round.guides if g.can_lead}
    assert {p.id for s, p in demo_round.positions if s in coops} <= lead_positions, (
        "every position, a possible referente"
    )
    tutors = Counter(t.site_id for t in demo_round.tutors)
    assert set(tutors) == set(kind) - coops, "every host company, and only they, list company tutors"
    assert all(
        demo_round.sites[i].company_tutors == tutors[s.id] for i, s in enumerate(demo_round.sites) if s.id in tutors
    )


def test_mix_of_situations(demo_round: mw.Round) -> None:
    cands = demo_round.candidates
    assert len({c.category for c in cands}) >= 8
    assert len({c.referring_service for c in cands}) >= 5
    assert 0.25 < sum(c.wants_peer for c in cands) / len(cands) < 0.55
    assert any(c.accommodations for c in cands) and any(not c.accommodations for c in cands)
    assert any("it" not in c.languages for c in cands)
    assert demo_round.pairings and demo_round.relationships
    kinds = {r.kind.value for r in demo_round.relationships}
    assert {"therapeutic", "conflict"} <= kinds
    assert any(p.started_on and (demo_round.date - p.started_on).days < 92 for p in demo_round.peers)


def test_sizes_scale_and_provinces() -> None:
    tiny = synth.round(20, seed=0)
    assert tiny.summary()["candidates"] == 20
    big = synth.round(6000, seed=0)
    areas = {c.area for c in big.candidates}
    assert len(areas) == 5 * 3  # three copies of the province's five areas
    coops = sum(s.kind.value == "cooperative" for s in big.sites)
    assert big.summary()["guides"] == max(3 * coops, 1500)
    assert {a for o in big.operators for a in o.areas_served} == areas  # every area has its desk operator


def test_bad_sizes() -> None:
    with pytest.raises(ValueError, match="n_candidates"):
        synth.round(0)
    with pytest.raises(ValueError, match="n_guides"):
        synth.round(50, n_guides=2, n_sites=20)  # five cooperative sites need five lead guides


# ---------------------------------------------------------------- a realistic Mantova (issue 18, Deliver 6)


def test_a_mental_health_desks_referral_mix(demo_round: mw.Round) -> None:
    services = Counter(c.referring_service.value for c in demo_round.candidates if c.referring_service)
    assert services["cps"] / len(demo_round.candidates) > 0.72  # seed 003: candidates come from the CPS
    assert len(services) >= 5  # and the other services of seed 002, a few each
    assert all(c.category is None or c.category.value != "social_health_fragility" for c in demo_round.candidates)


def test_area_shares_and_site_kinds() -> None:
    rnd = synth.round(4000, seed=1, provinces=1)
    n = len(rnd.candidates)
    share = Counter(c.area for c in rnd.candidates)
    assert abs(share["Mantova"] / n - 0.42) < 0.03
    assert abs(share["Ostiglia"] / n - 0.10) < 0.02
    site_share = Counter(s.area for s in rnd.sites)
    assert abs(site_share["Mantova"] / len(rnd.sites) - 0.38) < 0.03
    companies = sum(s.kind.value == "company" for s in rnd.sites) / len(rnd.sites)
    assert abs(companies - 0.75) < 0.01
    # one operator per area at least (seed 003), enough for a caseload of 20 (IPS)
    for area in synth.AREAS:
        ops = [o for o in rnd.operators if area in o.areas_served]
        assert ops and sum(20 - o.caseload for o in ops) >= 0.6 * share[area]


def test_seed_structures_are_present(demo_round: mw.Round) -> None:
    assert demo_round.region is not None and demo_round.region.value == "lombardia"
    assert demo_round.review.status.value == "draft" and demo_round.review.reviewer
    assert any(not g.is_trained for g in demo_round.guides), "some listed guides still wait for the training"
    assert demo_round.cooperatives and all(s.cooperative_id for s in demo_round.sites if s.kind.value == "cooperative")
    assert any(s.permanent_employees is not None for s in demo_round.sites)
    assert any(s.headcount is not None for s in demo_round.sites)
    assert any(s.hired_24m for s in demo_round.sites)
    assert any(c.peer_experience_required for c in demo_round.candidates)
    assert any(p.former_client_of for p in demo_round.peers)
    roles = Counter(p.role.value for p in demo_round.pairings)
    assert roles["tutor"] and roles["operator"] and roles["lead_guide"]


def _placeable(rnd: mw.Round) -> int:
    """An upper bound of the people a round can place: a max-flow through allowed site and lead options.

    candidate → (lead guide at a cooperative position | the position of a host company) → position
    (openings) → site (the company tutors' room; in Lombardy nearly everyone is exempt from the legal
    limit) → sink. Each lead takes one newcomer. Operators and squads are left out: it is a bound.
    """
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import maximum_flow

    s = mw.score(rnd, dense=True)
    a, cap, site, guide, gp = s.arrays, s.capacities, s.site, s.guide, s.guide_position
    n_c, n_g, n_p, n_s = len(a.candidates), len(a.guides), len(a.positions), len(a.sites)
    c0, g0 = 2, 2 + n_c
    p0 = g0 + n_g
    s0 = p0 + n_p
    ok = site.feasible("site")
    sc, spos = site.rows[ok].astype(np.int64), site.cols[ok].astype(np.int64)
    coop = a.sites.cooperative[a.positions.site[spos]]
    lead_ok = guide.feasible("lead_guide") & a.guides.can_lead[guide.cols]
    lead_cg = np.zeros((n_c, n_g), dtype=bool)
    lead_cg[guide.rows[lead_ok], guide.cols[lead_ok]] = True
    gp_ok = gp.feasible("lead_guide")
    arcs = [(np.zeros(n_c, np.int64), c0 + np.arange(n_c), np.ones(n_c, np.int64))]
    arcs.append((c0 + sc[~coop], p0 + spos[~coop], np.ones(int((~coop).sum()), np.int64)))
    # cooperative options: (candidate, position) joined with the leads of that position
    gp_rows, gp_cols = gp.rows[gp_ok].astype(np.int64), gp.cols[gp_ok].astype(np.int64)
    for c, p in zip(sc[coop].tolist(), spos[coop].tolist(), strict=True):
        leads = gp_rows[(gp_cols == p) & lead_cg[c, gp_rows]]
        arcs.append((np.full(len(leads), c0 + c), g0 + leads, np.ones(len(leads), np.int64)))
    arcs.append((g0 + gp_rows, p0 + gp_cols, cap.guide_lead[gp_rows].astype(np.int64)))
    arcs.append((p0 + np.arange(n_p), s0 + a.positions.site.astype(np.int64), cap.position_open.astype(np.int64)))
    arcs.append((s0 + np.arange(n_s), np.ones(n_s, np.int64), cap.site_tutor.astype(np.int64)))
    r, c, w = (np.concatenate(x) for x in zip(*arcs, strict=True))
    graph = sp.csr_matrix((w.astype(np.int32), (r, c)), shape=(s0 + n_s, s0 + n_s))
    graph.sum_duplicates()
    return int(maximum_flow(graph, 0, 1).flow_value)


@pytest.mark.parametrize(("n", "seed"), [(50, 0), (50, 1), (300, 0), (300, 2)])
def test_most_candidates_can_be_placed(n: int, seed: int) -> None:
    """Supply and demand: in a typical round most candidates have a place they may take (Deliver 6)."""
    rnd = synth.round(n, seed=seed)
    openings = sum(p.openings for _, p in rnd.positions)
    assert 1.1 <= openings / n <= 1.6
    assert _placeable(rnd) >= 0.75 * n


def test_a_cooperatives_own_programme() -> None:
    """profile="cooperative" (seed 002): the cooperative's teams only, the services of seed 002, no desk."""
    rnd = synth.round(400, seed=1, profile="cooperative")
    assert {s.kind.value for s in rnd.sites} == {"cooperative"} and not rnd.tutors and not rnd.operators
    services = Counter(c.referring_service.value for c in rnd.candidates)
    assert services["nil"] > services["cps"] and services["serd"] > 0.1 * len(rnd.candidates)
    assert {p.role.value for p in rnd.pairings} <= {"site", "lead_guide"}
    assert synth.round(30, seed=2, profile="cooperative") == synth.round(30, seed=2, profile="cooperative")
    with pytest.raises(ValueError, match="profile"):
        synth.round(30, profile="firm")
