"""Benchmark of temoin.core.sealing: seal/open, blind index, rotation, unseal cost.

Prints one table.  Each Témoin operation is measured beside a named baseline run
in the same process on the same synthetic identities:

- seal / open          vs  PyNaCl ``SealedBox`` on the same JSON (single-layer
                           public-key encryption, no per-record data key, no padding);
- blind index          vs  plain ``hmac.new(key, value, sha256)`` (no normalisation);
- rewrap (rotation)    vs  open + seal again (what rotation would cost without envelopes);
- unseal (Argon2id)    default (moderate) vs ``fast=True`` (test-only minimum).

Then extrapolates sealing 1,000,000 person records (time and blob storage).

Usage:  .venv/bin/python benchmarks/sealing.py [--n 5000] [--bulk 100000]
All data is synthetic.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from nacl.public import SealedBox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from temoin.core.sealing import (  # noqa: E402
    blind_index,
    generate_keyring,
    open_identity,
    rewrap_identity,
    rotate_keyring,
    seal_identity,
    unseal,
)

GIVEN = ["Aminata", "Boubacar", "Fatoumata", "Moussa", "Oumou", "Sékou", "Aïssata", "Hamadoun"]
FAMILY = ["Traoré", "Maïga", "Diallo", "Coulibaly", "Keïta", "Touré", "Cissé", "Ag Ahmed"]


def synthetic_identities(n: int, seed: int = 7) -> list[dict[str, str | int | None]]:
    rng = random.Random(seed)
    return [
        {
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "alias": None if rng.random() < 0.7 else f"synthetic alias {i}",
            "phone": f"+223 7{rng.randrange(10)} {rng.randrange(100):02d} {rng.randrange(100):02d} 00",
            "address": f"quartier synthétique {i % 97}, Mopti",
            "age": rng.randrange(1, 90),
        }
        for i in range(n)
    ]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="records per micro-benchmark")
    parser.add_argument(
        "--bulk", type=int, default=100_000, help="records sealed for the 1M estimate"
    )
    args = parser.parse_args()
    n = args.n

    record, keys = generate_keyring("synthetic benchmark passphrase", fast=True)
    identities = synthetic_identities(n)
    texts = [json.dumps(i, ensure_ascii=False).encode() for i in identities]
    box = SealedBox(keys.private_key.public_key)
    open_box = SealedBox(keys.private_key)
    rows: list[tuple[str, int, float, str, float]] = []

    blobs: list[bytes] = []
    t = timed(
        lambda: blobs.extend(
            seal_identity(record.public_key, ident, key_id=record.key_id, context=f"person:{i}")
            for i, ident in enumerate(identities)
        )
    )
    baseline_blobs: list[bytes] = []
    b = timed(lambda: baseline_blobs.extend(box.encrypt(x) for x in texts))
    rows.append(("seal_identity", n, t, "SealedBox.encrypt", b))

    t = timed(
        lambda: [open_identity(keys, blob, context=f"person:{i}") for i, blob in enumerate(blobs)]
    )
    b = timed(lambda: [json.loads(open_box.decrypt(x)) for x in baseline_blobs])
    rows.append(("open_identity", n, t, "SealedBox.decrypt+json", b))

    key = keys.blind_index_key
    names = [str(i["family_name"]) for i in identities]
    t = timed(lambda: [blind_index(key, "family_name", v) for v in names])
    b = timed(lambda: [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in names])
    rows.append(("blind_index", n, t, "hmac-sha256 raw", b))

    new_record, new_keys = rotate_keyring(keys, "synthetic benchmark passphrase 2", fast=True)
    t = timed(
        lambda: [rewrap_identity(x, keys, new_record.public_key, new_record.key_id) for x in blobs]
    )
    b = timed(
        lambda: [
            seal_identity(
                new_record.public_key,
                open_identity(keys, x, context=f"person:{i}"),
                key_id=new_record.key_id,
                context=f"person:{i}",
            )
            for i, x in enumerate(blobs)
        ]
    )
    rows.append(("rewrap_identity", n, t, "open + seal again", b))

    slow_record, _ = generate_keyring("synthetic benchmark passphrase")
    t = timed(lambda: unseal(slow_record, "synthetic benchmark passphrase"))
    b = timed(lambda: unseal(record, "synthetic benchmark passphrase"))
    rows.append(("unseal (Argon2id moderate)", 1, t, "unseal fast=True (min)", b))

    print(f"# sealing benchmark — python {sys.version.split()[0]}, synthetic data")
    print(
        f"{'operation':28} {'n':>7} {'seconds':>8} {'ops/s':>9} {'µs/op':>8}   "
        f"{'baseline':24} {'ops/s':>9} {'ratio':>6}"
    )
    for name, count, seconds, base_name, base_seconds in rows:
        print(
            f"{name:28} {count:>7} {seconds:>8.3f} {count / seconds:>9.0f} "
            f"{seconds / count * 1e6:>8.1f}   {base_name:24} {count / base_seconds:>9.0f} "
            f"{seconds / base_seconds:>6.2f}"
        )
    mean_blob = sum(map(len, blobs)) / len(blobs)
    mean_base = sum(map(len, baseline_blobs)) / len(baseline_blobs)
    print(f"mean blob size: {mean_blob:.0f} bytes (baseline SealedBox {mean_base:.0f} bytes)")
    print(f"peak RSS after micro-benchmarks: {peak_mb():.0f} MB")

    bulk = synthetic_identities(args.bulk, seed=11)
    total_bytes = 0

    def seal_bulk() -> None:
        nonlocal total_bytes
        for i, ident in enumerate(bulk):
            total_bytes += len(
                seal_identity(record.public_key, ident, key_id=record.key_id, context=f"person:{i}")
            )
            blind_index(key, "family_name", str(ident["family_name"]))
            blind_index(key, "given_name", str(ident["given_name"]))

    seconds = timed(seal_bulk)
    per_record = seconds / args.bulk
    print()
    print(
        f"{'bulk (seal + 2 blind indexes)':32} {'records':>9} {'seconds':>9} {'records/s':>10} "
        f"{'peak RSS MB':>12}"
    )
    print(
        f"{'measured':32} {args.bulk:>9} {seconds:>9.1f} {args.bulk / seconds:>10.0f} {peak_mb():>12.0f}"
    )
    print(
        f"{'extrapolated to 1,000,000':32} {1_000_000:>9} {per_record * 1e6:>9.0f} "
        f"{1 / per_record:>10.0f} {'(streaming)':>12}"
    )
    print(
        f"blob storage for 1,000,000 records: {total_bytes / args.bulk * 1e6 / 2**20:.0f} MiB "
        f"(+ 2 x 64-char hex indexes = {2 * 64 * 1e6 / 2**20:.0f} MiB)"
    )
    del new_keys


if __name__ == "__main__":
    main()
