"""Real Malian places for the scenario generator: GeoNames populated places, or a fallback.

:func:`load_gazetteer` reads the GeoNames Mali dump (``gazetteer/geonames_ML.txt`` under the
shared data folder; CC BY 4.0, "GeoNames, geonames.org") and keeps populated places (feature
class ``P``) that have a region (admin1 ≠ ``00``). The region name comes from
``geonames_ML_admin1_codes.csv``; the cercle (admin level 2) from the geoBoundaries ADM2
polygons when they are available (point in polygon, nearest polygon for border points), else
from the nearest GeoNames ADM2 feature of the same region. When the dump is absent, a built-in
list of 45 real towns (coordinates from the same GeoNames dump) is used.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from temoin.core.scenario.errors import GazetteerError

__all__ = [
    "FALLBACK_TOWNS",
    "MALI_BBOX",
    "REGION_NAMES",
    "Gazetteer",
    "GazetteerPlace",
    "default_shared_data_dir",
    "load_gazetteer",
]

#: (min_lat, max_lat, min_lon, max_lon) of Mali, slightly generous.
MALI_BBOX: tuple[float, float, float, float] = (10.1, 25.1, -12.3, 4.3)

#: GeoNames admin1 code -> region name used by the generator.
REGION_NAMES: dict[str, str] = {
    "01": "Bamako",
    "03": "Kayes",
    "04": "Mopti",
    "05": "Ségou",
    "06": "Sikasso",
    "07": "Koulikoro",
    "08": "Tombouctou",
    "09": "Gao",
    "10": "Kidal",
    "12070575": "Taoudénit",
    "12070577": "Ménaka",
}

_CERCLE_ACCENTS: dict[str, str] = {
    "Segou": "Ségou", "Djenne": "Djenné", "Tenenkou": "Ténenkou", "Niafunke": "Niafunké",
    "Dire": "Diré", "Menaka": "Ménaka", "Abeibara": "Abeïbara", "Kenieba": "Kéniéba",
    "Diema": "Diéma", "Baroueli": "Barouéli", "Dioila": "Dioïla", "Bafoulabe": "Bafoulabé",
    "Yelimane": "Yélimané", "Kolondieba": "Kolondiéba",
}  # fmt: skip

#: Fallback towns: (geonameid, name, admin1 code, cercle, latitude, longitude, population),
#: taken from the GeoNames Mali dump (CC BY 4.0, GeoNames, geonames.org).
FALLBACK_TOWNS: tuple[tuple[int, str, str, str, float, float, int], ...] = (
    (2460596, "Bamako", "01", "Bamako", 12.65, -8.0, 1297281),
    (2455558, "Kati", "07", "Kati", 12.74409, -8.07257, 42922),
    (2454530, "Koulikoro", "07", "Koulikoro", 12.86273, -7.55985, 23919),
    (2453079, "Nara", "07", "Nara", 15.16875, -7.28466, 0),
    (2460546, "Banamba", "07", "Banamba", 13.54773, -7.44808, 30591),
    (2455518, "Kayes", "03", "Kayes", 14.44693, -11.44448, 78406),
    (2455216, "Kita", "03", "Kita", 13.0349, -9.4895, 5769),
    (2452651, "Nioro", "03", "Nioro", 15.22932, -9.59277, 0),
    (2451478, "Ségou", "05", "Ségou", 13.44032, -6.25947, 153349),
    (2452655, "Niono", "05", "Niono", 14.25054, -5.98679, 0),
    (2451778, "San", "05", "San", 13.30335, -4.89562, 24811),
    (2449060, "Tominian", "05", "Tominian", 13.28737, -4.59317, 0),
    (2460013, "Bla", "05", "Bla", 12.95007, -5.76024, 0),
    (2453662, "Markala", "05", "Ségou", 13.68427, -6.07352, 53738),
    (2457671, "Farabougou", "05", "Niono", 14.8921, -6.1414, 0),
    (2450849, "Sokolo", "05", "Niono", 14.7328, -6.1219, 4374),
    (2453348, "Mopti", "04", "Mopti", 14.4843, -4.18296, 108456),
    (2451285, "Sévaré", "04", "Mopti", 14.52742, -4.09344, 0),
    (2460489, "Bandiagara", "04", "Bandiagara", 14.35005, -3.61038, 6853),
    (2460401, "Bankass", "04", "Bankass", 14.0775, -3.51594, 0),
    (2454674, "Koro", "04", "Koro", 14.064, -3.07539, 0),
    (2458334, "Douentza", "04", "Douentza", 15.00155, -2.94978, 8054),
    (2459917, "Boni", "04", "Douentza", 15.07658, -2.21976, 0),
    (2456630, "Hombori", "04", "Douentza", 15.27898, -1.70037, 0),
    (2458589, "Djénné", "04", "Djenné", 13.90608, -4.55332, 22382),
    (2449938, "Ténenkou", "04", "Ténenkou", 14.45722, -4.9169, 7471),
    (2448428, "Youwarou", "04", "Youwarou", 15.3684, -4.2628, 0),
    (2459126, "Diafarabé", "04", "Ténenkou", 14.13814, -5.01781, 0),
    (2450887, "Sofara", "04", "Djenné", 14.01667, -4.23333, 0),
    (2459040, "Diallassagou", "04", "Bankass", 13.7377, -3.6265, 0),
    (2453375, "Mondoro", "04", "Douentza", 14.67619, -1.95127, 0),
    (2458641, "Dioungani", "04", "Koro", 14.31558, -2.7403, 0),
    (2448449, "Yoro", "04", "Koro", 14.27934, -2.13542, 0),
    (2449067, "Timbuktu", "08", "Tombouctou", 16.77348, -3.00742, 32460),
    (2456917, "Goundam", "08", "Goundam", 16.41453, -3.67075, 8456),
    (2452830, "Niafunké", "08", "Niafunké", 15.9322, -3.9906, 6901),
    (2454104, "Léré", "08", "Niafunké", 15.7118, -4.9118, 0),
    (2457163, "Gao", "09", "Gao", 16.27167, -0.04472, 87000),
    (2461003, "Ansongo", "09", "Ansongo", 15.6597, 0.5022, 3000),
    (2459657, "Bourem", "09", "Bourem", 16.955, -0.34861, 0),
    (2453514, "Ménaka", "12070577", "Ménaka", 15.9182, 2.4022, 9110),
    (2596483, "Inékar", "09", "Ménaka", 15.95944, 3.14111, 8714),
    (2455290, "Kidal", "10", "Kidal", 18.44111, 1.40778, 11643),
    (2449893, "Tessalit", "10", "Tessalit", 20.20126, 1.01186, 0),
    (2461247, "Aguelhok", "10", "Tessalit", 19.46139, 0.85889, 0),
    (2451185, "Sikasso", "06", "Sikasso", 11.31755, -5.66654, 144786),
    (2454268, "Koutiala", "06", "Koutiala", 12.39173, -5.46421, 99353),
    (2459775, "Bougouni", "06", "Bougouni", 11.41769, -7.48323, 35450),
)


@dataclass(frozen=True, slots=True)
class GazetteerPlace:
    """A real populated place: GeoNames id, names, coordinates, region and cercle."""

    geonameid: int
    name: str
    asciiname: str
    alternatenames: tuple[str, ...]
    latitude: float
    longitude: float
    admin1_code: str
    region: str
    cercle: str
    population: int


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Populated places grouped by region; ``source`` is ``'geonames'`` or ``'fallback'``."""

    source: str
    places: tuple[GazetteerPlace, ...]
    by_region: dict[str, tuple[GazetteerPlace, ...]]
    region_centroids: dict[str, tuple[float, float]]
    cercle_centroids: dict[tuple[str, str], tuple[float, float]]

    def place_ids(self) -> frozenset[int]:
        """All geonameids (for membership tests)."""
        return frozenset(place.geonameid for place in self.places)


def default_shared_data_dir() -> Path:
    """``$TEMOIN_SHARED_DATA`` or ``<repo>/../shared/data``."""
    repo = Path(__file__).resolve().parents[3]
    return Path(os.environ.get("TEMOIN_SHARED_DATA") or repo.parent / "shared" / "data")


def _in_bbox(lat: float, lon: float) -> bool:
    return MALI_BBOX[0] <= lat <= MALI_BBOX[1] and MALI_BBOX[2] <= lon <= MALI_BBOX[3]


def _centroids(
    places: list[GazetteerPlace],
) -> tuple[dict[str, tuple[float, float]], dict[tuple[str, str], tuple[float, float]]]:
    sums: dict[str, list[float]] = {}
    cercle_sums: dict[tuple[str, str], list[float]] = {}
    for place in places:
        for key, table in ((place.region, sums), ((place.region, place.cercle), cercle_sums)):
            acc = table.setdefault(key, [0.0, 0.0, 0.0])  # type: ignore[arg-type]
            acc[0] += place.latitude
            acc[1] += place.longitude
            acc[2] += 1
    regions = {k: (round(v[0] / v[2], 5), round(v[1] / v[2], 5)) for k, v in sums.items()}
    cercles = {k: (round(v[0] / v[2], 5), round(v[1] / v[2], 5)) for k, v in cercle_sums.items()}
    return regions, cercles


def _assemble(source: str, places: list[GazetteerPlace]) -> Gazetteer:
    if not places:
        raise GazetteerError(f"gazetteer ({source}) has no populated place with a region")
    places.sort(key=lambda p: p.geonameid)
    by_region: dict[str, list[GazetteerPlace]] = {}
    for place in places:
        by_region.setdefault(place.region, []).append(place)
    regions, cercles = _centroids(places)
    return Gazetteer(
        source=source,
        places=tuple(places),
        by_region={k: tuple(v) for k, v in sorted(by_region.items())},
        region_centroids=regions,
        cercle_centroids=cercles,
    )


def _fallback() -> Gazetteer:
    places = [
        GazetteerPlace(gid, name, name, (), lat, lon, a1, REGION_NAMES[a1], cercle, pop)
        for gid, name, a1, cercle, lat, lon, pop in FALLBACK_TOWNS
    ]
    return _assemble("fallback", places)


class _CercleLocator:
    """Cercle of a point: geoBoundaries ADM2 polygons, else nearest GeoNames ADM2 feature."""

    def __init__(
        self, boundaries: Path | None, adm2_rows: list[tuple[str, float, float, str]]
    ) -> None:
        self._adm2 = adm2_rows
        self._polygons: list[tuple[str, object]] = []
        if boundaries is not None and boundaries.exists():
            from shapely.geometry import shape  # local import: shapely only needed here

            data = json.loads(boundaries.read_text(encoding="utf-8"))
            for feature in data["features"]:
                name = str(feature["properties"]["shapeName"])
                self._polygons.append((_CERCLE_ACCENTS.get(name, name), shape(feature["geometry"])))

    def locate(self, lat: float, lon: float, admin1: str) -> str:
        if self._polygons:
            from shapely.geometry import Point

            point = Point(lon, lat)
            best_name, best_distance = "", float("inf")
            for name, polygon in self._polygons:
                distance = polygon.distance(point)  # type: ignore[attr-defined]
                if distance == 0.0:
                    return name
                if distance < best_distance:
                    best_name, best_distance = name, distance
            return best_name
        candidates = [row for row in self._adm2 if row[3] == admin1] or self._adm2
        if not candidates:
            return ""
        name = min(candidates, key=lambda r: (r[1] - lat) ** 2 + (r[2] - lon) ** 2)[0]
        return name


def _clean_adm2_name(name: str) -> str:
    for prefix in ("Cercle de ", "Cercle d’ ", "Cercle d'"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.removesuffix(" Cercle").strip()


def load_gazetteer(
    *, path: Path | None = None, boundaries: Path | None = None, fallback_only: bool = False
) -> Gazetteer:
    """Load real populated places; fall back to :data:`FALLBACK_TOWNS` if the dump is absent.

    ``path`` defaults to ``<shared data>/gazetteer/geonames_ML.txt`` and ``boundaries`` to
    ``<shared data>/boundaries/geoboundaries_MLI_ADM2_simplified.geojson``.
    """
    if fallback_only:
        return _fallback()
    shared = default_shared_data_dir()
    path = path or shared / "gazetteer" / "geonames_ML.txt"
    if boundaries is None:
        boundaries = shared / "boundaries" / "geoboundaries_MLI_ADM2_simplified.geojson"
    if not path.exists():
        return _fallback()
    rows: list[list[str]] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for line_number, row in enumerate(
                csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 1
            ):
                if len(row) < 15:
                    raise GazetteerError(
                        f"{path.name} line {line_number}: {len(row)} columns, expected 19"
                    )
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise GazetteerError(f"{path.name} is not UTF-8: {exc}") from exc
    adm2 = [
        (
            _CERCLE_ACCENTS.get(_clean_adm2_name(r[1]), _clean_adm2_name(r[1])),
            float(r[4]),
            float(r[5]),
            r[10],
        )
        for r in rows
        if r[6] == "A" and r[7] == "ADM2"
    ]
    locator = _CercleLocator(boundaries, adm2)
    places: list[GazetteerPlace] = []
    for r in rows:
        if r[6] != "P" or r[10] not in REGION_NAMES:
            continue
        lat, lon = float(r[4]), float(r[5])
        if not _in_bbox(lat, lon):
            continue
        alternates = tuple(a for a in r[3].split(",") if a and a != r[1])
        places.append(
            GazetteerPlace(
                geonameid=int(r[0]),
                name=r[1],
                asciiname=r[2],
                alternatenames=alternates,
                latitude=lat,
                longitude=lon,
                admin1_code=r[10],
                region=REGION_NAMES[r[10]],
                cercle=locator.locate(lat, lon, r[10]),
                population=int(r[14] or 0),
            )
        )
    return _assemble("geonames", places)
