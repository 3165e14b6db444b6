"""Ingest, links, audited reads of originals and working copies."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction

from temoin.audit.services import audit_record
from temoin.cases import policy
from temoin.cases.models import Act, Event, Source
from temoin.core import sealing
from temoin.core.vault import MAX_RECORD_BYTES, FieldRecord, IngestResult
from temoin.errors import PermissionDenied, Problems
from temoin.evidence.errors import EvidenceShredded, vault_errors
from temoin.evidence.models import EvidenceItem
from temoin.evidence.services.common import (
    FILENAME_CONTEXT,
    _check_reason,
    _editable_links,
    custody_actor,
)
from temoin.evidence.vaultsetup import open_vault, unsealed_or_raise
from temoin.keys.selectors import active_keyring


def _source_stream(file: Any) -> BinaryIO | Path:
    """A Path for Django's on-disk uploads and paths, else the stream (read in chunks)."""
    if isinstance(file, Path):
        return file
    temporary = getattr(file, "temporary_file_path", None)
    if callable(temporary):
        return Path(temporary())
    if hasattr(file, "seek"):
        file.seek(0)
    return file  # type: ignore[no-any-return]


def _seal_filename(name: str | None, sha256: str) -> tuple[bytes | None, str]:
    if not name:
        return None, ""
    record = active_keyring()
    blob = sealing.seal_identity(record.public_key, {"filename": name}, key_id=record.key_id,
                                 context=f"{FILENAME_CONTEXT}:{sha256}")
    return blob, record.key_id


@dataclass(frozen=True)
class IngestOutcome:
    item: EvidenceItem
    duplicate: bool
    findings: tuple[str, ...]
    custody_seq: int
    proofs: tuple[str, ...] = ()


def field_record_from(name: str, stream: Any) -> FieldRecord:
    """A Tella/ODK metadata record from an upload or an open file (read up to the size limit + 1
    byte, so :func:`evidence_ingest` can refuse an oversized one by name)."""
    try:
        content = stream.read(MAX_RECORD_BYTES + 1)
    finally:
        close = getattr(stream, "close", None)
        if callable(close):
            close()
    return FieldRecord(name, bytes(content))


def _store(actor: Any, result: IngestResult, *, filename: str | None, reason: str,
           events: Sequence[Event], acts: Sequence[Act], sources: Sequence[Source],
           derived_from: EvidenceItem | None = None, redacted: bool = False) -> IngestOutcome:
    summary = result.item
    with transaction.atomic():
        item = EvidenceItem.objects.filter(sha256=summary.sha256).first()
        created = item is None
        if item is None:
            sealed, key_id = _seal_filename(filename, summary.sha256)
            item = EvidenceItem.objects.create(
                sha256=summary.sha256, sha512=summary.sha512, size=summary.size,
                media_type=summary.media_type, filename_sealed=sealed, filename_key_id=key_id,
                ingest_seq=summary.ingest_seq, finding_codes=list(summary.finding_codes),
                ingested_by=actor, derived_from=derived_from,
                operation=dict(summary.operation) if summary.operation else None,
                redacted=redacted)
        item.events.add(*events)
        item.acts.add(*acts)
        item.sources.add(*sources)
        action = "evidence.derive" if derived_from else "evidence.ingest"
        audit_record(actor=actor, action=action, target=item, reason=reason, details={
            "sha256": item.sha256, "size": item.size, "media_type": item.media_type,
            "duplicate": result.duplicate, "row_created": created,
            "findings": [f.code for f in result.findings], "custody_seq": result.entry.seq,
            "proofs": list(result.entry.details.get("proofs", [])),
            "events": [e.reference for e in events], "acts": [a.pk for a in acts],
            "sources": [s.pk for s in sources]})
    return IngestOutcome(item, result.duplicate, tuple(f.code for f in result.findings),
                         result.entry.seq, tuple(result.entry.details.get("proofs", [])))


def evidence_ingest(*, actor: Any, file: Any, reason: str, source: Source | None = None,
                    events: Sequence[Event] = (), acts: Sequence[Act] = (),
                    filename: str | None = None, declared_sha256: str | None = None,
                    field_records: Sequence[FieldRecord] = (),
                    unlinked: bool = False) -> IngestOutcome:
    """Store a received file in the vault and link it to a source, events and acts.

    ``unlinked=True`` (intake only): a file that arrives before the records it produces — an
    import batch's source file (referenced by its SHA-256 from the batch), an ODK attachment
    (linked with :func:`evidence_link` once its submission is imported). The reason must name
    the batch or submission.

    ``field_records``: Tella/ODK metadata records that came with the file (see
    ``temoin.core.vault.fieldmeta``); their verdicts (match / mismatch / absent / unreadable)
    are kept in the item record and the custody entry, and a bad record never refuses the file.

    ``file``: a Django ``UploadedFile`` (on-disk uploads are read from their temporary path),
    a binary stream or a ``Path``. Works while the keys are sealed (wrapping needs only the
    public key). A file already in the vault is recognised (``duplicate``) and only linked.
    """
    if not policy.can_ingest_evidence(actor):
        raise PermissionDenied("Vous ne pouvez pas ajouter de pièce.")
    problems = Problems("evidence item (new)")
    _check_reason(problems, reason)
    if not events and not acts and source is None and not unlinked:
        problems.add("links", "required", "Une pièce se rattache à au moins un évènement, un acte ou une source.")
    _editable_links(actor, problems, events=events, acts=acts, source=source)
    for position, record in enumerate(field_records, start=1):
        if len(record.content) > MAX_RECORD_BYTES:
            problems.add("field_records", "too_large",
                         f"L'enregistrement de métadonnées {position} dépasse {MAX_RECORD_BYTES} octets.")
    problems.raise_if_any()
    name = filename or (file.name if isinstance(file, Path) else getattr(file, "name", None))
    context = {"events": [e.reference for e in events], "acts": [a.pk for a in acts],
               "sources": [source.pk] if source else []}
    with vault_errors():
        result = open_vault().ingest(_source_stream(file), actor=custody_actor(actor), reason=reason,
                                     filename=name, declared_sha256=declared_sha256, context=context,
                                     field_records=field_records)
    return _store(actor, result, filename=name, reason=reason, events=events, acts=acts,
                  sources=[source] if source else [])


def _link_details(events: Sequence[Event], acts: Sequence[Act], sources: Sequence[Source]) -> dict[str, Any]:
    return {"events": [e.reference for e in events], "acts": [a.pk for a in acts],
            "sources": [s.pk for s in sources]}


def _check_link_change(actor: Any, item: EvidenceItem, reason: str, events: Sequence[Event],
                       acts: Sequence[Act], sources: Sequence[Source], verb: str) -> Problems:
    if not policy.can_ingest_evidence(actor):
        raise PermissionDenied(f"Vous ne pouvez pas {verb} de pièce.")
    problems = Problems(f"evidence item {item.sha256[:12]}")
    _check_reason(problems, reason)
    if not events and not acts and not sources:
        problems.add("links", "required", f"Rien à {verb}.")
    _editable_links(actor, problems, events=events, acts=acts, source=None)
    for source in sources:
        _editable_links(actor, problems, events=(), acts=(), source=source)
    return problems


def evidence_link(*, actor: Any, item: EvidenceItem, reason: str, events: Sequence[Event] = (),
                  acts: Sequence[Act] = (), sources: Sequence[Source] = ()) -> EvidenceItem:
    """Link a visible item to more events, acts or sources.

    Rows, a ``link`` custody entry (who, role, reason, item hash, the records by reference or
    id) and the audit row in one transaction: the entry is appended after the rows change and
    before the audit row, inside it, so a failed append rolls the rows back."""
    problems = _check_link_change(actor, item, reason, events, acts, sources, "rattacher")
    if item.shredded:
        problems.add("sha256", "evidence.shredded", f"La pièce {item.sha256} est détruite.")
    problems.raise_if_any()
    with transaction.atomic(), vault_errors():
        item.events.add(*events)
        item.acts.add(*acts)
        item.sources.add(*sources)
        entry = open_vault().log_link(item.sha256, actor=custody_actor(actor), reason=reason,
                                      links=_link_details(events, acts, sources))
        audit_record(actor=actor, action="evidence.link", target=item, reason=reason, details={
            "sha256": item.sha256, **_link_details(events, acts, sources), "custody_seq": entry.seq})
    return item


def evidence_unlink(*, actor: Any, item: EvidenceItem, reason: str, events: Sequence[Event] = (),
                    acts: Sequence[Act] = (), sources: Sequence[Source] = ()) -> EvidenceItem:
    """Withdraw links of an item (same rules and transaction as :func:`evidence_link`, custody
    entry ``unlink``). Each record must be linked now, and at least one link must remain."""
    problems = _check_link_change(actor, item, reason, events, acts, sources, "détacher")
    linked = {"events": set(item.events.values_list("pk", flat=True)),
              "acts": set(item.acts.values_list("pk", flat=True)),
              "sources": set(item.sources.values_list("pk", flat=True))}
    for kind, records in (("events", events), ("acts", acts), ("sources", sources)):
        for record in records:
            if record.pk not in linked[kind]:
                label = record.reference if kind == "events" else record.pk
                problems.add(kind, "not_linked", f"La pièce n'est pas rattachée à {label}.")
    remaining = sum(len(linked[k] - {r.pk for r in records})
                    for k, records in (("events", events), ("acts", acts), ("sources", sources)))
    if remaining == 0:
        problems.add("links", "last_link", "Une pièce reste rattachée à au moins un évènement, un acte ou une source.")
    problems.raise_if_any()
    with transaction.atomic(), vault_errors():
        item.events.remove(*events)
        item.acts.remove(*acts)
        item.sources.remove(*sources)
        entry = open_vault().log_link(item.sha256, actor=custody_actor(actor), reason=reason,
                                      links=_link_details(events, acts, sources), unlink=True)
        audit_record(actor=actor, action="evidence.unlink", target=item, reason=reason, details={
            "sha256": item.sha256, **_link_details(events, acts, sources), "custody_seq": entry.seq})
    return item


def _check_original_access(viewer: Any, item: EvidenceItem, reason: str, action: str) -> None:
    if not policy.can_open_evidence_original(viewer, item):
        with transaction.atomic():
            audit_record(actor=viewer, action=f"{action}_refused", target=item,
                         details={"sha256": item.sha256})
        raise PermissionDenied("Vous ne pouvez pas ouvrir l'original de cette pièce.")
    problems = Problems(f"evidence item {item.sha256[:12]}")
    _check_reason(problems, reason)
    problems.raise_if_any()
    if item.shredded:
        raise EvidenceShredded(f"La pièce {item.sha256} a été détruite (clé effacée).")


def evidence_open_original(*, viewer: Any, item: EvidenceItem, reason: str) -> Iterator[bytes]:
    """Audited read of the evidentiary bytes (custody entry ``access``); verified at the end
    of the stream. ``keys.sealed`` while sealed (nothing logged then)."""
    _check_original_access(viewer, item, reason, "evidence.open")
    unsealed_or_raise()
    with vault_errors():
        vault = open_vault()
        chunks = vault.open_original(item.sha256, actor=custody_actor(viewer), reason=reason)
    with transaction.atomic():
        audit_record(actor=viewer, action="evidence.open", target=item, reason=reason,
                     details={"sha256": item.sha256, "custody_seq": vault.log.size - 1})

    def verified() -> Iterator[bytes]:
        with vault_errors():
            yield from chunks
    return verified()


def evidence_derive(*, actor: Any, original: EvidenceItem, file: Any, operation: Mapping[str, Any],
                    reason: str, redacted: bool = False, filename: str | None = None) -> IngestOutcome:
    """Store a working copy (redaction, transcript, translation…) linked to its original,
    with the operation recorded; it inherits the original's links."""
    _check_original_access(actor, original, reason, "evidence.derive")
    problems = Problems("evidence item (working copy)")
    if not str(operation.get("name", "")).strip():
        problems.add("operation", "required", "L'opération (name, tool, tool_version) est obligatoire.")
    problems.raise_if_any()
    name = filename or (file.name if isinstance(file, Path) else getattr(file, "name", None))
    with vault_errors():
        result = open_vault().ingest(
            _source_stream(file), actor=custody_actor(actor), reason=reason, filename=name,
            derived_from=original.sha256, operation={**operation, "redacted": bool(redacted)},
            context={"derived_from": original.sha256})
    return _store(actor, result, filename=name, reason=reason, events=list(original.events.all()),
                  acts=list(original.acts.all()), sources=list(original.sources.all()),
                  derived_from=original, redacted=redacted)


