"""Soft features: how good a pair is, each in [0, 1], vectorized over whole blocks of pairs.

A :class:`Feature` is a name, a stage, a function over two
:class:`~matchwork.arrays.Gathered` views (candidates and partners, broadcasting
against each other) and a one-line explanation in Italian and English. The
policy's weights say which features count in each stage and how much.

Built-in features:

========================  =======  ===============================================
name                      stage    value
========================  =======  ===============================================
``skill_fit``             site     share of the position's skill levels the person has
``wished_sector``         site     1 wished sector, ½ same ATECO section or no wish, 0 other
``commute``               site     1 − distance / the person's longest trip
``schedule``              site     share of the position's shifts the person can work
``site_experience``       site     1 − e^(−fragile workers hosted / 5)
``language``              guide    share of the person's languages the partner speaks
``schedule``              guide    share of the position's shifts the guide works (guide × position)
``guide_skill``           guide    share of the position's skill levels the guide has (guide × position)
``guide_experience``      guide    1 − e^(−years of experience / 8)
``gender``                guide    1 if no preference or it is met, ½ partner's unstated, 0 not met
``lived_experience``      peer     share of the wished lived experience the peer brings (1 if none wished)
``language``              peer     as for guides
``schedule``              peer     as for guides
``gender``                peer     as for guides
``proximity``             peer     1 − distance / 30 km (½ if the peer's home is unknown)
========================  =======  ===============================================

The guide stage's ``schedule`` and ``guide_skill`` are properties of a guide worker
and a position of their own site, not of the candidate (``on="position"``): they
are computed once per (guide, position) pair, in the guide × position table, and
count in every option that makes that guide the lead of a person at that position
(squad members are scored on the person × guide part alone).

:data:`BUILTIN` is the registry of these; it never changes. Add your own by passing
them to :func:`matchwork.match` (``features=[...]``), which scores with
``BUILTIN.add(...)``, a new registry:

>>> import numpy as np
>>> def weekend(c, p):
...     weekend_bits = int(0b11110000000000)
...     return (p.shifts.words[0] & np.uint64(weekend_bits) == 0).astype(np.float32)
>>> mine = BUILTIN.add(Feature("no_weekend", "site", weekend, {"it": "niente fine settimana", "en": "no weekend work"}))
>>> ("site", "no_weekend") in mine, ("site", "no_weekend") in BUILTIN
(True, False)
>>> mine.names("site")[-1]
'no_weekend'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping

import numpy as np

from matchwork.i18n import both
from matchwork.scoring.arrays import BitSet, Gathered, chord_to_km, distance_km, pair_chord2

__all__ = ["BUILTIN", "Feature", "FeatureRegistry"]

Compute = Callable[[Gathered, Gathered], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Feature:
    """A soft criterion of a stage, valued in [0, 1] for every pair.

    Parameters
    ----------
    name : str
        Referenced by the policy's weights and by a candidate's ``most_important``.
    stage : str
        ``"site"`` (candidate × position), ``"guide"`` or ``"peer"``.
    compute : callable
        ``compute(candidates, partners) -> array`` of values in [0, 1], over the
        broadcast shape of the two views. Values outside [0, 1] are an error.
    text : dict
        ``{"it": ..., "en": ...}``: what the feature measures, in a few words.
    reads : tuple of str
        The profile fields it reads, as ``"table.field"`` (``"peers.lived_experience"``).
        Explanations hide a feature from the site and the candidate when any of
        them is marked sensitive in the profile schema.
    on : {"candidate", "position"}
        What the partner is valued against: the candidate (the default), or, for a
        guide-stage feature, the position the guide would work beside them at —
        ``compute(guides, positions)`` then.
    """

    name: str
    stage: str
    compute: Compute
    text: Mapping[str, str]
    reads: tuple[str, ...] = ()
    on: str = "candidate"


class FeatureRegistry(Mapping[tuple[str, str], Feature]):
    """Features by ``(stage, name)``; immutable: :meth:`add` returns a new registry.

    Parameters
    ----------
    features : iterable of Feature
        A later feature of the same stage and name replaces an earlier one.
    """

    def __init__(self, features: tuple[Feature, ...] | list[Feature] = ()):
        table: dict[tuple[str, str], Feature] = {}
        for f in features:
            if f.stage not in ("site", "guide", "peer"):
                raise ValueError(f"stage must be 'site', 'guide' or 'peer', got {f.stage!r}")
            if not f.name.isidentifier() or not f.name.islower():
                raise ValueError(f"a feature name is a lower-case identifier, got {f.name!r}")
            if f.on not in ("candidate", "position") or (f.on == "position" and f.stage != "guide"):
                raise ValueError(f"on='position' is for guide-stage features only; got {f.stage!r}, {f.on!r}")
            table[(f.stage, f.name)] = f
        self._table = table

    def add(self, *features: Feature) -> FeatureRegistry:
        """A registry with these features too (replacing any of the same stage and name)."""
        return FeatureRegistry([*self._table.values(), *features])

    def names(self, stage: str) -> list[str]:
        """The names of a stage's features, in registration order."""
        return [n for s, n in self._table if s == stage]

    def __getitem__(self, key: tuple[str, str]) -> Feature:
        return self._table[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def _ratio(num: np.ndarray, den: np.ndarray, empty: float) -> np.ndarray:
    out = np.full(np.broadcast_shapes(np.shape(num), np.shape(den)), empty, dtype=np.float32)
    np.divide(num, den, out=out, where=np.broadcast_to(den > 0, out.shape))
    return out


def _members(*sets: BitSet) -> np.ndarray:
    """Members of the sets, summed, in the narrowest integer type that holds the sum (uint8 for three words)."""
    words = [w for s in sets for w in s.words]
    out = np.bitwise_count(words[0])
    if 64 * len(words) > 255:
        out = out.astype(np.int64)
    for w in words[1:]:
        out += np.bitwise_count(w)
    return out


def skill_fit(c: Gathered, p: Gathered) -> np.ndarray:
    # Σ_skills min(person's level, position's level) / Σ position's levels, via level bitsets:
    # min(a, b) = Σ_t [a ≥ t][b ≥ t] for levels 1-3.
    have = _members(c.skill1 & p.skill1, c.skill2 & p.skill2, c.skill3 & p.skill3)
    need = p.skill1.count() + p.skill2.count() + p.skill3.count()
    return _ratio(have, need, empty=1.0)


_HALF, _ONE, _ZERO = np.float32(0.5), np.float32(1.0), np.float32(0.0)


def wished_sector(c: Gathered, p: Gathered) -> np.ndarray:
    exact = (c.wish & p.sector).any()
    section = (c.wish_section & p.section).any()
    value = np.where(exact, _ONE, np.where(section, _HALF, _ZERO))
    return np.where(c.has_wish, value, _HALF)


def commute(c: Gathered, p: Gathered) -> np.ndarray:
    # the squared chord is the one the commute_too_far rule compared (computed once per pair); the
    # arc-sine only where the place is within reach (a hair beyond, so the boundary is as exact as ever)
    chord2 = pair_chord2(c, p)
    near = chord2 <= c.commute_chord2 * (1 + 1e-9)
    out = np.zeros(near.shape, dtype=np.float32)
    if near.any():
        km = chord_to_km(np.sqrt(chord2[near]))
        out[near] = np.clip(1.0 - km / np.broadcast_to(c.max_commute, near.shape)[near], 0.0, 1.0)
    return out


def schedule_position(c: Gathered, p: Gathered) -> np.ndarray:
    return _ratio(_members(c.avail & p.shifts), p.shifts.count(), empty=0.0)


def guide_shifts(g: Gathered, p: Gathered) -> np.ndarray:
    # guide workers × positions of their site: the share of the position's shifts the guide works
    return _ratio((g.avail & p.shifts).count(), p.shifts.count(), empty=0.0)


def guide_skill(g: Gathered, p: Gathered) -> np.ndarray:
    # the share of the levels of the skills the position uses (useful or required) that the guide has
    have = (g.skill1 & p.uses1).count() + (g.skill2 & p.uses2).count() + (g.skill3 & p.uses3).count()
    need = p.uses1.count() + p.uses2.count() + p.uses3.count()
    return _ratio(have, need, empty=1.0)


def site_experience(c: Gathered, p: Gathered) -> np.ndarray:
    return (1.0 - np.exp(-p.hosted / 5.0)).astype(np.float32)


def language(c: Gathered, p: Gathered) -> np.ndarray:
    return _ratio((c.lang & p.lang).count(), c.lang.count(), empty=0.0)


def schedule_person(c: Gathered, p: Gathered) -> np.ndarray:
    return _ratio((c.avail & p.avail).count(), c.avail.count(), empty=0.0)


def guide_experience(c: Gathered, p: Gathered) -> np.ndarray:
    return (1.0 - np.exp(-p.years / 8.0)).astype(np.float32)


def gender(c: Gathered, p: Gathered) -> np.ndarray:
    met = np.where(p.gender < 0, 0.5, (p.gender == c.pref_gender).astype(np.float32))
    return np.where(c.pref_gender < 0, 1.0, met).astype(np.float32)


def lived_experience(c: Gathered, p: Gathered) -> np.ndarray:
    return _ratio((c.peer_exp & p.exp).count(), c.peer_exp.count(), empty=1.0)


def proximity(c: Gathered, p: Gathered) -> np.ndarray:
    km = distance_km(c.xyz, p.xyz)
    value = np.clip(1.0 - km / 30.0, 0.0, 1.0)
    return np.where(p.has_location, np.nan_to_num(value, nan=0.5), 0.5).astype(np.float32)


BUILTIN = FeatureRegistry(
    [
        Feature("skill_fit", "site", skill_fit, both("feature.site.skill_fit")),
        Feature("wished_sector", "site", wished_sector, both("feature.site.wished_sector")),
        Feature("commute", "site", commute, both("feature.site.commute")),
        Feature("schedule", "site", schedule_position, both("feature.site.schedule")),
        Feature("site_experience", "site", site_experience, both("feature.site.site_experience")),
        Feature("language", "guide", language, both("feature.guide.language")),
        Feature("schedule", "guide", guide_shifts, both("feature.guide.schedule"), on="position"),
        Feature("guide_skill", "guide", guide_skill, both("feature.guide.guide_skill"), on="position"),
        Feature("guide_experience", "guide", guide_experience, both("feature.guide.guide_experience")),
        Feature("gender", "guide", gender, both("feature.guide.gender")),
        Feature(
            "lived_experience",
            "peer",
            lived_experience,
            both("feature.peer.lived_experience"),
            ("candidates.peer_experience", "peers.lived_experience"),
        ),
        Feature("language", "peer", language, both("feature.peer.language")),
        Feature("schedule", "peer", schedule_person, both("feature.peer.schedule")),
        Feature("gender", "peer", gender, both("feature.peer.gender")),
        Feature("proximity", "peer", proximity, both("feature.peer.proximity")),
    ]
)
"""The built-in features."""
