"""Reads of the evidence domain, always through the viewer.

For the web event page (another engineer's): ``evidence_for_event(viewer, event)`` and
``custody_timeline(viewer, sha256)`` return plain dicts, no file names, no person names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from temoin.cases import policy
from temoin.core.custody import CustodyEntry
from temoin.errors import PermissionDenied
from temoin.evidence.access import access_evidence_by_sha, visible_evidence
from temoin.evidence.errors import vault_errors
from temoin.evidence.models import CustodyLogKey, EvidenceItem
from temoin.evidence.vaultsetup import log_key, open_vault


def evidence_list(viewer: Any, *, filters: Mapping[str, Any] | None = None) -> QuerySet[EvidenceItem]:
    """Items the viewer may see; filters ``event`` (id; items linked to it or to one of its
    acts), ``source`` (id), ``media_type``
    (prefix), ``shredded`` (bool)."""
    filters = filters or {}
    items = visible_evidence(viewer)
    if filters.get("event"):
        event_id = int(filters["event"])
        items = items.filter(Q(events__pk=event_id) | Q(acts__event__pk=event_id)).distinct()
    if filters.get("source"):
        items = items.filter(sources__pk=int(filters["source"]))
    if filters.get("media_type"):
        items = items.filter(media_type__startswith=str(filters["media_type"]))
    if filters.get("shredded") is not None:
        items = items.filter(shredded=bool(filters["shredded"]))
    return items.select_related("derived_from").prefetch_related("events", "acts", "sources")


def evidence_summary(viewer: Any, item: EvidenceItem) -> dict[str, Any]:
    """What any viewer of the item may know (never the file name)."""
    events = [e for e in item.events.all()]
    return {
        "sha256": item.sha256, "sha512": item.sha512, "size": item.size,
        "media_type": item.media_type, "findings": list(item.finding_codes),
        "ingest_seq": item.ingest_seq, "ingested_at": item.ingested_at,
        "ingested_by": f"u-{item.ingested_by_id}",
        "derived_from": item.derived_from.sha256 if item.derived_from else None,
        "operation": item.operation, "redacted": item.redacted, "shredded": item.shredded,
        "events": [{"id": e.pk, "reference": e.reference} for e in events],
        "acts": [a.pk for a in item.acts.all()],
        "sources": [s.pk for s in item.sources.all()],
        "last_fixity_at": item.last_fixity_at, "last_fixity_ok": item.last_fixity_ok,
        "can_open_original": policy.can_open_evidence_original(viewer, item) and not item.shredded,
    }


def evidence_for_event(viewer: Any, event: Any) -> list[dict[str, Any]]:
    """Items supporting ``event`` that the viewer may see (for the event page)."""
    return [evidence_summary(viewer, i) for i in evidence_list(viewer, filters={"event": event.pk})]


def entry_as_dict(entry: CustodyEntry) -> dict[str, Any]:
    return {"seq": entry.seq, "time_utc": entry.time_utc, "action": entry.action,
            "item_sha256": entry.item_sha256, "related_sha256": entry.related_sha256,
            "actor": entry.actor, "role": entry.role, "organisation": entry.organisation,
            "system": entry.system, "reason": entry.reason, "details": dict(entry.details)}


def custody_timeline(viewer: Any, sha256: str) -> list[dict[str, Any]]:
    """Every custody entry about a visible item, oldest first (from the core log).

    Reasons and details of other people's entries are shown to administrators, analysts and
    reviewers only; monitors, viewers and partners see them masked (``"reason": null``)."""
    item = access_evidence_by_sha(viewer, sha256)
    full = policy.is_host_staff(viewer) and viewer.role in policy.EVIDENCE_ORIGINAL_ROLES
    me = f"u-{viewer.pk}"
    with vault_errors():
        entries = [entry_as_dict(e) for e in open_vault().timeline(item.sha256)]
    if not full:
        for entry in entries:
            if entry["actor"] != me:
                entry["reason"], entry["details"] = None, {}
    return entries


def custody_vkey() -> dict[str, str]:
    """The custody log's published verification key (public by design)."""
    row = log_key()
    return {"origin": row.origin, "vkey": row.vkey}


def custody_checkpoint_latest(viewer: Any) -> dict[str, Any]:
    if not policy.is_host_staff(viewer):
        raise PermissionDenied("Réservé au personnel de l'organisation.")
    with vault_errors():
        vault = open_vault()
        note = vault.log.latest_checkpoint()
        return {"origin": vault.log.origin, "size": vault.log.size,
                "checkpoint": note.decode() if note else None,
                "vkey": CustodyLogKey.objects.get(origin=vault.log.origin).vkey}
