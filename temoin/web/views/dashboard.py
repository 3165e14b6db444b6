"""Dashboard (counts with casualty ranges) and the map; both take the list's filters."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from temoin.cases.models import ClaimKind
from temoin.web import forms, geodata, stats, vocab
from temoin.web.filters import filtered_events, query_string


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    events, filters, errors = filtered_events(request)
    kind = request.GET.get("kind", "killed")
    if kind not in ClaimKind.values:
        kind = "killed"
    context: dict[str, object] = {"filters": filters, "errors": errors,
                                  "qs": query_string(filters), "kind": kind,
                                  "kinds": ClaimKind.choices,
                                  "form": forms.FilterForm(request.GET or None)}
    if events is not None:
        months = stats.by_month(events, request.user, kind)
        top = max([m.events for m in months] or [1])
        context.update(
            total=events.count(), months=months, month_max=top,
            regions=stats.by_place(events, request.user, "admin1", kind),
            cercles=stats.by_place(events, request.user, "admin2", kind)[:15],
            act_types=stats.by_act_type(events, vocab.term_labels("act_types")),
            perpetrators=stats.by_perpetrator(events, vocab.actor_labels()))
    return render(request, "web/dashboard.html", context)


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    events, filters, errors = filtered_events(request)
    return render(request, "web/map.html", {
        "filters": filters, "errors": errors, "qs": query_string(filters),
        "colour_by": request.GET.get("colour", "act_type"),
        "form": forms.FilterForm(request.GET or None),
        "attribution": geodata.ATTRIBUTION})


@login_required
@require_GET
def map_data(request: HttpRequest) -> JsonResponse:
    events, filters, errors = filtered_events(request)
    if events is None:
        return JsonResponse({"error": {"code": "validation_failed", "fields": errors}},
                            status=400)
    colour_by = "perpetrator" if request.GET.get("colour") == "perpetrator" else "act_type"
    data = stats.map_data(events, colour_by=colour_by)
    labels = vocab.actor_labels() if colour_by == "perpetrator" else \
        vocab.term_labels("act_types")
    data["labels"] = {p[5]: labels.get(p[5], p[5]) for p in data["points"] if p[5]}
    data["centres"] = {f"{a['level']}:{a['name']}": _centre(a) for a in data["areas"]}
    return JsonResponse(data)


def _centre(area: dict[str, object]) -> list[float] | None:
    from temoin.core.geo.normalise import normalise_name

    level = 2 if area["level"] == "cercle" else 1
    point = geodata.cercle_centres().get(f"{level}:{normalise_name(str(area['name'])).full}")
    return list(point) if point else None


@login_required
@require_GET
def boundaries(request: HttpRequest, level: int) -> HttpResponse:
    if level not in (1, 2):
        raise Http404
    response = HttpResponse(geodata.boundaries_geojson(level),
                            content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def cercle_names() -> list[str]:
    return sorted(f["properties"]["name"] for f in
                  json.loads(geodata.boundaries_geojson(2)).get("features", []))
