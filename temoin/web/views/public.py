"""The public, read-only pages of published events (no sign-in)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from temoin.web import public, vocab


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(public.published_events().only(
        "reference", "title", "start_earliest", "start_text", "admin1", "admin2",
        "place_name", "admin3", "geo_precision", "coarsen_place_when_published"), 50
    ).get_page(request.GET.get("page"))
    rows = [{"reference": e.reference, "title": e.title, "date": e.start_text or
             (e.start_earliest.isoformat() if e.start_earliest else ""),
             "place": public.public_place(e)[0]} for e in page]
    return render(request, "web/public_list.html", {"page": page, "rows": rows})


@require_GET
def public_detail(request: HttpRequest, reference: str) -> HttpResponse:
    event = public.published_events().filter(reference=reference).first()
    if event is None:
        raise Http404
    return render(request, "web/public_detail.html", {
        "event": public.public_version(event, act_labels=vocab.term_labels("act_types"))})
