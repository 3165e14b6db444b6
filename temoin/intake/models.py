"""Models of the intake app: import batches with their provenance, the link between an
upstream record (ACLED ``event_id_cnty``, UCDP ``id``, ODK ``instanceID``…) and the case
records it produced, quarantined rows, and the ODK form key pair and submissions.

    ImportBatch ─< ImportedRecord (upstream id → Event + Source, fingerprint, flat record)
        │      └─< RowChange (per-row outcome of an update / deletion flag, with field diffs)
        └─< QuarantinedRow (verbatim row — sealed for testimony forms — with field and reason)
    OdkKeyPair (public key in the forms; private PEM sealed with the organisation key)
    OdkSubmission ─< OdkAttachment (stored with their SHA-256)
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models


class ImportBatch(models.Model):
    """One run of an importer over one file (or the day's ODK submissions of one form)."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        DRY_RUN = "dry_run"
        OPEN = "open"  # ODK: receives submissions as they arrive

    kind = models.CharField(max_length=20, db_index=True)  # acled, ucdp, table, uwazi, odk
    scope = models.CharField(max_length=80, db_index=True)  # namespace of upstream ids
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    file_size = models.BigIntegerField(default=0)
    stored_path = models.CharField(max_length=500, blank=True)
    importer_version = models.CharField(max_length=40)
    profile = models.JSONField(null=True, blank=True)  # mapping profile (tables, Uwazi)
    settings = models.JSONField(default=dict)  # options, geocoder thresholds, reliability map
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    failure = models.TextField(blank=True)
    rows = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    flagged_deleted = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)  # unknown actors, field-change summary, samples
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.kind})"


class ImportedRecord(models.Model):
    """An upstream record known to Témoin: what it became and what it last looked like."""

    scope = models.CharField(max_length=80)
    upstream_id = models.CharField(max_length=120)
    fingerprint = models.CharField(max_length=80)
    flat = models.JSONField(default=dict)  # temoin.core.intake.flatten_record of the last import
    event = models.ForeignKey("cases.Event", null=True, on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey("cases.Source", null=True, on_delete=models.PROTECT,
                               related_name="+")
    warnings = models.JSONField(default=list)
    first_batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    last_batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    # last batch that *wrote* it (new, updated, reappeared); unchanged rows are not rewritten
    last_seen_batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    deleted_upstream = models.BooleanField(default=False)
    deleted_flagged_by = models.ForeignKey(ImportBatch, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "upstream_id"],
                                               name="importedrecord_unique")]


class RowChange(models.Model):
    """What one batch did to one known record: updated (with the field diffs) or flagged."""

    class Outcome(models.TextChoices):
        UPDATED = "updated"
        FLAGGED_DELETED = "flagged_deleted"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    record = models.ForeignKey(ImportedRecord, on_delete=models.CASCADE, related_name="changes")
    row_number = models.PositiveIntegerField(null=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    fields = models.JSONField(default=list)  # [{"field", "old", "new"}]


class QuarantinedRow(models.Model):
    """A row that failed validation, kept verbatim (sealed when it may hold identities)."""

    class Status(models.TextChoices):
        OPEN = "open"
        IMPORTED = "imported"  # retried successfully
        STILL_FAILING = "still_failing"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="quarantine")
    row_number = models.PositiveIntegerField()
    upstream_id = models.CharField(max_length=120, blank=True)
    field = models.CharField(max_length=120, blank=True)
    reason_code = models.CharField(max_length=40, db_index=True)
    message = models.TextField()
    raw = models.JSONField(null=True, blank=True)  # None when sealed
    raw_sealed = models.BinaryField(null=True, blank=True)
    raw_key_id = models.CharField(max_length=32, blank=True)
    field_names = models.JSONField(default=list)  # column names (shown when the row is sealed)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    attempts = models.PositiveIntegerField(default=0)
    record = models.ForeignKey(ImportedRecord, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    retried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch_id", "row_number"]

    @property
    def sealed(self) -> bool:
        return self.raw_sealed is not None


class OdkKeyPair(models.Model):
    """RSA key pair of the organisation's encrypted ODK forms. The public key goes into each
    form; the private PEM is sealed with the organisation key (opens only when unsealed)."""

    key_id = models.CharField(max_length=32, unique=True)
    public_key_b64 = models.TextField()  # base64 DER SubjectPublicKeyInfo, as XForms want it
    private_sealed = models.BinaryField()
    sealed_with = models.CharField(max_length=32)  # organisation key id
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)


class OdkSubmission(models.Model):
    class Status(models.TextChoices):
        STORED_ENCRYPTED = "stored_encrypted"  # received while sealed; decrypted at retry
        IMPORTED = "imported"
        QUARANTINED = "quarantined"
        REJECTED = "rejected"  # tampered / undecryptable: the reason is kept

    instance_id = models.CharField(max_length=120, unique=True)
    form_id = models.CharField(max_length=80)
    encrypted = models.BooleanField(default=False)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="submissions")
    submitted_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    xml_sha256 = models.CharField(max_length=64)  # of the XML as received = its vault item
    xml_path = models.CharField(max_length=500)  # "" = in the vault; else a file of an earlier
    xml_sealed = models.BooleanField(default=False)  # version (sealed: testimony forms)
    received_at = models.DateTimeField(auto_now_add=True)


class OdkAttachment(models.Model):
    submission = models.ForeignKey(OdkSubmission, on_delete=models.CASCADE,
                                   related_name="attachments")
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)  # of the stored bytes (as received)
    plain_sha256 = models.CharField(max_length=64, blank=True)  # decrypted content, if encrypted
    size = models.BigIntegerField()
    stored_path = models.CharField(max_length=500)


class OpenRosaCredential(models.Model):
    """A field user's *device password* for OpenRosa Digest authentication (RFC 7616).

    Only the Digest verifiers are stored: ``HA1 = H(username:realm:password)`` for MD5 and
    SHA-256. An HA1 lets whoever holds it answer Digest challenges for this realm (it is
    password-equivalent here, and unsalted), which is why it belongs to a separate device
    password — never the account password, whose Argon2 hash is untouched — generated at
    random by default and revocable on its own.
    """

    user = models.OneToOneField(django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="openrosa_credential")
    realm = models.CharField(max_length=120)
    ha1_md5 = models.CharField(max_length=32)
    ha1_sha256 = models.CharField(max_length=64)
    set_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    set_at = models.DateTimeField(auto_now=True)


class OpenRosaNonce(models.Model):
    """A Digest nonce that has been used: the highest nonce-count seen (replay protection).
    Rows older than the nonce lifetime are deleted as new ones arrive."""

    nonce = models.CharField(max_length=120, unique=True)
    user = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    last_nc = models.PositiveBigIntegerField()
    first_used_at = models.DateTimeField(auto_now_add=True, db_index=True)
