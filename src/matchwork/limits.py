"""Every limit of a matched round, how full it is, and which full ones stand in an option's way.

A candidate's option (a position, with a lead guide of its site and, by default,
a full squad of the site's other guide workers) can be out of reach because of a
rule, or because a limit is full: the position's openings, the site's legal
trainee limit (non-exempt candidates only), its company tutors' limit, the lead
guides who could take the candidate (each at their lead limit or their total of
newcomers), or the guide workers who could form their squad (each at their total).
:class:`Limits` holds each limit's load and capacity after the match — the ``loads``
table of the result is built from it — and names, for any set of options, the full
ones that block them. So a limit is named in a reason only if
the loads table shows it full.

Examples
--------
>>> import matchwork as mw
>>> result = mw.match(mw.synth.round(150, seed=23))
>>> limits = result.limits
>>> sorted(set(limits.table.role))
['guide', 'lead_guide', 'operator', 'peer', 'peer_people', 'position', 'site', 'site_legal', 'site_tutors', 'tutor']
>>> full = limits.table.query("load >= capacity")
>>> ("position", full.query("role == 'position'").partner_id.iloc[0]) in limits.full
True
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matchwork.scoring.arrays import join

if TYPE_CHECKING:
    from matchwork.scoring.scorer import Scorer, Scores

__all__ = ["LIMIT_ROLES", "Blocks", "Limits"]

LIMIT_ROLES: tuple[str, ...] = (
    "site", "position", "site_legal", "site_tutors", "lead_guide", "guide", "tutor", "operator", "peer"
)  # fmt: skip
"""The roles of the loads table: ``site`` is a site's binding limit; ``position``, ``site_legal`` and
``site_tutors`` are each of its limits; ``lead_guide`` and ``guide`` a guide worker's lead and total
newcomers; ``tutor`` a company tutor's trainees; ``operator`` a desk operator's caseload; ``peer`` a peer
supporter's weekly hours."""


def site_needs(scores: Scores | Scorer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site, whom a placement there needs: a lead guide (and squad), a company tutor by name, a desk operator.

    A lead guide iff the site lists guide workers and its kind is in ``team.guides_at``;
    a tutor iff it lists company tutors and its kind is in ``team.tutor_at``; the
    desk operator of the person's area iff the round lists operators and the site's
    kind is in ``team.operator_at``.
    """
    from matchwork.scoring.arrays import SITE_KINDS

    a, team = scores.arrays, scores.policy.team
    kind = a.sites.kind.astype(np.int64)
    guides_at = np.array([k in team.guides_at for k in SITE_KINDS], dtype=bool)[kind]
    tutor_at = np.array([k in team.tutor_at for k in SITE_KINDS], dtype=bool)[kind]
    operator_at = np.array([k in team.operator_at for k in SITE_KINDS], dtype=bool)[kind]
    lead = (np.bincount(a.guides.site, minlength=len(a.sites)) > 0) & guides_at
    tutor = a.sites.tutors_listed & tutor_at
    operator = operator_at & (len(a.operators) > 0)
    return lead, tutor, operator


@dataclasses.dataclass(frozen=True)
class Blocks:
    """What stands in the way of each option ``(cand[i], pos[i])``, all boolean arrays over the options.

    ``position``, ``site_legal``, ``site_tutors``: that limit is full (the legal one only
    for a candidate it counts); ``no_lead``: no guide of the site may lead the candidate
    (a rule); ``leads_full``: some may, but each is at their lead limit or total;
    ``no_squad``: with full squads required, the site has too few other guide workers
    the rules allow with the candidate (whatever the loads); ``squad_full``: it has
    enough, but too few of them have room beside a lead who has room (``full_members``:
    those who are full); ``tutors_full``: the site needs a company tutor and every tutor
    of the site the rules allow with the candidate is at their limit (``full_tutors``);
    ``operators_full``: the site needs a desk operator and every operator the rules
    allow with the candidate has a full caseload (``full_operators``); ``free``:
    nothing is full — the option was open, and the round was better without it.
    """

    position: np.ndarray
    site_legal: np.ndarray
    site_tutors: np.ndarray
    no_lead: np.ndarray
    leads_full: np.ndarray
    full_leads: list[np.ndarray]
    no_squad: np.ndarray
    squad_full: np.ndarray
    full_members: list[np.ndarray]
    tutors_full: np.ndarray
    full_tutors: list[np.ndarray]
    operators_full: np.ndarray
    full_operators: list[np.ndarray]

    @property
    def limited(self) -> np.ndarray:
        """Options blocked by at least one full limit."""
        return (
            self.position
            | self.site_legal
            | self.site_tutors
            | self.leads_full
            | self.squad_full
            | self.tutors_full
            | self.operators_full
        )

    @property
    def free(self) -> np.ndarray:
        """Options a rule allows and no limit blocks."""
        return ~self.limited & ~self.no_lead & ~self.no_squad


class Limits:
    """Load and capacity of every limit after a match (see the module docstring).

    Parameters
    ----------
    scores : Scores
    position, lead, peer : int arrays (candidates)
        Each candidate's position, lead guide and peer supporter index, -1 for none.
    squad_members : int array
        The guide index of every squad member of every candidate.
    """

    def __init__(
        self,
        scores: Scores,
        position: np.ndarray,
        lead: np.ndarray,
        squad_members: np.ndarray,
        peer: np.ndarray,
        tutor: np.ndarray | None = None,
        operator: np.ndarray | None = None,
    ):
        a, cap = scores.arrays, scores.capacities
        self.scores = scores
        n_s, n_p, n_g = len(a.sites), len(a.positions), len(a.guides)
        matched = position >= 0
        placed_site = a.positions.site[position[matched]]
        new_site = np.bincount(placed_site, minlength=n_s)
        exempt_new = np.bincount(placed_site[cap.exempt[matched]], minlength=n_s)
        present = cap.site_present  # trainees carried, net of this round's candidates
        self.position_load = np.bincount(position[matched], minlength=n_p)
        # the legal limit counts the non-exempt trainees only, those present as those placed now
        self.legal_load = cap.site_counted + new_site - exempt_new
        # the tutors' load: what they carry (the listed tutors', or the trainees present) and the new trainees
        self.site_tutor_load = (cap.site_tutor_limit - cap.site_tutor) + new_site
        leads = np.bincount(lead[lead >= 0], minlength=n_g)
        tutor = np.full(len(position), -1) if tutor is None else tutor
        operator = np.full(len(position), -1) if operator is None else operator
        # a tutor's and an operator's load: what they carry and the people given them now
        self.tutor_load = (cap.tutor_limit - cap.tutor_room) + np.bincount(tutor[tutor >= 0], minlength=len(a.tutors))
        self.operator_load = (cap.operator_limit - cap.operator_room) + np.bincount(
            operator[operator >= 0], minlength=len(a.operators)
        )
        self.lead_load = leads
        self.guide_load = (cap.guide_limit - cap.guide_total) + leads + np.bincount(squad_members, minlength=n_g)
        given = peer >= 0
        self.peer_load = (cap.peer_limit - cap.peer_hours) + np.bincount(
            peer[given], weights=cap.hours_needed[given], minlength=len(a.peers)
        )
        # the people a supporter follows: those carried and those given now (issue 18 §3's cap)
        self.peer_people_load = (cap.peer_people_limit - cap.peer_people) + np.bincount(
            peer[given], minlength=len(a.peers)
        )
        openings = np.bincount(a.positions.site, weights=cap.position_open, minlength=n_s)
        # what is left under each limit when the round began; the legal one binds the non-exempt placed now
        room = np.minimum(np.minimum(cap.site_tutor, cap.site_legal + exempt_new), openings)
        self.site_capacity = present + room
        self.site_load = present + new_site

    # ------------------------------------------------------------ the loads table

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """``partner_id, role, load, capacity`` of every limit (the result's ``loads``)."""
        a, cap = self.scores.arrays, self.scores.capacities
        parts = [
            (a.sites.ids, "site", self.site_load, self.site_capacity),
            (a.positions.ids, "position", self.position_load, cap.position_open),
            (a.sites.ids, "site_legal", self.legal_load, cap.site_legal_limit),
            (a.sites.ids, "site_tutors", self.site_tutor_load, cap.site_tutor_limit),
            (a.guides.ids, "lead_guide", self.lead_load, cap.guide_lead),
            (a.guides.ids, "guide", self.guide_load, cap.guide_limit),
            (a.tutors.ids, "tutor", self.tutor_load, cap.tutor_limit),
            (a.operators.ids, "operator", self.operator_load, cap.operator_limit),
            (a.peers.ids, "peer", self.peer_load, cap.peer_limit),
            (a.peers.ids, "peer_people", self.peer_people_load, cap.peer_people_limit),
        ]
        out = pd.concat(
            [pd.DataFrame({"partner_id": ids, "role": role, "load": load, "capacity": capacity})
             for ids, role, load, capacity in parts],
            ignore_index=True,
        )  # fmt: skip
        out["partner_id"] = out["partner_id"].astype(str)
        out["load"] = out["load"].astype(float)
        out["capacity"] = out["capacity"].astype(float)
        return out

    @property
    def full(self) -> set[tuple[str, str]]:
        """``(role, partner_id)`` of every limit at capacity."""
        t = self.table
        at = t[t["load"] >= t["capacity"] - 1e-9]
        return set(zip(at["role"], at["partner_id"], strict=True))

    # ------------------------------------------------------------ options

    def lead_has_room(self) -> np.ndarray:
        """Whether each guide could lead one more newcomer (under both their lead limit and their total)."""
        cap = self.scores.capacities
        return (self.lead_load < cap.guide_lead) & (self.guide_load < cap.guide_limit)

    def peer_room(self) -> np.ndarray:
        """Weekly hours each peer supporter has left."""
        return self.scores.capacities.peer_limit - self.peer_load

    def blocks(self, cand: np.ndarray, pos: np.ndarray) -> Blocks:
        """What stands in the way of each option ``(cand[i], pos[i])`` (allowed by the site rules)."""
        a, cap, guide = self.scores.arrays, self.scores.capacities, self.scores.guide
        site = a.positions.site[pos].astype(np.int64)
        position = self.position_load[pos] >= cap.position_open[pos]
        site_legal = (self.legal_load[site] >= cap.site_legal_limit[site]) & ~cap.exempt[cand]
        site_tutors = self.site_tutor_load[site] >= cap.site_tutor_limit[site]
        # the lead guides who may lead each option, as the engine reads them (issue 18 §1): a guide of the
        # position's team who may lead there (guide x position table), allowed to lead the candidate, the two
        # tables' scores summed at least the policy's minimum guide score
        rows = _rows_of(guide.rows, np.unique(cand))
        ok = rows[guide.feasible("lead_guide", rows) & a.guides.can_lead[guide.cols[rows]]]
        n_g = len(a.guides)
        pair_key = guide.rows[ok].astype(np.int64) * n_g + guide.cols[ok].astype(np.int64)
        order = np.argsort(pair_key, kind="stable")
        pair_key, pair_total = pair_key[order], guide.total[ok][order]
        gp = self.scores["guide_position"]
        kk = np.flatnonzero(gp.feasible("lead_guide"))
        li, ki = join(pos.astype(np.int64), gp.cols[kk].astype(np.int64))
        lead = gp.rows[kk][ki].astype(np.int64)
        at = np.searchsorted(pair_key, cand[li].astype(np.int64) * n_g + lead)
        found = at < len(pair_key)
        found[found] = pair_key[at[found]] == (cand[li].astype(np.int64) * n_g + lead)[found]
        floor = self.scores.policy.scoring.min_score.get("guide", 0.0)
        points = np.where(found, pair_total[np.minimum(at, max(len(pair_key) - 1, 0))] if len(pair_key) else 0.0, 0.0)
        fits = found & (points + gp.total[kk][ki] >= floor - 1e-9)
        li, lead = li[fits], lead[fits]
        room = self.lead_has_room()[lead]
        n = len(cand)
        need_lead, need_tutor, need_op = site_needs(self.scores)
        needs_lead = need_lead[site]
        no_lead = (np.bincount(li, minlength=n) == 0) & needs_lead
        leads_full = ~no_lead & needs_lead & (np.bincount(li, weights=room, minlength=n) == 0)
        full_leads = np.split(lead[~room], np.searchsorted(li[~room], np.arange(1, n)))
        no_squad, squad_full, full_members = self._squads(cand, pos, li, lead, room)
        tutors_full, full_tutors = self._partners_full(cand, site, need_tutor[site], "tutor")
        operators_full, full_operators = self._partners_full(cand, site, need_op[site], "operator")
        return Blocks(
            position,
            site_legal,
            site_tutors,
            no_lead,
            leads_full,
            full_leads,
            no_squad,
            squad_full,
            full_members,
            tutors_full,
            full_tutors,
            operators_full,
            full_operators,
        )

    def _partners_full(
        self, cand: np.ndarray, site: np.ndarray, needed: np.ndarray, role: str
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Options that need a company tutor (``role="tutor"``, one of the site's) or a desk operator and whose
        every partner the rules allow with the candidate is full; with those partners, per option."""
        a, cap = self.scores.arrays, self.scores.capacities
        table = self.scores["tutor"] if role == "tutor" else self.scores["operator"]
        load, limit = (
            (self.tutor_load, cap.tutor_limit) if role == "tutor" else (self.operator_load, cap.operator_limit)
        )
        n = len(cand)
        rows = _rows_of(table.rows, np.unique(cand))
        ok = rows[table.feasible(role, rows)]
        pc, pp = table.rows[ok].astype(np.int64), table.cols[ok].astype(np.int64)
        if role == "tutor":  # a tutor of the option's site
            n_s = len(a.sites)
            li, ri = join(cand.astype(np.int64) * n_s + site, pc * n_s + np.asarray(a.tutors.site, dtype=np.int64)[pp])
        else:
            li, ri = join(cand.astype(np.int64), pc)
        partner = pp[ri]
        room = load[partner] < limit[partner]
        full = needed & (np.bincount(li, minlength=n) > 0) & (np.bincount(li, weights=room, minlength=n) == 0)
        named = np.split(partner[~room], np.searchsorted(li[~room], np.arange(1, n)))
        return full, named

    def _squads(
        self, cand: np.ndarray, pos: np.ndarray, li: np.ndarray, lead: np.ndarray, lead_room: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Which options lack a full squad: by the rules, or because the members are full (see :class:`Blocks`).

        A squad needs ``squad_size`` guide workers of the site other than the lead whose
        pair with the candidate the rules allow in the squad role, and whose score at the
        position (person × guide plus guide × position) reaches the policy's minimum, as
        the engine reads them; with room, besides a lead with room.
        """
        a, cap, guide = self.scores.arrays, self.scores.capacities, self.scores.guide
        policy = self.scores.policy
        size = policy.caps.squad_size
        n = len(cand)
        none = np.zeros(n, dtype=bool)
        if not policy.squad.require_full or size == 0 or not n:
            return none, none, [np.zeros(0, dtype=np.int64) for _ in range(n)]
        n_s = len(a.sites)
        rows = _rows_of(guide.rows, np.unique(cand))
        ok = rows[guide.feasible("guide", rows)]
        mc, mg = guide.rows[ok].astype(np.int64), guide.cols[ok].astype(np.int64)
        site = a.positions.site[pos].astype(np.int64)
        oi, mi = join(cand.astype(np.int64) * n_s + site, mc * n_s + a.guides.site[mg])
        member = mg[mi]
        gp = self.scores["guide_position"]  # the member at the option's position (issue 18: squads too)
        k = np.asarray(gp.find(member, pos[oi]), dtype=np.int64) if len(oi) else np.zeros(0, dtype=np.int64)
        fine = k >= 0
        fine[fine] = gp.feasible("guide", k[fine]) & (
            guide.total[ok[mi[fine]]] + gp.total[k[fine]] >= policy.scoring.min_score.get("guide", 0.0) - 1e-9
        )
        oi, member = oi[fine], member[fine]
        has_room = self.guide_load[member] < cap.guide_limit[member]
        eligible = np.bincount(oi, minlength=n)
        with_room = np.bincount(oi, weights=has_room, minlength=n)
        # is each option's lead itself an eligible member (with room)?
        key_member = oi * len(a.guides) + member
        key_lead = li * len(a.guides) + lead
        lead_member = np.isin(key_lead, key_member)
        lead_member_room = np.isin(key_lead, key_member[has_room])
        # by the rules: no lead leaves size members; by the loads: no lead with room leaves size members with room
        fits = eligible[li] - lead_member >= size
        fits_room = lead_room & (with_room[li] - lead_member_room >= size)
        no_squad = (np.bincount(li, weights=fits, minlength=n) == 0) & (np.bincount(li, minlength=n) > 0)
        squad_full = ~no_squad & (np.bincount(li, weights=fits_room, minlength=n) == 0)
        full = oi[~has_room], member[~has_room]
        full_members = np.split(full[1], np.searchsorted(full[0], np.arange(1, n)))
        return no_squad, squad_full & (np.bincount(li, weights=lead_room, minlength=n) > 0), full_members

    def named(self, cand: np.ndarray, pos: np.ndarray, among: np.ndarray, blocks: Blocks) -> pd.DataFrame:
        """The full limits blocking the options ``among`` selects: ``cand, role, partner_id, load, capacity``."""
        a, cap = self.scores.arrays, self.scores.capacities
        s = a.positions.site[pos]
        frames = [
            _rows(cand, among & blocks.position, "position", a.positions.ids[pos], self.position_load[pos],
                  cap.position_open[pos]),
            _rows(cand, among & blocks.site_legal, "site_legal", a.sites.ids[s], self.legal_load[s],
                  cap.site_legal_limit[s]),
            _rows(cand, among & blocks.site_tutors, "site_tutors", a.sites.ids[s], self.site_tutor_load[s],
                  cap.site_tutor_limit[s]),
        ]  # fmt: skip
        squad = np.flatnonzero(among & blocks.squad_full)
        if len(squad):
            g = np.concatenate([blocks.full_members[i] for i in squad])
            owner = np.repeat(cand[squad], [len(blocks.full_members[i]) for i in squad])
            frames.append(
                pd.DataFrame(
                    {
                        "cand": owner,
                        "role": "guide",
                        "partner_id": a.guides.ids[g].astype(str),
                        "load": self.guide_load[g],
                        "capacity": cap.guide_limit[g],
                    }
                )
            )
        for role, flag, lists, ids, load, limit in (
            ("tutor", blocks.tutors_full, blocks.full_tutors, a.tutors.ids, self.tutor_load, cap.tutor_limit),
            (
                "operator",
                blocks.operators_full,
                blocks.full_operators,
                a.operators.ids,
                self.operator_load,
                cap.operator_limit,
            ),
        ):
            which = np.flatnonzero(among & flag)
            if len(which):
                p = np.concatenate([lists[i] for i in which]).astype(np.int64)
                owner = np.repeat(cand[which], [len(lists[i]) for i in which])
                frames.append(
                    pd.DataFrame(
                        {
                            "cand": owner,
                            "role": role,
                            "partner_id": np.asarray(ids)[p].astype(str),
                            "load": load[p],
                            "capacity": limit[p],
                        }
                    )
                )
        which = np.flatnonzero(among & blocks.leads_full)
        if len(which):
            g = np.concatenate([blocks.full_leads[i] for i in which])
            owner = np.repeat(cand[which], [len(blocks.full_leads[i]) for i in which])
            at_lead = self.lead_load[g] >= cap.guide_lead[g]  # else the guide's total of newcomers is full
            frames.append(
                pd.DataFrame(
                    {
                        "cand": owner,
                        "role": np.where(at_lead, "lead_guide", "guide"),
                        "partner_id": a.guides.ids[g].astype(str),
                        "load": np.where(at_lead, self.lead_load[g], self.guide_load[g]),
                        "capacity": np.where(at_lead, cap.guide_lead[g], cap.guide_limit[g]),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)


def _rows(
    cand: np.ndarray, mask: np.ndarray, role: str, ids: np.ndarray, load: np.ndarray, capacity: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cand": cand[mask],
            "role": role,
            "partner_id": ids[mask].astype(str),
            "load": load[mask],
            "capacity": capacity[mask],
        }
    )


def _rows_of(rows: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """The indices of a score table's pairs (sorted by candidate) that belong to ``candidates`` (sorted)."""
    lo = np.searchsorted(rows, candidates.astype(rows.dtype), side="left")
    hi = np.searchsorted(rows, candidates.astype(rows.dtype), side="right")
    n = hi - lo
    return np.repeat(lo - np.concatenate([[0], np.cumsum(n)[:-1]]), n) + np.arange(n.sum())
