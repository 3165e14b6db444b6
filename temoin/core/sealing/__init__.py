"""Sealed identities: witnesses' names must survive seizure of the server.

The organisation holds an X25519 key pair.  Its private half (with the blind-index
key) is stored only encrypted under a custodian passphrase (Argon2id) and lives in
memory only while "unsealed".  Identities are sealed with per-record data keys
wrapped to the public key, so anyone may *write* while sealed; only unsealed keys
*read*.  Equality search works through keyed blind indexes; k-of-n SLIP-39 shares
recover the secrets if the passphrase is lost.

Modules: :mod:`.keyring` (records, unseal, rotation), :mod:`.identities` (blobs),
:mod:`.blindindex`, :mod:`.recovery`, :mod:`.holder` (process-wide unsealed
state), :mod:`.errors`.  Design: docs/readme/sealing.md.
"""

from __future__ import annotations

from temoin.core.sealing.blindindex import INDEX_VERSION, blind_index, normalise_for_index
from temoin.core.sealing.errors import (
    InvalidInput,
    RecoveryFailed,
    SealedError,
    SealingError,
    Tampered,
    WrongKey,
    WrongPassphrase,
)
from temoin.core.sealing.holder import KeyHolder
from temoin.core.sealing.identities import (
    IdentityValue,
    blob_key_id,
    open_identity,
    rewrap_identity,
    seal_identity,
)
from temoin.core.sealing.keyring import (
    MIN_PASSPHRASE_LENGTH,
    KeyringRecord,
    UnsealedKeys,
    change_passphrase,
    fingerprint,
    generate_keyring,
    keys_from_secret,
    rotate_keyring,
    unseal,
)
from temoin.core.sealing.recovery import recover_keys, split_keys

__all__ = [
    "INDEX_VERSION",
    "MIN_PASSPHRASE_LENGTH",
    "IdentityValue",
    "InvalidInput",
    "KeyHolder",
    "KeyringRecord",
    "RecoveryFailed",
    "SealedError",
    "SealingError",
    "Tampered",
    "UnsealedKeys",
    "WrongKey",
    "WrongPassphrase",
    "blind_index",
    "blob_key_id",
    "change_passphrase",
    "fingerprint",
    "generate_keyring",
    "keys_from_secret",
    "normalise_for_index",
    "open_identity",
    "recover_keys",
    "rewrap_identity",
    "rotate_keyring",
    "seal_identity",
    "split_keys",
    "unseal",
]
