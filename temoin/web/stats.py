"""Counts for the dashboard and the map, always over the events the viewer may see (the
queryset comes from ``temoin.cases.selectors.events_list``). Casualties are ranges: the lowest
and highest figure any visible source gives per event, summed — never one invented number."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from temoin.cases import access, facts, policy, selectors
from temoin.cases.models import (
    Act,
    Actor,
    ActorFact,
    ActTypeFact,
    Claim,
    ClaimFact,
    Event,
    EventFact,
    FactCell,
    Involvement,
    Term,
)
from temoin.web import vocab

POINT_PRECISIONS = ("exact", "near", "commune")
MAP_POINT_LIMIT = 5000


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    events: int
    low: int | None  # None: no visible source gives a figure
    high: int | None
    open: bool = False  # some source gives only a minimum ("at least"): the high is a floor


def plain(events: QuerySet[Event]) -> QuerySet[Event]:
    """The same events without the visibility joins (which may repeat rows under GROUP BY)."""
    return Event.objects.filter(pk__in=events.order_by().values("pk"))




def event_claim_bounds(events: QuerySet[Event], viewer: Any, kind: str
                       ) -> dict[int, tuple[int, int, int]]:
    """event id → (lowest, highest, number of open-ended figures) over the visible sources."""
    rows = (Claim.objects.filter(kind=kind, withdrawn_at__isnull=True,
                                 event__in=events.order_by().values("pk"),
                                 source__in=access.visible_sources(viewer).values("pk"))
            .values("event_id").order_by()
            .annotate(low=Min("count_min"), high=Max(Coalesce("count_max", "count_min")),
                      open=Count("pk", filter=Q(count_max__isnull=True)))
            .values_list("event_id", "low", "high", "open"))
    return {event_id: (low, high, open_) for event_id, low, high, open_ in rows}


def by_month_and_place(events: QuerySet[Event], viewer: Any, kind: str = "killed"
                       ) -> tuple[list[Row], list[Row], list[Row]]:
    """Months, regions and cercles in one pass: one grouped query over the claims, one over
    the events, joined here (correlated subqueries per event were 3x slower at 100k)."""
    bounds = event_claim_bounds(events, viewer, kind)
    groups: list[dict[str, list[int]]] = [{}, {}, {}]
    rows = plain(events).order_by().values_list("pk", "start_earliest", "admin1", "admin2")
    for pk, start, admin1, admin2 in rows.iterator(chunk_size=5000):
        month = start.strftime("%Y-%m") if start else ""
        figures = bounds.get(pk)
        for table, key in zip(groups, (month, admin1, admin2), strict=True):
            acc = table.get(key)
            if acc is None:
                acc = table[key] = [0, 0, 0, 0, 0]  # events, low, high, open, with figures
            acc[0] += 1
            if figures is not None:
                acc[1] += figures[0]
                acc[2] += figures[1]
                acc[3] += figures[2]
                acc[4] += 1
    return _tables(groups)


def _tables(groups: list[dict[str, list[int]]]) -> tuple[list[Row], list[Row], list[Row]]:
    """Month, region and cercle rows from accumulators [events, low, high, open, with
    figures]: months in order, the 40 regions and 15 cercles with most events (ties by name)."""
    def rows_of(table: dict[str, list[int]]) -> list[Row]:
        return [Row(key=key, label=key or "—", events=acc[0],
                    low=acc[1] if acc[4] else None, high=acc[2] if acc[4] else None,
                    open=bool(acc[3])) for key, acc in table.items()]

    months = sorted((r for r in rows_of(groups[0]) if r.key), key=lambda r: r.key)
    regions = sorted(rows_of(groups[1]), key=lambda r: (-r.events, r.key))[:40]
    cercles = sorted(rows_of(groups[2]), key=lambda r: (-r.events, r.key))[:15]
    return months, regions, cercles


def _victims(acts: QuerySet[Act], key: str) -> Any:
    return (acts.values(key).annotate(
        n=Count("event", distinct=True),
        low=Sum(Coalesce("victim_count_min", Value(1))),
        high=Sum(Coalesce("victim_count_max", "victim_count_min", Value(1))))
        .order_by())


def by_act_type(events: QuerySet[Event], labels: dict[str, str]) -> list[Row]:
    acts = Act.objects.filter(event__in=events.order_by().values("pk"))
    return _top([(r["act_type"], r["n"], r["low"], r["high"]) for r in _victims(acts, "act_type")],
                labels)


def by_perpetrator(events: QuerySet[Event], labels: dict[str, str]) -> list[Row]:
    acts = Act.objects.filter(event__in=events.order_by().values("pk"),
                              involvements__actor__isnull=False)
    key = "involvements__actor__code"
    return _top([(r[key], r["n"], r["low"], r["high"]) for r in _victims(acts, key)], labels)


def roots(vocabulary: str) -> dict[str, str]:
    parent = dict(Term.objects.filter(vocabulary=vocabulary).values_list("code", "parent_code"))
    out = {}
    for code in parent:
        root, seen = code, 0
        while parent.get(root) and seen < 10:
            root, seen = parent[root], seen + 1
        out[code] = root
    return out


def actor_roots() -> dict[str, str]:
    rows = {pk: (code, parent) for pk, code, parent in
            Actor.objects.values_list("pk", "code", "parent_id")}
    out = {}
    for code, parent in rows.values():
        root, seen = code, 0
        while parent is not None and seen < 10:
            root, parent = rows[parent]
            seen += 1
        out[code] = root
    return out


def map_data(events: QuerySet[Event], *, colour_by: str) -> dict[str, Any]:
    """Points for events located to a commune or better, newest first, as compact rows
    ``[id, lat, lon, category index, precision index]``; counts per cercle / region for the
    others (drawn as areas, never as a pin on a village). The straightforward computation
    over the case tables (``map_data_from_facts`` gives the same from the facts)."""
    located = events.filter(geo_precision__in=POINT_PRECISIONS, latitude__isnull=False,
                            longitude__isnull=False)
    rows = list(located.order_by("-start_earliest", "-pk").values_list(
        "pk", "latitude", "longitude", "geo_precision")[:MAP_POINT_LIMIT])
    ids = [row[0] for row in rows]
    first: dict[int, str] = {}
    pairs: Any
    if colour_by == "perpetrator":
        mapping = actor_roots()
        pairs = (Involvement.objects.filter(act__event_id__in=ids, actor__isnull=False)
                 .order_by("pk").values_list("act__event_id", "actor__code"))
    else:
        mapping = roots("act_types")
        pairs = Act.objects.filter(event_id__in=ids).order_by("pk").values_list(
            "event_id", "act_type")
    for event_id, code in pairs.iterator(chunk_size=5000):
        first.setdefault(event_id, code)
    points = [(pk, lat, lon, precision, first.get(pk, "")) for pk, lat, lon, precision in rows]
    # One grouped pass for the total and the areas (two counts and two groupings cost 4x).
    groups = (plain(events).order_by().values("geo_precision", "admin1", "admin2")
              .annotate(n=Count("pk"), with_point=Count(
                  "pk", filter=Q(latitude__isnull=False, longitude__isnull=False))))
    return _map_result(points, mapping, groups)


def _map_result(rows: list[tuple[int, float, float, str, str]], mapping: dict[str, str],
                groups: Any) -> dict[str, Any]:
    categories: list[str] = []
    index: dict[str, int] = {}
    points = []
    for pk, lat, lon, precision, category in rows:
        root = mapping.get(category, category)
        if root not in index:
            index[root] = len(categories)
            categories.append(root)
        points.append([pk, round(lat, 3), round(lon, 3), index[root],
                       POINT_PRECISIONS.index(precision)])
    total_points = 0
    cercles: dict[str, int] = {}
    regions: dict[str, int] = {}
    for row in groups:
        n = row["n"]
        if row["geo_precision"] in POINT_PRECISIONS:
            total_points += row["with_point"]
            n -= row["with_point"]
        if n and row["geo_precision"] == "cercle" and row["admin2"]:
            cercles[row["admin2"]] = cercles.get(row["admin2"], 0) + n
        elif n and row["admin1"]:
            regions[row["admin1"]] = regions.get(row["admin1"], 0) + n
    areas = [{"level": "cercle", "name": name, "n": n}
             for name, n in sorted(cercles.items(), key=lambda kv: (-kv[1], kv[0]))]
    areas += [{"level": "region", "name": name, "n": n}
              for name, n in sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"points": points, "categories": categories, "precisions": list(POINT_PRECISIONS),
            "points_total": total_points, "points_limit": MAP_POINT_LIMIT, "areas": areas}


# --- the same figures from the precomputed facts (temoin.cases.facts) -----------------------
CELL_FILTERS = frozenset({"region", "cercle", "status", "confidentiality", "published"})


@dataclass(frozen=True)
class Scope:
    """Where the figures of one viewer and filter set come from: ``cells`` (a Q over
    ``FactCell``, or None when a filter or the viewer's access needs per-event facts) plus
    the per-event facts under ``facts`` (everything, or only the events seen by assignment
    beyond the cells: the two never overlap). ``conditions`` selects all the events (map
    points): the whole Q, or the list of their ids."""

    conditions: Q
    facts: Q
    cells: Q | None


ID_LIST_LIMIT = 200_000  # beyond, scanning under the filters costs no more than lookups


def scope_for(viewer: Any, filters: dict[str, str]) -> Scope:
    """Cells when the viewer is host staff and only cheap filters are used; otherwise the
    facts, narrowed once to the matching event ids when they are not too many (the four
    aggregates then look those rows up instead of each re-running the filters' subqueries)."""
    conditions = selectors.event_conditions(viewer=viewer, filters=filters)
    split = policy.event_filter_split(viewer)
    used = {name for name, value in filters.items() if value not in (None, "")}
    if split is None or not used <= CELL_FILTERS:
        ids = list(EventFact.objects.filter(conditions).order_by()
                   .values_list("pk", flat=True)[:ID_LIST_LIMIT + 1])
        narrowed = ids_q(ids) if len(ids) <= ID_LIST_LIMIT else conditions
        return Scope(conditions=narrowed, facts=narrowed, cells=None)
    columns, beyond = split
    only = selectors.filter_conditions(filters)
    return Scope(conditions=conditions, facts=beyond & only, cells=columns & only)


def ids_q(ids: list[int]) -> Q:
    """``pk IN (ids)`` with the ids as one parameter (a JSON array on SQLite, an array on
    PostgreSQL): compiling thousands of bound values costs more than the lookups."""
    if not ids:
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
    return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))


def dashboard_from_facts(scope: Scope, viewer: Any, kind: str, *,
                         events: QuerySet[Event]) -> dict[str, Any]:
    """Everything the dashboard shows, from a few grouped queries over the cells and fact
    tables (``events`` is only read when the viewer's source visibility is not a clearance
    level, see ``policy.source_clearance``)."""
    months, regions, cercles, total = by_month_and_place_from_facts(
        scope, viewer, kind, events=events)
    return {"total": total, "months": months,
            "month_max": max([m.events for m in months] or [1]),
            "regions": regions, "cercles": cercles,
            "act_types": by_act_type_from_facts(scope, vocab.term_labels("act_types")),
            "perpetrators": by_perpetrator_from_facts(scope, vocab.actor_labels())}


def dashboard_straightforward(events: QuerySet[Event], viewer: Any, kind: str
                              ) -> dict[str, Any]:
    """The same from the case tables (the reference the facts are tested against)."""
    months, regions, cercles = by_month_and_place(events, viewer, kind)
    return {"total": sum(m.events for m in regions) if len(regions) < 40
            else plain(events).count(),
            "months": months, "month_max": max([m.events for m in months] or [1]),
            "regions": regions, "cercles": cercles,
            "act_types": by_act_type(events, vocab.term_labels("act_types")),
            "perpetrators": by_perpetrator(events, vocab.actor_labels())}


PLACE = ("month", "admin1", "admin2")


def _roll(groups: list[dict[str, list[int]]], rows: Any, offset: int) -> None:
    """Add rows ``(month, region, cercle, *values)`` into the three tables' accumulators
    [events, low, high, open, with figures], the values going from position ``offset``."""
    for row in rows:
        values = row[3:]
        for table, key in zip(groups, row[:3], strict=True):
            acc = table.get(key)
            if acc is None:
                acc = table[key] = [0, 0, 0, 0, 0]
            for i, value in enumerate(values, offset):
                acc[i] += value


def _roll_cells(groups: list[dict[str, list[int]]], scope: Scope, family: str, dim: str,
                offset: int, **sums: str) -> None:
    """The cells summed along month, region and cercle in the database (three grouped
    queries returning a few hundred rows, not thousands of cells)."""
    if scope.cells is None:
        return
    cells = FactCell.objects.filter(scope.cells, family=family, dim=dim).order_by()
    for table, column in zip(groups, PLACE, strict=True):
        for key, *values in cells.values_list(column).annotate(
                **{name: Sum(field) for name, field in sums.items()}):
            acc = table.get(key)
            if acc is None:
                acc = table[key] = [0, 0, 0, 0, 0]
            for i, value in enumerate(values, offset):
                acc[i] += int(value)


def _cells(scope: Scope, family: str, *group: str, **sums: str) -> list[tuple[Any, ...]]:
    if scope.cells is None:
        return []
    cells = FactCell.objects.filter(scope.cells, family=family).order_by()
    return list(cells.values_list(*group).annotate(
        **{name: Sum(column) for name, column in sums.items()}))


def by_month_and_place_from_facts(scope: Scope, viewer: Any, kind: str, *,
                                  events: QuerySet[Event]
                                  ) -> tuple[list[Row], list[Row], list[Row], int]:
    """Events per month, region and cercle from the cells and ``EventFact``; casualty
    ranges from the cells and ``ClaimFact`` rows of the viewer's clearance level — or, for a
    viewer whose source visibility is not a level (partners; staff with own sources above
    their clearance), from their visible claims per event, as the straightforward path
    does."""
    groups: list[dict[str, list[int]]] = [{}, {}, {}]
    _roll(groups, EventFact.objects.filter(scope.facts).order_by().values_list(*PLACE)
          .annotate(n=Count("pk")), 0)
    _roll_cells(groups, scope, "e", "", 0, n="n")
    total = sum(acc[0] for acc in groups[1].values())
    level = policy.source_clearance(viewer)
    if level is not None:
        _roll(groups, ClaimFact.objects.filter(facts.rebase(scope.facts), kind=kind,
                                               level=level)
              .order_by().values_list(*PLACE)
              .annotate(low=Sum("low"), high=Sum("high"), open=Sum("open"), n=Count("pk")), 1)
        _roll_cells(groups, scope, "c", f"{kind}:{level}", 1, low="low", high="high",
                    open="open_n", n="n")
    else:
        bounds = event_claim_bounds(events, viewer, kind)
        if bounds:
            located = EventFact.objects.filter(ids_q(list(bounds))).values_list("pk", *PLACE)
            _roll(groups, ((month, admin1, admin2, *bounds[pk], 1) for pk, month, admin1, admin2
                           in located.iterator(chunk_size=5000)), 1)
    months, regions, cercles = _tables(groups)
    return months, regions, cercles, total


def _merge(*parts: Any) -> list[tuple[str, int, int, int]]:
    totals: dict[str, list[int]] = {}
    for part in parts:
        for key, *values in part:
            acc = totals.setdefault(str(key), [0, 0, 0])
            for i, value in enumerate(values):
                acc[i] += int(value)
    return [(key, *acc) for key, acc in totals.items()]  # type: ignore[misc]


def _top(grouped: Any, labels: dict[str, str], limit: int = 25) -> list[Row]:
    """The groups with most events (ties by code), at most ``limit``."""
    rows = sorted(grouped, key=lambda r: (-r[1], r[0]))[:limit]
    return [Row(key=key, label=labels.get(key, key) or "—", events=n, low=low, high=high)
            for key, n, low, high in rows]


def by_act_type_from_facts(scope: Scope, labels: dict[str, str]) -> list[Row]:
    grouped = (ActTypeFact.objects.filter(facts.rebase(scope.facts)).order_by()
               .values_list("act_type").annotate(n=Count("pk"), low=Sum("low"),
                                                 high=Sum("high")))
    cells = _cells(scope, "a", "dim", n="n", low="low", high="high")
    return _top(_merge(grouped, cells), labels)


def by_perpetrator_from_facts(scope: Scope, labels: dict[str, str]) -> list[Row]:
    codes = {str(pk): code for pk, code in Actor.objects.values_list("pk", "code")}
    grouped = (ActorFact.objects.filter(facts.rebase(scope.facts)).order_by()
               .values_list("actor_id").annotate(n=Count("pk"), low=Sum("low"),
                                                 high=Sum("high")))
    cells = _cells(scope, "p", "dim", n="n", low="low", high="high")
    return _top([(codes[actor], n, low, high) for actor, n, low, high in
                 _merge(grouped, cells)], labels)


def map_data_from_facts(scope: Scope, *, colour_by: str) -> dict[str, Any]:
    """``map_data`` from ``EventFact`` and the cells: the newest located points with their
    first act type or armed actor in one indexed query, the areas from the cells."""
    by_actor = colour_by == "perpetrator"
    located = EventFact.objects.filter(scope.conditions, geo_precision__in=POINT_PRECISIONS,
                                       latitude__isnull=False, longitude__isnull=False)
    rows = list(located.order_by("-start_earliest", "-pk").values_list(
        "pk", "latitude", "longitude", "geo_precision",
        "first_actor_id" if by_actor else "first_act_type")[:MAP_POINT_LIMIT])
    if by_actor:
        codes = dict(Actor.objects.values_list("pk", "code"))
        points = [(pk, lat, lon, precision, codes.get(first, "") if first else "")
                  for pk, lat, lon, precision, first in rows]
        mapping = actor_roots()
    else:
        points = rows
        mapping = roots("act_types")
    groups = list(EventFact.objects.filter(scope.facts).order_by()
                  .values("geo_precision", "admin1", "admin2")
                  .annotate(n=Count("pk"), with_point=Count(
                      "pk", filter=Q(latitude__isnull=False, longitude__isnull=False))))
    groups += [{"geo_precision": precision, "admin1": admin1, "admin2": admin2,
                "n": int(n), "with_point": int(with_point)}
               for precision, admin1, admin2, n, with_point in _cells(
                   scope, "m", "dim", "admin1", "admin2", n="n", with_point="points")]
    return _map_result(points, mapping, groups)
