"""Rules and features: hand-worked examples, a naive per-pair reference, dense against sparse."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matchwork as mw
from matchwork.scoring.rules import RULE_BY_CODE, reason_codes
from seeds_rounds import seeds_round

import reference as ref
from strategies import rounds

MANTOVA = {"lat": 45.1564, "lon": 10.7914}


def _at_km(km: float, bearing_deg: float = 0.0) -> dict[str, float]:
    """A point ``km`` north (by default) of Mantova."""
    d = km / ref.R
    lat1, lon1, b = map(math.radians, (MANTOVA["lat"], MANTOVA["lon"], bearing_deg))
    lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
    lon2 = lon1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2))
    return {"lat": math.degrees(lat2), "lon": math.degrees(lon2)}


def hand_round(**over) -> mw.Round:
    sites = [
        {
            "id": "NEAR",
            "name": "Coop Pulizie",
            "kind": "cooperative",
            "sector": "81.21",
            "area": "Mantova",
            "location": _at_km(10),
            "headcount": 12,
            "fragile_workers_hosted": 5,
            "accommodations": ["flexible_hours"],
            "positions": [
                {
                    "id": "CLEAN",
                    "title": "pulizie",
                    "skills": {"cleaning": 3, "laundry": 1},
                    "shifts": ["mon_am", "mon_pm"],
                },
                {"id": "FORK", "title": "magazzino", "min_skills": {"forklift": 1}, "shifts": ["sat_am"]},
            ],
        },
        {
            "id": "FAR",
            "name": "Ditta Lontana",
            "sector": "81.30",
            "area": "Mantova",
            "location": _at_km(20),
            "headcount": 3,
            "trainees_present": 1,
            "company_tutors": 1,
            "positions": [{"id": "GREEN", "title": "verde", "openings": 0}],
        },
    ]
    candidates = [
        {
            "id": "C1",
            "name": "Anna",
            "area": "Mantova",
            "location": MANTOVA,
            "max_commute_km": 15,
            "skills": {"cleaning": 2},
            "wished_sectors": ["N"],
            "availability": ["mon_am", "tue_am", "wed_am", "thu_am", "fri_am"],
            "accommodations": ["flexible_hours"],
            "languages": ["it", "ar"],
            "wants_peer": True,
            "peer_experience": ["mental_health", "substance_use"],
            "preferred_gender": "f",
            "support_intensity": "high",
            "care_team": ["OP1"],
        }
    ]
    guides = [
        {
            "id": "G1",
            "name": "Bruno",
            "site_id": "NEAR",
            "position_id": "CLEAN",
            "can_lead": True,
            "years_experience": 8,
            "languages": ["it"],
            "availability": ["mon_am", "tue_am"],
            "gender": "m",
        },
        {
            "id": "G2",
            "name": "Carla",
            "site_id": "NEAR",
            "languages": ["fr"],
            "gender": "f",
            "max_mentees": 1,
            "current_mentees": 1,
        },
    ]
    peers = [
        {
            "id": "P1",
            "name": "Rita",
            "areas_served": ["Mantova"],
            "lived_experience": ["mental_health"],
            "gender": "f",
            "location": _at_km(15),
            "hours_per_week": 8,
            "started_on": "2026-01-20",
        },
        {"id": "P2", "name": "Ugo", "areas_served": ["Viadana"], "languages": ["it", "ar"]},
    ]
    data = {
        "candidates": candidates,
        "sites": sites,
        "guides": guides,
        "peers": peers,
        "relationships": [{"a": "P2", "b": "OP1", "kind": "therapeutic"}],
        "date": "2026-02-02",
    }
    data.update(over)
    return mw.Round(**data)


def _pair(table: mw.ScoreTable, c: str, p: str) -> int:
    i = table.find(list(table.candidate_ids).index(c), list(table.partner_ids).index(p))
    assert i >= 0
    return int(i)


def test_site_features_by_hand() -> None:
    scores = mw.score(hand_round())
    t = scores.site
    i = _pair(t, "C1", "CLEAN")
    assert t.values["skill_fit"][i] == pytest.approx(2 / 4)  # min(2,3) + min(0,1) over 3 + 1
    assert t.values["commute"][i] == pytest.approx(1 - 10 / 15, abs=1e-5)
    assert t.values["schedule"][i] == pytest.approx(1 / 2)  # mon_am of mon_am, mon_pm
    assert t.values["wished_sector"][i] == 1.0  # N contains 81.21
    assert t.values["site_experience"][i] == pytest.approx(1 - math.exp(-1), abs=1e-6)
    assert reason_codes(int(t.reasons[i])) == ()
    # weights sum to 100 and contributions add up to the score exactly
    assert t.weights.sum(axis=1) == pytest.approx(100)
    assert t.contributions(i).sum() == t.total[i]


def test_site_rules_by_hand() -> None:
    t = mw.score(hand_round()).site
    assert set(reason_codes(int(t.reasons[_pair(t, "C1", "FORK")]))) == {"min_skill", "no_schedule_overlap"}
    far = set(reason_codes(int(t.reasons[_pair(t, "C1", "GREEN")])))
    # 20 km > 15 km; no opening; 3 employees allow 1 trainee and 1 is present; one tutor follows 3, 1 present
    assert far == {"commute_too_far", "no_opening", "trainee_limit", "accommodation_missing"}


def test_exempt_categories_switch_off_the_legal_limit() -> None:
    rnd = hand_round()
    cand = rnd.candidates[0].model_copy(update={"category": "psychiatric_treatment"})
    rnd = rnd.replace(candidates=[cand])
    policy = mw.Policy.default().model_copy(
        update={"trainee_limits": mw.Policy.default().trainee_limits.model_copy(update={"rule_set": "lombardia"})}
    )
    t = mw.score(rnd, policy).site
    assert "trainee_limit" not in reason_codes(int(t.reasons[_pair(t, "C1", "GREEN")]))
    t = mw.score(rnd).site
    assert "trainee_limit" in reason_codes(int(t.reasons[_pair(t, "C1", "GREEN")]))


def test_guide_features_and_rules_by_hand() -> None:
    scores = mw.score(hand_round())
    t = scores.guide
    i = _pair(t, "C1", "G1")
    assert t.values["language"][i] == pytest.approx(1 / 2)  # it of it, ar
    assert t.values["guide_experience"][i] == pytest.approx(1 - math.exp(-1), abs=1e-6)
    assert t.values["gender"][i] == 0.0  # prefers f, G1 is m
    assert t.feasible("lead_guide")[i]
    j = _pair(t, "C1", "G2")
    # G2 states no training: 'trained' is empty and can_lead false, so untrained (the migration's reading)
    expected = {"no_shared_language_guide", "cannot_lead", "guide_full", "untrained_guide"}
    assert set(reason_codes(int(t.reasons[j]))) == expected
    assert t.values["gender"][j] == 1.0
    # the guide × position table: G1 works mon_am of CLEAN's mon_am, mon_pm; has none of its skills
    gp = scores.guide_position
    k = _pair(gp, "G1", "CLEAN")
    assert gp.values["schedule"][k] == pytest.approx(1 / 2)
    assert gp.values["guide_skill"][k] == 0.0
    assert gp.feasible("lead_guide")[k]  # half the shifts: the default minimum share
    # G2 has no position: every position of its site is in its team
    assert {gp.partner_ids[c] for r, c in zip(gp.rows, gp.cols, strict=True) if gp.candidate_ids[r] == "G2"} == {
        "CLEAN",
        "FORK",
    }
    # weights: the candidate × guide features and the guide × position ones share 100 points
    assert t.weights[0].sum() + gp.weights[0].sum() == pytest.approx(100)


def test_peer_features_and_rules_by_hand() -> None:
    t = mw.score(hand_round()).peer
    i = _pair(t, "C1", "P1")
    assert t.values["lived_experience"][i] == pytest.approx(1 / 2)
    assert t.values["proximity"][i] == pytest.approx(1 - 15 / 30, abs=1e-5)
    # P1 started 13 days ago: new, so 8 h × 50 % = 4 h ≥ 3 h needed (high intensity)
    assert reason_codes(int(t.reasons[i])) == ()
    j = _pair(t, "C1", "P2")
    assert set(reason_codes(int(t.reasons[j]))) == {"outside_area", "care_team_therapeutic"}
    assert t.values["proximity"][j] == 0.5  # P2's home is unknown


def test_new_peer_hours_are_capped_lower() -> None:
    rnd = hand_round()
    peers = [rnd.peers[0].model_copy(update={"hours_in_use": 2.0}), rnd.peers[1]]
    t = mw.score(rnd.replace(peers=peers)).peer
    assert "peer_hours" in reason_codes(int(t.reasons[_pair(t, "C1", "P1")]))  # 4 − 2 < 3


def test_most_important_is_weighted_up() -> None:
    rnd = hand_round()
    boosted = rnd.replace(candidates=[rnd.candidates[0].model_copy(update={"most_important": "commute"})])
    plain, wish = mw.score(rnd).site, mw.score(boosted).site
    j = list(plain.feature_names).index("commute")
    w0, w1 = plain.weights[0], wish.weights[0]
    assert w1[j] / w1.sum() > w0[j] / w0.sum()
    assert w1[j] / (100 - w1[j]) == pytest.approx(2 * w0[j] / (100 - w0[j]))


def test_unknown_most_important_is_located() -> None:
    rnd = hand_round()
    bad = rnd.replace(candidates=[rnd.candidates[0].model_copy(update={"most_important": "salary"})])
    with pytest.raises(mw.RoundValidationError) as info:
        mw.score(bad)
    p = info.value.problems[0]
    assert (p.table, p.column, p.record_id, p.value) == ("candidates", "most_important", "C1", "salary")


def test_min_score_rule() -> None:
    policy = mw.Policy.default().model_copy(
        update={"scoring": mw.Policy.default().scoring.model_copy(update={"min_score": {"site": 99.0}})}
    )
    t = mw.score(hand_round(), policy).site
    assert "below_min_score" in reason_codes(int(t.reasons[_pair(t, "C1", "CLEAN")]))


def test_pins_forbids_and_exclusions_become_reasons() -> None:
    rnd = hand_round(
        pins=[{"candidate_id": "C1", "partner_id": "NEAR"}],
        forbids=[{"candidate_id": "C1", "partner_id": "G1", "role": "lead_guide"}],
    )
    scores = mw.score(rnd)
    t = scores.site
    assert "pinned_elsewhere_site" in reason_codes(int(t.reasons[_pair(t, "C1", "GREEN")]))
    assert "pinned_elsewhere_site" not in reason_codes(int(t.reasons[_pair(t, "C1", "CLEAN")]))
    g = scores.guide
    i = _pair(g, "C1", "G1")
    assert not g.feasible("lead_guide")[i]
    assert g.feasible("guide")[i], "a lead-only forbid leaves the squad role open"


def test_disabled_rules_and_unknown_codes() -> None:
    policy = mw.Policy.default().model_copy(
        update={"rules": mw.Policy.default().rules.model_copy(update={"disabled": frozenset({"no_schedule_overlap"})})}
    )
    t = mw.score(hand_round(), policy).site
    assert reason_codes(int(t.reasons[_pair(t, "C1", "FORK")])) == ("min_skill",)
    bad = mw.Policy.default().model_copy(
        update={"rules": mw.Policy.default().rules.model_copy(update={"disabled": frozenset({"no_such_rule"})})}
    )
    with pytest.raises(mw.errors.PolicyValidationError, match=r"rules\.disabled"):
        mw.score(hand_round(), bad)


def test_custom_feature() -> None:
    def quiet(c, p):
        return np.where(p.hosted > 3, 1.0, 0.0)

    feature = mw.Feature("quiet_site", "site", quiet, {"it": "sede tranquilla", "en": "a quiet site"})
    policy = mw.Policy.default().with_weights(site={"quiet_site": 10})
    t = mw.score(hand_round(), policy, features=[feature]).site
    assert t.values["quiet_site"][_pair(t, "C1", "CLEAN")] == 1.0
    with pytest.raises(mw.errors.PolicyValidationError, match=r"weights\.site\.quiet_site"):
        mw.score(hand_round(), policy)

    def broken(c, p):
        return np.full(np.broadcast_shapes(np.shape(c.index), np.shape(p.index)), 2.0)

    with pytest.raises(ValueError, match="outside"):
        mw.score(hand_round(), policy, features=[mw.Feature("quiet_site", "site", broken, {"it": "", "en": ""})])


# ------------------------------------------------------------ against the naive reference


def _check_against_reference(rnd: mw.Round, policy: mw.Policy) -> None:
    scores = mw.score(rnd, policy, dense=True)
    sites = {p.id: s for s in rnd.sites for p in s.positions}
    positions = {p.id: p for s in rnd.sites for p in s.positions}
    guides = {g.id: g for g in rnd.guides}
    peers = {p.id: p for p in rnd.peers}
    tutors = {t.id: t for t in rnd.tutors}
    operators = {o.id: o for o in rnd.operators}
    cands = {c.id: c for c in rnd.candidates}
    flagged = set(policy.rules.flagged)
    gp = scores.guide_position
    at_site = {(g.id, p) for g in rnd.guides for p in ref.site_positions(rnd, g)}
    assert {(gp.candidate_ids[r], gp.partner_ids[c]) for r, c in zip(gp.rows, gp.cols, strict=True)} == at_site
    for i in range(len(gp)):
        g, p = guides[gp.candidate_ids[gp.rows[i]]], positions[gp.partner_ids[gp.cols[i]]]
        want = ref.guide_position_features(g, p)
        for name in gp.feature_names:
            assert gp.values[name][i] == pytest.approx(want[name], abs=2e-4), ("guide_position", name, g.id, p.id)
        assert set(reason_codes(int(gp.reasons[i]))) == ref.guide_position_reasons(policy, g, p), (g.id, p.id)
        assert gp.contributions(i).sum() == pytest.approx(gp.total[i], abs=1e-9)
    for stage, expected_features, expected_reasons in (
        (
            "tutor",
            lambda c, p: {},
            lambda c, p: ref.tutor_reasons(rnd, policy, c, tutors[p]),
        ),
        (
            "operator",
            lambda c, p: {},
            lambda c, p: ref.operator_reasons(rnd, policy, c, operators[p]),
        ),
        (
            "site",
            lambda c, p: ref.site_features(c, sites[p], positions[p]),
            lambda c, p: ref.site_reasons(rnd, policy, c, sites[p], positions[p]),
        ),
        (
            "guide",
            lambda c, p: ref.guide_features(c, guides[p]),
            lambda c, p: ref.guide_reasons(rnd, policy, c, guides[p]),
        ),
        ("peer", lambda c, p: ref.peer_features(c, peers[p]), lambda c, p: ref.peer_reasons(rnd, policy, c, peers[p])),
    ):
        t = scores[stage]
        assert len(t) == len(t.candidate_ids) * len(t.partner_ids)
        for i in range(len(t)):
            c, p = cands[t.candidate_ids[t.rows[i]]], t.partner_ids[t.cols[i]]
            want = expected_features(c, p)
            for name in t.feature_names:
                assert t.values[name][i] == pytest.approx(want[name], abs=2e-4), (stage, name, c.id, p)
            codes = expected_reasons(c, p)
            assert set(reason_codes(int(t.reasons[i]))) == codes - flagged, (stage, c.id, p)
            assert set(reason_codes(int(t.flags[i]))) == codes & flagged, (stage, c.id, p)
            assert t.contributions(i).sum() == pytest.approx(t.total[i], abs=1e-9)


@given(rnd=rounds(), lombardy=st.booleans())
def test_vectorized_equals_naive_reference(rnd: mw.Round, lombardy: bool) -> None:
    policy = mw.Policy.default()
    if lombardy:
        policy = policy.model_copy(
            update={"trainee_limits": policy.trainee_limits.model_copy(update={"rule_set": "lombardia"})}
        )
    _check_against_reference(rnd, policy)


def test_reference_on_a_synthetic_round() -> None:
    _check_against_reference(mw.synth.round(40, seed=11), mw.Policy.default())


@pytest.mark.parametrize("seed", range(6))
def test_reference_on_seed_rounds(seed: int) -> None:
    """Tutors, operators, cooperatives, trained guides, staff by its parts, the hiring bonus, peer safeguards."""
    rnd = seeds_round(seed)
    _check_against_reference(rnd, mw.Policy.default())
    flag_off = mw.Policy.default().model_copy(
        update={"rules": mw.Policy.default().rules.model_copy(update={"flagged": frozenset()})}
    )
    _check_against_reference(rnd, flag_off)
    _check_against_reference(rnd, mw.Policy.from_toml_text('[team]\nguides_at = ["cooperative"]\n'))


@given(seed=st.integers(0, 10**6))
def test_vectorized_equals_naive_reference_on_seed_rounds(seed: int) -> None:
    _check_against_reference(seeds_round(seed), mw.Policy.default())


# ------------------------------------------------------------ dense against sparse


@pytest.mark.parametrize("seed", [0, 3])
def test_sparse_path_gives_the_dense_top_pairs(seed: int) -> None:
    rnd = mw.synth.round(400, seed=seed)
    policy = mw.Policy.default().model_copy(
        update={"scoring": mw.Policy.default().scoring.model_copy(update={"top_k": 15})}
    )
    dense, sparse = mw.score(rnd, policy, dense=True), mw.score(rnd, policy, dense=False)
    assert not sparse.site.dense
    for stage in ("site", "peer"):
        d = dense[stage].top(15)
        if stage == "peer":
            d = d.take(dense.arrays.candidates.wants_peer[d.rows])
        s = sparse[stage]
        assert np.array_equal(d.rows, s.rows) and np.array_equal(d.cols, s.cols), stage
        assert np.array_equal(d.total, s.total), stage
    # every guide pair the sparse path keeps is scored exactly as densely
    g_d, g_s = dense.guide, sparse.guide
    where = g_d.find(g_s.rows, g_s.cols)
    assert (where >= 0).all()
    assert np.array_equal(g_d.total[where], g_s.total)
    assert np.array_equal(g_d.reasons[where], g_s.reasons)
    # and no pair feasible in some role is missing at the sites the candidate keeps
    sites = dense.arrays.positions.site
    kept = set(zip(sparse.site.rows.tolist(), sites[sparse.site.cols].tolist(), strict=True))
    guide_site = dense.arrays.guides.site
    ok = g_d.feasible_in_any_role()
    expected = {
        (r, c) for r, c in zip(g_d.rows[ok].tolist(), g_d.cols[ok].tolist(), strict=True) if (r, guide_site[c]) in kept
    }
    assert expected == set(zip(g_s.rows.tolist(), g_s.cols.tolist(), strict=True))


def test_every_rule_has_both_languages() -> None:
    for rule in RULE_BY_CODE.values():
        assert rule.text["it"] and rule.text["en"] and rule.text["it"] != rule.text["en"]


# ------------------------------------------------------------ the kernel's shortcuts against the plain tests


def _with_rules(**update: frozenset[str]) -> mw.Policy:
    policy = mw.Policy.default()
    return policy.model_copy(update={"rules": policy.rules.model_copy(update=update)})


@pytest.mark.parametrize(
    "policy",
    [
        mw.Policy.default(),
        _with_rules(flagged=frozenset({"no_shared_language_tutor"})),
        _with_rules(disabled=frozenset({"tutor_full", "forbidden_tutor"})),
    ],
    ids=["default", "language flagged", "room and forbids off"],
)
def test_no_tutor_available_by_site_equals_tutor_by_tutor(policy: mw.Policy) -> None:
    """Per-site language unions for most candidates, tutor by tutor for those a tutor pair set names."""
    from matchwork.scoring.rules import _no_tutor_available, _no_tutor_pairwise
    from matchwork.scoring.scorer import Scorer

    seen = {"special": 0, "forbidden": 0, "allowed": 0}
    for seed in range(30):
        scorer = Scorer(seeds_round(seed), policy)
        a, ctx = scorer.arrays, scorer.context
        rows, cols = np.arange(len(a.candidates))[:, None], np.arange(len(a.positions))[None, :]
        c, p = a.candidates.gather(rows), a.positions.gather(cols)
        applies = ctx.tutor_at[a.sites.kind[p.site]] & a.sites.tutors_listed[p.site]
        every = np.broadcast_to(applies, (len(a.candidates), len(a.positions)))
        fast = np.broadcast_to(_no_tutor_available(c, p, ctx), every.shape)
        np.testing.assert_array_equal(fast, _no_tutor_pairwise(c.index, p.site, every, ctx))
        seen["special"] += int((ctx.tutor_sites.special[:, None] & every).sum())
        seen["forbidden"] += int(fast.sum())
        seen["allowed"] += int((every & ~fast).sum())
    assert min(seen.values()) > 0, seen  # the generator reaches both answers and the tutor-by-tutor path


def test_pair_sets_scattered_into_a_block_equal_the_search_over_pairs() -> None:
    from matchwork.scoring.scorer import Scorer

    hits = 0
    for seed in range(20):
        scorer = Scorer(seeds_round(seed))
        ctx, a = scorer.context, scorer.arrays
        for (name, stage), keys in ctx._sets.items():
            if stage == "guide_position" or not len(keys):
                continue
            n_p = ctx.n_partners[stage]
            block = np.arange(1, len(a.candidates))[::-1]  # not in order, the first candidate left out
            c_dense = a.candidates.gather(block[:, None])
            p_dense = scorer.partners(stage).gather(np.arange(n_p)[None, :])
            dense = ctx.in_set(name, stage, c_dense, p_dense)
            rr, cc = np.broadcast_arrays(block[:, None], np.arange(n_p)[None, :])
            listed = ctx.in_set(name, stage, a.candidates.gather(rr.ravel()), scorer.partners(stage).gather(cc.ravel()))
            want = {(int(k) // n_p, int(k) % n_p) for k in keys}
            expected = np.array([(r, q) in want for r, q in zip(rr.ravel(), cc.ravel(), strict=True)])
            np.testing.assert_array_equal(dense.ravel(), expected, err_msg=f"{name} {stage}")
            np.testing.assert_array_equal(listed, expected, err_msg=f"{name} {stage}")
            hits += int(expected.sum())
    assert hits > 20
