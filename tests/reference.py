"""A naive, per-pair reference of every rule and feature, written from the documentation.

Slow and obvious on purpose: the vectorized scoring must agree with it on every pair.
"""

from __future__ import annotations

import math
from typing import Any

import matchwork as mw
from matchwork.model.vocab import RelationshipKind, Role, ateco_ancestors, ateco_section

R = 6371.0088


def haversine(a: mw.Location, b: mw.Location) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(h)))


def skill_fit(c: mw.Candidate, pos: mw.Position) -> float:
    need = sum(pos.skills.values())
    if need == 0:
        return 1.0
    return sum(min(c.skills.get(s, 0), lvl) for s, lvl in pos.skills.items()) / need


def wished_sector(c: mw.Candidate, site: mw.PlacementSite) -> float:
    if not c.wished_sectors:
        return 0.5
    if any(w in ateco_ancestors(site.sector) for w in c.wished_sectors):
        return 1.0
    if any(ateco_section(w) == ateco_section(site.sector) for w in c.wished_sectors):
        return 0.5
    return 0.0


def commute(c: mw.Candidate, site: mw.PlacementSite) -> float:
    return min(1.0, max(0.0, 1 - haversine(c.location, site.location) / c.max_commute_km))


def schedule_position(c: mw.Candidate, pos: mw.Position) -> float:
    return len(c.availability & pos.shifts) / len(pos.shifts)


def share(mine: frozenset[Any], theirs: frozenset[Any], empty: float) -> float:
    return len(mine & theirs) / len(mine) if mine else empty


def gender(c: mw.Candidate, partner: Any) -> float:
    if c.preferred_gender is None:
        return 1.0
    if partner.gender is None:
        return 0.5
    return 1.0 if partner.gender == c.preferred_gender else 0.0


def proximity(c: mw.Candidate, peer: mw.PeerSupporter) -> float:
    if peer.location is None:
        return 0.5
    return min(1.0, max(0.0, 1 - haversine(c.location, peer.location) / 30))


def site_features(c: mw.Candidate, site: mw.PlacementSite, pos: mw.Position) -> dict[str, float]:
    return {
        "skill_fit": skill_fit(c, pos),
        "wished_sector": wished_sector(c, site),
        "commute": commute(c, site),
        "schedule": schedule_position(c, pos),
        "site_experience": 1 - math.exp(-site.fragile_workers_hosted / 5),
    }


def guide_features(c: mw.Candidate, g: mw.GuideWorker) -> dict[str, float]:
    return {
        "language": share(c.languages, g.languages, 0.0),
        "schedule": share(c.availability, g.availability, 0.0),
        "guide_experience": 1 - math.exp(-g.years_experience / 8),
        "gender": gender(c, g),
    }


def peer_features(c: mw.Candidate, p: mw.PeerSupporter) -> dict[str, float]:
    return {
        "lived_experience": share(c.peer_experience, p.lived_experience, 1.0),
        "language": share(c.languages, p.languages, 0.0),
        "schedule": share(c.availability, p.availability, 0.0),
        "gender": gender(c, p),
        "proximity": proximity(c, p),
    }


def _tied(rnd: mw.Round, a: str, b: str, kinds: set[RelationshipKind]) -> bool:
    return any({r.a, r.b} == {a, b} and r.kind in kinds for r in rnd.relationships)


def site_reasons(
    rnd: mw.Round, policy: mw.Policy, c: mw.Candidate, site: mw.PlacementSite, pos: mw.Position
) -> set[str]:
    kinds = set(policy.rules.forbidding_relationships)
    rule_set = policy.trainee_rule_set()
    placed_here = [p for p in rnd.pairings if p.role.value == "site" and p.partner_id in {pos.id, site.id}]
    placed_site = [
        p
        for p in rnd.pairings
        if p.role.value == "site" and (p.partner_id == site.id or p.partner_id in {q.id for q in site.positions})
    ]
    present = site.trainees_present - len(placed_site)
    out = set()
    if haversine(c.location, site.location) > c.max_commute_km:
        out.add("commute_too_far")
    if not c.availability & pos.shifts:
        out.add("no_schedule_overlap")
    if c.accommodations - site.accommodations:
        out.add("accommodation_missing")
    if any(c.skills.get(s, 0) < lvl for s, lvl in pos.min_skills.items()):
        out.add("min_skill")
    if pos.openings + len([p for p in placed_here if p.partner_id == pos.id]) <= 0:
        out.add("no_opening")
    if rule_set.limit(site.headcount) - present <= 0 and c.category not in rule_set.exempt_categories:
        out.add("trainee_limit")
    if site.company_tutors * policy.trainee_limits.tutor_limit - present <= 0:
        out.add("tutor_limit")
    if _tied(rnd, c.id, site.id, kinds) or _tied(rnd, c.id, pos.id, kinds):
        out.add("relationship_site")
    if {site.id, pos.id} & c.excluded_ids:
        out.add("excluded_site")
    if any(
        f.candidate_id == c.id and f.partner_id in {site.id, pos.id} and f.role in (None, Role.SITE)
        for f in rnd.forbids
    ):
        out.add("forbidden_site")
    return out


def guide_reasons(rnd: mw.Round, policy: mw.Policy, c: mw.Candidate, g: mw.GuideWorker) -> set[str]:
    kinds = set(policy.rules.forbidding_relationships)
    released = len([p for p in rnd.pairings if p.partner_id == g.id])
    limit = g.max_mentees if g.max_mentees is not None else policy.caps.guide_max_mentees
    free = max(limit - (g.current_mentees - released), 0)
    out = set()
    if not c.languages & g.languages:
        out.add("no_shared_language_guide")
    if not g.can_lead:
        out.add("cannot_lead")
    if free <= 0:
        out.add("guide_full")
    elif g.can_lead and min(policy.caps.lead_newcomers, free) <= 0:
        out.add("lead_full")
    if _tied(rnd, c.id, g.id, kinds):
        out.add("relationship_guide")
    if g.id in c.excluded_ids:
        out.add("excluded_guide")
    for f in rnd.forbids:
        if f.candidate_id == c.id and f.partner_id == g.id:
            out.add(
                {None: "forbidden_guide", "lead_guide": "forbidden_lead", "guide": "forbidden_squad"}[
                    f.role.value if f.role else None
                ]
            )
    return out


def peer_reasons(rnd: mw.Round, policy: mw.Policy, c: mw.Candidate, p: mw.PeerSupporter) -> set[str]:
    kinds = set(policy.rules.forbidding_relationships)
    caps = policy.caps
    out = set()
    if c.area not in p.areas_served:
        out.add("outside_area")
    if not c.languages & p.languages:
        out.add("no_shared_language_peer")
    if RelationshipKind.THERAPEUTIC in kinds and any(
        _tied(rnd, p.id, member, {RelationshipKind.THERAPEUTIC}) for member in c.care_team
    ):
        out.add("care_team_therapeutic")
    new = p.started_on is not None and 0 <= (rnd.date - p.started_on).days < caps.peer_new_months * 30.44
    cap = min(p.hours_per_week if p.hours_per_week is not None else math.inf, caps.peer_hours_per_week)
    cap *= caps.peer_new_fraction if new else 1.0
    need = {c2.id: caps.hours_by_intensity[c2.support_intensity] for c2 in rnd.candidates}
    released = sum(need[q.candidate_id] for q in rnd.pairings if q.partner_id == p.id)
    free = max(cap - max(p.hours_in_use - released, 0.0), 0.0)
    if free + 1e-9 < need[c.id]:
        out.add("peer_hours")
    if _tied(rnd, c.id, p.id, kinds):
        out.add("relationship_peer")
    if p.id in c.excluded_ids:
        out.add("excluded_peer")
    if any(f.candidate_id == c.id and f.partner_id == p.id and f.role in (None, Role.PEER) for f in rnd.forbids):
        out.add("forbidden_peer")
    return out
