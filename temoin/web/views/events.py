"""Event pages: list and search with facets, exports, the event page with its history,
and the form that records an event with its acts and a source in one flow."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from temoin.accounts.models import Organisation
from temoin.audit.selectors import audit_search
from temoin.audit.services import audit_record
from temoin.cases import access, policy, selectors, services
from temoin.cases.models import Confidentiality, EventLink, ReviewStatus
from temoin.errors import NotFound, PermissionDenied, TemoinError, ValidationFailed
from temoin.web import flows, forms, geodata, vocab
from temoin.web.filters import filtered_events, query_string
from temoin.web.messages import problem_message
from temoin.web.views import evidence as evidence_views
from temoin.web.views.dashboard import cached

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000


def _event_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return access.access_event_by_id(request.user, pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events, filters, errors = filtered_events(request)
    page = None
    if events is not None:
        count = cached(request, "count", events.count, query=query_string(filters))
        page = CountedPaginator(count, events.only(
            "pk", "reference", "title", "start_earliest", "start_latest", "start_precision",
            "place_name", "admin1", "admin2", "geo_precision", "review_status",
            "confidentiality", "published"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/event_list.html", {
        "page": page, "filters": filters, "errors": errors, "qs": query_string(filters),
        "sort": request.GET.get("sort", ""),
        "form": forms.FilterForm(request.GET or None)})


class CountedPaginator(Paginator):
    """A paginator given its count: the count of a filtered list is the costly query at 100k
    events and does not change with the page or the sort (cached until the next write)."""

    def __init__(self, count: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


def _audit_export(request: HttpRequest, kind: str, filters: dict[str, str]) -> None:
    with transaction.atomic():
        audit_record(actor=request.user, action=f"event.export_{kind}",
                     details={"filters": filters})


EXPORT_COLUMNS = ["reference", "title", "start_earliest", "start_latest", "start_precision",
                  "start_text", "place_name", "admin1", "admin2", "admin3", "latitude",
                  "longitude", "geo_precision", "violation_status", "review_status",
                  "confidentiality", "published"]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    events, filters, errors = filtered_events(request)
    if events is None:
        return JsonResponse({"error": {"code": "validation_failed", "fields": errors}},
                            status=400)
    _audit_export(request, "csv", filters)
    writer = csv.writer(_Echo())
    rows = events.values_list(*EXPORT_COLUMNS)[:EXPORT_LIMIT].iterator(chunk_size=2000)

    def stream():  # type: ignore[no-untyped-def]
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            yield writer.writerow(["" if v is None else v for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="temoin-evenements.csv"'
    return response


@login_required
@require_GET
def export_geojson(request: HttpRequest) -> HttpResponse:
    events, filters, errors = filtered_events(request)
    if events is None:
        return JsonResponse({"error": {"code": "validation_failed", "fields": errors}},
                            status=400)
    _audit_export(request, "geojson", filters)
    features = []
    for row in events.values(*EXPORT_COLUMNS)[:EXPORT_LIMIT].iterator(chunk_size=2000):
        lat, lon = row.pop("latitude"), row.pop("longitude")
        geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None \
            and lon is not None else None
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}})
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="temoin-evenements.geojson"'
    return response


@login_required
@require_GET
def places(request: HttpRequest) -> JsonResponse:
    """Place autocomplete: known places of the events the viewer may see, then the GeoNames
    gazetteer (``temoin.core.geo.gazetteer``) when its file is installed."""
    term = request.GET.get("q", "").strip()
    if len(term) < 2:
        return JsonResponse({"places": []})
    rows = (access.visible_events(request.user).filter(place_name__istartswith=term)
            .values("place_name", "admin1", "admin2", "latitude", "longitude",
                    "geo_precision").order_by("place_name")[:200])
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        seen.setdefault((row["place_name"], row["admin2"]), {**row, "source": "events"})
    for row in geodata.gazetteer_suggest(term, limit=15):
        seen.setdefault((row["place_name"], row["admin2"]), row)
    return JsonResponse({"places": list(seen.values())[:20]})


def _audit_view(request: HttpRequest, event: Any) -> None:
    if event.confidentiality >= Confidentiality.RESTRICTED:
        with transaction.atomic():
            audit_record(actor=request.user, action="event.view", target=event)


def _related(request: HttpRequest, event: Any) -> list[dict[str, Any]]:
    """Linked events the viewer may see (links first, then visibility of those few ids)."""
    links = list(EventLink.objects.filter(from_event=event).select_related("to_event")) + \
        list(EventLink.objects.filter(to_event=event).select_related("from_event"))
    others = {link.to_event_id if link.from_event_id == event.pk else link.from_event_id
              for link in links}
    visible = set(access.visible_events(request.user).filter(pk__in=others)
                  .values_list("pk", flat=True)) if others else set()
    out = []
    for link in links:
        outgoing = link.from_event_id == event.pk
        other = link.to_event if outgoing else link.from_event
        if other.pk in visible:
            out.append({"event": other, "relation": link.get_relation_display(),
                        "direction": "→" if outgoing else "←"})
    return out


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    _audit_view(request, event)
    sources = list(selectors.event_sources(viewer=request.user, event=event)
                   .prefetch_related("information"))
    for source in sources:
        source.credibilities = [i for i in source.information.all() if i.event_id == event.pk]
    acts = list(event.acts.prefetch_related("involvements__actor", "named_victims")
                .select_related("victim_person").order_by("pk"))
    labels = vocab.term_labels("act_types")
    degrees = vocab.term_labels("involvement_degrees")
    actors = vocab.actor_labels()
    for act in acts:
        act.type_label = labels.get(act.act_type, act.act_type)
        act.perpetrators = [{"label": actors.get(i.actor.code, i.actor.code) if i.actor
                             else (i.person.code if i.person else "?"),
                             "degree": degrees.get(i.degree, i.degree)}
                            for i in act.involvements.all()]
    can_edit = policy.can_edit_event(request.user, event)
    return render(request, "web/event_detail.html", {
        "event": event, "acts": acts, "sources": sources,
        "claims": selectors.event_claims(viewer=request.user, event=event),
        "history": selectors.record_history(target_type="event", target_id=event.pk),
        "related": _related(request, event),
        "can_edit": can_edit,
        "can_review": policy.can_review(request.user),
        "can_share": policy.can_share(request.user),
        "transitions": _transitions(request.user, event),
        "audit": list(audit_search(target_type="event", target_id=str(event.pk))[:100])
        if policy.can_read_audit(request.user) else None,
        "transition_form": forms.TransitionForm(),
        "partners": Organisation.objects.filter(is_host=False).order_by("short_name")
        if policy.can_share(request.user) else [],
        "relations": EventLink.Relation.choices,
        **evidence_views.event_evidence_context(request, event, can_edit),
    })


def _transitions(user: Any, event: Any) -> list[tuple[str, str]]:
    from temoin.cases.services.events import TRANSITIONS

    allowed = TRANSITIONS.get(event.review_status, set())
    labels = dict(ReviewStatus.choices)
    editing = policy.can_edit_event(user, event)
    reviewing = policy.can_review(user)
    out = []
    for to in sorted(allowed):
        submitting = to in (ReviewStatus.SUBMITTED, ReviewStatus.DRAFT) and \
            event.review_status in (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED)
        if (submitting and editing) or (not submitting and reviewing):
            out.append((to, str(labels[to])))
    return out


def _attach(exc: ValidationFailed, form_by_prefix: dict[str, Any]) -> list[str]:
    """Put each service problem next to its field; return those that match no field."""
    loose = []
    for name, problems in exc.fields.items():
        placed = False
        for prefix, form in form_by_prefix.items():
            field = name[len(prefix):] if name.startswith(prefix) else None
            if field is not None and field in form.fields:
                text = form.data.get(form.add_prefix(field)) if form.is_bound else None
                for code, message in problems:
                    form.add_error(field, problem_message(code, message, text=text,
                                                          field=field))
                placed = True
                break
        if not placed:
            loose += [f"{name} : {problem_message(code, message)}" for code, message in problems]
    return loose


def _act_forms(request: HttpRequest, count: int) -> list[forms.ActForm]:
    data = request.POST if request.method == "POST" else None
    return [forms.ActForm(data, prefix=f"act{i}") for i in range(count)]


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _strip(data: Any, prefix: str) -> dict[str, Any]:
    return {k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)}


def _used_acts(act_forms: list[forms.ActForm]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{f.prefix}-", f.cleaned_data) for f in act_forms if f.used]


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_create(request.user):
        raise Http404
    count = min(max(_int(request.POST.get("act_count"), 2), 0), 20) if request.POST else 2
    adding = bool(request.POST.get("add_act"))
    if adding:  # one more act row: re-render with the input, validate nothing yet
        posted = request.POST.copy()
        event_form = forms.EventForm(initial=posted.dict())
        act_forms = [forms.ActForm(initial=_strip(posted, f"act{i}-"), prefix=f"act{i}")
                     for i in range(count + 1)]
        source_form = forms.SourceForm(initial={**_strip(posted, "src-"),
                                                "consent": posted.getlist("src-consent")},
                                       prefix="src")
    else:
        event_form = forms.EventForm(request.POST or None)
        act_forms = _act_forms(request, count)
        source_form = forms.SourceForm(request.POST or None, prefix="src")
    loose: list[str] = []
    if request.method == "POST" and not adding:
        valid = event_form.is_valid() & source_form.is_valid() & all(
            [f.is_valid() for f in act_forms])
        if valid:
            try:
                event = flows.event_record(
                    actor=request.user, event_data=event_form.event_data(),
                    acts=_used_acts(act_forms),
                    source=("src-", source_form.cleaned_data) if source_form.used else None)
            except ValidationFailed as exc:
                targets: dict[str, Any] = {"src-": source_form}
                targets.update({f"{f.prefix}-": f for f in act_forms})
                targets[""] = event_form
                loose = _attach(exc, targets)
            else:
                return redirect("event-detail", pk=event.pk)
    response = render(request, "web/event_form.html", {
        "form": event_form, "act_forms": act_forms, "source_form": source_form,
        "loose": loose, "creating": True},
        status=400 if request.method == "POST" and not adding else 200)
    response["Cache-Control"] = "no-store"
    return response


EDITABLE = ["title", "description", "start", "end", "place_name", "admin1", "admin2", "admin3",
            "latitude", "longitude", "geo_precision", "violation_status", "confidentiality",
            "coarsen_place_when_published"]


def _initial(event: Any) -> dict[str, Any]:
    initial = {name: getattr(event, name) for name in EDITABLE if hasattr(event, name)}
    initial["start"] = event.start_text or (event.start_earliest.isoformat()
                                            if event.start_earliest else "")
    initial["end"] = event.end_text or (event.end_earliest.isoformat()
                                        if event.end_earliest else "")
    return initial


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    if not policy.can_edit_event(request.user, event):
        raise Http404
    if request.method == "GET":
        _audit_view(request, event)
    initial = _initial(event)
    event_form = forms.EventForm(request.POST or None, initial=initial)
    act_forms = _act_forms(request, 1)
    reason = request.POST.get("reason", "")
    loose: list[str] = []
    if request.method == "POST":
        if event_form.is_valid() & all([f.is_valid() for f in act_forms]):
            changes = {k: v for k, v in event_form.event_data().items()
                       if k in initial and v != initial.get(k)
                       and not (v in ("", None) and initial.get(k) in ("", None))}
            try:
                flows.event_amend(actor=request.user, event=event, changes=changes,
                                  reason=reason, acts=_used_acts(act_forms))
            except ValidationFailed as exc:
                targets: dict[str, Any] = {f"{f.prefix}-": f for f in act_forms}
                targets[""] = event_form
                loose = _attach(exc, targets)
            except TemoinError as exc:
                loose = [exc.message]
            else:
                return redirect("event-detail", pk=event.pk)
    response = render(request, "web/event_form.html", {
        "form": event_form, "act_forms": act_forms, "event": event, "loose": loose,
        "reason": reason, "creating": False},
        status=400 if request.method == "POST" else 200)
    response["Cache-Control"] = "no-store"
    return response


def _back(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("event-detail", args=[pk]) + anchor)


def _message(request: HttpRequest, exc: TemoinError) -> None:
    from django.contrib import messages

    if isinstance(exc, ValidationFailed):
        for _field, problems in exc.fields.items():
            for code, message in problems:
                messages.error(request, problem_message(code, message))
    else:
        messages.error(request, exc.message)


@login_required
@require_POST
def event_revert(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    form = forms.RevertForm(request.POST)
    if not form.is_valid():
        from django.contrib import messages

        messages.error(request, _("Indiquez la version et la raison du retour."))
        return _back(pk, "#historique")
    try:
        services.version_revert(actor=request.user, target_type="event", target_id=event.pk,
                                number=form.cleaned_data["number"],
                                reason=form.cleaned_data["reason"])
    except PermissionDenied:
        raise Http404 from None
    except TemoinError as exc:
        _message(request, exc)
    return _back(pk, "#historique")


@login_required
def act_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit one act's type and victim counts (act_update); victims' identities are not here."""
    try:
        act = access.access_act_by_id(request.user, pk)
    except NotFound:
        raise Http404 from None
    if not policy.can_edit_event(request.user, act.event):
        raise Http404
    fields = ["act_type", "victim_group", "victim_count_min", "victim_count_max"]
    initial = {name: getattr(act, name) for name in fields}
    form = forms.ActEditForm(request.POST or None, initial=initial)
    loose: list[str] = []
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial.get(k)}
        try:
            services.act_update(actor=request.user, act=act, changes=changes,
                                reason=request.POST.get("reason", ""))
        except ValidationFailed as exc:
            loose = _attach(exc, {"": form})
        except TemoinError as exc:
            loose = [exc.message]
        else:
            return redirect("event-detail", pk=act.event_id)
    return render(request, "web/act_form.html", {"form": form, "act": act, "loose": loose},
                  status=400 if request.method == "POST" else 200)
