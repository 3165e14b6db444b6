"""Who is acting from where: set once per request or command, read by ``audit_record``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    via: str = "code"
    ip: str = ""


_current: ContextVar[AuditContext] = ContextVar(
    "temoin_audit_context", default=AuditContext()  # noqa: B039 (frozen, immutable)
)


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def audit_context(*, via: str, ip: str = "") -> Iterator[None]:
    token = _current.set(AuditContext(via=via, ip=ip))
    try:
        yield
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Marks every web/API request with its channel and client address."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        via = "api" if request.path.startswith("/api/") else "web"
        with audit_context(via=via, ip=request.META.get("REMOTE_ADDR", "")):
            return self.get_response(request)
