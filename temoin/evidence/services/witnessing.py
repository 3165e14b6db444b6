"""Checkpoints that do not rest on this server alone: RFC 3161 time-stamps and witnesses.

* :func:`custody_checkpoint_publish` signs a checkpoint of the custody log, records it and asks
  every configured TSA (``TEMOIN_TSA_URLS``) for a token, verified before it is stored. An
  unreachable or refusing TSA never stops the publication: the failure is stored per TSA and
  reported; :func:`checkpoint_timestamp` retries (``temoin evidence timestamp --pending``).
* Witnesses are partner organisations whose cosigner keys an administrator registers
  (:func:`witness_key_add`). :func:`witness_cosignature_accept` takes a co-signed checkpoint
  note from a witness (HTTP or USB), checks it is exactly a checkpoint this log signed, verifies
  each cosignature against the registered keys and stores the valid ones (merged into the
  note in the log store, and as rows); anything that does not verify is refused, nothing stored.

Network calls run outside database transactions; each stored result has its audit row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from temoin.audit.services import audit_record
from temoin.cases import policy
from temoin.core.custody import (
    Checkpoint,
    CustodyError,
    NoteVerifier,
    TimestampError,
    request_timestamp,
    verify_timestamp,
)
from temoin.core.custody.note import parse_note
from temoin.core.custody.witnessing import accepted_cosignatures
from temoin.core.package import CheckpointAnchor
from temoin.core.vault import Vault
from temoin.errors import Conflict, PermissionDenied, Problems, ValidationFailed
from temoin.evidence.errors import vault_errors
from temoin.evidence.models import (
    CheckpointCosignature,
    CheckpointTimestamp,
    CustodyCheckpoint,
    WitnessKey,
)
from temoin.evidence.services.common import _check_reason
from temoin.evidence.timestamping import HttpTimestampAuthority, tsa_roots, tsa_urls
from temoin.evidence.vaultsetup import log_key, open_vault, signing_vault

logger = logging.getLogger(__name__)


class CosignatureRefused(ValidationFailed):
    code = "witness.cosignature_refused"


@dataclass(frozen=True)
class TimestampResult:
    size: int
    tsa_url: str
    status: str
    gen_time: str
    error: str


@dataclass(frozen=True)
class PublishOutcome:
    checkpoint: CustodyCheckpoint
    note: bytes
    timestamps: list[TimestampResult]


# --------------------------------------------------------------------------- checkpoints
def _text(note: bytes) -> str:
    return parse_note(note)[0]


def checkpoint_record(note: bytes) -> CustodyCheckpoint:
    """The row of a checkpoint note the log signed (created at first sight; idempotent)."""
    checkpoint = Checkpoint.parse(_text(note))
    row, _ = CustodyCheckpoint.objects.get_or_create(
        origin=checkpoint.origin, size=checkpoint.size,
        defaults={"root": checkpoint.root.hex(), "body": checkpoint.body()})
    if row.body != checkpoint.body():
        raise Conflict(f"Deux points de contrôle différents pour la taille {checkpoint.size} : "
                       "le registre de garde a été réécrit.", code="custody.checkpoint_inconsistent")
    return row


def _stamp(row: CustodyCheckpoint, url: str) -> TimestampResult:
    """Ask one TSA for a token over the checkpoint body; store the token or the failure."""
    token, facts, error = None, {}, ""
    try:
        roots = tsa_roots()
        if not roots:
            raise TimestampError("no TSA root configured (TEMOIN_TSA_ROOTS): tokens cannot be verified")
        token = request_timestamp(row.body.encode(), HttpTimestampAuthority(url), roots=roots)
        facts = verify_timestamp(token, row.body.encode(), roots=roots)
    except TimestampError as exc:
        error = f"{exc.code}: {exc.message}"
        logger.warning("time-stamp of checkpoint %s by %s failed: %s", row.size, url, exc.code)
    status = CheckpointTimestamp.FAILED if token is None else CheckpointTimestamp.GRANTED
    with transaction.atomic():
        stamp, _ = CheckpointTimestamp.objects.select_for_update().get_or_create(
            checkpoint=row, tsa_url=url,
            defaults={"status": CheckpointTimestamp.FAILED, "last_attempt_at": timezone.now()})
        if stamp.status != CheckpointTimestamp.GRANTED:  # a granted token is never replaced
            stamp.status, stamp.token, stamp.error = status, token, error
            stamp.gen_time, stamp.tsa_name = str(facts.get("gen_time", "")), str(facts.get("tsa", ""))
        stamp.attempts += 1
        stamp.last_attempt_at = timezone.now()
        stamp.save()
        audit_record(actor=None, action="evidence.timestamp", target=row, details={
            "size": row.size, "tsa_url": url, "status": stamp.status,
            "error": error.split(":", 1)[0] if error else ""})
    return TimestampResult(row.size, url, stamp.status, stamp.gen_time, stamp.error)


def stamp_checkpoint(row: CustodyCheckpoint, *, only_missing: bool = True) -> list[TimestampResult]:
    """Ask each configured TSA (those without a granted token, by default) for a token."""
    granted = set(row.timestamps.filter(status=CheckpointTimestamp.GRANTED)
                  .values_list("tsa_url", flat=True))
    return [_stamp(row, url) for url in tsa_urls() if not (only_missing and url in granted)]


def publish_signed(vault: Vault) -> tuple[CustodyCheckpoint, bytes, list[TimestampResult]]:
    """Inside a signed operation: sign a checkpoint now, record it, time-stamp it."""
    note = vault.log.checkpoint()
    row = checkpoint_record(note)
    return row, note, stamp_checkpoint(row)


def custody_checkpoint_publish(*, actor: Any) -> PublishOutcome:
    """Sign, record and time-stamp a checkpoint (administrators; needs unsealed keys)."""
    if not policy.can_maintain_evidence(actor):
        raise PermissionDenied("Réservé aux administrateurs.")
    with vault_errors(), signing_vault() as vault:
        note = vault.log.checkpoint()
    with transaction.atomic():
        row = checkpoint_record(note)
        audit_record(actor=actor, action="evidence.checkpoint", target=row,
                     details={"size": row.size, "origin": row.origin})
    return PublishOutcome(row, note, stamp_checkpoint(row))


def checkpoint_timestamp(*, actor: Any, pending: bool = False) -> list[TimestampResult]:
    """Time-stamp the latest recorded checkpoint and, with ``pending``, retry every checkpoint
    whose time-stamping failed before (never-attempted older checkpoints are left: a newer
    stamped checkpoint covers their entries). Needs no key: a TSA only sees the body."""
    if not policy.can_maintain_evidence(actor):
        raise PermissionDenied("Réservé aux administrateurs.")
    if not tsa_urls():
        raise Conflict("Aucune autorité d'horodatage configurée (TEMOIN_TSA_URLS).",
                       code="evidence.no_tsa")
    with vault_errors():
        latest = open_vault().log.latest_checkpoint()
    if latest is not None:
        checkpoint_record(latest)
    rows = list(CustodyCheckpoint.objects.order_by("-size")[:1])
    if pending:
        failed = CustodyCheckpoint.objects.filter(timestamps__status=CheckpointTimestamp.FAILED)
        rows = sorted({r.pk: r for r in [*failed, *rows]}.values(), key=lambda r: r.size)
    results: list[TimestampResult] = []
    for row in rows:
        results.extend(stamp_checkpoint(row))
    return results


# --------------------------------------------------------------------------- witnesses
def witness_key_add(*, actor: Any, organisation: Any, vkey: str, reason: str) -> WitnessKey:
    """Register a partner's cosigner key (``name+id+base64``, type 0x04). Administrators."""
    if not policy.can_maintain_evidence(actor):
        raise PermissionDenied("Réservé aux administrateurs.")
    problems = Problems("witness key")
    _check_reason(problems, reason)
    verifier = None
    try:
        verifier = NoteVerifier.from_vkey(str(vkey or "").strip())
    except CustodyError as exc:
        problems.add("vkey", exc.code, f"Clé de témoin illisible : {exc.message}")
    if verifier is not None:
        if verifier.algorithm != 0x04:
            problems.add("vkey", "witness.not_cosigner_key",
                         "La clé doit être une clé de cosignature (type 0x04, `temoin witness init`).")
        if verifier.name == log_key().origin:
            problems.add("vkey", "witness.log_name", "Le nom de la clé est celui du registre lui-même.")
        if WitnessKey.objects.filter(name=verifier.name).exists():
            problems.add("vkey", "witness.duplicate", f"Un témoin nommé {verifier.name} existe déjà.")
    if organisation is None or getattr(organisation, "is_host", False):
        problems.add("organisation", "witness.partner_required",
                     "Le témoin doit être une organisation partenaire, pas l'organisation hôte.")
    problems.raise_if_any()
    assert verifier is not None
    with transaction.atomic():
        row = WitnessKey.objects.create(organisation=organisation, name=verifier.name,
                                        vkey=verifier.vkey(), added_by=actor)
        audit_record(actor=actor, action="evidence.witness_add", target=row, reason=reason,
                     details={"name": row.name, "vkey": row.vkey,
                              "organisation": organisation.short_name})
    return row


def witness_key_revoke(*, actor: Any, witness: WitnessKey, reason: str) -> WitnessKey:
    """Stop accepting new cosignatures by a key (its past cosignatures stay valid)."""
    if not policy.can_maintain_evidence(actor):
        raise PermissionDenied("Réservé aux administrateurs.")
    problems = Problems(f"witness key {witness.name}")
    _check_reason(problems, reason)
    if witness.revoked_at is not None:
        problems.add("witness", "witness.revoked", f"Le témoin {witness.name} est déjà révoqué.")
    problems.raise_if_any()
    with transaction.atomic():
        witness.revoked_at = timezone.now()
        witness.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="evidence.witness_revoke", target=witness, reason=reason,
                     details={"name": witness.name})
    return witness


@dataclass(frozen=True)
class CosignOutcome:
    checkpoint: CustodyCheckpoint
    accepted: list[str]
    already: list[str]


def _refuse(message: str, code: str = "witness.cosignature_refused") -> CosignatureRefused:
    return CosignatureRefused(record="cosignature", fields={"checkpoint": [(code, message)]})


def witness_cosignature_accept(*, note: bytes, via: str = "api") -> CosignOutcome:
    """Store the valid cosignatures of registered (not revoked) witnesses on a checkpoint
    this log signed. Refused (nothing stored) if the note is not such a checkpoint, carries no
    registered cosignature, or any signature by a registered key fails to verify."""
    witnesses = list(WitnessKey.objects.filter(revoked_at=None))
    log_verifier = NoteVerifier.from_vkey(log_key().vkey)
    try:
        checkpoint = Checkpoint.parse(_text(note))
    except CustodyError as exc:
        raise _refuse(f"Point de contrôle illisible : {exc.message}", exc.code) from exc
    with vault_errors():
        stored = open_vault().log.store.checkpoints().get(checkpoint.size)
    if stored is None or checkpoint.origin != log_verifier.name:
        raise _refuse(f"Ce registre n'a pas signé de point de contrôle de taille {checkpoint.size}.",
                      "witness.unknown_checkpoint")
    try:
        accepted = accepted_cosignatures(
            note, log_verifier=log_verifier, stored_body=_text(stored),
            witnesses=[NoteVerifier.from_vkey(w.vkey) for w in witnesses])
    except CustodyError as exc:
        logger.warning("cosignature refused for checkpoint %s: %s", checkpoint.size, exc.code)
        raise _refuse(f"Cosignature refusée : {exc.message}", exc.code) from exc
    by_name = {w.name: w for w in witnesses}
    with vault_errors():
        log = open_vault().log
        with log.store.locked():  # read-merge-write of the stored note, one writer at a time
            log.add_cosignatures(stored, [a.signature for a in accepted])
    new: list[str] = []
    already: list[str] = []
    with transaction.atomic():
        row = checkpoint_record(stored)
        for cosignature in accepted:
            witness = by_name[cosignature.witness.name]
            _, created = CheckpointCosignature.objects.get_or_create(
                checkpoint=row, witness=witness, defaults={
                    "signature_line": cosignature.signature.line().rstrip("\n"),
                    "cosigned_at": datetime.fromtimestamp(cosignature.timestamp, UTC)})
            (new if created else already).append(witness.name)
        if new:
            audit_record(actor=None, action="evidence.cosignature", target=row, details={
                "size": row.size, "witnesses": new, "via": via})
    return CosignOutcome(row, new, already)


def export_material(vault: Vault, ingest_seqs: Sequence[int], size: int
                    ) -> tuple[list[tuple[bytes, list[bytes]]], list[NoteVerifier]]:
    """Earlier checkpoints worth carrying in a package (for each item the first co-signed or
    time-stamped checkpoint covering its ingest entry, and the latest such one, all at or below
    ``size``), each note with its tokens; and every registered witness key."""
    rows = [r for r in CustodyCheckpoint.objects.filter(origin=vault.log.origin, size__gt=0,
                                                         size__lte=size)
            .prefetch_related("timestamps", "cosignatures")
            if r.cosignatures.all() or any(t.status == "granted" for t in r.timestamps.all())]
    chosen: dict[int, CustodyCheckpoint] = {}
    for seq in ingest_seqs:
        first = next((r for r in rows if r.size > seq), None)
        if first is not None:
            chosen[first.size] = first
    if rows:
        chosen[rows[-1].size] = rows[-1]
    stored = vault.log.store.checkpoints()
    anchors = [(stored[s], [bytes(t.token) for t in chosen[s].timestamps.all()
                            if t.status == "granted" and t.token is not None])
               for s in sorted(chosen) if s in stored]
    keys = [NoteVerifier.from_vkey(w.vkey) for w in WitnessKey.objects.all()]
    return anchors, keys



def export_anchors(vault: Vault, items: Sequence[Any]) -> dict[str, Any]:
    """Inside a signed export: time-stamp a checkpoint covering the items first (when TSAs are
    configured; a failure is recorded, never blocks), then gather the co-signed / time-stamped
    checkpoints, the witness keys and the TSA roots the package carries (``build_package``
    keyword arguments)."""
    if tsa_urls():
        publish_signed(vault)
    material, keys = export_material(vault, [int(i.ingest_seq) for i in items], vault.log.size)
    anchors = [CheckpointAnchor(note, tuple(tokens)) for note, tokens in material]
    roots = tsa_roots() if any(a.tokens for a in anchors) else []
    return {"anchors": anchors, "anchor_roots": roots, "witness_keys": keys}


def export_recorded(vault: Vault, size: int) -> None:
    """Record the package's own checkpoint (witnesses and ``timestamp --pending`` reach it later)."""
    note = vault.log.store.checkpoints().get(size)
    if note is not None:
        checkpoint_record(note)


def recorded_checkpoints_problem(vault: Vault) -> str:
    """Compare the log with every checkpoint recorded in the database: a log cut short or
    re-grown with other entries no longer has the recorded root at that size ("" if fine)."""
    log = vault.log
    for row in CustodyCheckpoint.objects.filter(origin=log.origin).order_by("size"):
        if row.size > log.size:
            return (f"le registre n'a que {log.size} entrées, mais un point de contrôle de taille "
                    f"{row.size} a été publié : entrées disparues")
        if log.root(row.size).hex() != row.root:
            return (f"les entrées ne correspondent plus au point de contrôle publié de taille "
                    f"{row.size} : historique réécrit")
    return ""
