"""Dashboard (counts with casualty ranges) and the map; both take the list's filters."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from temoin.audit.models import AuditHead
from temoin.cases.models import ClaimKind
from temoin.web import forms, geodata, stats, vocab
from temoin.web.filters import filtered_events, query_string

CACHE_SECONDS = 600


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
        def compute() -> dict[str, object]:
            if not use_facts():
                return stats.dashboard_straightforward(events, request.user, kind)
            scope = stats.scope_for(request.user, filters)
            return stats.dashboard_from_facts(scope, request.user, kind, events=events)

        context.update(cached(request, "dashboard", compute))
    return render(request, "web/dashboard.html", context)


def use_facts() -> bool:
    """Dashboard and map read the precomputed facts (``temoin.cases.facts``); the setting
    ``TEMOIN_WEB_FACTS = False`` switches back to the straightforward queries (benchmark
    baseline, or while a repair ``rebuild`` runs)."""
    return bool(getattr(settings, "TEMOIN_WEB_FACTS", True))


def cached(request: HttpRequest, name: str, compute: Callable[[], Any], *,
           query: str | None = None) -> Any:
    """Results kept until the next write anywhere: every write appends an audit row, so the
    audit head (sequence and last hash) versions the key. Per viewer (visibility differs),
    query and language."""
    head = AuditHead.objects.filter(pk=1).values_list("sequence", "last_hash").first()
    query = request.GET.urlencode() if query is None else query
    raw = f"{name}|{request.user.pk}|{get_language()}|{head}|{query}"
    key = "web:" + hashlib.sha256(raw.encode()).hexdigest()
    return cache.get_or_set(key, compute, timeout=CACHE_SECONDS)


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
def map_data(request: HttpRequest) -> HttpResponse:
    events, filters, errors = filtered_events(request)
    if events is None:
        return JsonResponse({"error": {"code": "validation_failed", "fields": errors}},
                            status=400)
    colour_by = "perpetrator" if request.GET.get("colour") == "perpetrator" else "act_type"

    def compute() -> dict[str, Any]:
        if use_facts():
            data = stats.map_data_from_facts(stats.scope_for(request.user, filters),
                                             colour_by=colour_by)
        else:
            data = stats.map_data(events, colour_by=colour_by)
        labels = vocab.actor_labels() if colour_by == "perpetrator" else \
            vocab.term_labels("act_types")
        data["labels"] = {c: labels.get(c, c) for c in data["categories"] if c}
        data["centres"] = {f"{a['level']}:{a['name']}": _centre(a) for a in data["areas"]}
        return data

    body = cached(request, "map", lambda: json.dumps(compute(), separators=(",", ":"),
                                                     ensure_ascii=False).encode())
    return compressed(request, body, "application/json")


def compressed(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    """Gzip a large JSON body when the browser accepts it (no secret in these bodies, so no
    BREACH exposure; HTML pages with CSRF tokens are never compressed)."""
    response = HttpResponse(content_type=content_type)
    response["Vary"] = "Accept-Encoding"
    if "gzip" in request.headers.get("Accept-Encoding", "") and len(body) > 1024:
        body = gzip.compress(body, compresslevel=6)
        response["Content-Encoding"] = "gzip"
    response.content = body
    return response


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
    response = compressed(request, geodata.boundaries_geojson(level), "application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@lru_cache(maxsize=1)
def cercle_names() -> tuple[str, ...]:
    return tuple(sorted(f["properties"]["name"] for f in
                  json.loads(geodata.boundaries_geojson(2)).get("features", [])))
