"""Sign-in policy for the web pages: TOTP-verified sessions for the roles that require it,
and an idle timeout. The REST API (token auth) is left to its own authentication."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/connexion/", "/static/", "/public/", "/langue/", "/api/")
SEEN_KEY = "web.seen"


def requires_otp(user: object) -> bool:
    return getattr(user, "role", None) in settings.TEMOIN_OTP_ROLES


class SignInPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(("/static/", "/api/")):
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if seen is not None and now - int(seen) > settings.TEMOIN_IDLE_TIMEOUT:
                logout(request)
                return redirect(reverse("login") + "?expire=1")
            if seen is None or now - int(seen) > 60:  # write the session at most once a minute
                request.session[SEEN_KEY] = now
            if requires_otp(user) and not user.is_verified() \
                    and not request.path.startswith(EXEMPT_PREFIXES):
                logout(request)
                return redirect("login")
        return self.get_response(request)
