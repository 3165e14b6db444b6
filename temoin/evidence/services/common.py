"""Shared pieces of the evidence services: custody actor, reasons, link permissions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temoin.cases import policy
from temoin.cases.access import access_source_by_id, visible_events
from temoin.cases.models import Act, Event, Recipient, Source
from temoin.core.vault import Actor
from temoin.errors import NotFound, Problems

FILENAME_CONTEXT = "evidence-filename"
RECIPIENT_KINDS = {Recipient.COURTS, Recipient.PARTNERS, Recipient.PUBLIC,
                   Recipient.UN_MECHANISMS, Recipient.MEDIA}
JUDICIAL = {Recipient.COURTS}


def custody_actor(user: Any) -> Actor:
    """Pseudonymous custody actor: ``u-<id>``, role, organisation short name (no names)."""
    return Actor(id=f"u-{user.pk}", role=str(user.role), organisation=user.organisation.short_name)


def _check_reason(problems: Problems, reason: str, field_name: str = "reason") -> None:
    if not str(reason or "").strip():
        problems.add(field_name, "required", "Une raison est obligatoire (elle entre dans le registre de garde).")


def _editable_links(actor: Any, problems: Problems, *, events: Sequence[Event],
                    acts: Sequence[Act], source: Source | None) -> None:
    visible = visible_events(actor)
    for event in events:
        if not visible.filter(pk=event.pk).exists():
            problems.add("events", "not_found", f"Évènement {event.pk} introuvable.")
        elif not policy.can_edit_event(actor, event):
            problems.add("events", "forbidden", f"Vous ne pouvez pas modifier l'évènement {event.reference}.")
    for act in acts:
        if not visible.filter(pk=act.event_id).exists():
            problems.add("acts", "not_found", f"Acte {act.pk} introuvable.")
        elif not policy.can_edit_event(actor, act.event):
            problems.add("acts", "forbidden", f"Vous ne pouvez pas modifier l'acte {act.pk}.")
    if source is not None:
        try:
            access_source_by_id(actor, source.pk)
        except NotFound:
            problems.add("source", "not_found", f"Source {source.pk} introuvable.")


