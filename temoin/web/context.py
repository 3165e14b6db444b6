"""Template context shared by every page: seal state and what the viewer may do."""

from __future__ import annotations

from django.http import HttpRequest

from temoin.cases import policy
from temoin.intake.access import can_import
from temoin.keys.selectors import keys_status
from temoin.linkage.selectors import can_read as can_read_linkage


def web_context(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    status = keys_status()
    return {
        "sealed": status.sealed,
        "keys_initialised": status.initialised,
        "can_create": policy.can_create(user),
        "can_review": policy.can_review(user),
        "can_administer": policy.can_administer(user),
        "can_import": can_import(user),
        "can_read_linkage": can_read_linkage(user),
        "is_partner": policy.is_partner(user),
        "cercle_names": _cercle_names,  # called by the template only where a form needs it
    }


def _cercle_names() -> list[str]:
    from temoin.web.views.dashboard import cercle_names

    return cercle_names()
