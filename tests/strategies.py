"""Hypothesis strategies: valid profiles and whole rounds whose references resolve."""

from __future__ import annotations

import datetime as dt
import string

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
    lat=st.floats(35.5, 47.1, allow_nan=False),
    lon=st.floats(6.6, 18.5, allow_nan=False),
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
