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


def evidence_for_event(viewer: Any, event: Any, *, with_sources: bool = False
                       ) -> list[dict[str, Any]]:
    """Items supporting ``event`` that the viewer may see (for the event page); with
    ``with_sources`` also the items attached to the event's sources."""
    if not with_sources:
        return [evidence_summary(viewer, i)
                for i in evidence_list(viewer, filters={"event": event.pk})]
    items = evidence_list(viewer).filter(
        Q(events__pk=event.pk) | Q(acts__event__pk=event.pk)
        | Q(sources__information__event__pk=event.pk)).distinct()
    return [evidence_summary(viewer, i) for i in items]


def evidence_record(viewer: Any, item: EvidenceItem) -> dict[str, Any]:
    """What the vault extracted at ingest, from its encrypted item record: metadata values
    (each with the tool and version that produced it), proof verdicts (C2PA, ProofMode)
    verbatim, findings, the declared hash and the working-copy operation — never the file
    name. For those who may open the original (the values can locate people);
    ``keys.sealed`` while sealed, ``evidence.shredded`` once the key is destroyed."""
    if not policy.can_open_evidence_original(viewer, item):
        raise PermissionDenied("Vous ne pouvez pas lire les métadonnées de cette pièce.")
    with vault_errors():
        record = open_vault().read_record(item.sha256)
    return {"media_type_tool": record.get("media_type_tool"),
            "declared_sha256": record.get("declared_sha256"),
            "metadata": list(record.get("metadata") or []),
            "proofs": list(record.get("proofs") or []),
            "findings": list(record.get("findings") or []),
            "operation": record.get("operation")}


def custody_inclusion(viewer: Any, sha256: str) -> dict[str, Any]:
    """Inclusion of each custody entry of a visible item in the latest signed checkpoint:
    the checkpoint's signature is checked with the published key, then each entry's RFC 9162
    inclusion proof against its root. ``status`` per seq: ``proven``, ``pending`` (appended
    after that checkpoint) or ``failed``; ``checkpoint`` says why when none can be used."""
    from temoin.core.custody import (
        CheckpointError,
        NoteError,
        NoteVerifier,
        ProofError,
        hash_leaf,
        verify_checkpoint,
        verify_inclusion,
    )

    item = access_evidence_by_sha(viewer, sha256)
    with vault_errors():
        vault = open_vault()
        seqs = [e.seq for e in vault.timeline(item.sha256)]
        note = vault.log.latest_checkpoint()
        if note is None:
            return {"checkpoint": "none", "size": None, "status": {s: "pending" for s in seqs}}
        row = CustodyLogKey.objects.filter(origin=vault.log.origin).first()
        try:
            if row is None:
                raise CheckpointError("no published key for this log")
            verified = verify_checkpoint(note, NoteVerifier.from_vkey(row.vkey),
                                         origin=vault.log.origin)
        except (CheckpointError, NoteError):
            return {"checkpoint": "invalid", "size": None, "status": {s: "failed" for s in seqs}}
        size, root = verified.checkpoint.size, verified.checkpoint.root
        status: dict[int, str] = {}
        for seq in seqs:
            if seq >= size:
                status[seq] = "pending"
                continue
            try:
                verify_inclusion(seq, size, hash_leaf(vault.log.entry_bytes(seq)),
                                 vault.log.inclusion_proof(seq, size), root)
                status[seq] = "proven"
            except ProofError:
                status[seq] = "failed"
    return {"checkpoint": "signed", "size": size, "status": status}


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


# --- witnesses and time-stamps (see services/witnessing.py) --------------------------------
def witness_request(*, from_size: int) -> dict[str, Any]:
    """The latest signed checkpoint and the consistency proof from ``from_size`` (the size a
    witness last co-signed). Public by design, like the log key: a checkpoint holds only the
    log's origin, size and root hash, and the proof only tree hashes."""
    from temoin.core.custody import Checkpoint
    from temoin.core.custody.note import parse_note
    from temoin.core.custody.witnessing import WitnessRequest
    from temoin.errors import Conflict, NotFound

    with vault_errors():
        log = open_vault().log
        note = log.latest_checkpoint()
        if note is None:
            raise NotFound("Aucun point de contrôle signé pour l'instant.", code="witness.no_checkpoint")
        size = Checkpoint.parse(parse_note(note)[0]).size
        if not 0 <= from_size <= size:
            raise Conflict(f"Taille {from_size} au-delà du dernier point de contrôle ({size}).",
                           code="witness.from_beyond_checkpoint")
        proof = log.consistency_proof(from_size, size) if 0 < from_size < size else []
    return WitnessRequest(note=note, from_size=from_size, proof=tuple(proof)).to_json()


def witness_keys(viewer: Any) -> list[dict[str, Any]]:
    """Registered witness keys (host staff)."""
    from temoin.evidence.models import WitnessKey

    if not policy.is_host_staff(viewer):
        raise PermissionDenied("Réservé au personnel de l'organisation.")
    return [{"id": w.pk, "name": w.name, "vkey": w.vkey, "organisation": w.organisation.short_name,
             "added_at": w.added_at.isoformat(), "revoked": w.revoked_at is not None,
             "cosignatures": w.cosignatures.count()}
            for w in WitnessKey.objects.select_related("organisation")]


def checkpoint_status(viewer: Any, *, limit: int = 20) -> list[dict[str, Any]]:
    """The latest recorded checkpoints with their time-stamps (or failures) and cosignatures."""
    from temoin.evidence.models import CustodyCheckpoint

    if not policy.is_host_staff(viewer):
        raise PermissionDenied("Réservé au personnel de l'organisation.")
    rows = (CustodyCheckpoint.objects.order_by("-size")
            .prefetch_related("timestamps", "cosignatures__witness")[:limit])
    return [{"size": r.size, "root": r.root, "published_at": r.published_at.isoformat(),
             "timestamps": [{"tsa_url": t.tsa_url, "status": t.status, "gen_time": t.gen_time,
                             "attempts": t.attempts, "error": t.error} for t in r.timestamps.all()],
             "cosignatures": [{"witness": c.witness.name, "cosigned_at": c.cosigned_at.isoformat()}
                              for c in r.cosignatures.all()]}
            for r in rows]
