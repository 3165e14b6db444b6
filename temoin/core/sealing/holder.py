"""A process-wide, thread-safe place for the unsealed keys.

The web process keeps at most one :class:`UnsealedKeys` here after a custodian
unseals.  Everything that reads identities asks the holder and gets
:class:`SealedError` (``keys.sealed``) while sealed, so "sealed" is one state
with one error, not a ``None`` check scattered through the code.  ``seal()``
wipes the keys.  Optionally the holder seals itself after ``max_unsealed_seconds``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from temoin.core.sealing.errors import SealedError, WrongKey
from temoin.core.sealing.keyring import KeyringRecord, UnsealedKeys, unseal

__all__ = ["KeyHolder"]


class KeyHolder:
    """Holds the unsealed keys of one keyring, or nothing."""

    def __init__(
        self,
        *,
        max_unsealed_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._keys: UnsealedKeys | None = None
        self._unsealed_at = 0.0
        self._max = max_unsealed_seconds
        self._clock = clock

    def unseal(self, record: KeyringRecord, passphrase: str) -> str:
        """Unseal ``record`` with the custodian passphrase; returns the key id."""
        keys = unseal(record, passphrase)
        self.put(keys)
        return keys.key_id

    def put(self, keys: UnsealedKeys) -> None:
        """Install already unsealed keys (e.g. from ``recover_keys``); wipes previous ones."""
        if keys.is_wiped:
            raise WrongKey(None, f"keys {keys.key_id} are wiped")
        with self._lock:
            if self._keys is not None and self._keys is not keys:
                self._keys.wipe()
            self._keys = keys
            self._unsealed_at = self._clock()

    def seal(self) -> None:
        """Wipe and forget the keys (idempotent)."""
        with self._lock:
            if self._keys is not None:
                self._keys.wipe()
            self._keys = None

    @property
    def keys(self) -> UnsealedKeys:
        """The unsealed keys, or :class:`SealedError`."""
        with self._lock:
            if self._keys is not None and self._expired():
                self._keys.wipe()
                self._keys = None
            if self._keys is None:
                raise SealedError(None, "identities are sealed: a custodian must unseal the keys")
            return self._keys

    @property
    def is_unsealed(self) -> bool:
        try:
            _ = self.keys
        except SealedError:
            return False
        return True

    def _expired(self) -> bool:
        return self._max is not None and self._clock() - self._unsealed_at > self._max
