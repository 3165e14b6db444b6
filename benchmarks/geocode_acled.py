"""Geocode the real ACLED Mali rows from location + admin1/admin2/admin3 only, then compare.

ACLED's own coordinates are read *after* geocoding, only to score the result. Prints the
share found / ambiguous / not found, and the share of found rows within 5 km and 25 km of
ACLED's point and the high-confidence matches more than 50 km away — over all found rows and
separately over the rows whose own point lies in the admin1/admin2 that ACLED states for it
(a source that contradicts itself cannot score the geocoder: see ``source_agreement``).

Run: .venv/bin/python benchmarks/geocode_acled.py [--show-far N] [--no-admin3]
(``--no-admin3`` leaves the stated commune out, as the geocoder did before it used it.)
Data: $TEMOIN_SHARED_DATA or <repo>/../shared/data (ACLED rows are never copied).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from temoin.core.geo import AdminBoundaries, Gazetteer, GeocodeResult, haversine_km
from temoin.core.intake import ParsedRow, iter_acled


def shared_data() -> Path:
    env = os.environ.get("TEMOIN_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def source_agreement(
    boundaries: AdminBoundaries, latitude: float, longitude: float, admin1: str | None,
    admin2: str | None
) -> tuple[str, str]:
    """Does the source's own point lie in the admin units it states? ("agrees",
    "disagrees" or "unknown", reason). The very check behind the importer's
    ``admin_disagrees`` warning: ``check_stated`` with admin1 and admin2 (the cercle where
    a polygon has that name, else the region), within 5 km counting as inside. (Checking the
    region as well flags no further row of this file: 7 rows disagree either way.)"""
    check = boundaries.check_stated(latitude, longitude, admin1=admin1, admin2=admin2)
    if check.agrees is None:
        return "unknown", check.reason
    return ("agrees" if check.agrees else "disagrees"), check.reason


@dataclass
class Tally:
    """Distances of found rows to the source's point, for one group of rows."""

    found: int = 0
    within5: int = 0
    within25: int = 0
    far: int = 0
    far_high: int = 0

    def add(self, distance: float, label: str) -> None:
        self.found += 1
        self.within5 += distance <= 5
        self.within25 += distance <= 25
        self.far += distance > 50
        self.far_high += distance > 50 and label == "high"

    def share(self, count: int) -> str:
        return f"{count} ({count / max(self.found, 1):.1%})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-far", type=int, default=0, help="print N far matches")
    parser.add_argument("--no-admin3", action="store_true", help="ignore ACLED's admin3")
    args = parser.parse_args()
    data = shared_data()
    started = time.perf_counter()
    gazetteer = Gazetteer.load(data)
    load_seconds = time.perf_counter() - started
    boundaries = gazetteer.boundaries
    assert boundaries is not None
    rows = [
        row
        for row in iter_acled(data / "acled" / "acled_mali_hdx_hxl_1997-2020-07.csv")
        if isinstance(row, ParsedRow)
    ]
    cache: dict[tuple[str, str | None, str | None, str | None], GeocodeResult] = {}
    statuses: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    agreement: Counter[str] = Counter()
    tallies = {"all": Tally(), "agrees": Tally(), "disagrees": Tally(), "unknown": Tally()}
    checked: dict[tuple[float, float, str | None, str | None], tuple[str, str]] = {}
    high_outside_stated = 0
    far: list[tuple[float, str, str | None, str | None, str, str, str]] = []
    started = time.perf_counter()
    for row in rows:
        location = row.event.location
        admin3 = None if args.no_admin3 else location.admin3
        key = (location.name or "", location.admin1, location.admin2, admin3)
        if key not in cache:
            cache[key] = gazetteer.geocode(key[0], admin1=key[1], admin2=key[2], admin3=key[3])
        result = cache[key]
        statuses[result.status] += 1
        best = result.best
        if best is None or location.latitude is None or location.longitude is None:
            continue
        labels[best.confidence_label] += 1
        distance = haversine_km(
            location.latitude, location.longitude, best.place.latitude, best.place.longitude
        )
        point = (location.latitude, location.longitude, key[1], key[2])
        if point not in checked:
            checked[point] = source_agreement(boundaries, *point)
        group, why = checked[point]
        agreement[group] += 1
        tallies["all"].add(distance, best.confidence_label)
        tallies[group].add(distance, best.confidence_label)
        if best.confidence_label == "high":
            ours = boundaries.check_stated(
                best.place.latitude, best.place.longitude, admin1=key[1], admin2=key[2]
            )
            high_outside_stated += ours.agrees is False
        if distance > 50:
            far.append(
                (distance, key[0], key[1], key[2], best.place.name, best.confidence_label,
                 f"ACLED point {group}" + (f": {why}" if group == "disagrees" else "")
                 + f"; ACLED geo_precision {location.geo_precision_code}")
            )  # fmt: skip
    geocode_seconds = time.perf_counter() - started
    total = len(rows)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ACLED rows: {total}  distinct (location, admin1, admin2, admin3): {len(cache)}")
    print(
        f"gazetteer load: {load_seconds:.2f} s  geocoding: {geocode_seconds:.2f} s "
        f"({len(cache) / geocode_seconds:.0f} distinct queries/s)  peak RSS {rss_mb:.0f} MB"
    )
    print("| measure | rows | share |")
    print("|---|---:|---:|")
    for status in ("found", "ambiguous", "not_found"):
        print(f"| {status} | {statuses[status]} | {statuses[status] / total:.1%} |")
    refused = statuses["ambiguous"] + statuses["not_found"]
    print(f"| refused (ambiguous + not found) | {refused} | {refused / total:.1%} |")
    print("confidence labels of found rows:", dict(labels))
    print()
    print("Found rows by whether ACLED's own point lies in ACLED's stated admin1/admin2")
    print("(the check behind the importer's admin_disagrees warning, 5 km tolerance):")
    groups = [("all found rows", "all"), ("ACLED point agrees with its admin units", "agrees"),
              ("ACLED point outside its stated admin units", "disagrees"),
              ("not checkable (no polygon for the stated names)", "unknown")]
    print("| found rows | rows | within 5 km | within 25 km | > 50 km | > 50 km, high |")
    print("|---|---:|---:|---:|---:|---:|")
    for title, name in groups:
        tally = tallies[name]
        print(f"| {title} | {tally.found} | {tally.share(tally.within5)} | "
              f"{tally.share(tally.within25)} | {tally.far} | {tally.far_high} |")
    print(f"high-confidence matches whose *gazetteer* place lies outside the stated "
          f"admin units: {high_outside_stated}")
    for item in sorted(far, reverse=True)[: args.show_far]:
        print(f"  far {item[0]:.0f} km: {item[1]!r} ({item[2]}/{item[3]}) -> {item[4]!r} "
              f"[{item[5]}; {item[6]}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
