"""Geocode the real ACLED Mali rows from location + admin1/admin2/admin3 only, then compare.

ACLED's own coordinates are read *after* geocoding, only to score the result. Prints the
share found / ambiguous / not found, the share of found rows within 5 km and 25 km of ACLED's
point, the number of high-confidence matches more than 50 km away, and timings.

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
from pathlib import Path

from temoin.core.geo import Gazetteer, haversine_km
from temoin.core.intake import ParsedRow, iter_acled


def shared_data() -> Path:
    env = os.environ.get("TEMOIN_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-far", type=int, default=0, help="print N far matches")
    parser.add_argument("--no-admin3", action="store_true", help="ignore ACLED's admin3")
    args = parser.parse_args()
    data = shared_data()
    started = time.perf_counter()
    gazetteer = Gazetteer.load(data)
    load_seconds = time.perf_counter() - started
    rows = [
        row
        for row in iter_acled(data / "acled" / "acled_mali_hdx_hxl_1997-2020-07.csv")
        if isinstance(row, ParsedRow)
    ]
    cache: dict[tuple[str, str | None, str | None, str | None], object] = {}
    statuses: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    within5 = within25 = far_high = far_high_self_inconsistent = found = 0
    far: list[tuple[float, str, str | None, str | None, str, str]] = []
    started = time.perf_counter()
    for row in rows:
        location = row.event.location
        admin3 = None if args.no_admin3 else location.admin3
        key = (location.name or "", location.admin1, location.admin2, admin3)
        if key not in cache:
            cache[key] = gazetteer.geocode(key[0], admin1=key[1], admin2=key[2], admin3=key[3])
        result = cache[key]
        statuses[result.status] += 1  # type: ignore[attr-defined]
        best = result.best  # type: ignore[attr-defined]
        if best is None or location.latitude is None or location.longitude is None:
            continue
        found += 1
        labels[best.confidence_label] += 1
        distance = haversine_km(
            location.latitude, location.longitude, best.place.latitude, best.place.longitude
        )
        within5 += distance <= 5
        within25 += distance <= 25
        if distance > 50:
            check = gazetteer.boundaries.check_stated(  # type: ignore[union-attr]
                location.latitude, location.longitude, admin1=key[1], admin2=key[2]
            )
            own = f"ACLED geo_precision {location.geo_precision_code}" + (
                "; ACLED point outside its own stated unit" if check.agrees is False else ""
            )
            far.append(
                (
                    distance,
                    key[0],
                    key[1],
                    key[2],
                    best.place.name,
                    f"{best.confidence_label} {own}",
                )
            )
            far_high += best.confidence_label == "high"
            far_high_self_inconsistent += best.confidence_label == "high" and check.agrees is False
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
    print(
        f"| found, within 5 km of ACLED point | {within5} | {within5 / max(found, 1):.1%} of found |"
    )
    print(f"| found, within 25 km | {within25} | {within25 / max(found, 1):.1%} of found |")
    print(f"| found, > 50 km away | {len(far)} | {len(far) / max(found, 1):.1%} of found |")
    print(
        f"| found, > 50 km away with high confidence | {far_high} | "
        f"{far_high_self_inconsistent} of them: ACLED's point is outside ACLED's own admin2 |"
    )
    print(
        f"| refused (ambiguous + not found) | {statuses['ambiguous'] + statuses['not_found']} | "
        f"{(statuses['ambiguous'] + statuses['not_found']) / total:.1%} |"
    )
    print("confidence labels of found rows:", dict(labels))
    for item in sorted(far, reverse=True)[: args.show_far]:
        print(
            f"  far {item[0]:.0f} km: {item[1]!r} ({item[2]}/{item[3]}) -> {item[4]!r} [{item[5]}]"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
