"""The programme history in a real database: SQLite always, PostgreSQL when a server can be started.

Every test runs against both backends (the ``url`` fixture); the PostgreSQL ones
are skipped, with the reason, where no server can be started.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import matchwork as mw
from matchwork.programme import EndReason, Programme, ProgrammeError
from matchwork.programme import db as pdb
from matchwork.programme.tables import metadata

from programme_db import BACKENDS, apply_grants, database_url, snapshot

DAY1 = dt.date(2026, 1, 12)
DAY2 = dt.date(2026, 2, 9)
DAY3 = dt.date(2026, 3, 9)
NEAR = {"lat": 45.156, "lon": 10.791, "municipality": "Mantova"}
SENTINEL = "ZZLEAKCHECK"
HEAD = "0003"  # the package's newest schema revision


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


@pytest.fixture
def programme(url: str) -> Programme:
    with Programme(url) as p:
        yield p  # type: ignore[misc]


def person(i: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"C{i}", "name": f"Persona {i}", "area": "Mantova", "location": NEAR, **fields}


def tiny_round(candidates: list[dict[str, Any]], date: dt.date = DAY1, **ties: Any) -> mw.Round:
    """Two sites, five trained guide workers (three may lead), two peer supporters, all near each other."""
    sites = [
        {
            "id": "S1",
            "name": "Coop Verde",
            "sector": "81.30",
            "area": "Mantova",
            "location": {"lat": 45.16, "lon": 10.80},
            "headcount": 40,
            "trainees_present": 1,
            "company_tutors": 3,
            "positions": [
                {"id": "P1", "title": "giardiniere", "openings": 2},
                {"id": "P2", "title": "manutentore", "openings": 1},
            ],
        },
        {
            "id": "S2",
            "name": "Ditta Blu",
            "sector": "N",
            "area": "Mantova",
            "location": {"lat": 45.15, "lon": 10.78},
            "headcount": 30,
            "company_tutors": 2,
            "positions": [{"id": "P3", "title": "pulizie", "openings": 2}],
        },
    ]
    guides = [
        {"id": "G1", "name": "Bruno", "site_id": "S1", "can_lead": True, "current_mentees": 1, "max_mentees": 4},
        {"id": "G2", "name": "Carla", "site_id": "S1", "can_lead": True},
        {"id": "G3", "name": "Dario", "site_id": "S1", "trained": True},
        {"id": "G4", "name": "Elena", "site_id": "S2", "can_lead": True},
        {"id": "G5", "name": "Fabio", "site_id": "S2", "trained": True},
    ]
    peers = [
        {"id": "PS1", "name": "Gina", "areas_served": ["Mantova"], "hours_per_week": 8, "hours_in_use": 1,
         "started_on": "2024-01-01"},
        {"id": "PS2", "name": "Ivo", "areas_served": ["Mantova"], "started_on": "2023-05-01"},
    ]  # fmt: skip
    return mw.Round(candidates=candidates, guides=guides, peers=peers, sites=sites, date=date, **ties)


def three() -> mw.Round:
    return tiny_round(
        [
            person(1, support_intensity="high", wants_peer=True),
            person(2, support_intensity="low", wants_peer=True),
            person(3, support_intensity="medium"),
        ]
    )


def matched(result: mw.MatchResult) -> list[dict[str, Any]]:
    return [r for r in result.assignments.to_dict("records") if r["status"] == "matched"]


def decided(row: dict[str, Any]) -> set[tuple[str, str]]:
    out = {("site", row["position_id"])}
    if isinstance(row["lead_guide_id"], str):  # none once the lead's two weeks are over: the lead is in the squad
        out.add(("lead_guide", row["lead_guide_id"]))
    out |= {("guide", g) for g in row["squad_ids"]}
    if isinstance(row["peer_id"], str):
        out.add(("peer", row["peer_id"]))
    return out


# ---------------------------------------------------------------------- schema


def test_migrations_build_exactly_the_schema_from_an_empty_database(url: str) -> None:
    bare = sa.create_engine(url)
    assert sa.inspect(bare).get_table_names() == []
    bare.dispose()
    with pytest.raises(ProgrammeError, match="run `matchwork programme init`"):
        Programme(url, migrate=False)
    with Programme(url) as p:
        assert p.revision == HEAD
        assert set(sa.inspect(p.engine).get_table_names()) == set(metadata.tables) | {pdb.VERSION_TABLE}
        with p.engine.connect() as conn:
            assert (
                compare_metadata(
                    MigrationContext.configure(conn, opts={"compare_type": True, "version_table": pdb.VERSION_TABLE}),
                    metadata,
                )
                == []
            )
        assert p.rematch_cooldown_days == 90
    with Programme(url, migrate=False) as p:  # at head: opens without migrating
        assert p.rounds().empty


def test_migrations_go_down_to_nothing_and_refuse_an_unknown_revision(url: str) -> None:
    engine = pdb.make_engine(url)
    assert pdb.upgrade(engine) == HEAD
    with engine.begin() as conn:
        command.downgrade(pdb.alembic_config(conn), "base")
    assert set(sa.inspect(engine).get_table_names()) == {pdb.VERSION_TABLE}
    pdb.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {pdb.VERSION_TABLE} SET version_num = 'ffff9999'"))
    engine.dispose()
    with pytest.raises(ProgrammeError, match="newer than this matchwork"):
        Programme(url)


# ---------------------------------------------------------------------- record


def test_record_stores_the_round_the_results_and_the_decided_pairings(programme: Programme) -> None:
    rnd = mw.synth.round(60, seed=3, date=DAY1, profile="cooperative")
    result = mw.match(rnd)
    done = programme.record(result, approved_by="Responsabile inserimenti", on=DAY1)
    assert (done.round_id, done.candidates, done.matched) == (1, 60, len(matched(result)))
    assert programme.round(1) == rnd
    rounds = programme.rounds()
    assert rounds.loc[0, "approved_by"] == "Responsabile inserimenti" and rounds.loc[0, "date"] == DAY1

    open_now = programme.pairings(on=DAY1)
    got = {(r.candidate_id, r.role, r.partner_id) for r in open_now.itertuples()}
    want = {(row["candidate_id"], *pair) for row in matched(result) for pair in decided(row)}
    assert got == want
    # the synthetic round brings pairings in place: the ones the result did not keep ended as "changed"
    assert done.imported == len(rnd.pairings) > 0
    changed = set(result.assignments.query("continuity == 'changed'").candidate_id)
    changed |= set(result.changes.query("change == 'joined_squad'").candidate_id)  # the lead's two weeks are over
    assert set(programme.changes(1).candidate_id) == changed
    ended = programme.pairings().dropna(subset=["end_on"])
    assert set(ended.end_reason) <= {"changed"} and set(ended.candidate_id) == changed
    assert done.ended == done.changed == len(ended)


def test_a_kept_pairing_stays_open_and_a_changed_one_ends_with_a_change_event(programme: Programme) -> None:
    first = mw.match(three())
    programme.record(first, approved_by="équipe", on=DAY1)
    placed = matched(first)
    assert len(placed) >= 2
    keep, move = placed[0]["candidate_id"], placed[1]["candidate_id"]
    lead = placed[1]["lead_guide_id"]
    before = programme.pairings(on=DAY1)

    nxt = programme.next_round([keep, move], on=DAY2, waiting=False)
    assert {p.candidate_id for p in nxt.pairings} == {keep, move}
    forbid = mw.Forbid(candidate_id=move, partner_id=lead)  # the office forbids the lead: the round must change it
    second = mw.match(nxt.replace(forbids=[*nxt.forbids, forbid]))
    done = programme.record(second, approved_by="équipe", on=DAY2)

    after = programme.pairings(on=DAY2)
    kept_rows = before[before.candidate_id == keep]
    # same pairings, not new ones; four weeks on, the lead's two weeks are over: the lead now follows in the squad
    lead_row = kept_rows[kept_rows.role == "lead_guide"]
    assert set(kept_rows[kept_rows.role != "lead_guide"].pairing_id) <= set(after.pairing_id)
    assert not set(lead_row.pairing_id) & set(after.pairing_id)
    mine = after[after.candidate_id == keep]
    assert set(lead_row.partner_id) <= set(mine[mine.role == "guide"].partner_id)
    assert (mine[mine.role != "guide"].start_on == DAY1).all()
    assert not after.duplicated(subset=["candidate_id", "role", "partner_id"]).any()
    changes = programme.changes(done.round_id)
    row = changes[(changes.candidate_id == move) & (changes.role == "lead_guide")]
    assert row.from_partner.tolist() == [lead]
    new_lead = second.assignments.set_index("candidate_id").loc[move, "lead_guide_id"]
    assert row.to_partner.tolist() == [new_lead if isinstance(new_lead, str) else None]
    old = programme.pairings(move)
    old = old[(old.role == "lead_guide") & (old.partner_id == lead)]
    assert old.end_on.tolist() == [DAY2] and old.end_reason.tolist() == ["changed"]
    assert done.kept >= len(kept_rows)


def test_a_failed_record_leaves_the_history_unchanged(programme: Programme, monkeypatch: pytest.MonkeyPatch) -> None:
    import matchwork.programme.record as rec

    programme.record(mw.match(three()), approved_by="équipe", on=DAY1)
    before = snapshot(programme.engine)
    real, seen = rec.open_pairings, []

    def failing(conn: sa.Connection, rows: list[dict[str, Any]]) -> list[int]:
        if rows and rows[0]["opened_round_id"] is not None:  # the pairings the new round starts
            seen.append({name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() for name, table in
                         metadata.tables.items()})  # fmt: skip
            raise RuntimeError("injected failure")
        return real(conn, rows)

    monkeypatch.setattr(rec, "open_pairings", failing)
    nxt = programme.next_round([person(4, support_intensity="low", wants_peer=True)], on=DAY2)
    result = mw.match(nxt)
    with pytest.raises(RuntimeError, match="injected failure"):
        programme.record(result, approved_by="équipe", on=DAY2)
    # the failure came midway: the round, its document, baselines, results and the ended pairings were written
    counts = {name: len(rows) for name, rows in before.items()}
    assert seen[0]["rounds"] == counts["rounds"] + 1 and seen[0]["round_documents"] == counts["round_documents"] + 1
    assert seen[0]["results"] > counts["results"] and seen[0]["baselines"] > counts["baselines"]
    assert snapshot(programme.engine) == before
    monkeypatch.setattr(rec, "open_pairings", real)
    assert programme.record(result, approved_by="équipe", on=DAY2).round_id > 1  # PostgreSQL may skip a number
    assert len(programme.rounds()) == 2


def test_record_refuses_a_round_dated_before_the_last_and_contradicting_pairings(programme: Programme) -> None:
    first = mw.match(three())
    programme.record(first, approved_by="équipe", on=DAY1)
    early = mw.match(three().replace(date=DAY1 - dt.timedelta(days=7), name="earlier"))
    with pytest.raises(ProgrammeError, match="before the last recorded round"):
        programme.record(early, approved_by="équipe")
    row = matched(first)[0]
    other = next(p for p in ("P1", "P2", "P3") if p != row["position_id"])
    site = "S1" if other in ("P1", "P2") else "S2"
    guide = next(g for g in ("G1", "G2", "G4") if (g == "G4") == (site == "S2"))
    ties = [
        {"candidate_id": row["candidate_id"], "partner_id": other, "role": "site"},
        {"candidate_id": row["candidate_id"], "partner_id": guide, "role": "lead_guide"},
    ]
    contradicting = three().replace(date=DAY2, pairings=ties)
    with pytest.raises(ProgrammeError, match="disagree with the history"):
        programme.record(mw.match(contradicting), approved_by="équipe")
    assert programme.rounds().round_id.tolist() == [1]
    with pytest.raises(ProgrammeError, match="approved_by"):
        programme.record(first, approved_by="  ")


# ---------------------------------------------------------------------- end, breakdowns, cool-down


def test_a_breakdown_adds_a_failed_pairing_priority_and_a_cooldown(programme: Programme) -> None:
    first = mw.match(three())
    programme.record(first, approved_by="équipe", on=DAY1)
    row = matched(first)[0]
    cid, lead = row["candidate_id"], row["lead_guide_id"]
    when = DAY1 + dt.timedelta(days=20)
    ended = programme.end(cid, "lead_guide", on=when, reason=EndReason.BREAKDOWN, reported_by="tutor")
    assert ended.partner_id.tolist() == [lead] and ended.end_reason.tolist() == ["breakdown"]
    assert ended.cooldown_until.tolist() == [when + dt.timedelta(days=90)]

    assert programme.priorities(DAY2).candidate_id.tolist() == [cid]
    assert programme.priorities(when - dt.timedelta(days=1)).empty
    assert (cid, lead) in programme.cooldown_forbids(DAY2)
    assert (cid, lead) not in programme.cooldown_forbids(when + dt.timedelta(days=90))
    assert (cid, lead) in programme.cooldown_forbids(when + dt.timedelta(days=19), days=20)
    assert (cid, lead) not in programme.cooldown_forbids(when + dt.timedelta(days=20), days=20)
    assert cid in programme.waiting(DAY2)

    nxt = programme.next_round(on=DAY2)
    assert cid in {c.id for c in nxt.candidates}
    assert mw.Relationship(a=cid, b=lead, kind="failed_pairing") in nxt.relationships
    assert mw.Forbid(candidate_id=cid, partner_id=lead) in nxt.forbids
    roles = {(p.role.value, p.partner_id) for p in nxt.pairings if p.candidate_id == cid}
    assert ("site", row["position_id"]) in roles and ("lead_guide", lead) not in roles
    second = mw.match(nxt)
    assert second.assignments.set_index("candidate_id").loc[cid, "lead_guide_id"] != lead
    programme.record(second, approved_by="équipe", on=DAY2)
    new_lead = second.assignments.set_index("candidate_id").loc[cid, "lead_guide_id"]
    assert programme.priorities(DAY2).empty == isinstance(new_lead, str)


def test_the_cooldown_alone_keeps_a_pair_apart_then_lets_it_meet_again(programme: Programme) -> None:
    policy = mw.Policy.default().model_copy(
        update={"rules": mw.Policy.default().rules.model_copy(update={"forbidding_relationships": frozenset()})}
    )
    programme.configure(rematch_cooldown_days=45)
    first = mw.match(tiny_round([person(1)]), policy)
    programme.record(first, approved_by="équipe", on=DAY1)
    row = matched(first)[0]
    cid, site = row["candidate_id"], row["site_id"]
    programme.end(cid, "site", on=DAY1 + dt.timedelta(days=10), reason="breakdown")
    assert programme.pairings(cid, on=DAY1 + dt.timedelta(days=10)).empty  # the guides ended with the site
    assert (cid, site) in programme.cooldown_forbids(DAY2)

    inside = programme.next_round(on=DAY2)  # 28 days after: still in cool-down
    assert mw.Forbid(candidate_id=cid, partner_id=site) in inside.forbids
    assert mw.match(inside, policy).assignments.site_id.iloc[0] != site
    later = programme.next_round(on=DAY1 + dt.timedelta(days=56))  # after 45 days: the site may host them again
    assert not later.forbids
    assert mw.Relationship(a=cid, b=site, kind="failed_pairing") in later.relationships  # the policy decides


def test_end_names_what_it_cannot_do_in_both_languages(programme: Programme) -> None:
    first = mw.match(three())
    programme.record(first, approved_by="équipe", on=DAY1)
    cid = matched(first)[0]["candidate_id"]
    with pytest.raises(ProgrammeError) as info:
        programme.end(cid, "peer", partner_id="PS9", on=DAY2, reason="completed")
    assert "no open pairing" in str(info.value) and "nessun abbinamento" in info.value.text("it")
    with pytest.raises(ProgrammeError, match="before the last round"):
        programme.end(cid, on=DAY1 - dt.timedelta(days=1), reason="moved")
    with pytest.raises(ProgrammeError, match="names the role or the partner"):
        programme.end(cid, on=DAY2, reason="breakdown")
    with pytest.raises(ProgrammeError, match="unknown reason"):
        programme.end(cid, on=DAY2, reason="fired")
    with pytest.raises(ProgrammeError, match="unknown role"):
        programme.end(cid, "boss", on=DAY2, reason="moved")
    with pytest.raises(ProgrammeError, match="not a date"):
        programme.end(cid, on="2026-13-01", reason="moved")


def test_hired_and_withdrawn_people_leave_the_waiting_list(programme: Programme) -> None:
    first = mw.match(three())
    programme.record(first, approved_by="équipe", on=DAY1)
    placed = [r["candidate_id"] for r in matched(first)]
    waiting = sorted({"C1", "C2", "C3"} - set(placed))
    assert programme.waiting(DAY2) == waiting
    ended = programme.end(placed[0], "site", on=DAY2, reason="hired")
    assert set(ended.role) >= {"site", "lead_guide"} and set(ended.end_reason) == {"hired", "with_site"}
    assert placed[0] not in programme.waiting(DAY3)
    peer = next(r for r in matched(first) if r["candidate_id"] == placed[0])["peer_id"]
    assert (not programme.pairings(placed[0], on=DAY3).empty) == isinstance(peer, str)  # peer support goes on
    if waiting:
        assert programme.end(waiting[0], on=DAY2, reason="withdrew").empty
        assert waiting[0] not in programme.waiting(DAY3)
    programme.end(placed[1], on=DAY2, reason="moved")  # the person moved: everything ends, they wait again
    assert programme.pairings(placed[1], on=DAY2).empty and placed[1] in programme.waiting(DAY3)
    assert programme.priorities(DAY3).empty  # a move is no one's fault
    history = programme.history(placed[0])
    assert history.event.tolist()[-1] == "left" and history.reason.tolist()[-1] == "hired"


# ---------------------------------------------------------------------- next round: loads from history


def test_next_round_loads_come_from_the_pairings_open_on_its_date(programme: Programme) -> None:
    rnd = three()
    first = mw.match(rnd)
    programme.record(first, approved_by="équipe", on=DAY1)
    rows = matched(first)
    hours = {"C1": 3.0, "C2": 1.0, "C3": 2.0}  # high, low, medium in the default policy

    def expected(on_rows: list[dict[str, Any]]) -> dict[str, float]:
        out: dict[str, float] = {"G1": 1, "G2": 0, "G3": 0, "G4": 0, "G5": 0, "S1": 1, "S2": 0}
        out |= {"P1": 2, "P2": 1, "P3": 2, "PS1": 1.0, "PS2": 0.0}
        for r in on_rows:
            out[r["site_id"]] += 1
            out[r["position_id"]] -= 1
            for g in (r["lead_guide_id"], *r["squad_ids"]):
                out[g] += 1
            if isinstance(r["peer_id"], str):
                out[r["peer_id"]] += hours[r["candidate_id"]]
        return out

    def actual(nxt: mw.Round) -> dict[str, float]:
        out: dict[str, float] = {g.id: g.current_mentees for g in nxt.guides}
        out |= {s.id: s.trainees_present for s in nxt.sites}
        out |= {p.id: p.openings for _, p in nxt.positions}
        return out | {p.id: p.hours_in_use for p in nxt.peers}

    arrival = person(4, support_intensity="low", wants_peer=True)
    assert actual(programme.next_round([arrival], on=DAY2, waiting=False)) == expected(rows)
    # a peer pairing that ends stops counting from its end date, not before
    with_peer = [r for r in rows if isinstance(r["peer_id"], str)]
    assert with_peer, "the round should give someone a peer supporter"
    gone = with_peer[0]
    end = DAY1 + dt.timedelta(days=20)
    programme.end(gone["candidate_id"], "peer", on=end, reason="completed")
    assert actual(programme.next_round([arrival], on=end - dt.timedelta(days=1), waiting=False)) == expected(rows)
    less = [r | {"peer_id": None} if r is gone else r for r in rows]
    assert actual(programme.next_round([arrival], on=end, waiting=False)) == expected(less)
    # profiles passed back unchanged (e.g. from the workbook `next` wrote) count nobody twice
    last = programme.next_round([arrival], on=end, waiting=False)
    again = programme.next_round([arrival], last.guides, last.peers, last.sites, on=end, waiting=False)
    assert actual(again) == expected(less)
    # a known partner's figure passed in does not change the history's load; a new partner's is its outside load
    g1 = next(g for g in rnd.guides if g.id == "G1").model_dump() | {"current_mentees": 0, "skills": {"cleaning": 3}}
    g6 = mw.GuideWorker(id="G6", name="Gaia", site_id="S2", current_mentees=2, max_mentees=3)
    pos = mw.Position(id="P4", title="magazziniere", openings=3)
    s2 = next(s for s in rnd.sites if s.id == "S2")
    s2 = s2.model_copy(update={"positions": (*s2.positions, pos), "trainees_present": 7})
    nxt = programme.next_round([arrival], guides=[g1, g6], sites=[s2], on=end, waiting=False)
    assert actual(nxt) == expected(less) | {"G6": 2, "P4": 3}
    assert next(g for g in nxt.guides if g.id == "G1").skills == {"cleaning": 3}  # the rest of the profile is new


def test_next_round_keeps_its_candidates_pairings_and_the_load_they_carry(programme: Programme) -> None:
    first = mw.match(three())
    programme.record(first, approved_by="équipe", on=DAY1)
    row = matched(first)[0]
    nxt = programme.next_round([row["candidate_id"]], on=DAY2, waiting=False)
    assert {(p.role.value, p.partner_id) for p in nxt.pairings} == decided(row)
    assert {p.since for p in nxt.pairings} == {DAY1}
    lead = next(g for g in nxt.guides if g.id == row["lead_guide_id"])
    assert lead.current_mentees >= 1  # the round's own pairing is part of the load, as Round requires
    second = mw.match(nxt)
    assert second.assignments.continuity.tolist() == ["kept"]


def test_next_round_needs_a_first_round_or_partners_and_known_ids(programme: Programme) -> None:
    with pytest.raises(ProgrammeError, match="no round is recorded"):
        programme.next_round([person(1)], on=DAY1)
    rnd = three()
    nxt = programme.next_round([person(1)], guides=rnd.guides, sites=rnd.sites, peers=rnd.peers, on=DAY1)
    assert nxt.summary()["guides"] == 5 and nxt.guides[0].current_mentees == 1
    programme.record(mw.match(rnd), approved_by="équipe", on=DAY1)
    with pytest.raises(ProgrammeError, match="no recorded profile for C99"):
        programme.next_round(["C99"], on=DAY2)
    assert "G5" not in {g.id for g in programme.next_round([person(7)], on=DAY2, exclude=["G5"]).guides}


# ---------------------------------------------------------------------- history


def test_history_is_a_path_sorted_by_date_whatever_the_order_recorded(programme: Programme) -> None:
    first = mw.match(three())
    programme.record(first, approved_by="équipe", on=DAY1)
    row = next(r for r in matched(first) if isinstance(r["peer_id"], str))
    cid = row["candidate_id"]
    late, early = DAY1 + dt.timedelta(days=40), DAY1 + dt.timedelta(days=10)
    programme.end(cid, "site", on=late, reason="hired", reported_by="tutor")  # recorded first, happened later
    programme.end(cid, "peer", on=early, reason="completed")
    history = programme.history(cid)
    assert history.date.is_monotonic_increasing
    assert history.event.tolist()[:2] == ["round", "started"]
    assert history.loc[0, "round"] == "round" and history.loc[0, "status"] == "matched"
    ends = history[history.event == "ended"]
    assert ends.iloc[0].role == "peer" and ends.iloc[0].date == early
    assert set(ends.iloc[1:].reason) == {"hired", "with_site"}
    assert history[history.reason == "hired"].event.tolist() == ["ended", "left"]
    assert history[history.reason == "hired"].reported_by.tolist() == ["tutor", "tutor"]
    assert programme.history("C404").empty


# ---------------------------------------------------------------------- sensitive data


def _planted() -> mw.Round:
    rnd = mw.synth.round(60, seed=8, date=DAY1, profile="cooperative")
    candidates = [
        c.model_copy(update={"care_team": c.care_team | {f"{SENTINEL}{i}"}}) for i, c in enumerate(rnd.candidates)
    ]
    return rnd.replace(candidates=candidates)


BLOCK_DOCUMENTS = {
    "sqlite": [
        "CREATE TRIGGER block_documents BEFORE INSERT ON round_documents BEGIN SELECT RAISE(ABORT, 'blocked'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION block_documents() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'blocked'; END $$"
        " LANGUAGE plpgsql",
        "CREATE TRIGGER block_documents BEFORE INSERT ON round_documents"
        " FOR EACH ROW EXECUTE FUNCTION block_documents()",
    ],
}


def test_health_data_stays_in_the_round_documents_and_out_of_logs_and_errors(
    programme: Programme, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)  # every statement logged, parameters hidden
    try:
        rnd = _planted()
        programme.record(mw.match(rnd), approved_by="équipe", on=DAY1)
        nxt = programme.next_round(on=DAY2)
        assert any(SENTINEL in m for c in nxt.candidates for m in c.care_team)  # kept where it belongs
        with programme.engine.begin() as conn:  # the database refuses the next round's document
            for statement in BLOCK_DOCUMENTS[programme.engine.dialect.name]:
                conn.exec_driver_sql(statement)
        with pytest.raises(sa.exc.DBAPIError) as info:
            programme.record(mw.match(nxt), approved_by="équipe", on=DAY2)
        assert "blocked" in str(info.value) and SENTINEL not in str(info.value)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert "INSERT INTO round_documents" in caplog.text and "SELECT round_documents" in caplog.text
    assert SENTINEL not in caplog.text and '"matchwork": 1' not in caplog.text  # neither parameters nor rows
    assert programme.rounds().round_id.tolist() == [1]
    plain = sa.create_engine(programme.engine.url)  # the same failure without hidden parameters would leak
    with pytest.raises(sa.exc.DBAPIError) as leak, plain.begin() as conn:
        conn.execute(sa.insert(metadata.tables["round_documents"]).values(round_id=1, document=SENTINEL))
    plain.dispose()
    assert SENTINEL in str(leak.value)
    with programme.engine.connect() as conn:
        for name, table in metadata.tables.items():
            dump = "\n".join(str(value) for row in conn.execute(sa.select(table)) for value in row)
            assert (SENTINEL in dump) == (name == "round_documents"), name
    sensitive = set().union(*(mw.sensitive_fields(m) for m in (mw.Candidate, mw.PeerSupporter, mw.Relationship)))
    for name, table in metadata.tables.items():
        if name != "round_documents":
            assert not sensitive & set(table.c.keys()), name


def test_the_documented_grants_give_the_office_the_history_without_the_round_documents(tmp_path: Path) -> None:
    url = database_url("postgresql", tmp_path)
    page = (Path(__file__).resolve().parent.parent / "docs" / "programme.md").read_text(encoding="utf-8")
    grants = page.split("```sql", 1)[1].split("```", 1)[0]
    with Programme(url) as admin:
        first = mw.match(three())
        admin.record(first, approved_by="équipe", on=DAY1)
        with admin.engine.begin() as conn:
            apply_grants(conn, grants)
    office_url = url.replace("postgres@", "placement_office@", 1)
    cid = matched(first)[0]["candidate_id"]
    with Programme(office_url, migrate=False) as office:
        assert office.history(cid).event.tolist()[0] == "round"
        assert len(office.pairings(on=DAY1)) and office.rounds().round_id.tolist() == [1]
        office.end(cid, "site", on=DAY2, reason="hired", reported_by="ufficio")
        assert cid not in office.waiting(DAY2)
        for read_documents in (lambda: office.next_round(on=DAY2), office.round, lambda: office.loads(DAY2)):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied for table round_documents"):
                read_documents()


def test_a_database_at_revision_0001_upgrades_and_keeps_its_rows(url: str) -> None:
    """Revision 0002 widens the baselines' measures (exempt trainees); rows already there survive."""
    engine = pdb.make_engine(url)
    with engine.begin() as conn:
        command.upgrade(pdb.alembic_config(conn), "0001")
    with Programme(url) as p:  # opening migrates to the head
        assert p.revision == HEAD
    first = mw.match(three())
    with Programme(url) as p:
        p.record(first, approved_by="équipe", on=DAY1)
        with p.engine.connect() as conn:
            measures = set(conn.execute(sa.text("SELECT DISTINCT measure FROM baselines")).scalars())
    assert "exempt_trainees_present" in measures and "trainees_present" in measures
    with engine.begin() as conn:
        command.downgrade(pdb.alembic_config(conn), "0001")  # the new measure's rows go, the rest stays
        left = set(conn.execute(sa.text("SELECT DISTINCT measure FROM baselines")).scalars())
    assert left == measures - {"exempt_trainees_present"}
    engine.dispose()


def test_a_breakdown_gives_priority_in_the_next_round_until_re_matched(programme: Programme) -> None:
    first = mw.match(three())
    programme.record(first, approved_by="équipe", on=DAY1)
    broke = matched(first)[0]["candidate_id"]
    programme.end(broke, "site", on=DAY1 + dt.timedelta(days=10), reason="breakdown")
    nxt = programme.next_round(on=DAY2)
    priority = {c.id for c in nxt.candidates if c.priority}
    assert priority == {broke}
    again = mw.match(nxt)
    row = again.assignments.set_index("candidate_id").loc[broke]
    if row.status == "matched":  # re-matched: the request is cleared, no priority after
        programme.record(again, approved_by="équipe", on=DAY2)
        assert not any(c.priority for c in programme.next_round(on=DAY3).candidates if c.id == broke)
