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
    leads = Counter(g.site_id for g in demo_round.guides if g.can_lead)
    assert set(leads) == {s.id for s in demo_round.sites}, "every site has a lead guide"


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
    assert big.summary()["guides"] == 3000


def test_bad_sizes() -> None:
    with pytest.raises(ValueError, match="n_candidates"):
        synth.round(0)
    with pytest.raises(ValueError, match="n_guides"):
        synth.round(50, n_guides=2, n_sites=10)
