"""Errors of :mod:`temoin.core.sealing`.

Every error has a stable ``code`` and a human ``message``.  Messages name keys,
fields and record contexts, never identity values or secrets.

::

    SealingError                 keys.error (base; any code may be given)
     ├── SealedError             keys.sealed            keys are sealed / wiped
     ├── WrongPassphrase         keys.wrong_passphrase  custodian passphrase does not open the keyring
     ├── WrongKey                keys.wrong_key         blob or record belongs to another key pair
     ├── Tampered                keys.tampered          a blob or keyring failed authentication
     ├── RecoveryFailed          keys.recovery_failed   shares invalid / too few / do not match
     └── InvalidInput            keys.invalid           bad identity, weak passphrase, bad threshold …
"""

from __future__ import annotations

__all__ = [
    "InvalidInput",
    "RecoveryFailed",
    "SealedError",
    "SealingError",
    "Tampered",
    "WrongKey",
    "WrongPassphrase",
]


class SealingError(Exception):
    """Base of the sealing errors: ``SealingError(code, message)``."""

    default_code = "keys.error"

    def __init__(self, code: str | None = None, message: str = "") -> None:
        self.code = code or self.default_code
        self.message = message or self.code
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class SealedError(SealingError):
    default_code = "keys.sealed"


class WrongPassphrase(SealingError):
    default_code = "keys.wrong_passphrase"


class WrongKey(SealingError):
    default_code = "keys.wrong_key"


class Tampered(SealingError):
    default_code = "keys.tampered"


class RecoveryFailed(SealingError):
    default_code = "keys.recovery_failed"


class InvalidInput(SealingError):
    default_code = "keys.invalid"
