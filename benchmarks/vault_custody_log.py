"""Benchmark: custody log with many entries — append rate, proofs, full verification, memory.

    .venv/bin/python benchmarks/vault_custody_log.py --entries 1000000

Synthetic entries (pseudonymous actors, random item hashes) in a file-backed log.  Prints:
durable single appends (fsync each), batched appends, inclusion proof generation + verification
time, consistency proof time, checkpoint signing, reopen (re-index) time, full verification
(re-read, re-parse, re-hash every entry, rebuild the tree, check every stored checkpoint), and
peak RSS.  Goals: inclusion proof < 1 ms, full verification < 10 s for 1M entries.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from temoin.core.custody import (  # noqa: E402 — after the path tweak
    CustodyEntry,
    CustodyLog,
    FileLogStore,
    NoteSigner,
    hash_leaf,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)

ORIGIN = "bench.example/custody"
ACTIONS = ["ingest", "access", "fixity_check", "export", "ingest_duplicate"]


def _entry(seq: int, rng: random.Random) -> CustodyEntry:
    return CustodyEntry(
        seq=seq, time_utc="2026-11-27T10:00:00.000000Z", action=ACTIONS[seq % 5],
        item_sha256=rng.randbytes(32).hex(), actor=f"p-{seq % 97:04d}", role="analyst",
        organisation="bench-org", system="bench-host", reason="synthetic benchmark entry",
        details={"size": seq, "media_type": "image/jpeg"},
    )


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--durable-appends", type=int, default=1000)
    parser.add_argument("--proofs", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    rng = random.Random(1)
    base = Path(tempfile.mkdtemp(dir=args.dir, prefix="custody-bench-"))
    signer = NoteSigner.generate(ORIGIN)
    rows: list[tuple[str, str]] = []
    try:
        log = CustodyLog(FileLogStore(base / "log"), origin=ORIGIN, signer=signer)
        started = time.perf_counter()
        for _ in range(args.durable_appends):
            log.append(action="access", item_sha256=rng.randbytes(32).hex(), actor="p-0001", role="analyst",
                       organisation="bench-org", system="bench-host", reason="durable append")
        elapsed = time.perf_counter() - started
        rows.append(("durable appends (fsync each)", f"{args.durable_appends / elapsed:,.0f} entries/s"))

        started = time.perf_counter()
        batch: list[CustodyEntry] = []
        for seq in range(log.size, args.entries):
            batch.append(_entry(seq, rng))
            if len(batch) == 10_000:
                log.append_entries(batch)
                batch = []
        if batch:
            log.append_entries(batch)
        elapsed = time.perf_counter() - started
        appended = args.entries - args.durable_appends
        rows.append(("batched appends (10k per fsync)", f"{appended / elapsed:,.0f} entries/s ({elapsed:.1f} s)"))
        size = log.size

        started = time.perf_counter()
        note = log.checkpoint()
        rows.append(("checkpoint signing", f"{(time.perf_counter() - started) * 1000:.2f} ms"))
        root = verify_checkpoint(note, signer.verifier).checkpoint.root

        indices = [rng.randrange(size) for _ in range(args.proofs)]
        leaves = [hash_leaf(log.entry_bytes(i)) for i in indices]
        started = time.perf_counter()
        proofs = [log.inclusion_proof(i, size) for i in indices]
        generate = (time.perf_counter() - started) / args.proofs
        started = time.perf_counter()
        for index, leaf, proof in zip(indices, leaves, proofs, strict=True):
            verify_inclusion(index, size, leaf, proof, root)
        check = (time.perf_counter() - started) / args.proofs
        rows.append(("inclusion proof: generate", f"{generate * 1000:.3f} ms ({len(proofs[0])} hashes)"))
        rows.append(("inclusion proof: verify", f"{check * 1000:.3f} ms"))
        started = time.perf_counter()
        old = size // 3
        consistency = log.consistency_proof(old, size)
        verify_consistency(old, size, log.root(old), root, consistency)
        rows.append(("consistency proof: generate + verify", f"{(time.perf_counter() - started) * 1000:.3f} ms"))

        del log, proofs, leaves, batch
        gc.collect()
        started = time.perf_counter()
        reopened = CustodyLog(FileLogStore(base / "log"), origin=ORIGIN, signer=signer)
        rows.append(("reopen (re-read, re-hash, rebuild tree)", f"{time.perf_counter() - started:.1f} s"))
        started = time.perf_counter()
        result = reopened.verify(signer.verifier)
        rows.append(("full verification: re-read + hash all, tree, signed checkpoints",
                     f"{time.perf_counter() - started:.1f} s"))
        assert result.size == size and result.root == root
        started = time.perf_counter()
        reopened.verify(signer.verifier, structure="all")
        rows.append(("  same + re-parse every entry (structure='all')", f"{time.perf_counter() - started:.1f} s"))
        started = time.perf_counter()
        reopened.entries_for(reopened.entry(size - 1).item_sha256)
        rows.append(("first item-timeline lookup (builds the item index)", f"{time.perf_counter() - started:.1f} s"))
        rows.append(("RSS of the reopened log with its item index",
                     f"{psutil.Process().memory_info().rss / (1 << 20):,.0f} MiB"))
        file_mib = (base / "log" / "entries.jsonl").stat().st_size / (1 << 20)
        rows.append(("log file size", f"{file_mib:,.0f} MiB"))
        rows.append(("peak RSS (whole run, incl. building the entries)", f"{_rss_mib():,.0f} MiB"))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"custody log benchmark, {args.entries:,} entries")
    for name, value in rows:
        print(f"  {name:62} {value}")


if __name__ == "__main__":
    main()
