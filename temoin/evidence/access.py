"""Permission-checked lookups of evidence items (one ``NotFound`` for missing and forbidden).

An item is visible to host staff if they can see one of its events (directly or through an
act), one of its sources, or ingested it; to administrators and analysts also when it is the
source file of an import batch run by someone of their organisation (those files are
ingested unlinked: without this only whoever ran the import would see them); to a partner only if one of its events is shared
with them and every source it is linked to consents to them. Partners never get originals.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from temoin.cases import policy
from temoin.cases.access import visible_events, visible_sources
from temoin.cases.models import Event, Source
from temoin.errors import NotFound
from temoin.evidence.errors import EvidenceNotFound
from temoin.evidence.models import EvidenceItem


def visible_evidence(viewer: Any) -> QuerySet[EvidenceItem]:
    events = visible_events(viewer).values("pk")
    if policy.is_host_staff(viewer):
        q = (Q(events__in=events) | Q(acts__event__in=events)
             | Q(sources__in=visible_sources(viewer).values("pk")) | Q(ingested_by=viewer))
        if policy.can_see_import_files(viewer):
            q |= Q(sha256__in=_import_file_hashes(viewer))
        return EvidenceItem.objects.filter(q).distinct()
    if policy.is_partner(viewer):
        hidden_sources = Source.objects.exclude(policy.source_filter(viewer)).values("pk")
        return (EvidenceItem.objects.filter(Q(events__in=events) | Q(acts__event__in=events))
                .exclude(sources__in=hidden_sources).distinct())
    return EvidenceItem.objects.none()


def _import_file_hashes(viewer: Any) -> QuerySet[Any]:
    """SHA-256 of the source files of the import batches run in the viewer's organisation.
    (Looked up through the app registry: intake depends on evidence, not the reverse.)"""
    batches = apps.get_model("intake", "ImportBatch").objects
    return (batches.filter(created_by__organisation_id=viewer.organisation_id)
            .exclude(file_sha256="").values("file_sha256"))


def access_evidence_by_sha(viewer: Any, sha256: str) -> EvidenceItem:
    sha = str(sha256).lower()
    try:
        return visible_evidence(viewer).get(sha256=sha)
    except EvidenceItem.DoesNotExist:
        raise EvidenceNotFound(f"Pièce {sha[:64]} introuvable.") from None


def access_event_by_reference(viewer: Any, reference: str) -> Event:
    try:
        return visible_events(viewer).get(reference=reference)
    except Event.DoesNotExist:
        raise NotFound(f"Évènement {reference} introuvable.") from None
