"""Capacities: how much each partner can still take in this round, under the policy's caps and the law.

Loads carried from earlier rounds come from the profiles (a guide's
``current_mentees``, a peer's ``hours_in_use`` and ``current_people``, a site's
``trainees_present``, a tutor's ``current_trainees``, an operator's ``caseload``).
A pairing in place for a candidate of this round is part of that load and is
*released* for the round: the candidate is matched again, and keeping the
pairing gives the load back.

Examples
--------
>>> from matchwork import Policy, synth
>>> from matchwork.scoring.arrays import ProfileArrays
>>> rnd = synth.round(60, seed=2)
>>> cap = Capacities.compute(ProfileArrays(rnd), Policy.default())
>>> bool((cap.guide_lead <= 1).all()), bool((cap.site_legal >= 0).all())
(True, True)
>>> cap.rule_set, int(cap.operator_limit.max()), int(cap.peer_people_limit.max())
('lombardia', 20, 4)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from matchwork.model.existing import Existing
from matchwork.model.policy import Policy
from matchwork.scoring.arrays import CATEGORIES, INTENSITIES, Columns, ProfileArrays

__all__ = ["Capacities", "site_limits"]


@dataclasses.dataclass(frozen=True)
class Capacities:
    """Remaining capacity of every partner, and what each candidate needs.

    Attributes
    ----------
    rule_set : str
        The name of the legal rule set applied (the policy's, or the round's region's).
    position_open : int array (positions)
        Openings, plus those of this round's candidates already placed there.
    site_legal, site_tutor : int array (sites)
        Trainees a site may still take under the legal limit (non-exempt
        candidates only) and under its company tutors' limit.
    site_legal_limit, site_tutor_limit : int array (sites)
        The limits themselves (the legal one with its hiring bonus).
    site_present : int array (sites)
        Trainees each site hosts now, net of this round's candidates placed there
        (who are matched again).
    site_counted : int array (sites)
        Of those, the ones the legal limit counts (not exempt under the rule set).
    site_headcount, site_bonus : int array (sites)
        The employees the rule set counts, and the extra trainees of the hiring bonus.
    tutor_room, tutor_limit : int array (tutors)
        Trainees each company tutor may still follow, and their limit (the legal
        one, or their own lower figure).
    operator_room, operator_limit : int array (operators)
        People each job-desk operator may still take on, and their caseload cap.
    peer_people, peer_people_limit : int array (peers)
        People a peer supporter may still follow, and their cap (lower while new).
    guide_total, guide_limit : int array (guides)
        Newcomers a guide worker may still follow (lead or squad), and their limit.
    guide_lead : int array (guides)
        Newcomers a guide may still lead this round (0 if they may not lead).
    peer_hours, peer_limit : float array (peers)
        Weekly hours a peer supporter may still give, and their cap (lower while new).
    peer_new : bool array (peers)
        Whether each peer supporter is still new.
    hours_needed : float array (candidates)
        Weekly peer-supporter hours each candidate needs.
    exempt : bool array (candidates)
        Candidates whose category the rule set exempts from the legal limit.
    max_months, extendable_to : int arrays (candidates)
        The longest traineeship for each candidate's category under the rule set,
        and how far it may be extended (0: not extendable). Information for the
        outputs (derived from the category: sensitive).
    """

    rule_set: str
    position_open: np.ndarray
    site_legal: np.ndarray
    site_tutor: np.ndarray
    site_legal_limit: np.ndarray
    site_tutor_limit: np.ndarray
    guide_total: np.ndarray
    guide_limit: np.ndarray
    guide_lead: np.ndarray
    peer_hours: np.ndarray
    peer_limit: np.ndarray
    peer_new: np.ndarray
    hours_needed: np.ndarray
    exempt: np.ndarray
    site_present: np.ndarray
    site_counted: np.ndarray
    site_headcount: np.ndarray
    site_bonus: np.ndarray
    tutor_room: np.ndarray
    tutor_limit: np.ndarray
    operator_room: np.ndarray
    operator_limit: np.ndarray
    peer_people: np.ndarray
    peer_people_limit: np.ndarray
    max_months: np.ndarray
    extendable_to: np.ndarray

    @classmethod
    def compute(cls, arrays: ProfileArrays, policy: Policy) -> Capacities:
        """Capacities of a round's partners under ``policy``."""
        rnd = arrays.round
        caps = policy.caps
        rule_set_name = policy.trainee_limits.name_for(rnd.region)
        rule_set = policy.trainee_limits.rule_sets[rule_set_name]
        cand, pos, sites, guides, peers = (
            arrays.candidates,
            arrays.positions,
            arrays.sites,
            arrays.guides,
            arrays.peers,
        )
        tutors, operators = arrays.tutors, arrays.operators

        hours_by = np.array([caps.hours_by_intensity[i] for i in INTENSITIES], dtype=np.float64)
        hours_needed = hours_by[cand.intensity.astype(np.int64)] if len(cand) else np.zeros(0)
        exempt_codes = np.array([c in rule_set.exempt_categories for c in CATEGORIES] + [False])
        exempt = exempt_codes[cand.category.astype(np.int64)]  # -1 (no category) reads the trailing False
        durations = [rule_set.duration(c) for c in (*CATEGORIES, None)]
        max_months = np.array([d.max_months for d in durations], dtype=np.int64)[cand.category.astype(np.int64)]
        extendable = np.array([d.extendable_to or 0 for d in durations], dtype=np.int64)[cand.category.astype(np.int64)]

        released_pos = np.zeros(len(pos), dtype=np.int64)
        released_site = np.zeros(len(sites), dtype=np.int64)
        released_exempt = np.zeros(len(sites), dtype=np.int64)
        released_guide = np.zeros(len(guides), dtype=np.int64)
        released_hours = np.zeros(len(peers), dtype=np.float64)
        released_people = np.zeros(len(peers), dtype=np.int64)
        ex = Existing.of(rnd)
        for cid, partner in ex.site_partner.items():  # a whole site releases a trainee, not a position's opening
            if partner in pos.index:
                released_pos[pos.index[partner]] += 1
                site = pos.site[pos.index[partner]]
            else:
                site = sites.index[partner]
            released_site[site] += 1
            released_exempt[site] += 1 if exempt[cand.index[cid]] else 0
        for guide in [*ex.lead.values(), *(g for gs in ex.squad.values() for g in gs)]:
            released_guide[guides.index[guide]] += 1
        released_lead = np.bincount([guides.index[g] for g in ex.lead.values()], minlength=len(guides))
        for cid, peer in ex.peer.items():
            released_hours[peers.index[peer]] += hours_needed[cand.index[cid]]
            released_people[peers.index[peer]] += 1
        released_tutor = np.bincount([tutors.index[t] for t in ex.tutor.values()], minlength=len(tutors))
        released_operator = np.bincount([operators.index[o] for o in ex.operator.values()], minlength=len(operators))

        headcount, permanent = _headcount(sites, rule_set.counts)
        share = np.where(sites.trainees_24m > 0, 100.0 * sites.hired_24m / np.maximum(sites.trainees_24m, 1), np.nan)
        share = np.where(sites.hired_24m >= 0, share, np.nan)
        bonus = np.array(
            [rule_set.bonus(None if np.isnan(x) else float(x), int(p)) for x, p in zip(share, permanent, strict=True)],
            dtype=np.int64,
        )
        legal_limit = np.array([rule_set.limit(int(h)) for h in headcount], dtype=np.int64) + bonus
        present = sites.trainees_present - released_site
        # the trainees the legal limit counts, this round's candidates in place aside: those others present,
        # less the exempt among them — the exempt present less this round's exempt candidates in place, whom
        # the office may or may not have counted in exempt_trainees_present (either way they are not counted)
        others_exempt = np.maximum(sites.exempt_present - released_exempt, 0) if rule_set.exempt_categories else 0
        counted = np.maximum(sites.trainees_present - released_site - others_exempt, 0)

        law_tutor = policy.trainee_limits.tutor_limit
        stated_tutor = np.where(tutors.max_trainees >= 0, tutors.max_trainees, law_tutor)
        tutor_limit = np.minimum(stated_tutor, law_tutor)
        tutor_room = np.maximum(tutor_limit - np.maximum(tutors.current - released_tutor, 0), 0)
        listed_limit = np.bincount(tutors.site, weights=tutor_limit, minlength=len(sites)).astype(np.int64)
        listed_room = np.bincount(tutors.site, weights=tutor_room, minlength=len(sites)).astype(np.int64)
        count_limit = sites.tutors * law_tutor
        site_tutor_limit = np.where(sites.tutors_listed, listed_limit, count_limit)
        site_tutor = np.where(sites.tutors_listed, listed_room, np.maximum(count_limit - present, 0))

        stated_caseload = np.where(operators.max_caseload >= 0, operators.max_caseload, caps.operator_caseload)
        operator_limit = np.minimum(stated_caseload, caps.operator_caseload)
        operator_room = np.maximum(operator_limit - np.maximum(operators.current - released_operator, 0), 0)

        guide_limit = np.where(guides.max_mentees >= 0, guides.max_mentees, caps.guide_max_mentees)
        guide_total = np.maximum(guide_limit - (guides.current - released_guide), 0)
        # newcomers led now, inside the lead period: as stated (pairings in place of this round's candidates
        # included, and released), or — not stated — those pairings, all released here
        leading = np.maximum(np.where(guides.leads_stated >= 0, guides.leads_stated - released_lead, 0), 0)
        lead_room = np.maximum(caps.lead_newcomers - leading, 0)
        guide_lead = np.where(guides.can_lead, np.minimum(lead_room, guide_total), 0)

        # no start date: new (the safe default; the round warns about it)
        new = peers.days_active < caps.peer_new_months * 30.44
        stated = np.where(np.isnan(peers.hours_stated), np.inf, peers.hours_stated)
        peer_limit = np.minimum(stated, caps.peer_hours_per_week) * np.where(new, caps.peer_new_fraction, 1.0)
        peer_hours = np.clip(peer_limit - np.maximum(peers.hours_in_use - released_hours, 0.0), 0.0, None)
        people_limit = np.where(new, caps.peer_new_max_people, caps.peer_max_people).astype(np.int64)
        # people carried: as stated, or (when not stated) those of the pairings in place, all released here
        carried = np.where(peers.people_stated >= 0, peers.people_stated - released_people, 0)
        peer_people = np.maximum(people_limit - np.maximum(carried, 0), 0)

        return cls(
            rule_set=rule_set_name,
            position_open=pos.openings + released_pos,
            site_legal=np.maximum(legal_limit - counted, 0),
            site_tutor=site_tutor,
            site_legal_limit=legal_limit,
            site_tutor_limit=site_tutor_limit,
            guide_total=guide_total,
            guide_limit=guide_limit,
            guide_lead=guide_lead,
            peer_hours=peer_hours,
            peer_limit=peer_limit,
            peer_new=new,
            hours_needed=hours_needed,
            exempt=exempt,
            site_present=np.maximum(present, 0),
            site_counted=counted,
            site_headcount=headcount,
            site_bonus=bonus,
            tutor_room=tutor_room,
            tutor_limit=tutor_limit,
            operator_room=operator_room,
            operator_limit=operator_limit,
            peer_people=peer_people,
            peer_people_limit=people_limit,
            max_months=max_months,
            extendable_to=extendable,
        )


def site_limits(cap: Capacities, arrays: ProfileArrays) -> pd.DataFrame:
    """Each site's legal trainee limit and how it was reached, for outputs that show why a site is full.

    Columns: ``site_id``, ``rule_set``, ``headcount`` (the employees the rule set
    counts), ``bonus`` (extra trainees for hiring earlier ones), ``legal_limit``,
    ``legal_room`` (non-exempt trainees it may still take), ``tutor_limit``,
    ``tutor_room``, ``present`` (trainees hosted now, net of this round's candidates).

    >>> from matchwork import Policy, synth
    >>> from matchwork.scoring.arrays import ProfileArrays
    >>> arrays = ProfileArrays(synth.round(60, seed=2))
    >>> t = site_limits(Capacities.compute(arrays, Policy.default()), arrays)
    >>> bool((t.legal_limit >= 1).all()), t.rule_set.unique().tolist()
    (True, ['lombardia'])
    """
    return pd.DataFrame(
        {
            "site_id": arrays.sites.ids,
            "rule_set": cap.rule_set,
            "headcount": cap.site_headcount,
            "bonus": cap.site_bonus,
            "legal_limit": cap.site_legal_limit,
            "legal_room": cap.site_legal,
            "tutor_limit": cap.site_tutor_limit,
            "tutor_room": cap.site_tutor,
            "present": cap.site_present,
        }
    )


_PART_COLUMNS = {
    "permanent": "permanent",
    "fixed_term_covering": "fixed_term_covering",
    "owners": "owners",
    "worker_members": "worker_members",
}


def _headcount(sites: Columns, counts: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
    """The employees a rule set counts at each site, and its permanent employees.

    A site that gives its staff by parts is counted from the parts the rule set
    names; a site that gives ``headcount`` alone is taken as already counted.
    """
    by_parts = sites.permanent >= 0
    counted = np.zeros(len(sites), dtype=np.int64)
    for part in counts:
        counted += np.maximum(getattr(sites, _PART_COLUMNS[part]), 0)
    headcount = np.where(by_parts, counted, np.maximum(sites.headcount, 0))
    permanent = np.where(by_parts, sites.permanent, np.maximum(sites.headcount, 0))
    return headcount, permanent
