"""RFC 3161 time-stamping authorities of this installation: settings and HTTP transport.

``settings.TEMOIN_TSA_URLS`` lists the authorities (empty by default: field offices are
offline); ``settings.TEMOIN_TSA_ROOTS`` the PEM files of the roots their tokens must chain to.
:class:`HttpTimestampAuthority` is the core's ``TimestampAuthority`` transport: an HTTP POST of
the DER ``TimeStampReq`` as ``application/timestamp-query`` (RFC 3161 section 3.4); the answer
is verified by the core (:func:`temoin.core.custody.request_timestamp`), the same code the
standalone package verifier runs.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from django.conf import settings

from temoin.core.custody import TimestampError

MAX_RESPONSE = 1 << 20  # a time-stamp response is a few kB
DEFAULT_TIMEOUT = 15.0


class TimestampUnavailable(TimestampError):
    """The authority could not be reached or did not answer with a time-stamp reply."""

    code = "custody.timestamp_unavailable"


def tsa_urls() -> list[str]:
    """Configured authorities, in order (``TEMOIN_TSA_URLS``)."""
    return [str(u) for u in getattr(settings, "TEMOIN_TSA_URLS", []) or []]


def tsa_roots() -> list[x509.Certificate]:
    """Trusted TSA roots (``TEMOIN_TSA_ROOTS``: PEM files, each may hold several certificates)."""
    return list(_load_roots(tuple(str(p) for p in getattr(settings, "TEMOIN_TSA_ROOTS", []) or [])))


@lru_cache(maxsize=8)
def _load_roots(paths: tuple[str, ...]) -> tuple[x509.Certificate, ...]:
    roots: list[x509.Certificate] = []
    for path in paths:
        try:
            roots.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
        except (OSError, ValueError) as exc:
            raise TimestampError(
                f"TEMOIN_TSA_ROOTS: {path} is not a readable PEM certificate file ({type(exc).__name__})"
            ) from exc
    return tuple(roots)


class HttpTimestampAuthority:
    """One TSA reached over HTTP(S)."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            raise TimestampError(f"TSA address {url!r} is not an http(s) URL")
        self.name = url
        self.url = url
        self.timeout = timeout

    def request(self, query: bytes) -> bytes:
        """POST the query; return the raw ``application/timestamp-reply`` body."""
        request = urllib.request.Request(
            self.url, data=query, method="POST",
            headers={"Content-Type": "application/timestamp-query",
                     "Accept": "application/timestamp-reply"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 — http(s) checked above
                kind = response.headers.get("Content-Type", "")
                body: bytes = response.read(MAX_RESPONSE + 1)
        except urllib.error.HTTPError as exc:
            raise TimestampUnavailable(f"TSA {self.url}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError, TimeoutError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise TimestampUnavailable(f"TSA {self.url}: unreachable ({reason})") from exc
        if len(body) > MAX_RESPONSE:
            raise TimestampUnavailable(f"TSA {self.url}: answer larger than {MAX_RESPONSE} bytes")
        if kind.split(";")[0].strip().lower() != "application/timestamp-reply":
            raise TimestampUnavailable(f"TSA {self.url}: answered {kind or 'no content type'}, "
                                       "not application/timestamp-reply")
        return body
