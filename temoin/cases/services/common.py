"""Helpers shared by the case services: references, versions, search index, audit."""

from __future__ import annotations

from typing import Any

from django.db import models

from temoin.audit.services import audit_record
from temoin.cases import history
from temoin.cases.models import Counter
from temoin.cases.search import index_document


def reserve_numbers(name: str, count: int) -> int:
    """Reserve ``count`` consecutive numbers of a counter (E-…, V-…); returns the first."""
    counter, _ = Counter.objects.select_for_update().get_or_create(name=name)
    Counter.objects.filter(pk=counter.pk).update(value=models.F("value") + count)
    return counter.value + 1


def next_number(name: str) -> int:
    return reserve_numbers(name, 1)


def record_change(
    *,
    actor: Any,
    target_type: str,
    instance: models.Model,
    change: str,
    reason: str = "",
    before: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Save a version and the audit row. Audit details carry field *names*, never values."""
    version = history.version_save(
        target_type=target_type, instance=instance, change=change, actor=actor, reason=reason
    )
    info: dict[str, Any] = {"version": version.number}
    if before is not None:
        info["fields"] = history.changed_field_names(before, version.data)
    info.update(details or {})
    audit_record(actor=actor, action=f"{target_type}.{change}", target=instance,
                 reason=reason, details=info)


def reindex_event(event: Any) -> None:
    index_document(doc_type="event", doc_id=event.pk, event_id=event.pk,
                   parts=[event.reference, event.title, event.description, event.place_name,
                          event.admin1, event.admin2, event.admin3])


def reindex_act(act: Any) -> None:
    index_document(doc_type="act", doc_id=act.pk, event_id=act.event_id,
                   parts=[act.act_type.replace("_", " "), act.victim_group, act.consequences,
                          act.place_name])


def reindex_source(source: Any) -> None:
    for event_id in set(source.information.values_list("event_id", flat=True)):
        index_document(doc_type="source", doc_id=source.pk * 1_000_000_000 + event_id,
                       event_id=event_id, parts=[source.title, source.content])
