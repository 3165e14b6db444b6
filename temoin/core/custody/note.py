"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519, and tlog cosignatures.

A note is UTF-8 text ending in a newline, a blank line, then one line per signature::

    <text>\\n
    \\n
    — <key name> base64(4-byte key id || signature)\\n

Key ids are ``SHA-256(name || "\\n" || type || public key)[:4]`` with type 0x01 for plain
Ed25519 note signatures and 0x04 for Ed25519 *cosignatures* (C2SP tlog-cosignature v1), whose
signature is ``u64 timestamp || Ed25519(sig)`` over ``"cosignature/v1\\ntime <t>\\n" || text``.
Keys travel as the ``vkey``/``skey`` strings of golang.org/x/mod/sumdb/note
(``name+hexid+base64(type||key)``), so Go tooling and witnesses read them unchanged.

Base64 is decoded strictly (canonical encoding only) so that no byte of a note can be changed
without changing what is verified.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from temoin.core.custody.errors import KeyFormatError, NoteError, SignatureError

__all__ = [
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "add_signatures",
    "decode_b64_strict",
    "key_id",
    "open_note",
    "parse_note",
]

ALG_ED25519: Final[int] = 0x01
ALG_COSIGNATURE_V1: Final[int] = 0x04
_SIG_PREFIX: Final[str] = "\u2014 "  # em dash + space
_MAX_SIGNATURES: Final[int] = 100


def decode_b64_strict(text: str, what: str) -> bytes:
    """Decode standard base64, refusing any non-canonical spelling of the same bytes."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise KeyFormatError(f"key name {name!r} is empty or contains whitespace or '+'")


def key_id(name: str, algorithm: int, public_key: bytes) -> bytes:
    """C2SP key id: first 4 bytes of SHA-256(name || "\\n" || algorithm || key)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([algorithm]) + public_key).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key id and the signature bytes after the id."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The signature line, newline included."""
        payload = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{_SIG_PREFIX}{self.name} {payload}\n"


@dataclass(frozen=True)
class OpenedNote:
    """A parsed note: its text, the signatures that verified and those with no known key."""

    text: str
    verified: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...]


class NoteVerifier:
    """Verifies note signatures (type 0x01) or cosignatures (type 0x04) of one named key."""

    def __init__(
        self, name: str, public_key: Ed25519PublicKey, *, algorithm: int = ALG_ED25519
    ) -> None:
        _check_name(name)
        if algorithm not in (ALG_ED25519, ALG_COSIGNATURE_V1):
            raise KeyFormatError(f"key {name}: unknown algorithm {algorithm:#04x}")
        self.name = name
        self.algorithm = algorithm
        self.public_key = public_key
        self.key_id = key_id(name, algorithm, _raw_public(public_key))

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        """Parse ``name+hexid+base64(type||key)``; the id must match the key."""
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise KeyFormatError("verifier key must be name+keyid+key")
        name, hex_id, b64 = parts
        _check_name(name)
        if len(hex_id) != 8 or hex_id != hex_id.lower():
            raise KeyFormatError(f"verifier key {name}: key id must be 8 lowercase hex digits")
        try:
            raw = decode_b64_strict(b64, f"verifier key {name}")
            wanted_id = bytes.fromhex(hex_id)
        except (NoteError, ValueError) as exc:
            raise KeyFormatError(f"verifier key {name}: malformed key material") from exc
        if len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
            raise KeyFormatError(f"verifier key {name}: not an Ed25519 key")
        verifier = cls(name, Ed25519PublicKey.from_public_bytes(raw[1:]), algorithm=raw[0])
        if verifier.key_id != wanted_id:
            raise KeyFormatError(f"verifier key {name}: key id does not match the key")
        return verifier

    def vkey(self) -> str:
        """This key as a ``vkey`` string."""
        raw = bytes([self.algorithm]) + _raw_public(self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(raw).decode('ascii')}"

    def verify(self, text: str, signature: NoteSignature) -> int | None:
        """Return None for a valid note signature, the timestamp for a valid cosignature.

        Raise :class:`SignatureError` when the name and id match this key but the signature
        does not verify; the caller routes signatures by (name, key id) first.
        """
        if signature.name != self.name or signature.key_id != self.key_id:
            raise SignatureError(f"signature by {signature.name} is not for key {self.name}")
        try:
            if self.algorithm == ALG_ED25519:
                if len(signature.signature) != 64:
                    raise SignatureError(f"signature by {self.name} has the wrong length")
                self.public_key.verify(signature.signature, text.encode())
                return None
            if len(signature.signature) != 72:
                raise SignatureError(f"cosignature by {self.name} has the wrong length")
            (timestamp,) = struct.unpack(">Q", signature.signature[:8])
            if timestamp >= 1 << 63:
                raise SignatureError(f"cosignature by {self.name} has an out-of-range time")
            message = _cosigned_message(text, timestamp)
            self.public_key.verify(signature.signature[8:], message)
            return int(timestamp)
        except InvalidSignature as exc:
            raise SignatureError(
                f"invalid signature for key {self.name}+{self.key_id.hex()}"
            ) from exc


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


class NoteSigner:
    """An Ed25519 note signer (type 0x01) or cosigner (type 0x04) with a name."""

    def __init__(
        self, name: str, private_key: Ed25519PrivateKey, *, algorithm: int = ALG_ED25519
    ) -> None:
        self.verifier = NoteVerifier(name, private_key.public_key(), algorithm=algorithm)
        self.name = name
        self.algorithm = algorithm
        self.key_id = self.verifier.key_id
        self._private_key = private_key

    @classmethod
    def generate(cls, name: str, *, algorithm: int = ALG_ED25519) -> NoteSigner:
        """A new random key pair."""
        return cls(name, Ed25519PrivateKey.generate(), algorithm=algorithm)

    @classmethod
    def from_skey(cls, skey: str) -> NoteSigner:
        """Parse ``PRIVATE+KEY+name+hexid+base64(type||seed)``."""
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise KeyFormatError("signer key must be PRIVATE+KEY+name+keyid+key")
        name, hex_id, b64 = parts[2:]
        _check_name(name)
        try:
            raw = decode_b64_strict(b64, f"signer key {name}")
            wanted_id = bytes.fromhex(hex_id)
        except (NoteError, ValueError) as exc:
            raise KeyFormatError(f"signer key {name}: malformed key material") from exc
        if len(hex_id) != 8 or len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
            raise KeyFormatError(f"signer key {name}: not an Ed25519 key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]), algorithm=raw[0])
        if signer.key_id != wanted_id:
            raise KeyFormatError(f"signer key {name}: key id does not match the key")
        return signer

    def skey(self) -> str:
        """The private key as an ``skey`` string (keep it secret)."""
        seed = self._private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        raw = bytes([self.algorithm]) + seed
        return (
            f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{base64.b64encode(raw).decode('ascii')}"
        )

    def vkey(self) -> str:
        """The public key as a ``vkey`` string."""
        return self.verifier.vkey()

    def sign(self, text: str, *, timestamp: int | None = None) -> NoteSignature:
        """Sign ``text``; a cosigner needs the POSIX ``timestamp`` it vouches for."""
        _check_text(text)
        if self.algorithm == ALG_ED25519:
            return NoteSignature(self.name, self.key_id, self._private_key.sign(text.encode()))
        if timestamp is None or not 0 <= timestamp < 1 << 63:
            raise NoteError(f"cosigner {self.name} needs a timestamp in 0..2^63-1")
        signature = self._private_key.sign(_cosigned_message(text, timestamp))
        return NoteSignature(self.name, self.key_id, struct.pack(">Q", timestamp) + signature)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any((ord(c) < 0x20 and c != "\n") or c == "\x7f" for c in text):
        raise NoteError("note text contains a control character")


def parse_note(data: bytes) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signature lines (no verification)."""
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("note is not valid UTF-8") from exc
    split = decoded.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    _check_text(text)
    if not block.endswith("\n"):
        raise NoteError("note signature block must end with a newline")
    signatures: list[NoteSignature] = []
    for number, line in enumerate(block[:-1].split("\n"), start=1):
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(f"note signature line {number} does not start with '\u2014 '")
        fields = line[len(_SIG_PREFIX) :].split(" ")
        if len(fields) != 2:
            raise NoteError(f"note signature line {number} must be '\u2014 name base64'")
        name, b64 = fields
        _check_name(name)
        raw = decode_b64_strict(b64, f"note signature line {number}")
        if len(raw) < 5:
            raise NoteError(f"note signature line {number} is too short")
        signatures.append(NoteSignature(name, raw[:4], raw[4:]))
    if not signatures:
        raise NoteError("note has no signature")
    if len(signatures) > _MAX_SIGNATURES:
        raise NoteError(f"note has more than {_MAX_SIGNATURES} signatures")
    return text, signatures


def open_note(data: bytes, verifiers: Iterable[NoteVerifier]) -> OpenedNote:
    """Parse and verify a note: every signature whose (name, id) is known must verify.

    Signatures by unknown keys are returned as ``unverified``; a known key whose signature
    fails raises :class:`SignatureError`.
    """
    text, signatures = parse_note(data)
    by_id: dict[tuple[str, bytes], NoteVerifier] = {}
    for verifier in verifiers:
        by_id[(verifier.name, verifier.key_id)] = verifier
    verified: list[NoteSignature] = []
    unverified: list[NoteSignature] = []
    for signature in signatures:
        known = by_id.get((signature.name, signature.key_id))
        if known is None:
            unverified.append(signature)
            continue
        known.verify(text, signature)
        if signature not in verified:
            verified.append(signature)
    return OpenedNote(text=text, verified=tuple(verified), unverified=tuple(unverified))


def add_signatures(text: str, signatures: Sequence[NoteSignature]) -> bytes:
    """Serialise ``text`` and ``signatures`` as a signed note, dropping exact duplicates."""
    _check_text(text)
    if not signatures:
        raise NoteError("a signed note needs at least one signature")
    seen: list[NoteSignature] = []
    for signature in signatures:
        if signature not in seen:
            seen.append(signature)
    return (text + "\n" + "".join(s.line() for s in seen)).encode("utf-8")
