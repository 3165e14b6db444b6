"""Errors of the evidence vault.

Exception tree (each class has a stable ``code``)::

    VaultError                        vault.error
    ├── EmptyInputError               vault.empty_input
    ├── ItemNotFoundError             vault.item_not_found
    ├── ItemShreddedError             vault.item_shredded
    ├── DerivativesExistError         vault.derivatives_exist
    ├── IntegrityError                vault.integrity_failed
    │   └── DecryptionError           vault.decryption_failed
    ├── StorageError                  vault.storage_failed
    │   └── StorageFullError          vault.storage_full
    └── KeyWrapError                  vault.key_wrap_failed

Messages name the item by its SHA-256 and the stored object concerned; they never carry file
contents, file names or personal data.
"""

from __future__ import annotations

__all__ = [
    "DecryptionError",
    "EmptyInputError",
    "IntegrityError",
    "ItemNotFoundError",
    "ItemShreddedError",
    "DerivativesExistError",
    "KeyWrapError",
    "StorageError",
    "StorageFullError",
    "VaultError",
]


class VaultError(Exception):
    """Base class of every error raised by ``temoin.core.vault``."""

    code = "vault.error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptyInputError(VaultError):
    """The received file has zero bytes: there is nothing to preserve."""

    code = "vault.empty_input"


class ItemNotFoundError(VaultError):
    """No item with this SHA-256 was ever ingested."""

    code = "vault.item_not_found"


class ItemShreddedError(VaultError):
    """The item's data key was destroyed; its content is gone for good."""

    code = "vault.item_shredded"


class DerivativesExistError(VaultError):
    """Shredding an original that still has working copies, without ``with_derivatives``."""

    code = "vault.derivatives_exist"

    def __init__(self, message: str, *, item: str, derivatives: tuple[str, ...]) -> None:
        super().__init__(message)
        self.item = item
        self.derivatives = derivatives


class IntegrityError(VaultError):
    """Stored bytes do not match the hashes recorded at ingest."""

    code = "vault.integrity_failed"


class DecryptionError(IntegrityError):
    """Authenticated decryption failed: the ciphertext or its key was altered."""

    code = "vault.decryption_failed"


class StorageError(VaultError):
    """The storage backend failed to read or write an object."""

    code = "vault.storage_failed"


class StorageFullError(StorageError):
    """The storage backend ran out of space during a write."""

    code = "vault.storage_full"


class KeyWrapError(VaultError):
    """The organisation key could not wrap or unwrap a data key."""

    code = "vault.key_wrap_failed"
