"""Reading the key state."""

from __future__ import annotations

from dataclasses import dataclass

from temoin.core.sealing import KeyringRecord
from temoin.keys import keystore
from temoin.keys.errors import KeysNotInitialised
from temoin.keys.models import Keyring


@dataclass(frozen=True)
class KeyStatus:
    initialised: bool
    sealed: bool
    key_id: str | None
    retired_key_ids: list[str]


def active_keyring() -> KeyringRecord:
    row = Keyring.objects.filter(active=True).first()
    if row is None:
        raise KeysNotInitialised("Aucune clé d'organisation : lancez `temoin keys init`.")
    return KeyringRecord.from_dict(row.record)


def keys_status() -> KeyStatus:
    row = Keyring.objects.filter(active=True).first()
    unsealed = keystore.unsealed_keys()
    return KeyStatus(
        initialised=row is not None,
        sealed=unsealed is None or row is None or unsealed.key_id != row.key_id,
        key_id=row.key_id if row else None,
        retired_key_ids=list(
            Keyring.objects.filter(active=False).values_list("key_id", flat=True)
        ),
    )
