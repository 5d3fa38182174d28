"""Realistic synthetic rounds for the province of Mantova, for demos, tests and benchmarks.

The round a job desk of the Mantova mental-health department runs (seed 003: the
*Sportello Lavoro* of the ASST's DSM, one operator per ambito, people referred
mostly by the CPS), with the cooperative model of seed 002 beside it:

* the province's five territorial areas (ambiti: Mantova, Castiglione delle
  Stiviere, Viadana, Suzzara, Ostiglia) with the real coordinates of their towns,
  sites and peers spread by each area's share of the population, candidates a
  little more in the capital (its services' caseload is larger than its population);
* **host companies** (three sites in four), each with one or two company tutors by
  name (at most three trainees each) and no guide workers, followed by the desk's
  **operator of the area** (caseload cap 20, IPS);
* **type-B cooperative teams** (one site in four), each with its lavoratori guida —
  nearly all trained in the educational relationship, some named as possible
  referente, mostly working their position's shifts — and grouped into
  cooperatives with their L. 381/91 30 % head counts;
* staff given by its parts (permanent, covering fixed-term, apprentices, owners,
  worker-members) for most sites, some with the hiring history of the bonus;
* candidates referred mostly by the CPS, with a few from the SerD, the NIL, the
  social services, the UEPE; peer supporters with lived experience; some pairings
  already in place, some relationships that forbid a pair.

Supply is sized so that most candidates can be placed in a typical round: about
1.3 openings per candidate before the rules (``docs/concepts.md`` says where each
figure comes from, or that it is an assumption).

Everything is drawn from one seeded NumPy generator, so the same arguments give
the same round. Beyond a few thousand candidates the province's map is repeated
(``provinces``), shifted across the country, so that density stays believable
and a national round has national geography.

Examples
--------
>>> from matchwork import synth
>>> rnd = synth.round(300, seed=0)
>>> rnd.summary()["candidates"], rnd.summary()["sites"], rnd.region.value
(300, 135, 'lombardia')
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

__all__ = ["AREAS", "PROFILES", "SECTORS", "round"]

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
# Share of the province's population of each area, in the order of AREAS (Mantova, Castiglione, Viadana,
# Suzzara, Ostiglia): Mantova's health district "più di 156mila" of 407 187 residents (0.38, sourced); the
# other four are assumptions (docs/concepts.md). Sites and peer supporters are spread by these shares.
_AREA_WEIGHTS = np.array([0.38, 0.26, 0.115, 0.145, 0.10])
# Candidates lean to the capital, whose services follow more people than its population share (SerD Mantova
# 2021: 787 of 1 851 patients, 43 %): an assumption reasoned from that figure.
_CANDIDATE_AREA_WEIGHTS = np.array([0.42, 0.24, 0.11, 0.13, 0.10])

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

# category → (share, referring service, lived experience wished of a peer). A mental-health job desk
# (seed 003: "le persone saranno presentate … dai CPS"): 80 % CPS, the rest the other services of seed 002
# that send people to the cooperative's path. Shares within each service are assumptions (docs/concepts.md).
_CATEGORIES: tuple[tuple[Category | None, float, ReferringService, LivedExperience], ...] = (
    (Category.PSYCHIATRIC_TREATMENT, 0.62, ReferringService.CPS, LivedExperience.MENTAL_HEALTH),
    (Category.FORMER_PSYCHIATRIC_INPATIENT, 0.05, ReferringService.CPS, LivedExperience.MENTAL_HEALTH),
    (Category.PSYCHIC_DISABILITY, 0.13, ReferringService.CPS, LivedExperience.MENTAL_HEALTH),
    (Category.DRUG_ADDICTION, 0.05, ReferringService.SERD, LivedExperience.SUBSTANCE_USE),
    (Category.ALCOHOLISM, 0.03, ReferringService.SERD, LivedExperience.ALCOHOL),
    (Category.PHYSICAL_DISABILITY, 0.03, ReferringService.NIL, LivedExperience.DISABILITY),
    (Category.SENSORY_DISABILITY, 0.02, ReferringService.NIL, LivedExperience.DISABILITY),
    (None, 0.03, ReferringService.SOCIALE_ADULTI, LivedExperience.HOMELESSNESS),
    (Category.ALTERNATIVE_DETENTION, 0.02, ReferringService.UEPE, LivedExperience.JUSTICE),
    (Category.MINOR_FAMILY_DIFFICULTY, 0.01, ReferringService.GENITORIALITA, LivedExperience.HOMELESSNESS),
    (Category.INTERNATIONAL_PROTECTION, 0.01, ReferringService.OTHER, LivedExperience.SERIOUS_ILLNESS),
)
# A type-B cooperative's own programme (seed 002, profile "cooperative"): the services of seed 002 refer the
# people; "per le coop di tipo B, l'inserimento lavorativo riguarda soprattutto i disabili" (ISTAT via Vita):
# disabilities 40 %, psychiatric 20 %, addictions 20 %, justice 10 %, other 10 % (assumption, docs/concepts.md).
_COOP_CATEGORIES: tuple[tuple[Category | None, float, ReferringService, LivedExperience], ...] = (
    (Category.PHYSICAL_DISABILITY, 0.17, ReferringService.NIL, LivedExperience.DISABILITY),
    (Category.PSYCHIC_DISABILITY, 0.17, ReferringService.NIL, LivedExperience.DISABILITY),
    (Category.SENSORY_DISABILITY, 0.06, ReferringService.NIL, LivedExperience.DISABILITY),
    (Category.PSYCHIATRIC_TREATMENT, 0.15, ReferringService.CPS, LivedExperience.MENTAL_HEALTH),
    (Category.FORMER_PSYCHIATRIC_INPATIENT, 0.05, ReferringService.CPS, LivedExperience.MENTAL_HEALTH),
    (Category.DRUG_ADDICTION, 0.12, ReferringService.SERD, LivedExperience.SUBSTANCE_USE),
    (Category.ALCOHOLISM, 0.08, ReferringService.SERD, LivedExperience.ALCOHOL),
    (Category.ALTERNATIVE_DETENTION, 0.07, ReferringService.UEPE, LivedExperience.JUSTICE),
    (Category.DETAINED, 0.03, ReferringService.UEPE, LivedExperience.JUSTICE),
    (Category.MINOR_FAMILY_DIFFICULTY, 0.02, ReferringService.GENITORIALITA, LivedExperience.HOMELESSNESS),
    (None, 0.05, ReferringService.SOCIALE_ADULTI, LivedExperience.HOMELESSNESS),
    (Category.INTERNATIONAL_PROTECTION, 0.03, ReferringService.ASP, LivedExperience.SERIOUS_ILLNESS),
)
PROFILES = ("desk", "cooperative")
"""``desk``: the Mantova DSM's job desk (seed 003), host companies with tutors and the desk's operators,
cooperatives beside them; ``cooperative``: a type-B cooperative's own programme (seed 002), its teams only."""
# Lombardy exempts every category above from the trainee limit (DGR X/7763/2018); a person with none counts.
_EXEMPT_IN_LOMBARDY = frozenset(c for cats in (_CATEGORIES, _COOP_CATEGORIES) for c, *_ in cats if c is not None)
_COMPANY_SHARE = 0.75  # host companies among sites (assumption: the desk finds firms; docs/concepts.md)
_PEER_EXPERIENCE = np.array([0.45, 0.15, 0.08, 0.06, 0.06, 0.05, 0.1, 0.05])  # in LivedExperience order
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
    rng: np.random.Generator, n: int, province: np.ndarray, spread_km: float, weights: np.ndarray = _AREA_WEIGHTS
) -> tuple[np.ndarray, list[float], list[float], list[str]]:
    """Area index, lat, lon and town name for n people of the given provinces."""
    area = rng.choice(len(AREAS), size=n, p=weights)
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
    profile: str = "desk",
    region: str | None = "lombardia",
) -> Round:
    """A realistic synthetic placement round of the Mantova job desk, or of a type-B cooperative.

    Parameters
    ----------
    n_candidates : int
        Number of candidates, 1 to 200 000.
    seed : int
        Seed of the generator: the same seed gives the same round.
    n_guides, n_sites, n_peers : int, optional
        Guide workers (at the cooperatives' sites), sites, peer supporters; by
        default a quarter, 45 % and a tenth of the candidates (``cooperative``:
        half, a fifth and a tenth).
    provinces : int, optional
        Copies of the province's map; by default one per 2 500 candidates.
    date : datetime.date
        The round's start date.
    profile : {"desk", "cooperative"}
        ``desk`` (seed 003): the mental-health job desk's round, people mostly from
        the CPS, three sites in four host companies with company tutors, the desk's
        operators per area. ``cooperative`` (seed 002): a type-B cooperative's own
        programme, every site one of its teams with lavoratori guida, people from
        the services of seed 002, no desk operators.
    region : str or None
        The round's region (Mantova is in Lombardy, whose exemptions then apply);
        None for a round judged by the national rules.

    Returns
    -------
    Round
        A validated round (of the ``lombardia`` region by default), sorted by id.

    Examples
    --------
    >>> rnd = round(50, seed=3)
    >>> {c.area for c in rnd.candidates} <= set(AREAS)
    True
    >>> sorted({s.kind.value for s in rnd.sites}), {a for o in rnd.operators for a in o.areas_served} == set(AREAS)
    (['company', 'cooperative'], True)
    """
    if not 1 <= n_candidates <= 200_000:
        raise ValueError(f"n_candidates must be between 1 and 200000, got {n_candidates}")
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}; got {profile!r}")
    return _round(n_candidates, seed, n_guides, n_sites, n_peers, provinces, date, profile, region)


@_gc.paused
def _round(
    n_candidates: int,
    seed: int,
    n_guides: int | None,
    n_sites: int | None,
    n_peers: int | None,
    provinces: int | None,
    date: dt.date,
    profile: str,
    region: str | None,
) -> Round:
    rng = np.random.default_rng(seed)
    desk = profile == "desk"
    n_sites = n_sites if n_sites is not None else max(4, math.ceil((0.45 if desk else 0.2) * n_candidates))
    if desk:
        # a quarter of the sites are cooperative teams: at least one (when there are guide workers), and at least
        # one host company beside it in a round of two sites or more
        n_coops = 0 if n_guides == 0 else max(1, int(np.round(n_sites * (1 - _COMPANY_SHARE))))
        n_coops = min(n_coops, n_sites - 1) if n_sites > 1 else min(n_coops, 1)
    else:
        n_coops = n_sites
    default_guides = max(3 * n_coops, int(0.25 * n_candidates)) if desk else max(n_coops, int(0.5 * n_candidates))
    n_guides = n_guides if n_guides is not None else default_guides
    n_peers = n_peers if n_peers is not None else max(2, n_candidates // 10)
    if n_sites < 1:
        raise ValueError(f"n_sites must be at least 1, got {n_sites}")
    if n_guides < n_coops:
        raise ValueError(
            f"n_guides ({n_guides}) must be at least the cooperatives' sites ({n_coops}): each needs a lead guide"
        )
    provinces = provinces if provinces is not None else max(1, math.ceil(n_candidates / 2500))

    sites, positions_of = _sites(rng, n_sites, n_coops, provinces)
    guides, guide_site = _guides(rng, n_guides, sites, positions_of)
    tutors = _tutors(rng, sites)
    cooperatives = _cooperatives(rng, sites)
    care_teams = _care_teams(provinces)
    operators = _desk_operators(rng, n_candidates, provinces) if desk else []
    candidates = _candidates(rng, n_candidates, provinces, care_teams, _CATEGORIES if desk else _COOP_CATEGORIES)
    peers = _peers(rng, n_peers, provinces)
    relationships = _relationships(rng, candidates, guides, peers, sites, tutors, operators, care_teams)
    pairings = _pairings(rng, candidates, guides, guide_site, sites, positions_of, tutors, operators)
    _dated(pairings, seed, date)
    _exclusions(rng, candidates, guides, tutors)
    return Round(
        candidates=candidates,
        guides=guides,
        peers=peers,
        sites=sites,
        tutors=tutors,
        operators=operators,
        cooperatives=cooperatives,
        relationships=relationships,
        pairings=pairings,
        name=f"synthetic Mantova round (seed {seed})" if desk else f"synthetic Mantova cooperative round (seed {seed})",
        date=date,
        region=region,
        review={"reviewer": _names(rng, 1)[0]},
    )


def _sites(
    rng: np.random.Generator, n: int, n_coops: int, provinces: int
) -> tuple[list[dict[str, Any]], list[list[str]]]:
    province = rng.integers(provinces, size=n)
    area, lat, lon, towns = _locations(rng, n, province, spread_km=1.5)
    areas = _area_names(area, province)
    sector = rng.choice(len(SECTORS), size=n, p=_SECTOR_WEIGHTS)
    coop = np.zeros(n, dtype=bool)
    coop[rng.permutation(n)[:n_coops]] = True
    # staff: host firms are mostly small (median ~10); a cooperative team has 15-120 workers
    staff = np.where(coop, rng.integers(15, 121, size=n), np.maximum(np.round(rng.lognormal(2.3, 1.0, size=n)), 1))
    staff = staff.astype(np.int64)
    permanent = np.maximum(np.round(staff * rng.uniform(0.7, 0.95, size=n)), 1).astype(np.int64)
    fixed_term = rng.binomial(np.maximum(staff - permanent, 0), 0.6)
    apprentices = np.maximum(staff - permanent - fixed_term, 0)
    owners = np.where(coop, 0, np.where(staff <= 15, 1, rng.binomial(1, 0.3, size=n)))
    members = np.where(coop, rng.integers(0, 4, size=n), 0)
    by_parts = rng.random(n) < 0.8  # some sites give one headcount, already counted
    tutors = np.where(coop, 2 + rng.binomial(2, 0.5, size=n), 1 + rng.binomial(1, 0.35, size=n))
    # trainees now: firms rarely host one; a cooperative team often does, mostly exempt (disadvantaged)
    present = np.where(coop, rng.poisson(1.2, size=n), rng.binomial(1, 0.2, size=n))
    present = np.minimum(present, tutors * 3 - 1)
    exempt = rng.binomial(present, np.where(coop, 0.85, 0.5))
    history = (permanent > 20) & (rng.random(n) < 0.7)
    trainees_24m = np.where(history, rng.poisson(2.5, size=n), 0)
    hired_24m = rng.binomial(trainees_24m, 0.45)
    hosted = np.where(coop, rng.poisson(8, size=n), rng.poisson(1.2, size=n)).tolist()
    offered_count = np.where(coop, rng.integers(5, 11, size=n), rng.integers(2, 7, size=n))
    offered = _lists(_random_subsets(rng, n, len(Accommodation), offered_count), [a.value for a in Accommodation])
    n_positions = np.where(coop, 1 + rng.binomial(2, 0.5, size=n), 1 + rng.binomial(1, 0.4, size=n))
    site_of = np.repeat(np.arange(n), n_positions)
    rank = np.arange(len(site_of)) - np.repeat(np.cumsum(n_positions) - n_positions, n_positions)
    m = len(site_of)
    keys = list(SECTORS)
    pos_sector = sector[site_of]
    used_skills = _skill_dicts(rng, pos_sector, rng.integers(1, 3, size=m))
    wants_min = rng.random(m) < 0.12
    shifts = _lists(_availability(rng, m), _SLOT_CODES)
    hours = rng.choice([12.0, 15.0, 20.0, 25.0, 30.0], size=m).tolist()
    openings = np.where(coop[site_of], 1 + rng.binomial(2, 0.45, size=m), 1 + rng.binomial(2, 0.3, size=m)).tolist()
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
    cols = {
        "permanent": permanent.tolist(),
        "fixed": fixed_term.tolist(),
        "apprentices": apprentices.tolist(),
        "owners": owners.tolist(),
        "members": members.tolist(),
        "staff": staff.tolist(),
        "present": present.tolist(),
        "exempt": exempt.tolist(),
        "t24": trainees_24m.tolist(),
        "h24": hired_24m.tolist(),
        "tutors": tutors.tolist(),
    }
    coop_l, by_parts_l, history_l = coop.tolist(), by_parts.tolist(), history.tolist()
    sites = []
    for i in range(n):
        site: dict[str, Any] = {
            "id": f"S{i + 1:05d}",
            "name": f"{'Coop.' if coop_l[i] else 'Ditta'} {towns[i]} {keys[sector[i]]} {i + 1}",
            "kind": "cooperative" if coop_l[i] else "company",
            "sector": SECTORS[keys[sector[i]]][0],
            "area": areas[i],
            "location": {"lat": lat[i], "lon": lon[i], "municipality": towns[i]},
            "trainees_present": cols["present"][i],
            "exempt_trainees_present": cols["exempt"][i],
            "company_tutors": cols["tutors"][i],
            "accommodations": offered[i],
            "fragile_workers_hosted": hosted[i],
            "positions": positions[i],
        }
        if by_parts_l[i]:
            site |= {
                "permanent_employees": cols["permanent"][i],
                "fixed_term_covering": cols["fixed"][i],
                "apprentices": cols["apprentices"][i],
                "owners": cols["owners"][i],
                "worker_members": cols["members"][i],
            }
        else:
            site["headcount"] = cols["permanent"][i] + cols["fixed"][i]
        if history_l[i]:
            site |= {"trainees_24m": cols["t24"][i], "hired_24m": cols["h24"][i]}
        sites.append(site)
    return sites, [[p["id"] for p in ps] for ps in positions]


def _guides(
    rng: np.random.Generator, n: int, sites: list[dict[str, Any]], positions_of: list[list[str]]
) -> tuple[list[dict[str, Any]], list[int]]:
    """Lavoratori guida at the cooperatives' sites: one possible referente per position first, the rest by size."""
    coop_sites = [s for s, site in enumerate(sites) if site["kind"] == "cooperative"]
    first = [(s, p) for s in coop_sites for p in range(len(positions_of[s]))][:n]
    if not coop_sites:
        return [], []
    weights = np.array(
        [max(sites[s].get("permanent_employees", 0) or sites[s].get("headcount", 0), 3) ** 0.5 for s in coop_sites]
    )
    extra_sites = np.array(coop_sites)[rng.choice(len(coop_sites), size=n - len(first), p=weights / weights.sum())]
    n_pos = np.array([len(p) for p in positions_of])
    extra_pos = (rng.random(len(extra_sites)) * n_pos[extra_sites]).astype(int)
    placement = first + list(zip(extra_sites.tolist(), extra_pos.tolist(), strict=True))
    codes = [v[0] for v in SECTORS.values()]
    sector_of = np.array([codes.index(s["sector"]) for s in sites])
    site_idx = np.array([s for s, _ in placement], dtype=np.int64)
    skills = _skill_dicts(rng, sector_of[site_idx], rng.integers(1, 4, size=n))
    langs = _languages(rng, n, p_second=0.2, p_no_italian=0.0)
    names = _names(rng, n)
    # seed 002: every lavoratore guida is trained; a few listed here still wait for the training
    trained = rng.random(n) < 0.92
    can_lead = trained & (rng.random(n) < 0.45)
    trained[: len(first)] = True
    can_lead[: len(first)] = True
    # guides work their position's shifts, mostly; the others keep a pattern of their own
    own = _lists(_availability(rng, n), _SLOT_CODES)
    on_shifts = rng.random(n) < np.where(np.arange(n) < len(first), 0.92, 0.7)
    shifts = {p["id"]: p["shifts"] for site in sites for p in site["positions"]}
    position_ids = [positions_of[s][p] for s, p in placement]
    avail = [shifts[position_ids[i]] if on_shifts[i] else own[i] for i in range(n)]
    stated = rng.random(n) < 0.5
    max_mentees = rng.integers(1, 5, size=n)
    limit = np.where(stated, max_mentees, 3)
    busy = rng.random(n) < 0.35
    current = np.where(busy, (rng.random(n) * limit).astype(int), 0).tolist()
    gender = rng.choice(np.array(["f", "m"]), size=n).tolist()
    years = np.minimum(np.round(rng.gamma(2.0, 4.0, size=n), 1), 40.0).tolist()
    trained_l, can_lead_l, stated_l, max_l = trained.tolist(), can_lead.tolist(), stated.tolist(), max_mentees.tolist()
    guides = [
        {
            "id": f"G{i + 1:06d}",
            "name": names[i],
            "site_id": sites[s]["id"],
            "position_id": position_ids[i],
            "skills": skills[i],
            "languages": langs[i],
            "availability": avail[i],
            "gender": gender[i],
            "trained": trained_l[i],
            "can_lead": can_lead_l[i],
            "max_mentees": max_l[i] if stated_l[i] else None,
            "current_mentees": current[i],
            "years_experience": years[i],
        }
        for i, (s, _) in enumerate(placement)
    ]
    return guides, [s for s, _ in placement]


def _tutors(rng: np.random.Generator, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Company tutors by name at the host firms: the site's count, each with some of its trainees."""
    firms = [s for s, site in enumerate(sites) if site["kind"] == "company"]
    counts = np.array([sites[s]["company_tutors"] for s in firms], dtype=np.int64)
    site_of = np.repeat(np.array(firms, dtype=np.int64), counts)
    n = len(site_of)
    names = _names(rng, n)
    langs = _languages(rng, n, p_second=0.15, p_no_italian=0.0)
    gender = rng.choice(np.array(["f", "m"]), size=n).tolist()
    states_lower = (rng.random(n) < 0.2).tolist()
    # a firm's trainees present are followed by its first tutor(s)
    first = np.r_[True, site_of[1:] != site_of[:-1]] if n else np.zeros(0, bool)
    present = np.array([sites[s]["trainees_present"] for s in site_of.tolist()], dtype=np.int64)
    current = np.where(first, np.minimum(present, 2), 0)
    rest = present - np.minimum(present, 2)
    current = np.where(~first & (rest > 0), np.minimum(rest, 2), current).tolist()
    out = []
    for i, s in enumerate(site_of.tolist()):
        out.append(
            {
                "id": f"T{i + 1:06d}",
                "name": names[i],
                "site_id": sites[s]["id"],
                "languages": langs[i],
                "gender": gender[i],
                "max_trainees": 2 if states_lower[i] and current[i] <= 2 else None,
                "current_trainees": current[i],
            }
        )
    return out


def _cooperatives(rng: np.random.Generator, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The type-B cooperatives the cooperative sites belong to (about four teams each), with their 30 % counts."""
    coops = [s for s, site in enumerate(sites) if site["kind"] == "cooperative"]
    if not coops:
        return []
    n = max(1, math.ceil(len(coops) / 4))
    owner = rng.integers(n, size=len(coops))
    owner[:n] = np.arange(min(n, len(coops)))  # every cooperative has a team
    workers = np.zeros(n, dtype=np.int64)
    for s, o in zip(coops, owner.tolist(), strict=True):
        site = sites[s]
        sites[s]["cooperative_id"] = f"COOP{o + 1:04d}"
        workers[o] += site.get("permanent_employees") or site.get("headcount") or 0
    workers += rng.integers(3, 30, size=n)  # staff of the offices and services that are not sites
    share = rng.uniform(0.26, 0.48, size=n)  # most meet the 30 %; a few are below it
    names = ["Sant'Anselmo", "Il Ponte", "La Quercia", "Alce Nero", "Il Girasole", "Agorà", "Arcobaleno", "Olinda"]
    return [
        {
            "id": f"COOP{i + 1:04d}",
            "name": f"Coop. sociale {names[i % len(names)]}" + (f" {i // len(names) + 1}" if i >= len(names) else ""),
            "workers": int(workers[i]),
            "disadvantaged_workers": int(np.round(workers[i] * share[i])),
            "year": ROUND_DATE.year - 1,
        }
        for i in range(n)
    ]


def _care_teams(provinces: int) -> dict[tuple[int, int, str], list[str]]:
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


def _desk_operators(rng: np.random.Generator, n_candidates: int, provinces: int) -> list[dict[str, Any]]:
    """The job desk's operators: one per area (seed 003), more where a large round needs them.

    A desk operator follows at most 20 people (IPS); about 60 % of a round's
    candidates end at host firms, so an area gets one operator per 12 of them.
    """
    out = []
    names = _names(rng, 5 * provinces * 8)
    k = 0
    for p in range(provinces):
        for a, area in enumerate(AREAS):
            expected = n_candidates / provinces * _CANDIDATE_AREA_WEIGHTS[a] * 0.6
            for j in range(max(1, math.ceil(expected / 12))):
                out.append(
                    {
                        "id": f"SPORTELLO-{area[:3].upper()}{p + 1:02d}-{j + 1:02d}",
                        "name": names[k % len(names)],
                        "areas_served": [area if p == 0 else f"{area} {p + 1:02d}"],
                        "languages": ["it", "en"] if rng.random() < 0.3 else ["it"],
                        "caseload": int(min(rng.poisson(5), 10)),
                    }
                )
                k += 1
    return out


def _candidates(
    rng: np.random.Generator,
    n: int,
    provinces: int,
    care_teams: dict[tuple[int, int, str], list[str]],
    mix: tuple[tuple[Category | None, float, ReferringService, LivedExperience], ...],
) -> list[dict[str, Any]]:
    province = rng.integers(provinces, size=n)
    area, lat, lon, towns = _locations(rng, n, province, spread_km=2.0, weights=_CANDIDATE_AREA_WEIGHTS)
    areas = _area_names(area, province)
    cat_idx = rng.choice(len(mix), size=n, p=[c[1] for c in mix]).tolist()
    no_category = (rng.random(n) < 0.04).tolist()
    mobility = rng.choice(len(_MOBILITY), size=n, p=[0.08, 0.17, 0.45, 0.30])
    commute = np.round(np.array([m[1] for m in _MOBILITY])[mobility] * rng.uniform(0.8, 1.5, size=n), 1).tolist()
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
    needs = rng.choice(3, size=n, p=[0.65, 0.25, 0.10])
    accommodations = _lists(_random_subsets(rng, n, len(Accommodation), needs), [a.value for a in Accommodation])
    intensity = rng.choice(np.array(["low", "medium", "high"]), size=n, p=[0.3, 0.45, 0.25]).tolist()
    wants_peer = (rng.random(n) < 0.4).tolist()
    required = (rng.random(n) < 0.25).tolist()
    pref = rng.choice(np.array(["", "f", "m"]), size=n, p=[0.8, 0.15, 0.05]).tolist()
    wish = np.where(rng.random(n) < 0.2, rng.integers(len(_FEATURE_WISHES), size=n), -1).tolist()
    team_size = (1 + rng.integers(2, size=n)).tolist()
    names = _names(rng, n)
    mobility_l, area_l, province_l = mobility.tolist(), area.tolist(), province.tolist()
    out = []
    for i in range(n):
        category, _, service, experience = mix[cat_idx[i]]
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
                "peer_experience_required": wants_peer[i] and required[i],
                "preferred_gender": pref[i] or None,
                "most_important": _FEATURE_WISHES[wish[i]] if wish[i] >= 0 else None,
                "category": None if no_category[i] or category is None else category.value,
                "referring_service": service.value,
                "care_team": care_teams[(province_l[i], area_l[i], service.value)][: team_size[i]],
            }
        )
    return out


def _peers(rng: np.random.Generator, n: int, provinces: int) -> list[dict[str, Any]]:
    province = rng.integers(provinces, size=n)
    area, lat, lon, towns = _locations(rng, n, province, spread_km=2.0)
    areas = _area_names(area, province)
    neighbour = _area_names(rng.integers(len(AREAS), size=n), province)
    two_areas = (rng.random(n) < 0.3).tolist()
    kinds = rng.choice(len(LivedExperience), size=(n, 2), p=_PEER_EXPERIENCE)
    second = rng.random(n) < 0.4
    mask = np.zeros((n, len(LivedExperience)), dtype=bool)
    mask[np.arange(n), kinds[:, 0]] = True
    mask[np.arange(n)[second], kinds[second, 1]] = True
    experience = _lists(mask, [e.value for e in LivedExperience])
    langs = _languages(rng, n, p_second=0.25, p_no_italian=0.0)
    avail = _lists(_availability(rng, n), _SLOT_CODES)
    names = _names(rng, n)
    started = [(ROUND_DATE - dt.timedelta(days=d)).isoformat() for d in rng.integers(10, 3 * 365, size=n).tolist()]
    stated = (rng.random(n) < 0.5).tolist()
    hours = rng.choice([4.0, 6.0, 8.0], size=n).tolist()
    in_use = rng.choice([0.0, 0.0, 1.0, 2.0], size=n).tolist()
    gender = rng.choice(np.array(["f", "m"]), size=n).tolist()
    former = rng.choice(np.array(["cps", "serd", "uepe"]), size=n, p=[0.6, 0.3, 0.1]).tolist()
    has_former = (rng.random(n) < 0.4).tolist()
    out = []
    for i in range(n):
        used = min(in_use[i], hours[i]) if stated[i] else in_use[i]
        out.append(
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
                "hours_in_use": used,
                "current_people": math.ceil(used / 2) if stated[i] else None,
                "started_on": started[i],
                "former_client_of": [former[i]] if has_former[i] else [],
            }
        )
    return out


def _relationships(
    rng: np.random.Generator,
    candidates: list[dict[str, Any]],
    guides: list[dict[str, Any]],
    peers: list[dict[str, Any]],
    sites: list[dict[str, Any]],
    tutors: list[dict[str, Any]],
    operators: list[dict[str, Any]],
    care_teams: dict[tuple[int, int, str], list[str]],
) -> list[dict[str, str]]:
    out = []
    used_ops = sorted({op for c in candidates for op in c["care_team"]})
    team = [*operators, *guides]
    for peer in peers:
        if used_ops and rng.random() < 0.15:  # a peer still in care with one of the professionals
            out.append({"a": peer["id"], "b": used_ops[int(rng.integers(len(used_ops)))], "kind": "therapeutic"})
        if team and rng.random() < 0.08:  # a peer once in therapy with a desk operator or a guide worker
            out.append({"a": peer["id"], "b": team[int(rng.integers(len(team)))]["id"], "kind": "therapeutic"})
    n = len(candidates)
    for kind, partners, share in (
        ("family", guides, 0.01),
        ("conflict", guides, 0.015),
        ("family", tutors, 0.005),
        ("conflict", tutors, 0.005),
        ("failed_pairing", sites, 0.01),
        ("failed_pairing", peers, 0.005),
    ):
        if not partners:
            continue
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
    tutors: list[dict[str, Any]],
    operators: list[dict[str, Any]],
) -> list[dict[str, str]]:
    """About 6 % of candidates are already placed (a review round): site and lead guide, or site, tutor, operator.

    A placement in place is one the person can hold: a site within their trip, with
    the adjustments they need, a position whose shifts they can work and whose
    required skills they have, and a lead guide or a tutor who speaks their language.
    """
    out: list[dict[str, str]] = []
    leads_by_position: dict[str, list[dict[str, Any]]] = {}
    for g in guides:
        if g["can_lead"] and g["trained"]:
            leads_by_position.setdefault(g["position_id"], []).append(g)
    tutors_by_site: dict[str, list[dict[str, Any]]] = {}
    for t in tutors:
        tutors_by_site.setdefault(t["site_id"], []).append(t)
    operators_by_area: dict[str, list[dict[str, Any]]] = {}
    for o in operators:
        operators_by_area.setdefault(o["areas_served"][0], []).append(o)
    sites_by_area: dict[str, list[int]] = {}
    for s, site in enumerate(sites):
        sites_by_area.setdefault(site["area"], []).append(s)
    lat = np.array([site["location"]["lat"] for site in sites])
    lon = np.array([site["location"]["lon"] for site in sites])
    for i in np.flatnonzero(rng.random(len(candidates)) < 0.06):
        cand = candidates[i]
        in_area = np.array(sites_by_area.get(cand["area"], []), dtype=np.int64)
        if not len(in_area):
            continue
        here = cand["location"]
        km = 111.2 * np.hypot(
            lat[in_area] - here["lat"], (lon[in_area] - here["lon"]) * math.cos(math.radians(here["lat"]))
        )
        needs = set(cand["accommodations"])
        options = [
            int(s) for s in in_area[km < 0.95 * cand["max_commute_km"]] if needs <= set(sites[s]["accommodations"])
        ]
        if not options:
            continue
        langs, avail, skills = set(cand["languages"]), set(cand["availability"]), cand["skills"]
        for s in rng.permutation(options).tolist():  # the first reachable site that can host the person
            site = sites[s]
            held = [
                p
                for p in site["positions"]
                if avail & set(p["shifts"]) and all(skills.get(k, 0) >= v for k, v in p["min_skills"].items())
            ]
            if not held:
                continue
            position = held[int(rng.integers(len(held)))]
            if site["kind"] == "cooperative":
                leads = [
                    g
                    for g in leads_by_position.get(position["id"], [])
                    if langs & set(g["languages"]) and g["current_mentees"] < (g["max_mentees"] or 3)
                ]
                if not leads:
                    continue
                guide = leads[int(rng.integers(len(leads)))]
                out.append({"candidate_id": cand["id"], "partner_id": position["id"], "role": "site"})
                out.append({"candidate_id": cand["id"], "partner_id": guide["id"], "role": "lead_guide"})
                guide["current_mentees"] += 1
            else:
                free = [
                    t
                    for t in tutors_by_site.get(site["id"], [])
                    if langs & set(t["languages"]) and t["current_trainees"] < (t["max_trainees"] or 3)
                ]
                ops = [o for o in operators_by_area.get(cand["area"], []) if o["caseload"] < 20]
                if not free or not ops:
                    continue
                tutor, op = free[0], ops[int(rng.integers(len(ops)))]
                out.append({"candidate_id": cand["id"], "partner_id": position["id"], "role": "site"})
                out.append({"candidate_id": cand["id"], "partner_id": tutor["id"], "role": "tutor"})
                out.append({"candidate_id": cand["id"], "partner_id": op["id"], "role": "operator"})
                tutor["current_trainees"] += 1
                op["caseload"] += 1
            site["trainees_present"] += 1
            if cand["category"] is not None and Category(cand["category"]) in _EXEMPT_IN_LOMBARDY:
                site["exempt_trainees_present"] += 1
            break
    return out


def _dated(pairings: list[dict[str, Any]], seed: int, date: dt.date | str | None) -> None:
    """Each placement in place began 0–150 days before the round (its own generator: the rest is unchanged)."""
    if date is None:
        return
    if isinstance(date, str):  # the round reads its date as given; the pairings need it as a day
        date = dt.date.fromisoformat(date)
    rng = np.random.default_rng([seed, 15])
    start: dict[str, dt.date] = {}
    for p in pairings:
        if p["candidate_id"] not in start:
            start[p["candidate_id"]] = date - dt.timedelta(days=int(rng.integers(0, 151)))
        p["since"] = start[p["candidate_id"]]


def _exclusions(
    rng: np.random.Generator,
    candidates: list[dict[str, Any]],
    guides: list[dict[str, Any]],
    tutors: list[dict[str, Any]],
) -> None:
    people = [*guides, *tutors]
    if not people:
        return
    for i in np.flatnonzero(rng.random(len(candidates)) < 0.02):
        candidates[i]["excluded_ids"] = [people[int(rng.integers(len(people)))]["id"]]
