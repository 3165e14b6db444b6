"""Vault: ingest on exact bytes, dedup, bad input, derivatives, fixity, shredding, disk full."""

from __future__ import annotations

import errno
import hashlib
import io
from pathlib import Path

import pytest
from nacl.public import PrivateKey

from temoin.core.custody import NoteSigner
from temoin.core.vault import (
    EmptyInputError,
    ItemNotFoundError,
    ItemShreddedError,
    KeyWrapError,
    LocalFileStorage,
    StorageFullError,
    Vault,
)
from temoin.core.vault.storage import BlobWriter

from .helpers import ANALYST, ORIGIN, make_vault, synthetic_corpus, synthetic_jpeg, synthetic_png


def _export(vault: Vault, sha256: str, tmp_path: Path) -> bytes:
    destination = tmp_path / f"export-{sha256[:8]}"
    vault.export_original(sha256, destination, actor=ANALYST, reason="test export")
    return destination.read_bytes()


def test_seeded_corpus_round_trips_byte_identical_with_exact_hashes(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    corpus = synthetic_corpus(11, 40)
    identical = 0
    for filename, data in corpus:
        result = vault.ingest(io.BytesIO(data), actor=ANALYST, filename=filename, reason="synthetic intake")
        item = result.item
        assert (item.sha256, item.sha512, item.size) == (
            hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest(), len(data)
        )
        identical += _export(vault, item.sha256, tmp_path) == data
    print(f"exported originals byte-identical: {identical}/{len(corpus)}")
    assert identical == len(corpus)
    assert vault.check_consistency().ok


def test_media_type_is_sniffed_from_content_and_metadata_names_its_tool(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    photo = vault.ingest(io.BytesIO(synthetic_jpeg(3)), actor=ANALYST, filename="IMG_0003.jpg")
    assert photo.item.media_type == "image/jpeg"
    assert photo.findings == ()
    record = vault.read_record(photo.item.sha256)
    values = {v["field"]: v for v in record["metadata"]}
    assert values["gps.latitude"]["value"] == "14.500000"
    assert values["gps.longitude"]["value"] == "-4.210000"
    assert values["exif.DateTimeOriginal"]["value"] == "2024:03:05 10:11:12"
    assert values["exif.Make"]["tool"] == "Pillow"
    assert values["perceptual_hash.phash"]["tool"] == "ImageHash"
    assert len(values["perceptual_hash.phash"]["value"]) == 16
    assert all(v["tool_version"] for v in record["metadata"])
    assert record["filename"] == "IMG_0003.jpg"
    entry = vault.timeline(photo.item.sha256)[0]
    assert entry.action == "ingest"
    assert "filename" not in entry.details and "metadata" not in entry.details  # sensitive: encrypted record only


def test_duplicate_is_recognised_not_stored_twice(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    data = synthetic_png(5)
    first = vault.ingest(io.BytesIO(data), actor=ANALYST, filename="a.png")
    second = vault.ingest(io.BytesIO(data), actor=ANALYST, filename="copy-from-other-source.png")
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.entry.action == "ingest_duplicate"
    assert second.entry.details == {"first_ingest_seq": first.entry.seq}
    assert len(list(vault.storage.list("blobs/"))) == 1
    assert [e.action for e in vault.timeline(first.item.sha256)] == ["ingest", "ingest_duplicate"]


def test_zero_byte_file_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    vault.ingest(io.BytesIO(b"synthetic"), actor=ANALYST)
    before = (vault.log.size, sorted((tmp_path / "store").rglob("*")))
    with pytest.raises(EmptyInputError, match="empty \\(0 bytes\\): nothing was stored or logged"):
        vault.ingest(io.BytesIO(b""), actor=ANALYST, filename="empty.jpg")
    assert (vault.log.size, sorted((tmp_path / "store").rglob("*"))) == before


@pytest.mark.parametrize(
    ("filename", "data_fn", "codes", "media_type"),
    [
        ("photo.jpg", lambda: synthetic_png(1), ["extension_contradicts_content"], "image/png"),
        ("clip.mp4", lambda: b"synthetic plain text, not a video\n", ["extension_contradicts_content"], "text/plain"),
        ("photo.jpg", lambda: synthetic_jpeg(2)[: len(synthetic_jpeg(2)) // 2], ["image_truncated_or_corrupt"], "image/jpeg"),
        ("report.pdf", lambda: b"%PDF-1.4\nsynthetic", [], "application/pdf"),
        ("raw.bin", lambda: bytes(range(256)) * 3, [], "application/octet-stream"),
    ],
)
def test_odd_files_are_preserved_with_their_findings(tmp_path: Path, filename: str, data_fn, codes: list[str], media_type: str) -> None:  # type: ignore[no-untyped-def]
    vault = make_vault(tmp_path)
    data = data_fn()
    result = vault.ingest(io.BytesIO(data), actor=ANALYST, filename=filename)
    assert [f.code for f in result.findings] == codes
    assert list(result.item.finding_codes) == codes
    assert result.item.media_type == media_type
    assert _export(vault, result.item.sha256, tmp_path) == data


def test_corrupt_exif_is_reported_and_file_preserved(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    data = synthetic_jpeg(4)
    at = data.index(b"Exif\x00\x00") + 6 + 8
    corrupt = data[:at] + b"\xff\xff" + data[at + 2 :]  # IFD0 claims 65535 entries
    result = vault.ingest(io.BytesIO(corrupt), actor=ANALYST, filename="corrupt-exif.jpg")
    assert [f.code for f in result.findings] == ["exif_corrupt"]
    assert "declares 65535 entries" in result.findings[0].message
    assert _export(vault, result.item.sha256, tmp_path) == corrupt


def test_declared_hash_mismatch_is_recorded(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    result = vault.ingest(io.BytesIO(b"synthetic partial upload"), actor=ANALYST, declared_sha256="0" * 64)
    assert [f.code for f in result.findings] == ["declared_hash_mismatch"]


def test_derivative_is_a_new_item_linked_to_its_original(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    original = vault.ingest(io.BytesIO(synthetic_jpeg(6)), actor=ANALYST, filename="o.jpg").item
    derived = vault.ingest(
        io.BytesIO(synthetic_jpeg(7)), actor=ANALYST, filename="blurred.jpg",
        derived_from=original.sha256, operation={"name": "blur_faces", "tool": "synthetic-blur", "tool_version": "0"},
    ).item
    assert derived.derived_from == original.sha256
    assert derived.operation == {"name": "blur_faces", "tool": "synthetic-blur", "tool_version": "0"}
    assert [e.action for e in vault.timeline(original.sha256)] == ["ingest", "derivative_created"]
    assert _export(vault, original.sha256, tmp_path) == synthetic_jpeg(6)
    with pytest.raises(ItemNotFoundError):
        vault.ingest(io.BytesIO(b"x"), actor=ANALYST, derived_from="f" * 64, operation={"name": "crop"})


def test_fixity_detects_corruption_and_missing_objects_and_logs_each_check(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    items = [vault.ingest(io.BytesIO(d), actor=ANALYST, filename=n).item for n, d in synthetic_corpus(3, 6)]
    assert all(r.ok for r in vault.check_all(actor=ANALYST))
    blob = tmp_path / "store" / "blobs" / items[0].sha256
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x04
    blob.write_bytes(bytes(data))
    (tmp_path / "store" / "keys" / items[1].sha256).unlink()
    results = {r.sha256: r for r in vault.check_all(actor=ANALYST)}
    assert not results[items[0].sha256].ok
    assert results[items[0].sha256].problems[0] == f"blobs/{items[0].sha256}: ciphertext SHA-256 differs from the ingest entry"
    assert items[0].blob_sha256 in results[items[0].sha256].restore_hint
    assert results[items[1].sha256].problems == (f"keys/{items[1].sha256} is missing",)
    assert sum(r.ok for r in results.values()) == 4
    fixity_entries = [e for e in vault.timeline(items[0].sha256) if e.action == "fixity_check"]
    assert [e.details["result"] for e in fixity_entries] == ["ok", "failed"]


def test_shredding_makes_content_unrecoverable_and_keeps_the_log_valid(tmp_path: Path) -> None:
    signer = NoteSigner.generate(ORIGIN)
    vault = make_vault(tmp_path, signer=signer)
    data = synthetic_jpeg(8)
    item = vault.ingest(io.BytesIO(data), actor=ANALYST, filename="s.jpg").item
    blob_before = (tmp_path / "store" / "blobs" / item.sha256).read_bytes()
    entry = vault.shred(item.sha256, actor=ANALYST, reason="consent withdrawn (synthetic)", authority="decision SYN-1")
    assert entry.action == "key_destroyed" and entry.details == {"authority": "decision SYN-1"}
    assert not any((tmp_path / "store" / p / item.sha256).exists() for p in ("keys", "records", "blobs"))
    with pytest.raises(ItemShreddedError):
        vault.export_original(item.sha256, tmp_path / "x", actor=ANALYST, reason="r")
    with pytest.raises(ItemShreddedError):
        vault.ingest(io.BytesIO(data), actor=ANALYST)
    # A backup copy of the blob alone cannot be opened: the data key is gone.
    assert data not in blob_before
    assert vault.check_fixity(item.sha256, actor=ANALYST).ok
    assert vault.item(item.sha256).shredded
    vault.log.checkpoint()
    assert vault.log.verify(signer.verifier).size == 3
    assert vault.check_consistency().ok


def test_wrong_organisation_key_cannot_read(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    item = vault.ingest(io.BytesIO(b"synthetic secret"), actor=ANALYST).item
    stranger = make_vault(tmp_path, private_key=PrivateKey(b"\x02" * 32))
    with pytest.raises(KeyWrapError, match=f"could not unwrap the data key of item {item.sha256}"):
        stranger.read_record(item.sha256)


class _FullDiskWriter:
    def __init__(self, inner: BlobWriter, budget: int) -> None:
        self.inner, self.budget = inner, budget

    def write(self, data: bytes) -> None:
        self.budget -= len(data)
        if self.budget < 0:
            self.inner.abort()
            from temoin.core.vault.storage import _storage_error

            raise _storage_error(OSError(errno.ENOSPC, "No space left on device"), "a blob")
        self.inner.write(data)

    def commit(self, name: str) -> None:
        self.inner.commit(name)

    def abort(self) -> None:
        self.inner.abort()


class _FullDiskStorage(LocalFileStorage):
    def begin_write(self) -> BlobWriter:
        return _FullDiskWriter(super().begin_write(), budget=10_000)


def test_disk_full_during_ingest_leaves_nothing_behind(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    vault.storage = _FullDiskStorage(tmp_path / "store")
    with pytest.raises(StorageFullError, match="storage full while writing a blob: nothing was stored"):
        vault.ingest(io.BytesIO(b"s" * 50_000), actor=ANALYST)
    assert vault.log.size == 0
    assert list((tmp_path / "store" / "tmp").iterdir()) == []
    assert vault.check_consistency().ok


def test_reading_an_original_logs_access_and_detects_damage_while_streaming(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    data = bytes(range(256)) * 64  # 16 KiB, several 4 KiB chunks
    sha = vault.ingest(io.BytesIO(data), actor=ANALYST).item.sha256
    assert b"".join(vault.open_original(sha, actor=ANALYST, reason="review")) == data
    blob = tmp_path / "store" / "blobs" / sha
    damaged = bytearray(blob.read_bytes())
    damaged[-20] ^= 1
    blob.write_bytes(bytes(damaged))
    from temoin.core.vault import DecryptionError

    with pytest.raises(DecryptionError, match=f"blob of item {sha}: chunk 3 failed authentication"):
        b"".join(vault.open_original(sha, actor=ANALYST, reason="review again"))
    with pytest.raises(DecryptionError):
        vault.export_original(sha, tmp_path / "out.bin", actor=ANALYST, reason="export")
    assert not (tmp_path / "out.bin").exists() and not (tmp_path / ".out.bin.partial").exists()
    assert [e.action for e in vault.timeline(sha)] == ["ingest", "access", "access"]


def test_recovery_finishes_an_interrupted_shredding(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    sha = vault.ingest(io.BytesIO(b"synthetic to shred"), actor=ANALYST).item.sha256
    # Crash window: the key_destroyed entry is durable, the files are not yet deleted.
    vault.log.append(action="key_destroyed", item_sha256=sha, actor=ANALYST.id, role=ANALYST.role,
                     organisation=ANALYST.organisation, system="test-host", reason="synthetic",
                     details={"authority": "SYN-3"})
    assert not vault.check_consistency().ok
    reopened = make_vault(tmp_path)
    assert reopened.check_consistency().ok
    assert not (tmp_path / "store" / "keys" / sha).exists()


def test_fixity_sample_is_reproducible(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    for name, data in synthetic_corpus(4, 10):
        vault.ingest(io.BytesIO(data), actor=ANALYST, filename=name)
    first = [r.sha256 for r in vault.check_all(actor=ANALYST, sample=3, seed=20261127)]
    second = [r.sha256 for r in vault.check_all(actor=ANALYST, sample=3, seed=20261127)]
    assert first == second and len(set(first)) == 3
