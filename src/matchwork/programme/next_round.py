"""Building the next round from the history: pairings in place, relationships, cool-downs and loads.

Internal: :meth:`matchwork.programme.Programme.next_round` runs :class:`NextRound` in one connection.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from matchwork.model.policy import Policy
from matchwork.model.profiles import (
    Candidate,
    CompanyTutor,
    Cooperative,
    DeskOperator,
    GuideWorker,
    PeerSupporter,
    PlacementSite,
)
from matchwork.model.round import Round
from matchwork.model.vocab import Region
from matchwork.programme import tables as t
from matchwork.programme.common import (
    GUIDE_ROLES,
    ProgrammeError,
    as_id,
    category_of,
    cooldown_pairs,
    documents,
    exempt_categories,
    failed_pairs,
    hours_by_intensity,
    hours_of,
    latest_profiles,
    open_rows,
    priority_ids,
    waiting_ids,
)

__all__ = ["NextRound"]

LOADS = {
    "guides": ("current_mentees",),
    "peers": ("hours_in_use",),
    "sites": ("trainees_present", "exempt_trainees_present"),
    "tutors": ("current_trainees",),
    "operators": ("caseload",),
    "cooperatives": (),
}
"""The load fields of each partner table (a position's ``openings`` besides)."""
DESK_LOADS = {"tutor": ("tutors", "current_trainees"), "operator": ("operators", "caseload")}
"""A host company's partners: the role of their pairings → their table and the load those pairings add to."""


def dump(item: Any, model: type[Any]) -> dict[str, Any]:
    value = item if isinstance(item, model) else model.model_validate(item)
    return dict(value.model_dump(mode="json"))


class NextRound:
    """The steps of :meth:`Programme.next_round`, reading inside one connection."""

    def __init__(self, conn: sa.Connection, day: dt.date, exclude: set[str], policy: Policy | None):
        self.conn, self.day, self.exclude = conn, day, exclude
        r = t.rounds.c
        self.last = conn.execute(sa.select(r.id, r.policy).order_by(r.id.desc()).limit(1)).first()
        self.policy = policy or (Policy.model_validate(self.last[1]) if self.last else Policy.default())

    def partners(
        self, key: str, given: list[Any], model: type[Any], last_doc: Mapping[str, Any]
    ) -> tuple[dict[str, dict[str, Any]], set[tuple[str, str]]]:
        """Profiles by id, the last round's overridden by those given; and the load figures to take as given.

        The load of a partner the last recorded round knew comes from the history;
        only a new partner's (or a new position's) figure counts, as its load
        outside the programme.
        """
        last = {p["id"]: p for p in last_doc.get(key, [])}
        out = dict(last)
        typed: set[tuple[str, str]] = set()
        for item in given:
            profile = dump(item, model)
            out[profile["id"]] = profile
            before = last.get(profile["id"])
            if before is None:
                typed |= {(profile["id"], load) for load in LOADS[key]}
            if key == "sites":
                known = {pos["id"] for pos in (before or {}).get("positions", [])}
                typed |= {(pos["id"], "openings") for pos in profile["positions"] if pos["id"] not in known}
        return {k: v for k, v in out.items() if k not in self.exclude}, typed

    def build(
        self,
        candidates: list[Any],
        guides: list[Any],
        peers: list[Any],
        sites: list[Any],
        *,
        tutors: list[Any],
        operators: list[Any],
        cooperatives: list[Any],
        region: Region | str | None,
        reviewer: str | None,
        name: str | None,
        waiting: bool,
    ) -> Round:
        conn, day = self.conn, self.day
        if self.last is None and not ((guides or tutors) and sites):
            raise ProgrammeError("no_round_yet")
        docs = documents(conn, [int(rid) for rid in conn.execute(sa.select(t.rounds.c.id)).scalars()])
        last_doc = docs.get(int(self.last[0]), {}) if self.last is not None else {}
        guide_p, guides_typed = self.partners("guides", guides, GuideWorker, last_doc)
        peer_p, peers_typed = self.partners("peers", peers, PeerSupporter, last_doc)
        site_p, sites_typed = self.partners("sites", sites, PlacementSite, last_doc)
        tutor_p, tutors_typed = self.partners("tutors", tutors, CompanyTutor, last_doc)
        operator_p, operators_typed = self.partners("operators", operators, DeskOperator, last_doc)
        coop_p, _ = self.partners("cooperatives", cooperatives, Cooperative, last_doc)
        # the round's rules and reviewer go on: the region's rule set, and a draft for the same responsabile
        region = getattr(region, "value", region) if region is not None else last_doc.get("region")
        review = {"reviewer": reviewer if reviewer is not None else (last_doc.get("review") or {}).get("reviewer")}

        # candidates: those given, ids of known people, and the waiting list
        given: dict[str, dict[str, Any]] = {}
        by_id: list[str] = []
        for item in candidates:
            if isinstance(item, str):
                by_id.append(as_id(item))
            else:
                profile = dump(item, Candidate)
                given[profile["id"]] = profile
        queue = set(waiting_ids(conn, day)) if waiting else set()
        wanted = (set(by_id) | queue) - set(given) - self.exclude
        known = latest_profiles(conn, wanted)
        missing = sorted(set(by_id) - set(given) - set(known) - self.exclude)
        if missing:
            raise ProgrammeError("unknown_candidates", ids=", ".join(missing[:10]))
        cand = {**{k: v for k, v in known.items() if k in wanted}, **given}
        cand = {k: v for k, v in cand.items() if k not in self.exclude}
        first = priority_ids(conn, day)  # after a breakdown: placed first at equal placements (policy bonus)
        cand = {k: {**v, "priority": True} if k in first else v for k, v in cand.items()}

        rows = open_rows(conn, day)
        baseline = self.baselines()
        guides_out = self.guide_loads(guide_p, guides_typed, baseline, rows)
        placed = latest_profiles(conn, {r["candidate_id"] for r in rows if r["role"] == "site"} - set(cand))
        exempt = exempt_categories(self.policy, region)
        exempt_rows = [
            r
            for r in rows
            if r["role"] == "site"
            and category_of(None, cand.get(r["candidate_id"]) or placed.get(r["candidate_id"])) in exempt
        ]
        sites_out = self.site_loads(site_p, sites_typed, baseline, rows, exempt_rows)
        peers_out = self.peer_loads(peer_p, peers_typed, baseline, rows, cand)
        tutors_out = self.desk_loads("tutor", tutor_p, tutors_typed, baseline, rows)
        operators_out = self.desk_loads("operator", operator_p, operators_typed, baseline, rows)

        positions = {p["id"] for s in sites_out for p in s["positions"]}
        present = {
            "site": positions | set(site_p),
            "lead_guide": set(guide_p),
            "guide": set(guide_p),
            "peer": set(peer_p),
            "tutor": set(tutor_p),
            "operator": set(operator_p),
        }
        pairings, absent = [], []
        for r in rows:
            if r["candidate_id"] not in cand:
                continue
            if r["partner_id"] not in present[r["role"]]:
                absent.append(f"{r['candidate_id']}→{r['partner_id']}")
                continue
            pairings.append(
                {
                    "candidate_id": r["candidate_id"],
                    "partner_id": r["partner_id"],
                    "role": r["role"],
                    "since": r["start_on"],
                }
            )
        if absent:
            raise ProgrammeError("missing_partners", pairs=", ".join(sorted(absent)[:10]))

        partners = set(guide_p) | set(peer_p) | set(site_p) | positions | set(tutor_p) | set(operator_p)
        ids = set(cand) | partners | set(coop_p)
        care = {m for c in cand.values() for m in c.get("care_team", [])}
        relationships = self.relationships(docs, ids | care, set(cand))
        forbids = [
            {"candidate_id": c, "partner_id": p}
            for c, p in sorted(cooldown_pairs(conn, day, None))
            if c in cand and p in partners
        ]
        return Round(
            candidates=[cand[k] for k in sorted(cand)],
            guides=guides_out,
            peers=peers_out,
            sites=sites_out,
            tutors=tutors_out,
            operators=operators_out,
            cooperatives=[coop_p[k] for k in sorted(coop_p)],
            relationships=relationships,
            pairings=pairings,
            forbids=forbids,
            name=name or f"round {day.isoformat()}",
            date=day,
            region=region,
            review=review,
        )

    def baselines(self) -> dict[tuple[str, str], float]:
        if self.last is None:
            return {}
        b = t.baselines.c
        rows = self.conn.execute(
            sa.select(b.partner_id, b.measure, b.value).where(b.round_id == int(self.last[0]))
        ).all()
        return {(pid, measure): float(value) for pid, measure, value in rows}

    @staticmethod
    def _base(
        profile: Mapping[str, Any], field: str, typed: set[tuple[str, str]], baseline: Mapping[tuple[str, str], float]
    ) -> float:
        """The load outside the programme: a figure typed anew, else the history's baseline, else the figure."""
        figure = float(profile.get(field) or 0)
        key = (profile["id"], field)
        return figure if key in typed else baseline.get(key, figure)

    def guide_loads(
        self,
        guides: dict[str, dict[str, Any]],
        typed: set[tuple[str, str]],
        baseline: Mapping[tuple[str, str], float],
        open_rows: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        n = Counter(r["partner_id"] for r in open_rows if r["role"] in GUIDE_ROLES)
        out = []
        for gid in sorted(guides):
            g = dict(guides[gid])
            g["current_mentees"] = int(self._base(g, "current_mentees", typed, baseline)) + n[gid]
            out.append(g)
        return out

    def site_loads(
        self,
        sites: dict[str, dict[str, Any]],
        typed: set[tuple[str, str]],
        baseline: Mapping[tuple[str, str], float],
        open_rows: list[dict[str, Any]],
        exempt_rows: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        at_site = Counter(r["site_id"] or r["partner_id"] for r in open_rows if r["role"] == "site")
        exempt_at_site = Counter(r["site_id"] or r["partner_id"] for r in exempt_rows)
        at_position = Counter(r["partner_id"] for r in open_rows if r["role"] == "site")
        out = []
        for sid in sorted(sites):
            s = dict(sites[sid])
            s["trainees_present"] = int(self._base(s, "trainees_present", typed, baseline)) + at_site[sid]
            exempt_now = int(self._base(s, "exempt_trainees_present", typed, baseline)) + exempt_at_site[sid]
            s["exempt_trainees_present"] = min(exempt_now, s["trainees_present"])  # exempt ones are among them
            positions = []
            for pos in s["positions"]:
                pos = dict(pos)
                places = int(self._base(pos, "openings", typed, baseline))
                pos["openings"] = max(places - at_position[pos["id"]], 0)
                positions.append(pos)
            s["positions"] = positions
            out.append(s)
        return out

    def desk_loads(
        self,
        role: str,
        partners: dict[str, dict[str, Any]],
        typed: set[tuple[str, str]],
        baseline: Mapping[tuple[str, str], float],
        open_rows: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Company tutors' ``current_trainees`` or desk operators' ``caseload``: outside load + open pairings."""
        field = DESK_LOADS[role][1]
        n = Counter(r["partner_id"] for r in open_rows if r["role"] == role)
        out = []
        for pid in sorted(partners):
            p = dict(partners[pid])
            p[field] = int(self._base(p, field, typed, baseline)) + n[pid]
            out.append(p)
        return out

    def peer_loads(
        self,
        peers: dict[str, dict[str, Any]],
        typed: set[tuple[str, str]],
        baseline: Mapping[tuple[str, str], float],
        open_rows: list[dict[str, Any]],
        candidates: Mapping[str, dict[str, Any]],
    ) -> list[dict[str, Any]]:
        rows = [r for r in open_rows if r["role"] == "peer"]
        others = latest_profiles(self.conn, {r["candidate_id"] for r in rows} - set(candidates))
        hours_by = hours_by_intensity(self.policy)
        hours: defaultdict[str, float] = defaultdict(float)
        for r in rows:
            profile = candidates.get(r["candidate_id"]) or others.get(r["candidate_id"])
            hours[r["partner_id"]] += hours_of(profile, hours_by)
        people = Counter(r["partner_id"] for r in rows)
        out = []
        for pid in sorted(peers):
            p = dict(peers[pid])
            p["hours_in_use"] = round(self._base(p, "hours_in_use", typed, baseline) + hours[pid], 3)
            if p.get("current_people") is not None:
                # people followed: never fewer than the pairings open now (the history records no outside figure)
                p["current_people"] = max(int(p["current_people"]), people[pid])
            out.append(p)
        return out

    def relationships(
        self, docs: Mapping[int, Mapping[str, Any]], ends: set[str], candidates: set[str]
    ) -> list[dict[str, Any]]:
        """Every recorded round's relationships, and a failed pairing per breakdown, that resolve in this round."""
        seen: set[tuple[frozenset[str], str]] = set()
        out = []

        def add(a: str, b: str, kind: str) -> None:
            key = (frozenset((a, b)), kind)
            if a != b and a in ends and b in ends and key not in seen:
                seen.add(key)
                out.append({"a": a, "b": b, "kind": kind})

        for rid in sorted(docs):
            for r in docs[rid].get("relationships", []):
                add(r["a"], r["b"], r["kind"])
        for cid, partner in sorted(failed_pairs(self.conn, self.day)):
            if cid in candidates:
                add(cid, partner, "failed_pairing")
        return out
