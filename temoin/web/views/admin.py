"""Administration pages (administrators only): users and roles, partner sharing, vocabularies,
keys (seal / unseal) and audit search. Everyone else gets the same 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from temoin.accounts import services as accounts
from temoin.accounts.models import Organisation, OrganisationKind, Role, User
from temoin.audit.selectors import audit_search, audit_verify
from temoin.cases import policy
from temoin.cases.models import EventShare, Term
from temoin.cases.services import term_create
from temoin.errors import TemoinError, ValidationFailed
from temoin.keys import services as keys
from temoin.keys.selectors import keys_status
from temoin.web import vocab


def administrators_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.can_administer(request.user):
            raise Http404
        return view(request, *args, **kwargs)
    return wrapper


def _report(request: HttpRequest, exc: TemoinError) -> None:
    if isinstance(exc, ValidationFailed):
        for field, problems in exc.fields.items():
            for _code, message in problems:
                messages.error(request, f"{field} : {message}")
    else:
        messages.error(request, exc.message)


class UserForm(djforms.Form):
    username = djforms.CharField(label=gettext_lazy("Identifiant"), max_length=150)
    password = djforms.CharField(label=gettext_lazy("Mot de passe initial"), min_length=10,
                                 widget=djforms.PasswordInput)
    organisation = djforms.ModelChoiceField(label=gettext_lazy("Organisation"),
                                            queryset=Organisation.objects.order_by("short_name"))
    role = djforms.ChoiceField(label=gettext_lazy("Rôle"), choices=Role.choices)


class OrganisationForm(djforms.Form):
    name = djforms.CharField(label=gettext_lazy("Nom"), max_length=200)
    short_name = djforms.CharField(label=gettext_lazy("Sigle"), max_length=40)
    kind = djforms.ChoiceField(label=gettext_lazy("Type"), choices=OrganisationKind.choices)


@administrators_only
def users(request: HttpRequest) -> HttpResponse:
    org_form = OrganisationForm(request.POST if "org-short_name" in request.POST else None,
                                prefix="org")
    if "org-short_name" in request.POST and org_form.is_valid():
        try:
            accounts.organisation_create(actor=request.user, is_host=False,
                                         **org_form.cleaned_data)
        except TemoinError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Organisation partenaire créée."))
        return redirect("admin-users")
    form = UserForm(request.POST if "username" in request.POST else None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.user_create(actor=request.user, **form.cleaned_data)
        except TemoinError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Utilisateur créé."))
            return redirect("admin-users")
    return render(request, "web/admin/users.html", {
        "users": User.objects.select_related("organisation").order_by("username"),
        "roles": Role.choices, "form": form, "org_form": org_form,
        "organisations": Organisation.objects.order_by("-is_host", "short_name")})


@administrators_only
@require_POST
def user_change(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    try:
        if request.POST.get("deactivate"):
            accounts.user_deactivate(actor=request.user, user=user,
                                     reason=request.POST.get("reason", ""))
        else:
            accounts.user_set_role(actor=request.user, user=user,
                                   role=request.POST.get("role", ""))
    except TemoinError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Utilisateur modifié."))
    return redirect("admin-users")


@administrators_only
def sharing(request: HttpRequest) -> HttpResponse:
    shares = EventShare.objects.select_related("event", "organisation", "shared_by") \
        .order_by("-shared_at")
    return render(request, "web/admin/sharing.html", {
        "page": Paginator(shares, 100).get_page(request.GET.get("page")),
        "partners": Organisation.objects.filter(is_host=False).order_by("short_name")})


class TermForm(djforms.Form):
    vocabulary = djforms.ChoiceField(label=gettext_lazy("Vocabulaire"))
    code = djforms.CharField(label=gettext_lazy("Code"), max_length=80)
    parent_code = djforms.CharField(label=gettext_lazy("Terme parent (code)"), required=False)
    label_fr = djforms.CharField(label=gettext_lazy("Libellé (français)"), max_length=300)
    label_en = djforms.CharField(label=gettext_lazy("Libellé (anglais)"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = Term.objects.values_list("vocabulary", flat=True).distinct().order_by(
            "vocabulary")
        self.fields["vocabulary"].choices = [(n, n) for n in names]


@administrators_only
def vocabularies(request: HttpRequest) -> HttpResponse:
    form = TermForm(request.POST or None, initial={"vocabulary": request.GET.get("v")})
    if request.method == "POST" and form.is_valid():
        try:
            term_create(actor=request.user, **form.cleaned_data)
        except TemoinError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Terme ajouté."))
            return redirect(f"{request.path}?v={form.cleaned_data['vocabulary']}")
    name = request.GET.get("v") or "act_types"
    return render(request, "web/admin/vocabularies.html", {
        "form": form, "vocabulary": name, "terms": vocab.term_choices(name, blank=False),
        "names": form.fields["vocabulary"].choices})


@administrators_only
def keys_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            if request.POST.get("action") == "seal":
                keys.keys_seal(actor=request.user)
                messages.success(request, _("Clés scellées : les identités sont illisibles."))
            else:
                keys.keys_unseal(actor=request.user,
                                 passphrase=request.POST.get("passphrase", ""))
                messages.success(request, _("Clés descellées."))
        except TemoinError as exc:
            _report(request, exc)
        return redirect("admin-keys")
    response = render(request, "web/admin/keys.html", {"status": keys_status()})
    response["Cache-Control"] = "no-store"
    return response


@administrators_only
def audit(request: HttpRequest) -> HttpResponse:
    actor = User.objects.filter(username=request.GET.get("actor", "")).first()
    entries = audit_search(action=request.GET.get("action") or None,
                           target_type=request.GET.get("target_type") or None,
                           target_id=request.GET.get("target_id") or None,
                           actor_id=actor.pk if actor else None)
    if request.GET.get("actor") and actor is None:
        entries = entries.none()
    verdict = audit_verify() if request.GET.get("verify") else None
    return render(request, "web/admin/audit.html", {
        "page": Paginator(entries, 100).get_page(request.GET.get("page")),
        "params": request.GET, "verdict": verdict, "qs": _without_page(request)})


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
