"""A naive, per-pair reference of every rule and feature, written from the documentation.

Slow and obvious on purpose: the vectorized scoring must agree with it on every pair.
"""

from __future__ import annotations

import math
from fractions import Fraction
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
        "guide_experience": 1 - math.exp(-g.years_experience / 8),
        "gender": gender(c, g),
    }


def guide_position_features(g: mw.GuideWorker, pos: mw.Position) -> dict[str, float]:
    """A guide worker at a position of their site: on its shifts? skilled in its work?"""
    used = dict(pos.skills)
    for skill, level in pos.min_skills.items():
        used[skill] = max(level, used.get(skill, 0))
    need = sum(used.values())
    have = sum(min(g.skills.get(skill, 0), level) for skill, level in used.items())
    return {
        "schedule": len(g.availability & pos.shifts) / len(pos.shifts),
        "guide_skill": have / need if need else 1.0,
    }


def guide_position_reasons(policy: mw.Policy, g: mw.GuideWorker, pos: mw.Position) -> set[str]:
    """The lead's rules at a position: on at least a policy share of its shifts, in its team (their own position,
    or every position of the site when they name none)."""
    on_shifts = len(g.availability & pos.shifts) / len(pos.shifts)
    out = {"lead_off_shifts"} if on_shifts < policy.caps.lead_min_shift_share else set()
    if g.position_id is not None and g.position_id != pos.id:
        out.add("lead_outside_team")
    return out


def site_positions(rnd: mw.Round, g: mw.GuideWorker) -> set[str]:
    """The positions a guide is scored at: every position of their site (a squad member follows the person at
    any of them; a lead leads only in their team)."""
    return {p.id for s in rnd.sites if s.id == g.site_id for p in s.positions}


# ------------------------------------------------------------ the law, from docs/scoring.md


def legal_headcount(site: mw.PlacementSite, counts: frozenset[str]) -> int:
    """Employees the rule set counts: from the parts when given, else ``headcount`` as stated."""
    if site.permanent_employees is None:
        return site.headcount or 0
    parts = {
        "permanent": site.permanent_employees,
        "fixed_term_covering": site.fixed_term_covering,
        "owners": site.owners,
        "worker_members": site.worker_members,
    }
    return sum(parts[k] or 0 for k in counts)


def legal_limit(site: mw.PlacementSite, rule_set: Any) -> int:
    n = legal_headcount(site, rule_set.counts)
    base = None
    for max_employees, trainees in rule_set.bands:
        if n <= max_employees:
            base = trainees
            break
    if base is None:
        exact = Fraction(n) * Fraction(str(rule_set.above_percent)) / 100
        if rule_set.rounding == "up":
            base = math.ceil(exact)
        elif rule_set.rounding == "down":
            base = math.floor(exact)
        else:
            base = math.floor(exact + Fraction(1, 2))
        base = max(base, rule_set.bands[-1][1])
    permanent = site.permanent_employees if site.permanent_employees is not None else (site.headcount or 0)
    bonus = 0
    if site.trainees_24m and site.hired_24m is not None and permanent > rule_set.bonus_above:
        hired = Fraction(100 * site.hired_24m, site.trainees_24m)
        bonus = max(
            (extra for threshold, extra in rule_set.hiring_bonus if hired >= Fraction(str(threshold))), default=0
        )
    return base + bonus


def tutor_room(rnd: mw.Round, policy: mw.Policy, t: mw.CompanyTutor) -> int:
    law = policy.trainee_limits.tutor_limit
    limit = min(t.max_trainees if t.max_trainees is not None else law, law)
    released = len([p for p in rnd.pairings if p.role.value == "tutor" and p.partner_id == t.id])
    return max(limit - max(t.current_trainees - released, 0), 0)


def _pinned_elsewhere(rnd: mw.Round, c: mw.Candidate, partner_id: str, kind: str) -> bool:
    pinned = [p.partner_id for p in rnd.pins if p.candidate_id == c.id and rnd.role_of(p.partner_id) == kind]
    return bool(pinned) and partner_id not in pinned


def _forbidden(rnd: mw.Round, c: mw.Candidate, partner_id: str, role: str) -> bool:
    return any(
        f.candidate_id == c.id and f.partner_id == partner_id and (f.role is None or f.role.value == role)
        for f in rnd.forbids
    )


def tutor_reasons(rnd: mw.Round, policy: mw.Policy, c: mw.Candidate, t: mw.CompanyTutor) -> set[str]:
    kinds = set(policy.rules.forbidding_relationships)
    out = set()
    if tutor_room(rnd, policy, t) <= 0:
        out.add("tutor_full")
    if not c.languages & t.languages:
        out.add("no_shared_language_tutor")
    if _tied(rnd, c.id, t.id, kinds):
        out.add("relationship_tutor")
    if t.id in c.excluded_ids:
        out.add("excluded_tutor")
    if _forbidden(rnd, c, t.id, "tutor"):
        out.add("forbidden_tutor")
    if _pinned_elsewhere(rnd, c, t.id, "tutor"):
        out.add("pinned_elsewhere_tutor")
    return out - set(policy.rules.disabled)


def operator_reasons(rnd: mw.Round, policy: mw.Policy, c: mw.Candidate, o: mw.DeskOperator) -> set[str]:
    kinds = set(policy.rules.forbidding_relationships)
    cap = policy.caps.operator_caseload
    limit = min(o.max_caseload if o.max_caseload is not None else cap, cap)
    released = len([p for p in rnd.pairings if p.role.value == "operator" and p.partner_id == o.id])
    out = set()
    if c.area not in o.areas_served:
        out.add("operator_outside_area")
    if limit - max(o.caseload - released, 0) <= 0:
        out.add("operator_full")
    if _tied(rnd, c.id, o.id, kinds):
        out.add("relationship_operator")
    if o.id in c.excluded_ids:
        out.add("excluded_operator")
    if _forbidden(rnd, c, o.id, "operator"):
        out.add("forbidden_operator")
    if _pinned_elsewhere(rnd, c, o.id, "operator"):
        out.add("pinned_elsewhere_operator")
    return out - set(policy.rules.disabled)


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
    rule_set = policy.trainee_rule_set(rnd.region)
    placed_here = [p for p in rnd.pairings if p.role.value == "site" and p.partner_id in {pos.id, site.id}]
    placed_site = [
        p
        for p in rnd.pairings
        if p.role.value == "site" and (p.partner_id == site.id or p.partner_id in {q.id for q in site.positions})
    ]
    present = site.trainees_present - len(placed_site)
    category = {c2.id: c2.category for c2 in rnd.candidates}
    # counted: the trainees present other than this round's candidates in place, less the exempt among them (this
    # round's exempt candidates in place are never counted, whether exempt_trainees_present includes them or not)
    released_exempt = [p for p in placed_site if category[p.candidate_id] in rule_set.exempt_categories]
    others_exempt = max(site.exempt_trainees_present - len(released_exempt), 0) if rule_set.exempt_categories else 0
    counted = max(site.trainees_present - len(placed_site) - others_exempt, 0)
    tutors = [t for t in rnd.tutors if t.site_id == site.id]
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
    if legal_limit(site, rule_set) - counted <= 0 and c.category not in rule_set.exempt_categories:
        out.add("trainee_limit")
    if tutors:
        if sum(tutor_room(rnd, policy, t) for t in tutors) <= 0:
            out.add("tutor_limit")
    elif site.company_tutors * policy.trainee_limits.tutor_limit - present <= 0:
        out.add("tutor_limit")
    flagged = set(policy.rules.flagged)
    no_tutor = all(tutor_reasons(rnd, policy, c, t) - flagged for t in tutors)
    if site.kind in policy.team.tutor_at and tutors and no_tutor:
        out.add("no_tutor_available")
    no_operator = all(operator_reasons(rnd, policy, c, o) - flagged for o in rnd.operators)
    if site.kind in policy.team.operator_at and rnd.operators and no_operator:
        out.add("no_operator_available")
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
    trained = g.trained if g.trained is not None else g.can_lead  # an empty 'trained' reads can_lead
    if not trained:
        out.add("untrained_guide")
    kind = next(s.kind for s in rnd.sites if s.id == g.site_id)
    if kind not in policy.team.guides_at:
        out.add("site_without_guides")
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
    new = p.started_on is None or (rnd.date - p.started_on).days < caps.peer_new_months * 30.44
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
    people_cap = caps.peer_new_max_people if new else caps.peer_max_people
    released_people = len([q for q in rnd.pairings if q.partner_id == p.id])
    carried = p.current_people - released_people if p.current_people is not None else 0
    if people_cap - max(carried, 0) <= 0:
        out.add("peer_people_full")
    if c.referring_service is not None and c.referring_service in p.former_client_of:
        out.add("former_client_dual_role")
    if c.peer_experience_required and not c.peer_experience <= p.lived_experience:
        out.add("lived_experience_missing")
    return out
