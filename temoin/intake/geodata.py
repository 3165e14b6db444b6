"""Geodata for the geocoder: the GeoNames Mali dump and the geoBoundaries region/cercle
files in ``TEMOIN_HOME/geodata`` (installed by ``temoin geodata install``), and a cached
:class:`temoin.core.geo.Gazetteer` over them.

Downloads come from the official sources (below). This machine has no internet, so only
``--from DIR`` is tested; the download path builds the same files (unzips GeoNames' ML.zip,
renames the geoBoundaries files) and is then loaded the same way.
"""

from __future__ import annotations

import csv
import io
import shutil
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from temoin.core.geo import Gazetteer
from temoin.core.geo.gazetteer import ADMIN1_CODES_FILE, GEONAMES_FILE

GEONAMES_URL = "https://download.geonames.org/export/dump/ML.zip"
GEOBOUNDARIES_URLS = {
    "geoboundaries_MLI_ADM1_simplified.geojson":
        "https://github.com/wmgeolab/geoBoundaries/raw/main/releaseData/gbOpen/MLI/ADM1/"
        "geoBoundaries-MLI-ADM1_simplified.geojson",
    "geoboundaries_MLI_ADM2_simplified.geojson":
        "https://github.com/wmgeolab/geoBoundaries/raw/main/releaseData/gbOpen/MLI/ADM2/"
        "geoBoundaries-MLI-ADM2_simplified.geojson",
}
ATTRIBUTION = ("GeoNames, geonames.org (CC BY 4.0); geoBoundaries (Runfola et al. 2020), "
               "OCHA/DNCT (CC BY 4.0)")
_cache: dict[str, Gazetteer] = {}


@dataclass(frozen=True)
class InstallResult:
    folder: Path
    files: dict[str, int]  # name → bytes
    places: int


def geodata_dir() -> Path:
    return Path(settings.TEMOIN_HOME) / "geodata"


def installed(folder: Path | None = None) -> bool:
    root = folder or geodata_dir()
    return (root / "gazetteer" / GEONAMES_FILE).is_file() and (root / "boundaries").is_dir()


def _find(root: Path, name: str) -> Path:
    for candidate in (root / name, root / "gazetteer" / name, root / "boundaries" / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{name} not found in {root}")


def install_from(source: Path, *, target: Path | None = None) -> InstallResult:
    """Copy the files from a folder laid out like ``../shared/data`` (or flat), then load
    them once to check they are usable (a broken file is refused before it replaces anything)."""
    target = target or geodata_dir()
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "gazetteer").mkdir(parents=True)
    (staging / "boundaries").mkdir(parents=True)
    files = {}
    for name in (GEONAMES_FILE, ADMIN1_CODES_FILE):
        shutil.copyfile(_find(source, name), staging / "gazetteer" / name)
        files[name] = (staging / "gazetteer" / name).stat().st_size
    for name in GEOBOUNDARIES_URLS:
        shutil.copyfile(_find(source, name), staging / "boundaries" / name)
        files[name] = (staging / "boundaries" / name).stat().st_size
    gazetteer = Gazetteer.load(staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    _cache.clear()
    return InstallResult(folder=target, files=files, places=len(gazetteer.places))


def _fetch(url: str) -> bytes:  # pragma: no cover - no internet on the build machine
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (fixed https URLs)
        return bytes(response.read())


def download(*, workdir: Path) -> Path:  # pragma: no cover - no internet on the build machine
    """Fetch the official files into ``workdir`` (flat layout) for :func:`install_from`.

    GeoNames' ML.zip holds ML.txt (the dump); the admin1 names come from the dump's ADM1 rows.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(_fetch(GEONAMES_URL))) as archive:
        (workdir / GEONAMES_FILE).write_bytes(archive.read("ML.txt"))
    with open(workdir / GEONAMES_FILE, encoding="utf-8") as dump, \
            open(workdir / ADMIN1_CODES_FILE, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["admin1_code", "name"])
        for line in dump:
            cells = line.rstrip("\n").split("\t")
            if len(cells) == 19 and cells[7] == "ADM1":
                writer.writerow([cells[10], cells[1]])
    for name, url in GEOBOUNDARIES_URLS.items():
        (workdir / name).write_bytes(_fetch(url))
    return workdir


def gazetteer(folder: Path | None = None) -> Gazetteer | None:
    """The installed gazetteer (loaded once per process), or ``None`` when not installed."""
    root = folder or geodata_dir()
    key = str(root.resolve())
    if key not in _cache:
        if not installed(root):
            return None
        _cache[key] = Gazetteer.load(root)
    return _cache[key]
