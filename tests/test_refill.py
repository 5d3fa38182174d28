"""Kept placements that lack a partner get one before the stages (``matchwork.engine.refill``).

Held against the result: every ``added`` change is in the kept rows, the assignments and
the explanation; the partners' caps hold with the new loads; nobody lacking a peer is
left while an allowed supporter has room; the peer choice equals a brute force on
small rounds; a company tutor who left is replaced from the same site, and after a
breakdown not by the same tutor.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

import matchwork as mw
from matchwork.engine import SCALE, hour_cost, hour_segments
from matchwork.engine.continuity import plan
from matchwork.engine.refill import refill
from matchwork.scoring.arrays import ProfileArrays
from matchwork.scoring.capacity import Capacities
from matchwork.scoring.rules import role_mask
from matchwork.scoring.scorer import Scorer

ROOM_RULES = ("peer_hours", "peer_people_full", "tutor_full", "operator_full")


def _lacking_peer(rnd: mw.Round, kept: object) -> set[str]:
    wanting = {c.id for c in rnd.candidates if c.wants_peer}
    k = kept.kept  # type: ignore[attr-defined]
    return set(k.candidate_id[k.candidate_id.isin(wanting) & k.peer_id.isna()])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_added_partners_are_in_the_result_and_within_caps(seed: int) -> None:
    rnd = mw.synth.round(300, seed=seed)
    before = plan(rnd, mw.Policy.default())
    result = mw.match(rnd)
    added = result.changes.query("change == 'added'")
    assert len(added) >= 3  # the synthetic rounds have people in place who want a peer supporter and lack one
    assert set(added.candidate_id) <= _lacking_peer(rnd, before)
    kept = result.kept.set_index("candidate_id")
    rows = result.assignments.set_index("candidate_id")
    for r in added.itertuples():
        assert kept.at[r.candidate_id, f"{r.role}_id"] == r.partner_id == rows.at[r.candidate_id, f"{r.role}_id"]
        assert r.role in {role for role, _, _ in kept.at[r.candidate_id, "added"]}
        stage = next(s for s in result.explain(r.candidate_id).stages if s.stage == r.role)
        assert stage.partner_id == r.partner_id and "Nuovo abbinamento in questa tornata" in stage.note
    loads = result.loads
    assert (loads.load <= loads.capacity + 1e-9).all()
    people = result.assignments.peer_id.value_counts()
    limit = result.scores.capacities.peer_people_limit
    ids = result.scores.arrays.peers.ids
    assert all(people.get(p, 0) <= limit[i] for i, p in enumerate(ids))


def test_nobody_lacking_a_peer_is_left_while_an_allowed_supporter_has_room() -> None:
    for seed in range(4):
        rnd = mw.synth.round(300, seed=seed)
        policy = mw.Policy.default()
        before = plan(rnd, policy)
        after = refill(before, policy)
        left = sorted(_lacking_peer(rnd, after))
        if not left:
            continue
        scorer = Scorer(before.timed, policy)
        a = scorer.arrays
        cap = Capacities.compute(ProfileArrays(after.round), policy)  # the room after the refill
        cand = np.array([a.candidates.index[c] for c in left])
        table = scorer.cells("peer", np.repeat(cand, len(a.peers)), np.tile(np.arange(len(a.peers)), len(cand)))
        room_bits = sum(mw.scoring.rules.RULE_BY_CODE[c].mask for c in ROOM_RULES)
        ok = (table.reasons & (role_mask("peer") & ~room_bits)) == 0
        fits = (cap.peer_people[table.cols] > 0) & (
            cap.peer_hours[table.cols] + 1e-9 >= scorer.capacities.hours_needed[table.rows]
        )
        assert not (ok & fits).any(), seed


def _brute_peers(before: object, policy: mw.Policy) -> tuple[int, float]:
    """The most kept people with a peer supporter, then the best gains less hour costs: every assignment tried."""
    scorer = Scorer(before.timed, policy)  # type: ignore[attr-defined]
    a = scorer.arrays
    cap = Capacities.compute(ProfileArrays(before.round), policy)  # type: ignore[attr-defined]
    people = sorted(_lacking_peer(before.timed, before))  # type: ignore[attr-defined]
    cand = [a.candidates.index[c] for c in people]
    n_p = len(a.peers)
    table = scorer.cells("peer", np.repeat(cand, n_p), np.tile(np.arange(n_p), len(cand)))
    room_bits = sum(mw.scoring.rules.RULE_BY_CODE[c].mask for c in ROOM_RULES)
    ok = (table.reasons & (role_mask("peer") & ~room_bits)) == 0
    options = [[None] + [int(table.cols[k]) for k in np.flatnonzero(ok & (table.rows == c))] for c in cand]
    gain = {(int(table.rows[k]), int(table.cols[k])): int(np.round(table.total[k] * SCALE)) for k in range(len(table))}
    hours = scorer.capacities.hours_needed
    segs = [
        hour_segments(u, lim, r, policy.solver.peer_load_cost * SCALE)
        for u, lim, r in zip(cap.peer_limit - cap.peer_hours, cap.peer_limit, cap.peer_hours, strict=True)
    ]
    best: tuple[int, float] = (0, 0.0)
    for choice in itertools.product(*options):
        used_h, used_n = np.zeros(n_p), np.zeros(n_p, dtype=int)
        for c, p in zip(cand, choice, strict=True):
            if p is not None:
                used_h[p] += hours[c]
                used_n[p] += 1
        if (used_h > cap.peer_hours + 1e-9).any() or (used_n > cap.peer_people).any():
            continue
        value = sum(gain[(c, p)] for c, p in zip(cand, choice, strict=True) if p is not None)
        value -= sum(float(hour_cost(np.array(used_h[p]), *segs[p])) for p in range(n_p) if used_h[p] > 0)
        best = max(best, (sum(p is not None for p in choice), value))
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_peer_choice_is_a_brute_force_optimum(seed: int) -> None:
    policy = mw.Policy.default()
    rnd = mw.synth.round(60, seed=seed)
    before = plan(rnd, policy)
    assert 2 <= len(_lacking_peer(rnd, before)) <= 4  # small enough to try every assignment
    after = refill(before, policy)
    count, value = _brute_peers(before, policy)
    added = after.kept[after.kept.peer_id.notna() & before.kept.peer_id.isna()]
    assert len(added) == count
    scorer = Scorer(before.timed, policy)
    a = scorer.arrays
    cap = Capacities.compute(ProfileArrays(before.round), policy)
    got = 0.0
    used = np.zeros(len(a.peers))
    for r in added.itertuples():
        c, p = a.candidates.index[r.candidate_id], a.peers.index[r.peer_id]
        got += int(np.round(r.peer_score * SCALE))
        used[p] += scorer.capacities.hours_needed[c]
    for p in np.flatnonzero(used):
        length, cost = hour_segments(
            cap.peer_limit[p] - cap.peer_hours[p],
            cap.peer_limit[p],
            cap.peer_hours[p],
            policy.solver.peer_load_cost * SCALE,
        )
        got -= float(hour_cost(np.array(used[p]), length, cost))
    assert got == pytest.approx(value, abs=1e-6)


def _desk_round_with_tutor(end_reason: str | None, tutors_at_site: int) -> tuple[mw.Round, str, str, str]:
    """A round whose first kept host-company placement at a site of so many tutors had its tutor's pairing end."""
    rnd = mw.synth.round(300, seed=0)
    kept = plan(rnd, mw.Policy.default()).kept
    count = {s.id: sum(t.site_id == s.id for t in rnd.tutors) for s in rnd.sites}
    row = kept[kept.tutor_id.notna() & (kept.site_id.map(count) == tutors_at_site)].iloc[0]
    cid, tutor = row.candidate_id, row.tutor_id
    ended = rnd.date - dt.timedelta(days=3)
    pairings = [
        p.model_dump()
        | ({"until": ended, "end_reason": end_reason} if (p.candidate_id, p.partner_id) == (cid, tutor) else {})
        for p in rnd.pairings
    ]
    return rnd.replace(pairings=pairings), cid, tutor, row.site_id


@pytest.mark.parametrize("reason", ["moved", "breakdown"])
def test_a_company_tutor_who_left_is_replaced_from_the_same_site(reason: str) -> None:
    rnd, cid, tutor, site = _desk_round_with_tutor(reason, tutors_at_site=2)
    result = mw.match(rnd)
    row = result.assignments.set_index("candidate_id").loc[cid]
    new = row.tutor_id
    assert new is not None and row.continuity in ("kept", "kept_with_issue")
    assert next(t for t in rnd.tutors if t.id == new).site_id == site
    if reason == "breakdown":
        assert new != tutor  # the cool-down keeps the pair apart
    changes = result.changes.query("candidate_id == @cid and role == 'tutor'")
    assert set(zip(changes.change, changes.partner_id, strict=True)) >= {("ended", tutor), ("added", new)}
    solved = {t.id: t for t in result.solved_round.tutors}
    given = {t.id: t for t in rnd.tutors}
    assert solved[new].current_trainees == given[new].current_trainees + 1  # the new load is carried
    assert solved[new].current_trainees <= (solved[new].max_trainees or 3)


def test_a_placement_left_without_its_only_tutor_is_kept_with_the_issue() -> None:
    rnd, cid, _, _ = _desk_round_with_tutor("breakdown", tutors_at_site=1)
    result = mw.match(rnd)
    row = result.assignments.set_index("candidate_id").loc[cid]
    assert row.tutor_id is None and row.continuity == "kept_with_issue"
    assert "no_tutor_available" in result.kept.set_index("candidate_id").at[cid, "issues"]
    assert "nessun tutor aziendale della sede" in result.explain(cid).text
    assert "nessun tutor" not in result.explain(cid, audience="site").text  # the issue is the case team's


def test_a_peer_breakdown_recorded_in_the_programme_gets_a_new_supporter_next_round() -> None:
    from matchwork.programme import Programme

    day1, day2 = dt.date(2026, 1, 12), dt.date(2026, 2, 9)
    programme = Programme("sqlite://")
    first = mw.match(mw.synth.round(120, seed=3, date=day1.isoformat()))
    programme.record(first, approved_by="équipe", on=day1)
    with_peer = first.assignments.query("status == 'matched' and peer_id.notna()")
    assert len(with_peer) >= 3
    cid, old = with_peer.candidate_id.iloc[0], with_peer.peer_id.iloc[0]
    programme.end(cid, "peer", on=day1 + dt.timedelta(days=10), reason="breakdown")
    assert programme.priorities(day2).role.tolist() == ["peer"]
    nxt = programme.next_round(on=day2)
    second = mw.match(nxt)
    row = second.assignments.set_index("candidate_id").loc[cid]
    assert row.continuity == "kept" and row.peer_id is not None and row.peer_id != old
    added = second.changes.query("candidate_id == @cid and change == 'added'")
    assert added[["role", "partner_id"]].values.tolist() == [["peer", row.peer_id]]
    programme.record(second, approved_by="équipe", on=day2)
    assert programme.priorities(day2).empty  # the re-match request is answered
    pairings = programme.pairings(on=day2).query("candidate_id == @cid and role == 'peer'")
    assert pairings.partner_id.tolist() == [row.peer_id]


def test_room_a_newcomers_pin_holds_is_left_to_the_pin() -> None:
    """A supporter with one place left, pinned to a newcomer: the kept person lacking a peer does not take it."""
    policy = mw.Policy.default()
    rnd = mw.synth.round(300, seed=0)
    kid, pid = "C000017", "PS00022"
    before = plan(rnd, policy)
    assert kid in _lacking_peer(rnd, before)
    j = ProfileArrays(before.round).peers.index[pid]
    last = int(Capacities.compute(ProfileArrays(before.round), policy).peer_people_limit[j]) - 1
    peers = [p.model_copy(update={"current_people": last}) if p.id == pid else p for p in rnd.peers]
    tight = rnd.replace(peers=peers)
    assert mw.match(tight).assignments.set_index("candidate_id").at[kid, "peer_id"] == pid  # the refill takes it
    pinned = tight.replace(pins=[*tight.pins, {"candidate_id": "C000004", "partner_id": pid}])
    rows = mw.match(pinned).assignments.set_index("candidate_id")
    assert rows.at["C000004", "peer_id"] == pid and rows.at[kid, "peer_id"] != pid


def test_unless_rule_releases_a_placement_left_without_a_tutor() -> None:
    rnd, cid, tutor, _ = _desk_round_with_tutor("breakdown", tutors_at_site=1)
    policy = mw.Policy.default()
    policy = policy.model_copy(update={"continuity": policy.continuity.model_copy(update={"keep": "unless_rule"})})
    result = mw.match(rnd, policy)
    assert cid not in result.kept_ids
    released = result.changes.query("candidate_id == @cid and change == 'released'")
    assert set(released.reason) == {"rule:no_tutor_available"}
    row = result.assignments.set_index("candidate_id").loc[cid]
    assert row.tutor_id != tutor  # matched again (or waiting), never with the tutor of the breakdown
    assert row.status == "unmatched" or row.tutor_id is not None
