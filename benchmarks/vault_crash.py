"""Crash harness at scale: SIGKILL ingest processes at random moments, recover, check everything.

    .venv/bin/python benchmarks/vault_crash.py --trials 1000

Same harness as tests/core/vault/test_crash.py (forked child ingesting small synthetic files,
killed after a seeded random delay spanning a calibrated uninterrupted run; a fresh vault every
10 trials so children also die while recovering).  After each kill: recovery, consistency
report, every acknowledged ingest still present, every logged item exported byte-identical,
custody log re-verified.  Prints a table of outcomes; any inconsistency stops the run.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.core.vault.helpers import make_vault  # noqa: E402 — after the path tweak
from tests.core.vault.test_crash import _check, _open_plain, _payloads, _run_child  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--files-per-child", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="vault-crash-"))
    known: dict[str, bytes] = {}
    started = time.perf_counter()
    calibration = _payloads(-1, args.files_per_child)
    known.update({hashlib.sha256(p).hexdigest(): p for p in calibration})
    _run_child(base / "calibration", calibration, _open_plain, delay=None)
    span = time.perf_counter() - started
    outcomes: collections.Counter[str] = collections.Counter()
    kept = 0
    acknowledged: set[str] = set()
    verified: set[str] = set()
    root = base / "vault-0"
    started = time.perf_counter()
    for trial in range(args.trials):
        if trial % 10 == 0:
            root = base / f"vault-{trial // 10}"
            acknowledged, verified = set(), set()
        payloads = _payloads(10_000 + trial, args.files_per_child)
        known.update({hashlib.sha256(p).hexdigest(): p for p in payloads})
        new = _run_child(root, payloads, _open_plain, delay=rng.uniform(0.0, span))
        kept += len(new - acknowledged)
        acknowledged |= new
        for action in make_vault(root, recover=False).recover():
            outcomes[action.split(": ", 1)[-1].split(" (")[0] if ": " in action else "removed temporary objects"] += 1
        _check(root, acknowledged, known, base, verified)
    elapsed = time.perf_counter() - started
    print(f"crash harness: {args.trials} SIGKILL trials in {elapsed:.0f} s (uninterrupted child run {span * 1000:.0f} ms)")
    print("  inconsistent vaults after recovery      0 (any would have stopped the run)")
    print(f"  acknowledged ingests, all found again   {kept}")
    for name, count in sorted(outcomes.items()):
        print(f"  recovery: {name:32} {count}")


if __name__ == "__main__":
    main()
