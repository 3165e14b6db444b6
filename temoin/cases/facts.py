"""Precomputed facts for the dashboard and the map, kept in step with the case records.

Four narrow tables (``EventFact``, ``ClaimFact``, ``ActTypeFact``, ``ActorFact`` in
``temoin.cases.models``) hold, per event, what the dashboard groups and sums. Each row also
carries the event's policy and filter columns under the same names as on ``Event``, so the
viewer's access Q and the list's filters (``selectors.event_conditions``) apply to any fact
table directly: every dashboard aggregate is one indexed GROUP BY over one table, never a join
of 100k events with their acts, involvements, claims and sources.

Writers call :func:`refresh_events` with the ids of the events they touched, inside their
transaction (services, bulk loads, the intake importer, reverts); :func:`source_events` gives
the events whose claims a source change affects. The refresh is set-based SQL (delete, then
``INSERT … SELECT`` from the case tables), identical on SQLite and PostgreSQL.
:func:`drift` compares the stored facts with a fresh computation (tests, ``rebuild``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from temoin.cases.models import ActorFact, ActTypeFact, Claim, ClaimFact, EventFact, FactCell

FACT_MODELS = (EventFact, ClaimFact, ActTypeFact, ActorFact)
CELL_COLUMNS = ("month", "admin1", "admin2", "confidentiality", "created_by_id",
                "review_status", "published")
LEVELS = (0, 1, 2, 3)  # Confidentiality values: a level-n row counts sources at or below n
CHUNK = 500
FILTER_COLUMNS = ("confidentiality", "created_by_id", "review_status", "published",
                  "start_earliest", "start_latest", "month", "admin1", "admin2")


def _month_sql() -> str:
    if connection.vendor == "postgresql":
        return "COALESCE(to_char(e.start_earliest, 'YYYY-MM'), '')"
    return "COALESCE(substr(e.start_earliest, 1, 7), '')"


def _event_columns() -> str:
    return ", ".join(f"e.{c}" for c in FILTER_COLUMNS[:6]) + \
        f", {_month_sql()}, e.admin1, e.admin2"


def _statements(placeholders: str) -> list[tuple[str, str]]:
    """(table, INSERT … SELECT) for the events whose ids fill ``placeholders``."""
    filters = ", ".join(FILTER_COLUMNS)
    event = _event_columns()
    levels = " UNION ALL ".join(f"SELECT {n} AS level" for n in LEVELS)
    return [
        (EventFact._meta.db_table, f"""
INSERT INTO {EventFact._meta.db_table} (event_id, {filters}, geo_precision, latitude,
    longitude, first_act_type, first_actor_id)
SELECT e.id, {event}, e.geo_precision, e.latitude, e.longitude,
    COALESCE((SELECT a.act_type FROM cases_act a WHERE a.event_id = e.id
              ORDER BY a.id LIMIT 1), ''),
    (SELECT i.actor_id FROM cases_involvement i JOIN cases_act a ON a.id = i.act_id
     WHERE a.event_id = e.id AND i.actor_id IS NOT NULL ORDER BY i.id LIMIT 1)
FROM cases_event e WHERE e.id IN ({placeholders})"""),
        (ClaimFact._meta.db_table, f"""
INSERT INTO {ClaimFact._meta.db_table} (event_id, kind, level, low, high, open, {filters})
SELECT e.id, c.kind, lv.level, MIN(c.count_min), MAX(COALESCE(c.count_max, c.count_min)),
    SUM(CASE WHEN c.count_max IS NULL THEN 1 ELSE 0 END), {event}
FROM cases_claim c JOIN cases_source s ON s.id = c.source_id
    JOIN ({levels}) lv ON s.confidentiality <= lv.level
    JOIN cases_event e ON e.id = c.event_id
WHERE c.event_id IN ({placeholders}) AND c.withdrawn_at IS NULL
GROUP BY e.id, c.kind, lv.level"""),
        (ActTypeFact._meta.db_table, f"""
INSERT INTO {ActTypeFact._meta.db_table} (event_id, act_type, acts, low, high, {filters})
SELECT e.id, a.act_type, COUNT(*), SUM(COALESCE(a.victim_count_min, 1)),
    SUM(COALESCE(a.victim_count_max, a.victim_count_min, 1)), {event}
FROM cases_act a JOIN cases_event e ON e.id = a.event_id
WHERE a.event_id IN ({placeholders})
GROUP BY e.id, a.act_type"""),
        (ActorFact._meta.db_table, f"""
INSERT INTO {ActorFact._meta.db_table} (event_id, actor_id, low, high, {filters})
SELECT e.id, i.actor_id, SUM(COALESCE(a.victim_count_min, 1)),
    SUM(COALESCE(a.victim_count_max, a.victim_count_min, 1)), {event}
FROM cases_involvement i JOIN cases_act a ON a.id = i.act_id
    JOIN cases_event e ON e.id = a.event_id
WHERE i.actor_id IS NOT NULL AND a.event_id IN ({placeholders})
GROUP BY e.id, i.actor_id"""),
    ]


def _cell_statements(where: str) -> list[str]:
    """INSERT … ON CONFLICT statements adding (sign %s) the cell contributions of the fact
    rows selected by ``where`` (same text on SQLite ≥ 3.24 and PostgreSQL)."""
    table = FactCell._meta.db_table
    dims = ", ".join(CELL_COLUMNS)
    flat = ", ".join("''" if c == "month" else c for c in CELL_COLUMNS)  # families without month
    flat_group = ", ".join(c for c in CELL_COLUMNS if c != "month")
    columns = f"family, dim, {dims}, n, low, high, open_n, points"
    upsert = (f"ON CONFLICT (family, dim, {dims}) DO UPDATE SET "
              + ", ".join(f"{m} = {table}.{m} + excluded.{m}"
                          for m in ("n", "low", "high", "open_n", "points")))
    point = "CASE WHEN latitude IS NOT NULL AND longitude IS NOT NULL THEN 1 ELSE 0 END"
    return [
        f"""INSERT INTO {table} ({columns})
SELECT 'e', '', {dims}, %s * COUNT(*), 0, 0, 0, 0 FROM {EventFact._meta.db_table}
WHERE {where} GROUP BY {dims} {upsert}""",
        f"""INSERT INTO {table} ({columns})
SELECT 'm', geo_precision, {flat}, %s * COUNT(*), 0, 0, 0, %s * SUM({point})
FROM {EventFact._meta.db_table} WHERE {where} GROUP BY geo_precision, {flat_group} {upsert}""",
        f"""INSERT INTO {table} ({columns})
SELECT 'c', kind || ':' || CAST(level AS TEXT), {dims}, %s * COUNT(*), %s * SUM(low),
    %s * SUM(high), %s * SUM(open), 0
FROM {ClaimFact._meta.db_table} WHERE {where} GROUP BY kind, level, {dims} {upsert}""",
        f"""INSERT INTO {table} ({columns})
SELECT 'a', act_type, {flat}, %s * COUNT(*), %s * SUM(low), %s * SUM(high), 0, 0
FROM {ActTypeFact._meta.db_table} WHERE {where} GROUP BY act_type, {flat_group} {upsert}""",
        f"""INSERT INTO {table} ({columns})
SELECT 'p', CAST(actor_id AS TEXT), {flat}, %s * COUNT(*), %s * SUM(low), %s * SUM(high), 0, 0
FROM {ActorFact._meta.db_table} WHERE {where} GROUP BY actor_id, {flat_group} {upsert}""",
    ]


def _add_cells(cursor: Any, where: str, params: list[Any], sign: int) -> None:
    for statement in _cell_statements(where):
        cursor.execute(statement, [sign] * statement.count("%s * ") + params)


def refresh_events(event_ids: Iterable[Any]) -> int:
    """Recompute every fact row of these events from the case tables (deleted events simply
    lose theirs), and move their contributions in the cells: the old ones out, the new ones
    in. Call inside the writer's transaction. Returns the number of events."""
    ids = sorted({int(i) for i in event_ids if i is not None})
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            placeholders = ", ".join(["%s"] * len(chunk))
            where = f"event_id IN ({placeholders})"
            _add_cells(cursor, where, chunk, -1)
            for table, insert in _statements(placeholders):
                cursor.execute(f"DELETE FROM {table} WHERE {where}", chunk)  # noqa: S608
                cursor.execute(insert, chunk)
            _add_cells(cursor, where, chunk, 1)
        if ids:
            cursor.execute(f"DELETE FROM {FactCell._meta.db_table} WHERE n = 0")  # noqa: S608
    return len(ids)


def rebuild_cells() -> int:
    """Sum all facts into cells afresh (after a migration, or to repair)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FactCell._meta.db_table}")  # noqa: S608
        _add_cells(cursor, "1 = 1", [], 1)
        cursor.execute(f"DELETE FROM {FactCell._meta.db_table} WHERE n = 0")  # noqa: S608
    return FactCell.objects.count()


def rebuild(*, chunk: int = 5000, cells: bool = True) -> int:
    """Recompute the facts of every event, then the cells (after a migration, or to
    repair; ``cells=False`` for the migration that precedes the cells table)."""
    from temoin.cases.models import Event

    with transaction.atomic(), connection.cursor() as cursor:
        for model in FACT_MODELS:
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
        ids = list(Event.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            placeholders = ", ".join(["%s"] * len(part))
            for _table, insert in _statements(placeholders):
                cursor.execute(insert, part)
    if cells:
        rebuild_cells()
    return len(ids)


def source_events(source_ids: Iterable[Any]) -> list[int]:
    """Events whose claim facts depend on these sources (their confidentiality)."""
    return list(Claim.objects.filter(source_id__in=list(source_ids))
                .values_list("event_id", flat=True).distinct())


def rebase(q: Q, *, to: str = "event") -> Q:
    """The same conditions for a fact table whose primary key is not the event's:
    ``pk…`` lookups become ``event…`` (every other column has the event's name)."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(rebase(child, to=to))
        else:
            assert isinstance(child, tuple)
            lookup, value = child
            if lookup == "pk" or lookup.startswith("pk__"):
                lookup = to + lookup[2:]
            out.children.append((lookup, value))
    return out


def _rows(model: Any, ids: list[int] | None) -> set[tuple[Any, ...]]:
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key
              or f.attname == "event_id"]
    qs = model.objects.all()
    if ids is not None and model is not FactCell:
        qs = qs.filter(event_id__in=ids)
    return {tuple(row) for row in qs.values_list(*fields)}


def drift(event_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Rows that differ between the stored facts and a fresh computation, per table (all
    zero when the facts are in step). Recomputes inside a rolled-back savepoint: all
    facts and cells from scratch, or for ``event_ids`` their facts (refreshed) and all cells
    (as moved by that refresh)."""
    ids = None if event_ids is None else sorted(set(event_ids))
    models = (*FACT_MODELS, FactCell)
    stored = {m.__name__: _rows(m, ids) for m in models}
    fresh: dict[str, set[tuple[Any, ...]]] = {}
    try:
        with transaction.atomic():
            if ids is None:
                rebuild()
            else:
                refresh_events(ids)
            fresh = {m.__name__: _rows(m, ids) for m in models}
            raise _Rollback
    except _Rollback:
        pass
    return {name: len(stored[name] ^ fresh[name]) for name in stored}


class _Rollback(Exception):  # noqa: N818 (internal control flow, never escapes drift)
    """Undo the recomputation of :func:`drift`."""
