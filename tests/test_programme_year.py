"""A simulated programme (issue 15, item 5): three monthly rounds with arrivals, endings, hires and breakdowns.

What holds already: no pairing in place changes without a recorded reason; no pair
whose pairing broke down is paired again within the cool-down; guide workers' and
peer supporters' loads stay within their caps. What needs the engine-side changes
of issue 15 (pairings in place kept whatever the score, the lead's two weeks, a
peer supporter's number of people) is in the skipped test at the end, with the reason.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

import pytest

import matchwork as mw

from programme_db import BACKENDS, database_url

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "programme_year.py"
COOLDOWN = 35  # days: monthly rounds meet a breakdown pair once inside the cool-down and once after it
BREAKDOWNS = {"site_breakdown": 0.15, "lead_breakdown": 0.2, "squad_breakdown": 0.2, "peer_breakdown": 0.25}


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("programme_year", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


year_mod = _example()


def policy_without_failed_pairing_rule() -> mw.Policy:
    """Failed pairings do not forbid a pair here, so that only the cool-down keeps a broken pair apart."""
    data = mw.Policy.default().to_dict()
    data["rules"]["forbidding_relationships"] = ["therapeutic", "family", "conflict"]
    return mw.Policy.from_dict(data)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


def simulate(url: str, **options: object) -> object:
    return year_mod.simulate(
        3, url=url, seed=1, rates=BREAKDOWNS, policy=policy_without_failed_pairing_rule(), cooldown_days=COOLDOWN,
        **options,
    )  # fmt: skip


def test_three_months_keep_reasons_cooldowns_and_caps(url: str) -> None:
    year = simulate(url)
    table = year.table
    assert table.month.tolist() == [1, 2, 3]
    assert table.placed.iloc[0] > 0 and table.breakdowns.sum() > 0 and table.arrivals.tolist()[1:] == [15, 15]
    assert year_mod.silent_changes(year) == []
    assert year_mod.cooldown_breaches(year, COOLDOWN) == []
    assert year_mod.cap_breaches(year) == []
    assert (table.guide_max <= 1).all() and (table.peer_max <= 1).all()
    # every change a round made is in the changes table with its event, and counted in the month's row
    changes = year.programme.changes()
    assert len(changes) == table.changed.sum()
    assert set(changes.from_partner) <= set(year.programme.pairings().query("end_reason == 'changed'").partner_id)


def test_without_the_cooldown_the_check_finds_broken_pairs_paired_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matchwork.programme.next_round as next_round

    monkeypatch.setattr(next_round, "cooldown_pairs", lambda *args, **kwargs: set())
    year = simulate(f"sqlite:///{tmp_path / 'p.db'}")
    assert year_mod.cooldown_breaches(year, COOLDOWN)


def test_three_months_from_the_command_line(tmp_path: Path) -> None:
    year = simulate(f"sqlite:///{tmp_path / 'p.db'}", cli=True)
    assert year.programme.rounds().name.tolist() == ["Mantova 2026-01", "Mantova 2026-02", "Mantova 2026-03"]
    api = simulate(f"sqlite:///{tmp_path / 'q.db'}")
    assert year.table.drop(columns=["candidates"]).equals(api.table.drop(columns=["candidates"]))
    assert year_mod.silent_changes(year) == [] and year_mod.cooldown_breaches(year, COOLDOWN) == []


def test_what_needs_the_engine(tmp_path: Path) -> None:
    year = simulate(f"sqlite:///{tmp_path / 'p.db'}")
    # 1. pairings in place are facts: a round changes none unless released or ended; the one change it
    # makes by itself is the lead's role ending after the two weeks (the lead then follows in the squad)
    changes = year.programme.changes()
    lead_period = (changes.role == "lead_guide") & changes.to_partner.isna()
    assert changes[~lead_period & (changes.round_id > 1)].empty, changes[~lead_period]
    pairings = year.programme.pairings()
    for c in changes[lead_period].itertuples():
        mine = pairings[(pairings.candidate_id == c.candidate_id) & (pairings.role == "lead_guide")]
        ended = mine[mine.partner_id == c.from_partner]
        assert ((c.date - ended.start_on).map(lambda d: d.days) >= 14).all()
    # 2. the lead's two weeks: no guide leads two people whose first 14 days overlap
    leads = year.programme.pairings().query("role == 'lead_guide'").sort_values(["partner_id", "start_on"])
    for _, rows in leads.groupby("partner_id"):
        starts = rows.start_on.tolist()
        assert all((b - a).days >= 14 for a, b in itertools.pairwise(starts))
    # 3. a peer supporter's number of people within the policy's cap (a field the policy does not have yet)
    assert (year.table.peer_people <= year.policy.caps.peer_max_people).all()
