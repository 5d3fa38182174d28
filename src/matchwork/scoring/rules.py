"""Hard rules: which pairs may never be made, and why.

Each :class:`Rule` is a vectorized test over two :class:`~matchwork.arrays.Gathered`
views (candidates and partners, broadcasting against each other) that returns
``True`` where the pair is **forbidden**. Every rule owns one bit of a ``uint64``
reason mask, so any forbidden pair can say which rules forbid it
(:func:`reason_codes`). A rule applies to one scoring stage and to the roles a
partner can play in it: ``site``; ``lead_guide`` and ``guide`` (squad) for the
guide stage; ``peer``; ``tutor`` (company tutor); ``operator`` (job-desk
operator). The ``guide_position`` stage is not a pairing with the candidate: its
rules test a guide worker against a position of their own site (is the lead on the
position's shifts, in its team?), for the roles ``lead_guide`` and ``guide``.

A policy may *flag* a rule instead of letting it forbid (``rules.flagged``): its
bit then goes to a table's ``flags``, for the case team to discuss, not to its
``reasons``.

The rules, in words for a placement officer, are listed in ``docs/scoring.md``;
every code has an Italian and an English sentence (:attr:`Rule.text`, from :mod:`matchwork.i18n`).

Examples
--------
>>> [r.code for r in RULES if r.stage == "peer"][:3]
['outside_area', 'no_shared_language_peer', 'care_team_therapeutic']
>>> [r.code for r in RULES if r.stage == "guide_position"]
['lead_off_shifts', 'lead_outside_team']
>>> reason_codes(RULE_BY_CODE["commute_too_far"].mask | RULE_BY_CODE["min_skill"].mask)
('commute_too_far', 'min_skill')
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from matchwork.i18n import both
from matchwork.model.existing import partner_positions
from matchwork.model.policy import Policy
from matchwork.model.vocab import RelationshipKind, Role
from matchwork.scoring.arrays import SITE_KINDS, BitSet, Gathered, ProfileArrays, chord_to_km, join, pair_chord2
from matchwork.scoring.capacity import Capacities

__all__ = [
    "RULES",
    "RULE_BY_CODE",
    "Rule",
    "RuleContext",
    "Team",
    "reason_codes",
    "role_mask",
    "rules_for",
    "team_therapeutic",
]

ROLES_OF_STAGE: dict[str, tuple[str, ...]] = {
    "site": ("site",),
    "guide": ("lead_guide", "guide"),
    "peer": ("peer",),
    "tutor": ("tutor",),
    "operator": ("operator",),
    "guide_position": ("lead_guide", "guide"),
}
"""The roles a partner plays in each stage's pairs."""

MASK = np.uint64
"""The dtype of reason and flag masks: one bit per rule, at most 64 rules."""

Test = Callable[[Gathered, Gathered, "RuleContext"], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Rule:
    """A hard rule: a reason code, its bit, where it applies, its test and its words.

    Attributes
    ----------
    code : str
        Reason code, e.g. ``"commute_too_far"``.
    bit : int
        Its bit in the reason mask.
    stage : str
        ``"site"``, ``"guide"``, ``"peer"``, ``"tutor"``, ``"operator"`` or ``"guide_position"``.
    roles : frozenset of str
        The roles it forbids: ``site``, ``lead_guide``, ``guide``, ``peer``, ``tutor``, ``operator``.
    test : callable
        ``test(candidates, partners, context) -> bool array``, True where forbidden.
    text : dict
        ``{"it": ..., "en": ...}``: one sentence saying why the pair is forbidden.
    reads : tuple of str
        The profile fields it reads beyond ids, as ``"table.field"``; a rule that
        reads a field marked sensitive is told to the site and the candidate only as
        "a confidential reason".
    """

    code: str
    bit: int
    stage: str
    roles: frozenset[str]
    test: Test
    text: Mapping[str, str]
    reads: tuple[str, ...] = ()

    @property
    def mask(self) -> int:
        """The rule's bit as an integer mask."""
        return 1 << self.bit


class RuleContext:
    """What rules need besides the profile arrays: capacities and the forbidden pair sets.

    Pair sets are kept as sorted ``int64`` keys ``candidate * n_partners + partner``
    per stage, so membership over a whole block of pairs is one ``searchsorted``.
    """

    def __init__(self, arrays: ProfileArrays, capacities: Capacities, policy: Policy):
        self.arrays = arrays
        self.capacities = capacities
        self.policy = policy
        self.n_partners = {
            "site": len(arrays.positions),
            "guide": len(arrays.guides),
            "peer": len(arrays.peers),
            "tutor": len(arrays.tutors),
            "operator": len(arrays.operators),
            "guide_position": len(arrays.positions),
        }
        self._sets: dict[tuple[str, str], np.ndarray] = {}
        self._pinned_rows: dict[str, np.ndarray] = {}
        team = policy.team
        self.guides_at = np.array([k in team.guides_at for k in SITE_KINDS], dtype=bool)
        self.tutor_at = np.array([k in team.tutor_at for k in SITE_KINDS], dtype=bool)
        self.operator_at = np.array([k in team.operator_at for k in SITE_KINDS], dtype=bool)
        self._build()
        self.site_tutors = _padded(arrays.tutors.site, len(arrays.sites))
        self.operator_available = self._operators_available()
        self.tutor_sites = self._tutor_sites()

    # ------------------------------------------------------------ pair sets

    def in_set(self, name: str, stage: str, c: Gathered, p: Gathered) -> np.ndarray:
        """Whether each pair of the block is in the named pair set of ``stage``.

        Only the keys of the block's candidates are looked at (usually none); a dense
        block — candidates ``(n, 1)`` against partners ``(1, m)`` — gets them scattered
        into it rather than every pair searched for.
        """
        keys = self._sets.get((name, stage))
        ci, pi = np.asarray(c.index), np.asarray(p.index)
        shape = np.broadcast_shapes(ci.shape, pi.shape)
        if keys is None or len(keys) == 0 or ci.size == 0 or pi.size == 0:
            return np.zeros(shape, dtype=bool)
        n = self.n_partners[stage]
        lo, hi = np.searchsorted(keys, np.array([int(ci.min()) * n, (int(ci.max()) + 1) * n], dtype=np.int64))
        keys = keys[lo:hi]
        if len(keys) == 0:
            return np.zeros(shape, dtype=bool)
        if ci.ndim == 2 and pi.ndim == 2 and ci.shape[1] == 1 and pi.shape[0] == 1:
            out = np.zeros(shape, dtype=bool)
            k_cand, k_part = np.divmod(keys, n)
            key, row = join(k_cand, ci[:, 0].astype(np.int64))  # every row of each key's candidate
            at, col = join(k_part[key], pi[0].astype(np.int64))  # and every column of its partner
            out[row[at], col] = True
            return out
        wanted = ci.astype(np.int64) * n + pi
        pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return keys[pos] == wanted

    def pinned(self, stage: str, c: Gathered) -> np.ndarray:
        """Whether each candidate has a pin in ``stage`` (site, lead guide or peer)."""
        rows = self._pinned_rows.get(stage)
        return rows[c.index] if rows is not None else np.zeros(np.shape(c.index), dtype=bool)

    def _add(self, name: str, stage: str, pairs: Iterable[tuple[int, int]]) -> None:
        keys = np.array([c * self.n_partners[stage] + p for c, p in pairs], dtype=np.int64)
        old = self._sets.get((name, stage), np.zeros(0, dtype=np.int64))
        self._sets[(name, stage)] = np.unique(np.concatenate([old, keys]))

    def _partner_slots(self, partner_id: str) -> list[tuple[str, int]]:
        """``(stage, partner index)`` for an id: a site stands for all its positions."""
        a = self.arrays
        positions = partner_positions(a.round, partner_id)
        if positions:
            return [("site", a.positions.index[p]) for p in positions]
        for stage, cols in (("guide", a.guides), ("peer", a.peers), ("tutor", a.tutors), ("operator", a.operators)):
            if partner_id in cols.index:
                return [(stage, cols.index[partner_id])]
        return []

    def forbidden(self, stage: str, c_index: np.ndarray, p_index: np.ndarray) -> np.ndarray:
        """Whether any rule of ``stage`` the policy applies (not flagged) forbids each pair; index arrays broadcast.

        Used where one stage's pairs decide another's: a candidate with no allowed
        tutor at a site cannot be placed there.
        """
        c, p = self.arrays.candidates.gather(c_index), _stage_columns(self.arrays, stage).gather(p_index)
        shape = np.broadcast_shapes(np.shape(c_index), np.shape(p_index))
        out = np.zeros(shape, dtype=bool)
        for rule in rules_for(stage, self.policy):
            if rule.code not in self.policy.rules.flagged:
                out |= np.broadcast_to(rule.test(c, p, self), shape)
        return out

    def _operators_available(self) -> np.ndarray:
        """Whether each candidate has a job-desk operator of their area that no rule forbids."""
        a = self.arrays
        n = len(a.candidates)
        if not len(a.operators) or not n:
            return np.zeros(n, dtype=bool)
        operator, area = _area_pairs(a)
        ops = _padded(area, len(a.areas), keys=operator)[a.candidates.area_idx.astype(np.int64)]  # (n, K), -1 padded
        ok = ~self.forbidden("operator", np.arange(n)[:, None], np.maximum(ops, 0)) & (ops >= 0)
        return ok.any(axis=1)

    def _tutor_sites(self) -> _TutorSites | None:
        """What ``no_tutor_available`` needs per site, so that it need not test each (candidate, tutor) pair.

        The tutor rules a candidate meets alike at every site are a tutor's room and a
        shared language: a site has a tutor the candidate may have iff one of its tutors
        with room speaks one of their languages. The pair-set rules (relationships,
        exclusions, forbids, pins) touch few candidates, who are tested tutor by tutor.
        ``None`` (every candidate tested tutor by tutor) if the tutor stage has another rule.
        """
        a = self.arrays
        room = np.ones(len(a.tutors), dtype=bool)
        by_language = False
        special = np.zeros(len(a.candidates), dtype=bool)
        n_t = max(len(a.tutors), 1)
        for rule in rules_for("tutor", self.policy):
            if rule.code in self.policy.rules.flagged:
                continue
            if rule.test is _tutor_full:
                room &= self.capacities.tutor_room > 0
            elif rule.test is _no_language:
                by_language = True
            elif isinstance(rule.test, _InSets):
                for name in rule.test.names:
                    special[self._sets.get((name, "tutor"), np.zeros(0, np.int64)) // n_t] = True
            elif isinstance(rule.test, _PinnedElsewhere):
                special |= self._pinned_rows.get("tutor", np.zeros(len(a.candidates), dtype=bool))
            else:  # pragma: no cover - a guard for whoever adds a tutor rule of another kind
                return None
        site = a.tutors.site.astype(np.int64)
        has = np.zeros(len(a.sites), dtype=bool)
        has[site[room]] = True
        words = []
        for w in a.tutors.lang.words:
            union = np.zeros(len(a.sites), dtype=np.uint64)
            np.bitwise_or.at(union, site[room], w[room])
            words.append(union)
        return _TutorSites(has, BitSet(tuple(words)) if by_language else None, special)

    def _build(self) -> None:
        a, rnd = self.arrays, self.arrays.round
        cand = a.candidates.index
        forbidding = set(self.policy.rules.forbidding_relationships)

        relationship: list[tuple[str, int, int]] = []
        for r in rnd.relationships:
            if r.kind not in forbidding:
                continue
            for one, other in ((r.a, r.b), (r.b, r.a)):
                if one in cand:
                    relationship += [(stage, cand[one], p) for stage, p in self._partner_slots(other)]
        for stage in ROLES_OF_STAGE:
            self._add("relationship", stage, [(c, p) for s, c, p in relationship if s == stage])

        excluded = [
            (stage, cand[c.id], p)
            for c in rnd.candidates
            for other in c.excluded_ids
            for stage, p in self._partner_slots(other)
        ]
        for stage in ROLES_OF_STAGE:
            self._add("excluded", stage, [(c, p) for s, c, p in excluded if s == stage])

        forbidden: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for f in rnd.forbids:
            for stage, p in self._partner_slots(f.partner_id):
                forbidden[(f"forbidden:{f.role.value if f.role else 'all'}", stage)].append((cand[f.candidate_id], p))
        for (name, stage), pairs in forbidden.items():
            self._add(name, stage, pairs)

        self._care_team(forbidding)
        self._pins()
        self.therapy, self.team_members = self._team_therapy(forbidding)

    def _team_therapy(self, forbidding: set[RelationshipKind]) -> tuple[sp.csr_matrix, dict[str, int]]:
        """Peers × team members (guides, then tutors, then operators) in a therapeutic relationship."""
        a, rnd = self.arrays, self.arrays.round
        offsets = {"guide": 0, "tutor": len(a.guides), "operator": len(a.guides) + len(a.tutors)}
        members = {i: offsets["guide"] + k for i, k in a.guides.index.items()}
        members |= {i: offsets["tutor"] + k for i, k in a.tutors.index.items()}
        members |= {i: offsets["operator"] + k for i, k in a.operators.index.items()}
        size = len(a.guides) + len(a.tutors) + len(a.operators)
        pairs = []
        if RelationshipKind.THERAPEUTIC in forbidding:
            pairs = [
                (a.peers.index[one], members[other])
                for r in rnd.relationships
                if r.kind == RelationshipKind.THERAPEUTIC
                for one, other in ((r.a, r.b), (r.b, r.a))
                if one in a.peers.index and other in members
            ]
        rows = np.array([p for p, _ in pairs], dtype=np.int64)
        cols = np.array([m for _, m in pairs], dtype=np.int64)
        therapy = sp.csr_matrix((np.ones(len(pairs), dtype=bool), (rows, cols)), shape=(len(a.peers), size))
        return therapy, offsets

    def _care_team(self, forbidding: set[RelationshipKind]) -> None:
        """Peers in a therapeutic relationship with someone in the candidate's care team."""
        a, rnd = self.arrays, self.arrays.round
        if RelationshipKind.THERAPEUTIC not in forbidding or not len(a.peers):
            return
        members = sorted({m for c in rnd.candidates for m in c.care_team})
        if not members:
            return
        where = {m: i for i, m in enumerate(members)}
        team = sp.csr_matrix(
            (
                np.ones(sum(len(c.care_team) for c in rnd.candidates)),
                (
                    [i for i, c in enumerate(rnd.candidates) for _ in c.care_team],
                    [where[m] for c in rnd.candidates for m in c.care_team],
                ),
            ),
            shape=(len(rnd.candidates), len(members)),
        )
        therapy = [
            (a.peers.index[one], where[other])
            for r in rnd.relationships
            if r.kind == RelationshipKind.THERAPEUTIC
            for one, other in ((r.a, r.b), (r.b, r.a))
            if one in a.peers.index and other in where
        ]
        if not therapy:
            return
        peer_team = sp.csr_matrix(
            (np.ones(len(therapy)), ([p for p, _ in therapy], [m for _, m in therapy])),
            shape=(len(a.peers), len(members)),
        )
        hits = (team @ peer_team.T).tocoo()
        self._add("care_team", "peer", zip(hits.row.tolist(), hits.col.tolist(), strict=True))

    def _pins(self) -> None:
        a, rnd = self.arrays, self.arrays.round
        allowed: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for pin in rnd.pins:
            slots = self._partner_slots(pin.partner_id)
            if not slots:
                continue
            stage = slots[0][0]
            role = pin.role.value if pin.role else {"guide": "lead_guide"}.get(stage, stage)
            if role == Role.GUIDE.value:
                continue  # a squad pin adds a member; it does not exclude the others
            c = a.candidates.index[pin.candidate_id]
            rows = self._pinned_rows.setdefault(stage, np.zeros(len(a.candidates), dtype=bool))
            rows[c] = True
            allowed[stage] += [(c, p) for _, p in slots]
        for stage, pairs in allowed.items():
            self._add("pin", stage, pairs)


def _commute(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    # farther than the longest trip ⇔ a longer chord: no trigonometry per pair, except within
    # a hair of the limit, where the distance in km decides as it always did
    chord2, limit = pair_chord2(c, p), c.commute_chord2
    far = chord2 > limit * (1 + 1e-9)
    unsure = (chord2 > limit * (1 - 1e-9)) & ~far
    if unsure.any():
        far[unsure] = chord_to_km(np.sqrt(chord2[unsure])) > np.broadcast_to(c.max_commute, far.shape)[unsure]
    return far


def _no_overlap(partner_slots: str) -> Test:
    return _NoOverlap(partner_slots)


def _accommodation(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return (c.needs & ~p.offers).any()


def _min_skill(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    short = (~c.skill1 & p.min1).any()
    return short | (~c.skill2 & p.min2).any() | (~c.skill3 & p.min3).any()


def _no_opening(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.broadcast_to(ctx.capacities.position_open[p.index] <= 0, _shape(c, p))


def _trainee_limit(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    full = ctx.capacities.site_legal[p.site] <= 0
    return full & ~ctx.capacities.exempt[c.index]


def _tutor_limit(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.broadcast_to(ctx.capacities.site_tutor[p.site] <= 0, _shape(c, p))


def _no_language(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return ~(c.lang & p.lang).any()


def _cannot_lead(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.broadcast_to(~p.can_lead, _shape(c, p))


def _guide_full(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.broadcast_to(ctx.capacities.guide_total[p.index] <= 0, _shape(c, p))


def _lead_full(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    cap = ctx.capacities
    return np.broadcast_to(p.can_lead & (cap.guide_total[p.index] > 0) & (cap.guide_lead[p.index] <= 0), _shape(c, p))


def _outside_area(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return ~(c.area & p.areas).any()


def _peer_hours(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    cap = ctx.capacities
    return cap.peer_hours[p.index] + 1e-9 < cap.hours_needed[c.index]


def _untrained(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.broadcast_to(~p.trained, _shape(c, p))


def _site_without_guides(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.broadcast_to(~ctx.guides_at[p.site_kind], _shape(c, p))


def _lead_off_shifts(g: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    # g: guide workers, p: positions of their site
    share = (g.avail & p.shifts).count() / np.maximum(p.shifts.count(), 1)
    return share + 1e-9 < ctx.policy.caps.lead_min_shift_share


def _lead_outside_team(g: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    # a guide who names a position works in that position's team: they lead there only
    return (g.position >= 0) & (g.position != p.index)


@dataclasses.dataclass(frozen=True)
class _TutorSites:
    """Per site: a tutor with room (``has``), their languages (``lang``, None if languages do not count);
    per candidate: whether a tutor pair set names them (``special``: tested tutor by tutor)."""

    has: np.ndarray
    lang: BitSet | None
    special: np.ndarray


def _no_tutor_available(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    a = ctx.arrays
    shape = _shape(c, p)
    applies = ctx.tutor_at[a.sites.kind[p.site]] & a.sites.tutors_listed[p.site]  # the partner's shape
    if not applies.any():
        return np.zeros(shape, dtype=bool)
    by_site = ctx.tutor_sites
    if by_site is None:  # pragma: no cover - see RuleContext._tutor_sites
        return _no_tutor_pairwise(c.index, p.site, np.broadcast_to(applies, shape), ctx)
    has = by_site.has[p.site]
    if by_site.lang is not None:
        has = has & (c.lang & by_site.lang.take(p.site)).any()
    out = np.broadcast_to(applies & ~has, shape)
    special = by_site.special[c.index]
    if not special.any():
        return out
    out = out.copy()
    exact = np.broadcast_to(special, shape) & np.broadcast_to(applies, shape)
    out[exact] = _no_tutor_pairwise(c.index, p.site, exact, ctx)[exact]
    return out


def _no_tutor_pairwise(c_index: np.ndarray, p_site: np.ndarray, which: np.ndarray, ctx: RuleContext) -> np.ndarray:
    """``no_tutor_available`` at the pairs ``which`` (a mask of the block), each tutor of the site tested."""
    shape = which.shape
    out = np.zeros(shape, dtype=bool)
    if not which.any():
        return out
    cand = np.broadcast_to(c_index, shape)[which]
    tutors = ctx.site_tutors[np.broadcast_to(p_site, shape)[which]]  # (P, K), -1 padded
    allowed = ~ctx.forbidden("tutor", cand[:, None], np.maximum(tutors, 0)) & (tutors >= 0)
    out[which] = ~allowed.any(axis=1)
    return out


def _no_operator_available(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    a = ctx.arrays
    if not len(a.operators):
        return np.zeros(_shape(c, p), dtype=bool)
    applies = ctx.operator_at[a.sites.kind[p.site]]
    return applies & ~ctx.operator_available[c.index]


def _tutor_full(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.broadcast_to(ctx.capacities.tutor_room[p.index] <= 0, _shape(c, p))


def _operator_full(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.broadcast_to(ctx.capacities.operator_room[p.index] <= 0, _shape(c, p))


def _peer_people(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.broadcast_to(ctx.capacities.peer_people[p.index] <= 0, _shape(c, p))


def _former_client(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return (c.service_bits & p.former).any()


def _experience_missing(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return c.peer_exp_required & (c.peer_exp & ~p.exp).any()


@dataclasses.dataclass(frozen=True)
class _InSets:
    """Forbidden where the pair is in any of the named pair sets (a picklable test)."""

    names: tuple[str, ...]
    stage: str

    def __call__(self, c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
        out = ctx.in_set(self.names[0], self.stage, c, p)
        for name in self.names[1:]:
            out = out | ctx.in_set(name, self.stage, c, p)
        return out


def _in_any(names: tuple[str, ...], stage: str) -> Test:
    return _InSets(names, stage)


def _in(name: str, stage: str) -> Test:
    return _InSets((name,), stage)


@dataclasses.dataclass(frozen=True)
class _PinnedElsewhere:
    stage: str

    def __call__(self, c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
        return ctx.pinned(self.stage, c) & ~ctx.in_set("pin", self.stage, c, p)


def _pinned_elsewhere(stage: str) -> Test:
    return _PinnedElsewhere(stage)


@dataclasses.dataclass(frozen=True)
class _NoOverlap:
    partner_slots: str

    def __call__(self, c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
        return ~(c.avail & getattr(p, self.partner_slots)).any()


def _shape(c: Gathered, p: Gathered) -> tuple[int, ...]:
    return np.broadcast_shapes(np.shape(c.index), np.shape(p.index))


_SITE = frozenset({"site"})
_LEAD = frozenset({"lead_guide"})
_SQUAD = frozenset({"guide"})
_GUIDE = _LEAD | _SQUAD
_PEER = frozenset({"peer"})
_TUTOR = frozenset({"tutor"})
_OPERATOR = frozenset({"operator"})

# (code, stage, roles, test) — the order fixes the bits; the words are in matchwork.i18n (rule.<code>).
_SPECS: tuple[tuple[str, str, frozenset[str], Test], ...] = (
    ("commute_too_far", "site", _SITE, _commute),
    ("no_schedule_overlap", "site", _SITE, _no_overlap("shifts")),
    ("accommodation_missing", "site", _SITE, _accommodation),
    ("min_skill", "site", _SITE, _min_skill),
    ("no_opening", "site", _SITE, _no_opening),
    ("trainee_limit", "site", _SITE, _trainee_limit),
    ("tutor_limit", "site", _SITE, _tutor_limit),
    ("relationship_site", "site", _SITE, _in_any(("relationship",), "site")),
    ("excluded_site", "site", _SITE, _in("excluded", "site")),
    ("forbidden_site", "site", _SITE, _in_any(("forbidden:all", "forbidden:site"), "site")),
    ("pinned_elsewhere_site", "site", _SITE, _pinned_elsewhere("site")),
    ("no_shared_language_guide", "guide", _GUIDE, _no_language),
    ("cannot_lead", "guide", _LEAD, _cannot_lead),
    ("guide_full", "guide", _GUIDE, _guide_full),
    ("lead_full", "guide", _LEAD, _lead_full),
    ("relationship_guide", "guide", _GUIDE, _in("relationship", "guide")),
    ("excluded_guide", "guide", _GUIDE, _in("excluded", "guide")),
    ("forbidden_guide", "guide", _GUIDE, _in_any(("forbidden:all",), "guide")),
    ("forbidden_lead", "guide", _LEAD, _in("forbidden:lead_guide", "guide")),
    ("forbidden_squad", "guide", _SQUAD, _in("forbidden:guide", "guide")),
    ("pinned_elsewhere_lead", "guide", _LEAD, _pinned_elsewhere("guide")),
    ("outside_area", "peer", _PEER, _outside_area),
    ("no_shared_language_peer", "peer", _PEER, _no_language),
    ("care_team_therapeutic", "peer", _PEER, _in("care_team", "peer")),
    ("peer_hours", "peer", _PEER, _peer_hours),
    ("relationship_peer", "peer", _PEER, _in("relationship", "peer")),
    ("excluded_peer", "peer", _PEER, _in("excluded", "peer")),
    ("forbidden_peer", "peer", _PEER, _in_any(("forbidden:all", "forbidden:peer"), "peer")),
    ("pinned_elsewhere_peer", "peer", _PEER, _pinned_elsewhere("peer")),
    # seed 002: every lavoratore guida is trained; guides belong to the cooperative's model
    ("untrained_guide", "guide", _GUIDE, _untrained),
    ("site_without_guides", "guide", _GUIDE, _site_without_guides),
    ("lead_off_shifts", "guide_position", _LEAD, _lead_off_shifts),
    # seed 003: host companies: a company tutor by name and the desk's operator of the area
    ("no_tutor_available", "site", _SITE, _no_tutor_available),
    ("no_operator_available", "site", _SITE, _no_operator_available),
    ("tutor_full", "tutor", _TUTOR, _tutor_full),
    ("no_shared_language_tutor", "tutor", _TUTOR, _no_language),
    ("relationship_tutor", "tutor", _TUTOR, _in("relationship", "tutor")),
    ("excluded_tutor", "tutor", _TUTOR, _in("excluded", "tutor")),
    ("forbidden_tutor", "tutor", _TUTOR, _in_any(("forbidden:all", "forbidden:tutor"), "tutor")),
    ("pinned_elsewhere_tutor", "tutor", _TUTOR, _pinned_elsewhere("tutor")),
    ("operator_outside_area", "operator", _OPERATOR, _outside_area),
    ("operator_full", "operator", _OPERATOR, _operator_full),
    ("relationship_operator", "operator", _OPERATOR, _in("relationship", "operator")),
    ("excluded_operator", "operator", _OPERATOR, _in("excluded", "operator")),
    ("forbidden_operator", "operator", _OPERATOR, _in_any(("forbidden:all", "forbidden:operator"), "operator")),
    ("pinned_elsewhere_operator", "operator", _OPERATOR, _pinned_elsewhere("operator")),
    # seed 004: peer safeguards
    ("peer_people_full", "peer", _PEER, _peer_people),
    ("former_client_dual_role", "peer", _PEER, _former_client),
    ("lived_experience_missing", "peer", _PEER, _experience_missing),
    ("team_therapeutic", "peer", _PEER, _in("team", "peer")),
    # seed 002: the lead works beside the person in the position's team; a squad member follows them across the site
    ("lead_outside_team", "guide_position", _LEAD, _lead_outside_team),
)

# What each rule reads that a schema may mark sensitive (its other inputs are ids and capacities).
_READS: dict[str, tuple[str, ...]] = {
    "accommodation_missing": ("candidates.accommodations",),
    "trainee_limit": ("candidates.category",),  # exempt categories do not count
    "relationship_site": ("relationships.kind",),
    "relationship_guide": ("relationships.kind",),
    "relationship_peer": ("relationships.kind",),
    "care_team_therapeutic": ("candidates.care_team", "relationships.kind"),
    "peer_hours": ("candidates.support_intensity",),  # hours needed follow the intensity
    "relationship_tutor": ("relationships.kind",),
    "relationship_operator": ("relationships.kind",),
    "no_tutor_available": ("relationships.kind",),  # a relationship may rule out every tutor
    "no_operator_available": ("relationships.kind",),
    "former_client_dual_role": ("candidates.referring_service", "peers.former_client_of"),
    "lived_experience_missing": (
        "candidates.peer_experience",
        "candidates.peer_experience_required",
        "peers.lived_experience",
    ),
    "team_therapeutic": ("relationships.kind",),
}

RULES: tuple[Rule, ...] = tuple(
    Rule(code, bit, stage, roles, test, both(f"rule.{code}"), _READS.get(code, ()))
    for bit, (code, stage, roles, test) in enumerate(_SPECS)
)
"""Every built-in rule, in bit order."""


def _never(c: Gathered, p: Gathered, ctx: RuleContext) -> np.ndarray:
    return np.zeros(_shape(c, p), dtype=bool)


BELOW_MIN_SCORE = Rule(
    "below_min_score",
    len(RULES),
    "any",
    frozenset({"site", "lead_guide", "guide", "peer", "tutor", "operator"}),
    _never,
    both("rule.below_min_score"),
)
"""Set by scoring, not by a test: the pair scores below the policy's ``min_score``."""

RULE_BY_CODE: dict[str, Rule] = {r.code: r for r in (*RULES, BELOW_MIN_SCORE)}
if len(RULE_BY_CODE) > 64:  # pragma: no cover - a guard for whoever adds the 65th rule
    raise RuntimeError("reason masks are uint64: at most 64 rules")


def rules_for(stage: str, policy: Policy) -> list[Rule]:
    """The rules of a stage the policy has not switched off."""
    off = policy.rules.disabled
    return [r for r in RULES if r.stage == stage and r.code not in off]


@functools.cache
def role_mask(role: str) -> int:
    """The reason bits that forbid a pair in ``role`` (``site``, ``lead_guide``, ``guide``, ``peer``…)."""
    return sum(r.mask for r in RULE_BY_CODE.values() if role in r.roles)


_MASKS: tuple[tuple[int, str], ...] = tuple((r.mask, r.code) for r in RULE_BY_CODE.values())


def reason_codes(mask: int) -> tuple[str, ...]:
    """The rule codes of a reason mask, in bit order."""
    if not mask:
        return ()
    return tuple(code for bit, code in _MASKS if mask & bit)


def _stage_columns(arrays: ProfileArrays, stage: str) -> Any:
    return {
        "site": arrays.positions,
        "guide": arrays.guides,
        "peer": arrays.peers,
        "tutor": arrays.tutors,
        "operator": arrays.operators,
        "guide_position": arrays.positions,
    }[stage]


def _padded(groups: np.ndarray, n_groups: int, keys: np.ndarray | None = None) -> np.ndarray:
    """Members of each group as rows of a ``-1``-padded matrix (n_groups × largest group), in member order.

    ``groups[i]`` is the group of member ``i`` (or of member ``keys[i]`` when given).
    """
    groups = np.asarray(groups, dtype=np.int64)
    members = np.arange(len(groups)) if keys is None else np.asarray(keys, dtype=np.int64)
    counts = np.bincount(groups, minlength=n_groups)
    out = np.full((n_groups, max(int(counts.max(initial=0)), 1)), -1, dtype=np.int64)
    if len(groups):
        order = np.lexsort((members, groups))
        rank = np.arange(len(groups)) - np.repeat(np.cumsum(counts) - counts, counts)
        out[groups[order], rank] = members[order]
    return out


def _area_pairs(arrays: ProfileArrays) -> tuple[np.ndarray, np.ndarray]:
    """``(operator, area)`` for every area each job-desk operator serves."""
    pairs = [(o, arrays.areas.index[area]) for o, op in enumerate(arrays.round.operators) for area in op.areas_served]
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ops, areas = np.array(pairs, dtype=np.int64).T
    return ops, areas


@dataclasses.dataclass(frozen=True)
class Team:
    """The people around each candidate once the engine has chosen them (index arrays, -1: none).

    Attributes
    ----------
    lead, tutor, operator : int arrays (candidates)
        The lead guide, company tutor and job-desk operator of each candidate.
    squad : int array (candidates × squad size), -1 padded
        The squad's guide workers.
    """

    lead: np.ndarray
    squad: np.ndarray
    tutor: np.ndarray
    operator: np.ndarray

    @classmethod
    def empty(cls, n_candidates: int, squad_size: int = 0) -> Team:
        none = np.full(n_candidates, -1, dtype=np.int64)
        return cls(none, np.full((n_candidates, squad_size), -1, dtype=np.int64), none.copy(), none.copy())


def team_therapeutic(ctx: RuleContext, team: Team, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Whether the peer supporter of each ``(candidate, peer)`` pair is in a therapeutic relationship with
    someone of the candidate's team: lead, squad, company tutor or job-desk operator.

    Seed 004: "nessuno del team di collaboratori sia in una relazione terapeutica con il
    Peer Supporter". The care team is checked at scoring time (``care_team_therapeutic``);
    the rest of the team is known only once the engine has chosen it, so the engine asks
    this for the peer pairs it considers.
    """
    n_c = len(ctx.arrays.candidates)
    offsets = ctx.team_members
    parts = [team.lead[:, None], team.squad, team.tutor[:, None], team.operator[:, None]]
    base = [offsets["guide"], offsets["guide"], offsets["tutor"], offsets["operator"]]
    cand, member = [], []
    for block, offset in zip(parts, base, strict=True):
        block = np.asarray(block, dtype=np.int64).reshape(n_c, -1)
        r, k = np.nonzero(block >= 0)
        cand.append(r)
        member.append(block[r, k] + offset)
    c = np.concatenate(cand)
    m = np.concatenate(member)
    members = sp.csr_matrix((np.ones(len(c), dtype=bool), (c, m)), shape=(n_c, ctx.therapy.shape[1]))
    hits = (members.astype(np.int64) @ ctx.therapy.T.astype(np.int64)).tocoo()
    if not hits.nnz:
        return np.zeros(len(rows), dtype=bool)
    n_p = ctx.therapy.shape[0]
    keys = np.sort(hits.row.astype(np.int64) * n_p + hits.col)
    wanted = np.asarray(rows, dtype=np.int64) * n_p + np.asarray(cols, dtype=np.int64)
    pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return keys[pos] == wanted
