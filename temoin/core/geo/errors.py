"""Errors raised by the geo core.

A place that cannot be found is *not* an error: :func:`geocode` returns a result whose
status says "not_found" or "ambiguous". These exceptions are for unusable inputs.

Exception tree::

    GeoError                      code="geo_error"
    ├── GazetteerFileError        code="gazetteer_file"   (missing or malformed data file)
    └── CoordinateError           code="bad_coordinate"   (not numbers, NaN, out of range)
"""

from __future__ import annotations

__all__ = ["CoordinateError", "GazetteerFileError", "GeoError"]


class GeoError(Exception):
    """Base of every geo error; ``code`` is stable and safe to show in an API."""

    code = "geo_error"

    def __init__(self, message: str, *, source_name: str | None = None) -> None:
        self.message = message
        self.source_name = source_name
        super().__init__(f"{source_name}: {message}" if source_name else message)


class GazetteerFileError(GeoError):
    """A gazetteer or boundary file is missing or cannot be read."""

    code = "gazetteer_file"


class CoordinateError(GeoError):
    """Coordinates that are not usable numbers."""

    code = "bad_coordinate"
