"""Explanations: exact contributions, why-not costs as two solves, capacity prices, audiences, languages."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matchwork as mw
from matchwork.explain import AUDIENCES, to_json
from matchwork.explain.audience import is_sensitive, rule_text
from matchwork.i18n import TEXTS, words
from matchwork.model.profiles import Pin
from matchwork.model.vocab import Category, LivedExperience, ReferringService, SupportIntensity, label
from matchwork.scoring.features import BUILTIN as FEATURES
from matchwork.scoring.rules import RULE_BY_CODE

from strategies import rounds


@pytest.fixture(scope="module")
def demo() -> mw.MatchResult:
    return mw.match(mw.synth.round(150, seed=4))


def _matched(result: mw.MatchResult) -> list[str]:
    return result.solved_assignments.query("status == 'matched'").candidate_id.tolist()  # kept ones: test_continuity


def _unmatched(result: mw.MatchResult) -> list[str]:
    return result.assignments.query("status == 'unmatched'").candidate_id.tolist()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=rounds())
def test_contributions_sum_to_the_score_for_every_pairing(rnd: mw.Round) -> None:
    result = mw.match(rnd)
    asg = result.assignments.set_index("candidate_id")
    for cid in asg.index:
        for audience in ("case_team", "site"):
            e = result.explain(cid, audience=audience, lang="en")
            for s in e.stages:
                if s.partner_id is None:
                    continue
                assert math.isclose(sum(c.points for c in s.contributions), s.score, abs_tol=1e-9)
            by_stage = {s.stage: s for s in e.stages}
            if asg.at[cid, "status"] == "matched":
                assert by_stage["site"].score == pytest.approx(asg.at[cid, "site_score"], abs=1e-9)
                assert by_stage["lead_guide"].score == pytest.approx(asg.at[cid, "guide_score"], abs=1e-9)
                assert by_stage["lead_guide"].partner_id == asg.at[cid, "lead_guide_id"]
                squad = [s.partner_id for s in e.stages if s.stage == "squad" and s.partner_id]
                assert tuple(squad) == asg.at[cid, "squad_ids"]


def test_explanation_ranks_and_alternatives(demo: mw.MatchResult) -> None:
    for cid in _matched(demo)[:20]:
        e = demo.explain(cid, lang="en")
        site = e.stages[0]
        assert 1 <= site.rank <= site.n_options
        for alt in site.alternatives:
            assert alt.score > site.score  # only better options need a reason
            assert alt.why in ("rule", "capacity", "trade_off")
            if alt.why == "rule":
                assert alt.rules
            if alt.why == "capacity":
                assert alt.price is not None and alt.price >= 0
        assert "Why" in e.text and "<div" in e._repr_html_()


def test_unmatched_candidates_say_what_blocked_them(demo: mw.MatchResult) -> None:
    reasons = demo.unmatched_reasons.set_index("candidate_id")
    for cid in _unmatched(demo)[:15]:
        e = demo.explain(cid, lang="it")
        assert e.status == "unmatched" and e.blocked
        for alt in e.blocked:
            assert alt.detail
            assert alt.why in ("rule", "capacity", "trade_off")
        if reasons.at[cid, "reason"] == "no_feasible_option":
            assert all(a.why == "rule" for a in e.blocked)


def test_why_not_compares_the_tiers_of_two_full_solves(demo: mw.MatchResult) -> None:
    rnd = demo.round
    checked = 0
    for cid in _unmatched(demo) + _matched(demo):
        options = demo.suggest(cid, k=2).query("stage == 'site'")
        current = demo.assignments.set_index("candidate_id").at[cid, "position_id"]
        for pid in options.partner_id:
            if pid == current:
                continue
            w = demo.why_not(cid, pid, lang="en")
            try:
                pinned = mw.match(rnd.replace(pins=[*rnd.pins, Pin(candidate_id=cid, partner_id=pid)]))
            except mw.errors.MatchError:
                assert not w.feasible and w.cost is None and w.reasons
                continue
            assert w.feasible and w.tiers_after == pinned.tiers and w.tiers_before == demo.tiers
            for stage in {s for s, t, _ in demo.tiers if t == "points"}:  # the squad has none: the joint stage's
                points = next(v for s, t, v in demo.tiers if s == stage and t == "points")
                after = next(v for s, t, v in pinned.tiers if s == stage and t == "points")
                assert w.cost_by_stage[stage] == pytest.approx(points - after, abs=1e-9)
            assert w.unplaced == demo.objective["matched"] - pinned.objective["matched"]
            # the first tier that changes never improves — but a pin places its person without the full squad
            # the policy asks of the others, which may leave room for one more
            exempt = (
                len(pinned.assignments.set_index("candidate_id").at[cid, "squad_ids"]) < demo.policy.caps.squad_size
            )
            assert w.headline is None or w.headline[2] > 0 or (exempt and w.headline[:2] == ("joint", "placed"))
            assert w.unplaced >= 0 or exempt
            moved = pinned.assignments.set_index("candidate_id")
            for other in [*w.displaced.candidate_id, *w.gained.candidate_id]:
                assert other != cid
                assert moved.loc[other].to_dict() != demo.assignments.set_index("candidate_id").loc[other].to_dict()
            assert not set(w.displaced.candidate_id) & set(w.gained.candidate_id)
            checked += 1
        if checked >= 4:
            break
    assert checked >= 4


def test_why_not_names_the_rules_of_a_forbidden_pair(demo: mw.MatchResult) -> None:
    for cid in _unmatched(demo):
        row = demo.scores.scorer.dense("site", candidates=np.array([demo.scores.arrays.candidates.index[cid]]))
        bad = np.flatnonzero(row.reasons != 0)
        if len(bad):
            pid = str(row.partner_ids[row.cols[bad[0]]])
            w = demo.why_not(cid, pid)
            assert not w.feasible and w.rules and w.cost is None
            assert set(w.rules) <= set(RULE_BY_CODE)
            return
    pytest.fail("no forbidden pair in the demo round")


def test_why_not_rejects_unknown_ids(demo: mw.MatchResult) -> None:
    with pytest.raises(KeyError, match="no candidate"):
        demo.why_not("nobody", "S00001")
    with pytest.raises(KeyError, match="no site"):
        demo.why_not(_matched(demo)[0], "nothing")


def test_suggest_lists_allowed_partners_best_first(demo: mw.MatchResult) -> None:
    cid = _matched(demo)[0]
    s = demo.suggest(cid, k=3)
    for _, group in s.groupby("stage"):
        assert list(group["rank"]) == list(range(1, len(group) + 1))
        assert list(group["score"]) == sorted(group["score"], reverse=True)
        for total, parts in zip(group["score"], group["breakdown"], strict=True):
            assert sum(parts.values()) == pytest.approx(total)
    with pytest.raises(ValueError, match="k must be"):
        demo.suggest(cid, k=0)


def test_capacity_prices_are_gains_of_a_resolve_with_one_more_opening() -> None:
    """An independent check: where a position's openings bind, add one in the round itself."""
    for seed in range(6):
        rnd = mw.synth.round(60, seed=seed)
        big = {"headcount": 2000, "company_tutors": 100, "trainees_present": 0}  # so that openings bind
        rnd = rnd.replace(sites=[s.model_copy(update=big) for s in rnd.sites], pairings=[])
        result = mw.match(rnd)
        prices = result.capacity_prices(roles=["site"]).set_index("partner_id")
        assert (prices.loc[~prices.binding, ["extra_matched", "gain"]] == 0).all().all()
        cap, a = result.scores.capacities, result.scores.arrays
        for site in rnd.sites:
            s = a.sites.index[site.id]
            if not prices.at[site.id, "binding"] or len(site.positions) != 1:
                continue
            load = prices.at[site.id, "load"]
            if min(cap.site_legal_limit[s], cap.site_tutor_limit[s]) <= load:
                continue  # a legal or tutor limit binds: not a matter of openings
            pos = site.positions[0].model_copy(update={"openings": site.positions[0].openings + 1})
            sites = [x if x.id != site.id else x.model_copy(update={"positions": (pos,)}) for x in rnd.sites]
            more = mw.match(rnd.replace(sites=sites))
            for stage in {s for s, t, _ in result.tiers if t == "points"}:  # points as the engine optimises them
                gained = [
                    a - b
                    for (s1, t, a), (_, _, b) in zip(more.tiers, result.tiers, strict=True)
                    if s1 == stage and t == "points"
                ]
                assert prices.at[site.id, f"gain_{stage}"] == pytest.approx(gained[0], abs=1e-9)
            assert prices.at[site.id, "extra_matched"] == more.objective["matched"] - result.objective["matched"]
            assert prices.at[site.id, "gain"] >= 0  # one more place never lowers the stage it belongs to
            return
    pytest.fail("no site whose openings bind in the seeds tried")


def test_every_reason_and_feature_renders_in_both_languages() -> None:
    for code in RULE_BY_CODE:
        it, en = rule_text(code, "it"), rule_text(code, "en")
        assert it and en and it != en, code
    for (stage, name), f in FEATURES.items():
        assert f.text["it"] and f.text["en"] and f.text["it"] != f.text["en"], (stage, name)
    assert set(words("explain", "it")) == set(words("explain", "en")) and len(words("explain", "it")) > 10
    with pytest.raises(ValueError, match="lang"):
        rule_text("commute_too_far", "fr")


def test_explanations_render_in_both_languages(demo: mw.MatchResult) -> None:
    cid = _matched(demo)[0]
    it, en = demo.explain(cid, lang="it").text, demo.explain(cid, lang="en").text
    assert "Perché" in it and "Why" in en and it != en
    with pytest.raises(ValueError, match="audience"):
        demo.explain(cid, audience="press")


def test_sensitive_rules_and_features_are_those_reading_sensitive_fields() -> None:
    sensitive = {code for code, r in RULE_BY_CODE.items() if is_sensitive(r.reads)}
    assert {"trainee_limit", "care_team_therapeutic", "peer_hours", "relationship_peer"} <= sensitive
    assert "commute_too_far" not in sensitive
    assert is_sensitive(FEATURES[("peer", "lived_experience")].reads)
    assert not is_sensitive(FEATURES[("site", "commute")].reads)


SENTINEL = "ZZSENTINEL"


def _planted() -> mw.Round:
    """The demo round with sentinel values in every sensitive field that can hold one."""
    rnd = mw.synth.round(120, seed=9)
    candidates = [
        c.model_copy(
            update={
                "care_team": c.care_team | {f"{SENTINEL}{i}"},
                "category": Category.FORMER_PSYCHIATRIC_INPATIENT,
                "referring_service": ReferringService.UEPE,
                "peer_experience": frozenset({LivedExperience.HOMELESSNESS}),
                "support_intensity": SupportIntensity.HIGH,
            }
        )
        for i, c in enumerate(rnd.candidates)
    ]
    return rnd.replace(candidates=candidates)


def test_no_sensitive_value_reaches_a_site_a_peer_or_another_person() -> None:
    """Sites and peer supporters read nothing sensitive; a candidate reads their own data and no one else's."""
    result = mw.match(_planted())
    words = [SENTINEL, "former_psychiatric_inpatient", "uepe", "homelessness", "UEPE"]
    for value in (Category.FORMER_PSYCHIATRIC_INPATIENT, LivedExperience.HOMELESSNESS):
        words += [label(value, "it"), label(value, "en")]
    for text in ("therapeutic", "terapeutica", "lived experience", "esperienza vissuta"):
        words.append(text)
    others = [SENTINEL, "therapeutic", "terapeutica", "uepe", "UEPE"]  # care teams, relationships, referrals
    for audience, banned in (("site", words), ("peer", words), ("candidate", others)):
        for cid in result.assignments.candidate_id:
            for lang in ("it", "en"):
                e = result.explain(cid, audience=audience, lang=lang)
                blob = e.text + e._repr_html_() + to_json([e])
                for w in banned:
                    assert w.lower() not in blob.lower(), (audience, cid, w)


def test_explanations_serialise_to_json(demo: mw.MatchResult) -> None:
    es = [demo.explain(c, lang="en") for c in demo.assignments.candidate_id[:10]]
    data = json.loads(to_json(es))
    assert [d["candidate_id"] for d in data] == list(demo.assignments.candidate_id[:10])


@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_audience_sees_its_stages(demo: mw.MatchResult, audience: str) -> None:
    asg = demo.assignments
    cid = asg[asg.peer_id.notna() & (asg.squad_ids.map(len) > 0)].candidate_id.iloc[0]
    stages = {s.stage for s in demo.explain(cid, audience=audience).stages}
    expected = {
        "case_team": {"site", "lead_guide", "squad", "peer"},
        "site": {"site", "lead_guide", "squad"},
        "candidate": {"site", "lead_guide", "squad", "peer"},
        "peer": {"peer"},
    }[audience]
    assert stages == expected


@given(st.sampled_from(sorted(RULE_BY_CODE)), st.sampled_from(["site", "candidate", "peer"]))
def test_rules_told_to_sites_and_candidates_never_name_sensitive_reasons(code: str, audience: str) -> None:
    text = rule_text(code, "en", audience)
    reads = RULE_BY_CODE[code].reads
    if audience == "candidate":  # their own data is theirs to read; other people's is not
        reads = tuple(r for r in reads if not r.startswith("candidates.") and r != "peers.lived_experience")
    if is_sensitive(reads):
        assert text == words("explain", "en")["confidential"]
    elif audience == "candidate" and f"rule_you.{code}" in TEXTS:  # the person, told in the second person
        assert text == words("rule_you", "en")[code]
    else:
        assert text == RULE_BY_CODE[code].text["en"]


def test_suggest_offers_lead_guides_and_squads_only_at_the_sites_it_suggests(demo: mw.MatchResult) -> None:
    a = demo.scores.arrays
    checked = 0
    for cid in demo.assignments.candidate_id[:40]:
        table = demo.suggest(cid, k=3)
        sites = {a.sites.ids[a.positions.site[a.positions.index[p]]] for p in table.query("stage == 'site'").partner_id}
        for stage in ("lead_guide", "squad"):
            for gid in table.query("stage == @stage").partner_id:
                assert a.sites.ids[a.guides.site[a.guides.index[gid]]] in sites, (cid, stage, gid)
                checked += 1
    assert checked >= 20


def test_the_persons_priority_is_shown_with_its_points_and_the_best_option_for_it() -> None:
    result = mw.match(mw.synth.round(300, seed=0))
    site = result.scores.site
    checked = asked = 0
    shown: list[str] = []
    for person in result.solved_round.candidates:
        row = result.assignments.set_index("candidate_id").loc[person.id]
        if row.status != "matched":
            continue
        e = result.explain(person.id, lang="en", prices=False)
        for s in e.stages:
            contributions = {c.feature: c for c in s.contributions}
            zero = sum(c.asked and c.points == 0 for c in s.contributions)
            asked += zero
            if zero:
                shown.append(e.text)
            # the guide x position part of a lead or squad member (schedule, guide_skill) measures the guide at the
            # position, not the person: a priority there is not the person's (issue 18 section 7), only the
            # person x guide features are
            position_part = (
                s.stage in ("lead_guide", "squad") and person.most_important not in result.scores.guide.feature_names
            )
            if person.most_important in contributions and not position_part:
                assert s.priority is not None and s.priority.feature == person.most_important
                assert s.priority.points == pytest.approx(contributions[person.most_important].points)
                assert s.priority.possible >= s.priority.best_points >= s.priority.points - 1e-9
                if s.stage == "site":  # the best allowed option for it, read off the score table
                    c = result.scores.arrays.candidates.index[person.id]
                    ok = (site.rows == c) & site.feasible("site")
                    j = site.feature_names.index(person.most_important)
                    best = float((site.weights[c, j] * site.values[person.most_important][ok]).max())
                    assert s.priority.best_points == pytest.approx(best, abs=1e-6)
                checked += 1
    assert checked >= 10
    assert all(": 0.0 points" in text for text in shown)  # a wish at 0 points is shown, not dropped


@pytest.mark.parametrize("order", ["in order", "shuffled"])
def test_full_rows_scored_in_blocks_give_the_explanations_one_at_a_time(
    order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every audience's explanations, full rows scored in blocks of candidates or one candidate at a time,
    and the limits of the options not taken found for every candidate at once or option by option."""
    from matchwork.explain.explain import Rows, SiteBlocks
    from matchwork.scoring.scorer import Scorer

    policy = mw.Policy.default()
    policy = policy.model_copy(update={"scoring": policy.scoring.model_copy(update={"dense_max_pairs": 2_000})})
    result = mw.match(mw.synth.round(120, seed=4), policy)
    assert not result.scores.site.dense and not result.scores.guide.dense  # full rows are scored, not read off
    ids = list(result.assignments.candidate_id)
    if order == "shuffled":
        ids = [ids[i] for i in np.random.default_rng(0).permutation(len(ids))]
    scored: list[int] = []
    dense = Scorer.dense

    def counting(self: Scorer, stage: str, candidates: np.ndarray | None = None, **kw: object) -> mw.ScoreTable:
        scored.append(len(candidates) if candidates is not None else -1)
        return dense(self, stage, candidates, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Scorer, "dense", counting)

    def explain_all(max_block: int) -> str:
        for key in ("_explain_contexts", "_explain_rows"):
            result.__dict__.pop(key, None)
        monkeypatch.setattr(Rows, "MAX_BLOCK", max_block)
        monkeypatch.setattr(Rows, "BLOCK_PAIRS", 5_000)  # several block sizes, capped by the partners' count
        out = [mw.explain.explain(result, c, audience, "en", prices=False) for audience in AUDIENCES for c in ids]
        return to_json(out)

    alone: list[int] = []
    of = SiteBlocks.of

    def option_by_option(self: SiteBlocks, c: int, pos: int):  # type: ignore[no-untyped-def]
        alone.append(c)
        return self.limits.blocks(np.array([c]), np.array([pos]))

    with monkeypatch.context() as m:
        m.setattr(SiteBlocks, "of", option_by_option)
        one = explain_all(1)
    assert set(scored) == {1} and len(alone) > 20
    scored.clear()
    monkeypatch.setattr(SiteBlocks, "of", lambda self, c, pos: (alone.append(-1), of(self, c, pos))[1])
    blocks = explain_all(256)
    assert alone.count(-1) > 20
    if order == "in order":  # blocks of many candidates, far fewer calls than candidates × stages
        assert max(scored) > 8 and len(scored) < len(ids), (max(scored), len(scored))
    assert blocks == one
