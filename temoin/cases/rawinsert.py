"""Fast multi-row inserts for bulk loads: plain dict rows, no model instances.

Ids are reserved up front (a PostgreSQL sequence block, or ``max(id)`` under SQLite's write
lock, which ``BEGIN IMMEDIATE`` holds for the whole transaction), so callers know every id
before inserting and can link rows without reading them back. Values are adapted with the
backend's own date/time adapters; JSON is serialised once. Call inside ``transaction.atomic``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count])
            return [row[0] for row in cursor.fetchall()]
        # Past both the highest id and the AUTOINCREMENT counter: an id whose row was deleted
        # (its versions remain) is never given again, as the ORM's inserts behave.
        cursor.execute(f'SELECT MAX(COALESCE(MAX(id), 0), COALESCE((SELECT seq FROM '  # noqa: S608
                       f'sqlite_sequence WHERE name = %s), 0)) FROM "{table}"', [table])
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _converter(field: models.Field) -> Callable[[Any], Any]:  # type: ignore[type-arg]
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if isinstance(field, models.JSONField):
        return lambda v: json.dumps(v, ensure_ascii=False)
    return lambda v: v


class Inserter:
    """Insert dict rows into one model's table (every concrete column, defaults filled).

    ``with_id=False`` leaves the primary key to the database (rows nobody links to)."""

    def __init__(self, model: type[models.Model], *, with_id: bool = True) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields
                       if not (f.primary_key and with_id is False)]
        self.columns = [f.column for f in self.fields]
        self.convert = [_converter(f) for f in self.fields]
        now = timezone.now()
        self.defaults: list[Any] = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults.append(now)
            elif f.has_default():
                self.defaults.append(f.get_default())
            elif f.null:
                self.defaults.append(None)
            else:
                self.defaults.append("" if isinstance(f, models.CharField | models.TextField)
                                     else None)
        placeholders = ", ".join(["%s"] * len(self.columns))
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        self.sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
                    f"({quoted}) VALUES ({placeholders})")
        self.attnames = [f.attname for f in self.fields]

    def full(self, row: dict[str, Any]) -> dict[str, Any]:
        return {name: row.get(name, default) for name, default in zip(self.attnames, self.defaults)}

    def values(self, row: dict[str, Any]) -> list[Any]:
        return [conv(row.get(name, default)) if name in row else conv(default)
                for name, default, conv in zip(self.attnames, self.defaults, self.convert)]

    def insert(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, [self.values(r) for r in rows])


def snapshot_row(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The same shape as ``history.snapshot`` for a dict row."""
    out: dict[str, Any] = {}
    for name in fields:
        value = row.get(name)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        out[name] = value
    return out

