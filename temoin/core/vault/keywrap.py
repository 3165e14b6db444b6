"""The key-wrapping interface between the vault and the organisation key.

Each item has its own random 256-bit data key; the vault stores it only *wrapped* by the
organisation key.  ``temoin.core.sealing`` provides the production implementation (X25519
sealed boxes: wrapping needs only the public key, so an intake server can store evidence it
cannot read back).  The vault depends on nothing but this protocol.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["KeyWrapper"]


@runtime_checkable
class KeyWrapper(Protocol):
    """Wraps and unwraps per-item data keys with the organisation key."""

    def wrap(self, data_key: bytes) -> bytes:
        """Return ``data_key`` encrypted to the organisation key."""
        ...

    def unwrap(self, wrapped: bytes) -> bytes:
        """Return the data key; raise if it was not wrapped for this organisation or was altered."""
        ...
