"""Errors of the key-management domain."""

from temoin.errors import Conflict, PermissionDenied, TemoinError


class KeysNotInitialised(Conflict):
    code = "keys.not_initialised"


class KeysAlreadyInitialised(Conflict):
    code = "keys.already_initialised"


class IdentitiesSealed(Conflict):
    code = "keys.sealed"


class WrongPassphrase(PermissionDenied):
    code = "keys.wrong_passphrase"


class RecoveryFailed(TemoinError):
    code = "keys.recovery_failed"
