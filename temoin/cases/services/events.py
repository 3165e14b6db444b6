"""Writes on events: create, update, review workflow, publish, share, assign, link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from temoin.accounts.models import Organisation, User
from temoin.audit.services import audit_record
from temoin.cases import facts, history, policy, validation
from temoin.cases.models import (
    Confidentiality,
    Event,
    EventAssignment,
    EventLink,
    EventShare,
    Recipient,
    ReviewStatus,
    Source,
)
from temoin.cases.services.common import next_number, record_change, reindex_event
from temoin.core.dates import PartialDate
from temoin.errors import Conflict, PermissionDenied, Problems

PLACE_FIELDS = {"place_name", "admin1", "admin2", "admin3", "country", "latitude", "longitude",
                "geo_precision", "geonameid"}
EVENT_FIELDS = PLACE_FIELDS | {"title", "description", "start", "end", "violation_status",
                               "confidentiality", "coarsen_place_when_published", "synthetic",
                               "upstream_id"}


def stored_date(record: Any, prefix: str) -> PartialDate | None:
    """The partial date kept in ``<prefix>_earliest/_latest/_precision/_text`` columns."""
    if record is None:
        return None
    earliest = getattr(record, f"{prefix}_earliest")
    latest = getattr(record, f"{prefix}_latest")
    precision = getattr(record, f"{prefix}_precision") or "unknown"
    if earliest is None and latest is None:
        return None
    return PartialDate.from_dict({
        "earliest": earliest.isoformat() if earliest else None,
        "latest": latest.isoformat() if latest else None,
        "precision": precision, "text": getattr(record, f"{prefix}_text", ""),
    })


def _validated_event_values(record: str, data: Mapping[str, Any], *, creating: bool,
                            current: Event | None = None) -> dict[str, Any]:
    problems = Problems(record)
    validation.unknown_fields(problems, data, EVENT_FIELDS)
    values: dict[str, Any] = {k: v for k, v in data.items() if k in EVENT_FIELDS - {"start", "end"}}
    if creating or "title" in data:
        if not str(data.get("title", "")).strip():
            problems.add("title", "required", "Le titre est obligatoire.")
    start = (validation.partial_date(problems, "start", data["start"]) if "start" in data
             else stored_date(current, "start"))
    end = (validation.partial_date(problems, "end", data["end"]) if "end" in data
           else stored_date(current, "end"))
    validation.period(problems, start, end)
    merged_place = {k: getattr(current, k) for k in PLACE_FIELDS} if current else {}
    merged_place.update({k: v for k, v in data.items() if k in PLACE_FIELDS})
    validation.place(problems, merged_place)
    validation.choice(problems, "violation_status", data.get("violation_status"),
                      validation.CHOICES["violation_status"])
    validation.confidentiality(problems, data.get("confidentiality"))
    problems.raise_if_any()
    for prefix, value in (("start", start), ("end", end)):
        if value is not None and prefix in data:
            values[f"{prefix}_earliest"] = value.earliest
            values[f"{prefix}_latest"] = value.latest
            values[f"{prefix}_precision"] = str(value.precision)
            values[f"{prefix}_text"] = value.text
    return values


def event_create(*, actor: User, data: Mapping[str, Any], reason: str = "") -> Event:
    if not policy.can_create(actor):
        raise PermissionDenied("Vous ne pouvez pas créer d'évènement.")
    values = _validated_event_values("event (new)", data, creating=True)
    with transaction.atomic():
        year = values.get("start_earliest").year if values.get("start_earliest") else "X"
        number = next_number("event")
        event = Event.objects.create(
            reference=f"E-{year}-{number:05d}", organisation=actor.organisation,
            created_by=actor, **values,
        )
        reindex_event(event)
        facts.refresh_events([event.pk])
        record_change(actor=actor, target_type="event", instance=event, change="create",
                      reason=reason)
    return event


def event_update(*, actor: User, event: Event, changes: Mapping[str, Any], reason: str = "") -> Event:
    if not policy.can_edit_event(actor, event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier l'évènement {event.reference}.")
    values = _validated_event_values(f"event {event.reference}", changes, creating=False,
                                     current=event)
    if "confidentiality" in values and values["confidentiality"] > Confidentiality.RESTRICTED \
            and event.shares.exists():
        raise Conflict(f"{event.reference} est partagé : retirez le partage avant de le classer "
                       "strictement confidentiel.")
    with transaction.atomic():
        before = history.snapshot(event)
        for name, value in values.items():
            setattr(event, name, value)
        event.save()
        reindex_event(event)
        facts.refresh_events([event.pk])
        record_change(actor=actor, target_type="event", instance=event, change="update",
                      reason=reason, before=before)
    return event


TRANSITIONS: dict[str, set[str]] = {
    ReviewStatus.DRAFT: {ReviewStatus.SUBMITTED},
    ReviewStatus.SUBMITTED: {ReviewStatus.IN_REVIEW, ReviewStatus.DRAFT},
    ReviewStatus.IN_REVIEW: {ReviewStatus.VERIFIED, ReviewStatus.CONTESTED,
                             ReviewStatus.UNFOUNDED, ReviewStatus.SUBMITTED},
    ReviewStatus.VERIFIED: {ReviewStatus.IN_REVIEW},
    ReviewStatus.CONTESTED: {ReviewStatus.IN_REVIEW},
    ReviewStatus.UNFOUNDED: {ReviewStatus.IN_REVIEW},
}


def event_transition(*, actor: User, event: Event, to: str, comment: str = "") -> Event:
    if not policy.can_edit_event(actor, event) and not policy.can_review(actor):
        raise PermissionDenied(f"Vous ne pouvez pas faire avancer {event.reference}.")
    allowed = TRANSITIONS.get(event.review_status, set())
    if to not in allowed:
        problems = Problems(f"event {event.reference}")
        problems.add("review_status", "review.bad_transition",
                     f"Passage impossible de « {event.review_status} » à « {to} ».")
        problems.raise_if_any()
    submitting = to in (ReviewStatus.SUBMITTED, ReviewStatus.DRAFT) and \
        event.review_status in (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED)
    if submitting and not policy.can_edit_event(actor, event):
        raise PermissionDenied("Seul un rédacteur peut soumettre cet évènement.")
    if not submitting and not policy.can_review(actor):
        raise PermissionDenied("Seul un réviseur peut faire avancer la révision.")
    with transaction.atomic():
        before = history.snapshot(event)
        event.review_status = to
        if to != ReviewStatus.VERIFIED:
            event.published = False
        event.save(update_fields=["review_status", "published", "updated_at"])
        facts.refresh_events([event.pk])
        record_change(actor=actor, target_type="event", instance=event, change="review",
                      reason=comment, before=before, details={"to": to})
    return event


def event_publish(*, actor: User, event: Event, reason: str = "") -> Event:
    if not policy.can_review(actor):
        raise PermissionDenied("Seul un réviseur peut publier.")
    problems = Problems(f"event {event.reference}")
    if event.review_status != ReviewStatus.VERIFIED:
        problems.add("review_status", "publish.not_verified",
                     "Seul un évènement vérifié peut être publié.")
    if event.confidentiality > Confidentiality.INTERNAL:
        problems.add("confidentiality", "publish.too_confidential",
                     "Un évènement restreint ou strictement confidentiel n'est pas publiable.")
    problems.raise_if_any()
    with transaction.atomic():
        before = history.snapshot(event)
        event.published = True
        event.save(update_fields=["published", "updated_at"])
        facts.refresh_events([event.pk])
        record_change(actor=actor, target_type="event", instance=event, change="publish",
                      reason=reason, before=before)
    return event


def consent_problems(*, event: Event, organisation: Organisation,
                     extra_sources: list[Source] | None = None) -> Problems:
    """Every source of ``event`` must consent to go to this partner, named."""
    problems = Problems(f"event {event.reference}")
    sources = list(Source.objects.filter(information__event=event).distinct())
    sources += extra_sources or []
    for source in sources:
        named = source.consent_partners.filter(pk=organisation.pk).exists()
        if Recipient.PARTNERS not in source.consent or not named:
            problems.add("consent", "consent.forbids_recipient",
                         f"Le consentement de la source {source.pk} n'autorise pas le partage "
                         f"avec {organisation.short_name}.")
    return problems


def event_share(*, actor: User, event: Event, organisation: Organisation, reason: str = "") -> EventShare:
    if not policy.can_share(actor):
        raise PermissionDenied("Vous ne pouvez pas partager d'évènement.")
    problems = consent_problems(event=event, organisation=organisation)
    if organisation.is_host:
        problems.add("organisation", "share.host", "On ne partage pas avec sa propre organisation.")
    if event.confidentiality > policy.PARTNER_CEILING:
        problems.add("confidentiality", "share.too_confidential",
                     "Un évènement strictement confidentiel ne se partage pas.")
    problems.raise_if_any()
    with transaction.atomic():
        share, created = EventShare.objects.get_or_create(
            event=event, organisation=organisation, defaults={"shared_by": actor})
        if created:
            audit_record(actor=actor, action="event.share", target=event, reason=reason,
                         details={"organisation": organisation.short_name})
    return share


def event_unshare(*, actor: User, event: Event, organisation: Organisation, reason: str = "") -> None:
    if not policy.can_share(actor):
        raise PermissionDenied("Vous ne pouvez pas retirer un partage.")
    with transaction.atomic():
        deleted, _ = EventShare.objects.filter(event=event, organisation=organisation).delete()
        if deleted:
            audit_record(actor=actor, action="event.unshare", target=event, reason=reason,
                         details={"organisation": organisation.short_name})


def event_assign(*, actor: User, event: Event, user: User) -> EventAssignment:
    if not policy.can_administer(actor) and not policy.can_review(actor) and \
            not (policy.can_share(actor)):
        raise PermissionDenied("Vous ne pouvez pas assigner d'évènement.")
    problems = Problems(f"event {event.reference}")
    if not policy.is_host_staff(user):
        problems.add("user", "assign.not_staff", "On n'assigne qu'à un membre de l'organisation.")
    problems.raise_if_any()
    with transaction.atomic():
        assignment, _ = EventAssignment.objects.get_or_create(event=event, user=user)
        audit_record(actor=actor, action="event.assign", target=event,
                     details={"user_id": user.pk})
    return assignment


def event_link(*, actor: User, from_event: Event, to_event: Event, relation: str,
               remarks: str = "") -> EventLink:
    if not policy.can_edit_event(actor, from_event):
        raise PermissionDenied(f"Vous ne pouvez pas modifier {from_event.reference}.")
    problems = Problems(f"event {from_event.reference}")
    validation.choice(problems, "relation", relation, list(EventLink.Relation.values))
    if from_event.pk == to_event.pk:
        problems.add("to_event", "link.self", "Un évènement ne se lie pas à lui-même.")
    problems.raise_if_any()
    with transaction.atomic():
        link, _ = EventLink.objects.get_or_create(
            from_event=from_event, to_event=to_event, relation=relation,
            defaults={"remarks": remarks})
        audit_record(actor=actor, action="event.link", target=from_event,
                     details={"to": to_event.pk, "relation": relation})
    return link
