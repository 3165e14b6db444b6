"""Models of the linkage app: runs, their records and clusters, candidate pairs, decisions.

Nothing here ever holds a name. Records are keyed by ``(list_id, record_id)``: the list is the
documenting source's ``origin``, the record id the ``Person`` (or ``Event``) primary key, so a
decision made on one run applies to the same pair in the next run.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models


class LinkageRun(models.Model):
    """One linkage run: typed settings, trained Splink model, input snapshot, status, metrics."""

    class Kind(models.TextChoices):
        PERSONS = "persons", "persons"
        EVENTS = "events", "events"

    class Status(models.TextChoices):
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    class IdentityMode(models.TextChoices):
        NAMES = "names", "names decrypted in memory"
        BLIND_INDEX = "blind_index", "blind index only (sealed)"
        NONE = "none", "no identities (events)"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    stage = models.CharField(max_length=40, blank=True)
    progress = models.FloatField(default=0.0)
    core_status = models.CharField(max_length=20, blank=True)
    identity_mode = models.CharField(max_length=12, choices=IdentityMode.choices)
    hidden = models.JSONField(default=list, help_text="What the run could not use, and why.")
    settings = models.JSONField(default=dict)
    splink_model = models.JSONField(null=True, blank=True)
    manifest = models.JSONField(default=dict)
    input_description = models.JSONField(default=dict)
    input_count = models.PositiveIntegerField(default=0)
    input_sha256 = models.CharField(max_length=64, blank=True)
    labels = models.JSONField(default=list, help_text="Reviewed pairs used for training.")
    alternative_clusterings = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    versions = models.JSONField(default=dict)
    failure = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0.0)
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"linkage run {self.pk} ({self.kind})"


class LinkedCluster(models.Model):
    """A linked individual (or incident): the records the run (and decisions) put together."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="clusters")
    number = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    lists = models.JSONField(default=list)
    region = models.CharField(max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    conflicts_with_review = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "number"],
                                               name="linkage_cluster_unique_number")]
        ordering = ["run", "number"]


class ClusterMember(models.Model):
    """One input record of a run and the cluster it belongs to (its position is stable)."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="members")
    position = models.PositiveIntegerField()
    cluster = models.ForeignKey(LinkedCluster, on_delete=models.CASCADE, related_name="members")
    list_id = models.CharField(max_length=200)
    record_id = models.CharField(max_length=40)
    person = models.ForeignKey("cases.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    event = models.ForeignKey("cases.Event", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    region = models.CharField(max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    linked = models.BooleanField(default=True)
    unlinked_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="linkage_member_position"),
            models.UniqueConstraint(fields=["run", "list_id", "record_id"],
                                    name="linkage_member_key"),
        ]
        ordering = ["run", "position"]


class CandidatePair(models.Model):
    """A scored pair with per-field evidence (levels and weights; never a name)."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="pairs")
    left = models.ForeignKey(ClusterMember, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(ClusterMember, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    impact = models.FloatField(default=0.0)
    review_rank = models.PositiveIntegerField(null=True, blank=True,
                                              help_text="Order in the review queue (1 first); "
                                                        "empty when settled.")
    flags = models.JSONField(default=list)
    fields = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["run", "review_rank"])]
        ordering = ["run", "review_rank", "id"]


class ReviewDecision(models.Model):
    """An analyst's decision on a pair. Undoing keeps the row (``undone_at``) for the record."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", "accept (same)"
        REJECT = "reject", "reject (different)"
        UNSURE = "unsure", "unsure"

    pair = models.ForeignKey(CandidatePair, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=LinkageRun.Kind.choices)
    left_list = models.CharField(max_length=200)
    left_record = models.CharField(max_length=40)
    right_list = models.CharField(max_length=200)
    right_record = models.CharField(max_length=40)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comment = models.TextField(blank=True)
    reviewer = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
