"""The ingest pipeline and the background-writeback writer: exact digests and bytes at every
chunk boundary, streams with and without ``readinto``, bounded writeback.  Synthetic data."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.vault import LocalFileStorage, decrypt_bytes
from temoin.core.vault.aead import HEADER_SIZE, TAG_SIZE, ChunkEncryptor
from temoin.core.vault.pipeline import fill_buffer, stream_encrypt

from .helpers import ANALYST, make_vault

CHUNK = 64
KEY = bytes(range(32))


class ReadOnlyStream:
    """A stream with ``read`` only, returning at most 7 bytes per call (like some upload wrappers)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._position = 0

    def read(self, n: int = -1) -> bytes:
        n = 7 if n < 0 else min(n, 7)
        chunk = self._data[self._position : self._position + n]
        self._position += len(chunk)
        return chunk


class ListWriter:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(bytes(data))

    def commit(self, name: str) -> None:
        raise AssertionError("not used")

    def abort(self) -> None:
        self.parts.clear()


def test_fill_buffer_with_and_without_readinto() -> None:
    data = bytes(range(200))
    for stream in (io.BytesIO(data), ReadOnlyStream(data)):
        buffer = bytearray(150)
        assert fill_buffer(stream, buffer) == 150  # type: ignore[arg-type]  # read-only stream
        assert bytes(buffer) == data[:150]
        assert fill_buffer(stream, buffer) == 50  # type: ignore[arg-type]
        assert bytes(buffer[:50]) == data[150:]
        assert fill_buffer(stream, buffer) == 0  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    size=st.one_of(
        st.sampled_from([1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 7 * CHUNK, 7 * CHUNK + 3]),
        st.integers(1, 20 * CHUNK),
    ),
    read_only=st.booleans(),
)
def test_stream_encrypt_digests_and_blob_at_every_boundary(size: int, read_only: bool) -> None:
    data = hashlib.shake_256(size.to_bytes(4, "big")).digest(size)  # synthetic bytes
    source = ReadOnlyStream(data) if read_only else io.BytesIO(data)
    writer = ListWriter()
    digest = stream_encrypt(
        source,  # type: ignore[arg-type]  # read-only stream
        writer,
        ChunkEncryptor(KEY, chunk_size=CHUNK),
        keep_prefixes=("",),  # every media type
        keep_limit=5 * CHUNK,
        depth=2,
    )
    blob = b"".join(writer.parts)
    assert (digest.sha256, digest.sha512, digest.size) == (
        hashlib.sha256(data).hexdigest(),
        hashlib.sha512(data).hexdigest(),
        size,
    )
    assert digest.blob_sha256 == hashlib.sha256(blob).hexdigest()
    assert len(blob) == HEADER_SIZE + size + TAG_SIZE * -(-size // CHUNK)
    assert decrypt_bytes(KEY, blob, what="test blob") == data
    assert digest.head == data[:CHUNK]  # the sniffed head is the first chunk (at most 8 KiB)
    assert digest.copy == (data if size <= 5 * CHUNK else None)


def test_background_writeback_writes_exact_bytes_and_stops(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path, writeback_every=4096, max_unsynced=8192)
    data = hashlib.shake_256(b"synthetic writeback").digest(300_000)
    writer = storage.begin_write()
    for offset in range(0, len(data), 1000):
        writer.write(data[offset : offset + 1000])
    assert any(t.name == "vault-flush" for t in threading.enumerate())
    writer.commit("blobs/synthetic")
    assert not any(t.name == "vault-flush" for t in threading.enumerate())
    assert (tmp_path / "blobs" / "synthetic").read_bytes() == data
    assert list((tmp_path / "tmp").iterdir()) == []

    aborted = storage.begin_write()
    aborted.write(data)
    aborted.write(data)
    aborted.abort()
    assert not any(t.name == "vault-flush" for t in threading.enumerate())
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not storage.exists("blobs/other")


def test_ingest_of_read_only_stream_matches_hashlib(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, chunk_size=4096)
    data = b"synthetic read-only upload\n" + hashlib.shake_256(b"x").digest(50_000)
    result = vault.ingest(ReadOnlyStream(data), actor=ANALYST, filename="upload.bin")  # type: ignore[arg-type]
    assert result.item.sha256 == hashlib.sha256(data).hexdigest()
    assert result.item.size == len(data)
    assert b"".join(vault.open_original(result.item.sha256, actor=ANALYST, reason="check")) == data
