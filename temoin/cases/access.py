"""Permission-checked lookups of single records.

Each ``access_<thing>_by_id(viewer, id)`` gives the *same* ``NotFound`` whether the row is
missing or the viewer may not see it, so ids reveal nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from temoin.cases import policy
from temoin.cases.models import Act, Claim, Event, Involvement, Person, Source
from temoin.errors import NotFound, PermissionDenied


def visible_events(viewer: Any):  # type: ignore[no-untyped-def]
    return Event.objects.filter(policy.event_filter(viewer))


def access_event_by_id(viewer: Any, event_id: Any) -> Event:
    try:
        return visible_events(viewer).get(pk=int(event_id))
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Évènement {event_id} introuvable.") from None


def audit_restricted_read(viewer: Any, record: Any, *, action: str) -> None:
    """Every read of a restricted or strictly confidential record leaves an audit row."""
    from django.db import transaction

    from temoin.audit.services import audit_record
    from temoin.cases.models import Confidentiality

    if record.confidentiality >= Confidentiality.RESTRICTED:
        with transaction.atomic():
            audit_record(actor=viewer, action=action, target=record)


def read_event(viewer: Any, event_id: Any) -> Event:
    """``access_event_by_id`` for a read that shows the record: audited when restricted."""
    event = access_event_by_id(viewer, event_id)
    audit_restricted_read(viewer, event, action="event.view")
    return event


def read_source(viewer: Any, source_id: Any) -> Source:
    source = access_source_by_id(viewer, source_id)
    audit_restricted_read(viewer, source, action="source.view")
    return source


def access_event_for_edit(viewer: Any, event_id: Any) -> Event:
    event = access_event_by_id(viewer, event_id)
    if not policy.can_edit_event(viewer, event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier l'évènement {event.reference}.")
    return event


def access_act_by_id(viewer: Any, act_id: Any) -> Act:
    try:
        act = Act.objects.select_related("event").get(pk=int(act_id))
    except (Act.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Acte {act_id} introuvable.") from None
    if not visible_events(viewer).filter(pk=act.event_id).exists():
        raise NotFound(f"Acte {act_id} introuvable.")
    return act


def visible_persons(viewer: Any):  # type: ignore[no-untyped-def]
    if not policy.is_host_staff(viewer):
        return Person.objects.none()
    clearance = policy.STAFF_CLEARANCE.get(viewer.role)
    if clearance is None:
        return Person.objects.none()
    events = visible_events(viewer).values("pk")
    q = Q(created_by=viewer) | (
        Q(confidentiality__lte=clearance)
        & (Q(victim_of__event__in=events) | Q(named_in__event__in=events)
           | Q(source_of__information__event__in=events)
           | Q(perpetrator_in__act__event__in=events) | Q(interventions__event__in=events)
           | (Q(victim_of__isnull=True) & Q(source_of__isnull=True) & Q(named_in__isnull=True)
              & Q(perpetrator_in__isnull=True) & Q(created_by__organisation__is_host=True)))
    )
    return Person.objects.filter(q).distinct()


def access_person_by_id(viewer: Any, person_id: Any) -> Person:
    try:
        return visible_persons(viewer).get(pk=int(person_id))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Personne {person_id} introuvable.") from None


def visible_sources(viewer: Any):  # type: ignore[no-untyped-def]
    return Source.objects.filter(policy.source_filter(viewer))


def access_source_by_id(viewer: Any, source_id: Any) -> Source:
    try:
        return visible_sources(viewer).get(pk=int(source_id))
    except (Source.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Source {source_id} introuvable.") from None


def access_claim_by_id(viewer: Any, claim_id: Any) -> Claim:
    """A claim whose event *and* source the viewer may see (withdrawn ones included)."""
    try:
        claim = Claim.objects.select_related("event", "source").get(pk=int(claim_id))
    except (Claim.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Bilan {claim_id} introuvable.") from None
    if not visible_events(viewer).filter(pk=claim.event_id).exists() or \
            not visible_sources(viewer).filter(pk=claim.source_id).exists():
        raise NotFound(f"Bilan {claim_id} introuvable.")
    return claim


def access_involvement_by_id(viewer: Any, involvement_id: Any) -> Involvement:
    try:
        involvement = Involvement.objects.select_related("act__event", "actor").get(
            pk=int(involvement_id))
    except (Involvement.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Implication {involvement_id} introuvable.") from None
    if not visible_events(viewer).filter(pk=involvement.act.event_id).exists():
        raise NotFound(f"Implication {involvement_id} introuvable.")
    return involvement
