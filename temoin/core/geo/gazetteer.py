"""The Mali gazetteer: GeoNames places indexed by normalised and phonetic names.

:meth:`Gazetteer.load` reads the GeoNames country dump (``geonames_ML.txt``, 19 tab-separated
columns, no header), the region-code table and, when present, the geoBoundaries files (to
give each place its region and cercle by point-in-polygon, since GeoNames leaves most
villages without an ADM2 code). Administrative-division rows (feature class ``A``) are left
out of the place index: their points are centroids, and "Douentza" must find the town.
Searching is in :mod:`temoin.core.geo.geocode`.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely

from temoin.core.geo.admin import AdminBoundaries, admin_key
from temoin.core.geo.errors import GazetteerFileError
from temoin.core.geo.normalise import NormalisedName, normalise_name, phonetic_key

if TYPE_CHECKING:
    from temoin.core.geo.geocode import GeocodeResult, GeocodeSettings

__all__ = ["GEONAMES_FILE", "ADMIN1_CODES_FILE", "Gazetteer", "Place", "PlaceName"]

GEONAMES_FILE = "geonames_ML.txt"
ADMIN1_CODES_FILE = "geonames_ML_admin1_codes.csv"
_DEFAULT_CLASSES = frozenset({"P", "L", "S", "T", "H", "V"})


@dataclass(frozen=True, slots=True)
class Place:
    """One GeoNames feature, with the admin units it falls in."""

    geonameid: int
    name: str
    alternate_names: tuple[str, ...]
    latitude: float
    longitude: float
    feature_class: str
    feature_code: str
    admin1_code: str
    admin1_name: str | None  # from GeoNames' code (includes Ménaka, Taoudénit)
    population: int
    region: str | None  # ADM1 polygon containing the point (pre-2016 frame)
    cercle: str | None  # ADM2 polygon containing the point


@dataclass(frozen=True, slots=True)
class PlaceName:
    """One searchable name of a place, in comparison form."""

    place_index: int
    original: str
    normalised: NormalisedName
    phonetic: str


def _usable(name: str) -> bool:
    folded = normalise_name(name)
    return len(folded.base) >= 2 and folded.base.replace(" ", "").isascii()


def _find(directory: Path, filename: str, subfolder: str) -> Path:
    for candidate in (directory / filename, directory / subfolder / filename):
        if candidate.is_file():
            return candidate
    raise GazetteerFileError(f"{filename} not found in {directory} or {directory / subfolder}")


class Gazetteer:
    """Places and their name indexes; build with :meth:`load`."""

    def __init__(self, places: list[Place], *, boundaries: AdminBoundaries | None) -> None:
        self.places = tuple(places)
        self.boundaries = boundaries
        self.names: list[PlaceName] = []
        self.by_base: dict[str, list[int]] = {}
        self.by_phonetic: dict[str, list[int]] = {}
        for index, place in enumerate(self.places):
            seen: set[str] = set()
            for original in (place.name, *place.alternate_names):
                if not _usable(original):
                    continue
                normalised = normalise_name(original)
                if normalised.full in seen:
                    continue
                seen.add(normalised.full)
                name_index = len(self.names)
                self.names.append(PlaceName(index, original, normalised, phonetic_key(original)))
                self.by_base.setdefault(normalised.base, []).append(name_index)
                self.by_phonetic.setdefault(self.names[-1].phonetic, []).append(name_index)
        self.base_keys = list(self.by_base)
        self.commune_anchor_cache: dict[tuple[str, str | None, str | None], tuple[Place, ...]] = {}

    @classmethod
    def load(
        cls,
        directory: str | os.PathLike[str],
        *,
        feature_classes: frozenset[str] = _DEFAULT_CLASSES,
        with_boundaries: bool = True,
    ) -> Gazetteer:
        """Load from a folder holding the files, or their ``gazetteer/`` and ``boundaries/``
        subfolders (the layout of the shared data folder)."""
        root = Path(directory)
        geonames_path = _find(root, GEONAMES_FILE, "gazetteer")
        admin1_names = cls._load_admin1(_find(root, ADMIN1_CODES_FILE, "gazetteer"))
        boundaries = None
        if with_boundaries:
            boundary_dir = root / "boundaries" if (root / "boundaries").is_dir() else root
            boundaries = AdminBoundaries.load(boundary_dir)
        rows = cls._read_geonames(geonames_path, feature_classes)
        regions: list[str | None] = [None] * len(rows)
        cercles: list[str | None] = [None] * len(rows)
        if boundaries is not None and rows:
            points = shapely.points(np.array([[row[5], row[4]] for row in rows], dtype=float))
            for level, target in ((1, regions), (2, cercles)):
                units = [unit for unit in boundaries.units if unit.level == level]
                tree = shapely.STRtree([unit.geometry for unit in units])
                point_idx, unit_idx = tree.query(points, predicate="intersects")
                for p, u in zip(point_idx.tolist(), unit_idx.tolist(), strict=True):
                    if target[p] is None:
                        target[p] = units[u].name
        places = [
            Place(
                geonameid=int(row[0]),
                name=row[1],
                alternate_names=tuple(a for a in row[3].split(",") if a and a != row[1]),
                latitude=float(row[4]),
                longitude=float(row[5]),
                feature_class=row[6],
                feature_code=row[7],
                admin1_code=row[10],
                admin1_name=admin1_names.get(row[10]),
                population=int(row[14] or 0),
                region=regions[i],
                cercle=cercles[i],
            )
            for i, row in enumerate(rows)
        ]
        return cls(places, boundaries=boundaries)

    @staticmethod
    def _load_admin1(path: Path) -> dict[str, str]:
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                return {
                    row["admin1_code"]: row["name"].removesuffix(" Region")
                    for row in csv.DictReader(handle)
                }
        except (OSError, KeyError, csv.Error) as error:
            raise GazetteerFileError(f"cannot read: {error}", source_name=path.name) from error

    @staticmethod
    def _read_geonames(path: Path, feature_classes: frozenset[str]) -> list[list[str]]:
        rows = []
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                for line_number, line in enumerate(handle, start=1):
                    cells = line.rstrip("\n").split("\t")
                    if len(cells) != 19:
                        raise GazetteerFileError(
                            f"line {line_number} has {len(cells)} columns, expected 19",
                            source_name=path.name,
                        )
                    if cells[6] in feature_classes:
                        float(cells[4]), float(cells[5])
                        rows.append(cells)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise GazetteerFileError(f"cannot read: {error}", source_name=path.name) from error
        return rows

    def admin_keys(self, place: Place) -> frozenset[str]:
        """Normalised names of every admin unit the place is known to belong to."""
        keys = {admin_key(name) for name in (place.region, place.cercle, place.admin1_name) if name}
        return frozenset(keys)

    def geocode(
        self,
        name: str,
        admin1: str | None = None,
        admin2: str | None = None,
        near: tuple[float, float] | None = None,
        *,
        admin3: str | None = None,
        settings: GeocodeSettings | None = None,
    ) -> GeocodeResult:
        """Shortcut for :func:`temoin.core.geo.geocode.geocode` on this gazetteer."""
        from temoin.core.geo.geocode import geocode

        return geocode(self, name, admin1, admin2, near, admin3=admin3, settings=settings)
