"""A minimal server-rendered page set (the full interface is issue 5): sign-in, event list
with filters and search, event page. Views call selectors only; every restricted page view is
audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from temoin.audit.services import audit_record
from temoin.cases import access, selectors
from temoin.cases.models import Confidentiality
from temoin.errors import NotFound, ValidationFailed
from temoin.keys.selectors import keys_status


def _context(request: HttpRequest) -> dict[str, object]:
    status = keys_status()
    return {"sealed": status.sealed, "user": request.user}


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    filters = {k: v for k, v in request.GET.items() if k in selectors.FILTERS and v}
    errors: dict[str, list[tuple[str, str]]] = {}
    try:
        events = selectors.events_list(viewer=request.user, filters=filters)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    except ValidationFailed as exc:
        errors, page = exc.fields, None
    return render(request, "web/event_list.html",
                  {**_context(request), "page": page, "filters": filters, "errors": errors})


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        event = access.access_event_by_id(request.user, pk)
    except NotFound:
        raise Http404 from None
    if event.confidentiality >= Confidentiality.RESTRICTED:
        with transaction.atomic():
            audit_record(actor=request.user, action="event.view", target=event)
    return render(request, "web/event_detail.html", {
        **_context(request), "event": event,
        "acts": event.acts.prefetch_related("involvements__actor", "named_victims")
        .select_related("victim_person"),
        "claims": selectors.event_claims(viewer=request.user, event=event),
        "sources": selectors.event_sources(viewer=request.user, event=event)
        .prefetch_related("information"),
        "history": selectors.record_history(target_type="event", target_id=event.pk),
    })
