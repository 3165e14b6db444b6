"""Second sign-in factor: TOTP devices (django-otp) for the roles that must use one.

The only writes here are a user's own TOTP device (created unconfirmed on first sign-in,
confirmed with a first valid code); each leaves an audit row in the same transaction.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from temoin.audit.services import audit_record


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def device_for_setup(user: Any) -> TOTPDevice:
    """The user's unconfirmed device, created on first use (the secret is shown once set up)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        with transaction.atomic():
            device = TOTPDevice.objects.create(user=user, name="web", confirmed=False)
            audit_record(actor=user, action="account.totp_create", target=user)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii")


def device_confirm(*, user: Any, device: TOTPDevice, token: str) -> bool:
    """Confirm ``device`` if ``token`` is a valid code for it."""
    if not device.verify_is_allowed()[0] or not device.verify_token(token.strip()):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, action="account.totp_confirm", target=user)
    return True


def token_check(device: TOTPDevice, token: str) -> bool:
    allowed, _ = device.verify_is_allowed()
    return bool(allowed and device.verify_token(token.strip()))
