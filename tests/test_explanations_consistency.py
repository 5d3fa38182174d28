"""What explanations say must agree with what the engine did, over every candidate of whole rounds.

Rounds with pins, pairings in place and exempt trainees (the Lombardy rule set).
For every candidate: contributions sum to the scores in ``assignments``; forcing
the current partner costs 0; forcing every allowed option not taken never improves
the first tier that changes, and its re-solve equals an independent ``mw.match`` of
the round with that pin; every limit named is full in ``loads``; no audience reads
what it must not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import matchwork as mw
from matchwork.explain import Contribution, to_json
from matchwork.model.profiles import Pin
from matchwork.scoring.rules import reason_codes, role_mask

LOMBARDY = mw.Policy.from_toml_text('[trainee_limits]\nrule_set = "lombardia"\n')


def _with_pins(rnd: mw.Round, policy: mw.Policy) -> mw.Round:
    """The round with two candidates pinned to the second-best position the rules allow them."""
    scores = mw.score(rnd, policy)
    site, guide, gp = scores.site, scores.guide, scores.guide_position
    # positions with a lead guide the candidate may have (a host company's tutors are not in the engine yet)
    leads = guide.feasible("lead_guide") & scores.arrays.guides.can_lead[guide.cols]
    led = {
        (int(c), int(p))
        for c, g in zip(guide.rows[leads], guide.cols[leads], strict=True)
        for p in gp.cols[(gp.rows == g) & gp.feasible("lead_guide")]
    }
    pins, pinned = [], []  # two pins at two different sites: they can be honoured together
    for c in range(len(rnd.candidates)):
        ok = np.flatnonzero((site.rows == c) & site.feasible("site"))
        taken = {scores.arrays.positions.site[site.cols[rnd_pin]] for rnd_pin in pinned}
        ok = np.array(
            [
                i
                for i in ok
                if (c, int(site.cols[i])) in led and scores.arrays.positions.site[site.cols[i]] not in taken
            ],
            dtype=np.int64,
        )
        if len(ok) >= 2:
            second = ok[np.argsort(-site.total[ok], kind="stable")[1]]
            pinned.append(second)
            pins.append(Pin(candidate_id=rnd.candidates[c].id, partner_id=str(site.partner_ids[site.cols[second]])))
        if len(pins) == 2:
            break
    return rnd.replace(pins=pins)


ROUNDS = {
    # sizes where ten or more people are placed with a full squad (squads are required by default)
    "national rules, pins": (lambda: mw.synth.round(75, seed=3).replace(region=None), mw.Policy()),
    "Lombardy exemptions, pins": (lambda: mw.synth.round(75, seed=11), LOMBARDY),
}


@pytest.fixture(scope="module", params=sorted(ROUNDS))
def case(request: pytest.FixtureRequest) -> tuple[mw.Round, mw.Policy, mw.MatchResult]:
    make, policy = ROUNDS[request.param]
    rnd = _with_pins(make(), policy)
    result = mw.match(rnd, policy)
    assert rnd.pins and rnd.pairings, "the round must carry pins and pairings in place"
    assert (result.solved_assignments.status == "matched").sum() >= 10 and (
        result.solved_assignments.status == "unmatched"
    ).any()
    return rnd, policy, result


def test_contributions_sum_to_the_scores_of_the_assignments(case: tuple[mw.Round, mw.Policy, mw.MatchResult]) -> None:
    _, _, result = case
    asg = result.solved_assignments.set_index("candidate_id")
    column = {"site": "site_score", "lead_guide": "guide_score", "peer": "peer_score"}
    squads = {(r.candidate_id, r.guide_id): r.score for r in result.squads.itertuples()}
    assert squads, "the rounds must place people with squads"
    for cid in asg.index:
        for s in result.explain(cid, lang="en", prices=False).stages:
            if s.partner_id is None:
                continue
            if s.stage in ("tutor", "operator"):  # no score: the rules and their room decide
                assert s.score is None and not s.contributions
                continue
            assert math.isclose(sum(c.points for c in s.contributions), s.score, abs_tol=1e-9)
            assert s.score <= s.most + 1e-9  # "score x out of most": no pairing scores above what it could
            assert s.most == 100.0  # a lead or squad member: both parts (person × guide, guide × position)
            if s.stage in column:
                assert s.score == pytest.approx(asg.at[cid, column[s.stage]], abs=1e-9)
            if s.stage == "squad":  # the member's score as the result keeps it, position part included
                assert s.score == pytest.approx(squads[(cid, s.partner_id)], abs=1e-9)


def test_forcing_the_current_partner_costs_nothing(case: tuple[mw.Round, mw.Policy, mw.MatchResult]) -> None:
    _, _, result = case
    asg = result.solved_assignments
    for row in asg[asg.status == "matched"].itertuples():
        partners = [(row.position_id, "site"), (row.site_id, "site")]
        partners += [(row.lead_guide_id, "lead_guide")] if row.lead_guide_id else []  # none at a host company
        partners += [(g, "guide") for g in row.squad_ids] + ([(row.peer_id, "peer")] if row.peer_id else [])
        partners += [(pid, role) for pid, role in ((row.tutor_id, "tutor"), (row.operator_id, "operator")) if pid]
        for pid, role in partners:
            w = result.why_not(row.candidate_id, pid, role)
            assert w.feasible and w.current and w.cost == 0 and w.unplaced == 0
            assert w.displaced.empty and w.gained.empty


def _options_not_taken(result: mw.MatchResult) -> list[tuple[str, str, str]]:
    """Every allowed option an explanation lists as not taken: (candidate, partner, role)."""
    role_of = {"site": "site", "lead_guide": "lead_guide", "squad": "guide", "peer": "peer"}
    out = []
    for cid in result.solved_assignments.candidate_id:
        e = result.explain(cid, lang="en", prices=False)
        for s in e.stages:
            out += [(cid, a.partner_id, role_of[s.stage]) for a in s.alternatives if a.why != "rule"]
        out += [(cid, a.partner_id, "site") for a in e.blocked if a.why != "rule"]
    return out


def test_forcing_an_option_never_improves_the_first_tier_and_equals_an_independent_resolve(
    case: tuple[mw.Round, mw.Policy, mw.MatchResult],
) -> None:
    rnd, policy, result = case
    options = _options_not_taken(result)
    assert len(options) >= 20, "the round must offer options not taken"
    checked = 0
    for cid, pid, role in options:
        w = result.why_not(cid, pid, role)
        pin = Pin(candidate_id=cid, partner_id=pid, role=None if role in ("site", "peer") else role)
        try:
            alone = mw.match(rnd.replace(pins=[*rnd.pins, pin]), policy)
        except (mw.MatchError, mw.RoundValidationError):  # the pin cannot be honoured
            assert not w.feasible and w.cost is None and w.reasons
            continue
        assert w.feasible and w.cost is not None
        assert w.tiers_after == alone.tiers, (cid, pid, role)
        if w.headline is not None:
            # exact stages: the first change is never a gain — but a pin places its person even where the site
            # cannot give a full squad: the round may then place one more (that person, or one whose place or
            # guides the pinned person no longer needs)
            after = alone.solved_assignments.set_index("candidate_id").loc[cid]
            short = after.lead_guide_id is not None and len(after.squad_ids) < policy.caps.squad_size
            exempted = short and w.headline[:2] == ("joint", "placed") and w.headline[2] == -1
            assert w.headline[2] > 0 or exempted, (cid, pid, role, w.headline)
        checked += 1
    assert checked >= 20


def _full(result: mw.MatchResult) -> set[str]:
    loads = result.loads
    at = loads[loads.load >= loads.capacity - 1e-9]
    return {f"{r}:{p}" for r, p in zip(at.role, at.partner_id, strict=True)}


def test_every_limit_named_is_full_in_the_loads_table(case: tuple[mw.Round, mw.Policy, mw.MatchResult]) -> None:
    _, _, result = case
    full = _full(result)
    loads = result.loads.set_index(["role", "partner_id"])
    need = dict(zip(result.solved_assignments.candidate_id, result.scores.capacities.hours_needed, strict=True))
    named = 0
    for cid in result.solved_assignments.candidate_id:
        e = result.explain(cid, lang="en", prices=False)
        alternatives = [a for s in e.stages for a in s.alternatives] + list(e.blocked)
        for a in alternatives:
            assert (a.why == "capacity") == bool(a.limits), (cid, a)
            for limit in a.limits:
                role, pid = limit.split(":", 1)
                if role == "peer":  # full for this person: fewer free hours than they need
                    load, capacity = loads.loc[(role, pid), ["load", "capacity"]]
                    assert capacity - load < need[cid] - 1e-9 or limit in full
                else:
                    assert limit in full, (cid, a.partner_id, limit)
                named += 1
    for row in result.unmatched_reasons.itertuples():
        if row.reason == "capacity_taken":
            assert row.limits
        for label in row.limits:
            role, pid, figures = label.split(" ")
            load, capacity = (float(x) for x in figures.split("/"))
            assert f"{role}:{pid}" in full and load >= capacity
            named += 1
    assert named >= 10


def test_unmatched_people_are_never_a_trade_off_of_an_exact_engine(
    case: tuple[mw.Round, mw.Policy, mw.MatchResult],
) -> None:
    _, _, result = case
    reasons = result.unmatched_reasons
    assert set(reasons.reason) <= {"no_feasible_option", "no_full_squad", "capacity_taken"}
    assert len(reasons) == (result.solved_assignments.status == "unmatched").sum()


def _no_figure(c: Contribution) -> bool:
    """No points shown: none at all, or 0 for a wish of the person's that is not met (told as such)."""
    return math.isnan(c.points) or (c.asked and c.points == 0)


def test_each_audience_reads_only_its_part(case: tuple[mw.Round, mw.Policy, mw.MatchResult]) -> None:
    _, _, result = case
    asg = result.solved_assignments.set_index("candidate_id")
    names = {c.id: c.name for c in result.round.candidates}
    # a name a guide worker or peer supporter also bears may rightly appear (as that partner's)
    partners = {g.name for g in result.round.guides} | {p.name for p in result.round.peers}
    partners |= {t.name for t in result.round.tutors} | {o.name for o in result.round.operators}
    for cid, row in asg.iterrows():
        others = [n for other, n in names.items() if other != cid and n != names[cid] and n not in partners]
        site = result.explain(cid, "site", "it")
        peer = result.explain(cid, "peer", "it")
        you = result.explain(cid, "candidate", "it")
        if row.status != "matched":
            assert site.status == "not_yours" and site.candidate_name == "" and names[cid] not in site.text
        else:
            assert {s.stage for s in site.stages} <= {"site", "lead_guide", "squad", "tutor", "operator"}
            assert not site.blocked
            assert all(not s.alternatives for s in site.stages)
        if row.peer_id is None:
            assert peer.status == "not_yours" and names[cid] not in peer.text
        else:
            assert {s.stage for s in peer.stages} == {"peer"}
            assert all(s.score is None and all(_no_figure(c) for c in s.contributions) for s in peer.stages)
        assert all(s.score is None and all(_no_figure(c) for c in s.contributions) for s in you.stages)
        blob = you.text + to_json([you])
        own = {s.partner_name for s in you.stages}  # names repeat: another candidate may share a guide's name
        assert not any(n in blob for n in others if n not in own and not any(n in (o or "") for o in own)), cid
        assert "punti" not in you.text and "points" not in you.text


def test_audiences_over_every_candidate_of_the_demo_round() -> None:
    """The demo round (300 candidates): sites and peers read only theirs, candidates no points, in their language."""
    result = mw.match(mw.synth.round(300, seed=0))
    asg = result.solved_assignments.set_index("candidate_id")
    english = {rule.text["en"] for rule in mw.scoring.rules.RULE_BY_CODE.values()}
    for cid, row in asg.iterrows():
        for lang in ("it", "en"):
            site, peer = result.explain(cid, "site", lang), result.explain(cid, "peer", lang)
            you = result.explain(cid, "candidate", lang, prices=False)
            assert (site.status == "not_yours") == (row.status != "matched")
            assert (peer.status == "not_yours") == (row.peer_id is None)
            assert all(s.score is None for s in you.stages)
            if lang == "it":
                assert not any(t in you.text + site.text for t in english), cid


def _limits_of(result: mw.MatchResult, stage: str, partner_id: str) -> list[str]:
    """The limits (``role:partner``) that bind the chosen partner of ``stage``, as the loads table reads them."""
    if stage == "site":
        site = result.scores.arrays.sites.ids[
            result.scores.arrays.positions.site[result.scores.arrays.positions.index[partner_id]]
        ]
        return [f"position:{partner_id}", f"site_legal:{site}", f"site_tutors:{site}"]
    if stage == "lead_guide":
        return [f"lead_guide:{partner_id}", f"guide:{partner_id}"]
    if stage == "squad":
        return [f"guide:{partner_id}"]
    if stage in ("tutor", "operator"):
        return [f"{stage}:{partner_id}"]
    return [f"peer:{partner_id}", f"peer_people:{partner_id}"]


def test_the_limits_a_chosen_partner_reached_are_those_full_in_the_loads(
    case: tuple[mw.Round, mw.Policy, mw.MatchResult],
) -> None:
    """'Limits reached' under a chosen partner names each limit of theirs the loads table shows full, and no other:
    never a lack of room (the person got that partner)."""
    _, _, result = case
    full = _full(result)
    lines = 0
    peers = 0
    for cid in result.solved_assignments.candidate_id:
        for s in result.explain(cid, lang="en", prices=False).stages:
            if s.partner_id is None:
                continue
            expected = [x for x in _limits_of(result, s.stage, s.partner_id) if x in full]
            assert len(s.binding) == len(expected), (cid, s.stage, s.binding, expected)
            assert not any("needed" in line or "not enough" in line for line in s.binding), s.binding
            lines += len(s.binding)
            peers += s.stage == "peer" and bool(s.binding)
    assert lines >= 5 and peers >= 1, (lines, peers)


def test_a_host_company_placement_names_its_tutor_and_operator(
    case: tuple[mw.Round, mw.Policy, mw.MatchResult],
) -> None:
    """At a host company the explanation names the company tutor and the desk operator the result gives, to the case
    team, the site and the person (not to the peer supporter); a cooperative's placement names neither."""
    _, _, result = case
    at_companies = 0
    for row in result.assignments[result.assignments.status == "matched"].itertuples():
        given = {role: pid for role, pid in (("tutor", row.tutor_id), ("operator", row.operator_id)) if pid is not None}
        assert not (given and (row.lead_guide_id is not None or row.squad_ids)), row  # a host company has no guides
        for audience in ("case_team", "site", "candidate", "peer"):
            e = result.explain(row.candidate_id, audience, lang="en", prices=False)
            shown = {s.stage: s.partner_id for s in e.stages if s.stage in ("tutor", "operator")}
            assert shown == ({} if audience == "peer" else given), (row.candidate_id, audience, shown)
            at_companies += audience == "case_team" and len(given) == 2
    assert at_companies >= 5, at_companies


def test_forcing_another_company_tutor_or_operator_never_improves_the_round(
    case: tuple[mw.Round, mw.Policy, mw.MatchResult],
) -> None:
    """why_not with a company tutor or desk operator: a tutor of a site the person cannot go to is ruled out through
    that site; an allowed one is the round re-solved with the pin (the person then has that partner), never better."""
    _, _, result = case
    asg = result.solved_assignments
    at_company = asg[(asg.status == "matched") & asg.tutor_id.notna()].head(4)
    forced = ruled_out = 0
    for row in at_company.itertuples():
        partners = [(t.id, "tutor") for t in result.round.tutors] + [(o.id, "operator") for o in result.round.operators]
        for pid, role in partners:
            if pid in (row.tutor_id, row.operator_id):
                continue
            w = result.why_not(row.candidate_id, pid)
            assert w.role == role
            if not w.feasible:
                assert w.reasons and w.cost is None
                ruled_out += 1
                continue
            pin = Pin(candidate_id=row.candidate_id, partner_id=pid)
            alone = result.resolve(result.solved_round.replace(pins=[*result.solved_round.pins, pin]))
            assert w.tiers_after == alone.tiers
            mine = alone.assignments.set_index("candidate_id").loc[row.candidate_id]
            assert mine[f"{role}_id"] == pid
            assert w.headline is None or w.headline[2] > 0, w.headline
            forced += 1
    assert forced >= 1 and ruled_out >= 5, (forced, ruled_out)


def test_flagged_rules_of_a_chosen_pair_are_told_to_the_case_team_only(
    case: tuple[mw.Round, mw.Policy, mw.MatchResult],
) -> None:
    """A chosen pair that meets a rule the policy only flags (the former client's dual role, seed 004) says so to the
    case team, with the rule; the other audiences never read it (it tells people's care histories)."""
    _, _, result = case
    scores = result.scores
    told = 0
    for row in result.solved_assignments[result.solved_assignments.peer_id.notna()].itertuples():
        c, p = scores.arrays.candidates.index[row.candidate_id], scores.arrays.peers.index[row.peer_id]
        expected = reason_codes(int(scores.peer.flags[scores.peer.find(c, p)]) & role_mask("peer"))
        (stage,) = [s for s in result.explain(row.candidate_id, lang="en", prices=False).stages if s.stage == "peer"]
        assert stage.flags == expected
        if expected:
            assert "dual role" in result.explain(row.candidate_id, lang="en", prices=False).text
            told += 1
        for audience in ("peer", "candidate"):
            e = result.explain(row.candidate_id, audience, lang="en", prices=False)
            assert all(not s.flags for s in e.stages) and "dual role" not in e.text
    assert told >= 1
