"""Sealed identity blobs: envelope encryption to the organisation public key.

Each identity (names, aliases, contacts, exact address, identifying notes) gets its
own random 32-byte data key.  The identity JSON is padded (64-byte blocks, so the
blob length only loosely reflects the name length) and encrypted with
XChaCha20-Poly1305; the data key is wrapped with a libsodium sealed box to the
organisation's X25519 public key.  Sealing needs only the public key, so monitors
can record witnesses while the server is sealed; opening needs the unsealed keys.

Blob layout (version 1)::

    b"TMID" | 0x01 | key_id 8 | SealedBox(data_key 32 || key_id 8)  (88 bytes)
            | nonce 24 | XChaCha20-Poly1305(padded JSON) (+16 tag)

The AEAD's associated data is ``b"temoin.identity.v1\\x00" + context``: pass the
record's stable id (e.g. ``"person:4f1c…"``) as ``context`` so that a blob copied
onto another record fails to open.  The key id is repeated inside the wrapped key,
so any edit of the header is detected.  Key rotation re-wraps the 88-byte data-key
part only; the ciphertext is untouched.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Final

import nacl.bindings as sodium
import nacl.exceptions
from nacl.public import PublicKey, SealedBox

from temoin.core.sealing.errors import InvalidInput, SealedError, Tampered, WrongKey
from temoin.core.sealing.keyring import UnsealedKeys, fingerprint

__all__ = [
    "IdentityValue",
    "blob_key_id",
    "open_identity",
    "rewrap_identity",
    "seal_identity",
]

IdentityValue = str | int | None

BLOB_MAGIC: Final[bytes] = b"TMID"
BLOB_FORMAT: Final[int] = 1
_KEY_ID_BYTES: Final[int] = 8
_DATA_KEY_BYTES: Final[int] = sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
_NONCE_BYTES: Final[int] = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_TAG_BYTES: Final[int] = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES
_WRAPPED_BYTES: Final[int] = sodium.crypto_box_SEALBYTES + _DATA_KEY_BYTES + _KEY_ID_BYTES
_HEADER_BYTES: Final[int] = len(BLOB_MAGIC) + 1 + _KEY_ID_BYTES
_MIN_BLOB: Final[int] = _HEADER_BYTES + _WRAPPED_BYTES + _NONCE_BYTES + _TAG_BYTES
_PAD_BLOCK: Final[int] = 64
MAX_IDENTITY_BYTES: Final[int] = 64 * 1024
_AD_PREFIX: Final[bytes] = b"temoin.identity.v1\x00"


def _key_id_bytes(key_id: str) -> bytes:
    try:
        raw = bytes.fromhex(key_id)
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != _KEY_ID_BYTES or raw.hex() != key_id:
        raise InvalidInput(None, f"key id {key_id!r} is not 16 lowercase hex characters")
    return raw


def _associated_data(context: str) -> bytes:
    if not isinstance(context, str):
        raise InvalidInput(None, "context must be a string (e.g. 'person:<uuid>')")
    try:
        return _AD_PREFIX + context.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(None, "context contains invalid Unicode (lone surrogate)") from None


def _identity_json(identity: Mapping[str, IdentityValue]) -> bytes:
    if not isinstance(identity, Mapping):
        raise InvalidInput(None, "an identity is a mapping of field name to value")
    for field, value in identity.items():
        if not isinstance(field, str) or not field or len(field) > 64:
            raise InvalidInput(
                None, "identity field names are non-empty strings of <= 64 characters"
            )
        if isinstance(value, bool) or not (value is None or isinstance(value, str | int)):
            raise InvalidInput(
                None,
                f"identity field {field!r} must be text, an integer or None, "
                f"not {type(value).__name__}",
            )
    data = json.dumps(dict(identity), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        encoded = data.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            None, "an identity field contains invalid Unicode (lone surrogate)"
        ) from None
    if len(encoded) > MAX_IDENTITY_BYTES:
        raise InvalidInput(None, f"identity is larger than {MAX_IDENTITY_BYTES} bytes")
    return encoded


def seal_identity(
    public_key: bytes, identity: Mapping[str, IdentityValue], *, key_id: str, context: str = ""
) -> bytes:
    """Encrypt ``identity`` to the organisation public key.  Needs no secret."""
    if fingerprint(public_key) != key_id:
        raise WrongKey(None, f"key id {key_id!r} is not the fingerprint of this public key")
    key_id_raw = _key_id_bytes(key_id)
    plaintext = sodium.sodium_pad(_identity_json(identity), _PAD_BLOCK)
    data_key = secrets.token_bytes(_DATA_KEY_BYTES)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plaintext, _associated_data(context), nonce, data_key
    )
    wrapped = SealedBox(PublicKey(public_key)).encrypt(data_key + key_id_raw)
    return BLOB_MAGIC + bytes([BLOB_FORMAT]) + key_id_raw + wrapped + nonce + ciphertext


def blob_key_id(blob: bytes) -> str:
    """Key id a blob is sealed to (no secret needed; useful to track rotation)."""
    _check_header(blob)
    return blob[len(BLOB_MAGIC) + 1 : _HEADER_BYTES].hex()


def _check_header(blob: bytes) -> None:
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise Tampered(None, "a sealed identity is bytes")
    if len(blob) < _MIN_BLOB or bytes(blob[: len(BLOB_MAGIC)]) != BLOB_MAGIC:
        raise Tampered(None, "not a Témoin sealed identity (bad magic or too short)")
    if blob[len(BLOB_MAGIC)] != BLOB_FORMAT:
        raise Tampered(None, f"unknown sealed identity format {blob[len(BLOB_MAGIC)]}")


def _require_keys(keys: UnsealedKeys | None) -> UnsealedKeys:
    if keys is None or keys.is_wiped:
        raise SealedError(None, "identities are sealed: a custodian must unseal the keys")
    return keys


def _unwrap(keys: UnsealedKeys, blob: bytes) -> bytes:
    """Return the data key, checking the header against the wrapped key id."""
    blob = bytes(blob)
    _check_header(blob)
    header_key_id = blob[len(BLOB_MAGIC) + 1 : _HEADER_BYTES]
    wrapped = blob[_HEADER_BYTES : _HEADER_BYTES + _WRAPPED_BYTES]
    try:
        inner = SealedBox(keys.private_key).decrypt(wrapped)
    except nacl.exceptions.CryptoError:
        if header_key_id.hex() != keys.key_id:
            raise WrongKey(
                None, f"identity sealed to key {header_key_id.hex()}, unsealed key is {keys.key_id}"
            ) from None
        raise Tampered(None, f"sealed identity (key {keys.key_id}) failed authentication") from None
    data_key, inner_key_id = inner[:_DATA_KEY_BYTES], inner[_DATA_KEY_BYTES:]
    if inner_key_id != header_key_id or inner_key_id.hex() != keys.key_id:
        raise Tampered(
            None, f"sealed identity header does not match its wrapped key id ({keys.key_id})"
        )
    return data_key


def _decrypt(data_key: bytes, blob: bytes, context: str, key_id: str) -> bytes:
    body = bytes(blob[_HEADER_BYTES + _WRAPPED_BYTES :])
    nonce, ciphertext = body[:_NONCE_BYTES], body[_NONCE_BYTES:]
    try:
        padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            ciphertext, _associated_data(context), nonce, data_key
        )
        return sodium.sodium_unpad(padded, _PAD_BLOCK)
    except nacl.exceptions.CryptoError:
        raise Tampered(
            None, f"sealed identity (key {key_id}) failed authentication: altered, or wrong context"
        ) from None


def open_identity(
    keys: UnsealedKeys | None, blob: bytes, *, context: str = ""
) -> dict[str, IdentityValue]:
    """Decrypt a blob made by :func:`seal_identity` (same ``context``)."""
    keys = _require_keys(keys)
    data_key = _unwrap(keys, blob)
    plaintext = _decrypt(data_key, blob, context, keys.key_id)
    try:
        value = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:  # authenticated yet not ours
        raise Tampered(None, f"sealed identity (key {keys.key_id}) holds no identity JSON") from exc
    if not isinstance(value, dict):
        raise Tampered(None, f"sealed identity (key {keys.key_id}) holds no identity object")
    return value


def rewrap_identity(
    blob: bytes,
    old: UnsealedKeys,
    new_public_key: bytes,
    new_key_id: str,
    *,
    context: str | None = None,
) -> bytes:
    """Re-wrap the data key to a new public key (key rotation); ciphertext unchanged.

    If ``context`` is given, the ciphertext is authenticated first (recommended when
    the caller knows it): a damaged blob is then refused instead of carried over.
    """
    if fingerprint(new_public_key) != new_key_id:
        raise WrongKey(None, f"key id {new_key_id!r} is not the fingerprint of the new public key")
    new_raw = _key_id_bytes(new_key_id)
    data_key = _unwrap(_require_keys(old), blob)
    blob = bytes(blob)
    if context is not None:
        _decrypt(data_key, blob, context, old.key_id)
    wrapped = SealedBox(PublicKey(new_public_key)).encrypt(data_key + new_raw)
    return (
        BLOB_MAGIC
        + bytes([BLOB_FORMAT])
        + new_raw
        + wrapped
        + blob[_HEADER_BYTES + _WRAPPED_BYTES :]
    )
