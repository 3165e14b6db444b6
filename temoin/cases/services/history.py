"""Reverting a record to an earlier version (which itself becomes a new version).

A removed involvement (deleted from the live table, see ``corrections``) is recreated under
its own id from the version asked for."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from temoin.cases import facts, policy
from temoin.cases import history as versions
from temoin.cases.models import Act, Claim, Event, Involvement, Person, Source, Version
from temoin.cases.services.common import record_change, reindex_act, reindex_event
from temoin.errors import NotFound, PermissionDenied

MODELS: dict[str, Any] = {"event": Event, "act": Act, "person": Person, "source": Source,
                          "claim": Claim, "involvement": Involvement}
NEVER_REVERTED = {"reference", "code", "organisation_id", "created_by_id", "event_id", "key_id"}


def _event_of(target_type: str, instance: Any) -> Event | None:
    if target_type == "event":
        return instance
    if target_type in ("act", "claim"):
        return instance.event
    if target_type == "involvement":
        return instance.act.event
    return None


def version_revert(*, actor: Any, target_type: str, target_id: int, number: int,
                   reason: str) -> Any:
    model = MODELS.get(target_type)
    version = Version.objects.filter(target_type=target_type, target_id=target_id,
                                     number=number).first()
    if model is None or version is None:
        raise NotFound(f"Version {number} de {target_type} {target_id} introuvable.")
    instance = model.objects.filter(pk=target_id).first()
    recreated = instance is None
    if instance is None:
        if target_type != "involvement" or not Act.objects.filter(
                pk=version.data.get("act_id")).exists():
            raise NotFound(f"{target_type} {target_id} introuvable.")
        instance = model(pk=target_id, act_id=version.data["act_id"])
    event = _event_of(target_type, instance)
    allowed = policy.can_edit_event(actor, event) if event is not None else (
        policy.is_host_staff(actor) and actor.role in {"administrator", "analyst"})
    if not allowed:
        raise PermissionDenied("Vous ne pouvez pas rétablir cette version.")
    with transaction.atomic():
        before = {} if recreated else versions.snapshot(instance)
        for attname, value in version.data.items():
            if attname in NEVER_REVERTED:
                continue
            setattr(instance, attname, versions.restore_value(instance, attname, value))
        if recreated:
            instance.save(force_insert=True)
        else:
            instance.save()
        if target_type == "event":
            reindex_event(instance)
        elif target_type == "act":
            reindex_act(instance)
        facts.refresh_events([event.pk] if event is not None else
                             facts.source_events([instance.pk]) if target_type == "source"
                             else [])
        record_change(actor=actor, target_type=target_type, instance=instance, change="revert",
                      reason=reason, before=before, details={"to_version": number})
    return instance
