"""Reading and verifying the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from temoin.audit.models import AuditEntry, AuditHead
from temoin.core.auditchain import GENESIS, ChainEntry, ChainReport, verify_chain


def _entries(batch: int = 5000) -> Iterator[ChainEntry]:
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=batch):
        yield ChainEntry(
            sequence=entry.sequence,
            prev_hash=entry.prev_hash,
            entry_hash=entry.entry_hash,
            payload=entry.payload(),
        )


@dataclass(frozen=True)
class AuditVerdict:
    chain: ChainReport
    head_ok: bool
    head_problem: str | None

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.head_ok


def audit_verify() -> AuditVerdict:
    """Recompute the whole chain and compare its tip with the head row."""
    report = verify_chain(_entries())
    head = AuditHead.objects.filter(pk=1).first()
    last = AuditEntry.objects.order_by("-sequence").first()
    head_ok, problem = True, None
    if head is None and last is not None:
        head_ok, problem = False, "audit.head_missing"
    elif head is not None:
        tip_seq = last.sequence + 1 if last else 0
        tip_hash = last.entry_hash if last else GENESIS
        if (head.sequence, head.last_hash) != (tip_seq, tip_hash):
            head_ok, problem = False, "audit.truncated"
    return AuditVerdict(chain=report, head_ok=head_ok, head_problem=problem)


def audit_search(
    *, action: str | None = None, target_type: str | None = None,
    target_id: str | None = None, actor_id: int | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all()
    if action:
        qs = qs.filter(action__startswith=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs.order_by("-sequence")
