"""Editing an existing event's perpetrators, sources and claims (before, only the API could).

``/evenements/<id>/sources-auteurs/`` gathers, for the editors of an event: perpetrators per
act with their degree of involvement (``involvement_add``), sources with their reliability
and the credibility of what they say about this event (``source_create`` +
``information_add``, or an existing source linked), and casualty claims (``claim_add``);
and corrects them: a perpetrator removed with a reason (``involvement_remove``, kept in its
history), a claim's figures corrected (``claim_update``, versioned) or the claim withdrawn
(``claim_withdraw``: still listed, marked withdrawn, no longer counted).
``/sources/<id>/modifier/`` edits a source's fields (``source_update``, versioned) with its
history and revert (``version_revert``). Each action is one service call (audited there);
views of restricted records are audited here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from temoin.audit.services import audit_record
from temoin.cases import access, policy, selectors, services
from temoin.cases.models import Actor, Confidentiality, Involvement
from temoin.errors import NotFound, PermissionDenied, TemoinError, ValidationFailed
from temoin.web import flows, forms, vocab
from temoin.web.messages import attach_problems, problem_message

ACTIONS = ("involvement", "source_new", "source_link", "credibility", "claim")


def _user(request: HttpRequest) -> Any:
    """The signed-in account (``login_required`` guarantees it)."""
    return request.user


def _editable_event(request: HttpRequest, pk: int) -> Any:
    try:
        event = access.access_event_by_id(request.user, pk)
    except NotFound:
        raise Http404 from None
    if not policy.can_edit_event(request.user, event):
        raise Http404
    return event




def _acts(event: Any) -> list[Any]:
    labels = vocab.term_labels("act_types")
    degrees = vocab.term_labels("involvement_degrees")
    actors = vocab.actor_labels()
    acts = list(event.acts.prefetch_related("involvements__actor", "involvements__person",
                                            "involvements__attributed_by").order_by("pk"))
    for act in acts:
        act.type_label = labels.get(act.act_type, act.act_type)
        act.perpetrators = [{
            "label": actors.get(i.actor.code, i.actor.code) if i.actor
            else (i.person.code if i.person else "?"),
            "degree": degrees.get(i.degree, i.degree),
            "attributed_by": i.attributed_by.title if i.attributed_by else "",
            "remarks": i.remarks, "id": i.pk} for i in act.involvements.all()]
    return acts


def _sources(request: HttpRequest, event: Any) -> list[Any]:
    sources: list[Any] = list(selectors.event_sources(viewer=request.user, event=event)
                   .prefetch_related("information").order_by("pk"))
    for source in sources:
        source.credibilities = [i for i in source.information.all() if i.event_id == event.pk]
        source.credibility = source.credibilities[0].credibility if source.credibilities else 6
        source.can_edit = _can_edit_source(request.user, source)
    return sources


def _can_edit_source(user: Any, source: Any) -> bool:
    """The rule of ``source_update``: creators; a monitor only the sources they created."""
    return policy.can_create(user) and not (
        user.role == "monitor" and source.created_by_id != user.pk)


def _add_involvement(request: HttpRequest, event: Any, form: Any) -> list[str]:
    data = form.cleaned_data
    act = event.acts.filter(pk=int(data["act"])).first()
    perpetrator = Actor.objects.filter(code=data["perpetrator"]).first()
    if act is None or perpetrator is None:
        form.add_error("act" if act is None else "perpetrator", _("Choix inconnu."))
        return []
    source = None
    if data.get("attributed_by"):
        source = selectors.event_sources(viewer=request.user, event=event).filter(
            pk=int(data["attributed_by"])).first()
    if Involvement.objects.filter(act=act, actor=perpetrator, degree=data["degree"]).exists():
        form.add_error("perpetrator", _("Cet auteur figure déjà avec ce degré pour cet acte."))
        return []
    services.involvement_add(actor=_user(request), act=act, degree=data["degree"],
                             perpetrator_actor=perpetrator, attributed_by=source,
                             remarks=data.get("remarks", ""))
    messages.success(request, _("Auteur présumé ajouté."))
    return []


def _new_source(request: HttpRequest, event: Any, form: Any) -> list[str]:
    flows.event_source_add(actor=request.user, event=event, data=form.cleaned_data)
    messages.success(request, _("Source ajoutée."))
    return []


def _link_source(request: HttpRequest, event: Any) -> list[str]:
    try:
        source = access.access_source_by_id(request.user, request.POST.get("source_id"))
        credibility = int(request.POST.get("credibility") or 6)
    except (NotFound, ValueError):
        return [_("Source introuvable.")]
    services.information_add(actor=_user(request), source=source, event=event,
                             credibility=credibility)
    messages.success(request, _("Source rattachée."))
    return []


def _credibility(request: HttpRequest, event: Any, form: Any) -> list[str]:
    source = selectors.event_sources(viewer=request.user, event=event).filter(
        pk=form.cleaned_data["source"]).first()
    if source is None:
        return [_("Source introuvable.")]
    services.information_add(actor=_user(request), source=source, event=event,
                             credibility=form.cleaned_data["credibility"])
    messages.success(request, _("Crédibilité modifiée."))
    return []


def _claim(request: HttpRequest, event: Any, form: Any) -> list[str]:
    data = form.cleaned_data
    source = selectors.event_sources(viewer=request.user, event=event).filter(
        pk=int(data["source"])).first()
    if source is None:
        return [_("Source introuvable.")]
    services.claim_add(actor=_user(request), event=event, source=source, kind=data["kind"],
                       count_min=data["count_min"], count_max=data.get("count_max"),
                       qualifier=data["qualifier"])
    messages.success(request, _("Bilan ajouté."))
    return []


def _remove_involvement(request: HttpRequest, event: Any, data: dict[str, Any]) -> list[str]:
    involvement = Involvement.objects.filter(pk=data["involvement"], act__event=event).first()
    if involvement is None:
        return [_("Auteur présumé introuvable.")]
    services.involvement_remove(actor=_user(request), involvement=involvement,
                                reason=data["reason"])
    messages.success(request, _("Auteur présumé retiré (conservé dans l’historique)."))
    return []


def _event_claim(request: HttpRequest, event: Any, claim_id: int) -> Any:
    try:
        claim = access.access_claim_by_id(request.user, claim_id)
    except NotFound:
        return None
    return claim if claim.event_id == event.pk else None


def _correct_claim(request: HttpRequest, event: Any, data: dict[str, Any]) -> list[str]:
    claim = _event_claim(request, event, data["claim"])
    if claim is None:
        return [_("Bilan introuvable.")]
    changes = {name: data.get(name) for name in ("qualifier", "count_min", "count_max")
               if data.get(name) != getattr(claim, name)}
    services.claim_update(actor=_user(request), claim=claim, changes=changes,
                          reason=data["reason"])
    messages.success(request, _("Bilan corrigé.") if changes else _("Rien à enregistrer."))
    return []


def _withdraw_claim(request: HttpRequest, event: Any, data: dict[str, Any]) -> list[str]:
    claim = _event_claim(request, event, data["claim"])
    if claim is None:
        return [_("Bilan introuvable.")]
    services.claim_withdraw(actor=_user(request), claim=claim, reason=data["reason"])
    messages.success(request, _("Bilan retiré : il reste affiché comme retiré."))
    return []


ROW_ACTIONS: dict[str, tuple[Any, Any]] = {
    "involvement_remove": (forms.InvolvementRemoveForm, _remove_involvement),
    "claim_correct": (forms.ClaimCorrectForm, _correct_claim),
    "claim_withdraw": (forms.ClaimWithdrawForm, _withdraw_claim),
}


def _row_action(request: HttpRequest, event: Any, action: str) -> list[str] | None:
    """A correction posted from one row of the page: None when done (redirect), else the
    messages to show (nothing saved)."""
    form_class, handler = ROW_ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        return [f"{form.fields[name].label or name} : {error}"
                for name, errors in form.errors.items() for error in errors]
    try:
        loose: list[str] = handler(request, event, form.cleaned_data)
    except ValidationFailed as exc:
        return [problem_message(c, m) for ps in exc.fields.values() for c, m in ps]
    except PermissionDenied:
        raise Http404 from None
    except TemoinError as exc:
        return [exc.message]
    return loose or None


@login_required
def event_parties(request: HttpRequest, pk: int) -> HttpResponse:
    """Perpetrators, sources and claims of one event, for its editors."""
    event = _editable_event(request, pk)
    acts = _acts(event)
    sources = _sources(request, event)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if action else None
    built = {
        "involvement": forms.InvolvementForm(data if action == "involvement" else None,
                                             acts=acts, sources=sources, prefix="inv"),
        "source_new": forms.EventSourceForm(data if action == "source_new" else None,
                                            prefix="src"),
        "claim": forms.ClaimForm(data if action == "claim" else None, sources=sources,
                                 prefix="claim"),
        "credibility": forms.CredibilityForm(data if action == "credibility" else None),
    }
    loose: list[str] = []
    if request.method == "GET" and event.confidentiality >= Confidentiality.RESTRICTED:
        with transaction.atomic():
            audit_record(actor=request.user, action="event.view", target=event,
                         details={"page": "sources-auteurs"})
    if action in ROW_ACTIONS:
        row_problems = _row_action(request, event, action)
        if row_problems is None:
            return redirect(reverse("event-parties", args=[event.pk]) + (
                "#auteurs" if action == "involvement_remove" else "#bilans"))
        loose = row_problems
    elif action in ACTIONS:
        form = built.get(action)
        handlers = {"involvement": _add_involvement, "source_new": _new_source,
                    "claim": _claim, "credibility": _credibility}
        if action == "source_link" or (form is not None and form.is_valid()):
            try:
                loose = _link_source(request, event) if action == "source_link" \
                    else handlers[action](request, event, form)
            except ValidationFailed as exc:
                renames = {"count_min": "claim_min", "count_max": "claim_max",
                           "title": "source_title"} if action == "source_new" else {}
                loose = attach_problems(form, exc, renames) if form is not None else \
                    [problem_message(c, m) for ps in exc.fields.values() for c, m in ps]
            except PermissionDenied:
                raise Http404 from None
            except TemoinError as exc:
                loose = [exc.message]
            else:
                if not loose and (form is None or not form.errors):
                    return redirect(reverse("event-parties", args=[event.pk]))
    response = render(request, "web/event_parties.html", {
        "event": event, "acts": acts, "sources": sources, "forms": built, "loose": loose,
        "action": action or "", "credibilities": forms.Credibility.choices,
        "qualifiers": forms.ClaimQualifier.choices,
        "claims": selectors.event_claims(viewer=request.user, event=event)},
        status=400 if action else 200)
    response["Cache-Control"] = "no-store"
    return response


def _editable_source(request: HttpRequest, pk: int) -> Any:
    try:
        source = access.access_source_by_id(request.user, pk)
    except NotFound:
        raise Http404 from None
    if not _can_edit_source(request.user, source):
        raise Http404
    return source


@login_required
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A source's fields (versioned: every save is a new version), its history and revert."""
    source = _editable_source(request, pk)
    fields = ["source_type", "title", "origin", "reliability", "consent"]
    initial = {name: getattr(source, name) for name in fields}
    form = forms.SourceEditForm(request.POST or None, initial=initial)
    loose: list[str] = []
    if request.method == "GET" and source.confidentiality >= Confidentiality.RESTRICTED:
        with transaction.atomic():
            audit_record(actor=request.user, action="source.view", target=source)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial.get(k)}
        if sorted(form.cleaned_data["consent"]) == sorted(initial["consent"] or []):
            changes.pop("consent", None)
        elif "consent" in changes:
            changes["consent"] = list(changes["consent"])
        try:
            if changes:
                services.source_update(actor=_user(request), source=source, changes=changes,
                                       reason=request.POST.get("reason", ""))
        except ValidationFailed as exc:
            loose = attach_problems(form, exc)
        except PermissionDenied:
            raise Http404 from None
        except TemoinError as exc:
            loose = [exc.message]
        else:
            messages.success(request, _("Source enregistrée.") if changes
                             else _("Rien à enregistrer."))
            return redirect("source-edit", pk=source.pk)
    events = list(access.visible_events(request.user).filter(information__source=source)
                  .distinct().order_by("reference")[:50])
    response = render(request, "web/source_form.html", {
        "form": form, "source": source, "loose": loose, "events": events,
        "can_revert": policy.is_host_staff(request.user)
        and _user(request).role in ("administrator", "analyst"),
        "history": selectors.record_history(target_type="source", target_id=source.pk)},
        status=400 if request.method == "POST" else 200)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def source_revert(request: HttpRequest, pk: int) -> HttpResponse:
    source = _editable_source(request, pk)
    form = forms.RevertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez la version et la raison du retour."))
        return redirect(reverse("source-edit", args=[pk]) + "#historique")
    try:
        services.version_revert(actor=request.user, target_type="source", target_id=source.pk,
                                number=form.cleaned_data["number"],
                                reason=form.cleaned_data["reason"])
    except PermissionDenied:
        raise Http404 from None
    except TemoinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Version rétablie."))
    return redirect(reverse("source-edit", args=[pk]) + "#historique")
