"""Chunked authenticated encryption of blobs (AES-256-GCM, STREAM construction), flat memory.

Blob layout::

    header = b"TMNVLT01" || u32 chunk_size || 7-byte random nonce prefix      (19 bytes)
    chunk_i = AES-256-GCM(key, nonce = prefix || u32 i || last_flag, plaintext_i, aad = header)

Every chunk but the last holds exactly ``chunk_size`` plaintext bytes; the last one is marked
by ``last_flag = 1`` in its nonce (Hoang, Reyhanitabar, Rogaway and Vizár's STREAM), so
reordering, dropping, duplicating, truncating or extending chunks all fail authentication.
A fresh random data key per item means (key, nonce) pairs never repeat.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from temoin.core.vault.errors import DecryptionError

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "HEADER_SIZE",
    "TAG_SIZE",
    "ChunkEncryptor",
    "decrypt_bytes",
    "decrypt_chunks",
    "encrypt_bytes",
    "new_data_key",
]

MAGIC: Final[bytes] = b"TMNVLT01"
HEADER_SIZE: Final[int] = 19
TAG_SIZE: Final[int] = 16
DEFAULT_CHUNK_SIZE: Final[int] = 1 << 20
MAX_CHUNKS: Final[int] = 1 << 32


def new_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return os.urandom(32)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class ChunkEncryptor:
    """Encrypts one stream; call :meth:`encrypt_chunk` per full chunk, then the last one."""

    def __init__(self, key: bytes, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if len(key) != 32:
            raise ValueError("data key must be 32 bytes")
        if not 16 <= chunk_size <= 1 << 30:
            raise ValueError("chunk size must be between 16 bytes and 1 GiB")
        self.chunk_size = chunk_size
        self._aead = AESGCM(key)
        self._prefix = os.urandom(7)
        self.header = MAGIC + struct.pack(">I", chunk_size) + self._prefix
        self._index = 0
        self._finished = False

    def encrypt_chunk(self, plaintext: bytes | memoryview, *, last: bool) -> bytes:
        """Encrypt the next chunk (``chunk_size`` bytes unless ``last``)."""
        if self._finished:
            raise ValueError("stream already finished")
        if not last and len(plaintext) != self.chunk_size:
            raise ValueError("only the last chunk may be shorter than chunk_size")
        if len(plaintext) > self.chunk_size:
            raise ValueError("chunk larger than chunk_size")
        if self._index >= MAX_CHUNKS:
            raise ValueError("stream too long for this chunk size")
        ciphertext = self._aead.encrypt(
            _nonce(self._prefix, self._index, last), plaintext, self.header
        )
        self._index += 1
        self._finished = last
        return ciphertext


def encrypt_bytes(key: bytes, plaintext: bytes, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> bytes:
    """Encrypt a small value in one call (header included)."""
    encryptor = ChunkEncryptor(key, chunk_size=chunk_size)
    parts = [encryptor.header]
    view = memoryview(plaintext)
    offset = 0
    while len(plaintext) - offset > chunk_size:
        parts.append(encryptor.encrypt_chunk(view[offset : offset + chunk_size], last=False))
        offset += chunk_size
    parts.append(encryptor.encrypt_chunk(view[offset:], last=True))
    return b"".join(parts)


def decrypt_chunks(key: bytes, read: Callable[[int], bytes], *, what: str) -> Iterator[bytes]:
    """Yield plaintext chunks of a blob read through ``read(n)``; raise on any alteration.

    A chunk is yielded only after its tag verified, but an alteration in a later chunk is
    found only when that chunk is reached: callers that must not release unverified content
    write to a temporary place and publish it after the iterator finishes.
    """
    header = read(HEADER_SIZE)
    if len(header) != HEADER_SIZE or header[:8] != MAGIC:
        raise DecryptionError(f"{what}: not a vault blob (bad header)")
    (chunk_size,) = struct.unpack(">I", header[8:12])
    if not 16 <= chunk_size <= 1 << 30:
        raise DecryptionError(f"{what}: chunk size in header is out of range")
    try:
        aead = AESGCM(key)
    except ValueError as exc:
        raise DecryptionError(f"{what}: data key has the wrong length") from exc
    prefix = header[12:]
    step = chunk_size + TAG_SIZE
    current = read(step)
    index = 0
    while True:
        following = read(step) if len(current) == step else b""
        last = not following
        if len(current) < TAG_SIZE:
            raise DecryptionError(f"{what}: truncated at chunk {index}")
        try:
            yield aead.decrypt(_nonce(prefix, index, last), current, header)
        except InvalidTag as exc:
            raise DecryptionError(
                f"{what}: chunk {index} failed authentication (altered, truncated or wrong key)"
            ) from exc
        if last:
            return
        current = following
        index += 1


def decrypt_bytes(key: bytes, blob: bytes, *, what: str) -> bytes:
    """Decrypt a small blob held in memory."""
    position = 0

    def read(n: int) -> bytes:
        nonlocal position
        chunk = blob[position : position + n]
        position += len(chunk)
        return chunk

    return b"".join(decrypt_chunks(key, read, what=what))
