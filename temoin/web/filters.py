"""The filters carried by every page (list, map, dashboard, exports): read from the query
string, handed to ``temoin.cases.selectors.events_list`` unchanged."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest

from temoin.cases import selectors
from temoin.cases.models import Event
from temoin.errors import ValidationFailed

SORTS = {"-date": ("-start_earliest", "-pk"), "date": ("start_earliest", "pk"),
         "reference": ("reference",), "region": ("admin1", "admin2", "-start_earliest"),
         "-updated": ("-updated_at",)}


def read_filters(request: HttpRequest) -> dict[str, str]:
    return {k: v.strip() for k, v in request.GET.items()
            if k in selectors.FILTERS and k != "published" and v.strip()}


def query_string(filters: dict[str, str]) -> str:
    return urlencode(filters)


def filtered_events(request: HttpRequest) -> tuple[QuerySet[Event] | None, dict[str, str],
                                                    dict[str, list[tuple[str, str]]]]:
    """(events or None on bad filters, the filters, the problems by field)."""
    filters = read_filters(request)
    try:
        events = selectors.events_list(viewer=request.user, filters=filters)
    except ValidationFailed as exc:
        return None, filters, exc.fields
    order = SORTS.get(request.GET.get("sort", ""), None)
    if order:
        events = events.order_by(*order)
    return events, filters, {}
