"""Versions of events, acts, persons, sources, claims and involvements: snapshots, field diffs and the data to revert.

A snapshot holds the record's own columns (never a decrypted identity: a person's identity is
kept as its sealed blob, so history is as safe as the record itself).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models

from temoin.cases.models import Version

SKIP = {"id", "created_at", "updated_at"}
TARGET_TYPES = {"event", "act", "person", "source", "claim", "involvement"}


def snapshot(instance: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIP:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif isinstance(value, bytes | memoryview):
            value = base64.b64encode(bytes(value)).decode()
        data[field.attname] = value
    return data


def restore_value(instance: models.Model, attname: str, value: Any) -> Any:
    field = next(f for f in instance._meta.concrete_fields if f.attname == attname)
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return dt.datetime.fromisoformat(value)
    if isinstance(field, models.DateField):
        return dt.date.fromisoformat(value)
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    return value


def version_save(
    *, target_type: str, instance: models.Model, change: str, actor: Any, reason: str = ""
) -> Version:
    last = (
        Version.objects.filter(target_type=target_type, target_id=instance.pk)
        .order_by("-number").values_list("number", flat=True).first()
    )
    return Version.objects.create(
        target_type=target_type, target_id=instance.pk, number=(last or 0) + 1,
        data=snapshot(instance), change=change, reason=reason, actor=actor,
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


SEALED_FIELDS = {"identity_blob"}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Fields that differ; sealed fields show as changed without their content."""
    changes = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a != b:
            if name in SEALED_FIELDS:
                a, b = "«scellé»", "«scellé, modifié»"
            changes.append(FieldChange(field=name, old=a, new=b))
    return changes


def changed_field_names(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [change.field for change in diff(old, new)]
