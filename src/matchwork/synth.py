"""Realistic synthetic rounds for the province of Mantova, for demos, tests and benchmarks.

The province's five territorial areas (ambiti: Mantova, Castiglione delle
Stiviere, Viadana, Suzzara, Ostiglia) with the real coordinates of their towns;
host firms and cooperative teams in the sectors where type-B cooperatives and
their partners place people (cleaning, green maintenance, logistics, catering,
assembly, retail); candidates referred by the CPS, the SerD, the UEPE and the
social services; guide workers nested in sites; peer supporters with lived
experience; some pairings already in place and some relationships that forbid
a pair.

Everything is drawn from one seeded NumPy generator, so the same arguments give
the same round. Beyond a few thousand candidates the province's map is repeated
(``provinces``), shifted across the country, so that density stays believable
and a national round has national geography.

Examples
--------
>>> from matchwork import synth
>>> rnd = synth.round(300, seed=0)
>>> rnd.summary()["candidates"], rnd.summary()["sites"]
(300, 60)
>>> synth.round(300, seed=0) == rnd
True
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from matchwork import _gc
from matchwork.model.round import Round
from matchwork.model.vocab import Accommodation, Category, LivedExperience, ReferringService, Skill, Slot

__all__ = ["AREAS", "SECTORS", "round"]

ROUND_DATE = dt.date(2026, 2, 2)

# (town, lat, lon) — ISTAT/OSM coordinates of each municipality's centre.
AREAS: dict[str, list[tuple[str, float, float]]] = {
    "Mantova": [
        ("Mantova", 45.1564, 10.7914),
        ("Porto Mantovano", 45.1833, 10.7833),
        ("Curtatone", 45.1536, 10.7211),
        ("Borgo Virgilio", 45.1194, 10.7761),
        ("San Giorgio Bigarello", 45.1681, 10.8447),
        ("Castel d'Ario", 45.1878, 10.9742),
        ("Roverbella", 45.2667, 10.7683),
        ("Marmirolo", 45.2197, 10.7556),
        ("Bagnolo San Vito", 45.0900, 10.8753),
        ("Castellucchio", 45.1497, 10.6483),
    ],
    "Castiglione delle Stiviere": [
        ("Castiglione delle Stiviere", 45.3903, 10.4869),
        ("Guidizzolo", 45.3186, 10.5806),
        ("Medole", 45.3267, 10.5133),
        ("Solferino", 45.3719, 10.5664),
        ("Goito", 45.2531, 10.6711),
        ("Volta Mantovana", 45.3219, 10.6569),
        ("Castel Goffredo", 45.2975, 10.4739),
        ("Asola", 45.2211, 10.4136),
        ("Cavriana", 45.3481, 10.6014),
    ],
    "Viadana": [
        ("Viadana", 44.9267, 10.5200),
        ("Sabbioneta", 44.9986, 10.4903),
        ("Dosolo", 44.9533, 10.6367),
        ("Pomponesco", 44.9306, 10.5961),
        ("Bozzolo", 45.1036, 10.4814),
        ("Marcaria", 45.1219, 10.5328),
        ("Rivarolo Mantovano", 45.0714, 10.4336),
        ("Commessaggio", 45.0372, 10.5442),
    ],
    "Suzzara": [
        ("Suzzara", 44.9925, 10.7444),
        ("Gonzaga", 44.9522, 10.8211),
        ("Pegognaga", 44.9958, 10.8603),
        ("Motteggiana", 45.0311, 10.7625),
        ("Moglia", 44.9333, 10.9122),
        ("San Benedetto Po", 45.0428, 10.9306),
        ("Quistello", 45.0078, 10.9806),
    ],
    "Ostiglia": [
        ("Ostiglia", 45.0703, 11.1364),
        ("Borgo Mantovano", 45.0522, 11.1294),
        ("Sermide e Felonica", 45.0058, 11.2903),
        ("Poggio Rusco", 44.9678, 11.1203),
        ("Serravalle a Po", 45.0711, 11.0986),
        ("Sustinente", 45.0703, 11.0197),
        ("Quingentole", 45.0394, 11.0461),
        ("Magnacavallo", 45.0078, 11.1822),
    ],
}
_AREA_WEIGHTS = np.array([0.36, 0.25, 0.13, 0.14, 0.12])

# sector: (ATECO code, position titles, skills used, skills sometimes required)
SECTORS: dict[str, tuple[str, tuple[str, ...], tuple[Skill, ...], tuple[Skill, ...]]] = {
    "cleaning": (
        "81.21",
        ("addetto pulizie", "addetto sanificazione"),
        (Skill.CLEANING, Skill.LAUNDRY, Skill.WASTE_SORTING),
        (),
    ),
    "green": (
        "81.30",
        ("giardiniere", "manutentore del verde"),
        (Skill.GARDENING, Skill.GARDEN_MACHINERY, Skill.DRIVING_B),
        (Skill.GARDEN_MACHINERY,),
    ),
    "logistics": (
        "52.10",
        ("magazziniere", "addetto al picking"),
        (Skill.WAREHOUSE, Skill.FORKLIFT, Skill.PACKAGING, Skill.DATA_ENTRY),
        (Skill.FORKLIFT,),
    ),
    "catering": (
        "56.29",
        ("aiuto cuoco", "addetto mensa", "lavapiatti"),
        (Skill.FOOD_PREP, Skill.FOOD_HYGIENE, Skill.DISHWASHING, Skill.SERVING),
        (Skill.FOOD_HYGIENE,),
    ),
    "assembly": (
        "27.90",
        ("assemblatore", "addetto confezionamento"),
        (Skill.ASSEMBLY, Skill.PACKAGING, Skill.QUALITY_CHECK),
        (),
    ),
    "retail": (
        "47.11",
        ("addetto scaffali", "cassiere"),
        (Skill.SHELF_STOCKING, Skill.CASH_REGISTER, Skill.CUSTOMER_SERVICE),
        (),
    ),
}
_SECTOR_WEIGHTS = np.array([0.24, 0.2, 0.16, 0.14, 0.14, 0.12])
_OTHER_SKILLS = (Skill.COMPUTER_BASICS, Skill.MAINTENANCE, Skill.PAINTING, Skill.CARPENTRY, Skill.DRIVING_B)

_FIRST = [
    "Anna",
    "Luca",
    "Marco",
    "Giulia",
    "Sara",
    "Paolo",
    "Elena",
    "Davide",
    "Chiara",
    "Matteo",
    "Francesca",
    "Andrea",
    "Laura",
    "Stefano",
    "Silvia",
    "Alessandro",
    "Valentina",
    "Giorgio",
    "Martina",
    "Simone",
    "Ilaria",
    "Fabio",
    "Roberta",
    "Nicola",
    "Federica",
    "Omar",
    "Fatima",
    "Ion",
    "Mihaela",
    "Ahmed",
    "Aisha",
    "Oksana",
    "Bogdan",
    "Amadou",
    "Mariam",
    "Karim",
    "Lucia",
    "Pietro",
    "Rosa",
    "Enrico",
]
_LAST = "BCDFGLMNPRSTVZ"

# category → (share, referring service, lived experience wished of a peer)
_CATEGORIES: tuple[tuple[Category, float, ReferringService, LivedExperience], ...] = (
    (Category.PSYCHIATRIC_TREATMENT, 0.30, ReferringService.CPS, LivedExperience.MENTAL_HEALTH),
    (Category.FORMER_PSYCHIATRIC_INPATIENT, 0.05, ReferringService.CPS, LivedExperience.MENTAL_HEALTH),
    (Category.DRUG_ADDICTION, 0.14, ReferringService.SERD, LivedExperience.SUBSTANCE_USE),
    (Category.ALCOHOLISM, 0.08, ReferringService.SERD, LivedExperience.ALCOHOL),
    (Category.ALTERNATIVE_DETENTION, 0.08, ReferringService.UEPE, LivedExperience.JUSTICE),
    (Category.PHYSICAL_DISABILITY, 0.10, ReferringService.NIL, LivedExperience.DISABILITY),
    (Category.PSYCHIC_DISABILITY, 0.08, ReferringService.NIL, LivedExperience.DISABILITY),
    (Category.SENSORY_DISABILITY, 0.03, ReferringService.NIL, LivedExperience.DISABILITY),
    (Category.MINOR_FAMILY_DIFFICULTY, 0.02, ReferringService.GENITORIALITA, LivedExperience.HOMELESSNESS),
    (Category.SOCIAL_HEALTH_FRAGILITY, 0.12, ReferringService.SOCIALE_ADULTI, LivedExperience.SERIOUS_ILLNESS),
)
_SECOND_LANGUAGES = ("en", "ar", "ro", "fr", "uk", "sq", "ur", "wo", "es", "zh")
_MOBILITY = (("walk", 3.0), ("bike", 8.0), ("public_transport", 18.0), ("car", 30.0))
_SLOT_CODES = [s.value for s in Slot]
_FEATURE_WISHES = ("skill_fit", "wished_sector", "commute", "schedule", "language", "lived_experience")


def _availability(rng: np.random.Generator, n: int) -> np.ndarray:
    """A boolean (n, 14) matrix of half-day slots: mostly weekday patterns."""
    weekdays = np.zeros(14, bool)
    weekdays[:10] = True
    mornings = np.zeros(14, bool)
    mornings[0:10:2] = True
    afternoons = np.zeros(14, bool)
    afternoons[1:10:2] = True
    with_saturday = weekdays.copy()
    with_saturday[10] = True
    patterns = np.stack([weekdays, mornings, afternoons, with_saturday])
    pick = rng.choice(len(patterns), size=n, p=[0.5, 0.25, 0.1, 0.15])
    out = patterns[pick]
    random_rows = rng.random(n) < 0.12
    noise = rng.random((n, 14)) < 0.45
    out = np.where(random_rows[:, None], noise, out)
    empty = ~out.any(axis=1)
    out[empty, 0] = True
    return out


def _lists(mask: np.ndarray, labels: Sequence[str]) -> list[list[str]]:
    """Each row of a boolean matrix as the list of its labels (rows share list objects)."""
    codes = mask.astype(np.int64) @ (1 << np.arange(mask.shape[1], dtype=np.int64))
    cache = {int(c): [labels[j] for j in range(mask.shape[1]) if (int(c) >> j) & 1] for c in np.unique(codes)}
    return [cache[c] for c in codes.tolist()]


def _random_subsets(
    rng: np.random.Generator, n: int, size: int, counts: np.ndarray, widths: np.ndarray | None = None
) -> np.ndarray:
    """A boolean (n, size) matrix with ``counts[i]`` random True cells among the first ``widths[i]`` of row i."""
    keys = rng.random((n, size))
    if widths is not None:
        keys[np.arange(size)[None, :] >= widths[:, None]] = np.inf
    ranks = keys.argsort(axis=1).argsort(axis=1)
    return ranks < np.minimum(counts, size if widths is None else widths)[:, None]


def _locations(
    rng: np.random.Generator, n: int, province: np.ndarray, spread_km: float
) -> tuple[np.ndarray, list[float], list[float], list[str]]:
    """Area index, lat, lon and town name for n people of the given provinces."""
    area = rng.choice(len(AREAS), size=n, p=_AREA_WEIGHTS)
    towns = list(AREAS.values())
    counts = np.array([len(t) for t in towns])
    town_idx = (rng.random(n) * counts[area]).astype(int)
    coords = np.array([[[lat, lon] for _, lat, lon in t] + [[0.0, 0.0]] * (counts.max() - len(t)) for t in towns])
    base = coords[area, town_idx]
    jitter = rng.normal(0.0, spread_km / 111.0, size=(n, 2))
    shift = _province_shift(province)
    lat = base[:, 0] + jitter[:, 0] + shift[:, 0]
    lon = base[:, 1] + jitter[:, 1] / math.cos(math.radians(45.1)) + shift[:, 1]
    flat_names = [name for t in towns for name, _, _ in t]
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    names = [flat_names[k] for k in (offsets[area] + town_idx).tolist()]
    return area, np.round(lat, 5).tolist(), np.round(lon, 5).tolist(), names


def _province_shift(province: np.ndarray) -> np.ndarray:
    """Copies of the province on a grid across Italy, ~140 km apart (no commute crosses)."""
    row, col = np.divmod(province, 6)
    return np.stack([-1.3 * row, -0.4 + 1.8 * col - 2.5 * (row % 2 == 1)], axis=1) * (province > 0)[:, None]


def _area_names(area: np.ndarray, province: np.ndarray) -> list[str]:
    names = list(AREAS)
    return [
        names[a] if p == 0 else f"{names[a]} {p + 1:02d}" for a, p in zip(area.tolist(), province.tolist(), strict=True)
    ]


def _skill_dicts(rng: np.random.Generator, sectors: np.ndarray, counts: np.ndarray) -> list[dict[str, int]]:
    """Skills with levels 1-3, drawn from the pool of each row's sector."""
    keys = list(SECTORS)
    pools = [[s.value for s in (*SECTORS[k][2], *_OTHER_SKILLS[:2])] for k in keys]
    width = max(len(p) for p in pools)
    sizes = np.array([len(p) for p in pools])
    n = len(sectors)
    mask = _random_subsets(rng, n, width, counts, sizes[sectors])
    levels = rng.integers(1, 4, size=(n, width)) * mask
    codes = sectors.astype(np.int64) * 4**width + levels @ (4 ** np.arange(width, dtype=np.int64))
    cache: dict[int, dict[str, int]] = {}
    for code in np.unique(codes).tolist():
        sector, rest = divmod(code, 4**width)
        cache[code] = {pools[sector][j]: (rest // 4**j) % 4 for j in range(width) if (rest // 4**j) % 4}
    return [cache[c] for c in codes.tolist()]


def _languages(rng: np.random.Generator, n: int, p_second: float, p_no_italian: float) -> list[list[str]]:
    second = rng.choice(len(_SECOND_LANGUAGES), size=n)
    has_second = rng.random(n) < p_second
    no_italian = rng.random(n) < p_no_italian
    code = np.where(no_italian, 2, np.where(has_second, 1, 0)) * 16 + second
    cache = {}
    for c in np.unique(code).tolist():
        kind, lang = divmod(c, 16)
        cache[c] = [["it"], ["it", _SECOND_LANGUAGES[lang]], [_SECOND_LANGUAGES[lang]]][kind]
    return [cache[c] for c in code.tolist()]


def _names(rng: np.random.Generator, n: int) -> list[str]:
    first = rng.integers(len(_FIRST), size=n).tolist()
    last = rng.integers(len(_LAST), size=n).tolist()
    return [f"{_FIRST[f]} {_LAST[s]}." for f, s in zip(first, last, strict=True)]


def round(  # noqa: A001 - the public name the issue gives
    n_candidates: int = 300,
    seed: int = 0,
    *,
    n_guides: int | None = None,
    n_sites: int | None = None,
    n_peers: int | None = None,
    provinces: int | None = None,
    date: dt.date = ROUND_DATE,
) -> Round:
    """A realistic synthetic placement round.

    Parameters
    ----------
    n_candidates : int
        Number of candidates, 1 to 200 000.
    seed : int
        Seed of the generator: the same seed gives the same round.
    n_guides, n_sites, n_peers : int, optional
        Sizes of the other lists; by default half, a fifth and a twelfth of the candidates.
    provinces : int, optional
        Copies of the province's map; by default one per 2 500 candidates.
    date : datetime.date
        The round's start date.

    Returns
    -------
    Round
        A validated round, sorted by id.

    Examples
    --------
    >>> rnd = round(50, seed=3)
    >>> {c.area for c in rnd.candidates} <= set(AREAS)
    True
    """
    if not 1 <= n_candidates <= 200_000:
        raise ValueError(f"n_candidates must be between 1 and 200000, got {n_candidates}")
    return _round(n_candidates, seed, n_guides, n_sites, n_peers, provinces, date)


@_gc.paused
def _round(
    n_candidates: int,
    seed: int,
    n_guides: int | None,
    n_sites: int | None,
    n_peers: int | None,
    provinces: int | None,
    date: dt.date,
) -> Round:
    rng = np.random.default_rng(seed)
    n_sites = n_sites if n_sites is not None else max(3, int(0.2 * n_candidates))
    n_guides = n_guides if n_guides is not None else max(n_sites, int(0.5 * n_candidates))
    n_peers = n_peers if n_peers is not None else max(2, int(n_candidates / 12))
    if n_guides < n_sites:
        raise ValueError(f"n_guides ({n_guides}) must be at least n_sites ({n_sites}): every site needs a lead guide")
    provinces = provinces if provinces is not None else max(1, math.ceil(n_candidates / 2500))

    sites, positions_of = _sites(rng, n_sites, provinces)
    guides, guide_site = _guides(rng, n_guides, sites, positions_of)
    operators = _operators(provinces)
    candidates = _candidates(rng, n_candidates, provinces, operators)
    peers = _peers(rng, n_peers, provinces)
    relationships = _relationships(rng, candidates, guides, peers, sites, operators)
    pairings = _pairings(rng, candidates, guides, guide_site, sites, positions_of)
    _exclusions(rng, candidates, guides)
    return Round(
        candidates=candidates,
        guides=guides,
        peers=peers,
        sites=sites,
        relationships=relationships,
        pairings=pairings,
        name=f"synthetic Mantova round (seed {seed})",
        date=date,
    )


def _sites(rng: np.random.Generator, n: int, provinces: int) -> tuple[list[dict[str, Any]], list[list[str]]]:
    province = rng.integers(provinces, size=n)
    area, lat, lon, towns = _locations(rng, n, province, spread_km=1.5)
    areas = _area_names(area, province)
    sector = rng.choice(len(SECTORS), size=n, p=_SECTOR_WEIGHTS)
    coop = rng.random(n) < 0.3
    headcount = np.where(coop, rng.integers(12, 120, size=n), np.round(rng.lognormal(2.6, 1.1, size=n)).astype(int))
    headcount = np.maximum(headcount, 1).tolist()
    tutors = (1 + rng.binomial(2, 0.35, size=n)).tolist()
    hosted = np.where(coop, rng.poisson(8, size=n), rng.poisson(1.2, size=n)).tolist()
    present = rng.binomial(1, 0.25, size=n).tolist()
    offered = _lists(
        _random_subsets(rng, n, len(Accommodation), rng.integers(1, 7, size=n)), [a.value for a in Accommodation]
    )
    n_positions = 1 + rng.binomial(2, 0.35, size=n)
    site_of = np.repeat(np.arange(n), n_positions)
    rank = np.arange(len(site_of)) - np.repeat(np.cumsum(n_positions) - n_positions, n_positions)
    m = len(site_of)
    keys = list(SECTORS)
    pos_sector = sector[site_of]
    used_skills = _skill_dicts(rng, pos_sector, rng.integers(1, 3, size=m))
    wants_min = rng.random(m) < 0.15
    shifts = _lists(_availability(rng, m), _SLOT_CODES)
    hours = rng.choice([12.0, 15.0, 20.0, 25.0, 30.0], size=m).tolist()
    openings = (1 + rng.binomial(2, 0.3, size=m)).tolist()
    positions: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    for k, (i, j) in enumerate(zip(site_of.tolist(), rank.tolist(), strict=True)):
        _, titles, _, required = SECTORS[keys[pos_sector[k]]]
        positions[i].append(
            {
                "id": f"S{i + 1:05d}-P{j + 1}",
                "title": titles[(i + j) % len(titles)],
                "min_skills": {required[0].value: 1} if required and wants_min[k] else {},
                "skills": {key: min(level, 2) for key, level in used_skills[k].items()},
                "shifts": shifts[k],
                "hours_per_week": hours[k],
                "openings": openings[k],
            }
        )
    sites = [
        {
            "id": f"S{i + 1:05d}",
            "name": f"{'Coop.' if coop[i] else 'Ditta'} {towns[i]} {keys[sector[i]]} {i + 1}",
            "kind": "cooperative" if coop[i] else "company",
            "sector": SECTORS[keys[sector[i]]][0],
            "area": areas[i],
            "location": {"lat": lat[i], "lon": lon[i], "municipality": towns[i]},
            "headcount": headcount[i],
            "trainees_present": present[i],
            "company_tutors": tutors[i],
            "accommodations": offered[i],
            "fragile_workers_hosted": hosted[i],
            "positions": positions[i],
        }
        for i in range(n)
    ]
    return sites, [[p["id"] for p in ps] for ps in positions]


def _guides(
    rng: np.random.Generator, n: int, sites: list[dict[str, Any]], positions_of: list[list[str]]
) -> tuple[list[dict[str, Any]], list[int]]:
    n_sites = len(sites)
    # every position gets one lead guide first; the rest go where the headcount is
    first = [(s, p) for s in range(n_sites) for p in range(len(positions_of[s]))][:n]
    weights = np.array([max(s["headcount"], 3) ** 0.5 for s in sites], float)
    extra_sites = rng.choice(n_sites, size=n - len(first), p=weights / weights.sum())
    n_pos = np.array([len(p) for p in positions_of])
    extra_pos = (rng.random(len(extra_sites)) * n_pos[extra_sites]).astype(int)
    placement = first + list(zip(extra_sites.tolist(), extra_pos.tolist(), strict=True))
    codes = [v[0] for v in SECTORS.values()]
    sector_of = np.array([codes.index(s["sector"]) for s in sites])
    site_idx = np.array([s for s, _ in placement])
    skills = _skill_dicts(rng, sector_of[site_idx], rng.integers(1, 4, size=n))
    langs = _languages(rng, n, p_second=0.2, p_no_italian=0.0)
    avail = _lists(_availability(rng, n), _SLOT_CODES)
    names = _names(rng, n)
    can_lead = rng.random(n) < 0.55
    can_lead[: len(first)] = True
    stated = rng.random(n) < 0.5
    max_mentees = rng.integers(1, 5, size=n)
    limit = np.where(stated, max_mentees, 3)
    busy = rng.random(n) < 0.4
    current = np.where(busy, (rng.random(n) * limit).astype(int), 0).tolist()
    gender = rng.choice(np.array(["f", "m"]), size=n).tolist()
    years = np.minimum(np.round(rng.gamma(2.0, 4.0, size=n), 1), 40.0).tolist()
    can_lead_l, stated_l, max_l = can_lead.tolist(), stated.tolist(), max_mentees.tolist()
    guides = [
        {
            "id": f"G{i + 1:06d}",
            "name": names[i],
            "site_id": sites[s]["id"],
            "position_id": positions_of[s][p],
            "skills": skills[i],
            "languages": langs[i],
            "availability": avail[i],
            "gender": gender[i],
            "can_lead": can_lead_l[i],
            "max_mentees": max_l[i] if stated_l[i] else None,
            "current_mentees": current[i],
            "years_experience": years[i],
        }
        for i, (s, p) in enumerate(placement)
    ]
    return guides, [s for s, _ in placement]


def _operators(provinces: int) -> dict[tuple[int, int, str], list[str]]:
    """Care-team professionals of each (province, area, service): three each.

    Their ids are serial numbers: an id naming the service (SerD, CPS…) would tell
    anyone who sees it what care the candidate receives.
    """
    out = {}
    serial = 0
    for p in range(provinces):
        for a, area in enumerate(AREAS):
            for svc in ReferringService:
                out[(p, a, svc.value)] = [f"OP-{area[:3].upper()}{p + 1:02d}-{serial + k:03d}" for k in (1, 2, 3)]
                serial += 3
    return out


def _candidates(
    rng: np.random.Generator, n: int, provinces: int, operators: dict[tuple[int, int, str], list[str]]
) -> list[dict[str, Any]]:
    province = rng.integers(provinces, size=n)
    area, lat, lon, towns = _locations(rng, n, province, spread_km=2.0)
    areas = _area_names(area, province)
    cat_idx = rng.choice(len(_CATEGORIES), size=n, p=[c[1] for c in _CATEGORIES]).tolist()
    no_category = (rng.random(n) < 0.05).tolist()
    mobility = rng.choice(len(_MOBILITY), size=n, p=[0.08, 0.17, 0.45, 0.30])
    commute = np.round(np.array([m[1] for m in _MOBILITY])[mobility] * rng.uniform(0.7, 1.4, size=n), 1).tolist()
    skill_sector = rng.choice(len(SECTORS), size=n, p=_SECTOR_WEIGHTS)
    skills = _skill_dicts(rng, skill_sector, rng.binomial(3, 0.5, size=n))
    codes = [v[0] for v in SECTORS.values()]
    wished_mask = np.zeros((n, len(codes)), bool)
    wished_mask[np.arange(n), skill_sector] = True
    second = rng.integers(len(codes), size=n)
    wished_mask[np.arange(n), second] |= rng.random(n) < 0.4
    wished = _lists(wished_mask, codes)
    langs = _languages(rng, n, p_second=0.25, p_no_italian=0.06)
    avail = _lists(_availability(rng, n), _SLOT_CODES)
    needs = np.where(rng.random(n) < 0.4, rng.integers(1, 3, size=n), 0)
    accommodations = _lists(_random_subsets(rng, n, len(Accommodation), needs), [a.value for a in Accommodation])
    intensity = rng.choice(np.array(["low", "medium", "high"]), size=n, p=[0.3, 0.45, 0.25]).tolist()
    wants_peer = (rng.random(n) < 0.4).tolist()
    pref = rng.choice(np.array(["", "f", "m"]), size=n, p=[0.8, 0.15, 0.05]).tolist()
    wish = np.where(rng.random(n) < 0.2, rng.integers(len(_FEATURE_WISHES), size=n), -1).tolist()
    team_size = (1 + rng.integers(2, size=n)).tolist()
    names = _names(rng, n)
    mobility_l, area_l, province_l = mobility.tolist(), area.tolist(), province.tolist()
    out = []
    for i in range(n):
        category, _, service, experience = _CATEGORIES[cat_idx[i]]
        out.append(
            {
                "id": f"C{i + 1:06d}",
                "name": names[i],
                "area": areas[i],
                "location": {"lat": lat[i], "lon": lon[i], "municipality": towns[i]},
                "max_commute_km": commute[i],
                "mobility": _MOBILITY[mobility_l[i]][0],
                "skills": skills[i],
                "wished_sectors": wished[i],
                "languages": langs[i],
                "availability": avail[i],
                "accommodations": accommodations[i],
                "support_intensity": intensity[i],
                "wants_peer": wants_peer[i],
                "peer_experience": [experience.value] if wants_peer[i] else [],
                "preferred_gender": pref[i] or None,
                "most_important": _FEATURE_WISHES[wish[i]] if wish[i] >= 0 else None,
                "category": None if no_category[i] else category.value,
                "referring_service": service.value,
                "care_team": operators[(province_l[i], area_l[i], service.value)][: team_size[i]],
            }
        )
    return out


def _peers(rng: np.random.Generator, n: int, provinces: int) -> list[dict[str, Any]]:
    province = rng.integers(provinces, size=n)
    area, lat, lon, towns = _locations(rng, n, province, spread_km=2.0)
    areas = _area_names(area, province)
    neighbour = _area_names(rng.integers(len(AREAS), size=n), province)
    two_areas = (rng.random(n) < 0.3).tolist()
    experience = _lists(
        _random_subsets(rng, n, len(LivedExperience), rng.integers(1, 3, size=n)), [e.value for e in LivedExperience]
    )
    langs = _languages(rng, n, p_second=0.25, p_no_italian=0.0)
    avail = _lists(_availability(rng, n), _SLOT_CODES)
    names = _names(rng, n)
    started = [(ROUND_DATE - dt.timedelta(days=d)).isoformat() for d in rng.integers(10, 3 * 365, size=n).tolist()]
    stated = (rng.random(n) < 0.5).tolist()
    hours = rng.choice([4.0, 6.0, 8.0], size=n).tolist()
    in_use = rng.choice([0.0, 0.0, 1.0, 2.0], size=n).tolist()
    gender = rng.choice(np.array(["f", "m"]), size=n).tolist()
    former = rng.choice(np.array(["cps", "serd", "uepe"]), size=n).tolist()
    has_former = (rng.random(n) < 0.5).tolist()
    return [
        {
            "id": f"PS{i + 1:05d}",
            "name": names[i],
            "areas_served": sorted({areas[i], neighbour[i]}) if two_areas[i] else [areas[i]],
            "location": {"lat": lat[i], "lon": lon[i], "municipality": towns[i]},
            "languages": langs[i],
            "availability": avail[i],
            "gender": gender[i],
            "lived_experience": experience[i],
            "hours_per_week": hours[i] if stated[i] else None,
            "hours_in_use": min(in_use[i], hours[i]) if stated[i] else in_use[i],
            "started_on": started[i],
            "former_client_of": [former[i]] if has_former[i] else [],
        }
        for i in range(n)
    ]


def _relationships(
    rng: np.random.Generator,
    candidates: list[dict[str, Any]],
    guides: list[dict[str, Any]],
    peers: list[dict[str, Any]],
    sites: list[dict[str, Any]],
    operators: dict[tuple[int, int, str], list[str]],
) -> list[dict[str, str]]:
    out = []
    used_ops = sorted({op for c in candidates for op in c["care_team"]})
    for peer in peers:
        if used_ops and rng.random() < 0.15:  # a peer still in care with one of the professionals
            out.append({"a": peer["id"], "b": used_ops[int(rng.integers(len(used_ops)))], "kind": "therapeutic"})
    n = len(candidates)
    for kind, partners, share in (
        ("family", guides, 0.01),
        ("conflict", guides, 0.015),
        ("failed_pairing", sites, 0.01),
        ("failed_pairing", peers, 0.005),
    ):
        for i in np.flatnonzero(rng.random(n) < share):
            out.append({"a": candidates[i]["id"], "b": partners[int(rng.integers(len(partners)))]["id"], "kind": kind})
    seen = set()
    unique = []
    for r in out:
        key = (r["a"], r["b"], r["kind"])
        if key not in seen:
            seen.add(key)
            unique.append(r)
    return unique


def _pairings(
    rng: np.random.Generator,
    candidates: list[dict[str, Any]],
    guides: list[dict[str, Any]],
    guide_site: list[int],
    sites: list[dict[str, Any]],
    positions_of: list[list[str]],
) -> list[dict[str, str]]:
    """About 4 % of candidates are already placed (a review round): site and lead guide."""
    out: list[dict[str, str]] = []
    leads_by_site: dict[int, list[int]] = {}
    for g, s in enumerate(guide_site):
        if guides[g]["can_lead"]:
            leads_by_site.setdefault(s, []).append(g)
    sites_by_area: dict[str, list[int]] = {}
    for s, site in enumerate(sites):
        sites_by_area.setdefault(site["area"], []).append(s)
    for i in np.flatnonzero(rng.random(len(candidates)) < 0.04):
        cand = candidates[i]
        options = [s for s in sites_by_area.get(cand["area"], []) if s in leads_by_site]
        if not options:
            continue
        s = options[int(rng.integers(len(options)))]
        g = leads_by_site[s][int(rng.integers(len(leads_by_site[s])))]
        guide = guides[g]
        limit = guide["max_mentees"] if guide["max_mentees"] is not None else 3
        if guide["current_mentees"] >= limit:
            continue
        position = guide["position_id"]
        out.append({"candidate_id": cand["id"], "partner_id": position, "role": "site"})
        out.append({"candidate_id": cand["id"], "partner_id": guide["id"], "role": "lead_guide"})
        guide["current_mentees"] += 1
        sites[s]["trainees_present"] += 1
    return out


def _exclusions(rng: np.random.Generator, candidates: list[dict[str, Any]], guides: list[dict[str, Any]]) -> None:
    for i in np.flatnonzero(rng.random(len(candidates)) < 0.02):
        candidates[i]["excluded_ids"] = [guides[int(rng.integers(len(guides)))]["id"]]
