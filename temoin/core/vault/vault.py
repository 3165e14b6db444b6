"""The evidence vault: ingest, read, fixity, crypto-shredding and crash recovery.

On the exact received bytes, in one streaming pass with flat memory, :meth:`Vault.ingest`
computes SHA-256, SHA-512 and the size, sniffs the media type from the content and encrypts
the bytes in chunks (AES-256-GCM) under a fresh per-item data key.  The evidentiary copy is
stored once as ``blobs/<sha256>`` and never rewritten; its key, wrapped by the organisation
key, as ``keys/<sha256>``; an encrypted item record (file name, extracted metadata, findings,
context) as ``records/<sha256>``.  The custody entry commits to all of it by hash.

Commit protocol (crash-consistent; :meth:`Vault.recover` runs on open)::

    1. blob streamed to a temporary object, fsynced
    2. pending/<sha256>.json  (the custody entry to append)   -- the intent
    3. keys/<sha256>, records/<sha256>, blobs/<sha256>        -- atomic puts / rename
    4. custody log append (fsynced)
    5. pending intent removed

Recovery rolls an intent forward when all three objects exist, back otherwise, so there is
never a log entry without its blob nor a blob without its entry.  Shredding appends the
``key_destroyed`` entry first, then deletes key, record and blob; recovery finishes deletions.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Final

from temoin.core.custody.entry import CustodyEntry, canonical_json
from temoin.core.custody.log import CustodyLog
from temoin.core.vault import maintenance
from temoin.core.vault.aead import (
    DEFAULT_CHUNK_SIZE,
    ChunkEncryptor,
    decrypt_bytes,
    decrypt_chunks,
    encrypt_bytes,
    new_data_key,
)
from temoin.core.vault.c2pa_check import read_c2pa
from temoin.core.vault.content import (
    Finding,
    extension_finding,
    extract_metadata,
    sniff_media_type,
)
from temoin.core.vault.errors import (
    DerivativesExistError,
    EmptyInputError,
    IntegrityError,
    ItemNotFoundError,
    ItemShreddedError,
    KeyWrapError,
    VaultError,
)
from temoin.core.vault.fieldmeta import FieldRecord, check_field_record
from temoin.core.vault.keywrap import KeyWrapper
from temoin.core.vault.pipeline import StreamDigest, stream_encrypt
from temoin.core.vault.proofmode import check_proofmode_zip, looks_like_proofmode
from temoin.core.vault.records import (
    INGEST_ACTIONS,
    Actor,
    ConsistencyReport,
    FixityResult,
    IngestResult,
    ItemSummary,
)
from temoin.core.vault.storage import BlobStorage

__all__ = ["RECORD_VERSION", "Vault"]

RECORD_VERSION: Final[str] = "temoin.item.v1"
METADATA_SIZE_LIMIT: Final[int] = 64 << 20
# Files of these types (up to METADATA_SIZE_LIMIT) are kept in memory during ingest so that
# metadata, ProofMode and C2PA checks can read them without any plaintext on disk.
_INSPECTED_PREFIXES: Final[tuple[str, ...]] = ("image/", "video/", "audio/", "application/pdf", "application/zip")
_INGEST_PREFIXES: Final[tuple[bytes, ...]] = tuple(f'{{"action":"{a}",'.encode() for a in sorted(INGEST_ACTIONS))
_SHRED_PREFIX: Final[bytes] = b'{"action":"key_destroyed",'


def _is_proofmode(content: bytes) -> bool:
    try:
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    except zipfile.BadZipFile:
        return False
    return looks_like_proofmode(names)


def _check_field_records(
    records: Sequence[FieldRecord], sha256: str, filename: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Finding]]:
    verdicts: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    findings: list[Finding] = []
    for position, record in enumerate(records, start=1):
        verdict, record_values, record_findings = check_field_record(
            record, position=position, sha256=sha256, filename=filename
        )
        verdicts.append(verdict)
        values.extend(record_values)
        findings.extend(record_findings)
    return verdicts, values, findings


class Vault:
    """Encrypted, content-addressed evidence store with a custody log.

    ``lock_path`` serialises commits and recovery across processes (``fcntl.flock``).
    """

    def __init__(
        self,
        *,
        storage: BlobStorage,
        key_wrapper: KeyWrapper,
        log: CustodyLog,
        system: str,
        lock_path: Path | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        recover: bool = True,
    ) -> None:
        self.storage = storage
        self.key_wrapper = key_wrapper
        self.log = log
        self.system = system
        self.chunk_size = chunk_size
        self._lock_path = lock_path
        if recover:
            self.recover()

    # ----------------------------------------------------------------- locking
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self._lock_path is None:
            self.log.refresh()
            yield
            return
        with open(self._lock_path, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                self.log.refresh()  # entries other processes appended before we got the lock
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    # ----------------------------------------------------------------- lookups
    def _ingest_entry(self, sha256: str) -> CustodyEntry | None:
        for entry in self.log.entries_for(sha256):
            if entry.item_sha256 == sha256 and entry.action in INGEST_ACTIONS:
                return entry
        return None

    def _is_shredded(self, sha256: str) -> bool:
        return any(
            e.item_sha256 == sha256 and e.action == "key_destroyed"
            for e in self.log.entries_for(sha256)
        )

    def item(self, sha256: str) -> ItemSummary:
        """Summary of an item from the custody log (no key needed)."""
        entry = self._ingest_entry(sha256)
        if entry is None:
            raise ItemNotFoundError(f"item {sha256} was never ingested")
        return ItemSummary.from_entries(entry, shredded=self._is_shredded(sha256))

    def items(self) -> list[ItemSummary]:
        """Every item ever ingested, in ingest order (one sequential read of the log)."""
        shredded = set()
        ingests: list[CustodyEntry] = []
        for seq, leaf in enumerate(self.log.store.iter_leaves()):
            if seq >= self.log.size:
                break
            # Canonical JSON puts "action" first: parse only the entries that matter here.
            if leaf.startswith(_INGEST_PREFIXES):
                ingests.append(CustodyEntry.from_bytes(leaf))
            elif leaf.startswith(_SHRED_PREFIX):
                shredded.add(CustodyEntry.from_bytes(leaf).item_sha256)
        return [ItemSummary.from_entries(e, shredded=e.item_sha256 in shredded) for e in ingests]

    def timeline(self, sha256: str) -> list[CustodyEntry]:
        """Every custody entry about an item (as subject or related item), oldest first."""
        return self.log.entries_for(sha256)

    # ----------------------------------------------------------------- ingest
    def ingest(
        self,
        source: BinaryIO | Path,
        *,
        actor: Actor,
        reason: str = "",
        filename: str | None = None,
        declared_sha256: str | None = None,
        context: Mapping[str, Any] | None = None,
        derived_from: str | None = None,
        operation: Mapping[str, Any] | None = None,
        field_records: Sequence[FieldRecord] = (),
    ) -> IngestResult:
        """Store a received file (or a derivative of an item) and log it.

        ``context`` (source, event and act references) goes into the encrypted record.
        A derivative needs ``derived_from`` (the original's SHA-256) and ``operation``
        (e.g. ``{"name": "blur_faces", "tool": "…", "tool_version": "…"}``).
        ``field_records``: Tella/ODK metadata records received with the file (sidecars); each
        is parsed, its declared hash compared, and its verdict and bytes kept in the record
        (see :mod:`temoin.core.vault.fieldmeta`).  For a duplicate, only the verdicts are
        logged (``details["proofs"]``): stored records are never rewritten.
        Raise :class:`EmptyInputError` for a zero-byte file; any other oddity is recorded as a
        finding and the file is preserved.
        """
        if (derived_from is None) != (operation is None):
            raise VaultError("a derivative needs both derived_from and operation")
        if derived_from is not None:
            original = self.item(derived_from)
            if original.shredded:
                raise ItemShreddedError(
                    f"item {derived_from} was shredded; no derivative can be linked to it"
                )
        if isinstance(source, Path):
            with open(source, "rb") as handle:
                return self.ingest(
                    handle,
                    actor=actor,
                    reason=reason,
                    filename=filename or source.name,
                    declared_sha256=declared_sha256,
                    context=context,
                    derived_from=derived_from,
                    operation=operation,
                    field_records=field_records,
                )
        data_key = new_data_key()
        writer = self.storage.begin_write()
        try:
            digest = stream_encrypt(
                source,
                writer,
                ChunkEncryptor(data_key, chunk_size=self.chunk_size),
                keep_prefixes=_INSPECTED_PREFIXES,
                keep_limit=METADATA_SIZE_LIMIT,
            )
        except BaseException:
            writer.abort()
            raise
        sha256, size = digest.sha256, digest.size
        if size == 0:
            writer.abort()
            raise EmptyInputError(
                "the received file is empty (0 bytes): nothing was stored or logged"
            )
        existing = self._ingest_entry(sha256)
        if existing is not None:
            writer.abort()
            if self._is_shredded(sha256):
                raise ItemShreddedError(
                    f"item {sha256} was shredded; the same bytes are not stored again"
                )
            verdicts, _, record_findings = _check_field_records(field_records, sha256, filename)
            duplicate_details: dict[str, Any] = {"first_ingest_seq": existing.seq}
            if verdicts:
                duplicate_details["proofs"] = [f"{v['type']}:{v['result']}" for v in verdicts]
                duplicate_details["findings"] = [f.code for f in record_findings]
            entry = self._log_event("ingest_duplicate", sha256, actor, reason, duplicate_details)
            return IngestResult(self.item(sha256), True, entry, tuple(record_findings))
        try:
            return self._commit_new(
                writer,
                data_key,
                actor=actor,
                reason=reason,
                filename=filename,
                declared_sha256=declared_sha256,
                context=context,
                derived_from=derived_from,
                operation=operation,
                field_records=field_records,
                digest=digest,
            )
        except BaseException:
            writer.abort()
            raise

    def _commit_new(
        self,
        writer: Any,
        data_key: bytes,
        *,
        actor: Actor,
        reason: str,
        filename: str | None,
        declared_sha256: str | None,
        context: Mapping[str, Any] | None,
        derived_from: str | None,
        operation: Mapping[str, Any] | None,
        field_records: Sequence[FieldRecord],
        digest: StreamDigest,
    ) -> IngestResult:
        sha256, sha512, size, blob_sha256 = digest.sha256, digest.sha512, digest.size, digest.blob_sha256
        copy, video = digest.copy, digest.video
        media_type, media_tool = sniff_media_type(digest.head)
        findings: list[Finding] = []
        mismatch = extension_finding(filename, media_type)
        if mismatch is not None:
            findings.append(mismatch)
        if declared_sha256 is not None and declared_sha256.lower() != sha256:
            findings.append(
                Finding(
                    "declared_hash_mismatch",
                    "the SHA-256 declared by the sender differs from the received bytes (incomplete or altered transfer?)",
                )
            )
        metadata: list[dict[str, Any]] = []
        proofs: list[dict[str, Any]] = []
        if video is not None:
            video_values, video_findings = video.result()
            metadata.extend(video_values)
            findings.extend(video_findings)
        if copy is not None:
            image_values, extraction_findings = extract_metadata(copy, media_type)
            metadata.extend(image_values)
            findings.extend(extraction_findings)
            if media_type == "application/zip" and _is_proofmode(copy):
                verdict, proof_findings = check_proofmode_zip(copy)
                proofs.append(verdict)
                findings.extend(proof_findings)
            c2pa_verdict, c2pa_findings = read_c2pa(copy, media_type)
            if c2pa_verdict is not None:
                proofs.append(c2pa_verdict)
                findings.extend(c2pa_findings)
        elif media_type.startswith("image/"):
            findings.append(
                Finding(
                    "metadata_skipped",
                    f"image larger than {METADATA_SIZE_LIMIT} bytes: metadata not extracted",
                )
            )
        verdicts, record_values, record_findings = _check_field_records(field_records, sha256, filename)
        proofs.extend(verdicts)
        metadata.extend(record_values)
        findings.extend(record_findings)
        record = {
            "version": RECORD_VERSION,
            "sha256": sha256,
            "sha512": sha512,
            "size": size,
            "media_type": media_type,
            "media_type_tool": media_tool,
            "filename": filename,
            "declared_sha256": declared_sha256,
            "context": dict(context or {}),
            "metadata": metadata,
            "proofs": proofs,
            "findings": [f.to_json() for f in findings],
            "derived_from": derived_from,
            "operation": dict(operation) if operation is not None else None,
        }
        record_bytes = canonical_json(record)
        try:
            wrapped = self.key_wrapper.wrap(data_key)
        except Exception as exc:  # noqa: BLE001 — any wrapper failure is re-raised as one typed error
            raise KeyWrapError(
                f"could not wrap the data key of item {sha256}: {type(exc).__name__}"
            ) from exc
        details: dict[str, Any] = {
            "sha512": sha512,
            "size": size,
            "media_type": media_type,
            "blob_sha256": blob_sha256,
            "record_sha256": hashlib.sha256(record_bytes).hexdigest(),
            "findings": [f.code for f in findings],
            "proofs": [f"{p['type']}:{p['result']}" for p in proofs],
        }
        if operation is not None:
            details["operation"] = dict(operation)
        intent = {
            "action": "derivative_created" if derived_from else "ingest",
            "item_sha256": sha256,
            "actor": actor.id,
            "role": actor.role,
            "organisation": actor.organisation,
            "system": self.system,
            "reason": reason,
            "related_sha256": derived_from,
            "details": details,
            "time_utc": self.log.now(),
        }
        with self._locked():
            if (
                self._ingest_entry(sha256) is not None
            ):  # another process stored the same bytes meanwhile
                writer.abort()
                first = self.item(sha256).ingest_seq
                entry = self._log_event(
                    "ingest_duplicate", sha256, actor, reason, {"first_ingest_seq": first}
                )
                return IngestResult(self.item(sha256), True, entry, ())
            self.storage.put(f"pending/{sha256}.json", canonical_json(intent))
            self.storage.put(f"keys/{sha256}", wrapped)
            self.storage.put(f"records/{sha256}", encrypt_bytes(data_key, record_bytes))
            writer.commit(f"blobs/{sha256}")
            entry = self.log.append(**intent)  # type: ignore[arg-type]  # keys match CustodyLog.append
            self.storage.delete(f"pending/{sha256}.json")
        return IngestResult(self.item(sha256), False, entry, tuple(findings))

    # ----------------------------------------------------------------- reading
    def _data_key(self, sha256: str) -> bytes:
        summary = self.item(sha256)
        if summary.shredded:
            raise ItemShreddedError(f"item {sha256} was shredded: its data key no longer exists")
        with self.storage.open_read(f"keys/{sha256}") as handle:
            wrapped = handle.read()
        try:
            return self.key_wrapper.unwrap(wrapped)
        except Exception as exc:  # noqa: BLE001 — any unwrap failure is re-raised as one typed error
            raise KeyWrapError(
                f"could not unwrap the data key of item {sha256}: {type(exc).__name__}"
            ) from exc

    def read_record(self, sha256: str) -> dict[str, Any]:
        """Decrypt and return the item record (file name, metadata, findings, context)."""
        return json.loads(self.record_bytes(sha256))  # type: ignore[no-any-return]  # JSON object

    def record_bytes(self, sha256: str) -> bytes:
        """The exact canonical record bytes committed to by the ingest entry."""
        key = self._data_key(sha256)
        with self.storage.open_read(f"records/{sha256}") as handle:
            record = decrypt_bytes(key, handle.read(), what=f"record of item {sha256}")
        if hashlib.sha256(record).hexdigest() != self.item(sha256).record_sha256:
            raise IntegrityError(f"record of item {sha256} does not match its custody entry")
        return record

    def _plaintext_chunks(self, sha256: str) -> Iterator[bytes]:
        summary = self.item(sha256)
        key = self._data_key(sha256)
        sha256_hash, sha512_hash, size = hashlib.sha256(), hashlib.sha512(), 0
        with self.storage.open_read(f"blobs/{sha256}") as handle:
            for chunk in decrypt_chunks(key, handle.read, what=f"blob of item {sha256}"):
                sha256_hash.update(chunk)
                sha512_hash.update(chunk)
                size += len(chunk)
                yield chunk
        if (sha256_hash.hexdigest(), sha512_hash.hexdigest(), size) != (
            summary.sha256,
            summary.sha512,
            summary.size,
        ):
            raise IntegrityError(
                f"item {sha256}: decrypted content does not match the hashes recorded at ingest"
            )

    def _log_event(
        self, action: str, sha256: str, actor: Actor, reason: str, details: Mapping[str, Any]
    ) -> CustodyEntry:
        return self.log.append(
            action=action,
            item_sha256=sha256,
            actor=actor.id,
            role=actor.role,
            organisation=actor.organisation,
            system=self.system,
            reason=reason,
            details=dict(details),
        )

    def open_original(self, sha256: str, *, actor: Actor, reason: str) -> Iterator[bytes]:
        """Log an ``access`` entry, then yield the evidentiary bytes (verified at the end)."""
        self.item(sha256)
        self._log_event("access", sha256, actor, reason, {})
        return self._plaintext_chunks(sha256)

    def export_original(
        self, sha256: str, destination: Path, *, actor: Actor, reason: str, action: str = "access"
    ) -> None:
        """Write the verified evidentiary bytes to ``destination`` (atomic) and log it."""
        summary = self.item(sha256)
        if summary.shredded:
            raise ItemShreddedError(f"item {sha256} was shredded: its content no longer exists")
        temporary = destination.with_name(f".{destination.name}.partial")
        try:
            with open(temporary, "wb") as out:
                for chunk in self._plaintext_chunks(sha256):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, destination)
        finally:
            temporary.unlink(missing_ok=True)
        self._log_event(action, sha256, actor, reason, {"destination": "file"})

    # ----------------------------------------------------------------- case-file links
    def log_link(
        self,
        sha256: str,
        *,
        actor: Actor,
        reason: str,
        links: Mapping[str, Sequence[str | int]],
        unlink: bool = False,
    ) -> CustodyEntry:
        """Append a ``link`` (or ``unlink``) entry: the item was attached to (detached from)
        records of the case file, named by reference or id in ``links`` (e.g.
        ``{"events": ["E-2022-0042"], "acts": [7], "sources": [12]}``; no names)."""
        summary = self.item(sha256)
        if summary.shredded and not unlink:
            raise ItemShreddedError(f"item {sha256} was shredded; it cannot be linked again")
        details = {kind: list(values) for kind, values in sorted(links.items()) if values}
        if not details:
            raise VaultError(f"a {'un' if unlink else ''}link entry for item {sha256} needs at least one record")
        with self._locked():
            return self._log_event("unlink" if unlink else "link", sha256, actor, reason, {"links": details})

    # ----------------------------------------------------------------- shredding
    def derivatives(self, sha256: str) -> list[str]:
        """Every working copy derived from an item, directly or from another working copy,
        parents before children (from the custody log; no key needed)."""
        found: list[str] = []
        queue = [sha256]
        while queue:
            parent = queue.pop(0)
            for entry in self.log.entries_for(parent):
                if (
                    entry.action == "derivative_created"
                    and entry.related_sha256 == parent
                    and entry.item_sha256 not in found
                    and entry.item_sha256 != sha256
                ):
                    found.append(entry.item_sha256)
                    queue.append(entry.item_sha256)
        return found

    def shred(
        self, sha256: str, *, actor: Actor, reason: str, authority: str, with_derivatives: bool = False
    ) -> CustodyEntry:
        """Destroy the item's data key (and record and blob): its content is unrecoverable.

        ``authority`` names the decision (e.g. a consent withdrawal reference).  Backups of
        ``blobs/`` stay unreadable as long as ``keys/`` is not kept in long-term backups.

        Working copies (redactions, transcripts…) carry the same content: an item that still
        has unshredded ones is refused with :class:`DerivativesExistError` listing them, unless
        ``with_derivatives`` — then every working copy gets its own ``key_destroyed`` entry
        (``details["with_original"]``), appended with the original's under one lock before
        any object is deleted (recovery finishes deletions after a crash).  Returns the
        original's entry.
        """
        summary = self.item(sha256)
        if summary.shredded:
            raise ItemShreddedError(f"item {sha256} was already shredded")
        if not authority:
            raise VaultError(f"shredding item {sha256} needs the authority for the decision")
        with self._locked():
            copies = [d for d in self.derivatives(sha256) if not self._is_shredded(d)]
            if copies and not with_derivatives:
                raise DerivativesExistError(
                    f"item {sha256} has {len(copies)} working cop{'y' if len(copies) == 1 else 'ies'} "
                    f"that would keep its content: {', '.join(copies)}; shred them first or "
                    "shred with their original (with_derivatives)",
                    item=sha256,
                    derivatives=tuple(copies),
                )
            for copy in reversed(copies):  # children before parents, the original last
                self._log_event(
                    "key_destroyed", copy, actor, reason, {"authority": authority, "with_original": sha256}
                )
            details: dict[str, Any] = {"authority": authority}
            if copies:
                details["derivatives"] = copies
            entry = self._log_event("key_destroyed", sha256, actor, reason, details)
            for shredded in [*reversed(copies), sha256]:
                self._finish_shred(shredded)
        return entry

    def _finish_shred(self, sha256: str) -> None:
        for prefix in ("keys", "records", "blobs"):
            self.storage.delete(f"{prefix}/{sha256}")

    # ----------------------------------------------------------------- upkeep
    def check_fixity(
        self, sha256: str, *, actor: Actor, full: bool = True, record: bool = True
    ) -> FixityResult:
        """Re-read an item, re-check ciphertext hash and (if ``full``) decrypt and re-hash it;
        log a ``fixity_check`` entry unless ``record`` is False."""
        return maintenance.check_fixity(self, sha256, actor=actor, full=full, record=record)

    def check_all(
        self, *, actor: Actor, full: bool = True, sample: int | None = None, seed: int | None = None
    ) -> list[FixityResult]:
        """Fixity-check every item (or a random ``sample`` of them, reproducible with ``seed``)."""
        return maintenance.check_all(self, actor=actor, full=full, sample=sample, seed=seed)

    def recover(self) -> list[str]:
        """Bring storage and log back into agreement after a crash; return what was done."""
        return maintenance.recover(self)

    def check_consistency(self) -> ConsistencyReport:
        """Every logged item has its objects, every object has its entry, nothing is pending."""
        return maintenance.check_consistency(self)
