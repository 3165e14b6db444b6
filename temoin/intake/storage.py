"""Keeping imported files: import source files and ODK attachments go to the evidence vault.

* :func:`vault_keep` puts a file through the evidence service's ingest
  (:func:`temoin.evidence.services.evidence_ingest`): content-addressed, encrypted, one
  custody entry ``ingest`` (``ingest_duplicate`` for bytes the vault already holds) whose
  reason names the batch or the submission. Like every vault ingest it works while the keys
  are sealed (a data key is wrapped with the public key only); reading the file back
  (:func:`vault_read`) is an audited ``access`` and needs the keys unsealed.
* The batch keeps the file by its SHA-256 (``ImportBatch.file_sha256`` = the vault item's
  ``sha256``), an attachment likewise (``OdkAttachment.sha256``); ``stored_path`` is empty.
* The ODK submission XML goes to the vault too (``OdkSubmission.xml_sha256`` = the vault
  item's ``sha256``, ``xml_path`` empty). :func:`store_stream` / :func:`store_bytes` remain
  only for files of earlier versions (sealed testimony XML re-wrapped at a key rotation)
  until ``temoin import odk-vault`` (``temoin.intake.odk.odk_files_to_vault``) moves
  what is under ``TEMOIN_HOME/odk/`` into the vault. Files that earlier versions copied to
  ``TEMOIN_HOME/imports/<sha256>`` stay where they are, still named by their batch's
  ``stored_path``: nothing is moved silently (see docs/readme/intake.md).
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


@dataclass(frozen=True)
class VaultedFile:
    """A file kept in the evidence vault: its content address and custody position."""

    sha256: str
    size: int
    duplicate: bool
    custody_seq: int
    item_id: int


def vault_keep(*, actor: Any, file: Path | BinaryIO | bytes, reason: str,
               filename: str | None = None) -> VaultedFile:
    """Ingest a file into the evidence vault, not yet linked to a case record.

    ``reason`` names the batch or submission (it is permanent and travels in packages: no
    person's name). Raises the evidence service's errors (``PermissionDenied``,
    ``ValidationFailed``, vault errors) unchanged.
    """
    from temoin.evidence.services import evidence_ingest

    stream: Any = io.BytesIO(file) if isinstance(file, bytes) else file
    outcome = evidence_ingest(actor=actor, file=stream, reason=reason, filename=filename,
                              unlinked=True)
    return VaultedFile(sha256=outcome.item.sha256, size=outcome.item.size,
                       duplicate=outcome.duplicate, custody_seq=outcome.custody_seq,
                       item_id=outcome.item.pk)


def vault_link(*, actor: Any, sha256: str, reason: str, events: list[Any] | None = None,
               sources: list[Any] | None = None) -> None:
    """Link a kept file to the event/source its submission became."""
    from temoin.evidence.models import EvidenceItem
    from temoin.evidence.services import evidence_link

    item = EvidenceItem.objects.get(sha256=sha256)
    evidence_link(actor=actor, item=item, reason=reason, events=events or [],
                  sources=sources or [])


def vault_read(*, viewer: Any, sha256: str, reason: str) -> bytes:
    """The verified bytes of a kept file (custody entry ``access``; ``keys.sealed`` while
    sealed). For small files only (ODK attachments): it returns them whole."""
    from temoin.evidence.models import EvidenceItem
    from temoin.evidence.services import evidence_open_original

    item = EvidenceItem.objects.get(sha256=sha256)
    return b"".join(evidence_open_original(viewer=viewer, item=item, reason=reason))


def imports_dir() -> Path:
    """Where earlier versions kept import source files (read only; nothing new goes there)."""
    return Path(settings.TEMOIN_HOME) / "imports"


def store_stream(stream: BinaryIO, *, folder: Path) -> StoredFile:
    """Copy a binary stream into ``folder`` as ``<sha256>``, hashing it on the way (memory
    stays flat; written once, read-only afterwards)."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        final = folder / digest.hexdigest()
        if final.exists():
            os.unlink(temp_name)
        else:
            os.replace(temp_name, final)
            os.chmod(final, 0o440)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return StoredFile(sha256=digest.hexdigest(), size=size, path=final)


def store_bytes(data: bytes, *, folder: Path) -> StoredFile:
    return store_stream(io.BytesIO(data), folder=folder)
