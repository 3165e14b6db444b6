"""Coordinate validation: usable numbers, inside Mali, and swapped latitude/longitude.

Without boundary polygons the check uses Mali's bounding box (lat 10.1–25.1, lon −12.3–4.3);
with :class:`AdminBoundaries` it uses the country outline with a tolerance. A point outside
whose swap (lon, lat) falls inside is reported as ``"swapped"`` with the corrected pair —
as a *suggestion*: the caller decides, nothing is changed silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from temoin.core.geo.admin import AdminBoundaries

__all__ = ["MALI_BBOX", "CoordinateCheck", "check_coordinates"]

MALI_BBOX = (10.1, -12.3, 25.1, 4.3)  # south, west, north, east


@dataclass(frozen=True, slots=True)
class CoordinateCheck:
    """``status``: "ok", "missing", "invalid", "zero", "outside_mali" or "swapped"."""

    status: str
    message: str
    suggested: tuple[float, float] | None = None

    @property
    def ok(self) -> bool:
        """True only for a usable point inside Mali."""
        return self.status == "ok"


def _inside(
    lat: float, lon: float, boundaries: AdminBoundaries | None, tolerance_km: float
) -> bool:
    if boundaries is not None:
        return boundaries.contains_country(lat, lon, tolerance_km=tolerance_km)
    south, west, north, east = MALI_BBOX
    return south <= lat <= north and west <= lon <= east


def check_coordinates(
    latitude: float | str | None,
    longitude: float | str | None,
    *,
    boundaries: AdminBoundaries | None = None,
    tolerance_km: float = 10.0,
) -> CoordinateCheck:
    """Validate a point stated for an event in Mali (see module docstring)."""
    if latitude in (None, "") and longitude in (None, ""):
        return CoordinateCheck("missing", "no coordinates")
    try:
        lat = float(latitude)  # type: ignore[arg-type]  # None handled by the except
        lon = float(longitude)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return CoordinateCheck(
            "invalid", f"coordinates {latitude!r}, {longitude!r} are not numbers"
        )
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return CoordinateCheck("invalid", f"coordinates {lat}, {lon} are out of range")
    if lat == 0 and lon == 0:
        return CoordinateCheck("zero", "coordinates 0, 0 (a placeholder, not a place)")
    if _inside(lat, lon, boundaries, tolerance_km):
        return CoordinateCheck("ok", "inside Mali")
    if abs(lon) <= 90 and _inside(lon, lat, boundaries, tolerance_km):
        return CoordinateCheck(
            "swapped", f"{lat}, {lon} is outside Mali but {lon}, {lat} is inside: swapped?",
            suggested=(lon, lat),
        )  # fmt: skip
    return CoordinateCheck("outside_mali", f"{lat}, {lon} is outside Mali")
