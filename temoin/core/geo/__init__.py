"""Mali geography without Django: gazetteer, name normalisation, geocoding, admin polygons.

Typical use::

    gazetteer = Gazetteer.load(shared_data_dir)          # GeoNames + geoBoundaries
    result = gazetteer.geocode("Ogossagou-Peulh", admin1="Mopti", admin2="Bankass")
    if result.found: result.best.place.latitude, result.best.confidence
    gazetteer.boundaries.check_stated(lat, lon, admin1="Gao")   # region vs coordinates
    check_coordinates(lat, lon, boundaries=gazetteer.boundaries)  # inside Mali? swapped?
"""

from temoin.core.geo.admin import (
    AdminBoundaries,
    AdminCheck,
    AdminLocation,
    AdminUnit,
    haversine_km,
)
from temoin.core.geo.coords import CoordinateCheck, check_coordinates
from temoin.core.geo.errors import CoordinateError, GazetteerFileError, GeoError
from temoin.core.geo.gazetteer import Gazetteer, Place
from temoin.core.geo.geocode import Candidate, GeocodeResult, GeocodeSettings, geocode
from temoin.core.geo.normalise import NormalisedName, normalise_name, phonetic_key

__all__ = [
    "AdminBoundaries",
    "AdminCheck",
    "AdminLocation",
    "AdminUnit",
    "Candidate",
    "CoordinateCheck",
    "CoordinateError",
    "Gazetteer",
    "GazetteerFileError",
    "GeoError",
    "GeocodeResult",
    "GeocodeSettings",
    "NormalisedName",
    "Place",
    "check_coordinates",
    "geocode",
    "haversine_km",
    "normalise_name",
    "phonetic_key",
]
