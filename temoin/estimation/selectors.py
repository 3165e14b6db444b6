"""Reading estimation runs: aggregates only (no identities), for analysts, reviewers, admins."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from temoin.cases import policy
from temoin.errors import NotFound
from temoin.estimation.models import EstimationRun

READERS = {"administrator", "analyst", "reviewer"}


def runs_visible(viewer: Any) -> QuerySet[EstimationRun]:
    if not policy.is_host_staff(viewer) or viewer.role not in READERS:
        return EstimationRun.objects.none()
    return EstimationRun.objects.all()


def access_run_by_id(viewer: Any, run_id: Any) -> EstimationRun:
    try:
        return runs_visible(viewer).get(pk=int(run_id))
    except (EstimationRun.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Estimation {run_id} introuvable.") from None
