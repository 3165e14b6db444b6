"""One error shape for the whole API::

    {"error": {"code": "validation_failed", "message": "...", "record": "...",
               "fields": {"start": [{"code": "date.future", "message": "..."}]}}}
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from temoin.errors import TemoinError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TemoinError):
        return Response({"error": exc.as_dict()}, status=exc.http_status)
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field": exc.detail}
        body = {"code": "validation_failed", "message": "Requête invalide.",
                "fields": {k: [{"code": getattr(m, "code", "invalid"), "message": str(m)}
                               for m in (v if isinstance(v, list) else [v])]
                           for k, v in fields.items()}}
    else:
        detail = getattr(exc, "detail", str(exc))
        body = {"code": getattr(detail, "code", None) or exc.__class__.__name__.lower(),
                "message": str(detail)}
    response.data = {"error": body}
    return response
