"""RFC 3161 trusted time-stamps for checkpoints: request building and verification.

The log's own clock proves nothing; a time-stamping authority (TSA) signs that a hash existed
at a time.  :func:`build_request` encodes a ``TimeStampReq`` (SHA-256 imprint, random nonce,
certificate requested); :func:`request_timestamp` sends it through a :class:`TimestampAuthority`
(the transport, e.g. HTTP POST ``application/timestamp-query``, is supplied by the caller)
and verifies the answer.  Verification is the one of the standalone package verifier
(:func:`temoin.core.package.verify_package.verify_timestamp`), so the server and the offline
recipient run the same code: status, imprint, nonce, signed attributes, ESS certificate id,
CMS signature, chain to a configured root, critical timeStamping key usage.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography import x509

from temoin.core.custody.errors import TimestampError

__all__ = [
    "TimestampAuthority",
    "TimestampError",
    "TimestampRequest",
    "build_request",
    "request_timestamp",
    "verify_timestamp",
]

_SHA256_ALGORITHM = bytes.fromhex("300d06096086480165030402010500")  # AlgorithmIdentifier sha256, NULL


class TimestampAuthority(Protocol):
    """Transport to one TSA: send a DER ``TimeStampReq``, get the DER ``TimeStampResp``."""

    name: str

    def request(self, query: bytes) -> bytes:
        """Send ``query`` and return the raw response."""
        ...


@dataclass(frozen=True)
class TimestampRequest:
    """A DER-encoded request and the nonce it carries."""

    der: bytes
    nonce: int


def _tlv(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(encoded)]) + encoded + content


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def build_request(message: bytes, *, nonce: int | None = None) -> TimestampRequest:
    """``TimeStampReq`` for SHA-256(``message``) with a 64-bit random nonce and certReq TRUE."""
    nonce = secrets.randbits(63) if nonce is None else nonce
    imprint = _tlv(0x30, _SHA256_ALGORITHM + _tlv(0x04, hashlib.sha256(message).digest()))
    der = _tlv(0x30, _integer(1) + imprint + _integer(nonce) + b"\x01\x01\xff")
    return TimestampRequest(der=der, nonce=nonce)


def verify_timestamp(
    response: bytes, message: bytes, *, roots: Sequence[x509.Certificate], nonce: int | None = None
) -> dict[str, Any]:
    """Verify a response or token over ``message``; return gen_time, policy, serial, nonce, tsa."""
    from temoin.core.package.verify_package import Failure
    from temoin.core.package.verify_package import verify_timestamp as _verify

    try:
        return _verify(response, message, list(roots), nonce=nonce)
    except Failure as exc:
        raise TimestampError(str(exc)) from exc
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise TimestampError(f"time-stamp: malformed response ({type(exc).__name__})") from exc


def request_timestamp(
    message: bytes, authority: TimestampAuthority, *, roots: Sequence[x509.Certificate]
) -> bytes:
    """Ask ``authority`` to time-stamp ``message``; return the verified DER response."""
    request = build_request(message)
    response = authority.request(request.der)
    verify_timestamp(response, message, roots=roots, nonce=request.nonce)
    return response
