"""RFC 7616 Digest computations, against the RFC's own worked example (section 3.9.1)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.intake.errors import AuthorizationError
from temoin.core.intake.odk.digest import (
    expected_response,
    ha1,
    make_nonce,
    nonce_age,
    parse_authorization,
)

NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"


def rfc_header(algorithm: str, response: str) -> str:
    return (
        f'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", '
        f'algorithm={algorithm}, nonce="{NONCE}", nc=00000001, cnonce="{CNONCE}", '
        f'qop=auth, response="{response}", opaque="{OPAQUE}"'
    )


@pytest.mark.parametrize(
    ("algorithm", "response"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc_7616_example(algorithm: str, response: str) -> None:
    credentials = parse_authorization(rfc_header(algorithm, response))
    assert (credentials.username, credentials.nc, credentials.algorithm) == ("Mufasa", 1, algorithm)
    verifier = ha1(algorithm, "Mufasa", "http-auth@example.org", "Circle of Life")
    assert expected_response(credentials, method="GET", ha1_hex=verifier) == response
    wrong = ha1(algorithm, "Mufasa", "http-auth@example.org", "Circle of life")
    assert expected_response(credentials, method="GET", ha1_hex=wrong) != response


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Basic dXNlcjpwYXNz", None),
        (
            'Digest username="a", realm="r", nonce="n", uri="/", response="x", qop=auth, nc=1, '
            'cnonce="c"',
            "nc",
        ),
        (
            'Digest username="a", realm="r", nonce="n", uri="/", response="x", qop=auth-int, '
            'nc=00000001, cnonce="c"',
            "qop",
        ),
        (
            'Digest username="a", realm="r", nonce="n", uri="/", response="x", qop=auth, '
            'nc=00000001, cnonce="c", algorithm=MD5-sess',
            "algorithm",
        ),
        (
            'Digest username="a", realm="r", nonce="n", uri="/", response="x", qop=auth, '
            "nc=00000001",
            "cnonce",
        ),
    ],
)
def test_bad_headers_are_refused_naming_the_field(header: str, field: str | None) -> None:
    with pytest.raises(AuthorizationError) as refused:
        parse_authorization(header)
    assert refused.value.code == "authorization_invalid" and refused.value.field == field


def test_nonce_carries_its_age_and_cannot_be_forged() -> None:
    secret = b"s" * 32
    nonce = make_nonce(secret, now=1_000_000)
    assert nonce_age(secret, nonce, now=1_000_042) == 42
    assert nonce_age(b"t" * 32, nonce, now=1_000_042) is None
    body, _, mac = nonce.partition(".")
    assert (
        nonce_age(secret, body[:-1] + ("A" if body[-1] != "A" else "B") + "." + mac, now=1_000_042)
        is None
    )
    assert make_nonce(secret, now=1) != make_nonce(secret, now=1)


@given(st.text(max_size=300))
def test_parser_never_fails_otherwise(text: str) -> None:
    try:
        parse_authorization("Digest " + text)
    except AuthorizationError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_nonce_text_is_refused_or_aged_never_a_crash(text):
    # headers arrive as Latin-1 text: non-ASCII bytes once raised inside the HMAC check
    secret = b"s" * 32
    assert nonce_age(secret, text, now=100) is None or text.isascii()
    assert nonce_age(secret, "é" + make_nonce(secret, now=1), now=2) is None
