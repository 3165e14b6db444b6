"""Chunked AES-256-GCM: round trips at chunk boundaries; reorder, truncate, extend, flip rejected."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.vault.aead import HEADER_SIZE, TAG_SIZE, decrypt_bytes, encrypt_bytes
from temoin.core.vault.errors import DecryptionError

KEY = bytes(range(32))


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300), st.integers(16, 64))
def test_round_trip_any_size(plaintext: bytes, chunk_size: int) -> None:
    blob = encrypt_bytes(KEY, plaintext, chunk_size=chunk_size)
    chunks = max(1, -(-len(plaintext) // chunk_size))
    assert len(blob) == HEADER_SIZE + len(plaintext) + chunks * TAG_SIZE
    assert decrypt_bytes(KEY, blob, what="t") == plaintext


def test_structural_attacks_are_rejected() -> None:
    plaintext = bytes(range(200))
    blob = encrypt_bytes(KEY, plaintext, chunk_size=64)
    step = 64 + TAG_SIZE
    body = blob[HEADER_SIZE:]
    chunks = [body[i : i + step] for i in range(0, len(body), step)]
    assert len(chunks) == 4
    header = blob[:HEADER_SIZE]
    attacks = {
        "drop last chunk": header + b"".join(chunks[:3]),
        "drop first chunk": header + b"".join(chunks[1:]),
        "swap chunks": header + chunks[1] + chunks[0] + b"".join(chunks[2:]),
        "duplicate chunk": header + chunks[0] + b"".join(chunks),
        "append garbage": blob + b"\x00" * 17,
        "truncate tag": blob[:-1],
        "empty body": header,
        "other header": encrypt_bytes(KEY, plaintext, chunk_size=64)[:HEADER_SIZE] + body,
    }
    for name, attacked in attacks.items():
        with pytest.raises(DecryptionError):
            decrypt_bytes(KEY, attacked, what=name)
    with pytest.raises(DecryptionError, match="failed authentication"):
        decrypt_bytes(bytes(32), blob, what="wrong key")


def test_every_single_bit_flip_is_rejected() -> None:
    blob = encrypt_bytes(KEY, b"synthetic evidence bytes " * 10, chunk_size=64)
    rejected = 0
    for bit in range(len(blob) * 8):
        mutated = bytearray(blob)
        mutated[bit // 8] ^= 1 << (bit % 8)
        try:
            decrypt_bytes(KEY, bytes(mutated), what="flip")
        except DecryptionError:
            rejected += 1
    print(f"AEAD single-bit flips rejected: {rejected}/{len(blob) * 8}")
    assert rejected == len(blob) * 8


def test_random_byte_changes_are_rejected() -> None:
    rng = random.Random(5)
    blob = encrypt_bytes(KEY, rng.randbytes(1000), chunk_size=128)
    for _ in range(2000):
        mutated = bytearray(blob)
        mutated[rng.randrange(len(blob))] ^= rng.randrange(1, 256)
        with pytest.raises(DecryptionError):
            decrypt_bytes(KEY, bytes(mutated), what="byte")
