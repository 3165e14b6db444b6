"""Every write of the evidence domain: permission → validation (all at once) → vault
(custody entry in the core log) → rows + audit row in one transaction.

The vault operation runs *before* the database transaction (a multi-GB stream must not hold
the database write lock). If the database part fails afterwards, the vault holds an item the
database does not know yet: the next ingest of the same bytes is recognised as a duplicate
and creates the missing row. Audit details hold hashes, ids and codes — never file names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone

import temoin
from temoin.audit.services import audit_record
from temoin.cases import policy
from temoin.cases.access import access_source_by_id, visible_events
from temoin.cases.models import Act, Event, Recipient, Source
from temoin.core import sealing
from temoin.core.custody import NoteVerifier
from temoin.core.package import ExportItem, build_package
from temoin.core.vault import Actor, IngestResult
from temoin.errors import NotFound, PermissionDenied, Problems
from temoin.evidence.access import visible_evidence
from temoin.evidence.errors import EvidenceShredded, vault_errors
from temoin.evidence.models import EvidenceExport, EvidenceItem
from temoin.evidence.vaultsetup import log_key, open_vault, signing_vault, unsealed_or_raise
from temoin.keys.errors import IdentitiesSealed
from temoin.keys.selectors import active_keyring

FILENAME_CONTEXT = "evidence-filename"
RECIPIENT_KINDS = {Recipient.COURTS, Recipient.PARTNERS, Recipient.PUBLIC,
                   Recipient.UN_MECHANISMS, Recipient.MEDIA}
JUDICIAL = {Recipient.COURTS}


def custody_actor(user: Any) -> Actor:
    """Pseudonymous custody actor: ``u-<id>``, role, organisation short name (no names)."""
    return Actor(id=f"u-{user.pk}", role=str(user.role), organisation=user.organisation.short_name)


def _check_reason(problems: Problems, reason: str, field_name: str = "reason") -> None:
    if not str(reason or "").strip():
        problems.add(field_name, "required", "Une raison est obligatoire (elle entre dans le registre de garde).")


def _editable_links(actor: Any, problems: Problems, *, events: Sequence[Event],
                    acts: Sequence[Act], source: Source | None) -> None:
    visible = visible_events(actor)
    for event in events:
        if not visible.filter(pk=event.pk).exists():
            problems.add("events", "not_found", f"Évènement {event.pk} introuvable.")
        elif not policy.can_edit_event(actor, event):
            problems.add("events", "forbidden", f"Vous ne pouvez pas modifier l'évènement {event.reference}.")
    for act in acts:
        if not visible.filter(pk=act.event_id).exists():
            problems.add("acts", "not_found", f"Acte {act.pk} introuvable.")
        elif not policy.can_edit_event(actor, act.event):
            problems.add("acts", "forbidden", f"Vous ne pouvez pas modifier l'acte {act.pk}.")
    if source is not None:
        try:
            access_source_by_id(actor, source.pk)
        except NotFound:
            problems.add("source", "not_found", f"Source {source.pk} introuvable.")


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
            "events": [e.reference for e in events], "acts": [a.pk for a in acts],
            "sources": [s.pk for s in sources]})
    return IngestOutcome(item, result.duplicate, tuple(f.code for f in result.findings),
                         result.entry.seq)


def evidence_ingest(*, actor: Any, file: Any, reason: str, source: Source | None = None,
                    events: Sequence[Event] = (), acts: Sequence[Act] = (),
                    filename: str | None = None, declared_sha256: str | None = None) -> IngestOutcome:
    """Store a received file in the vault and link it to a source, events and acts.

    ``file``: a Django ``UploadedFile`` (on-disk uploads are read from their temporary path),
    a binary stream or a ``Path``. Works while the keys are sealed (wrapping needs only the
    public key). A file already in the vault is recognised (``duplicate``) and only linked.
    """
    if not policy.can_ingest_evidence(actor):
        raise PermissionDenied("Vous ne pouvez pas ajouter de pièce.")
    problems = Problems("evidence item (new)")
    _check_reason(problems, reason)
    if not events and not acts and source is None:
        problems.add("links", "required", "Une pièce se rattache à au moins un évènement, un acte ou une source.")
    _editable_links(actor, problems, events=events, acts=acts, source=source)
    problems.raise_if_any()
    name = filename or (file.name if isinstance(file, Path) else getattr(file, "name", None))
    context = {"events": [e.reference for e in events], "acts": [a.pk for a in acts],
               "sources": [source.pk] if source else []}
    with vault_errors():
        result = open_vault().ingest(_source_stream(file), actor=custody_actor(actor), reason=reason,
                                     filename=name, declared_sha256=declared_sha256, context=context)
    return _store(actor, result, filename=name, reason=reason, events=events, acts=acts,
                  sources=[source] if source else [])


def evidence_link(*, actor: Any, item: EvidenceItem, reason: str, events: Sequence[Event] = (),
                  acts: Sequence[Act] = (), sources: Sequence[Source] = ()) -> EvidenceItem:
    """Link a visible item to more events, acts or sources (database only: the custody log
    records what happens to the bytes; links are the case file's statement)."""
    if not policy.can_ingest_evidence(actor):
        raise PermissionDenied("Vous ne pouvez pas rattacher de pièce.")
    problems = Problems(f"evidence item {item.sha256[:12]}")
    _check_reason(problems, reason)
    if not events and not acts and not sources:
        problems.add("links", "required", "Rien à rattacher.")
    _editable_links(actor, problems, events=events, acts=acts, source=None)
    for source in sources:
        _editable_links(actor, problems, events=(), acts=(), source=source)
    problems.raise_if_any()
    with transaction.atomic():
        item.events.add(*events)
        item.acts.add(*acts)
        item.sources.add(*sources)
        audit_record(actor=actor, action="evidence.link", target=item, reason=reason, details={
            "sha256": item.sha256, "events": [e.reference for e in events],
            "acts": [a.pk for a in acts], "sources": [s.pk for s in sources]})
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


@dataclass(frozen=True)
class VerifyOutcome:
    checked: list[dict[str, Any]]
    full: bool
    log_ok: bool
    log_problem: str
    log_size: int
    storage_problems: tuple[str, ...] = ()
    not_in_database: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.log_ok and not self.storage_problems and all(c["ok"] for c in self.checked)


def evidence_verify(*, actor: Any, sample: int | None = None, seed: int | None = None,
                    items: Sequence[EvidenceItem] = ()) -> VerifyOutcome:
    """Fixity: re-read stored items (all, a sample, or the given ones), re-check hashes and
    the custody log; record ``fixity_check`` entries. Sealed: ciphertext hashes only."""
    from temoin.core.custody import LogCorruptError

    if not policy.can_maintain_evidence(actor):
        raise PermissionDenied("Réservé aux administrateurs.")
    try:
        unsealed_or_raise()
        full = True
    except IdentitiesSealed:  # sealed: ciphertext hashes only, said in the outcome
        full = False
    vactor = custody_actor(actor)
    with vault_errors():
        vault = open_vault()
        if items:
            results = [vault.check_fixity(i.sha256, actor=vactor, full=full) for i in items]
        else:
            results = vault.check_all(actor=vactor, full=full, sample=sample, seed=seed)
        try:
            verification = vault.log.verify(NoteVerifier.from_vkey(log_key().vkey))
            log_ok, log_problem, log_size = True, "", verification.size
        except LogCorruptError as exc:
            log_ok, log_problem, log_size = False, exc.message, vault.log.size
        storage_problems = vault.check_consistency().problems
        in_vault = {i.sha256 for i in vault.items()}
    not_in_database = tuple(sorted(in_vault - set(EvidenceItem.objects.values_list("sha256", flat=True))))
    checked = [{"sha256": r.sha256, "ok": r.ok, "problems": list(r.problems),
                "restore_hint": r.restore_hint} for r in results]
    now = timezone.now()
    with transaction.atomic():
        for r in results:
            EvidenceItem.objects.filter(sha256=r.sha256).update(last_fixity_at=now, last_fixity_ok=r.ok)
        audit_record(actor=actor, action="evidence.verify", details={
            "checked": len(results), "failed": [r.sha256 for r in results if not r.ok],
            "full": full, "log_ok": log_ok, "sample": sample,
            "storage_problems": len(storage_problems), "not_in_database": len(not_in_database)})
    return VerifyOutcome(checked, full, log_ok, log_problem, log_size, storage_problems,
                         not_in_database)


def evidence_shred(*, actor: Any, item: EvidenceItem, reason: str, authority: str) -> EvidenceItem:
    """Crypto-shred: destroy the item's data key (and record and blob); custody entry
    ``key_destroyed`` with who, when, why and under which authority. Administrators only."""
    if not policy.can_maintain_evidence(actor):
        raise PermissionDenied("Seul un administrateur peut détruire une pièce.")
    problems = Problems(f"evidence item {item.sha256[:12]}")
    _check_reason(problems, reason)
    if not str(authority or "").strip():
        problems.add("authority", "required", "L'autorité de la décision est obligatoire.")
    if item.shredded:
        problems.add("sha256", "evidence.shredded", f"La pièce {item.sha256} est déjà détruite.")
    problems.raise_if_any()
    with vault_errors():
        entry = open_vault().shred(item.sha256, actor=custody_actor(actor), reason=reason,
                                   authority=authority)
    with transaction.atomic():
        item.shredded, item.shredded_at = True, timezone.now()
        item.filename_sealed = None
        item.save(update_fields=["shredded", "shredded_at", "filename_sealed"])
        audit_record(actor=actor, action="evidence.shred", target=item, reason=reason,
                     details={"sha256": item.sha256, "authority": authority,
                              "custody_seq": entry.seq})
    return item



# --- court and partner packages ---------------------------------------------------------------
def _consent_allows(source: Source, kind: str, organisation: Any) -> bool:
    consent = set(source.consent or [])
    if kind == Recipient.PARTNERS:
        return bool(Recipient.PARTNERS in consent and organisation is not None
                    and source.consent_partners.filter(pk=organisation.pk).exists())
    return kind in consent


@dataclass(frozen=True)
class ExportOutcome:
    export: EvidenceExport
    path: Path
    items: list[str]
    excluded: list[dict[str, Any]]
    substituted: dict[str, str]
    checkpoint_size: int


def _select_for_export(actor: Any, selected: Sequence[EvidenceItem], kind: str, organisation: Any
                       ) -> tuple[dict[str, EvidenceItem], list[dict[str, Any]], dict[str, str]]:
    chosen: dict[str, EvidenceItem] = {}
    excluded: list[dict[str, Any]] = []
    substituted: dict[str, str] = {}
    for item in sorted(selected, key=lambda i: i.ingest_seq):
        if item.shredded:
            excluded.append({"sha256": item.sha256, "code": "evidence.shredded",
                             "message": f"La pièce {item.sha256[:12]} a été détruite."})
            continue
        refusing = [s.pk for s in item.sources.all() if not _consent_allows(s, kind, organisation)]
        if refusing:
            names = ", ".join(f"source {pk}" for pk in refusing)
            excluded.append({"sha256": item.sha256, "code": "consent.forbids_recipient",
                             "sources": refusing,
                             "message": f"Pièce {item.sha256[:12]} : le consentement de la {names} "
                                        f"n'autorise pas la transmission à « {kind} »."})
            continue
        chosen_item = item
        if kind not in JUDICIAL and item.derived_from_id is None:
            copy = (item.derivatives.filter(redacted=True, shredded=False)
                    .order_by("-ingest_seq").first())
            if copy is not None:
                substituted[item.sha256] = copy.sha256
                chosen_item = copy
        chosen[chosen_item.sha256] = chosen_item
    return chosen, excluded, substituted


def evidence_export(*, actor: Any, recipient_kind: str, reason: str, destination: Path,
                    event: Event | None = None, items: Sequence[EvidenceItem] = (),
                    recipient_organisation: Any = None, refuse_on_consent: bool = False
                    ) -> ExportOutcome:
    """Build a court/partner package (BagIt, standalone verifier) of an event's items or of
    given items. Consent limits: an item linked to a source whose consent does not include the
    recipient kind (``courts``, ``named_partners`` + the organisation, ``public``…) is excluded
    — or, with ``refuse_on_consent``, the export is refused — with the reason naming the
    source. Non-judicial recipients get a redacted working copy instead of an original when one
    exists. Needs unsealed keys (originals are decrypted, the checkpoint is signed)."""
    if not policy.can_export_evidence(actor):
        raise PermissionDenied("Vous ne pouvez pas exporter de pièces.")
    problems = Problems("evidence export")
    _check_reason(problems, reason)
    if recipient_kind not in RECIPIENT_KINDS:
        problems.add("recipient_kind", "choice",
                     f"« {recipient_kind} » n'est pas un destinataire : {sorted(RECIPIENT_KINDS)}.")
    if recipient_kind == Recipient.PARTNERS and recipient_organisation is None:
        problems.add("recipient_organisation", "required", "Un partenaire nommé est attendu.")
    if (event is None) == (not items):
        problems.add("selection", "required", "Choisir un évènement ou une liste de pièces.")
    if event is not None and not visible_events(actor).filter(pk=event.pk).exists():
        problems.add("event", "not_found", f"Évènement {event.pk} introuvable.")
    problems.raise_if_any()
    selected = list(visible_evidence(actor).filter(events=event)) if event is not None else list(items)
    chosen, excluded, substituted = _select_for_export(actor, selected, recipient_kind,
                                                       recipient_organisation)
    refusal = Problems("evidence export")
    if refuse_on_consent:
        for entry in excluded:
            if entry["code"] == "consent.forbids_recipient":
                refusal.add("consent", entry["code"], entry["message"])
    if not chosen:
        for entry in excluded:
            refusal.add("consent" if entry["code"].startswith("consent") else "selection",
                        entry["code"], entry["message"])
        refusal.add("selection", "evidence.nothing_to_export", "Aucune pièce exportable.")
    refusal.raise_if_any()
    unsealed_or_raise()
    visible = visible_events(actor)
    export_items = [ExportItem(sha, {
        "events": [e.reference for e in item.events.all() if visible.filter(pk=e.pk).exists()],
        "acts": [a.pk for a in item.acts.all()], "sources": [s.pk for s in item.sources.all()],
        "working_copy_of": item.derived_from.sha256 if item.derived_from else None,
    }) for sha, item in chosen.items()]
    with vault_errors(), signing_vault() as vault:
        assert vault.log.signer is not None
        result = build_package(vault, export_items, destination, actor=custody_actor(actor),
                               reason=reason, log_signer=vault.log.signer,
                               organisation_name=actor.organisation.short_name)
    with transaction.atomic():
        export = EvidenceExport.objects.create(
            created_by=actor, recipient_kind=recipient_kind,
            recipient_organisation=recipient_organisation, reason=reason,
            settings={"event": event.reference if event else None, "refuse_on_consent": refuse_on_consent,
                      "selected": [i.sha256 for i in selected], "substituted": substituted},
            items=list(result.items), excluded=excluded, checkpoint_size=result.checkpoint_size,
            package_name=destination.name, temoin_version=temoin.__version__)
        audit_record(actor=actor, action="evidence.export", target=export, reason=reason, details={
            "recipient_kind": recipient_kind,
            "recipient_organisation": recipient_organisation.short_name if recipient_organisation else "",
            "items": list(result.items), "excluded": [e["sha256"] for e in excluded],
            "substituted": substituted, "checkpoint_size": result.checkpoint_size})
    return ExportOutcome(export, result.path, list(result.items), excluded, substituted,
                         result.checkpoint_size)


def evidence_checkpoint(*, actor: Any) -> dict[str, Any]:
    """Sign a checkpoint of the custody log now (administrators; needs unsealed keys)."""
    if not policy.can_maintain_evidence(actor):
        raise PermissionDenied("Réservé aux administrateurs.")
    unsealed_or_raise()
    with vault_errors(), signing_vault() as vault:
        note = vault.log.checkpoint()
    with transaction.atomic():
        audit_record(actor=actor, action="evidence.checkpoint",
                     details={"size": vault.log.size, "origin": vault.log.origin})
    return {"origin": vault.log.origin, "size": vault.log.size, "checkpoint": note.decode(),
            "vkey": log_key().vkey}


def evidence_rewrap_keys(*, actor: Any, old: sealing.UnsealedKeys, new_public_key: bytes,
                         new_key_id: str) -> int:
    """After a key rotation: wrap every item's data key, every sealed file name and the
    custody log key to the new organisation key. Call inside the rotation's transaction
    (``identities_rotate``), with the old keys still in memory. Vault objects are not
    rewritten: new wrappings go to ``RewrappedDataKey`` rows. Returns the number of items."""
    from temoin.evidence.models import CustodyLogKey, RewrappedDataKey
    from temoin.evidence.vaultsetup import LOG_KEY_CONTEXT, current_wrapping, unwrap_with, wrap_to

    count = 0
    with transaction.atomic(), vault_errors():
        storage = open_vault().storage
        for name in list(storage.list("keys/")):
            with storage.open_read(name) as handle:
                stored = handle.read()
            data_key = unwrap_with(old, current_wrapping(stored))
            RewrappedDataKey.objects.update_or_create(
                stored_sha256=hashlib.sha256(stored).hexdigest(),
                defaults={"key_id": new_key_id, "wrapped": wrap_to(new_public_key, new_key_id, data_key)})
            count += 1
        for item in EvidenceItem.objects.select_for_update().exclude(filename_sealed=None):
            item.filename_sealed = sealing.rewrap_identity(
                bytes(item.filename_sealed), old, new_public_key, new_key_id,
                context=f"{FILENAME_CONTEXT}:{item.sha256}")
            item.filename_key_id = new_key_id
            item.save(update_fields=["filename_sealed", "filename_key_id"])
        for row in CustodyLogKey.objects.select_for_update():
            row.sealed_skey = sealing.rewrap_identity(bytes(row.sealed_skey), old, new_public_key,
                                                      new_key_id, context=LOG_KEY_CONTEXT)
            row.key_id = new_key_id
            row.save(update_fields=["sealed_skey", "key_id"])
        audit_record(actor=actor, action="evidence.rewrap",
                     details={"items": count, "key_id": new_key_id, "retired": old.key_id})
    return count
