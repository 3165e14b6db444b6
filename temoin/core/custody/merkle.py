"""RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, proofs and proof verification.

The tree hash is the one of RFC 6962/9162 §2.1.1 with SHA-256: a leaf hashes as
``SHA-256(0x00 || data)``, an interior node as ``SHA-256(0x01 || left || right)``, and the
empty tree as ``SHA-256("")``.  Proof generation follows the ``PATH`` and ``SUBPROOF``
definitions (§2.1.3.1, §2.1.4.1); verification follows the iterative algorithms of
§2.1.3.2 and §2.1.4.2 literally, so that proofs produced by any RFC 9162 log verify here and
ours verify there.  The module is checked against the transparency-dev/merkle known-answer
vectors (tests/core/custody/vectors/).

:class:`MerkleTree` keeps, per level, the hashes of *complete* subtrees in one flat
``bytearray`` (32 bytes per node), so a tree of one million leaves costs ~64 MB and any
inclusion or consistency proof is computed from O(log n) lookups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from temoin.core.custody.errors import ProofError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleTree",
    "hash_children",
    "hash_leaf",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE: Final[int] = 32
LEAF_PREFIX: Final[bytes] = b"\x00"
NODE_PREFIX: Final[bytes] = b"\x01"
EMPTY_ROOT: Final[bytes] = hashlib.sha256(b"").digest()


def hash_leaf(data: bytes) -> bytes:
    """Return the RFC 9162 leaf hash ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """Largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} has {len(value)} bytes, expected {HASH_SIZE}")


class MerkleTree:
    """An append-only RFC 9162 Merkle tree over leaf hashes, with proofs at any past size."""

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def append_leaf_hash(self, leaf_hash: bytes) -> int:
        """Append a leaf given its hash; return its index."""
        _check_hash(leaf_hash, "leaf hash")
        index = self._size
        self._levels[0] += leaf_hash
        node = leaf_hash
        position = index
        level = 0
        while position & 1:
            left = bytes(self._levels[level][(position - 1) * HASH_SIZE : position * HASH_SIZE])
            node = hash_children(left, node)
            level += 1
            position >>= 1
            if level == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level] += node
        self._size += 1
        return index

    def append(self, data: bytes) -> int:
        """Append a leaf given its data (hashed with :func:`hash_leaf`); return its index."""
        return self.append_leaf_hash(hash_leaf(data))

    def leaf_hash(self, index: int) -> bytes:
        """Return the stored hash of leaf ``index``."""
        if not 0 <= index < self._size:
            raise ProofError(f"leaf index {index} outside tree of size {self._size}")
        return bytes(self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def _subtree_hash(self, start: int, end: int) -> bytes:
        """MTH of leaves [start, end); ``start`` is aligned as in the RFC recursion."""
        count = end - start
        if count == 0:
            return EMPTY_ROOT
        if count & (count - 1) == 0:
            level = count.bit_length() - 1
            position = start >> level
            return bytes(self._levels[level][position * HASH_SIZE : (position + 1) * HASH_SIZE])
        split = _largest_power_of_two_below(count)
        return hash_children(
            self._subtree_hash(start, start + split), self._subtree_hash(start + split, end)
        )

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self._size:
            raise ProofError(f"tree size {size} outside 0..{self._size}")

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the tree made of the first ``size`` leaves (default: all)."""
        size = self._size if size is None else size
        self._check_size(size)
        return self._subtree_hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 ``PATH(index, D[size])``, ordered from the leaf up to the root."""
        size = self._size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise ProofError(f"leaf index {index} outside tree of size {size}")
        path: list[bytes] = []
        start, end, m = 0, size, index
        while end - start > 1:
            split = _largest_power_of_two_below(end - start)
            if m < split:
                path.append(self._subtree_hash(start + split, end))
                end = start + split
            else:
                path.append(self._subtree_hash(start, start + split))
                start += split
                m -= split
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 ``PROOF(old_size, D[new_size])``; empty when ``old_size`` is 0 or equal."""
        new_size = self._size if new_size is None else new_size
        self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise ProofError(f"old size {old_size} outside 0..{new_size}")
        if old_size == 0 or old_size == new_size:
            return []
        proof: list[bytes] = []
        start, end, m, complete = 0, new_size, old_size, True
        while m != end - start:
            split = _largest_power_of_two_below(end - start)
            if m <= split:
                proof.append(self._subtree_hash(start + split, end))
                end = start + split
            else:
                proof.append(self._subtree_hash(start, start + split))
                start += split
                m -= split
                complete = False
        if not complete:
            proof.append(self._subtree_hash(start, end))
        proof.reverse()
        return proof


def root_from_inclusion_proof(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """Recompute the root from an inclusion proof (RFC 9162 §2.1.3.2); raise if malformed."""
    if size <= 0 or not 0 <= index < size:
        raise ProofError(f"leaf index {index} outside tree of size {size}")
    _check_hash(leaf_hash, "leaf hash")
    fn, sn = index, size - 1
    result = leaf_hash
    for position, node in enumerate(proof):
        _check_hash(node, f"inclusion proof element {position}")
        if sn == 0:
            raise ProofError(f"inclusion proof for leaf {index} of {size} is too long")
        if fn & 1 or fn == sn:
            result = hash_children(node, result)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            result = hash_children(result, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof for leaf {index} of {size} is too short")
    return result


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows leaf ``index`` is in tree ``root``."""
    _check_hash(root, "root hash")
    computed = root_from_inclusion_proof(index, size, leaf_hash, proof)
    if computed != root:
        raise ProofError(f"inclusion proof for leaf {index} of {size} leads to another root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise :class:`ProofError` unless tree ``new_root`` extends tree ``old_root``.

    RFC 9162 §2.1.4.2, with the edge cases of the reference implementation: equal sizes need
    an empty proof and equal roots; an empty old tree is consistent with anything (empty proof).
    """
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"sizes {old_size} -> {new_size} go back in time")
    if old_size == new_size:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same size {old_size}")
        return
    if old_size == 0:
        if proof:
            raise ProofError("consistency proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError(f"empty consistency proof for sizes {old_size} -> {new_size}")
    for position, node in enumerate(proof):
        _check_hash(node, f"consistency proof element {position}")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first_root = second_root = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof {old_size} -> {new_size} is too long")
        if fn & 1 or fn == sn:
            first_root = hash_children(node, first_root)
            second_root = hash_children(node, second_root)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            second_root = hash_children(second_root, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof {old_size} -> {new_size} is too short")
    if first_root != old_root:
        raise ProofError(f"consistency proof {old_size} -> {new_size} does not match old root")
    if second_root != new_root:
        raise ProofError(f"consistency proof {old_size} -> {new_size} does not match new root")
