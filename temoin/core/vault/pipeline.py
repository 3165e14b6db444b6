"""The ingest pipeline: one pass over the received bytes that hashes, encrypts and stores them.

Stages run in overlapping threads with bounded memory::

    main thread   readinto(buffer k+1) ─ sniff/copy/MP4 scan ─ AES-256-GCM(chunk k) ─┐
    vault-sha256  SHA-256(chunk k)            (plaintext buffer, no copy)             │
    vault-sha512  SHA-512(chunk k)            (plaintext buffer, no copy)             │
    vault-write   SHA-256(ciphertext k) + write  ◄──────────────────────────────────────┘
    (storage)     background writeback of what was written (LocalFileStorage)

hashlib and file writes release the GIL on large buffers, so on two cores the digests,
the encryption and the disk overlap.  Plaintext is read with ``readinto`` into a fixed ring
of ``depth + 2`` buffers of ``chunk_size`` bytes and handed to the hash threads as
memoryviews; a buffer is reused only when both digests are done with it.  At most ``depth``
chunks (plaintext + ciphertext) are in flight, so memory stays flat in the file size:
about ``2 × (depth + 2) × chunk_size`` (≈ 12 MiB with 1 MiB chunks), plus the in-memory copy
of small media kept for metadata extraction (``keep_limit``).
"""

from __future__ import annotations

import collections
import hashlib
import io
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, Final

from temoin.core.vault.aead import ChunkEncryptor
from temoin.core.vault.content import SNIFF_BYTES, sniff_media_type
from temoin.core.vault.mp4 import VIDEO_TYPES, Mp4Scanner
from temoin.core.vault.storage import BlobWriter

__all__ = ["PIPELINE_DEPTH", "StreamDigest", "fill_buffer", "stream_encrypt"]

PIPELINE_DEPTH: Final[int] = 4


@dataclass(frozen=True)
class StreamDigest:
    """What one pass over the received bytes learnt about them."""

    sha256: str
    sha512: str
    size: int
    blob_sha256: str
    head: bytes
    copy: bytes | None
    video: Mp4Scanner | None


def fill_buffer(source: BinaryIO, buffer: bytearray) -> int:
    """Fill ``buffer`` from ``source`` (``readinto`` when the stream has it); return the count.

    Fewer bytes than the buffer holds means the end of the stream was reached.
    """
    view = memoryview(buffer)
    filled = 0
    readinto: Callable[[memoryview], int | None] | None = getattr(source, "readinto", None)
    while filled < len(buffer):
        got: int | None
        if readinto is not None:
            try:
                got = readinto(view[filled:])
            except io.UnsupportedOperation:
                readinto = None
                continue
        else:
            data = source.read(len(buffer) - filled)
            got = len(data)
            view[filled : filled + got] = data
        if not got:
            break
        filled += got
    return filled


def stream_encrypt(
    source: BinaryIO,
    writer: BlobWriter,
    encryptor: ChunkEncryptor,
    *,
    keep_prefixes: tuple[str, ...],
    keep_limit: int,
    depth: int = PIPELINE_DEPTH,
) -> StreamDigest:
    """Hash, encrypt and write ``source`` through ``writer`` in one pass (see module doc).

    Media whose sniffed type starts with one of ``keep_prefixes`` and whose size is at most
    ``keep_limit`` are also returned in memory (``copy``) for metadata and proof checks.
    On any error the remaining work is cancelled and the error re-raised; the caller aborts
    the writer.
    """
    chunk_size = encryptor.chunk_size
    sha256, sha512, blob_hash = hashlib.sha256(), hashlib.sha512(), hashlib.sha256()
    failed: list[BaseException] = []

    def store(ciphertext: bytes) -> None:
        if failed:  # an earlier write failed: the writer is already aborted
            return
        try:
            blob_hash.update(ciphertext)
            writer.write(ciphertext)
        except BaseException as exc:
            failed.append(exc)
            raise

    free = collections.deque(bytearray(chunk_size) for _ in range(depth + 2))
    in_flight: collections.deque[tuple[bytearray, tuple[Future[None], ...]]] = collections.deque()

    def settle_oldest() -> None:
        buffer, futures = in_flight.popleft()
        for future in futures:
            future.result()
        free.append(buffer)

    current = free.popleft()
    filled = fill_buffer(source, current)
    head = bytes(current[: min(filled, SNIFF_BYTES)])
    sniffed = sniff_media_type(head)[0]
    video = Mp4Scanner() if sniffed in VIDEO_TYPES else None
    copy: bytearray | None = bytearray() if sniffed.startswith(keep_prefixes) else None
    size = 0
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="vault-sha256") as hash256,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="vault-sha512") as hash512,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="vault-write") as output,
    ):
        try:
            output.submit(store, encryptor.header).result()
            while filled:
                view = memoryview(current)[:filled]
                size += filled
                if video is not None:
                    video.feed(view)
                if copy is not None:
                    if size <= keep_limit:
                        copy += view
                    else:
                        copy = None
                if not free:
                    settle_oldest()
                following = free.popleft()
                following_filled = fill_buffer(source, following)
                ciphertext = encryptor.encrypt_chunk(view, last=following_filled == 0)
                in_flight.append((current, (
                    hash256.submit(sha256.update, view),
                    hash512.submit(sha512.update, view),
                    output.submit(store, ciphertext),
                )))
                while len(in_flight) > depth:
                    settle_oldest()
                current, filled = following, following_filled
            while in_flight:
                settle_oldest()
        finally:
            for _, futures in in_flight:
                for future in futures:
                    future.cancel()
    return StreamDigest(
        sha256=sha256.hexdigest(),
        sha512=sha512.hexdigest(),
        size=size,
        blob_sha256=blob_hash.hexdigest(),
        head=head,
        copy=bytes(copy) if copy is not None else None,
        video=video,
    )
