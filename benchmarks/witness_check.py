"""What a witness pays per check, against the naive alternative.

For custody logs of growing size, a witness that last co-signed size ``old`` checks the new
checkpoint (size ``new``) with an RFC 9162 consistency proof: the server builds the proof, the
witness verifies it, checks the log's Ed25519 signature and co-signs (``Witness.cosign``).
Baseline, measured in the same run: re-hashing every leaf to rebuild the tree, which is what
a partner holding a full copy of the log would do without proofs. Synthetic leaves.

    .venv/bin/python benchmarks/witness_check.py [--sizes 1000 100000 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import time

from temoin.core.custody import (
    ALG_COSIGNATURE_V1,
    Checkpoint,
    MerkleTree,
    NoteSigner,
    Witness,
    sign_checkpoint,
)
from temoin.core.custody.merkle import verify_consistency

LOG = NoteSigner.generate("temoin.bench/custody")
WITNESS = NoteSigner.generate("witness.bench.example", algorithm=ALG_COSIGNATURE_V1)


def median_ms(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    print(f"{'entries':>9} {'old':>9} {'proof':>5} {'gen ms':>8} {'verify ms':>9} {'cosign ms':>9} "
          f"{'rehash s':>9} {'proof KiB':>9} {'peak RSS MiB':>12}")
    for size in args.sizes:
        leaves = [hashlib.sha256(b"\x00" + i.to_bytes(8, "big")).digest() for i in range(size)]
        tree = MerkleTree()
        for leaf in leaves:
            tree.append_leaf_hash(leaf)
        old = size - size // 10 - 1
        proof = tree.consistency_proof(old, size)
        gen = median_ms(lambda: tree.consistency_proof(old, size), 200)  # noqa: B023
        check = median_ms(lambda: verify_consistency(old, size, tree.root(old), tree.root(size), proof), 200)  # noqa: B023
        old_note = sign_checkpoint(Checkpoint(LOG.name, old, tree.root(old)), LOG)
        new_note = sign_checkpoint(Checkpoint(LOG.name, size, tree.root(size)), LOG)

        def cosign() -> None:
            witness = Witness(WITNESS, logs=[LOG.verifier])
            witness.cosign(old_note, consistency_proof=[])  # noqa: B023
            witness.cosign(new_note, consistency_proof=proof)  # noqa: B023

        cosign_ms = median_ms(cosign, 50) / 2
        start = time.perf_counter()
        rebuilt = MerkleTree()
        for leaf in leaves:
            rebuilt.append_leaf_hash(leaf)
        assert rebuilt.root() == tree.root()
        rehash = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{size:>9} {old:>9} {len(proof):>5} {gen:>8.3f} {check:>9.3f} {cosign_ms:>9.3f} "
              f"{rehash:>9.2f} {len(proof) * 32 / 1024:>9.2f} {peak:>12.0f}")


if __name__ == "__main__":
    main()
