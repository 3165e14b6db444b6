"""HTTP Digest access authentication (RFC 7616) as OpenRosa clients speak it.

Pure functions, no Django: parse an ``Authorization: Digest …`` header, compute the
password verifiers ``HA1 = H(username:realm:password)`` (what the server stores — never the
password), compute the expected ``response`` for ``qop=auth``, build a challenge, and make or
check a server nonce.

Nonces are stateless and tamper-evident: ``base64url(issued-at seconds ‖ 16 random bytes)``
followed by ``.`` and a truncated HMAC-SHA-256 of that part under a server secret, so the
server can tell its own nonces from forged ones and how old they are without storing them.
Replay protection (each nonce-count used once, increasing) needs state and is the caller's
job (see ``temoin.api.intake.openrosa``).

Supported: algorithms ``MD5`` and ``SHA-256`` (not the ``-sess`` variants), ``qop=auth``
only (not ``auth-int``), ``userhash=false``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from dataclasses import dataclass

from temoin.core.intake.errors import AuthorizationError

__all__ = [
    "ALGORITHMS",
    "DigestCredentials",
    "challenge",
    "expected_response",
    "ha1",
    "make_nonce",
    "nonce_age",
    "parse_authorization",
]

ALGORITHMS = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
_REQUIRED = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*(?:,|$)')
_NC = re.compile(r"^[0-9a-fA-F]{8}$")
_MAX_HEADER = 4096


@dataclass(frozen=True, slots=True)
class DigestCredentials:
    """The fields of a client's Digest response (``nc`` as an integer)."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: str
    qop: str
    nc: int
    nc_text: str
    cnonce: str
    opaque: str | None


def _hash(algorithm: str, text: str) -> str:
    return ALGORITHMS[algorithm](text.encode("utf-8")).hexdigest()


def ha1(algorithm: str, username: str, realm: str, password: str) -> str:
    """``H(username:realm:password)`` — the verifier stored for a device password."""
    if algorithm not in ALGORITHMS:
        raise AuthorizationError(f"algorithm {algorithm!r} is not supported", field="algorithm")
    return _hash(algorithm, f"{username}:{realm}:{password}")


def expected_response(credentials: DigestCredentials, *, method: str, ha1_hex: str) -> str:
    """``H(HA1:nonce:nc:cnonce:qop:H(method:uri))`` for ``qop=auth``."""
    algorithm = credentials.algorithm
    ha2 = _hash(algorithm, f"{method}:{credentials.uri}")
    return _hash(
        algorithm,
        f"{ha1_hex}:{credentials.nonce}:{credentials.nc_text}:{credentials.cnonce}:"
        f"{credentials.qop}:{ha2}",
    )


def parse_authorization(header: str) -> DigestCredentials:
    """Parse ``Digest k=v, k="v", …``; raises :class:`AuthorizationError` naming the field."""
    if len(header) > _MAX_HEADER:
        raise AuthorizationError("header too long")
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        raise AuthorizationError(f"scheme {scheme[:20]!r} is not Digest")
    params: dict[str, str] = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if match is None or match.end() == position:
            raise AuthorizationError(f"cannot parse the header near character {position}")
        key, value = match.group(1).lower(), match.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[key] = value
        position = match.end()
    for name in _REQUIRED:
        if not params.get(name):
            raise AuthorizationError("missing", field=name)
    algorithm = params.get("algorithm", "MD5").upper()
    if algorithm not in ALGORITHMS:
        raise AuthorizationError(f"algorithm {algorithm[:20]!r} is not supported",
                                 field="algorithm")  # fmt: skip
    if params["qop"] != "auth":
        raise AuthorizationError(f"qop {params['qop'][:20]!r} is not supported", field="qop")
    if params.get("userhash", "false").lower() != "false":
        raise AuthorizationError("userhash is not supported", field="userhash")
    if not _NC.match(params["nc"]):
        raise AuthorizationError("not 8 hexadecimal digits", field="nc")
    return DigestCredentials(
        username=params["username"], realm=params["realm"], nonce=params["nonce"],
        uri=params["uri"], response=params["response"].lower(), algorithm=algorithm,
        qop=params["qop"], nc=int(params["nc"], 16), nc_text=params["nc"],
        cnonce=params["cnonce"], opaque=params.get("opaque"),
    )  # fmt: skip


def _nonce_mac(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def make_nonce(secret: bytes, *, now: int) -> str:
    """A fresh server nonce carrying its issue time, authenticated with ``secret``."""
    raw = struct.pack(">Q", now) + secrets.token_bytes(16)
    body = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
    return f"{body}.{_nonce_mac(secret, body)}"


def nonce_age(secret: bytes, nonce: str, *, now: int) -> int | None:
    """Seconds since the nonce was issued, or ``None`` if it is not one of ours."""
    if not nonce.isascii():  # a header may carry any Latin-1 byte: not one of ours
        return None
    body, _, mac = nonce.partition(".")
    if not body or not hmac.compare_digest(mac, _nonce_mac(secret, body)):
        return None
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return None
    if len(raw) != 24:
        return None
    (issued,) = struct.unpack(">Q", raw[:8])
    return now - issued


def challenge(*, realm: str, nonce: str, opaque: str, algorithm: str, stale: bool) -> str:
    """One ``Digest`` challenge (a ``WWW-Authenticate`` value)."""
    value = (
        f'Digest realm="{realm}", qop="auth", algorithm={algorithm}, nonce="{nonce}", '
        f'opaque="{opaque}", charset=UTF-8'
    )
    return value + (", stale=true" if stale else "")
