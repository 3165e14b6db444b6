"""Errors of the intake app (all are ``temoin.errors`` errors, rendered in the one API shape)::

    TemoinError
    ├── ValidationFailed        a bad profile, option or upload (fields named)
    ├── Conflict
    │   └── IntakeFileRefused   intake.<core code>: the file cannot be read as that kind
    └── NotFound                batch / quarantined row missing or not visible
"""

from __future__ import annotations

from temoin.errors import Conflict


class IntakeFileRefused(Conflict):
    """The whole file was refused by the parser (wrong kind, empty, bad encoding…)."""

    code = "intake.file_refused"
    http_status = 400

    def __init__(self, message: str, *, core_code: str) -> None:
        super().__init__(message, code=f"intake.{core_code}")
        self.core_code = core_code


class GeodataMissing(Conflict):
    code = "intake.geodata_missing"
