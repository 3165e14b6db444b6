"""A small organisation for app, API and access tests: one user per role, a partner
institution, vocabularies loaded and the organisation keys created and unsealed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

PASSPHRASE = "phrase de passe de test, longue"


@dataclass
class World:
    host: object
    partner_org: object
    other_partner_org: object
    admin: object
    analyst: object
    reviewer: object
    monitor: object
    other_monitor: object
    viewer: object
    partner: object
    other_partner: object


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Vocabularies once per session (they are read-only reference data)."""
    from temoin.cases.services import vocabularies_load

    with django_db_blocker.unblock():
        from temoin.cases.models import Term

        if not Term.objects.exists():
            vocabularies_load(actor=None)
    yield


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    from temoin.accounts.services import organisation_create, user_create
    from temoin.cases import validation
    from temoin.keys import keystore
    from temoin.keys.services import keys_init

    validation.forget_vocabularies()
    keystore.forget()
    host = organisation_create(actor=None, name="Association malienne de test",
                               short_name="AMT", kind="ngo", is_host=True)
    cndh = organisation_create(actor=None, name="Commission de test", short_name="CNDH-T",
                               kind="national_institution")
    achpr = organisation_create(actor=None, name="Commission africaine de test",
                                short_name="CADHP-T", kind="regional_body")
    users = {}
    for username, role, org in [
        ("admin", "administrator", host), ("analyst", "analyst", host),
        ("reviewer", "reviewer", host), ("monitor", "monitor", host),
        ("other_monitor", "monitor", host), ("viewer", "viewer", host),
        ("partner", "partner", cndh), ("other_partner", "partner", achpr),
    ]:
        users[username] = user_create(actor=None, username=username, password="motdepasse-123",
                                      organisation=org, role=role)
    keys_init(actor=None, passphrase=PASSPHRASE)
    yield World(host=host, partner_org=cndh, other_partner_org=achpr, **users)
    keystore.forget()
