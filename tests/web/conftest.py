from __future__ import annotations

import pytest
from django.test import Client

from tests.app.conftest import django_db_setup, world  # noqa: F401  (shared fixtures)

OTP_ROLES = {"admin", "analyst", "reviewer"}


def totp_now(device) -> str:  # type: ignore[no-untyped-def]
    """The current code of a TOTP device, computed from its key like a phone app would."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def signed_in(people, role: str) -> Client:  # type: ignore[no-untyped-def]
    """A client signed in as ``role``; TOTP-verified for the roles that require it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = getattr(people, role)
    client = Client()
    client.force_login(user)
    if role in OTP_ROLES:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
            TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def signin():  # type: ignore[no-untyped-def]
    return signed_in


def pytest_configure(config):  # type: ignore[no-untyped-def]
    # Until the lead adds it to pyproject.toml (--strict-markers is on).
    config.addinivalue_line("markers", "browser: drives Debian's chromium through Playwright")


def _ensure_vocabularies() -> None:
    from temoin.cases.models import Term
    from temoin.cases.services import vocabularies_load

    if not Term.objects.exists():
        vocabularies_load(actor=None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):  # type: ignore[no-untyped-def]
    """Browser tests use a transactional database whose flush also empties the read-only
    vocabularies loaded once per session: put them back for whatever runs next."""
    yield
    if not getattr(item, "temoin_flushed", False):  # set by the browser tests' fixture
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        restore_after_flush()
        _ensure_vocabularies()


def drop_audit_triggers() -> None:
    """The transactional flush deletes every row; the append-only triggers would refuse it."""
    from django.db import connection


    if connection.vendor != "sqlite":
        pytest.skip("browser tests run on SQLite")
    with connection.cursor() as cursor:
        for sql in _append_only().SQLITE_UNDO:
            cursor.execute(sql.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS"))


def restore_after_flush() -> None:
    from django.db import connection

    from temoin.audit.models import AuditHead

    module = _append_only()
    with connection.cursor() as cursor:
        for sql in module.SQLITE:
            cursor.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
    AuditHead.objects.get_or_create(pk=1, defaults={"sequence": 0, "last_hash": "0" * 64})


def _append_only():  # type: ignore[no-untyped-def]
    import importlib

    return importlib.import_module("temoin.audit.migrations.0002_append_only")
