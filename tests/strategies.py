"""Hypothesis strategies: valid profiles and whole rounds whose references resolve."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from hypothesis import strategies as st

import matchwork as mw
from matchwork.model.vocab import (
    Accommodation,
    Category,
    Gender,
    Language,
    LivedExperience,
    Mobility,
    ReferringService,
    RelationshipKind,
    SiteKind,
    Skill,
    Slot,
    SupportIntensity,
)
from reference_joint import joint_problem

# Free text: printable, with the characters that break naive CSV/Excel handling
# (quotes, commas, semicolons, formula starters, accents, look-alike NA words).
_ALPHABET = string.ascii_letters + string.digits + " ,;'\"=+-@àèéìòù€ßç()/"
texts = (
    st.one_of(
        st.text(alphabet=_ALPHABET, min_size=1, max_size=30),
        st.sampled_from(["NA", "NaN", "None", "null", "TRUE", "0", "-1", "=SUM(A1)", "'quoted", "@user", "+39"]),
    )
    .map(str.strip)
    .filter(bool)
)
areas = texts.map(lambda t: t.replace(";", " ").replace(",", " ").strip()).filter(bool)
ids = st.text(alphabet=string.ascii_letters + string.digits + "_.-", min_size=1, max_size=12).filter(
    lambda s: s[0].isalnum()
)
finite = st.floats(allow_nan=False, allow_infinity=False)
locations = st.builds(
    mw.Location,
    # anywhere in Italy's bounding box: a round's places lie within MAX_SPREAD_KM of their middle
    lat=st.floats(37.0, 47.0, allow_nan=False),
    lon=st.floats(7.0, 17.0, allow_nan=False),
    municipality=st.none() | texts,
)
skills = st.dictionaries(st.sampled_from(list(Skill)), st.integers(1, 3), max_size=4)
languages = st.frozensets(st.sampled_from(list(Language)), min_size=1, max_size=3)
slots = st.frozensets(st.sampled_from(list(Slot)), min_size=1)
sectors = st.sampled_from(["N", "81", "81.2", "81.21", "52.10", "I", "47.11.10", "C"])
dates = st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31))


@st.composite
def rounds(draw: st.DrawFn, max_people: int = 4) -> mw.Round:
    """A small valid round: unique ids, resolving references, consistent loads."""
    pool = draw(st.lists(ids, min_size=40, max_size=40, unique_by=str.lower))
    take = iter(pool)
    n_sites = draw(st.integers(1, 3))
    sites = []
    for _ in range(n_sites):
        positions = [
            mw.Position(
                id=next(take),
                title=draw(texts),
                min_skills=draw(skills),
                skills=draw(skills),
                shifts=draw(slots),
                hours_per_week=draw(st.floats(0.5, 168, allow_nan=False)),
                openings=draw(st.integers(0, 5)),
            )
            for _ in range(draw(st.integers(1, 2)))
        ]
        sites.append(
            mw.PlacementSite(
                id=next(take),
                name=draw(texts),
                kind=draw(st.sampled_from(list(SiteKind))),
                sector=draw(sectors),
                area=draw(areas),
                location=draw(locations),
                headcount=draw(st.integers(0, 500)),
                trainees_present=draw(st.integers(0, 5)),
                company_tutors=draw(st.integers(0, 4)),
                accommodations=draw(st.frozensets(st.sampled_from(list(Accommodation)))),
                fragile_workers_hosted=draw(st.integers(0, 50)),
                positions=tuple(positions),
            )
        )
    guides = []
    for _ in range(draw(st.integers(1, max_people))):
        site = draw(st.sampled_from(sites))
        max_m = draw(st.none() | st.integers(0, 5))
        guides.append(
            mw.GuideWorker(
                id=next(take),
                name=draw(texts),
                site_id=site.id,
                position_id=draw(st.none() | st.sampled_from([p.id for p in site.positions])),
                skills=draw(skills),
                languages=draw(languages),
                availability=draw(slots),
                gender=draw(st.none() | st.sampled_from(list(Gender))),
                can_lead=draw(st.booleans()),
                max_mentees=max_m,
                current_mentees=draw(st.integers(0, max_m if max_m is not None else 5)),
                years_experience=draw(st.floats(0, 60, allow_nan=False)),
            )
        )
    peers = []
    for _ in range(draw(st.integers(0, max_people))):
        hours = draw(st.none() | st.floats(0, 168, allow_nan=False))
        peers.append(
            mw.PeerSupporter(
                id=next(take),
                name=draw(texts),
                areas_served=draw(st.frozensets(areas, min_size=1, max_size=3)),
                location=draw(st.none() | locations),
                languages=draw(languages),
                availability=draw(slots),
                gender=draw(st.none() | st.sampled_from(list(Gender))),
                lived_experience=draw(st.frozensets(st.sampled_from(list(LivedExperience)))),
                hours_per_week=hours,
                hours_in_use=draw(st.floats(0, hours if hours is not None else 168, allow_nan=False)),
                started_on=draw(st.none() | dates),
                former_client_of=draw(st.frozensets(st.sampled_from(list(ReferringService)))),
            )
        )
    partner_ids = [s.id for s in sites] + [g.id for g in guides] + [p.id for p in peers]
    care = [next(take) for _ in range(2)]
    candidates = []
    for _ in range(draw(st.integers(1, max_people))):
        candidates.append(
            mw.Candidate(
                id=next(take),
                name=draw(texts),
                area=draw(areas),
                location=draw(locations),
                max_commute_km=draw(st.floats(0.1, 300, allow_nan=False)),
                mobility=draw(st.sampled_from(list(Mobility))),
                skills=draw(skills),
                wished_sectors=draw(st.frozensets(sectors, max_size=2)),
                languages=draw(languages),
                availability=draw(slots),
                accommodations=draw(st.frozensets(st.sampled_from(list(Accommodation)))),
                support_intensity=draw(st.sampled_from(list(SupportIntensity))),
                wants_peer=draw(st.booleans()),
                peer_experience=draw(st.frozensets(st.sampled_from(list(LivedExperience)))),
                preferred_gender=draw(st.none() | st.sampled_from(list(Gender))),
                excluded_ids=draw(st.frozensets(st.sampled_from(partner_ids), max_size=2)),
                most_important=draw(st.none() | st.sampled_from(["skill_fit", "commute", "language"])),
                category=draw(st.none() | st.sampled_from(list(Category))),
                referring_service=draw(st.none() | st.sampled_from(list(ReferringService))),
                care_team=draw(st.frozensets(st.sampled_from(care), max_size=2)),
            )
        )
    used_care = sorted({m for c in candidates for m in c.care_team})
    people = [c.id for c in candidates] + [g.id for g in guides] + [p.id for p in peers] + used_care
    relationships = [
        mw.Relationship(a=a, b=b, kind=draw(st.sampled_from(list(RelationshipKind))))
        for a, b in draw(st.lists(st.tuples(st.sampled_from(people), st.sampled_from(people)), max_size=3))
        if a != b
    ]
    forbids = [
        mw.Forbid(candidate_id=c.id, partner_id=draw(st.sampled_from(partner_ids)))
        for c in candidates
        if draw(st.booleans())
    ]
    return mw.Round(
        candidates=candidates,
        guides=guides,
        peers=peers,
        sites=sites,
        relationships=relationships,
        forbids=forbids,
        name=draw(texts),
        date=draw(dates),
    )


# ---------------------------------------------------------------- rounds that match people
#
# ``rounds`` above is hostile on purpose (any text, any coordinates) and so almost never
# matches anyone. ``matchable_cases`` draws rounds the solver has real work on: people and
# sites in one or two of the five Mantova areas, Italian shared by nearly everyone, shifts
# within the working week, enough openings and lead guides for most candidates, pairings
# in place of every role, role-specific forbids, pins of every role (mostly on allowed
# pairs, sometimes not), and sometimes a policy minimum score or load costs. Plain
# strings stand for the vocabularies, so only matchwork's public API is used.

_WEEK = tuple(f"{day}_{half}" for day in ("mon", "tue", "wed", "thu", "fri") for half in ("am", "pm"))
_WEEKEND = ("sat_am", "sat_pm", "sun_am")
_FOREIGN = ("ar", "ro", "en", "fr", "ur", "sq")
_NEEDS = ("flexible_hours", "part_time", "written_instructions", "frequent_breaks")
_JOB_SKILLS = ("cleaning", "gardening", "warehouse", "packaging", "food_prep", "assembly", "shelf_stocking")
_SECTOR_CODES = ("81.21", "81.30", "52.10", "56.29", "27.90", "47.11")
_HOURS = {"low": 1.0, "medium": 2.0, "high": 3.0}  # the default policy's hours by support intensity
_ROLES_OF_KIND = {"site": (None, "site"), "position": (None, "site"), "guide": (None, "lead_guide", "guide")}
_ROLES_OF_KIND["peer"] = (None, "peer")


def _chance(draw: st.DrawFn, percent: int) -> bool:
    """True ``percent`` times in a hundred (shrinks towards False)."""
    return draw(st.integers(0, 99)) >= 100 - percent


def _usually(draw: st.DrawFn, percent: int) -> bool:
    """True ``percent`` times in a hundred (shrinks towards True, so the simplest round matches)."""
    return not _chance(draw, 100 - percent)


def _down_from(draw: st.DrawFn, most: int) -> int:
    """A count from 1 to ``most`` that shrinks towards ``most`` (Hypothesis favours small draws early)."""
    return most - draw(st.integers(0, most - 1))


REMATCH = mw.Policy.from_toml_text('[continuity]\nkeep = "score"\n')
"""The default policy with every person matched again (pairings in place kept by the continuity bonus
only): the optimiser's own problem, the one the reference models and brute force state."""


@st.composite
def matching_policies(draw: st.DrawFn) -> mw.Policy:
    """The default policy, sometimes with a minimum score, lead load costs or the Lombardy exemptions."""
    policy = REMATCH
    if _chance(draw, 30):
        floor = st.sampled_from([0.0, 10.0, 20.0, 30.0])
        scoring = policy.scoring.model_copy(
            update={"min_score": {"site": draw(floor), "guide": draw(floor), "peer": draw(floor)}}
        )
        policy = policy.model_copy(update={"scoring": scoring})
    if _chance(draw, 20):
        solver = policy.solver.model_copy(update={"lead_load_cost": draw(st.sampled_from([2.0, 7.0]))})
        policy = policy.model_copy(update={"solver": solver})
    if _chance(draw, 20):
        limits = policy.trainee_limits.model_copy(update={"rule_set": "lombardia"})
        policy = policy.model_copy(update={"trainee_limits": limits})
    return policy


@st.composite
def matchable_cases(
    draw: st.DrawFn,
    max_candidates: int = 8,
    max_sites: int = 3,
    max_guides_per_site: int = 5,
    max_peers: int = 3,
    pins: bool = True,
) -> tuple[mw.Round, mw.Policy]:
    """A round whose people can mostly be matched, and the policy to match it under.

    Pins are drawn after scoring the pin-free round: nine in ten on a pair the rules
    allow (a site pin with a lead guide of that site, a squad pin on a guide of a site
    the person may be placed at...), the others on any pair of the right kind, so that
    most pins can be honoured and some cannot.
    """
    policy = draw(matching_policies())
    areas = draw(st.lists(st.sampled_from(sorted(mw.synth.AREAS)), min_size=1, max_size=2, unique=True))
    jitter = st.floats(-0.01, 0.01, allow_nan=False)

    def where(area: str) -> dict[str, Any]:
        town, lat, lon = draw(st.sampled_from(mw.synth.AREAS[area]))
        return {"lat": lat + draw(jitter), "lon": lon + draw(jitter), "municipality": town}

    def slots(min_size: int, max_size: int) -> list[str]:
        week = draw(st.lists(st.sampled_from(_WEEK), min_size=min_size, max_size=max_size, unique=True))
        return week + draw(st.lists(st.sampled_from(_WEEKEND), max_size=1))

    def languages(italian_percent: int) -> list[str]:
        other = draw(st.lists(st.sampled_from(_FOREIGN), max_size=1))
        return ["it", *other] if _usually(draw, italian_percent) or not other else other

    # sites and positions
    sites: list[dict[str, Any]] = []
    for s in range(_down_from(draw, max_sites)):
        area = draw(st.sampled_from(areas))
        positions = [
            {
                "id": f"S{s + 1:02d}-P{k + 1}",
                "title": "mansione",
                "min_skills": {draw(st.sampled_from(_JOB_SKILLS)): 1} if _chance(draw, 15) else {},
                "skills": {skill: draw(st.integers(1, 3)) for skill in draw(st.sets(st.sampled_from(_JOB_SKILLS)))},
                "shifts": slots(2, 6),
                "openings": draw(st.sampled_from([2, 1, 3, 1, 2, 0])),
            }
            for k in range(draw(st.integers(1, 2)))
        ]
        sites.append(
            {
                "id": f"S{s + 1:02d}",
                "name": f"sede {s + 1}",
                "kind": draw(st.sampled_from(["company", "cooperative"])),
                "sector": draw(st.sampled_from(_SECTOR_CODES)),
                "area": area,
                "location": where(area),
                "headcount": draw(st.sampled_from([30, 60, 15, 120, 8, 3])),
                "trainees_present": draw(st.integers(0, 1)),
                "company_tutors": draw(st.integers(1, 3)),
                "accommodations": draw(st.lists(st.sampled_from(_NEEDS), min_size=1, unique=True)),
                "fragile_workers_hosted": draw(st.integers(0, 20)),
                "positions": positions,
            }
        )

    # guide workers, nested in sites (a position's team, or the whole site)
    guides: list[dict[str, Any]] = []
    for site in sites:
        for k in range(draw(st.integers(2, max_guides_per_site))):
            team = draw(st.sampled_from([p["id"] for p in site["positions"]])) if _chance(draw, 25) else None
            availability = slots(3, 8)
            if _usually(draw, 80):  # most work the shifts of a position of theirs (a lead must: lead_off_shifts)
                works = team or draw(st.sampled_from([p["id"] for p in site["positions"]]))
                shifts = next(p["shifts"] for p in site["positions"] if p["id"] == works)
                availability = sorted(set(availability) | set(shifts))
            guides.append(
                {
                    "id": f"G{len(guides) + 1:02d}",
                    "name": f"guida {len(guides) + 1}",
                    "site_id": site["id"],
                    "position_id": team,
                    "languages": languages(95),
                    "availability": availability,
                    "gender": draw(st.none() | st.sampled_from(["f", "m"])),
                    "can_lead": _usually(draw, 90 if k == 0 else 55),
                    "max_mentees": draw(st.none() | st.integers(2, 5)),
                    "current_mentees": draw(st.integers(0, 1)),
                    "years_experience": draw(st.integers(0, 25)),
                }
            )

    peers: list[dict[str, Any]] = [
        {
            "id": f"E{e + 1:02d}",
            "name": f"pari {e + 1}",
            "areas_served": areas if _usually(draw, 80) else [draw(st.sampled_from(areas))],
            "location": where(draw(st.sampled_from(areas))) if _usually(draw, 70) else None,
            "languages": languages(95),
            "availability": slots(2, 8),
            "lived_experience": draw(st.lists(st.sampled_from(["mental_health", "substance_use", "justice"]))),
            "hours_per_week": draw(st.none() | st.sampled_from([4.0, 6.0, 8.0])),
            "hours_in_use": 0.0,
        }
        for e in range(max_peers - draw(st.integers(0, max_peers)))
    ]

    # candidates: at most as many as the guides who may lead, about as many as the openings
    leaders = sum(g["can_lead"] for g in guides)
    openings = sum(p["openings"] for s in sites for p in s["positions"])
    candidates: list[dict[str, Any]] = []
    for i in range(_down_from(draw, max(1, min(max_candidates, leaders, openings + 1)))):
        area = draw(st.sampled_from(areas))
        candidates.append(
            {
                "id": f"C{i + 1:02d}",
                "name": f"persona {i + 1}",
                "area": area,
                "location": where(area),
                "max_commute_km": draw(st.sampled_from([40.0, 60.0, 25.0, 80.0, 15.0])),
                "skills": {skill: draw(st.integers(1, 3)) for skill in draw(st.sets(st.sampled_from(_JOB_SKILLS)))},
                "wished_sectors": draw(st.lists(st.sampled_from(_SECTOR_CODES), max_size=2, unique=True)),
                "languages": languages(92),
                "availability": slots(4, 10),
                "accommodations": [draw(st.sampled_from(_NEEDS))] if _chance(draw, 20) else [],
                "support_intensity": draw(st.sampled_from(sorted(_HOURS))),
                "wants_peer": _chance(draw, 50),
                "preferred_gender": draw(st.sampled_from(["f"])) if _chance(draw, 10) else None,
                "category": draw(st.sampled_from(["psychiatric_treatment", "drug_addiction"]))
                if _chance(draw, 50)
                else None,
                "care_team": ["OP01"] if _chance(draw, 20) else [],
            }
        )

    # pairings in place, of every role; the loads they stand for are carried by the partners
    guide_of = {g["id"]: g for g in guides}
    site_of_position = {p["id"]: s for s in sites for p in s["positions"]}
    pairings: list[dict[str, Any]] = []
    for c in candidates:
        if _chance(draw, 30):
            position = draw(st.sampled_from(sorted(site_of_position)))
            site = site_of_position[position]
            site["trainees_present"] += 1
            pairings.append({"candidate_id": c["id"], "partner_id": position, "role": "site"})
            here = sorted(g["id"] for g in guides if g["site_id"] == site["id"])
            leads = [g for g in here if guide_of[g]["can_lead"]]
            lead = draw(st.sampled_from(leads)) if leads and _chance(draw, 70) else None
            if lead is not None:
                pairings.append({"candidate_id": c["id"], "partner_id": lead, "role": "lead_guide"})
            squad = draw(st.lists(st.sampled_from(here), max_size=2, unique=True)) if _chance(draw, 60) else []
            pairings += [{"candidate_id": c["id"], "partner_id": g, "role": "guide"} for g in squad if g != lead]
        if peers and c["wants_peer"] and _chance(draw, 25):
            peer = draw(st.sampled_from(peers))
            peer["hours_in_use"] += _HOURS[c["support_intensity"]]
            pairings.append({"candidate_id": c["id"], "partner_id": peer["id"], "role": "peer"})
    for p in pairings:
        if p["role"] in ("lead_guide", "guide"):
            guide_of[p["partner_id"]]["current_mentees"] += 1
    for g in guides:
        if g["max_mentees"] is not None:
            g["max_mentees"] = max(g["max_mentees"], g["current_mentees"])
    for e in peers:
        e["hours_in_use"] += draw(st.sampled_from([0.0, 0.0, 1.0]))
        if e["hours_per_week"] is not None:
            e["hours_per_week"] = max(e["hours_per_week"], e["hours_in_use"])

    # forbids of every role, relationships, the candidates' own exclusions
    kinds = {s["id"]: "site" for s in sites} | {p: "position" for p in site_of_position}
    kinds |= {g["id"]: "guide" for g in guides} | {e["id"]: "peer" for e in peers}
    partners = sorted(kinds)
    forbids = []
    for c in candidates:
        if _chance(draw, 30):
            kind = draw(
                st.sampled_from(["guide", "position", "site", "peer"] if peers else ["guide", "position", "site"])
            )
            partner = draw(st.sampled_from([p for p in partners if kinds[p] == kind]))
            role = draw(st.sampled_from(_ROLES_OF_KIND[kind]))
            forbids.append({"candidate_id": c["id"], "partner_id": partner, "role": role})
    for c in candidates:
        if _chance(draw, 10):
            c["excluded_ids"] = [draw(st.sampled_from(partners))]
    people = [c["id"] for c in candidates] + [g["id"] for g in guides] + [e["id"] for e in peers]
    people += sorted({m for c in candidates for m in c["care_team"]})
    relationships = [
        {"a": a, "b": b, "kind": draw(st.sampled_from(["therapeutic", "family", "conflict", "failed_pairing"]))}
        for a, b in draw(st.lists(st.tuples(st.sampled_from(people), st.sampled_from(people)), max_size=2))
        if a != b
    ]
    rnd = mw.Round(
        candidates=candidates,
        guides=guides,
        peers=peers,
        sites=sites,
        relationships=relationships,
        pairings=pairings,
        forbids=forbids,
        name="generated",
        date=dt.date(2026, 2, 2),
    )
    if pins:
        rnd = rnd.replace(pins=draw(_pins_for(rnd, policy, kinds)))
    return rnd, policy


def matchable_rounds(**kwargs: Any) -> st.SearchStrategy[mw.Round]:
    """The rounds of :func:`matchable_cases`, without their policies."""
    return matchable_cases(**kwargs).map(lambda case: case[0])


@st.composite
def _pins_for(draw: st.DrawFn, rnd: mw.Round, policy: mw.Policy, kinds: dict[str, str]) -> list[dict[str, Any]]:
    """Pins of every role, within the openings the round checks.

    Nine in ten pinned candidates are pinned on one placement the rules allow (its site
    or position, its lead guide, a guide of its site who may join the squad) or on an
    allowed peer supporter; the others on any partner of the right kind. Each pin can
    then be honoured on its own; pins together, or with capacities, sometimes cannot.
    """
    scores = mw.score(rnd, policy, dense=True)
    free = joint_problem(scores, require_full=False)  # the pin-free round's placements and squad members
    options, squad = free.options, free.squad_options
    a = scores.arrays
    position_ids, guide_ids, peer_ids, site_ids = (list(x.ids) for x in (a.positions, a.guides, a.peers, a.sites))
    site_of_pos = a.positions.site
    peer_ok = scores.peer.feasible("peer")
    room = dict(zip(position_ids, scores.capacities.position_open.tolist(), strict=True))
    site_room = {s: 0 for s in site_ids}
    for p, s in zip(position_ids, site_of_pos, strict=True):
        site_room[site_ids[s]] += room[p]
    lead_room = scores.capacities.guide_lead.copy()  # two honest lead pins on one guide would not fit
    off_limits = {(f.candidate_id, f.partner_id) for f in rnd.forbids}
    off_limits |= {(c.id, x) for c in rnd.candidates for x in c.excluded_ids}
    out: list[dict[str, Any]] = []
    for ci, cand in enumerate(a.candidates.ids):
        if not _usually(draw, 45):
            continue
        kind = draw(st.sampled_from(["site", "position", "lead", "site+lead", "squad", "site+squad", "peer"]))
        site_role, lead_role = draw(st.sampled_from([None, "site"])), draw(st.sampled_from([None, "lead_guide"]))
        chosen: list[tuple[str, str | None]] = []
        mine = options[options["cand"] == ci]
        if not _usually(draw, 90):  # any partner of the right kind
            pool = {"site": site_ids, "position": position_ids, "lead": guide_ids, "squad": guide_ids}
            pool |= {"site+lead": guide_ids, "site+squad": guide_ids, "peer": peer_ids}
            if pool[kind]:
                partner = draw(st.sampled_from(pool[kind]))
                role = {"squad": "guide", "site+squad": "guide", "peer": None}.get(kind)
                chosen.append((partner, role))
        elif kind == "peer":
            allowed = scores.peer.cols[(scores.peer.rows == ci) & peer_ok]
            if len(allowed):
                chosen.append(
                    (peer_ids[draw(st.sampled_from(sorted(allowed.tolist())))], draw(st.sampled_from([None, "peer"])))
                )
        elif len(mine):
            picked = mine.iloc[draw(st.integers(0, len(mine) - 1))]
            pos, site, lead = int(picked["pos"]), int(picked["site"]), int(picked["lead"])
            if kind in ("lead", "site+lead") and lead >= 0:  # -1: a host company's option, no lead guide
                chosen.append((guide_ids[lead], lead_role))
            if kind in ("squad", "site+squad"):
                mine_at = (squad["cand"] == ci) & (squad["pos"] == pos)  # squad options are per position
                members = squad["guide"][mine_at & (squad["guide"] != lead)]
                if len(members):
                    chosen.append((guide_ids[draw(st.sampled_from(sorted(members.tolist())))], "guide"))
            if kind in ("site", "site+lead", "site+squad"):
                chosen.append((site_ids[site], site_role))
            if kind == "position":
                chosen.append((position_ids[pos], site_role))
        for partner, role in chosen:
            if (cand, partner) in off_limits:
                continue
            if kinds[partner] == "position":
                site = site_ids[site_of_pos[position_ids.index(partner)]]
                if room[partner] <= 0 or site_room[site] <= 0:
                    continue
                room[partner] -= 1
                site_room[site] -= 1
            elif kinds[partner] == "site":
                if site_room[partner] <= 0:
                    continue
                site_room[partner] -= 1
            elif kinds[partner] == "guide" and role != "guide":
                g = guide_ids.index(partner)
                if lead_room[g] <= 0:
                    continue
                lead_room[g] -= 1
            out.append({"candidate_id": str(cand), "partner_id": partner, "role": role})
    return out
