"""Benchmark: vault ingest throughput (hash + encrypt + store) against ``sha256sum``, peak RSS.

    .venv/bin/python benchmarks/vault_ingest.py [--sizes-mib 1024 4096] [--repeat 3]

For each size a random file is written once; then, in the same run and with the file in the
page cache for both, ``sha256sum`` is timed, then a fresh process ingests the file into a new
vault (SHA-256 + SHA-512 + AES-256-GCM chunks + ciphertext SHA-256 + write + fsync) and reports
its time and peak RSS; every round is printed, then min/median/max.  Ratio = sha256sum time / ingest time (goal >= 0.7).  Two more
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


def _stages(path: Path, chunk_mib: int) -> list[tuple[str, float]]:
    """Where the time goes: each stage alone, single thread, over the whole (cached) file."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from temoin.core.vault.aead import ChunkEncryptor
    from temoin.core.vault.pipeline import stream_encrypt

    buffer = bytearray(chunk_mib << 20)
    view = memoryview(buffer)

    def over_file(work) -> float:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        with open(path, "rb") as handle:
            while count := handle.readinto(buffer):
                work(view[:count])
        return time.perf_counter() - started

    aead, nonce = AESGCM(os.urandom(32)), os.urandom(12)
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    read = over_file(lambda chunk: None)

    class NullWriter:
        def write(self, data: bytes) -> None: ...
        def commit(self, name: str) -> None: ...
        def abort(self) -> None: ...

    started = time.perf_counter()
    with open(path, "rb") as handle:
        stream_encrypt(handle, NullWriter(), ChunkEncryptor(os.urandom(32), chunk_size=chunk_mib << 20),
                       keep_prefixes=(), keep_limit=0)
    pipeline = time.perf_counter() - started
    return [
        ("read (readinto, page cache)", read),
        ("SHA-256 (hashlib)", over_file(sha256.update) - read),
        ("SHA-512 (hashlib)", over_file(sha512.update) - read),
        ("AES-256-GCM (cryptography)", over_file(lambda chunk: aead.encrypt(nonce, chunk, b"")) - read),
        ("pipeline, no disk (4 threads)", pipeline),
    ]


def _write_random(path: Path, size_mib: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as handle:
        for i in range(size_mib):
            handle.write(block[i % 251 :] + block[: i % 251])
        handle.flush()
        os.fsync(handle.fileno())


def _measure(source: Path, base: Path, size: int, chunk_mib: int) -> dict[str, float]:
    """One round: sha256sum, then the ingest (fresh process), then the Python baselines.

    The copy baseline runs last: deleting its 1-4 GiB output makes the filesystem discard
    blocks, which would slow whatever writes next.
    """
    started = time.perf_counter()
    done = subprocess.run(["sha256sum", str(source)], capture_output=True, text=True, check=True)
    sha256sum_seconds = time.perf_counter() - started
    root = base / f"vault-{size}"
    child = subprocess.run(
        [sys.executable, __file__, "--chunk-mib", str(chunk_mib), "--child", str(source), str(root)],
        capture_output=True, text=True, check=True,
    )
    measured = json.loads(child.stdout)
    assert measured["sha256"] == done.stdout.split()[0], "ingest hash differs from sha256sum"
    shutil.rmtree(root)
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
    return {"sha256sum": sha256sum_seconds, "hashlib": hashlib_seconds, "copy": copy_seconds,
            "ingest": measured["seconds"], "rss": measured["peak_rss_mib"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes-mib", type=int, nargs="+", default=[1024, 4096])
    parser.add_argument("--chunk-mib", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (every round is printed)")
    parser.add_argument("--child", nargs=2, type=Path)
    parser.add_argument("--stages", action="store_true", help="also time each stage alone (where the time goes)")
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.chunk_mib)
        return
    base = Path(tempfile.mkdtemp(dir=args.dir, prefix="vault-bench-"))
    rows: list[tuple[int, int, dict[str, float]]] = []
    stages: list[tuple[int, list[tuple[str, float]]]] = []
    try:
        for size in args.sizes_mib:
            source = base / f"input-{size}.bin"
            _write_random(source, size)
            subprocess.run(["cat", str(source)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
            for round_number in range(1, args.repeat + 1):  # sha256sum and ingest back to back, same load
                rows.append((size, round_number, _measure(source, base, size, args.chunk_mib)))
            if args.stages:
                stages.append((size, _stages(source, args.chunk_mib)))
            source.unlink()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{'size MiB':>8} {'round':>5} {'sha256sum s':>11} {'ingest s':>8} {'ratio':>5} {'peak RSS MiB':>12} "
          f"{'ingest MiB/s':>12} {'hashlib s':>9} {'copy+fsync s':>12}")
    for size, round_number, m in rows:
        print(f"{size:8d} {round_number:5d} {m['sha256sum']:11.2f} {m['ingest']:8.2f} {m['sha256sum'] / m['ingest']:5.2f} "
              f"{m['rss']:12.0f} {size / m['ingest']:12.0f} {m['hashlib']:9.2f} {m['copy']:12.2f}")
    for size in args.sizes_mib:
        ratios = [m["sha256sum"] / m["ingest"] for s, _, m in rows if s == size]
        print(f"{size} MiB: ratio min {min(ratios):.2f} / median {statistics.median(ratios):.2f} / max {max(ratios):.2f} "
              f"over {len(ratios)} round(s); peak RSS max {max(m['rss'] for s, _, m in rows if s == size):.0f} MiB")
    for size, timings in stages:
        print(f"stages alone, {size} MiB, one thread each (seconds): "
              + "; ".join(f"{name} {seconds:.2f}" for name, seconds in timings))
    print(f"(chunk {args.chunk_mib} MiB; {os.cpu_count()} CPUs shared; ratio = sha256sum time / ingest time, "
          f"goal >= 0.7; peak RSS goal < 200 MB; load average at end {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
