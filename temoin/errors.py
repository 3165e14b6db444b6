"""The one error tree of Témoin's domain layer.

Every error a service, selector or access function raises derives from ``TemoinError`` and
carries a stable ``code`` and a human ``message``; validation errors also carry the record
and the fields at fault. The API renders every one of them in the same shape::

    TemoinError
    ├── NotFound            (missing *or* forbidden: the same answer for both)
    ├── PermissionDenied    (the viewer can see the record but may not do this)
    ├── ValidationFailed    (bad input; ``fields`` maps field → [(code, message)])
    ├── Conflict            (state does not allow it: e.g. identities sealed)
    └── IntegrityFailure    (tampering detected: audit chain, sealed blob)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class TemoinError(Exception):
    code = "temoin.error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message}


class NotFound(TemoinError):
    code = "not_found"
    http_status = 404


class PermissionDenied(TemoinError):
    code = "permission_denied"
    http_status = 403


class Conflict(TemoinError):
    code = "conflict"
    http_status = 409


class IntegrityFailure(TemoinError):
    code = "integrity_failure"
    http_status = 500


class ValidationFailed(TemoinError):
    """Bad input. ``record`` names what was being written; ``fields`` what was wrong with it."""

    code = "validation_failed"
    http_status = 400

    def __init__(
        self,
        *,
        record: str,
        fields: Mapping[str, Sequence[tuple[str, str]]],
    ) -> None:
        self.record = record
        self.fields = {name: list(problems) for name, problems in fields.items()}
        parts = [
            f"{name}: {message}" for name, problems in self.fields.items() for _, message in problems
        ]
        super().__init__(f"{record}: " + "; ".join(parts))

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "record": self.record,
            "fields": {
                name: [{"code": code, "message": message} for code, message in problems]
                for name, problems in self.fields.items()
            },
        }


class Problems:
    """Collects every problem of one record before raising, so the user sees them all at once."""

    def __init__(self, record: str) -> None:
        self.record = record
        self.fields: dict[str, list[tuple[str, str]]] = {}

    def add(self, field: str, code: str, message: str) -> None:
        self.fields.setdefault(field, []).append((code, message))

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(record=self.record, fields=self.fields)
