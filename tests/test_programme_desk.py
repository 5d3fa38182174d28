"""The programme history of a job desk (seed 003): host companies with company tutors and desk operators.

A Mantova desk round (``synth.round(120, seed=0)``: region lombardia, host companies)
is recorded; the next round must go on as the same desk's round — same region and
rule set, the tutors, operators and cooperatives, the placements in place with their
tutor and operator, and the load each tutor and operator carries. Every test runs on
SQLite and, where a server can be started, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command

import matchwork as mw
from matchwork.model.vocab import Region, ReviewStatus
from matchwork.programme import Programme
from matchwork.programme import db as pdb
from matchwork.programme.tables import metadata
from test_programme import three

from programme_db import BACKENDS, apply_grants, database_url

DESK = ("tutor", "operator")
LATER = dt.timedelta(days=28)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


@pytest.fixture
def programme(url: str) -> Programme:
    with Programme(url) as p:
        yield p  # type: ignore[misc]


@functools.cache
def desk_round() -> tuple[mw.Round, mw.MatchResult]:
    """The synthetic Mantova desk round and its result (solved once for the module)."""
    rnd = mw.synth.round(120, seed=0)
    return rnd, mw.match(rnd)


def placed(result: mw.MatchResult) -> pd.DataFrame:
    return result.assignments[result.assignments.status == "matched"]


def loads_after(rnd: mw.Round, result: mw.MatchResult) -> dict[str, int]:
    """Each tutor's trainees and operator's caseload once ``result`` is in place, from the round and the result.

    The round's figure counts its pairings in place, which belong to its own
    candidates; the result says anew who follows each of them.
    """
    in_place = Counter(p.partner_id for p in rnd.pairings if p.role.value in DESK)
    asg = placed(result)
    tutored, followed = asg.tutor_id.value_counts(), asg.operator_id.value_counts()
    out = {t.id: t.current_trainees - in_place[t.id] + int(tutored.get(t.id, 0)) for t in rnd.tutors}
    return out | {o.id: o.caseload - in_place[o.id] + int(followed.get(o.id, 0)) for o in rnd.operators}


def arrivals(n: int, seed: int) -> list[mw.Candidate]:
    fresh = mw.synth.round(n, seed=seed).candidates
    return [c.model_copy(update={"id": f"N-{c.id}", "excluded_ids": frozenset()}) for c in fresh]


def test_a_desk_round_is_recorded_with_its_tutors_and_operators(programme: Programme) -> None:
    rnd, first = desk_round()
    assert {p.role.value for p in rnd.pairings} >= set(DESK)  # it brings tutor and operator pairings in place
    done = programme.record(first, approved_by="Laura S.", on=rnd.date)
    asg = placed(first)
    host = asg[asg.tutor_id.notna()]
    assert len(host) > 0 and host.operator_id.notna().all()
    opened = programme.pairings(on=rnd.date)
    for role in DESK:
        want = set(zip(host.candidate_id, host[f"{role}_id"], strict=True))
        mine = opened[opened.role == role]
        assert set(zip(mine.candidate_id, mine.partner_id, strict=True)) == want
    assert done.imported == len(rnd.pairings)
    # a tutor's pairing belongs to the tutor's site, an operator's to the placement's
    tutor_site = {t.id: t.site_id for t in rnd.tutors}
    rows = opened.set_index(["candidate_id", "role"])
    for r in host.itertuples():
        assert rows.loc[(r.candidate_id, "tutor"), "site_id"] == tutor_site[r.tutor_id] == r.site_id
        assert rows.loc[(r.candidate_id, "operator"), "site_id"] == r.site_id
    with programme.engine.connect() as conn:
        results = pd.read_sql("SELECT candidate_id, tutor_id, operator_id FROM results", conn).set_index("candidate_id")
        base = dict(
            conn.execute(
                sa.text("SELECT partner_id, value FROM baselines WHERE measure IN ('current_trainees', 'caseload')")
            ).all()
        )
    decided = first.assignments.set_index("candidate_id")[["tutor_id", "operator_id"]]
    assert results.sort_index().equals(decided.sort_index().astype(results.dtypes.to_dict()))
    # the outside load: the round's figure less the pairings in place it carried
    in_place = Counter(p.partner_id for p in rnd.pairings if p.role.value in DESK)
    outside = {t.id: t.current_trainees - in_place[t.id] for t in rnd.tutors}
    outside |= {o.id: o.caseload - in_place[o.id] for o in rnd.operators}
    assert base == outside


def test_the_next_round_goes_on_as_the_same_desks_round(programme: Programme) -> None:
    rnd, first = desk_round()
    assert rnd.region == Region.LOMBARDIA and first.scores.capacities.rule_set == "lombardia"
    programme.record(first, approved_by="Laura S.", on=rnd.date)
    asg = placed(first)
    host = asg[asg.tutor_id.notna()]
    back = sorted(host.candidate_id)[:12]  # people placed at host companies, back in the round for a review
    day = rnd.date + LATER
    nxt = programme.next_round([*arrivals(60, seed=7), *back], on=day)

    assert nxt.region == Region.LOMBARDIA
    assert nxt.review.status == ReviewStatus.DRAFT and nxt.review.approved_at is None
    assert nxt.review.reviewer == rnd.review.reviewer is not None
    assert [t.id for t in nxt.tutors] == [t.id for t in rnd.tutors]
    assert [o.id for o in nxt.operators] == [o.id for o in rnd.operators]
    assert nxt.cooperatives == rnd.cooperatives and nxt.cooperatives
    expected = loads_after(rnd, first)
    carried = {t.id: t.current_trainees for t in nxt.tutors} | {o.id: o.caseload for o in nxt.operators}
    assert carried == expected
    was = host.set_index("candidate_id")
    in_place = {(p.candidate_id, p.role.value): p.partner_id for p in nxt.pairings if p.role.value in DESK}
    assert in_place == {(c, role): was.loc[c, f"{role}_id"] for c in back for role in DESK}

    second = mw.match(nxt)
    assert second.policy.continuity.keep == "always"
    assert second.scores.capacities.rule_set == "lombardia"  # Lombardy's rule set, not the national one
    assert second.scores.capacities.exempt.any()  # its exemptions hold for the people it places anew
    now = second.assignments.set_index("candidate_id")
    for c in back:  # a host-company placement in place keeps its company tutor and desk operator
        assert now.loc[c, "status"] == "matched" and now.loc[c, "continuity"] == "kept"
        assert (now.loc[c, "tutor_id"], now.loc[c, "operator_id"]) == (
            was.loc[c, "tutor_id"],
            was.loc[c, "operator_id"],
        )

    # loads hold: what a tutor or operator carries outside this round plus what it gets here stays within the cap
    caps, arrays = second.scores.capacities, second.scores.arrays
    limit = dict(zip(arrays.tutors.ids, caps.tutor_limit.tolist(), strict=True))
    limit |= dict(zip(arrays.operators.ids, caps.operator_limit.tolist(), strict=True))
    assert set(limit.values()) >= {3, 20}  # the tutors' legal limit and the operators' caseload cap
    outside = Counter(expected)
    outside.subtract(Counter(was.loc[c, f"{role}_id"] for c in back for role in DESK))
    got = Counter(placed(second).tutor_id.dropna()) + Counter(placed(second).operator_id.dropna())
    full = {t for t in limit if outside[t] >= limit[t]}
    tutor_site = {t.id: t.site_id for t in nxt.tutors}
    with_room = {s.id for s in nxt.sites if any(p.openings > 0 for p in s.positions)}
    assert {tutor_site[t] for t in full if t in tutor_site} & with_room  # a full tutor's company has openings left
    newcomers = placed(second)[placed(second).candidate_id.str.startswith("N-")]
    assert not (set(newcomers.tutor_id) | set(newcomers.operator_id)) & full  # a full tutor or operator: none new
    assert all(outside[t] + got[t] <= limit[t] for t in limit)


def test_a_placement_that_ends_ends_its_tutor_and_operator_and_frees_their_load(programme: Programme) -> None:
    rnd, first = desk_round()
    programme.record(first, approved_by="Laura S.", on=rnd.date)
    host = placed(first)[placed(first).tutor_id.notna()].sort_values("candidate_id")
    hired, broke = host.iloc[0], host.iloc[1]
    day = rnd.date + dt.timedelta(days=10)
    ended = programme.end(hired.candidate_id, "site", on=day, reason="hired")
    assert set(zip(ended.role, ended.partner_id, ended.end_reason, strict=True)) == {
        ("site", hired.position_id, "hired"),
        ("tutor", hired.tutor_id, "with_site"),
        ("operator", hired.operator_id, "with_site"),
    }
    assert set(programme.pairings(hired.candidate_id, on=day).role) <= {"peer"}  # peer support goes on until ended
    # a breakdown with the company tutor alone: the tutor is kept apart, the placement and the operator go on
    gone = programme.end(broke.candidate_id, "tutor", on=day, reason="breakdown")
    assert gone.role.tolist() == ["tutor"] and gone.end_reason.tolist() == ["breakdown"]
    assert set(programme.pairings(broke.candidate_id, on=day).role) - {"peer"} == {"site", "operator"}
    assert (broke.candidate_id, broke.tutor_id) in programme.cooldown_forbids(day)

    nxt = programme.next_round(on=rnd.date + LATER)
    expected = Counter(loads_after(rnd, first))
    expected.subtract([hired.tutor_id, hired.operator_id, broke.tutor_id])
    carried = {t.id: t.current_trainees for t in nxt.tutors} | {o.id: o.caseload for o in nxt.operators}
    assert carried == dict(expected)
    assert broke.candidate_id in {c.id for c in nxt.candidates if c.priority}  # waits for a tutor, first
    assert {(f.candidate_id, f.partner_id) for f in nxt.forbids} >= {(broke.candidate_id, broke.tutor_id)}
    assert {(p.role.value, p.partner_id) for p in nxt.pairings if p.candidate_id == broke.candidate_id} - {
        ("peer", broke.peer_id)
    } == {
        ("site", broke.position_id),
        ("operator", broke.operator_id),
    }
    assert hired.candidate_id not in {c.id for c in nxt.candidates}


NEW_COLUMNS = {"tutor_id", "operator_id"}  # of results, from revision 0003
TABLES = [(t.name, t) for t in metadata.sorted_tables if t.name != "programme"]  # parents first


def rows_at_0002(engine: sa.Engine) -> dict[str, set[tuple[object, ...]]]:
    """Every row of the history tables, in the columns revision 0002 has (the programme row's counter aside)."""
    with engine.connect() as conn:
        return {
            name: {
                tuple(map(repr, r)) for r in conn.execute(sa.select(*[c for c in table.c if c.name not in NEW_COLUMNS]))
            }
            for name, table in TABLES
        }


def test_a_database_at_revision_0002_upgrades_keeps_its_rows_and_then_keeps_the_desk(url: str) -> None:
    """A history written at 0002 (a cooperative round, a breakdown) survives 0003, which then records a desk round."""
    with Programme("sqlite://") as donor:  # the rows a 0002 database holds
        coop = three()
        coop_result = mw.match(coop)
        donor.record(coop_result, approved_by="équipe", on=coop.date)
        someone = placed(coop_result).candidate_id.iloc[0]
        donor.end(someone, "site", on=coop.date + dt.timedelta(days=8), reason="breakdown")
        with donor.engine.connect() as conn:
            rows = {name: [dict(m) for m in conn.execute(sa.select(table)).mappings()] for name, table in TABLES}
    assert all(rows[name] for name, _ in TABLES)  # every table has rows to carry
    engine = pdb.make_engine(url)
    with engine.begin() as conn:
        command.upgrade(pdb.alembic_config(conn), "0002")
        for name, table in TABLES:
            conn.execute(sa.insert(table), [{k: v for k, v in r.items() if k not in NEW_COLUMNS} for r in rows[name]])
        if conn.dialect.name == "postgresql":  # the ids were given: move the sequences past them
            for name in ("rounds", "pairings", "events", "rematch_requests"):
                conn.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )
    before = rows_at_0002(engine)

    with Programme(url) as p:  # opening migrates to the head
        assert p.revision == "0003"
        assert rows_at_0002(p.engine) == before  # every row as it was, events still pointing at their pairings
        with p.engine.connect() as conn:
            assert set(conn.execute(sa.text("SELECT tutor_id FROM results")).scalars()) == {None}
            if conn.dialect.name == "sqlite":
                assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        rnd, first = desk_round()
        assert p.record(first, approved_by="Laura S.", on=rnd.date).imported == len(rnd.pairings)
        assert {"tutor", "operator"} <= set(p.pairings(on=rnd.date).role)
        back = sorted(placed(first).candidate_id)[:5]  # the tiny round's people wait for partners of their own
        nxt = p.next_round(back, on=rnd.date + LATER, waiting=False)
        assert nxt.region == Region.LOMBARDIA and len(nxt.tutors) == len(rnd.tutors)

    with engine.begin() as conn:  # back to 0002: the desk's pairings and loads go, the rest stays
        command.downgrade(pdb.alembic_config(conn), "0002")
        roles = set(conn.execute(sa.text("SELECT DISTINCT role FROM pairings")).scalars())
        measures = set(conn.execute(sa.text("SELECT DISTINCT measure FROM baselines")).scalars())
        columns = {c["name"] for c in sa.inspect(conn).get_columns("results")}
    assert roles >= {"site", "peer"} and not roles & {"tutor", "operator"}
    assert measures >= {"current_mentees", "hours_in_use"} and not measures & {"current_trainees", "caseload"}
    assert not columns & NEW_COLUMNS
    after = rows_at_0002(engine)
    assert all(before[name] <= after[name] for name in before)  # the history written at 0002 is all there
    engine.dispose()


def test_the_documented_grants_let_the_office_read_and_end_the_desks_pairings(tmp_path: Path) -> None:
    url = database_url("postgresql", tmp_path)
    page = (Path(__file__).resolve().parent.parent / "docs" / "programme.md").read_text(encoding="utf-8")
    grants = page.split("```sql", 1)[1].split("```", 1)[0]
    rnd, first = desk_round()
    with Programme(url) as admin:
        admin.record(first, approved_by="Laura S.", on=rnd.date)
        with admin.engine.begin() as conn:
            apply_grants(conn, grants)
    host = placed(first)[placed(first).tutor_id.notna()].sort_values("candidate_id").iloc[0]
    with Programme(url.replace("postgres@", "placement_office@", 1), migrate=False) as office:
        mine = office.pairings(host.candidate_id, on=rnd.date)
        assert {("tutor", host.tutor_id), ("operator", host.operator_id)} <= set(
            zip(mine.role, mine.partner_id, strict=True)
        )
        ended = office.end(host.candidate_id, "site", on=rnd.date + LATER, reason="completed", reported_by="sportello")
        assert {"tutor", "operator"} <= set(ended.query("end_reason == 'with_site'").role)
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied for table round_documents"):
            office.next_round(on=rnd.date + LATER)
