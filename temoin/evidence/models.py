"""Models of the evidence app: what the database mirrors of the vault, for queries.

The evidentiary copies and the custody log live in the core vault under
``TEMOIN_HOME/vault/`` (encrypted blobs, append-only Merkle log). These rows mirror only what
queries need: hashes, size, media type, who ingested, the links to events, acts and sources,
derivation, shredding, the last fixity verdict — and the log's signing key (sealed).
The original file name can identify a person: it is stored only sealed to the organisation
key (``filename_sealed``) and never logged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EvidenceItem(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    sha512 = models.CharField(max_length=128)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=120)
    filename_sealed = models.BinaryField(null=True, blank=True)
    filename_key_id = models.CharField(max_length=32, blank=True)
    ingest_seq = models.BigIntegerField()
    finding_codes = models.JSONField(default=list)
    ingested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="evidence_ingested")
    ingested_at = models.DateTimeField(auto_now_add=True)
    derived_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="derivatives")
    operation = models.JSONField(null=True, blank=True)
    redacted = models.BooleanField(default=False)
    shredded = models.BooleanField(default=False)
    shredded_at = models.DateTimeField(null=True, blank=True)
    last_fixity_at = models.DateTimeField(null=True, blank=True)
    last_fixity_ok = models.BooleanField(null=True, blank=True)
    events = models.ManyToManyField("cases.Event", blank=True, related_name="evidence")
    acts = models.ManyToManyField("cases.Act", blank=True, related_name="evidence")
    sources = models.ManyToManyField("cases.Source", blank=True, related_name="evidence")

    class Meta:
        ordering = ["ingest_seq"]

    def __str__(self) -> str:
        return f"evidence {self.sha256[:12]}"


class CustodyLogKey(models.Model):
    """The custody log's Ed25519 signed-note key: public half in clear, private half sealed."""

    origin = models.CharField(max_length=120, unique=True)
    vkey = models.CharField(max_length=300)
    sealed_skey = models.BinaryField()
    key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)


class EvidenceExport(models.Model):
    """A court or partner package: its typed settings and frozen inputs, kept with the result."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="evidence_exports")
    created_at = models.DateTimeField(auto_now_add=True)
    recipient_kind = models.CharField(max_length=20)
    recipient_organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True,
                                               on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    settings = models.JSONField(default=dict)
    items = models.JSONField(default=list)
    excluded = models.JSONField(default=list)
    checkpoint_size = models.BigIntegerField()
    package_name = models.CharField(max_length=200)
    temoin_version = models.CharField(max_length=40, blank=True)


class RewrappedDataKey(models.Model):
    """A data key re-wrapped to a newer organisation key after a rotation.

    Vault objects are never rewritten (the core's storage contract), so the wrapped key stored
    in the vault stays as it was at ingest; this row, found by the SHA-256 of those stored
    bytes, holds the same data key wrapped to the new key (written in the rotation's
    transaction)."""

    stored_sha256 = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(max_length=32)
    wrapped = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)


class WitnessKey(models.Model):
    """A partner organisation's cosigner key (C2SP ``vkey``, type 0x04 = cosignature/v1),
    registered by an administrator; revoked keys stay (their past cosignatures still verify)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="witness_keys")
    name = models.CharField(max_length=120, unique=True)
    vkey = models.CharField(max_length=300, unique=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"witness {self.name}"


class CustodyCheckpoint(models.Model):
    """A published signed checkpoint of the custody log (the note, with its cosignatures, is
    in the log store; this row indexes it for time-stamps and cosignatures)."""

    origin = models.CharField(max_length=120)
    size = models.BigIntegerField()
    root = models.CharField(max_length=64)
    body = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["size"]
        constraints = [models.UniqueConstraint(fields=["origin", "size"],
                                               name="evidence_checkpoint_origin_size")]


class CheckpointTimestamp(models.Model):
    """One TSA's answer for one checkpoint: a verified RFC 3161 token, or the last failure."""

    GRANTED, FAILED = "granted", "failed"

    checkpoint = models.ForeignKey(CustodyCheckpoint, on_delete=models.PROTECT,
                                   related_name="timestamps")
    tsa_url = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=[(GRANTED, GRANTED), (FAILED, FAILED)])
    token = models.BinaryField(null=True, blank=True)
    gen_time = models.CharField(max_length=40, blank=True)
    tsa_name = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField()

    class Meta:
        ordering = ["checkpoint__size", "tsa_url"]
        constraints = [models.UniqueConstraint(fields=["checkpoint", "tsa_url"],
                                               name="evidence_timestamp_checkpoint_tsa")]


class CheckpointCosignature(models.Model):
    """A witness's verified cosignature line for one checkpoint (also merged into the note)."""

    checkpoint = models.ForeignKey(CustodyCheckpoint, on_delete=models.PROTECT,
                                   related_name="cosignatures")
    witness = models.ForeignKey(WitnessKey, on_delete=models.PROTECT, related_name="cosignatures")
    signature_line = models.TextField()
    cosigned_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["checkpoint__size", "witness_id"]
        constraints = [models.UniqueConstraint(fields=["checkpoint", "witness"],
                                               name="evidence_cosignature_checkpoint_witness")]
