"""Multi-record flows of the forms: one event with its acts, victims, perpetrators and a
source, recorded in ONE transaction by calling the case services in order. A failure in any
step rolls everything back and reports the faulty fields under the form's prefixes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from temoin.cases import services
from temoin.cases.models import Actor, Event
from temoin.errors import Problems, ValidationFailed


def _prefixed(exc: ValidationFailed, prefix: str) -> ValidationFailed:
    fields = {f"{prefix}{name}": problems for name, problems in exc.fields.items()}
    return ValidationFailed(record=exc.record, fields=fields)


def _act(*, actor: Any, event: Event, data: Mapping[str, Any], prefix: str) -> None:
    try:
        victim_person_id = None
        if data.get("victim_given_name") or data.get("victim_family_name"):
            person = services.person_create(
                actor=actor, data={"sex": data.get("victim_sex") or "unknown"},
                identity={k: data[f"victim_{k}"] for k in ("given_name", "family_name")
                          if data.get(f"victim_{k}")})
            victim_person_id = person.pk
        act_data: dict[str, Any] = {"act_type": data.get("act_type") or ""}
        if victim_person_id is not None:
            act_data["victim_person_id"] = victim_person_id
        if data.get("victim_group"):
            act_data["victim_group"] = data["victim_group"]
        for key in ("victim_count_min", "victim_count_max"):
            if data.get(key) is not None:
                act_data[key] = data[key]
        act = services.act_create(actor=actor, event=event, data=act_data)
        if data.get("perpetrator"):
            problems = Problems(f"act {act.pk}")
            perpetrator = Actor.objects.filter(code=data["perpetrator"]).first()
            if perpetrator is None:
                problems.add("perpetrator", "not_found", "Acteur inconnu.")
            if not data.get("degree"):
                problems.add("degree", "required", "Indiquez le degré d'implication.")
            problems.raise_if_any()
            services.involvement_add(actor=actor, act=act, degree=data["degree"],
                                     perpetrator_actor=perpetrator)
    except ValidationFailed as exc:
        raise _prefixed(exc, prefix) from None


def _source(*, actor: Any, event: Event, data: Mapping[str, Any], prefix: str) -> None:
    try:
        source = services.source_create(actor=actor, data={
            "source_type": data.get("source_type") or "", "title": data.get("source_title", ""),
            "origin": data.get("origin", ""), "reliability": data.get("reliability") or "F",
            "consent": list(data.get("consent") or [])})
        services.information_add(actor=actor, source=source, event=event,
                                 credibility=int(data.get("credibility") or 6))
        if data.get("claim_kind"):
            services.claim_add(actor=actor, event=event, source=source, kind=data["claim_kind"],
                               count_min=data.get("claim_min") or 0,
                               count_max=data.get("claim_max"),
                               qualifier=data.get("claim_qualifier") or "exact")
    except ValidationFailed as exc:
        fields = {("source_title" if k == "title" else k): v for k, v in exc.fields.items()}
        fields = {("claim_min" if k == "count_min" else "claim_max" if k == "count_max"
                   else k): v for k, v in fields.items()}
        raise _prefixed(ValidationFailed(record=exc.record, fields=fields), prefix) from None


def event_record(*, actor: Any, event_data: Mapping[str, Any],
                 acts: Sequence[tuple[str, Mapping[str, Any]]],
                 source: tuple[str, Mapping[str, Any]] | None) -> Event:
    """Create an event with its acts and (optionally) a source, all or nothing."""
    with transaction.atomic():
        event = services.event_create(actor=actor, data=event_data)
        for prefix, data in acts:
            _act(actor=actor, event=event, data=data, prefix=prefix)
        if source is not None:
            _source(actor=actor, event=event, data=source[1], prefix=source[0])
    return event


def event_amend(*, actor: Any, event: Event, changes: Mapping[str, Any], reason: str,
                acts: Sequence[tuple[str, Mapping[str, Any]]]) -> Event:
    """Update an event and add new acts, all or nothing."""
    with transaction.atomic():
        services.event_update(actor=actor, event=event, changes=changes, reason=reason)
        for prefix, data in acts:
            _act(actor=actor, event=event, data=data, prefix=prefix)
    return event


def event_source_add(*, actor: Any, event: Event, data: Mapping[str, Any]) -> None:
    """A new source for an existing event, with the credibility of its information and an
    optional casualty claim, all or nothing (problems keyed like the create form's fields)."""
    with transaction.atomic():
        _source(actor=actor, event=event, data=data, prefix="")
