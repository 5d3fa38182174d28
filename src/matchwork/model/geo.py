"""Italian municipalities (comuni) by name or ISTAT code, offline: where a person or a site is.

A placement office knows where people live by their comune, not by latitude and
longitude. matchwork ships ISTAT's list of the 7 896 comuni of 1 January 2026 with a
point for each (``matchwork/data/comuni.csv.gz``, built by ``tools/build_comuni.py``;
sources and licences in ``matchwork/data/NOTICE.md``: ISTAT, GeoNames and Openpolis,
all CC BY 4.0) and looks names up in it without any network.

A municipality is written as

* its name, in any case, with or without accents: ``Sustinente``, ``sermide e felonica``;
  either half of a bilingual name: ``Bozen``;
* its name and province, for the names several provinces share: ``Castro (LE)``,
  ``Castro, BG``;
* its ISTAT code, 2026 or 2017–2025 (Sardinia's codes changed in 2026), with or
  without the leading zeros a spreadsheet drops: ``020064``, ``20064``.

An unknown name raises :class:`MunicipalityError` with the closest names; a name several
provinces share raises it with every one of them.

Examples
--------
>>> c = comune("sustinente")
>>> c.istat, c.display, c.province, round(c.lat, 2), round(c.lon, 2)
('020064', 'Sustinente', 'Mantova', 45.07, 11.02)
>>> comune("20064") == c and comune("Sustinente (MN)") == c
True
>>> comune("Castro").display  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
matchwork.model.geo.MunicipalityError: 'Castro' is the name of 2 comuni: write the province too: Castro (BG), ...
>>> comune("Castro (LE)").display
'Castro (LE)'
>>> comune("Sustinent")
Traceback (most recent call last):
...
matchwork.model.geo.MunicipalityError: 'Sustinent' is not an Italian comune (did you mean Sustinente?)
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import gzip
import io
import re
import unicodedata
from collections import defaultdict
from importlib import resources

from matchwork.model.vocab import suggest

__all__ = ["ATTRIBUTION", "Comune", "MunicipalityError", "comune", "comuni", "normalise"]

ATTRIBUTION = (
    "Comuni: ISTAT, Elenco codici statistici delle unità amministrative territoriali al 1° gennaio 2026 "
    "(CC BY 4.0); coordinates: GeoNames (CC BY 4.0), chosen within Openpolis/ISTAT boundaries (CC BY 4.0)."
)
"""The attribution the shipped table's licences ask for."""

_WITH_PROVINCE = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<p1>[A-Za-z]{2})\)|,\s*(?P<p2>[A-Za-z]{2}))$")


@dataclasses.dataclass(frozen=True)
class Comune:
    """One municipality: ISTAT code, names, province and a point to measure trips from."""

    istat: str
    """ISTAT code as of 1 January 2026 (six digits)."""
    istat_2017_2025: str
    """The code it had from 2017 to 2025 (differs for Sardinia)."""
    name: str
    """The name ISTAT uses (Italian part of a bilingual name)."""
    name_full: str
    """The full name, bilingual where it is: ``Bolzano/Bozen``."""
    sigla: str
    """Province or metropolitan city abbreviation: ``MN``, ``NA``."""
    province: str
    region: str
    lat: float
    lon: float
    coord_source: str
    """How the point was chosen (see ``tools/build_comuni.py``)."""
    homonym: bool = False
    """Whether another comune has the same name (then ``display`` names the province)."""

    @property
    def display(self) -> str:
        """The name to show and to write back: ``Sustinente``, or ``Castro (LE)`` for a shared name."""
        return f"{self.name} ({self.sigla})" if self.homonym else self.name


class MunicipalityError(ValueError):
    """A municipality that is not in the table, or a name several provinces share.

    Attributes
    ----------
    value : str
        What was written.
    kind : {"unknown", "ambiguous"}
    options : tuple of str
        For ``ambiguous``: every comune of that name, with its province; for
        ``unknown``: the closest names (possibly none).
    """

    def __init__(self, value: str, kind: str, options: tuple[str, ...]):
        self.value, self.kind, self.options = value, kind, options
        if kind == "ambiguous":
            message = f"{value!r} is the name of {len(options)} comuni: write the province too: {', '.join(options)}"
        else:
            hint = f" (did you mean {' or '.join(options)}?)" if options else ""
            message = f"{value!r} is not an Italian comune{hint}"
        super().__init__(message)


def normalise(name: str) -> str:
    """A name as it is compared: no accents, case, apostrophes, hyphens or double spaces.

    >>> normalise("  Sant'Angelo  Lodigiano ")
    'sant angelo lodigiano'
    """
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(plain.replace("'", " ").replace("’", " ").replace("-", " ").split())


@functools.cache
def _table() -> tuple[tuple[Comune, ...], dict[str, Comune], dict[str, list[Comune]], dict[str, list[Comune]]]:
    raw = resources.files("matchwork").joinpath("data/comuni.csv.gz").read_bytes()
    # the csv module reads every cell as text: the comune "None" and the province "NA" (Napoli) stay themselves
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8"))))
    counts: defaultdict[str, int] = defaultdict(int)
    for r in rows:
        counts[normalise(r["name"])] += 1
    table = tuple(
        Comune(
            istat=r["istat"],
            istat_2017_2025=r["istat_2017_2025"],
            name=r["name"],
            name_full=r["name_full"],
            sigla=r["sigla"],
            province=r["province"],
            region=r["region"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            coord_source=r["coord_source"],
            homonym=counts[normalise(r["name"])] > 1,
        )
        for r in rows
    )
    by_code = {c.istat_2017_2025: c for c in table} | {c.istat: c for c in table}
    exact: defaultdict[str, list[Comune]] = defaultdict(list)
    loose: defaultdict[str, list[Comune]] = defaultdict(list)
    for c in table:
        for name in {c.name, c.name_full, *c.name_full.split("/")}:
            if c not in exact[name.casefold()]:
                exact[name.casefold()].append(c)
            if c not in loose[normalise(name)]:
                loose[normalise(name)].append(c)
    return table, by_code, dict(exact), dict(loose)


def comuni() -> tuple[Comune, ...]:
    """Every comune of the shipped table, by ISTAT code.

    >>> len(comuni()), comuni()[0].name
    (7896, 'Agliè')
    """
    return _table()[0]


@functools.lru_cache(maxsize=8192)
def comune(text: str | int) -> Comune:
    """The comune written as ``text``: a name, a name with its province, or an ISTAT code.

    Raises
    ------
    MunicipalityError
        Unknown (with the closest names) or shared by several provinces (with each of them).
    """
    _, by_code, exact, loose = _table()
    written = str(text).strip()
    if written.isdigit() and len(written) <= 6:
        found = by_code.get(written.zfill(6))
        if found is None:
            raise MunicipalityError(written, "unknown", ())
        return found
    province = None
    m = _WITH_PROVINCE.match(written)
    if m:
        written, province = m["name"].strip(), (m["p1"] or m["p2"]).upper()
    hits = exact.get(written.casefold()) or loose.get(normalise(written), [])
    if province is not None:
        hits = [c for c in hits if c.sigla == province]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        # Paterno (PZ) and Paternò (CT) collide only without accents: the exact spelling decides
        raise MunicipalityError(str(text).strip(), "ambiguous", tuple(f"{c.name} ({c.sigla})" for c in hits))
    raise MunicipalityError(str(text).strip(), "unknown", _closest(written))


def _closest(written: str) -> tuple[str, ...]:
    loose = _table()[3]
    key = suggest(normalise(written), list(loose))
    if key is None:
        return ()
    return tuple(c.display for c in loose[key])
