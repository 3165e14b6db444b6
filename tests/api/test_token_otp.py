"""API tokens need the TOTP code for the roles that must use one (no bypass of the web's 2FA)."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PASSWORD = "motdepasse-123"


def ask(username: str, **extra: str):  # type: ignore[no-untyped-def]
    return APIClient().post("/api/auth/token/", {"username": username, "password": PASSWORD,
                                                 **extra}, format="json")


def test_viewer_gets_a_token_with_password_only(world):
    response = ask("viewer")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=world.viewer).key


def test_analyst_needs_a_device_and_a_valid_code(world):
    refused = ask("analyst")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "auth.otp_not_set_up")
    device = TOTPDevice.objects.create(user=world.analyst, name="web", confirmed=True)
    wrong = ask("analyst", otp_token="000000" if totp(device.bin_key) != 0 else "111111")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (403, "auth.otp_invalid")
    assert not Token.objects.filter(user=world.analyst).exists()
    throttled = ask("analyst", otp_token=f"{totp(device.bin_key):06d}")
    assert throttled.status_code == 403  # django-otp throttles after a failure: by design
    device.refresh_from_db()
    device.throttle_reset()
    good = ask("analyst", otp_token=f"{totp(device.bin_key):06d}")
    assert good.status_code == 200 and good.json()["token"]


def test_wrong_password_refused(world):
    response = APIClient().post("/api/auth/token/", {"username": "viewer", "password": "non"},
                                format="json")
    assert response.status_code == 400
    assert not Token.objects.filter(user=world.viewer).exists()
