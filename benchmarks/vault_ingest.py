"""Benchmark: vault ingest throughput (hash + encrypt + store) against ``sha256sum``, peak RSS.

    .venv/bin/python benchmarks/vault_ingest.py --sizes-mib 1024 [4096]

For each size a random file is written once; then, in the same run and with the file in the
page cache for both, ``sha256sum`` is timed, then a fresh process ingests the file into a new
vault (SHA-256 + SHA-512 + AES-256-GCM chunks + ciphertext SHA-256 + write + fsync) and reports
its time and peak RSS.  Ratio = sha256sum time / ingest time (goal >= 0.7).  Two more
baselines, same run: one SHA-256 pass with Python's hashlib (OpenSSL), and a plain copy of the
file on the same filesystem with fsync (the least any durable store must pay).  Synthetic data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _child(path: Path, root: Path, chunk_mib: int) -> None:
    from nacl.public import PrivateKey, SealedBox

    from temoin.core.custody import CustodyLog, FileLogStore
    from temoin.core.vault import Actor, LocalFileStorage, Vault

    class Wrapper:
        def __init__(self) -> None:
            key = PrivateKey.generate()
            self.seal, self.open = SealedBox(key.public_key), SealedBox(key)

        def wrap(self, data_key: bytes) -> bytes:
            return bytes(self.seal.encrypt(data_key))

        def unwrap(self, wrapped: bytes) -> bytes:
            return bytes(self.open.decrypt(wrapped))

    vault = Vault(
        storage=LocalFileStorage(root / "store"), key_wrapper=Wrapper(),
        log=CustodyLog(FileLogStore(root / "log"), origin="bench.example/log"), system="bench",
        chunk_size=chunk_mib << 20,
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = vault.ingest(path, actor=Actor("bench", "bench", "bench"))
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "seconds": elapsed,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mib": rss_before / 1024,
        "sha256": result.item.sha256,
    }))


def _write_random(path: Path, size_mib: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as handle:
        for i in range(size_mib):
            handle.write(block[i % 251 :] + block[: i % 251])
        handle.flush()
        os.fsync(handle.fileno())


def _measure(source: Path, base: Path, size: int, chunk_mib: int) -> tuple[float, float, float, float, float]:
    started = time.perf_counter()
    done = subprocess.run(["sha256sum", str(source)], capture_output=True, text=True, check=True)
    sha256sum_seconds = time.perf_counter() - started
    started = time.perf_counter()
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    hashlib_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with open(source, "rb") as handle, open(base / "copy.bin", "wb") as out:
        for block in iter(lambda: handle.read(1 << 20), b""):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    copy_seconds = time.perf_counter() - started
    (base / "copy.bin").unlink()
    root = base / f"vault-{size}"
    child = subprocess.run(
        [sys.executable, __file__, "--chunk-mib", str(chunk_mib), "--child", str(source), str(root)],
        capture_output=True, text=True, check=True,
    )
    measured = json.loads(child.stdout)
    assert measured["sha256"] == done.stdout.split()[0], "ingest hash differs from sha256sum"
    shutil.rmtree(root)
    return sha256sum_seconds, hashlib_seconds, copy_seconds, measured["seconds"], measured["peak_rss_mib"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes-mib", type=int, nargs="+", default=[1024])
    parser.add_argument("--chunk-mib", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1, help="rounds per size; medians are printed")
    parser.add_argument("--child", nargs=2, type=Path)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.chunk_mib)
        return
    base = Path(tempfile.mkdtemp(dir=args.dir, prefix="vault-bench-"))
    rows = []
    try:
        for size in args.sizes_mib:
            source = base / f"input-{size}.bin"
            _write_random(source, size)
            subprocess.run(["cat", str(source)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
            rounds = []
            for _ in range(args.repeat):  # interleaved, so load changes hit every measure alike
                rounds.append(_measure(source, base, size, args.chunk_mib))
            rows.append((size, *(statistics.median(r[i] for r in rounds) for i in range(5))))
            source.unlink()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{'size MiB':>8} {'sha256sum s':>11} {'hashlib s':>9} {'copy+fsync s':>12} {'ingest s':>8} "
          f"{'ingest MiB/s':>12} {'ratio sha256sum/ingest':>22} {'ratio copy/ingest':>17} {'peak RSS MiB':>12}")
    for size, baseline, hashlib_seconds, copy_seconds, ingest, rss in rows:
        print(f"{size:8d} {baseline:11.2f} {hashlib_seconds:9.2f} {copy_seconds:12.2f} {ingest:8.2f} "
              f"{size / ingest:12.0f} {baseline / ingest:22.2f} {copy_seconds / ingest:17.2f} {rss:12.0f}")
    print(f"(chunk {args.chunk_mib} MiB; {os.cpu_count()} CPUs shared; medians of {args.repeat} interleaved "
          "round(s); ratio = sha256sum time / ingest time)")


if __name__ == "__main__":
    main()
