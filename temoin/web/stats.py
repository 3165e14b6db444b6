"""Counts for the dashboard and the map, always over the events the viewer may see (the
queryset comes from ``temoin.cases.selectors.events_list``). Casualties are ranges: the lowest
and highest figure any visible source gives per event, summed — never one invented number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from temoin.cases import access
from temoin.cases.models import Act, Actor, Claim, Event, Involvement, Term

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


def _claim_bounds(events: QuerySet[Event], viewer: Any, kind: str) -> QuerySet[Event]:
    claims = Claim.objects.filter(event=OuterRef("pk"), kind=kind,
                                  source__in=access.visible_sources(viewer).values("pk"))
    low = claims.values("event").annotate(v=Min("count_min")).values("v")
    high = claims.values("event").annotate(v=Max(Coalesce("count_max", "count_min"))).values("v")
    open_ended = claims.filter(count_max__isnull=True).values("event").annotate(
        v=Count("pk")).values("v")
    return events.annotate(c_low=Subquery(low, output_field=IntegerField()),
                           c_high=Subquery(high, output_field=IntegerField()),
                           c_open=Coalesce(Subquery(open_ended, output_field=IntegerField()),
                                           Value(0)))


def _rows(grouped: Any, key: str, labels: dict[str, str] | None = None) -> list[Row]:
    out = []
    for row in grouped:
        value = row[key]
        text = value.strftime("%Y-%m") if hasattr(value, "strftime") else (value or "")
        out.append(Row(key=text, label=(labels or {}).get(text, text) or "—",
                       events=row["n"], low=row["low"], high=row["high"],
                       open=bool(row.get("open"))))
    return out


def by_month(events: QuerySet[Event], viewer: Any, kind: str = "killed") -> list[Row]:
    qs = (_claim_bounds(plain(events), viewer, kind)
          .annotate(month=TruncMonth("start_earliest")).values("month")
          .annotate(n=Count("pk"), low=Sum("c_low"), high=Sum("c_high"), open=Sum("c_open"))
          .order_by("month"))
    return [r for r in _rows(qs, "month") if r.key]


def by_place(events: QuerySet[Event], viewer: Any, level: str = "admin1",
             kind: str = "killed") -> list[Row]:
    qs = (_claim_bounds(plain(events), viewer, kind).values(level)
          .annotate(n=Count("pk"), low=Sum("c_low"), high=Sum("c_high"), open=Sum("c_open"))
          .order_by("-n")[:40])
    return _rows(qs, level)


def _victims(acts: QuerySet[Act], key: str) -> Any:
    return (acts.values(key).annotate(
        n=Count("event", distinct=True),
        low=Sum(Coalesce("victim_count_min", Value(1))),
        high=Sum(Coalesce("victim_count_max", "victim_count_min", Value(1))))
        .order_by("-n")[:25])


def by_act_type(events: QuerySet[Event], labels: dict[str, str]) -> list[Row]:
    acts = Act.objects.filter(event__in=events.order_by().values("pk"))
    return _rows(_victims(acts, "act_type"), "act_type", labels)


def by_perpetrator(events: QuerySet[Event], labels: dict[str, str]) -> list[Row]:
    acts = Act.objects.filter(event__in=events.order_by().values("pk"),
                              involvements__actor__isnull=False)
    return _rows(_victims(acts, "involvements__actor__code"), "involvements__actor__code",
                 labels)


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
    """Points for events located to a commune or better; counts per cercle / region for the
    others (drawn as areas, never as a pin on a village)."""
    first_act = Act.objects.filter(event=OuterRef("pk")).order_by("pk").values("act_type")[:1]
    first_actor = (Involvement.objects.filter(act__event=OuterRef("pk"), actor__isnull=False)
                   .order_by("pk").values("actor__code")[:1])
    events = plain(events)
    located = events.filter(geo_precision__in=POINT_PRECISIONS, latitude__isnull=False,
                            longitude__isnull=False)
    key = first_act if colour_by != "perpetrator" else first_actor
    mapping = roots("act_types") if colour_by != "perpetrator" else actor_roots()
    points = []
    for pk, ref, lat, lon, precision, category in (
            located.annotate(category=Subquery(key)).values_list(
                "pk", "reference", "latitude", "longitude", "geo_precision", "category")
            [:MAP_POINT_LIMIT]):
        points.append([pk, ref, round(lat, 4), round(lon, 4), precision,
                       mapping.get(category or "", category or "")])
    total_points = located.count()
    areas = []
    unlocated = events.exclude(pk__in=located.values("pk")).order_by()
    for level, field in (("cercle", "admin2"), ("region", "admin1")):
        qs = unlocated.filter(geo_precision=level) if level == "cercle" else \
            unlocated.exclude(geo_precision="cercle")
        for row in qs.values(field).annotate(n=Count("pk")).order_by("-n"):
            if row[field]:
                areas.append({"level": level, "name": row[field], "n": row["n"]})
    return {"points": points, "points_total": total_points, "points_limit": MAP_POINT_LIMIT,
            "areas": areas}
