"""Estimation runs: frozen inputs, typed settings, results and the version that produced them,
so any figure in a report can be traced to, and reproduced from, its run."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models


class EstimationRun(models.Model):
    class Status(models.TextChoices):
        DONE = "done"
        FAILED = "failed"

    title = models.CharField(max_length=200)
    input_kind = models.CharField(max_length=40)  # csv | linkage_run
    input_name = models.CharField(max_length=200, blank=True)
    input_sha256 = models.CharField(max_length=64)
    inputs = models.JSONField()  # {stratum: ListOverlapTable.to_dict()}
    settings = models.JSONField()
    methods = models.JSONField()
    results = models.JSONField(null=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    failure = models.TextField(blank=True)
    plot_png = models.BinaryField(null=True)
    temoin_version = models.CharField(max_length=20)
    seconds = models.FloatField(default=0)
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
