"""Benchmark the synthetic Mali scenario generator: time and peak memory by size.

Each measurement runs in its own subprocess so that its peak RSS (``ru_maxrss``) is its own.
Modes:
  iterate      stream every bundle and count records (no output)
  write_csv    stream to CSV files with :func:`write_scenario` (temporary directory)
  materialise  BASELINE: ``list(scenario.bundles())`` — everything held in memory at once

The "target" row is sized for the issue's benchmark load (≈100k events, ≈300k acts, ≈1M
person records): 27,500 incidents with ``victim_scale=4``.

Usage: python benchmarks/scenario_generate.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _measure(mode: str, n: int, victim_scale: float) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from temoin.core.scenario import generate, write_scenario

    scenario = generate(2026, n_incidents=n, victim_scale=victim_scale)
    start = time.perf_counter()
    reports = acts = persons = 0
    if mode == "write_csv":
        with tempfile.TemporaryDirectory() as directory:
            rows = write_scenario(scenario, Path(directory), format="csv").rows
            size = sum(p.stat().st_size for p in Path(directory).iterdir())
        reports, acts, persons = rows["reports"], rows["acts"], rows["persons"]
    elif mode == "materialise":
        everything = list(scenario.bundles())
        size = 0
        reports = sum(len(b.reports) for b in everything)
        acts = sum(len(b.acts) for b in everything)
        persons = sum(len(b.persons) for b in everything)
    else:
        size = 0
        for bundle in scenario.bundles():
            reports += len(bundle.reports)
            acts += len(bundle.acts)
            persons += len(bundle.persons)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"reports": reports, "acts": acts, "persons": persons, "seconds": seconds,
            "peak_mb": peak_mb, "output_mb": size / 2**20}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "N", "SCALE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, n, scale = args.child
        print(json.dumps(_measure(mode, int(n), float(scale))))
        return
    plan = [("iterate", 1000, 1.0), ("iterate", 10000, 1.0), ("materialise", 10000, 1.0),
            ("write_csv", 1000, 1.0), ("write_csv", 10000, 1.0)]  # fmt: skip
    if not args.quick:
        plan += [("iterate", 100000, 1.0), ("write_csv", 27500, 4.0)]
    header = (f"{'mode':<12} {'incidents':>9} {'scale':>5} {'reports':>9} {'acts':>9} {'persons':>9} "
              f"{'seconds':>8} {'µs/person':>9} {'peak MB':>8} {'out MB':>7}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for mode, n, scale in plan:
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(n), str(scale)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        r = json.loads(out.stdout)
        per_person = r["seconds"] / max(1, r["persons"]) * 1e6
        label = "target" if (mode, n) == ("write_csv", 27500) else ""
        print(f"{mode:<12} {n:>9} {scale:>5} {r['reports']:>9} {r['acts']:>9} {r['persons']:>9} "
              f"{r['seconds']:>8.1f} {per_person:>9.1f} {r['peak_mb']:>8.0f} {r['output_mb']:>7.1f} {label}")  # fmt: skip


if __name__ == "__main__":
    main()
