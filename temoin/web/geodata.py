"""Offline geography for the map and the place autocomplete, read at run time (never
fetched): the geoBoundaries ADM1/ADM2 outlines (CC BY 4.0), simplified further and cached in
memory, and the GeoNames gazetteer through ``temoin.core.geo.gazetteer``.

The files are looked up in ``$TEMOIN_HOME/geodata/`` first, then in the shared data folder
(``TEMOIN_SHARED_DATA``), each either flat or with ``boundaries/`` and ``gazetteer/``
subfolders."""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import shapely
from django.conf import settings
from shapely.geometry import mapping, shape

from temoin.core.geo.gazetteer import Gazetteer
from temoin.core.geo.normalise import normalise_name

BOUNDARY_FILES = {1: "geoboundaries_MLI_ADM1_simplified.geojson",
                  2: "geoboundaries_MLI_ADM2_simplified.geojson"}
ATTRIBUTION = ("Limites : geoBoundaries (CC BY 4.0), DNCT / OCHA Mali · "
               "Lieux : GeoNames (CC BY 4.0)")


def data_roots() -> list[Path]:
    return [Path(settings.TEMOIN_HOME) / "geodata", Path(settings.SHARED_DATA_DIR)]


def _find(filename: str, subfolder: str) -> Path | None:
    for root in data_roots():
        for candidate in (root / filename, root / subfolder / filename):
            if candidate.is_file():
                return candidate
    return None


@lru_cache(maxsize=2)
def boundaries_geojson(level: int) -> bytes:
    """Region (1) or cercle (2) outlines, simplified to ~1 km and rounded, as GeoJSON bytes
    (an empty collection when the files are not installed)."""
    path = _find(BOUNDARY_FILES[level], "boundaries")
    if path is None:
        return b'{"type":"FeatureCollection","features":[],"missing":true}'
    source = json.loads(path.read_text(encoding="utf-8"))
    tolerance = 0.02 if level == 1 else 0.01
    features = []
    for feature in source["features"]:
        geometry = shapely.set_precision(
            shape(feature["geometry"]).simplify(tolerance, preserve_topology=True), 0.001)
        features.append({"type": "Feature", "geometry": mapping(geometry),
                         "properties": {"name": feature["properties"].get("shapeName", "")}})
    return json.dumps({"type": "FeatureCollection", "features": features,
                       "attribution": ATTRIBUTION}, separators=(",", ":"),
                      ensure_ascii=False).encode()


@lru_cache(maxsize=1)
def cercle_centres() -> dict[str, tuple[float, float]]:
    """Folded cercle / region name → (lat, lon) of a point inside its outline."""
    out: dict[str, tuple[float, float]] = {}
    for level in (1, 2):
        for feature in json.loads(boundaries_geojson(level)).get("features", []):
            point = shape(feature["geometry"]).representative_point()
            out[f"{level}:{normalise_name(feature['properties']['name']).full}"] = (
                round(point.y, 4), round(point.x, 4))
    return out


_gazetteer_lock = threading.Lock()
_gazetteer: list[Gazetteer | None] = []


def gazetteer() -> Gazetteer | None:
    """The populated places of the GeoNames file, loaded once (None when not installed)."""
    with _gazetteer_lock:
        if not _gazetteer:
            path = _find("geonames_ML.txt", "gazetteer")
            _gazetteer.append(None if path is None else Gazetteer.load(
                path.parent.parent if path.parent.name == "gazetteer" else path.parent,
                feature_classes=frozenset({"P"})))
        return _gazetteer[0]


def gazetteer_suggest(term: str, *, limit: int = 10) -> list[dict[str, Any]]:
    gaz = gazetteer()
    folded = normalise_name(term).full
    if gaz is None or len(folded) < 2:
        return []
    hits: dict[int, Any] = {}
    for name in gaz.names:
        if name.normalised.full.startswith(folded) and name.place_index not in hits:
            hits[name.place_index] = name
    places = sorted((gaz.places[i] for i in hits), key=lambda p: -p.population)[:limit]
    return [{"place_name": p.name, "admin1": p.region or p.admin1_name or "",
             "admin2": p.cercle or "", "latitude": p.latitude, "longitude": p.longitude,
             "geonameid": p.geonameid, "geo_precision": "exact", "source": "geonames"}
            for p in places]
