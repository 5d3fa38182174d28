"""Profile arrays: the round encoded as NumPy columns, ready for whole-matrix rules and features.

Each role becomes a :class:`Columns` — ids plus equal-length arrays. Sets drawn
from a vocabulary (skills at each level, languages, half-day slots,
accommodations, lived experience, areas, sector codes) become :class:`BitSet` s,
so that "shared languages" or "schedule overlap" are a bitwise AND and a
population count over whole matrices of pairs.

Rules and features never loop over pairs: they receive two :class:`Gathered`
views whose attributes broadcast against each other — ``(n, 1)`` against
``(1, m)`` for a dense block of pairs, or ``(P,)`` against ``(P,)`` for a list of
pairs — and compute on them with NumPy.

Examples
--------
>>> import numpy as np
>>> a = BitSet.encode([{0, 2}, {1}], size=3)
>>> b = BitSet.encode([{2}, {0, 1}], size=3)
>>> (a.take(np.arange(2)[:, None]) & b.take(np.arange(2)[None, :])).count()
array([[1, 1],
       [0, 1]])
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from matchwork.model.existing import Existing
from matchwork.model.round import Round
from matchwork.model.vocab import (
    Accommodation,
    Category,
    Gender,
    LivedExperience,
    ReferringService,
    SiteKind,
    Skill,
    Slot,
    SupportIntensity,
    ateco_ancestors,
    ateco_section,
)

__all__ = [
    "BitSet",
    "Columns",
    "ExistingIndex",
    "Gathered",
    "ProfileArrays",
    "join",
    "pair_chord2",
    "squared_chord",
    "xyz",
]

EARTH_RADIUS_KM = 6371.0088
SKILLS = tuple(Skill)
SLOTS = tuple(Slot)
ACCOMMODATIONS = tuple(Accommodation)
EXPERIENCES = tuple(LivedExperience)
GENDERS = tuple(Gender)
INTENSITIES = tuple(SupportIntensity)
CATEGORIES = tuple(Category)
SERVICES = tuple(ReferringService)
SITE_KINDS = tuple(SiteKind)
SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")


@dataclasses.dataclass(frozen=True)
class BitSet:
    """Sets over a small vocabulary, one bit per member, in 64-bit words.

    All operations are elementwise over the words' shape, so a BitSet indexed by
    ``(n, 1)`` and another by ``(1, m)`` combine into an ``(n, m)`` matrix.
    """

    words: tuple[np.ndarray, ...]

    @classmethod
    def encode(cls, members: Sequence[Iterable[int]], size: int) -> BitSet:
        """One set per row, each given as the indices of its members in ``[0, size)``."""
        n_words = max(1, -(-size // 64))
        words = np.zeros((n_words, len(members)), dtype=np.uint64)
        rows: list[int] = []
        bits: list[int] = []
        for row, items in enumerate(members):
            for bit in items:
                rows.append(row)
                bits.append(bit)
        if rows:
            r = np.asarray(rows, dtype=np.int64)
            b = np.asarray(bits, dtype=np.int64)
            np.bitwise_or.at(words, (b // 64, r), np.left_shift(np.uint64(1), (b % 64).astype(np.uint64)))
        return cls(tuple(words))

    def take(self, index: Any) -> BitSet:
        """The sets at ``index`` (any NumPy index; the result takes its shape)."""
        return BitSet(tuple(w[index] for w in self.words))

    def __and__(self, other: BitSet) -> BitSet:
        return BitSet(tuple(a & b for a, b in zip(self.words, other.words, strict=True)))

    def __or__(self, other: BitSet) -> BitSet:
        return BitSet(tuple(a | b for a, b in zip(self.words, other.words, strict=True)))

    def __invert__(self) -> BitSet:
        return BitSet(tuple(~w for w in self.words))

    def count(self) -> np.ndarray:
        """Members in each set."""
        out = np.bitwise_count(self.words[0]).astype(np.int64)
        for w in self.words[1:]:
            out = out + np.bitwise_count(w)
        return out

    def any(self) -> np.ndarray:
        """Whether each set is non-empty."""
        out = self.words[0] != 0
        for w in self.words[1:]:
            out = out | (w != 0)
        return out

    def __len__(self) -> int:
        return len(self.words[0])

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.words[0].shape)


class Columns:
    """The arrays of one role: ``ids`` and named columns of equal length.

    Columns are NumPy arrays (first axis = records) or :class:`BitSet` s; read them
    as attributes (``cols.lat``) or items (``cols["lat"]``).
    """

    def __init__(self, ids: Sequence[str], **columns: np.ndarray | BitSet):
        self.ids = np.asarray(ids, dtype=object)
        self.index = {id_: i for i, id_ in enumerate(ids)}
        for name, col in columns.items():
            if len(col) != len(self.ids):
                raise ValueError(f"column {name!r} has {len(col)} rows, expected {len(self.ids)}")
        self._columns = columns

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_columns"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> np.ndarray | BitSet:
        return self._columns[name]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def names(self) -> tuple[str, ...]:
        """The column names."""
        return tuple(self._columns)

    def gather(self, index: np.ndarray) -> Gathered:
        """A lazy view of every column at ``index`` (see :class:`Gathered`)."""
        return Gathered(self, index)


class Gathered:
    """Columns of one role at an index array, gathered lazily on first access.

    ``index`` is ``(n, 1)`` or ``(1, m)`` for a dense block of pairs, ``(P,)`` for a
    list of pairs. A column of shape ``(N, k)`` gathers to ``index.shape + (k,)``.
    ``view.index`` is the index itself (record positions in the role's columns).
    """

    def __init__(self, columns: Columns, index: np.ndarray):
        self._columns = columns
        self.index = index
        self._cache: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        cache = self.__dict__["_cache"]
        if name not in cache:
            col = self.__dict__["_columns"][name]
            idx = self.__dict__["index"]
            cache[name] = col.take(idx) if isinstance(col, BitSet) else col[idx]
        return cache[name]


def join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All index pairs ``(i, j)`` with ``left[i] == right[j]``, sorted by ``i`` then ``j`` (a sort-merge join).

    >>> li, ri = join(np.array([3, 1, 3]), np.array([1, 3, 3, 2]))
    >>> li.tolist(), ri.tolist()
    ([0, 0, 1, 2, 2], [1, 2, 0, 1, 2])
    """
    order = np.argsort(right, kind="stable")
    sorted_right = right[order]
    lo = np.searchsorted(sorted_right, left, side="left")
    hi = np.searchsorted(sorted_right, left, side="right")
    counts = hi - lo
    li = np.repeat(np.arange(len(left)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return li, order[np.repeat(lo, counts) + offsets]


def xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Unit vectors on the sphere (float64) from degrees, for chord distances."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """Great-circle distance in km from the chord between two unit vectors."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def km_to_chord(km: np.ndarray | float) -> np.ndarray:
    """The chord between two unit vectors ``km`` apart on the sphere."""
    return 2.0 * np.sin(np.minimum(np.asarray(km, dtype=np.float64), np.pi * EARTH_RADIUS_KM) / (2 * EARTH_RADIUS_KM))


def distance_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distance between unit vectors ``a`` and ``b`` (last axis 3), broadcasting.

    Computed from the chord, which keeps metre precision at short range where the
    arc-cosine of a dot product would not.
    """
    d = a - b
    return chord_to_km(np.sqrt(np.einsum("...k,...k->...", d, d)))


def squared_chord(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``|a − b|²`` for unit vectors ``a`` and ``b`` (last axis 3), broadcasting (float64).

    The same bits as the dot product :func:`distance_km` takes (summed in the order
    NumPy's ``einsum`` sums three terms), component by component: a dense block —
    ``(n, 1, 3)`` against ``(1, m, 3)`` — never materialises the ``(n, m, 3)`` differences.

    >>> a, b = xyz(np.array([45.0, 45.0]), np.array([10.0, 10.1]))  # two places 7.9 km apart
    >>> bool(chord_to_km(np.sqrt(squared_chord(a, b))) == distance_km(a, b))
    True
    """
    out = np.asarray(np.subtract(a[..., 0], b[..., 0]), dtype=np.float64)
    out *= out
    part = np.asarray(np.subtract(a[..., 2], b[..., 2]), dtype=np.float64)
    part *= part
    out += part
    np.subtract(a[..., 1], b[..., 1], out=part)
    part *= part
    out += part
    return out


def pair_chord2(c: Gathered, p: Gathered) -> np.ndarray:
    """The squared chord between ``c.xyz`` and ``p.xyz`` of every pair, computed once per pair of views.

    A rule (``commute_too_far``) and a feature (``commute``) both read it; the second
    reads what the first computed.
    """
    cache = c.__dict__["_cache"]
    key = ("chord2", id(p))
    hit = cache.get(key)
    if hit is None or hit[0] is not p:  # the view itself is kept, so its id cannot be reused meanwhile
        hit = cache[key] = (p, squared_chord(c.xyz, p.xyz))
    return hit[1]


class _Vocab:
    """Round-local vocabularies for open or large code lists (languages, areas, sector codes)."""

    def __init__(self, values: Iterable[str]):
        self.codes = tuple(sorted(set(values)))
        self.index = {c: i for i, c in enumerate(self.codes)}

    def bits(self, rows: Sequence[Iterable[str]]) -> BitSet:
        return BitSet.encode([[self.index[v] for v in row] for row in rows], len(self.codes))

    def __len__(self) -> int:
        return len(self.codes)


def _enum_bits(rows: Sequence[Iterable[Any]], vocabulary: tuple[Any, ...]) -> BitSet:
    where = {v: i for i, v in enumerate(vocabulary)}
    return BitSet.encode([[where[v] for v in row] for row in rows], len(vocabulary))


def _skill_bits(rows: Sequence[Mapping[Skill, int]], prefix: str) -> dict[str, BitSet]:
    where = {s: i for i, s in enumerate(SKILLS)}
    return {
        f"{prefix}{t}": BitSet.encode([[where[s] for s, lvl in row.items() if lvl >= t] for row in rows], len(SKILLS))
        for t in (1, 2, 3)
    }


def _levels(rows: Sequence[Mapping[Skill, int]]) -> np.ndarray:
    out = np.zeros((len(rows), len(SKILLS)), dtype=np.uint8)
    where = {s: i for i, s in enumerate(SKILLS)}
    for r, row in enumerate(rows):
        for s, lvl in row.items():
            out[r, where[s]] = lvl
    return out


def _used(position: Any) -> dict[Skill, int]:
    """The skills a position uses with their levels: the useful ones and the required ones, the higher level."""
    out = dict(position.skills)
    for skill, level in position.min_skills.items():
        out[skill] = max(level, out.get(skill, 0))
    return out


def _code(value: Any, vocabulary: tuple[Any, ...]) -> int:
    return -1 if value is None else vocabulary.index(value)


@dataclasses.dataclass(frozen=True)
class ExistingIndex:
    """The pairings in place (:class:`~matchwork.model.existing.Existing`) by candidate and partner index."""

    site: dict[int, set[int]]  # candidate → positions (a whole site stands for all its positions)
    lead: dict[int, int]
    squad: dict[int, set[int]]
    peer: dict[int, int]
    tutor: dict[int, int] = dataclasses.field(default_factory=dict)
    operator: dict[int, int] = dataclasses.field(default_factory=dict)


class ProfileArrays:
    """The whole round as :class:`Columns`: ``candidates``, ``positions``, ``guides``, ``peers``, ``sites``,
    ``tutors`` and ``operators``.

    Examples
    --------
    >>> from matchwork import synth
    >>> arrays = ProfileArrays(synth.round(30, seed=0))
    >>> len(arrays.candidates), arrays.candidates.avail.count()[:3].tolist()
    (30, [10, 5, 10])
    """

    def __init__(self, rnd: Round):
        self.round = rnd
        cands, guides, peers, sites = rnd.candidates, rnd.guides, rnd.peers, rnd.sites
        positions = rnd.positions
        operators, tutors = rnd.operators, rnd.tutors
        self.areas = _Vocab(
            [c.area for c in cands]
            + [s.area for s in sites]
            + [a for p in peers for a in p.areas_served]
            + [a for o in operators for a in o.areas_served]
        )
        self.languages = _Vocab(
            [str(x) for who in (cands, guides, peers, tutors, operators) for person in who for x in person.languages]
        )
        sector_codes = [a for s in sites for a in ateco_ancestors(s.sector)]
        sector_codes += [w for c in cands for w in c.wished_sectors]
        self.sectors = _Vocab(sector_codes)

        self.sites = self._sites(sites)
        self.candidates = self._candidates(cands)
        self.positions = self._positions(positions)
        self.guides = self._guides(guides)
        self.peers = self._peers(peers, rnd.date)
        self.tutors = self._tutors(tutors)
        self.operators = self._operators(operators)

    @functools.cached_property
    def existing(self) -> ExistingIndex:
        """The round's pairings in place, by index."""
        ex = Existing.of(self.round)
        c, pos, g, p = self.candidates.index, self.positions.index, self.guides.index, self.peers.index
        return ExistingIndex(
            site={c[k]: {pos[x] for x in v} for k, v in ex.site.items()},
            lead={c[k]: g[v] for k, v in ex.lead.items()},
            squad={c[k]: {g[x] for x in v} for k, v in ex.squad.items()},
            peer={c[k]: p[v] for k, v in ex.peer.items()},
            tutor={c[k]: self.tutors.index[v] for k, v in ex.tutor.items()},
            operator={c[k]: self.operators.index[v] for k, v in ex.operator.items()},
        )

    def _candidates(self, cands: Sequence[Any]) -> Columns:
        lat = np.array([c.location.lat for c in cands], dtype=np.float64)
        lon = np.array([c.location.lon for c in cands], dtype=np.float64)
        max_commute = np.array([c.max_commute_km for c in cands], dtype=np.float64)
        skills = [c.skills for c in cands]
        wished = [c.wished_sectors for c in cands]  # a wish matches the site's code or any broader one
        return Columns(
            [c.id for c in cands],
            area=self.areas.bits([[c.area] for c in cands]),
            area_idx=np.array([self.areas.index[c.area] for c in cands], dtype=np.int32),
            lat=lat,
            lon=lon,
            xyz=xyz(lat, lon),
            max_commute=max_commute,
            commute_chord2=km_to_chord(max_commute) ** 2,  # farther than this squared chord: too far
            skills=_levels(skills),
            **_skill_bits(skills, "skill"),
            wish=self.sectors.bits(wished),
            wish_section=_enum_bits([{ateco_section(w) for w in c.wished_sectors} for c in cands], SECTIONS),
            has_wish=np.array([bool(c.wished_sectors) for c in cands]),
            lang=self.languages.bits([[str(x) for x in c.languages] for c in cands]),
            avail=_enum_bits([c.availability for c in cands], SLOTS),
            needs=_enum_bits([c.accommodations for c in cands], ACCOMMODATIONS),
            intensity=np.array([INTENSITIES.index(c.support_intensity) for c in cands], dtype=np.int8),
            wants_peer=np.array([c.wants_peer for c in cands], dtype=bool),
            peer_exp=_enum_bits([c.peer_experience for c in cands], EXPERIENCES),
            peer_exp_required=np.array([c.peer_experience_required for c in cands], dtype=bool),
            service=np.array([_code(c.referring_service, SERVICES) for c in cands], dtype=np.int8),
            service_bits=_enum_bits([[c.referring_service] if c.referring_service else [] for c in cands], SERVICES),
            pref_gender=np.array([_code(c.preferred_gender, GENDERS) for c in cands], dtype=np.int8),
            category=np.array([_code(c.category, CATEGORIES) for c in cands], dtype=np.int8),
            most_important=np.array([c.most_important or "" for c in cands], dtype=object),
        )

    def _sites(self, sites: Sequence[Any]) -> Columns:
        def count(field: str) -> np.ndarray:
            """A count column; -1 where the site leaves it empty."""
            return np.array([-1 if getattr(s, field) is None else getattr(s, field) for s in sites], dtype=np.int64)

        listed = {t.site_id for t in self.round.tutors}
        return Columns(
            [s.id for s in sites],
            headcount=count("headcount"),
            permanent=count("permanent_employees"),
            fixed_term_covering=count("fixed_term_covering"),
            owners=count("owners"),
            worker_members=count("worker_members"),
            trainees_present=np.array([s.trainees_present for s in sites], dtype=np.int64),
            exempt_present=np.array([s.exempt_trainees_present for s in sites], dtype=np.int64),
            trainees_24m=count("trainees_24m"),
            hired_24m=count("hired_24m"),
            tutors=np.array([s.company_tutors for s in sites], dtype=np.int64),
            tutors_listed=np.array([s.id in listed for s in sites], dtype=bool),
            hosted=np.array([s.fragile_workers_hosted for s in sites], dtype=np.int64),
            cooperative=np.array([s.kind.value == "cooperative" for s in sites], dtype=bool),
            kind=np.array([SITE_KINDS.index(s.kind) for s in sites], dtype=np.int8),
            area_idx=np.array([self.areas.index[s.area] for s in sites], dtype=np.int32),
        )

    def _positions(self, positions: Sequence[tuple[str, Any]]) -> Columns:
        site_of = {s.id: s for s in self.round.sites}
        sites = [site_of[s] for s, _ in positions]
        lat = np.array([s.location.lat for s in sites], dtype=np.float64)
        lon = np.array([s.location.lon for s in sites], dtype=np.float64)
        pos = [p for _, p in positions]
        return Columns(
            [p.id for p in pos],
            site=np.array([self.sites.index[s.id] for s in sites], dtype=np.int32),
            lat=lat,
            lon=lon,
            xyz=xyz(lat, lon),
            skills=_levels([p.skills for p in pos]),
            **_skill_bits([p.skills for p in pos], "skill"),
            **_skill_bits([p.min_skills for p in pos], "min"),
            **_skill_bits([_used(p) for p in pos], "uses"),
            shifts=_enum_bits([p.shifts for p in pos], SLOTS),
            hours=np.array([p.hours_per_week for p in pos], dtype=np.float64),
            openings=np.array([p.openings for p in pos], dtype=np.int64),
            sector=self.sectors.bits([ateco_ancestors(s.sector) for s in sites]),
            section=_enum_bits([[ateco_section(s.sector)] for s in sites], SECTIONS),
            offers=_enum_bits([s.accommodations for s in sites], ACCOMMODATIONS),
            hosted=np.array([s.fragile_workers_hosted for s in sites], dtype=np.int64),
            kind=np.array([SITE_KINDS.index(s.kind) for s in sites], dtype=np.int8),
        )

    def _guides(self, guides: Sequence[Any]) -> Columns:
        skills = [g.skills for g in guides]
        positions = {p.id: i for i, (_, p) in enumerate(self.round.positions)}
        site = np.array([self.sites.index[g.site_id] for g in guides], dtype=np.int32)
        return Columns(
            [g.id for g in guides],
            site=site,
            position=np.array([positions[g.position_id] if g.position_id else -1 for g in guides], dtype=np.int32),
            skills=_levels(skills),
            **_skill_bits(skills, "skill"),
            lang=self.languages.bits([[str(x) for x in g.languages] for g in guides]),
            avail=_enum_bits([g.availability for g in guides], SLOTS),
            gender=np.array([_code(g.gender, GENDERS) for g in guides], dtype=np.int8),
            can_lead=np.array([g.can_lead for g in guides], dtype=bool),
            trained=np.array([g.is_trained for g in guides], dtype=bool),
            site_kind=self.sites.kind[site],
            max_mentees=np.array([-1 if g.max_mentees is None else g.max_mentees for g in guides], dtype=np.int64),
            current=np.array([g.current_mentees for g in guides], dtype=np.int64),
            leads_stated=np.array([-1 if g.current_leads is None else g.current_leads for g in guides], np.int64),
            years=np.array([g.years_experience for g in guides], dtype=np.float64),
        )

    def _peers(self, peers: Sequence[Any], date: dt.date) -> Columns:
        lat = np.array([p.location.lat if p.location else np.nan for p in peers], dtype=np.float64)
        lon = np.array([p.location.lon if p.location else np.nan for p in peers], dtype=np.float64)
        return Columns(
            [p.id for p in peers],
            areas=self.areas.bits([p.areas_served for p in peers]),
            lat=lat,
            lon=lon,
            xyz=xyz(lat, lon).reshape(len(peers), 3),
            has_location=~np.isnan(lat),
            lang=self.languages.bits([[str(x) for x in p.languages] for p in peers]),
            avail=_enum_bits([p.availability for p in peers], SLOTS),
            gender=np.array([_code(p.gender, GENDERS) for p in peers], dtype=np.int8),
            exp=_enum_bits([p.lived_experience for p in peers], EXPERIENCES),
            hours_stated=np.array([np.nan if p.hours_per_week is None else p.hours_per_week for p in peers]),
            hours_in_use=np.array([p.hours_in_use for p in peers], dtype=np.float64),
            days_active=np.array(
                [-1 if p.started_on is None else (date - p.started_on).days for p in peers], dtype=np.int64
            ),
            former=_enum_bits([p.former_client_of for p in peers], SERVICES),
            people_stated=np.array([-1 if p.current_people is None else p.current_people for p in peers], np.int64),
        )

    def _tutors(self, tutors: Sequence[Any]) -> Columns:
        return Columns(
            [t.id for t in tutors],
            site=np.array([self.sites.index[t.site_id] for t in tutors], dtype=np.int32),
            lang=self.languages.bits([[str(x) for x in t.languages] for t in tutors]),
            gender=np.array([_code(t.gender, GENDERS) for t in tutors], dtype=np.int8),
            max_trainees=np.array([-1 if t.max_trainees is None else t.max_trainees for t in tutors], np.int64),
            current=np.array([t.current_trainees for t in tutors], dtype=np.int64),
        )

    def _operators(self, operators: Sequence[Any]) -> Columns:
        return Columns(
            [o.id for o in operators],
            areas=self.areas.bits([o.areas_served for o in operators]),
            lang=self.languages.bits([[str(x) for x in o.languages] for o in operators]),
            max_caseload=np.array([-1 if o.max_caseload is None else o.max_caseload for o in operators], np.int64),
            current=np.array([o.caseload for o in operators], dtype=np.int64),
        )
