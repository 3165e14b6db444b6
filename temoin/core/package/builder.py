"""Court package builder: a BagIt bag that anyone can verify offline.

Layout (payload under ``data/``)::

    data/package.json                 index: format, log origin and key, witness keys, items
    data/checkpoint.note              signed (and co-signed) C2SP checkpoint covering every entry
    data/timestamps/checkpoint-N.tsr  RFC 3161 responses over the checkpoint body; roots/*.pem
    data/anchors/checkpoint-M/…       earlier co-signed / time-stamped checkpoints (anchors.py)
    data/custody/entries.jsonl        exact leaf bytes of the items' custody entries (by seq)
    data/custody/proofs.json          RFC 9162 inclusion proof of each entry to the checkpoint
    data/items/<sha256>/content/<original|working-copy>.<ext>   decrypted bytes
    data/items/<sha256>/record.json   the item record the ingest entry committed to (courts)
    data/items/<sha256>/record-redacted.json   instead, for non-judicial recipients (redaction.py)
    data/items/<sha256>/item.json     hashes, entry list, context (sources, events, acts)
    data/README.fr.md, README.en.md, VERIFY.md, verify_package.py
    package-signature.note            log-key signature over the bag manifests (tag file)

The builder appends one ``export`` custody entry per item *before* signing the checkpoint, so
the package proves its own export.  Entries of other items are never included: each entry
comes with its own inclusion proof instead of the whole log.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import bagit
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from temoin.core.custody.checkpoint import Checkpoint
from temoin.core.custody.entry import canonical_json
from temoin.core.custody.note import NoteSigner, NoteVerifier, add_signatures, parse_note
from temoin.core.custody.timestamp import TimestampAuthority, request_timestamp
from temoin.core.package import verify_package
from temoin.core.package.anchors import CheckpointAnchor, write_anchors
from temoin.core.package.errors import PackageError
from temoin.core.package.readme import readme_en, readme_fr, verify_md
from temoin.core.package.redaction import identifying_content_fields, redact_record
from temoin.core.vault.records import Actor
from temoin.core.vault.vault import Vault

__all__ = ["ExportItem", "PackageResult", "WitnessClient", "build_package"]

FORMAT: Final[str] = verify_package.FORMAT
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,8})\Z")


class WitnessClient(Protocol):
    """A witness reachable from the exporter (in-process :class:`Witness` or a network client)."""

    def last_seen(self, origin: str) -> tuple[int, bytes] | None:
        """Tree head this witness last co-signed for ``origin``."""
        ...

    def cosign(self, note: bytes, *, consistency_proof: Sequence[bytes]) -> bytes:
        """Check consistency and return the note with the witness's cosignature added."""
        ...


@dataclass(frozen=True)
class ExportItem:
    """One item to export; ``context`` holds the sources, events and acts it supports."""

    sha256: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PackageResult:
    """Where the package is and what it proves."""

    path: Path
    items: tuple[str, ...]
    checkpoint_size: int
    cosigned_by: tuple[str, ...]


def _content_name(record: Mapping[str, Any], *, working_copy: bool) -> str:
    stem = "working-copy" if working_copy else "original"
    match = _EXTENSION.search(str(record.get("filename") or ""))
    return f"{stem}.{match.group(1).lower()}" if match else stem


def build_package(
    vault: Vault,
    items: Sequence[ExportItem],
    destination: Path,
    *,
    actor: Actor,
    reason: str,
    log_signer: NoteSigner,
    witnesses: Sequence[WitnessClient] = (),
    witness_keys: Sequence[NoteVerifier] = (),
    timestamp_authorities: Sequence[TimestampAuthority] = (),
    tsa_roots: Sequence[x509.Certificate] = (),
    organisation_name: str = "",
    anchors: Sequence[CheckpointAnchor] = (),
    anchor_roots: Sequence[x509.Certificate] = (),
    disclosure: str = "full",
) -> PackageResult:
    """Export ``items`` (originals, or working copies for derivatives) into a new bag.

    The caller enforces consent limits and access rights before calling; shredded items are
    refused.  ``destination`` must not exist.  Each of ``timestamp_authorities`` time-stamps
    the checkpoint body (RFC 3161); tokens are verified against ``tsa_roots`` before use.

    ``disclosure``: ``"full"`` (courts: the committed item records, file names and EXIF
    included) or ``"redacted"`` (non-judicial recipients: ``record-redacted.json`` with
    non-identifying values only; a working copy whose bytes still carry GPS/EXIF values is
    refused, before anything is logged).
    """
    if disclosure not in verify_package.DISCLOSURES:
        raise PackageError(f"unknown disclosure {disclosure!r}: one of {verify_package.DISCLOSURES}")
    if destination.exists():
        raise PackageError(f"package destination {destination.name} already exists")
    if not items:
        raise PackageError("a package needs at least one item")
    seen: set[str] = set()
    for item in items:
        summary = vault.item(item.sha256)
        if summary.shredded:
            raise PackageError(f"item {item.sha256} was shredded and cannot be exported")
        if item.sha256 in seen:
            raise PackageError(f"item {item.sha256} is listed twice")
        seen.add(item.sha256)
        if disclosure == "redacted" and summary.derived_from is not None:
            identifying = identifying_content_fields(vault.read_record(item.sha256))
            if identifying:
                raise PackageError(
                    f"working copy {item.sha256} still carries identifying values in its bytes "
                    f"({', '.join(identifying)}): strip them and ingest a new working copy"
                )
    log = vault.log
    staging = destination.with_name(destination.name + ".building")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        for item in items:
            _write_item(vault, item, staging / "items" / item.sha256, actor=actor, reason=reason,
                        disclosure=disclosure)
        note = log.checkpoint()
        for witness in witnesses:
            previous = witness.last_seen(log.origin)
            proof = log.consistency_proof(previous[0], log.size) if previous else []
            note = witness.cosign(note, consistency_proof=proof)
        text, signatures = parse_note(note)
        checkpoint = Checkpoint.parse(text)
        log.add_cosignatures(note, signatures)
        _write_custody(vault, [i.sha256 for i in items], staging, checkpoint.size)
        (staging / "checkpoint.note").write_bytes(note)
        write_anchors(log, staging, anchors, size=checkpoint.size, roots=anchor_roots)
        if timestamp_authorities:
            (staging / "timestamps" / "roots").mkdir(parents=True)
            for number, root in enumerate(tsa_roots):
                (staging / "timestamps" / "roots" / f"{number}.pem").write_bytes(root.public_bytes(Encoding.PEM))
            for number, authority in enumerate(timestamp_authorities):
                token = request_timestamp(checkpoint.body().encode(), authority, roots=tsa_roots)
                (staging / "timestamps" / f"checkpoint-{number}.tsr").write_bytes(token)
        for item in items:
            _write_item_index(vault, item, staging / "items" / item.sha256, checkpoint.size)
        index = {
            "format": FORMAT,
            "origin": log.origin,
            "log_key": log_signer.vkey(),
            "witness_keys": [w.vkey() for w in witness_keys],
            "items": [i.sha256 for i in items],
            "disclosure": disclosure,
            "checkpoint_size": checkpoint.size,
            "exported_by": {
                "actor": actor.id,
                "role": actor.role,
                "organisation": actor.organisation,
            },
            "exported_at_utc": log.now(),
            "reason": reason,
        }
        (staging / "package.json").write_bytes(
            json.dumps(index, indent=2, ensure_ascii=False).encode() + b"\n"
        )
        (staging / "README.fr.md").write_text(readme_fr(index, log_signer.vkey()), encoding="utf-8")
        (staging / "README.en.md").write_text(readme_en(index, log_signer.vkey()), encoding="utf-8")
        (staging / "VERIFY.md").write_text(verify_md(log_signer.vkey()), encoding="utf-8")
        shutil.copyfile(Path(verify_package.__file__), staging / "verify_package.py")
        bagit.make_bag(
            str(staging),
            {
                "Source-Organization": organisation_name or actor.organisation,
                "External-Description": "Témoin court package / paquet judiciaire Témoin",
                "Bag-Software-Agent": "temoin",
            },
            checksums=["sha256", "sha512"],
        )
        signature_text = verify_package.package_signature_text(staging, log.origin)
        (staging / "package-signature.note").write_bytes(
            add_signatures(signature_text, [log_signer.sign(signature_text)])
        )
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    cosigners = tuple(s.name for s in signatures if s.name != log_signer.name)
    return PackageResult(destination, tuple(i.sha256 for i in items), checkpoint.size, cosigners)


def _write_item(
    vault: Vault, item: ExportItem, directory: Path, *, actor: Actor, reason: str, disclosure: str
) -> None:
    summary = vault.item(item.sha256)
    record = vault.record_bytes(item.sha256)
    (directory / "content").mkdir(parents=True)
    if disclosure == "redacted":
        reduced = redact_record(json.loads(record), record_sha256=summary.record_sha256)
        (directory / "record-redacted.json").write_bytes(
            json.dumps(reduced, indent=2, ensure_ascii=False, sort_keys=True).encode() + b"\n"
        )
    else:
        (directory / "record.json").write_bytes(record)
    name = _content_name(json.loads(record), working_copy=summary.derived_from is not None)
    vault.export_original(
        item.sha256, directory / "content" / name, actor=actor, reason=reason, action="export"
    )


def _write_custody(vault: Vault, shas: Sequence[str], staging: Path, size: int) -> None:
    seqs = sorted({e.seq for sha in shas for e in vault.timeline(sha) if e.seq < size})
    (staging / "custody").mkdir()
    lines = [vault.log.entry_bytes(seq) + b"\n" for seq in seqs]
    (staging / "custody" / "entries.jsonl").write_bytes(b"".join(lines))
    proofs = {str(seq): [h.hex() for h in vault.log.inclusion_proof(seq, size)] for seq in seqs}
    (staging / "custody" / "proofs.json").write_bytes(json.dumps(proofs, indent=1).encode() + b"\n")


def _write_item_index(vault: Vault, item: ExportItem, directory: Path, size: int) -> None:
    summary = vault.item(item.sha256)
    description = {
        "sha256": summary.sha256,
        "sha512": summary.sha512,
        "size": summary.size,
        "media_type": summary.media_type,
        "ingest_seq": summary.ingest_seq,
        "derived_from": summary.derived_from,
        "entry_seqs": [e.seq for e in vault.timeline(item.sha256) if e.seq < size],
        "context": dict(item.context),
        "context_note": "context is stated by the exporter; it is not part of the custody log",
    }
    canonical_json(description)  # refuse floats and odd types early
    (directory / "item.json").write_bytes(
        json.dumps(description, indent=2, ensure_ascii=False).encode() + b"\n"
    )
