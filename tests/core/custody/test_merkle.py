"""RFC 6962/9162 Merkle core: known-answer vectors and systematic corruption probes.

Vectors and probe classes are those of transparency-dev/merkle (proof/verify_test.go).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.custody.errors import ProofError
from temoin.core.custody.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    hash_children,
    hash_leaf,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

VECTORS = json.loads((Path(__file__).parent / "vectors" / "transparency_dev_merkle.json").read_text())
LEAVES = [bytes.fromhex(x) for x in VECTORS["leaves_hex"]]
ROOTS = [bytes.fromhex(x) for x in VECTORS["roots_hex"]]
SOME_HASH = bytes.fromhex(VECTORS["some_hash_hex"])
EMPTY = bytes.fromhex(VECTORS["empty_root_hex"])


def _tree(leaves: list[bytes]) -> MerkleTree:
    tree = MerkleTree()
    for leaf in leaves:
        tree.append(leaf)
    return tree


def _reference_mth(leaves: list[bytes]) -> bytes:
    """Direct transcription of RFC 9162 §2.1.1 MTH, used as an oracle."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hash_leaf(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hash_children(_reference_mth(leaves[:k]), _reference_mth(leaves[k:]))


def _rejects_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    try:
        verify_inclusion(index, size, leaf, proof, root)
    except ProofError:
        return True
    return False


def _rejects_consistency(s1: int, s2: int, r1: bytes, r2: bytes, proof: list[bytes]) -> bool:
    try:
        verify_consistency(s1, s2, r1, r2, proof)
    except ProofError:
        return True
    return False


def inclusion_probes(
    index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes
) -> list[tuple[str, int, int, bytes, list[bytes], bytes]]:
    probes = [
        ("leafIndex - 1", index - 1, size, leaf, proof, root),
        ("leafIndex + 1", index + 1, size, leaf, proof, root),
        ("leafIndex ^ 2", index ^ 2, size, leaf, proof, root),
        ("treeSize * 2", index, size * 2, leaf, proof, root),
        ("treeSize / 2", index, size // 2, leaf, proof, root),
        ("wrong leaf", index, size, b"WrongLeaf", proof, root),
        ("wrong leaf hash", index, size, SOME_HASH, proof, root),
        ("empty root", index, size, leaf, proof, EMPTY),
        ("random root", index, size, leaf, proof, SOME_HASH),
        ("trailing garbage", index, size, leaf, [*proof, b""], root),
        ("trailing root", index, size, leaf, [*proof, root], root),
        ("preceding garbage", index, size, leaf, [b"", *proof], root),
        ("preceding root", index, size, leaf, [root, *proof], root),
    ]
    for i in range(len(proof)):
        for bit in range(256):
            wrong = list(proof)
            flipped = bytearray(wrong[i])
            flipped[bit // 8] ^= 1 << (bit % 8)
            wrong[i] = bytes(flipped)
            probes.append((f"proof[{i}] bit {bit}", index, size, leaf, wrong, root))
    if proof:
        probes.append(("removed component", index, size, leaf, proof[:-1], root))
        probes.append(("removed first", index, size, leaf, proof[1:], root))
    if len(proof) > 1:
        probes.append(("inserted component", index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], root))
        probes.append(("swapped components", index, size, leaf, [proof[1], proof[0], *proof[2:]], root))
    return probes


def consistency_probes(
    s1: int, s2: int, r1: bytes, r2: bytes, proof: list[bytes]
) -> list[tuple[str, int, int, bytes, bytes, list[bytes]]]:
    probes = [
        ("size1 - 1", s1 - 1, s2, r1, r2, proof),
        ("size1 + 1", s1 + 1, s2, r1, r2, proof),
        ("size1 ^ 2", s1 ^ 2, s2, r1, r2, proof),
        ("size2 * 2", s1, s2 * 2, r1, r2, proof),
        ("size2 / 2", s1, s2 // 2, r1, r2, proof),
        ("wrong root1", s1, s2, b"WrongRoot", r2, proof),
        ("wrong root2", s1, s2, r1, b"WrongRoot", proof),
        ("random root1", s1, s2, SOME_HASH, r2, proof),
        ("random root2", s1, s2, r1, SOME_HASH, proof),
        ("swapped roots", s1, s2, r2, r1, proof),
        ("empty proof", s1, s2, r1, r2, []),
        ("trailing garbage", s1, s2, r1, r2, [*proof, b""]),
        ("trailing root1", s1, s2, r1, r2, [*proof, r1]),
        ("trailing root2", s1, s2, r1, r2, [*proof, r2]),
        ("preceding garbage", s1, s2, r1, r2, [b"", *proof]),
        ("preceding root1", s1, s2, r1, r2, [r1, *proof]),
        ("preceding root2", s1, s2, r1, r2, [r2, *proof]),
        ("preceding proof[0]", s1, s2, r1, r2, [proof[0], *proof]),
        ("truncated proof", s1, s2, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        for bit in range(256):
            wrong = list(proof)
            flipped = bytearray(wrong[i])
            flipped[bit // 8] ^= 1 << (bit % 8)
            wrong[i] = bytes(flipped)
            probes.append((f"proof[{i}] bit {bit}", s1, s2, r1, r2, wrong))
    return probes


def test_known_answer_roots_for_sizes_1_to_8() -> None:
    tree = MerkleTree()
    assert tree.root() == EMPTY == EMPTY_ROOT
    for size, leaf in enumerate(LEAVES, start=1):
        tree.append(leaf)
        assert tree.root().hex() == ROOTS[size - 1].hex()
    for size in range(1, 9):
        assert tree.root(size) == ROOTS[size - 1]


@pytest.mark.parametrize("vector", VECTORS["inclusion"], ids=lambda v: f"{v['leaf']}of{v['size']}")
def test_known_answer_inclusion_proofs(vector: dict[str, object]) -> None:
    index = int(vector["leaf"]) - 1  # type: ignore[call-overload]  # JSON int
    size = int(vector["size"])  # type: ignore[call-overload]  # JSON int
    expected = [bytes.fromhex(h) for h in vector["proof"]]  # type: ignore[attr-defined]
    tree = _tree(LEAVES[:size])
    assert tree.inclusion_proof(index, size) == expected
    leaf = hash_leaf(LEAVES[index])
    assert root_from_inclusion_proof(index, size, leaf, expected) == ROOTS[size - 1]
    verify_inclusion(index, size, leaf, expected, ROOTS[size - 1])


@pytest.mark.parametrize("vector", VECTORS["consistency"], ids=lambda v: f"{v['size1']}to{v['size2']}")
def test_known_answer_consistency_proofs(vector: dict[str, object]) -> None:
    s1 = int(vector["size1"])  # type: ignore[call-overload]  # JSON int
    s2 = int(vector["size2"])  # type: ignore[call-overload]  # JSON int
    expected = [bytes.fromhex(h) for h in vector["proof"]]  # type: ignore[attr-defined]
    tree = _tree(LEAVES)
    assert tree.consistency_proof(s1, s2) == expected
    verify_consistency(s1, s2, ROOTS[s1 - 1], ROOTS[s2 - 1], expected)


def test_every_inclusion_corruption_probe_is_rejected_for_all_trees_up_to_16() -> None:
    leaves = [bytes([i]) * (i % 5) for i in range(16)]
    tree = _tree(leaves)
    probes_run = 0
    accepted: list[str] = []
    for size in range(1, 17):
        root = tree.root(size)
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            leaf = hash_leaf(leaves[index])
            verify_inclusion(index, size, leaf, proof, root)
            for desc, i, s, lf, pr, rt in inclusion_probes(index, size, proof, root, leaf):
                probes_run += 1
                if not _rejects_inclusion(i, s, lf, pr, rt):
                    accepted.append(f"{index}/{size}: {desc}")
    print(f"inclusion corruption probes: {probes_run} run, {len(accepted)} accepted")
    assert accepted == []
    assert probes_run == 122106


def test_every_consistency_corruption_probe_is_rejected_for_all_pairs_up_to_16() -> None:
    leaves = [bytes([i, i]) for i in range(16)]
    tree = _tree(leaves)
    probes_run = 0
    accepted: list[str] = []
    for s2 in range(1, 17):
        for s1 in range(1, s2):
            proof = tree.consistency_proof(s1, s2)
            r1, r2 = tree.root(s1), tree.root(s2)
            verify_consistency(s1, s2, r1, r2, proof)
            for desc, a, b, x, y, pr in consistency_probes(s1, s2, r1, r2, proof):
                probes_run += 1
                if not _rejects_consistency(a, b, x, y, pr):
                    accepted.append(f"{s1}->{s2}: {desc}")
    print(f"consistency corruption probes: {probes_run} run, {len(accepted)} accepted")
    assert accepted == []
    assert probes_run > 50_000


@pytest.mark.parametrize(
    ("index", "size", "leaf", "root"),
    [(0, 0, SOME_HASH, b""), (0, 1, b"", EMPTY), (1, 0, SOME_HASH, EMPTY), (2, 1, SOME_HASH, EMPTY)],
)
def test_degenerate_inclusion_inputs_are_rejected(index: int, size: int, leaf: bytes, root: bytes) -> None:
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf, [], root)


def test_single_leaf_tree_root_is_leaf_hash_with_empty_proof() -> None:
    leaf = hash_leaf(b"data")
    verify_inclusion(0, 1, leaf, [], leaf)
    with pytest.raises(ProofError):
        verify_inclusion(0, 1, leaf, [], b"")


@pytest.mark.parametrize(
    ("s1", "s2", "r1", "r2", "proof", "ok"),
    [
        (0, 0, EMPTY, EMPTY, [], True),
        (0, 1, EMPTY, SOME_HASH, [], True),
        (1, 1, SOME_HASH, SOME_HASH, [], True),
        (1, 0, EMPTY, SOME_HASH, [], False),
        (2, 1, EMPTY, SOME_HASH, [], False),
        (1, 2, EMPTY, SOME_HASH, [], False),
        (1, 1, EMPTY, SOME_HASH, [], False),
        (0, 0, EMPTY, EMPTY, [EMPTY], False),
        (0, 1, EMPTY, EMPTY, [EMPTY], False),
        (1, 1, EMPTY, EMPTY, [EMPTY], False),
    ],
)
def test_consistency_edge_cases(s1: int, s2: int, r1: bytes, r2: bytes, proof: list[bytes], ok: bool) -> None:
    assert _rejects_consistency(s1, s2, r1, r2, proof) is (not ok)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=70), st.data())
def test_random_trees_match_reference_and_proofs_verify(leaves: list[bytes], data: st.DataObject) -> None:
    tree = _tree(leaves)
    size = data.draw(st.integers(1, len(leaves)))
    assert tree.root(size) == _reference_mth(leaves[:size])
    index = data.draw(st.integers(0, size - 1))
    verify_inclusion(index, size, hash_leaf(leaves[index]), tree.inclusion_proof(index, size), tree.root(size))
    old = data.draw(st.integers(0, size))
    verify_consistency(old, size, tree.root(old), tree.root(size), tree.consistency_proof(old, size))


def test_proof_requests_outside_tree_are_refused() -> None:
    tree = _tree(LEAVES)
    with pytest.raises(ProofError, match="leaf index 8 outside tree of size 8"):
        tree.inclusion_proof(8)
    with pytest.raises(ProofError, match="tree size 9 outside 0..8"):
        tree.root(9)
    with pytest.raises(ProofError, match="old size 5 outside 0..4"):
        tree.consistency_proof(5, 4)
