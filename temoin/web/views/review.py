"""Review workflow pages: the queue, transitions with a comment, assignment, publication
and sharing with partners. Each action is one service call; refusals change nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from temoin.accounts.models import Organisation, User
from temoin.cases import access, policy, selectors, services
from temoin.cases.models import ReviewStatus
from temoin.errors import NotFound, PermissionDenied, TemoinError, ValidationFailed
from temoin.web import forms
from temoin.web.views.events import _event_or_404


def _back(pk: int) -> HttpResponse:
    return redirect(reverse("event-detail", args=[pk]) + "#revision")


def _report(request: HttpRequest, exc: TemoinError) -> None:
    if isinstance(exc, ValidationFailed):
        for problems in exc.fields.values():
            for _code, message in problems:
                messages.error(request, message)
    else:
        messages.error(request, exc.message)


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    if not policy.can_review(request.user):
        raise Http404
    status = request.GET.get("status") or "submitted"
    if status not in ReviewStatus.values:
        status = "submitted"
    events = selectors.events_list(viewer=request.user, filters={"status": status})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "web/review_queue.html", {
        "page": page, "status": status, "statuses": ReviewStatus.choices})


@login_required
@require_POST
def event_transition(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Statut inconnu."))
        return _back(pk)
    try:
        services.event_transition(actor=request.user, event=event, to=form.cleaned_data["to"],
                                  comment=form.cleaned_data["comment"])
    except TemoinError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Statut modifié."))
    return _back(pk)


@login_required
@require_POST
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    try:
        services.event_publish(actor=request.user, event=event,
                               reason=request.POST.get("reason", ""))
    except TemoinError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Version publique publiée."))
    return _back(pk)


@login_required
@require_POST
def event_assign(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    user = User.objects.filter(username=request.POST.get("username", ""),
                               is_active=True).first()
    if user is None:
        messages.error(request, _("Utilisateur inconnu."))
        return _back(pk)
    try:
        services.event_assign(actor=request.user, event=event, user=user)
    except TemoinError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Évènement assigné."))
    return _back(pk)


@login_required
@require_POST
def event_share(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    organisation = Organisation.objects.filter(pk=request.POST.get("organisation") or 0,
                                               is_host=False).first()
    if organisation is None:
        messages.error(request, _("Organisation partenaire inconnue."))
        return _back(pk)
    try:
        if request.POST.get("unshare"):
            services.event_unshare(actor=request.user, event=event, organisation=organisation)
        else:
            services.event_share(actor=request.user, event=event, organisation=organisation)
    except (PermissionDenied, NotFound):
        raise Http404 from None
    except TemoinError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Partage mis à jour."))
    return _back(pk)


@login_required
@require_POST
def event_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link this event to another one the viewer may see, by its reference."""
    event = _event_or_404(request, pk)
    other = access.visible_events(request.user).filter(
        reference=request.POST.get("reference", "").strip()).first()
    if other is None:
        messages.error(request, _("Évènement lié introuvable."))
        return redirect(reverse("event-detail", args=[pk]) + "#lies")
    try:
        services.event_link(actor=request.user, from_event=event, to_event=other,
                            relation=request.POST.get("relation", ""))
    except PermissionDenied:
        raise Http404 from None
    except TemoinError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Lien ajouté."))
    return redirect(reverse("event-detail", args=[pk]) + "#lies")
