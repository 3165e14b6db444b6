"""Administrative boundaries: point-in-polygon for regions (ADM1) and cercles (ADM2).

Loads the geoBoundaries GeoJSON files (CRS84, longitude first) and answers: which region and
cercle contain this point; how far is a point from a named unit; does a source's stated
region/cercle agree with its coordinates. Names are compared in normalised form, with the
known spelling differences of the files (``Koulikouro``) folded in. The files use the
pre-2016 frame (no Ménaka or Taoudénit region), so a stated "Ménaka" region is checked
against the Ménaka *cercle*, and "Taoudénit" against the Tombouctou region.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from temoin.core.geo.errors import CoordinateError, GazetteerFileError
from temoin.core.geo.normalise import normalise_name

__all__ = [
    "ADM1_FILE",
    "ADM2_FILE",
    "AdminBoundaries",
    "AdminCheck",
    "AdminLocation",
    "AdminUnit",
    "haversine_km",
]

ADM1_FILE = "geoboundaries_MLI_ADM1_simplified.geojson"
ADM2_FILE = "geoboundaries_MLI_ADM2_simplified.geojson"
_KM_PER_DEGREE = 111.32
_NAME_ALIASES = {
    "koulikouro": "koulikoro",
    "timbuktu": "tombouctou",
    "tumbutu": "tombouctou",
    "tumutu": "tombouctou",
    "sego": "segou",
    "jenne": "djenne",
    "tin essako": "ti n essako",
    "gourma rharous": "gourma rharous",
}
# regions created after the boundary files: checked against a unit of the older frame
_NEW_REGIONS = {"menaka": ("adm2", "menaka"), "taoudenit": ("adm1", "tombouctou"),
                "taoudeni": ("adm1", "tombouctou")}  # fmt: skip


def admin_key(name: str) -> str:
    """Normalised comparison key for an administrative-unit name."""
    base = normalise_name(name).full
    return _NAME_ALIASES.get(base, base)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class AdminUnit:
    """One polygon of a boundary file."""

    level: int  # 1 region, 2 cercle
    name: str
    key: str
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class AdminLocation:
    """The units containing a point (``None`` outside every polygon of that level)."""

    admin1: str | None
    admin2: str | None


@dataclass(frozen=True, slots=True)
class AdminCheck:
    """Agreement between stated admin names and coordinates.

    ``agrees`` is ``None`` when nothing could be checked (no name stated, or a name that
    matches no polygon). ``distance_km`` is the distance from the point to the stated unit
    (0 inside). ``reason`` is a short English sentence for the analyst.
    """

    agrees: bool | None
    level: int | None
    stated: str | None
    found: str | None
    distance_km: float | None
    reason: str


def _validated(latitude: float, longitude: float) -> tuple[float, float]:
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise CoordinateError(f"coordinates {latitude!r}, {longitude!r} are not numbers") from None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        raise CoordinateError(f"coordinates {lat}, {lon} are out of range")
    return lat, lon


class AdminBoundaries:
    """Region and cercle polygons with point-in-polygon and distance queries."""

    def __init__(self, units: list[AdminUnit]) -> None:
        self.units = tuple(units)
        self._by_level = {level: [u for u in units if u.level == level] for level in (1, 2)}
        self._by_key = {(u.level, u.key): u for u in units}
        self._trees = {
            level: shapely.STRtree([u.geometry for u in members])
            for level, members in self._by_level.items()
        }
        self.country = shapely.union_all([u.geometry for u in self._by_level[1]])
        shapely.prepare(self.country)

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> AdminBoundaries:
        """Load the ADM1 and ADM2 GeoJSON files from ``directory``."""
        units: list[AdminUnit] = []
        for level, filename in ((1, ADM1_FILE), (2, ADM2_FILE)):
            path = Path(directory) / filename
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
                for feature in document["features"]:
                    name = str(feature["properties"]["shapeName"])
                    geometry = shape(feature["geometry"])
                    units.append(AdminUnit(level, name, admin_key(name), geometry))
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise GazetteerFileError(
                    f"cannot read boundaries: {error}", source_name=filename
                ) from error
        return cls(units)

    def unit(self, level: int, name: str) -> AdminUnit | None:
        """The unit of ``level`` whose normalised name matches ``name``, if any."""
        return self._by_key.get((level, admin_key(name)))

    def locate(self, latitude: float, longitude: float) -> AdminLocation:
        """Region and cercle containing the point (boundary points count as inside)."""
        lat, lon = _validated(latitude, longitude)
        point = Point(lon, lat)
        names: list[str | None] = []
        for level in (1, 2):
            members = self._by_level[level]
            hits = self._trees[level].query(point, predicate="intersects")
            names.append(members[int(hits[0])].name if len(hits) else None)
        return AdminLocation(admin1=names[0], admin2=names[1])

    def distance_to_unit_km(self, latitude: float, longitude: float, unit: AdminUnit) -> float:
        """Approximate distance from the point to the unit (0 inside), in kilometres."""
        lat, lon = _validated(latitude, longitude)
        point = Point(lon, lat)
        if unit.geometry.covers(point):
            return 0.0
        nearest = nearest_points(unit.geometry, point)[0]
        return haversine_km(lat, lon, nearest.y, nearest.x)

    def contains_country(
        self, latitude: float, longitude: float, *, tolerance_km: float = 0.0
    ) -> bool:
        """Whether the point is inside Mali (the union of the regions), with a tolerance."""
        lat, lon = _validated(latitude, longitude)
        point = Point(lon, lat)
        if self.country.covers(point):
            return True
        if tolerance_km <= 0:
            return False
        return bool(self.country.dwithin(point, tolerance_km / _KM_PER_DEGREE))

    def area_km2(self, unit: AdminUnit) -> float:
        """Approximate area of the unit in km² (degrees² scaled at its centroid's latitude)."""
        centroid = unit.geometry.centroid
        scale = _KM_PER_DEGREE * _KM_PER_DEGREE * math.cos(math.radians(centroid.y))
        return float(unit.geometry.area) * scale

    def resolve_stated(self, *, admin1: str | None, admin2: str | None) -> AdminUnit | None:
        """The most specific polygon named by the stated admin names, if any."""
        if admin2:
            unit = self.unit(2, admin2)
            if unit is not None:
                return unit
        if admin1:
            key = admin_key(admin1)
            if key in _NEW_REGIONS:
                level_name, old_key = _NEW_REGIONS[key]
                return self._by_key.get((2 if level_name == "adm2" else 1, old_key))
            return self.unit(1, admin1)
        return None

    def check_stated(
        self,
        latitude: float,
        longitude: float,
        *,
        admin1: str | None = None,
        admin2: str | None = None,
        tolerance_km: float = 5.0,
    ) -> AdminCheck:
        """Flag a disagreement between a source's stated region/cercle and its coordinates.

        Within ``tolerance_km`` of the stated unit counts as agreeing: the boundary files are
        simplified and sources round coordinates.
        """
        found = self.locate(latitude, longitude)
        unit = self.resolve_stated(admin1=admin1, admin2=admin2)
        if unit is None:
            stated = admin2 or admin1
            reason = "no admin name stated" if stated is None else f"no polygon named {stated!r}"
            return AdminCheck(None, None, stated, None, None, reason)
        found_name = found.admin2 if unit.level == 2 else found.admin1
        distance = self.distance_to_unit_km(latitude, longitude, unit)
        level_word = "cercle" if unit.level == 2 else "region"
        if distance <= tolerance_km:
            return AdminCheck(
                True,
                unit.level,
                unit.name,
                found_name,
                distance,
                f"point is in (or within {tolerance_km:g} km of) {level_word} {unit.name}",
            )
        return AdminCheck(
            False, unit.level, unit.name, found_name, distance,
            f"point is {distance:.1f} km outside stated {level_word} {unit.name}"
            f" (it lies in {found_name or 'no ' + level_word})",
        )  # fmt: skip
