"""Benchmark of temoin.core.auditchain: building and verifying a hash chain.

Prints one table: time and peak memory to build and to verify chains of growing
size, beside the named baseline measured in the same run: plain ``hashlib.sha256``
of the same canonical payload bytes (no chaining, no checks), i.e. the least any
verifier must do.  Synthetic audit payloads.

Usage:  .venv/bin/python benchmarks/auditchain.py [--sizes 10000 100000 300000]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from temoin.core.auditchain import ChainEntry, canonical_json, next_entry, verify_chain  # noqa: E402


def payload(i: int) -> dict[str, object]:
    return {
        "actor": f"synthetic-user-{i % 50}",
        "action": "person.update" if i % 3 else "event.create",
        "object_type": "event",
        "object_id": f"E-{i:07d}",
        "at": f"2026-11-27T09:{i % 60:02d}:{i % 60:02d}+00:00",
        "ip": f"10.0.{i % 256}.{i % 200}",
        "why": "synthetic correction",
        "changes": {"title": ["ancien titre", "nouveau titre"], "status": ["draft", "verified"]},
    }


def build(n: int) -> list[ChainEntry]:
    chain: list[ChainEntry] = []
    previous: ChainEntry | None = None
    for i in range(n):
        previous = next_entry(previous=previous, payload=payload(i))
        chain.append(previous)
    return chain


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(f"# audit chain benchmark — python {sys.version.split()[0]}, synthetic payloads")
    print(
        f"{'entries':>9} {'build s':>8} {'verify s':>9} {'verify/s':>9} "
        f"{'baseline sha256 s':>18} {'ratio':>6} {'peak RSS MB':>12}"
    )
    for n in args.sizes:
        start = time.perf_counter()
        chain = build(n)
        built = time.perf_counter() - start

        start = time.perf_counter()
        report = verify_chain(iter(chain))  # streamed; the list is only the benchmark's
        verified = time.perf_counter() - start
        assert report.ok and report.checked == n

        start = time.perf_counter()
        for entry in chain:
            hashlib.sha256(canonical_json(entry.payload)).hexdigest()
        baseline = time.perf_counter() - start
        print(
            f"{n:>9} {built:>8.2f} {verified:>9.2f} {n / verified:>9.0f} "
            f"{baseline:>18.2f} {verified / baseline:>6.2f} {peak_mb():>12.0f}"
        )


if __name__ == "__main__":
    main()
