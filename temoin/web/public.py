"""What the public may read: published events only, without any person (no names, no
pseudonymous codes), places coarsened to the cercle when the event asks for it, and only the
casualty claims of sources that consented to publication."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from temoin.cases.models import Claim, Event, Recipient


def published_events() -> QuerySet[Event]:
    return Event.objects.filter(published=True, review_status="verified",
                                confidentiality__lte=1).order_by("-start_earliest", "-pk")


@dataclass(frozen=True)
class PublicEvent:
    reference: str
    title: str
    description: str
    date_text: str
    place: str
    precision: str
    act_types: list[str]
    claims: list[dict[str, Any]]


def public_place(event: Event) -> tuple[str, str]:
    if event.coarsen_place_when_published:
        return ", ".join(p for p in (event.admin2, event.admin1) if p), "cercle"
    return ", ".join(p for p in (event.place_name, event.admin3, event.admin2, event.admin1)
                     if p), event.geo_precision


def public_version(event: Event, *, act_labels: dict[str, str]) -> PublicEvent:
    place, precision = public_place(event)
    claims = [c for c in Claim.objects.filter(event=event, withdrawn_at__isnull=True)
              .select_related("source")
              if Recipient.PUBLIC in (c.source.consent or [])]
    date_text = event.start_text or (
        event.start_earliest.isoformat() if event.start_earliest else "")
    return PublicEvent(
        reference=event.reference, title=event.title, description=event.description,
        date_text=date_text, place=place, precision=precision,
        act_types=sorted({act_labels.get(t, t) for t in
                          event.acts.values_list("act_type", flat=True)}),
        claims=[{"kind": c.get_kind_display(), "qualifier": c.get_qualifier_display(),
                 "low": c.count_min, "high": c.count_max, "origin": c.source.origin}
                for c in claims])
