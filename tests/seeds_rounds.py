"""Small rounds that exercise the seeds' people and rules: tutors, operators, cooperatives, the law, peer safeguards.

``seeds_round(seed)`` draws, from one NumPy generator, a round of a few people in two
Mantova areas close enough for most pairs to be within reach, with every new field
set at random around the thresholds that matter (headcounts near 5, 20 and the
10 % bands, trainees present near the limits, tutors and operators full or not,
guides trained or not, peers new or not, dual roles, required lived experience,
pins and forbids of tutors and operators, pairings in place with their loads).
:func:`rule_counts` says how often each rule fires over many of them, so a test can
check that the generator produces what the properties need.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np

import matchwork as mw
from matchwork.model.vocab import Category, LivedExperience, ReferringService, Skill, Slot

AREAS = ("Mantova", "Suzzara")
DATE = dt.date(2026, 2, 2)
_SLOTS = [s.value for s in Slot]
_SKILLS = [s.value for s in (Skill.CLEANING, Skill.LAUNDRY, Skill.FORKLIFT, Skill.GARDENING)]
_SERVICES = [s.value for s in (ReferringService.CPS, ReferringService.SERD, ReferringService.UEPE)]
_EXPERIENCE = [e.value for e in (LivedExperience.MENTAL_HEALTH, LivedExperience.SUBSTANCE_USE, LivedExperience.JUSTICE)]


def _subset(rng: np.random.Generator, pool: list[str], lo: int, hi: int) -> list[str]:
    k = int(rng.integers(lo, min(hi, len(pool)) + 1))
    return sorted(rng.choice(pool, size=k, replace=False).tolist())


def _where(rng: np.random.Generator) -> dict[str, float]:
    return {"lat": 45.10 + float(rng.uniform(0, 0.12)), "lon": 10.72 + float(rng.uniform(0, 0.15))}


def _skills(rng: np.random.Generator) -> dict[str, int]:
    return {s: int(rng.integers(1, 4)) for s in _subset(rng, _SKILLS, 0, 2)}


def _pick(rng: np.random.Generator, items: list[Any]) -> Any:
    return items[int(rng.integers(len(items)))]


def seeds_round(seed: int) -> mw.Round:
    """A small valid round drawn from ``seed`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    sites = []
    for s in range(int(rng.integers(2, 4))):
        kind = "cooperative" if rng.random() < 0.5 else "company"
        positions = [
            {
                "id": f"S{s}P{p}",
                "title": "mansione",
                "skills": _skills(rng),
                "min_skills": {"forklift": 1} if rng.random() < 0.15 else {},
                "shifts": _subset(rng, _SLOTS[:10], 1, 6),
                "openings": int(rng.integers(0, 3)),
            }
            for p in range(int(rng.integers(1, 3)))
        ]
        present = int(rng.integers(0, 4))
        site: dict[str, Any] = {
            "id": f"S{s}",
            "name": f"Sede {s}",
            "kind": kind,
            "sector": "81.21",
            "area": _pick(rng, list(AREAS)),
            "location": _where(rng),
            "trainees_present": present,
            "exempt_trainees_present": int(rng.integers(0, present + 1)),
            "company_tutors": int(rng.integers(0, 3)),
            "accommodations": _subset(rng, ["flexible_hours", "quiet_space"], 0, 2),
            "positions": positions,
        }
        staff = int(rng.choice([2, 5, 6, 19, 20, 21, 25, 31, 45]))
        if rng.random() < 0.6:
            permanent = int(rng.integers(max(1, staff - 6), staff + 1))
            site |= {
                "permanent_employees": permanent,
                "fixed_term_covering": staff - permanent,
                "apprentices": int(rng.integers(0, 4)),
                "owners": int(rng.integers(0, 3)),
                "worker_members": int(rng.integers(0, 3)),
            }
        else:
            site["headcount"] = staff
        if rng.random() < 0.5:
            t24 = int(rng.integers(1, 6))
            site |= {"trainees_24m": t24, "hired_24m": int(rng.integers(0, t24 + 1))}
        sites.append(site)
    coops = [s for s in sites if s["kind"] == "cooperative"]
    cooperatives = []
    if coops and rng.random() < 0.6:
        cooperatives = [{"id": "K0", "name": "Coop. sociale", "workers": 40, "disadvantaged_workers": 13}]
        for s in coops:
            s["cooperative_id"] = "K0"
    position_ids = [(s["id"], p["id"]) for s in sites for p in s["positions"]]

    guides = []
    for g in range(int(rng.integers(1, 5))):
        site_id, pos_id = _pick(rng, position_ids)
        trained = _pick(rng, [None, True, True, False])
        can_lead = bool(rng.random() < 0.6) and trained is not False
        guides.append(
            {
                "id": f"G{g}",
                "name": f"Guida {g}",
                "site_id": site_id,
                "position_id": pos_id if rng.random() < 0.7 else None,
                "skills": _skills(rng),
                "availability": _subset(rng, _SLOTS[:10], 1, 10),
                "trained": trained,
                "can_lead": can_lead,
                "max_mentees": int(rng.integers(1, 4)),
                "years_experience": float(rng.integers(0, 20)),
            }
        )
    tutors = []
    for t in range(int(rng.integers(0, 4))):
        most = None if rng.random() < 0.5 else int(rng.integers(1, 4))
        tutors.append(
            {
                "id": f"T{t}",
                "name": f"Tutor {t}",
                "site_id": _pick(rng, sites)["id"],
                "languages": _pick(rng, [["it"], ["it"], ["en"]]),
                "max_trainees": most,
                "current_trainees": int(rng.integers(0, (most if most is not None else 4) + 1)),
            }
        )
    operators = []
    for o in range(int(rng.integers(0, 3))):
        most = None if rng.random() < 0.6 else int(rng.integers(0, 21))
        operators.append(
            {
                "id": f"O{o}",
                "name": f"Operatore {o}",
                "areas_served": _subset(rng, list(AREAS), 1, 2),
                "max_caseload": most,
                "caseload": int(rng.integers(0, (most if most is not None else 22) + 1)),
            }
        )
    peers = []
    for p in range(int(rng.integers(1, 4))):
        hours = None if rng.random() < 0.4 else float(rng.choice([2.0, 4.0, 8.0]))
        peers.append(
            {
                "id": f"P{p}",
                "name": f"Pari {p}",
                "areas_served": _subset(rng, list(AREAS), 1, 2),
                "location": _where(rng),
                "lived_experience": _subset(rng, _EXPERIENCE, 0, 2),
                "hours_per_week": hours,
                "current_people": None if rng.random() < 0.4 else int(rng.integers(0, 5)),
                "started_on": (DATE - dt.timedelta(days=int(rng.choice([20, 60, 400])))).isoformat(),
                "former_client_of": _subset(rng, _SERVICES, 0, 1),
            }
        )
    care = ["OPA", "OPB"]
    categories = [None, *(c.value for c in Category)]
    candidates = []
    for c in range(int(rng.integers(2, 5))):
        candidates.append(
            {
                "id": f"C{c}",
                "name": f"Persona {c}",
                "area": _pick(rng, list(AREAS)),
                "location": _where(rng),
                "max_commute_km": float(rng.choice([5.0, 15.0, 30.0])),
                "skills": _skills(rng),
                "languages": _pick(rng, [["it"], ["it"], ["it", "en"], ["ar"]]),
                "availability": _subset(rng, _SLOTS[:10], 2, 10),
                "accommodations": _subset(rng, ["flexible_hours", "quiet_space"], 0, 1),
                "wants_peer": bool(rng.random() < 0.7),
                "peer_experience": _subset(rng, _EXPERIENCE, 0, 2),
                "peer_experience_required": bool(rng.random() < 0.4),
                "category": _pick(rng, categories),
                "referring_service": _pick(rng, [None, *_SERVICES]),
                "care_team": _subset(rng, care, 0, 2),
            }
        )
    partners = [*(s["id"] for s in sites), *(g["id"] for g in guides), *(t["id"] for t in tutors)]
    partners += [*(o["id"] for o in operators), *(p["id"] for p in peers)]
    used_care = sorted({m for c in candidates for m in c["care_team"]})
    people = [*(c["id"] for c in candidates), *partners[len(sites) :], *used_care]
    relationships, seen = [], set()
    for _ in range(int(rng.integers(0, 6))):
        a, b = _pick(rng, people), _pick(rng, people)
        kind = _pick(rng, ["therapeutic", "therapeutic", "family", "conflict"])
        if a != b and (a, b, kind) not in seen and (b, a, kind) not in seen:
            seen.add((a, b, kind))
            relationships.append({"a": a, "b": b, "kind": kind})
    kinds = [[s["id"] for s in sites], [g["id"] for g in guides], [t["id"] for t in tutors]]
    kinds += [[o["id"] for o in operators], [p["id"] for p in peers]]
    kinds = [k for k in kinds if k]
    for cand in candidates:
        if rng.random() < 0.35:  # one of a kind drawn first, so that every kind of partner gets excluded
            cand["excluded_ids"] = [_pick(rng, _pick(rng, kinds))]
    forbids, pins, pairings = [], [], []
    for cand in candidates:
        excluded = set(cand.get("excluded_ids", []))
        if rng.random() < 0.3:
            partner = _pick(rng, partners)
            role = {"T": "tutor", "O": "operator", "P": "peer"}.get(partner[0])
            forbids.append(
                {"candidate_id": cand["id"], "partner_id": partner, "role": role if rng.random() < 0.5 else None}
            )
            excluded.add(partner)
        for pool, role in ((tutors, "tutor"), (operators, "operator")):
            if pool and rng.random() < 0.15:
                partner = _pick(rng, pool)["id"]
                if partner not in excluded:
                    pins.append({"candidate_id": cand["id"], "partner_id": partner, "role": role})
    # pairings in place, with the loads they imply
    for cand in candidates:
        if rng.random() < 0.25:
            site_id, pos_id = _pick(rng, position_ids)
            pairings.append({"candidate_id": cand["id"], "partner_id": pos_id, "role": "site"})
            site = next(s for s in sites if s["id"] == site_id)
            site["trainees_present"] += 1
            for pool, role, load in (
                (tutors, "tutor", "current_trainees"),
                (operators, "operator", "caseload"),
                (peers, "peer", "current_people"),
            ):
                if pool and rng.random() < 0.5:
                    partner = _pick(rng, pool)
                    if partner.get(load) is None:
                        continue
                    limit = partner.get({"tutor": "max_trainees", "operator": "max_caseload"}.get(role, ""), None)
                    if limit is not None and partner[load] >= limit:
                        continue
                    pairings.append({"candidate_id": cand["id"], "partner_id": partner["id"], "role": role})
                    partner[load] += 1
    return mw.Round(
        candidates=candidates,
        guides=guides,
        peers=peers,
        sites=sites,
        tutors=tutors,
        operators=operators,
        cooperatives=cooperatives,
        relationships=relationships,
        pairings=pairings,
        pins=pins,
        forbids=forbids,
        name=f"seeds {seed}",
        date=DATE,
        region=_pick(rng, [None, "lombardia", "veneto"]),
    )


def rule_counts(seeds: range, policy: mw.Policy | None = None) -> tuple[Counter[str], Counter[str]]:
    """How many pairs each rule forbids (or flags), and how many pairs of its stage it leaves alone."""
    from matchwork.scoring.rules import RULES, reason_codes

    fired: Counter[str] = Counter()
    spared: Counter[str] = Counter()
    for seed in seeds:
        scores = mw.score(seeds_round(seed), policy, dense=True)
        for stage in ("site", "guide", "peer", "tutor", "operator", "guide_position"):
            t = scores[stage]
            masks = t.reasons | t.flags
            for rule in (r for r in RULES if r.stage == stage):
                hit = int(np.count_nonzero(masks & np.uint64(rule.mask)))
                fired[rule.code] += hit
                spared[rule.code] += len(t) - hit
            for m in np.unique(masks):
                reason_codes(int(m))  # every mask decodes
    return fired, spared
