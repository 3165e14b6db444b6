"""Sign-in in two steps: password (django-axes counts failures), then a TOTP code for the
roles that require one — with a device setup page on the first sign-in. No session is
opened for those roles until the code is right."""

from __future__ import annotations

import io

import segno
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from temoin.accounts.models import User
from temoin.web import signin
from temoin.web.forms import TokenForm
from temoin.web.middleware import requires_otp

PENDING = "web.pending_user"
NEXT = "web.next"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next(request: HttpRequest) -> str:
    target = request.session.pop(NEXT, "") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return "/"


def sign_in(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        request.session.cycle_key()
        request.session[NEXT] = request.POST.get("next") or request.GET.get("next", "")
        if requires_otp(user):
            request.session[PENDING] = user.pk
            return redirect("otp-verify")
        login(request, user, backend=BACKEND)
        return redirect(_next(request))
    return render(request, "web/login.html", {
        "form": form, "next": request.GET.get("next", ""),
        "expired": "expire" in request.GET})


def _pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING)
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def _finish(request: HttpRequest, user: User, device: object) -> HttpResponse:
    target = request.session.get(NEXT, "")
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)
    otp_login(request, device)
    request.session[NEXT] = target
    return redirect(_next(request))


def otp_verify(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("login")
    device = signin.confirmed_device(user)
    if device is None:
        return redirect("otp-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if signin.token_check(device, form.cleaned_data["token"]):
            return _finish(request, user, device)
        form.add_error("token", _("Code incorrect ou expiré."))
    return render(request, "web/otp_verify.html", {"form": form})


def otp_setup(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("login")
    if signin.confirmed_device(user) is not None:
        return redirect("otp-verify")
    device = signin.device_for_setup(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if signin.device_confirm(user=user, device=device, token=form.cleaned_data["token"]):
            return _finish(request, user, device)
        form.add_error("token", _("Code incorrect : vérifiez l'heure de l'appareil."))
    response = render(request, "web/otp_setup.html", {
        "form": form, "secret": signin.secret_base32(device)})
    response["Cache-Control"] = "no-store"
    return response


def otp_qr(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    device = signin.device_for_setup(user) if user is not None and \
        signin.confirmed_device(user) is None else None
    if device is None:
        return HttpResponse(status=404)
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=4, border=2,
                                                  xmldecl=False)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response
