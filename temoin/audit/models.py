"""The audit log: append-only and hash-chained.

Every write in Témoin and every read of identities or restricted records adds one
``AuditEntry`` in the same transaction as the change. Each entry's hash covers the previous
entry's hash, so editing, deleting, inserting or reordering rows breaks the chain
(``temoin audit verify``). Database triggers (see the migrations) refuse UPDATE and DELETE;
the chain catches whoever drops the triggers first. ``AuditHead`` serialises writers and
remembers the tip, so that a truncated tail is detected too.
"""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    sequence = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    organisation = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=60, blank=True, db_index=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    via = models.CharField(max_length=20, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "audit entries"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit entries are append-only")

    def payload(self) -> dict[str, object]:
        """The hashed content, in the exact shape the chain was computed over."""
        return {
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "organisation": self.organisation,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "reason": self.reason,
            "via": self.via,
            "ip": self.ip,
            "details": self.details,
        }


class AuditHead(models.Model):
    """One row: the next sequence number and the newest entry's hash. Locked by writers."""

    sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
