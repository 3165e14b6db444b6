"""Dict rows → INSERT parameters and version snapshots, fast, for the import's chunk writer.

:class:`temoin.cases.rawinsert.Inserter` converts every cell of every row through a
per-column adapter; in an import most cells are defaults or the chunk's one timestamp, and
the conversion cost more than the SQL itself (profiled: ~30 µs per row and table). This
subclass writes *the same values* (a test compares both) but converts each default and the
chunk's timestamp once, and adapts only the cells a row actually gives, with a converter
only for the columns that need one (dates, date-times, JSON); on PostgreSQL it sends them
with ``COPY`` rather than ``executemany``.

:func:`version_rows` builds version 1 of inserted rows with the shape of
``temoin.cases.history.snapshot`` (the same JSON as the ORM path) without building a
full row dict first.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection, models

from temoin.cases import history
from temoin.cases.rawinsert import Inserter

__all__ = ["ChunkInserter", "StagedInserter", "version_rows"]


class ChunkInserter(Inserter):
    """An :class:`Inserter` whose conversion is paid once per default and per timestamp.

    Rows passing the same ``datetime`` object again (the chunk's ``now``) get its adapted
    value from a one-entry cache (identity check, no adaptation)."""

    def __init__(self, model: type[models.Model], *, with_id: bool = True) -> None:
        super().__init__(model, with_id=with_id)
        converted = [conv(default) for conv, default in zip(self.convert, self.defaults,
                                                              strict=True)]
        self._converted = dict(zip(self.attnames, converted, strict=True))
        self._pick = itemgetter(*self.attnames, "")  # always a tuple (one extra slot)
        self._needs: list[tuple[int, str, Callable[[Any], Any]]] = []
        for index, (field, conv) in enumerate(zip(self.fields, self.convert, strict=True)):
            if isinstance(field, models.JSONField):
                self._needs.append((index, field.attname, _json))  # None → JSON null
            elif isinstance(field, models.DateField):  # DateTimeField too
                self._needs.append((index, field.attname, conv))
        self._stamp: tuple[Any, Any] = (None, None)

    def _adapt(self, convert: Callable[[Any], Any], value: Any) -> Any:
        if isinstance(value, dt.datetime):
            stamp, adapted = self._stamp
            if value is stamp:
                return adapted
            adapted = convert(value)
            self._stamp = (value, adapted)
            return adapted
        return convert(value)

    def values(self, row: dict[str, Any]) -> list[Any]:
        out = list(self._pick({**self._converted, "": None, **row}))
        out.pop()
        for index, name, convert in self._needs:
            if name in row:
                out[index] = self._adapt(convert, out[index])
        return out

    def insert(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows``: ``executemany`` (SQLite), ``COPY … FROM STDIN`` (PostgreSQL:
        the same values, ~4× less client CPU and ~2.5× less wall time than psycopg's
        pipelined ``executemany``, measured on 60,000 version rows)."""
        if not rows:
            return
        values = self.values
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                quote = connection.ops.quote_name
                with cursor.cursor.copy(
                    f"COPY {quote(self.model._meta.db_table)} "
                    f"({', '.join(quote(c) for c in self.columns)}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(values(row))
                return
            cursor.executemany(self.sql, [values(r) for r in rows])


class StagedInserter(ChunkInserter):
    """A :class:`ChunkInserter` for a table with a per-row ``AFTER INSERT`` trigger (the
    search entries, whose SQLite trigger feeds the FTS5 index).

    Under SQLite, firing the FTS5 trigger once per ``executemany`` statement costs ~4× more
    than firing it for the same rows inside *one* statement (FTS5 opens and flushes per
    statement; measured 1.1 s vs 0.27 s for 60,000 entries). So the rows go by
    ``executemany`` into a connection-private TEMP table with the same columns, then into the
    table with one ``INSERT … SELECT`` (the trigger still fires for every row, ids are given in
    the same order: the same rows and index as a direct insert). Other backends insert
    directly."""

    def __init__(self, model: type[models.Model], *, with_id: bool = True) -> None:
        super().__init__(model, with_id=with_id)
        quote = connection.ops.quote_name
        table = model._meta.db_table
        stage = quote(f"temoin_stage_{table}")
        columns = ", ".join(quote(c) for c in self.columns)
        placeholders = ", ".join(["%s"] * len(self.columns))
        self.stage_sql = (
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT {columns} "  # noqa: S608
            f"FROM {quote(table)} WHERE 0",
            f"INSERT INTO {stage} ({columns}) VALUES ({placeholders})",  # noqa: S608
            f"INSERT INTO {quote(table)} ({columns}) SELECT {columns} FROM {stage} "  # noqa: S608
            "ORDER BY rowid",
            f"DELETE FROM {stage}",  # noqa: S608
        )

    def insert(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows or connection.vendor != "sqlite" or len(rows) == 1:
            super().insert(rows)
            return
        create, stage, move, clear = self.stage_sql
        values = self.values
        with connection.cursor() as cursor:
            cursor.execute(create)
            cursor.execute(clear)  # empty unless an earlier chunk failed half-way
            cursor.executemany(stage, [values(r) for r in rows])
            cursor.execute(move)
            cursor.execute(clear)


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False)


def _json(value: Any) -> str:
    if not value and isinstance(value, list):
        return "[]"  # most rows' warnings
    return _ENCODE(value)


_MISSING = object()


def _snapshot_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def version_rows(inserter: ChunkInserter, rows: Sequence[dict[str, Any]], *, target_type: str,
                 base: dict[str, Any]) -> list[dict[str, Any]]:
    """Version 1 of each inserted row: ``base`` (change, reason, actor, at…) + the snapshot
    of every column but ``history.SKIP``, defaults filled in, dates as ISO text (the keys in
    column order, as ``history.snapshot`` writes them)."""
    defaults = {name: _snapshot_value(default)
                for name, default in zip(inserter.attnames, inserter.defaults, strict=True)
                if name not in history.SKIP}
    plain = (str, int, float, bool, type(None))
    out = []
    for row in rows:
        data = defaults.copy()
        for name, value in row.items():
            if name in defaults:
                data[name] = value if type(value) in plain else _snapshot_value(value)
        out.append({**base, "target_type": target_type, "target_id": row["id"], "number": 1,
                    "data": data})
    return out
