"""The organisation keyring: an X25519 key pair plus a blind-index key.

On disk (a database row or a JSON file) lives a :class:`KeyringRecord`: the public
key, its fingerprint (``key_id``) and ``sealed_secrets``, the private key and the
blind-index key encrypted under a key derived from the custodian passphrase with
Argon2id.  The usable secrets exist only in memory, in :class:`UnsealedKeys`,
after :func:`unseal`.

``sealed_secrets`` layout (version 1, all integers big-endian)::

    b"TMKS" | 0x01 | opslimit u32 | memlimit u64 | salt 16 | nonce 24 | AEAD(64) + tag 16

The 64 sealed bytes are ``private_key(32) || blind_index_key(32)``, encrypted with
XChaCha20-Poly1305 (libsodium's AEAD; SecretBox's cipher with associated data)
under ``Argon2id(passphrase, salt)``.  The associated data is the header plus the
public key, so editing the stored cost parameters, salt or public key is detected.
The Argon2id parameters are stored so they can be raised later without breaking
old records.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import struct
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final, NoReturn

import nacl.bindings as sodium
import nacl.exceptions
import nacl.pwhash.argon2id as argon2id
from nacl.public import PrivateKey

from temoin.core.sealing.errors import (
    InvalidInput,
    SealedError,
    Tampered,
    WrongKey,
    WrongPassphrase,
)

__all__ = [
    "MIN_PASSPHRASE_LENGTH",
    "KeyringRecord",
    "UnsealedKeys",
    "change_passphrase",
    "fingerprint",
    "generate_keyring",
    "rotate_keyring",
    "unseal",
]

MIN_PASSPHRASE_LENGTH: Final[int] = 12
KEYRING_MAGIC: Final[bytes] = b"TMKS"
KEYRING_FORMAT: Final[int] = 1
_HEADER: Final = struct.Struct(">4sBIQ16s")  # magic, format, opslimit, memlimit, salt
_SECRET_LENGTH: Final[int] = 64
_KEY_BYTES: Final[int] = sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
_NONCE_BYTES: Final[int] = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_TAG_BYTES: Final[int] = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
_SEALED_LENGTH: Final[int] = _HEADER.size + _NONCE_BYTES + _SECRET_LENGTH + _TAG_BYTES

# Default cost: libsodium "moderate" (3 passes, 256 MiB, about a second on a small
# server).  ``fast=True`` uses the minimum, for tests only.
DEFAULT_OPSLIMIT: Final[int] = argon2id.OPSLIMIT_MODERATE
DEFAULT_MEMLIMIT: Final[int] = argon2id.MEMLIMIT_MODERATE
FAST_OPSLIMIT: Final[int] = argon2id.OPSLIMIT_MIN
FAST_MEMLIMIT: Final[int] = argon2id.MEMLIMIT_MIN
# Refuse to run Argon2id with parameters outside these bounds (a tampered record
# must not make unseal allocate 4 TiB).
_MAX_OPSLIMIT: Final[int] = 4 * argon2id.OPSLIMIT_SENSITIVE
_MAX_MEMLIMIT: Final[int] = argon2id.MEMLIMIT_SENSITIVE


def fingerprint(public_key: bytes) -> str:
    """Key id of a public key: 16 hex characters of a domain-separated SHA-256."""
    _check_public_key(public_key)
    return hashlib.sha256(b"temoin.keyid.v1\x00" + public_key).hexdigest()[:16]


def _check_public_key(public_key: bytes) -> None:
    if not isinstance(public_key, bytes) or len(public_key) != 32:
        raise InvalidInput(None, "an X25519 public key is 32 bytes")


@dataclass(frozen=True)
class KeyringRecord:
    """What is stored: public key, fingerprint and passphrase-sealed secrets."""

    key_id: str
    public_key: bytes
    sealed_secrets: bytes
    created_at: str
    version: int

    def __post_init__(self) -> None:
        _check_public_key(self.public_key)
        if fingerprint(self.public_key) != self.key_id:
            raise Tampered(
                None, f"keyring {self.key_id!r}: key_id is not the public key's fingerprint"
            )
        if not isinstance(self.sealed_secrets, bytes) or len(self.sealed_secrets) != _SEALED_LENGTH:
            raise Tampered(None, f"keyring {self.key_id}: sealed_secrets has the wrong length")
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise InvalidInput(None, f"keyring {self.key_id}: version must be an int >= 1")

    def to_dict(self) -> dict[str, str | int]:
        """JSON-ready form; bytes as standard base64."""
        return {
            "key_id": self.key_id,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "sealed_secrets": base64.b64encode(self.sealed_secrets).decode("ascii"),
            "created_at": self.created_at,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeyringRecord:
        try:
            key_id = data["key_id"]
            public_key = base64.b64decode(data["public_key"], validate=True)
            sealed = base64.b64decode(data["sealed_secrets"], validate=True)
            created_at = data["created_at"]
            version = data["version"]
        except KeyError as exc:
            raise InvalidInput(None, f"keyring record is missing field {exc.args[0]!r}") from exc
        except (binascii.Error, TypeError, ValueError) as exc:
            raise InvalidInput(None, "keyring record has a field that is not base64") from exc
        if not isinstance(key_id, str) or not isinstance(created_at, str):
            raise InvalidInput(None, "keyring record key_id and created_at must be strings")
        return cls(key_id, public_key, sealed, created_at, version)


class UnsealedKeys:
    """The secrets, in memory only.  Never pickled, never printed.

    ``wipe()`` drops and overwrites what Python lets us overwrite (the blind-index
    key is held in a ``bytearray``); the private key object is immutable, so
    wiping is best effort: the process should also be short-lived after sealing.
    """

    __slots__ = ("key_id", "version", "_private_key", "_blind_index_key")

    def __init__(
        self,
        *,
        key_id: str,
        private_key: PrivateKey,
        blind_index_key: bytes,
        version: int = 1,
    ) -> None:
        if len(blind_index_key) != 32:
            raise InvalidInput(None, "the blind-index key is 32 bytes")
        if fingerprint(bytes(private_key.public_key)) != key_id:
            raise WrongKey(None, f"private key does not match key id {key_id}")
        self.key_id = key_id
        self.version = version
        self._private_key: PrivateKey | None = private_key
        self._blind_index_key = bytearray(blind_index_key)

    @property
    def private_key(self) -> PrivateKey:
        if self._private_key is None:
            raise SealedError(None, f"keys {self.key_id} have been wiped: unseal again")
        return self._private_key

    @property
    def blind_index_key(self) -> bytes:
        if self._private_key is None:
            raise SealedError(None, f"keys {self.key_id} have been wiped: unseal again")
        return bytes(self._blind_index_key)

    @property
    def public_key(self) -> bytes:
        return bytes(self.private_key.public_key)

    @property
    def is_wiped(self) -> bool:
        return self._private_key is None

    def wipe(self) -> None:
        for index in range(len(self._blind_index_key)):
            self._blind_index_key[index] = 0
        self._private_key = None

    def __repr__(self) -> str:
        state = "wiped" if self.is_wiped else "unsealed"
        return f"UnsealedKeys(key_id={self.key_id!r}, version={self.version}, {state})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("UnsealedKeys cannot be pickled: secrets stay in memory")


def _normalise_passphrase(passphrase: str) -> bytes:
    if not isinstance(passphrase, str):
        raise InvalidInput(None, "the passphrase must be text")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _check_new_passphrase(passphrase: str) -> bytes:
    encoded = _normalise_passphrase(passphrase)
    if len(unicodedata.normalize("NFC", passphrase).strip()) < MIN_PASSPHRASE_LENGTH:
        raise InvalidInput(
            "keys.weak_passphrase",
            f"custodian passphrases need at least {MIN_PASSPHRASE_LENGTH} characters",
        )
    return encoded


def _seal_secrets(secret: bytes, passphrase: bytes, public_key: bytes, *, fast: bool) -> bytes:
    opslimit = FAST_OPSLIMIT if fast else DEFAULT_OPSLIMIT
    memlimit = FAST_MEMLIMIT if fast else DEFAULT_MEMLIMIT
    salt = secrets.token_bytes(argon2id.SALTBYTES)
    key = argon2id.kdf(_KEY_BYTES, passphrase, salt, opslimit=opslimit, memlimit=memlimit)
    header = _HEADER.pack(KEYRING_MAGIC, KEYRING_FORMAT, opslimit, memlimit, salt)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        secret, header + public_key, nonce, key
    )
    return header + nonce + sealed


def _open_secrets(record: KeyringRecord, passphrase: bytes) -> bytes:
    sealed = record.sealed_secrets
    magic, fmt, opslimit, memlimit, salt = _HEADER.unpack_from(sealed)
    if magic != KEYRING_MAGIC or fmt != KEYRING_FORMAT:
        raise Tampered(None, f"keyring {record.key_id}: unknown sealed-secrets format")
    if not (
        FAST_OPSLIMIT <= opslimit <= _MAX_OPSLIMIT and FAST_MEMLIMIT <= memlimit <= _MAX_MEMLIMIT
    ):
        raise Tampered(None, f"keyring {record.key_id}: Argon2id parameters out of bounds")
    key = argon2id.kdf(_KEY_BYTES, passphrase, salt, opslimit=opslimit, memlimit=memlimit)
    nonce = sealed[_HEADER.size : _HEADER.size + _NONCE_BYTES]
    try:
        return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            sealed[_HEADER.size + _NONCE_BYTES :],
            sealed[: _HEADER.size] + record.public_key,
            nonce,
            key,
        )
    except nacl.exceptions.CryptoError:
        raise WrongPassphrase(
            None,
            f"the passphrase does not open keyring {record.key_id} "
            "(or its sealed secrets were altered)",
        ) from None


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _new_record(
    private_key: PrivateKey,
    blind_index_key: bytes,
    passphrase: str,
    *,
    fast: bool,
    version: int,
    created_at: str | None,
) -> tuple[KeyringRecord, UnsealedKeys]:
    encoded = _check_new_passphrase(passphrase)
    public_key = bytes(private_key.public_key)
    key_id = fingerprint(public_key)
    sealed = _seal_secrets(bytes(private_key) + blind_index_key, encoded, public_key, fast=fast)
    record = KeyringRecord(key_id, public_key, sealed, created_at or _now(), version)
    keys = UnsealedKeys(
        key_id=key_id, private_key=private_key, blind_index_key=blind_index_key, version=version
    )
    return record, keys


def generate_keyring(
    passphrase: str, *, fast: bool = False, created_at: str | None = None
) -> tuple[KeyringRecord, UnsealedKeys]:
    """New organisation keyring sealed under ``passphrase`` (>= 12 characters)."""
    return _new_record(
        PrivateKey.generate(),
        secrets.token_bytes(32),
        passphrase,
        fast=fast,
        version=1,
        created_at=created_at,
    )


def unseal(record: KeyringRecord, passphrase: str) -> UnsealedKeys:
    """Open the keyring with the custodian passphrase (Argon2id cost read from the record)."""
    secret = _open_secrets(record, _normalise_passphrase(passphrase))
    private_key = PrivateKey(secret[:32])
    if bytes(private_key.public_key) != record.public_key:
        raise Tampered(
            None, f"keyring {record.key_id}: sealed private key does not match its public key"
        )
    return UnsealedKeys(
        key_id=record.key_id,
        private_key=private_key,
        blind_index_key=secret[32:],
        version=record.version,
    )


def change_passphrase(
    record: KeyringRecord, keys: UnsealedKeys, new_passphrase: str, *, fast: bool = False
) -> KeyringRecord:
    """Same keys, sealed under a new passphrase (new salt).  The old record stays valid
    for whoever keeps a copy of it: delete old copies and backups per the key policy."""
    if keys.key_id != record.key_id or keys.public_key != record.public_key:
        raise WrongKey(
            None, f"unsealed keys {keys.key_id} do not belong to keyring {record.key_id}"
        )
    sealed = _seal_secrets(
        bytes(keys.private_key) + keys.blind_index_key,
        _check_new_passphrase(new_passphrase),
        record.public_key,
        fast=fast,
    )
    return replace(record, sealed_secrets=sealed)


def rotate_keyring(
    old: UnsealedKeys, passphrase: str, *, fast: bool = False, created_at: str | None = None
) -> tuple[KeyringRecord, UnsealedKeys]:
    """New X25519 pair, SAME blind-index key (blind indexes stay valid), version + 1.

    Afterwards re-wrap every identity blob with ``rewrap_identity`` and re-split the
    recovery shares: old shares recover the old private key only.
    """
    return _new_record(
        PrivateKey.generate(),
        old.blind_index_key,
        passphrase,
        fast=fast,
        version=old.version + 1,
        created_at=created_at,
    )


def keys_from_secret(record: KeyringRecord, secret: bytes) -> UnsealedKeys:
    """UnsealedKeys from ``private(32) || blind(32)``, checked against ``record``."""
    if len(secret) != _SECRET_LENGTH:
        raise InvalidInput(None, f"a keyring secret is {_SECRET_LENGTH} bytes")
    private_key = PrivateKey(secret[:32])
    if bytes(private_key.public_key) != record.public_key:
        raise WrongKey(None, f"the secret does not match keyring {record.key_id}")
    return UnsealedKeys(
        key_id=record.key_id,
        private_key=private_key,
        blind_index_key=secret[32:],
        version=record.version,
    )
