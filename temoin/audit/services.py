"""Appending to the audit log. Call inside the transaction of the change being audited."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from temoin.audit.context import current
from temoin.audit.models import AuditEntry, AuditHead
from temoin.core.auditchain import GENESIS, entry_hash


def _target_label(target: models.Model | tuple[str, object] | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        return target[0], str(target[1])
    return target._meta.label_lower, str(target.pk)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | tuple[str, object] | None = None,
    reason: str = "",
    details: dict[str, object] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. ``details`` must never hold names or contact details."""
    target_type, target_id = _target_label(target)
    ctx = current()
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1, sequence=0, last_hash=GENESIS)
        entry = AuditEntry(
            sequence=head.sequence,
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_username=getattr(actor, "username", "") or "",
            organisation=(
                actor.organisation.short_name
                if actor is not None and getattr(actor, "organisation_id", None)
                else ""
            ),
            action=action,
            target_type=target_type,
            target_id=target_id,
            reason=reason,
            via=ctx.via,
            ip=ctx.ip,
            details=details or {},
            prev_hash=head.last_hash,
        )
        entry.entry_hash = entry_hash(
            prev_hash=head.last_hash, sequence=entry.sequence, payload=entry.payload()
        )
        entry.save()
        AuditHead.objects.filter(pk=1).update(
            sequence=entry.sequence + 1, last_hash=entry.entry_hash
        )
    return entry
