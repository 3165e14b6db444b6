"""Fixity, crypto-shredding, checkpoints and key re-wrapping after a rotation."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from temoin.audit.services import audit_record
from temoin.cases import policy
from temoin.core import sealing
from temoin.core.custody import NoteVerifier
from temoin.errors import PermissionDenied, Problems
from temoin.evidence.errors import derivatives_refusal, vault_errors
from temoin.evidence.models import EvidenceItem
from temoin.evidence.services.common import (
    FILENAME_CONTEXT,
    _check_reason,
    custody_actor,
)
from temoin.evidence.vaultsetup import log_key, open_vault, unsealed_or_raise
from temoin.keys.errors import IdentitiesSealed


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
            from temoin.evidence.services.witnessing import recorded_checkpoints_problem

            log_problem = recorded_checkpoints_problem(vault)  # published roots still match?
            log_ok = not log_problem
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


def _unshredded_copies(item: EvidenceItem) -> list[EvidenceItem]:
    found: list[EvidenceItem] = []
    level = list(item.derivatives.all())
    while level:
        found.extend(level)
        level = list(EvidenceItem.objects.filter(derived_from__in=level).exclude(pk__in=[i.pk for i in found]))
    return [copy for copy in found if not copy.shredded]


def evidence_shred(*, actor: Any, item: EvidenceItem, reason: str, authority: str,
                   with_derivatives: bool = False) -> EvidenceItem:
    """Crypto-shred: destroy the item's data key (and record and blob); custody entry
    ``key_destroyed`` with who, when, why and under which authority. Administrators only.

    Working copies carry the original's content: while any is not shredded, the shred is
    refused (``evidence.derivatives_exist``, listing them by hash) unless ``with_derivatives``,
    which shreds every copy too — one custody entry and one audit row per item."""
    if not policy.can_maintain_evidence(actor):
        raise PermissionDenied("Seul un administrateur peut détruire une pièce.")
    problems = Problems(f"evidence item {item.sha256[:12]}")
    _check_reason(problems, reason)
    if not str(authority or "").strip():
        problems.add("authority", "required", "L'autorité de la décision est obligatoire.")
    if item.shredded:
        problems.add("sha256", "evidence.shredded", f"La pièce {item.sha256} est déjà détruite.")
    problems.raise_if_any()
    copies = _unshredded_copies(item)
    if copies and not with_derivatives:
        raise derivatives_refusal(item.sha256, [c.sha256 for c in copies])
    with vault_errors():
        vault = open_vault()
        first_seq = vault.log.size
        entry = vault.shred(item.sha256, actor=custody_actor(actor), reason=reason,
                            authority=authority, with_derivatives=with_derivatives)
        shredded_now = {e.item_sha256: e.seq for e in (vault.log.entry(s) for s in range(first_seq, entry.seq + 1))
                        if e.action == "key_destroyed"}
    now = timezone.now()
    with transaction.atomic():
        for row in [*EvidenceItem.objects.filter(sha256__in=[s for s in shredded_now if s != item.sha256]), item]:
            row.shredded, row.shredded_at, row.filename_sealed = True, now, None
            row.save(update_fields=["shredded", "shredded_at", "filename_sealed"])
            details: dict[str, Any] = {"sha256": row.sha256, "authority": authority,
                                       "custody_seq": shredded_now[row.sha256]}
            if row is not item:
                details["with_original"] = item.sha256
            elif len(shredded_now) > 1:
                details["derivatives"] = sorted(s for s in shredded_now if s != item.sha256)
            audit_record(actor=actor, action="evidence.shred", target=row, reason=reason, details=details)
    return item



def evidence_checkpoint(*, actor: Any) -> dict[str, Any]:
    """Sign a checkpoint of the custody log now (administrators; needs unsealed keys)."""
    if not policy.can_maintain_evidence(actor):
        raise PermissionDenied("Réservé aux administrateurs.")
    unsealed_or_raise()
    from temoin.evidence.services.witnessing import custody_checkpoint_publish

    outcome = custody_checkpoint_publish(actor=actor)  # recorded, audited, time-stamped (TSAs)
    return {"origin": outcome.checkpoint.origin, "size": outcome.checkpoint.size,
            "checkpoint": outcome.note.decode(), "vkey": log_key().vkey,
            "timestamps": [{"tsa_url": t.tsa_url, "status": t.status, "gen_time": t.gen_time,
                            "error": t.error} for t in outcome.timestamps]}


def evidence_rewrap_keys(*, actor: Any, old: sealing.UnsealedKeys, new_public_key: bytes,
                         new_key_id: str) -> int:
    """After a key rotation: wrap every item's data key, every sealed file name and the
    custody log key to the new organisation key. Call inside the rotation's transaction
    (``identities_rotate``), with the old keys still in memory. Vault objects are not
    rewritten: new wrappings go to ``RewrappedDataKey`` rows. Returns the number of items."""
    from temoin.evidence.models import CustodyLogKey, RewrappedDataKey
    from temoin.evidence.vaultsetup import LOG_KEY_CONTEXT, current_wrapping, unwrap_with, wrap_to

    count, foreign = 0, 0
    with transaction.atomic(), vault_errors():
        storage = open_vault().storage
        for name in list(storage.list("keys/")):
            with storage.open_read(name) as handle:
                stored = handle.read()
            try:
                data_key = unwrap_with(old, current_wrapping(stored))
            except sealing.WrongKey:
                foreign += 1  # wrapped to neither the retiring key nor a key it replaced
                continue
            RewrappedDataKey.objects.update_or_create(
                stored_sha256=hashlib.sha256(stored).hexdigest(),
                defaults={"key_id": new_key_id, "wrapped": wrap_to(new_public_key, new_key_id, data_key)})
            count += 1
        for item in (EvidenceItem.objects.select_for_update().exclude(filename_sealed=None)
                     .exclude(filename_key_id=new_key_id)):
            item.filename_sealed = sealing.rewrap_identity(
                bytes(item.filename_sealed), old, new_public_key, new_key_id,
                context=f"{FILENAME_CONTEXT}:{item.sha256}")
            item.filename_key_id = new_key_id
            item.save(update_fields=["filename_sealed", "filename_key_id"])
        for row in CustodyLogKey.objects.select_for_update().exclude(key_id=new_key_id):
            row.sealed_skey = sealing.rewrap_identity(bytes(row.sealed_skey), old, new_public_key,
                                                      new_key_id, context=LOG_KEY_CONTEXT)
            row.key_id = new_key_id
            row.save(update_fields=["sealed_skey", "key_id"])
        audit_record(actor=actor, action="evidence.rewrap",
                     details={"items": count, "key_id": new_key_id, "retired": old.key_id,
                              "unreadable_data_keys": foreign})
    return count
