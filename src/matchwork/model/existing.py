"""Pairings already in place from earlier rounds (abbinamenti in corso), resolved once.

A pairing, pin or forbidden pair names its partner by id. For the site role the
partner may be a position or a whole site, and a whole site stands for every one
of its positions: :func:`partner_positions` is the one place that rule lives, and
:class:`Existing` reads a round's pairings through it. Everything downstream (the
capacities released, the rules' pair sets, the continuity bonus, the result's
``continuity`` column) uses these two.

Examples
--------
>>> import matchwork as mw
>>> rnd = mw.synth.round(300, seed=0)
>>> ex = Existing.of(rnd)
>>> cid = sorted(ex.lead)[0]  # at a cooperative: the site and the lead guide
>>> len(ex.site[cid]), ex.lead[cid] in {g.id for g in rnd.guides}
(1, True)
>>> cid = sorted(ex.tutor)[0]  # at a host company: the site, the company tutor and the desk's operator
>>> ex.tutor[cid].startswith("T"), ex.operator[cid].startswith("SPORTELLO-")
(True, True)
>>> partner_positions(rnd, "S00001")
('S00001-P1',)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from matchwork.model.round import Round
from matchwork.model.vocab import Role

__all__ = ["Existing", "partner_positions"]


def partner_positions(rnd: Round, partner_id: str) -> tuple[str, ...]:
    """The positions a partner id stands for: a position itself, every position of a site, else none."""
    kind = rnd.role_of(partner_id)
    if kind == "position":
        return (partner_id,)
    if kind == "site":
        return rnd.site_positions[partner_id]
    return ()


@dataclasses.dataclass(frozen=True)
class Existing:
    """The pairings in place of a round, by candidate id.

    Attributes
    ----------
    site : mapping of candidate id → frozenset of position ids
        The positions a candidate holds (every position of a site paired as a whole).
    site_partner : mapping of candidate id → str
        The partner as the pairing names it: a position id, or a site id for a whole site.
    lead : mapping of candidate id → guide id
    squad : mapping of candidate id → frozenset of guide ids
    peer : mapping of candidate id → peer supporter id
    tutor : mapping of candidate id → company tutor id
    operator : mapping of candidate id → desk operator id
    """

    site: Mapping[str, frozenset[str]]
    site_partner: Mapping[str, str]
    lead: Mapping[str, str]
    squad: Mapping[str, frozenset[str]]
    peer: Mapping[str, str]
    tutor: Mapping[str, str] = dataclasses.field(default_factory=dict)
    operator: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, rnd: Round) -> Existing:
        """The pairings in place of ``rnd``."""
        site: dict[str, frozenset[str]] = {}
        site_partner: dict[str, str] = {}
        lead: dict[str, str] = {}
        squad: dict[str, set[str]] = {}
        peer: dict[str, str] = {}
        single: dict[Role, dict[str, str]] = {Role.PEER: peer, Role.TUTOR: {}, Role.OPERATOR: {}}
        for p in rnd.pairings:
            if p.role == Role.SITE:
                site[p.candidate_id] = frozenset(partner_positions(rnd, p.partner_id))
                site_partner[p.candidate_id] = p.partner_id
            elif p.role == Role.LEAD_GUIDE:
                lead[p.candidate_id] = p.partner_id
            elif p.role == Role.GUIDE:
                squad.setdefault(p.candidate_id, set()).add(p.partner_id)
            else:
                single[p.role][p.candidate_id] = p.partner_id
        squads = {c: frozenset(g) for c, g in squad.items()}
        return cls(site, site_partner, lead, squads, peer, single[Role.TUTOR], single[Role.OPERATOR])

    def has(self, candidate_id: str) -> bool:
        """Whether the candidate has any pairing in place."""
        return any(candidate_id in m for m in (self.site, self.lead, self.squad, self.peer, self.tutor, self.operator))
