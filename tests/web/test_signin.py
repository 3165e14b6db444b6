"""Sign-in: password then TOTP for administrators, analysts and reviewers (with the device
setup page on first sign-in), lockout after repeated failures, idle timeout, CSRF, the strict
CSP, and `check --deploy` clean on the production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from temoin.audit.models import AuditEntry
from tests.web.conftest import signed_in, totp_now

PASSWORD = "motdepasse-123"
REPO = Path(__file__).resolve().parents[2]


def reset_throttle(device) -> None:  # type: ignore[no-untyped-def]
    """A wrong code starts django-otp's back-off (1 s, 2 s, …); the test does not wait."""
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()


def password_step(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/connexion/", {"username": username, "password": password})


def test_monitor_signs_in_with_password_only(world):
    client = Client()
    response = password_step(client, "monitor")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_first_sign_in_sets_up_totp_with_a_real_code(world):
    client = Client()
    response = password_step(client, "analyst")
    assert response["Location"] == "/connexion/code/"
    assert client.get("/connexion/code/")["Location"] == "/connexion/code/configurer/"
    assert client.get("/").status_code == 302  # no session before the code
    page = client.get("/connexion/code/configurer/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    device = TOTPDevice.objects.get(user=world.analyst)
    assert not device.confirmed and len(secret) == 32
    qr = client.get("/connexion/code/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg") and b'xmlns="http://www.w3.org/2000/svg"' in qr.content
    assert client.post("/connexion/code/configurer/", {"token": "000000"}).status_code == 200
    reset_throttle(device)
    response = client.post("/connexion/code/configurer/", {"token": totp_now(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="account.totp_confirm",
                                     actor_username="analyst").count() == 1


def test_second_sign_in_asks_for_the_code_and_refuses_a_wrong_one(world):
    device = TOTPDevice.objects.create(user=world.reviewer, name="phone", confirmed=True)
    client = Client()
    assert password_step(client, "reviewer")["Location"] == "/connexion/code/"
    wrong = client.post("/connexion/code/", {"token": "123456" if totp_now(device) != "123456"
                                             else "654321"})
    assert wrong.status_code == 200 and "Code incorrect" in wrong.content.decode()
    assert client.get("/evenements/").status_code == 302
    reset_throttle(device)
    ok = client.post("/connexion/code/", {"token": totp_now(device)})
    assert ok.status_code == 302
    assert client.get("/evenements/").status_code == 200


def test_next_is_kept_through_the_code_step(world):
    device = TOTPDevice.objects.create(user=world.admin, name="phone", confirmed=True)
    client = Client()
    client.post("/connexion/?next=/carte/", {"username": "admin", "password": PASSWORD,
                                             "next": "/carte/"})
    assert client.post("/connexion/code/", {"token": totp_now(device)})["Location"] == "/carte/"


def test_unverified_session_of_an_otp_role_is_closed(world):
    client = Client()
    client.force_login(world.analyst)  # a password-only session (e.g. opened elsewhere)
    response = client.get("/evenements/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    assert client.get("/evenements/").status_code == 302  # logged out for good


def test_admin_site_login_goes_through_the_web_sign_in(world):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_lockout_after_five_failures(world):
    client = Client()
    for _ in range(5):
        assert password_step(client, "monitor", "mauvais-mot-de-passe").status_code in (200, 429)
    locked = password_step(client, "monitor")  # even the right password is refused now
    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.content.decode()
    assert client.get("/").status_code == 302
    assert password_step(Client(), "viewer").status_code == 302  # other accounts unaffected


def test_idle_session_times_out(world, settings):
    client = signed_in(world, "viewer")
    assert client.get("/").status_code == 200
    session = client.session
    session["web.seen"] = int(time.time()) - settings.TEMOIN_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "expire=1" in response["Location"]


def test_csrf_is_enforced(world):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/connexion/", {"username": "monitor", "password": PASSWORD}
                       ).status_code == 403


def test_strict_csp_and_no_inline_script_or_style(world):
    client = signed_in(world, "admin")
    for url in ("/", "/evenements/", "/carte/", "/evenements/nouveau/", "/public/",
                "/administration/utilisateurs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "http" not in csp
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and " style=" not in html, url
        assert response["X-Frame-Options"] == "DENY"
        assert not re.search(r'(src|href)="(https?:)?//', html), url  # nothing external


def test_seal_state_shown_sealed_and_unsealed(world):
    from temoin.keys import keystore

    client = signed_in(world, "viewer")
    assert "Identités descellées" in client.get("/").content.decode()
    keystore.forget()
    assert "Identités scellées" in client.get("/").content.decode()


@pytest.mark.slow
def test_check_deploy_is_clean_on_prod_settings(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod",
           "TEMOIN_SECRET_KEY": "k" * 60 + "-not-a-real-secret-Zq8", "TEMOIN_HOME": str(tmp_path),
           "TEMOIN_ALLOWED_HOSTS": "temoin.example.org"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    issues = re.findall(r"\((\w+(?:\.\w+)*\.[WE]\d+)\)", result.stdout + result.stderr)
    # drf_spectacular.W002 (API views without serializers) is the API's, not a deploy issue.
    assert [code for code in issues if not code.startswith("drf_spectacular.")] == []
