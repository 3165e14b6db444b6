"""The unsealed keys, in this process's memory only — never on disk, never in the database."""

from __future__ import annotations

import threading

from temoin.core.sealing import UnsealedKeys

_lock = threading.Lock()
_unsealed: UnsealedKeys | None = None


def unsealed_keys() -> UnsealedKeys | None:
    return _unsealed


def keep(keys: UnsealedKeys) -> None:
    global _unsealed
    with _lock:
        if _unsealed is not None and _unsealed is not keys:
            _unsealed.wipe()
        _unsealed = keys


def forget() -> None:
    global _unsealed
    with _lock:
        if _unsealed is not None:
            _unsealed.wipe()
        _unsealed = None
