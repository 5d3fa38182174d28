"""Capacities: how much each partner can still take in this round, under the policy's caps.

Loads carried from earlier rounds come from the profiles (a guide's
``current_mentees``, a peer's ``hours_in_use``, a site's ``trainees_present``).
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
"""

from __future__ import annotations

import dataclasses

import numpy as np

from matchwork.model.existing import Existing
from matchwork.model.policy import Policy
from matchwork.scoring.arrays import CATEGORIES, INTENSITIES, ProfileArrays

__all__ = ["Capacities"]


@dataclasses.dataclass(frozen=True)
class Capacities:
    """Remaining capacity of every partner, and what each candidate needs.

    Attributes
    ----------
    position_open : int array (positions)
        Openings, plus those of this round's candidates already placed there.
    site_legal, site_tutor : int array (sites)
        Trainees a site may still take under the legal limit (non-exempt
        candidates only) and under its company tutors' limit.
    site_legal_limit, site_tutor_limit : int array (sites)
        The limits themselves.
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
    """

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

    @classmethod
    def compute(cls, arrays: ProfileArrays, policy: Policy) -> Capacities:
        """Capacities of a round's partners under ``policy``."""
        rnd = arrays.round
        caps = policy.caps
        rule_set = policy.trainee_rule_set()
        cand, pos, sites, guides, peers = (
            arrays.candidates,
            arrays.positions,
            arrays.sites,
            arrays.guides,
            arrays.peers,
        )

        hours_by = np.array([caps.hours_by_intensity[i] for i in INTENSITIES], dtype=np.float64)
        hours_needed = hours_by[cand.intensity.astype(np.int64)] if len(cand) else np.zeros(0)
        exempt_codes = np.array([c in rule_set.exempt_categories for c in CATEGORIES] + [False])
        exempt = exempt_codes[cand.category.astype(np.int64)]  # -1 (no category) reads the trailing False

        released_pos = np.zeros(len(pos), dtype=np.int64)
        released_site = np.zeros(len(sites), dtype=np.int64)
        released_guide = np.zeros(len(guides), dtype=np.int64)
        released_hours = np.zeros(len(peers), dtype=np.float64)
        ex = Existing.of(rnd)
        for partner in ex.site_partner.values():  # a whole site releases a trainee, not a position's opening
            if partner in pos.index:
                released_pos[pos.index[partner]] += 1
                released_site[pos.site[pos.index[partner]]] += 1
            else:
                released_site[sites.index[partner]] += 1
        for guide in [*ex.lead.values(), *(g for gs in ex.squad.values() for g in gs)]:
            released_guide[guides.index[guide]] += 1
        for cid, peer in ex.peer.items():
            released_hours[peers.index[peer]] += hours_needed[cand.index[cid]]

        present = sites.trainees_present - released_site
        legal_limit = np.array([rule_set.limit(int(h)) for h in sites.headcount], dtype=np.int64)
        tutor_limit = sites.tutors * policy.trainee_limits.tutor_limit

        guide_limit = np.where(guides.max_mentees >= 0, guides.max_mentees, caps.guide_max_mentees)
        guide_total = np.maximum(guide_limit - (guides.current - released_guide), 0)
        guide_lead = np.where(guides.can_lead, np.minimum(caps.lead_newcomers, guide_total), 0)

        new = (peers.days_active >= 0) & (peers.days_active < caps.peer_new_months * 30.44)
        stated = np.where(np.isnan(peers.hours_stated), np.inf, peers.hours_stated)
        peer_limit = np.minimum(stated, caps.peer_hours_per_week) * np.where(new, caps.peer_new_fraction, 1.0)
        peer_hours = np.clip(peer_limit - np.maximum(peers.hours_in_use - released_hours, 0.0), 0.0, None)

        return cls(
            position_open=pos.openings + released_pos,
            site_legal=np.maximum(legal_limit - present, 0),
            site_tutor=np.maximum(tutor_limit - present, 0),
            site_legal_limit=legal_limit,
            site_tutor_limit=tutor_limit,
            guide_total=guide_total,
            guide_limit=guide_limit,
            guide_lead=guide_lead,
            peer_hours=peer_hours,
            peer_limit=peer_limit,
            peer_new=new,
            hours_needed=hours_needed,
            exempt=exempt,
        )
