"""A round again with a result's pairings in place and the loads they stand for carried (shared by the tests)."""

from __future__ import annotations

import matchwork as mw


def as_pairings(result: mw.MatchResult) -> list[dict[str, str]]:
    """Every pairing of the people a result placed, as rows of the ``pairings`` table."""
    out = []
    for r in result.assignments[result.assignments.status == "matched"].itertuples():
        out.append({"candidate_id": r.candidate_id, "partner_id": r.position_id, "role": "site"})
        for role, partner in (("lead_guide", r.lead_guide_id), ("tutor", r.tutor_id), ("operator", r.operator_id)):
            if partner is not None:  # a lead at a cooperative, a company tutor and a desk operator at a host firm
                out.append({"candidate_id": r.candidate_id, "partner_id": partner, "role": role})
        out += [{"candidate_id": r.candidate_id, "partner_id": g, "role": "guide"} for g in r.squad_ids]
        if r.peer_id is not None:
            out.append({"candidate_id": r.candidate_id, "partner_id": r.peer_id, "role": "peer"})
    return out


def in_place(rnd: mw.Round, first: mw.MatchResult) -> mw.Round:
    """``rnd`` with ``first``'s pairings in place: sites, guides, peers, tutors and operators carry their loads
    (openings count vacancies beyond this round's candidates, so the positions taken close)."""
    asg = first.assignments[first.assignments.status == "matched"]
    loads = first.loads.set_index(["partner_id", "role"])
    placed, taken = asg.site_id.value_counts(), asg.position_id.value_counts()
    exempt = first.scores.capacities.exempt[[first.scores.arrays.candidates.index[c] for c in asg.candidate_id]]
    placed_exempt = asg[exempt].site_id.value_counts()  # the trainees present now include them, exempt
    sites = [
        s.model_copy(
            update={
                "trainees_present": s.trainees_present + int(placed.get(s.id, 0)),
                "exempt_trainees_present": s.exempt_trainees_present + int(placed_exempt.get(s.id, 0)),
                "positions": tuple(
                    p.model_copy(update={"openings": p.openings - int(taken.get(p.id, 0))}) for p in s.positions
                ),
            }
        )
        for s in rnd.sites
    ]
    guides = [g.model_copy(update={"current_mentees": int(loads.loc[(g.id, "guide"), "load"])}) for g in rnd.guides]
    paired = asg.peer_id.value_counts()
    peers = [
        p.model_copy(
            update={
                "hours_in_use": float(loads.loc[(p.id, "peer"), "load"]),
                "current_people": None if p.current_people is None else p.current_people + int(paired.get(p.id, 0)),
            }
        )
        for p in rnd.peers
    ]
    tutored, followed = asg.tutor_id.value_counts(), asg.operator_id.value_counts()
    tutors = [
        t.model_copy(update={"current_trainees": t.current_trainees + int(tutored.get(t.id, 0))}) for t in rnd.tutors
    ]
    operators = [o.model_copy(update={"caseload": o.caseload + int(followed.get(o.id, 0))}) for o in rnd.operators]
    return rnd.replace(
        pairings=as_pairings(first), guides=guides, sites=sites, peers=peers, tutors=tutors, operators=operators
    )
