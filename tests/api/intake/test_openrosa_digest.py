"""OpenRosa Digest authentication (RFC 7616) with a device password: real Digest responses
computed as a client does (headers through the test client, and python ``requests``'
HTTPDigestAuth against the live server), wrong password, stale nonce, replayed
nonce-count, forged nonce, other URI; the default challenge is Digest only, Basic only when
enabled and only over HTTPS (synthetic accounts)."""

from __future__ import annotations

import base64
import hashlib
import re
import time

import pytest
from django.test import Client

from tests.api.intake.test_openrosa import PASSWORD, incident_xml

pytestmark = pytest.mark.django_db
FORMLIST = "/api/openrosa/formList"
DEVICE = "appareil-SYNTHETIQUE-2026"


def _challenge(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response["WWW-Authenticate"]
    first = header.split(", Digest ")[0].split(", Basic ")[0]
    return dict(re.findall(r'(\w+)="?([^",]*)"?', first.removeprefix("Digest ")))


def _digest(username: str, password: str, challenge: dict[str, str], *, uri: str = FORMLIST,
            method: str = "GET", nc: int = 1, algorithm: str = "MD5",
            nonce: str | None = None) -> dict[str, str]:
    def h(text: str) -> str:
        function = hashlib.md5 if algorithm == "MD5" else hashlib.sha256
        return function(text.encode()).hexdigest()

    nonce = nonce or challenge["nonce"]
    cnonce, nc_text = "0a4f113b", f"{nc:08x}"
    ha1 = h(f"{username}:{challenge['realm']}:{password}")
    response = h(f"{ha1}:{nonce}:{nc_text}:{cnonce}:auth:{h(f'{method}:{uri}')}")
    header = (f'Digest username="{username}", realm="{challenge["realm"]}", nonce="{nonce}", '
              f'uri="{uri}", algorithm={algorithm}, response="{response}", qop=auth, '
              f'nc={nc_text}, cnonce="{cnonce}", opaque="{challenge["opaque"]}"')
    return {"HTTP_AUTHORIZATION": header}


@pytest.fixture
def device_password(world):  # type: ignore[no-untyped-def]
    from temoin.intake.odk import openrosa_password_set

    return openrosa_password_set(actor=world.monitor, user=world.monitor, password=DEVICE)


def test_default_challenge_is_one_digest_challenge(world, settings):
    refused = Client().get(FORMLIST, secure=True)
    assert refused.status_code == 401 and refused["X-OpenRosa-Version"] == "1.0"
    header = refused["WWW-Authenticate"]
    assert header.startswith('Digest realm="Temoin OpenRosa", qop="auth", algorithm=MD5, ')
    assert header.count("Digest ") == 1 and "Basic" not in header and "stale" not in header
    settings.TEMOIN_OPENROSA_ALLOW_HTTP = True  # development laptop: still no Basic offered
    plain = Client().get(FORMLIST)
    assert plain.status_code == 401 and "Basic" not in plain["WWW-Authenticate"]


def test_several_algorithms_preferred_last_and_basic_only_when_enabled_on_https(world, settings):
    settings.TEMOIN_OPENROSA_DIGEST_ALGORITHMS = ("SHA-256", "MD5")
    settings.TEMOIN_OPENROSA_AUTH = ("digest", "basic")
    header = Client().get(FORMLIST, secure=True)["WWW-Authenticate"]
    assert re.findall(r"algorithm=([\w-]+)", header) == ["MD5", "SHA-256"]
    assert header.endswith(', Basic realm="Temoin OpenRosa", charset="UTF-8"')
    settings.TEMOIN_OPENROSA_ALLOW_HTTP = True
    assert "Basic" not in Client().get(FORMLIST)["WWW-Authenticate"]  # never over plain HTTP


def test_digest_md5_and_sha256_with_the_device_password(world, device_password):
    client = Client()
    challenge = _challenge(client.get(FORMLIST, secure=True))
    ok = client.get(FORMLIST, secure=True, **_digest("monitor", DEVICE, challenge))
    assert ok.status_code == 200 and b"temoin_incident" in ok.content
    sha = client.get(FORMLIST, secure=True,
                     **_digest("monitor", DEVICE, challenge, nc=2, algorithm="SHA-256"))
    assert sha.status_code == 200
    replay = client.get(FORMLIST, secure=True, **_digest("monitor", DEVICE, challenge, nc=2))
    assert replay.status_code == 401 and "rejouée".encode() in replay.content
    older = client.get(FORMLIST, secure=True, **_digest("monitor", DEVICE, challenge, nc=1))
    assert older.status_code == 401  # a count below the highest seen is a replay too
    assert client.get(FORMLIST, secure=True,
                      **_digest("monitor", DEVICE, challenge, nc=3)).status_code == 200
    posted = client.post(
        "/api/openrosa/submission",
        {"xml_submission_file": _upload(incident_xml("uuid:digest-1"))}, secure=True,
        **_digest("monitor", DEVICE, challenge, nc=4, method="POST",
                  uri="/api/openrosa/submission"))
    assert posted.status_code == 201, posted.content


def _upload(xml: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("submission.xml", xml, "text/xml")


def test_wrong_password_account_password_forged_nonce_and_other_uri_are_refused(
        world, device_password):
    client = Client()
    challenge = _challenge(client.get(FORMLIST, secure=True))
    for headers in (
        _digest("monitor", "pas-le-bon-mot-de-passe", challenge),
        _digest("monitor", PASSWORD, challenge, nc=2),  # the account password is not it
        _digest("analyst", DEVICE, challenge, nc=3),  # no device password for this user
        _digest("monitor", DEVICE, challenge, nc=4, nonce="B" + challenge["nonce"][1:]),
        _digest("monitor", DEVICE, challenge, nc=5, uri="/api/openrosa/forms/x/form.xml"),
    ):
        refused = client.get(FORMLIST, secure=True, **headers)
        assert refused.status_code == 401, headers
        assert "stale" not in refused["WWW-Authenticate"]
    from temoin.intake.models import OpenRosaNonce

    assert not OpenRosaNonce.objects.exists()  # refused requests leave no nonce-count


def test_stale_nonce_gets_a_stale_challenge(world, device_password):
    from temoin.api.intake.openrosa import _secret
    from temoin.core.intake.odk.digest import make_nonce

    client = Client()
    challenge = _challenge(client.get(FORMLIST, secure=True))
    old = make_nonce(_secret(), now=int(time.time()) - 301)
    stale = client.get(FORMLIST, secure=True, **_digest("monitor", DEVICE, challenge, nonce=old))
    assert stale.status_code == 401 and "stale=true" in stale["WWW-Authenticate"]
    fresh = _challenge(stale)
    assert fresh["nonce"] != old
    assert client.get(FORMLIST, secure=True,
                      **_digest("monitor", DEVICE, fresh)).status_code == 200
    wrong = client.get(FORMLIST, secure=True, **_digest("monitor", "faux-faux-faux", challenge,
                                                         nonce=old))
    assert "stale" not in wrong["WWW-Authenticate"]  # stale only for a correct response


def test_basic_over_https_with_either_password_and_settings_can_drop_schemes(
        world, device_password, settings):
    def basic(password: str) -> dict[str, str]:
        token = base64.b64encode(f"monitor:{password}".encode()).decode()
        return {"HTTP_AUTHORIZATION": f"Basic {token}"}

    client = Client()
    assert client.get(FORMLIST, secure=True, **basic(PASSWORD)).status_code == 401  # default
    settings.TEMOIN_OPENROSA_AUTH = ("digest", "basic")
    assert client.get(FORMLIST, secure=True, **basic(PASSWORD)).status_code == 200
    assert client.get(FORMLIST, secure=True, **basic(DEVICE)).status_code == 200
    assert client.get(FORMLIST, **basic(DEVICE)).status_code == 403  # never plain HTTP
    settings.TEMOIN_OPENROSA_ALLOW_HTTP = True  # development: Digest over HTTP, Basic never
    assert client.get(FORMLIST, **basic(DEVICE)).status_code == 401
    settings.TEMOIN_OPENROSA_ALLOW_HTTP = False
    settings.TEMOIN_OPENROSA_AUTH = ("digest",)
    assert client.get(FORMLIST, secure=True, **basic(PASSWORD)).status_code == 401
    assert "Basic" not in client.get(FORMLIST, secure=True)["WWW-Authenticate"]
    settings.TEMOIN_OPENROSA_AUTH = ("basic",)
    challenge = client.get(FORMLIST, secure=True)["WWW-Authenticate"]
    assert challenge == 'Basic realm="Temoin OpenRosa", charset="UTF-8"'


def test_device_password_rules_and_audit(world):
    from temoin.audit.models import AuditEntry
    from temoin.errors import PermissionDenied, ValidationFailed
    from temoin.intake.models import OpenRosaCredential
    from temoin.intake.odk import openrosa_password_revoke, openrosa_password_set

    with pytest.raises(ValidationFailed) as short:
        openrosa_password_set(actor=world.monitor, user=world.monitor, password="court")
    with pytest.raises(ValidationFailed) as same:
        openrosa_password_set(actor=world.monitor, user=world.monitor, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        openrosa_password_set(actor=world.monitor, user=world.analyst)
    with pytest.raises(ValidationFailed):
        openrosa_password_set(actor=world.admin, user=world.viewer)  # cannot submit forms
    assert not OpenRosaCredential.objects.exists()
    assert "too_short" in str(short.value.__dict__) and "same_as_account" in str(
        same.value.__dict__)
    generated = openrosa_password_set(actor=world.admin, user=world.monitor)
    assert len(generated) == 20
    credential = OpenRosaCredential.objects.get(user=world.monitor)
    assert credential.ha1_md5 == hashlib.md5(
        f"monitor:Temoin OpenRosa:{generated}".encode()).hexdigest()
    assert generated not in str(credential.__dict__)
    entry = AuditEntry.objects.get(action="intake.openrosa_password_set")
    assert entry.details == {"user": world.monitor.pk, "generated": True}
    assert generated not in str(entry.__dict__)
    assert openrosa_password_revoke(actor=world.monitor, user=world.monitor) is True
    assert not OpenRosaCredential.objects.exists()


class DjangoTestAdapter:
    """A ``requests`` transport that hands each request to Django's test client (HTTPS), so
    ``requests``' own HTTPDigestAuth runs its whole flow — 401, challenge parsing, Digest
    computation, retry, nonce-count — against the real views, inside the test transaction
    (a live server would need a transactional database, which the append-only audit table
    cannot flush)."""

    def __init__(self) -> None:
        self.client = Client()

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        from urllib.parse import urlsplit

        import requests

        meta = {}
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            meta[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request.body or b""
        answer = self.client.generic(request.method, path, data=body, secure=True,
                                     content_type=meta.pop("CONTENT_TYPE", ""), **meta)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers.items())
        response._content = answer.content
        response.url, response.request, response.connection = request.url, request, self
        response.raw = None
        return response

    def close(self) -> None:
        pass


@pytest.mark.parametrize(("schemes", "algorithms"), [
    (None, None),  # the defaults: one Digest MD5 challenge
    (None, ("SHA-256",)),
    (("digest", "basic"), ("SHA-256", "MD5")),  # a combined header: requests keeps the last
])
def test_python_requests_digest_client(world, device_password, settings, schemes, algorithms):
    import requests
    from requests.auth import HTTPDigestAuth

    if schemes is not None:
        settings.TEMOIN_OPENROSA_AUTH = schemes
    if algorithms is not None:
        settings.TEMOIN_OPENROSA_DIGEST_ALGORITHMS = algorithms
    algorithms = algorithms or ("MD5",)
    url = "https://testserver" + FORMLIST
    with requests.Session() as session:
        session.mount("https://", DjangoTestAdapter())  # type: ignore[arg-type]
        session.auth = HTTPDigestAuth("monitor", DEVICE)
        first = session.get(url)
        assert first.status_code == 200 and b"temoin_incident" in first.content
        second = session.get(url)  # the same nonce again, nc=00000002
        assert second.status_code == 200
        sent = second.request.headers["Authorization"]
        assert f'algorithm="{algorithms[0]}"' in sent and "nc=00000002" in sent
        files = {"xml_submission_file": ("submission.xml", incident_xml("uuid:req-1"),
                                         "text/xml")}
        posted = session.post("https://testserver/api/openrosa/submission", files=files)
        assert posted.status_code == 201, posted.content
        session.auth = HTTPDigestAuth("monitor", "faux-faux-faux")
        assert session.get(url).status_code == 401


def test_device_password_api(world):
    from rest_framework.test import APIClient

    from temoin.intake.models import OpenRosaCredential

    monitor = APIClient()
    monitor.force_authenticate(world.monitor)
    created = monitor.post("/api/imports/odk/device-password/", {}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["user"], body["username"], body["realm"], len(body["password"])) == (
        world.monitor.pk, "monitor", "Temoin OpenRosa", 20)
    challenge = _challenge(Client().get(FORMLIST, secure=True))
    assert Client().get(FORMLIST, secure=True, **_digest(
        "monitor", body["password"], challenge)).status_code == 200
    chosen = monitor.post("/api/imports/odk/device-password/", {"password": DEVICE},
                          format="json")
    assert chosen.status_code == 201 and "password" not in chosen.json()
    other = monitor.post("/api/imports/odk/device-password/", {"user": world.analyst.pk},
                         format="json")
    assert other.status_code == 403 and set(other.json()) == {"error"}
    short = monitor.post("/api/imports/odk/device-password/", {"password": "court"},
                         format="json")
    assert short.status_code == 400 and short.json()["error"]["code"]
    assert OpenRosaCredential.objects.get().ha1_md5 == hashlib.md5(
        f"monitor:Temoin OpenRosa:{DEVICE}".encode()).hexdigest()  # refused → unchanged
    admin = APIClient()
    admin.force_authenticate(world.admin)
    assert admin.post("/api/imports/odk/device-password/", {"user": 999999},
                      format="json").status_code == 404
    revoked = admin.delete("/api/imports/odk/device-password/", {"user": world.monitor.pk},
                           format="json")
    assert revoked.json() == {"user": world.monitor.pk, "revoked": True}
    assert not OpenRosaCredential.objects.exists()
