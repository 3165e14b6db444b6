"""Evidence fixtures: a fresh vault per test under tmp_path, and a small synthetic case."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.app.conftest import django_db_setup, world  # noqa: F401


@pytest.fixture(autouse=True)
def vault_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    from temoin.evidence.vaultsetup import forget_vaults

    settings.TEMOIN_VAULT_ROOT = str(tmp_path / "vault")
    forget_vaults()
    yield tmp_path / "vault"
    forget_vaults()


@dataclass
class Case:
    world: object
    event: object
    shared_event: object
    source_courts: object
    source_internal: object
    source_partner: object


EVENT = {
    "title": "Exécutions sommaires (SYNTHÉTIQUE)", "description": "Récit synthétique.",
    "start": "27 mars 2022", "place_name": "Localité synthétique", "admin1": "Mopti",
    "latitude": 14.03, "longitude": -4.6, "geo_precision": "exact", "confidentiality": 1,
}


@pytest.fixture
def case(world):  # type: ignore[no-untyped-def]  # noqa: F811
    from temoin.cases import services

    event = services.event_create(actor=world.analyst, data=EVENT)
    shared = services.event_create(actor=world.analyst, data={**EVENT, "title": "Partagé (SYNTHÉTIQUE)"})
    courts = services.source_create(actor=world.analyst, data={
        "source_type": "witness_testimony", "title": "Témoignage T-1 (synthétique)",
        "consent": ["internal", "courts"]})
    internal = services.source_create(actor=world.analyst, data={
        "source_type": "witness_testimony", "title": "Témoignage T-2 (synthétique)", "consent": ["internal"]})
    partner = services.source_create(actor=world.analyst, data={
        "source_type": "media", "title": "Photo P-1 (synthétique)",
        "consent": ["internal", "courts", "named_partners"],
        "consent_partner_ids": [world.partner_org.pk]})
    for source in (courts, internal):
        services.information_add(actor=world.analyst, source=source, event=event)
    services.information_add(actor=world.analyst, source=partner, event=shared)
    services.event_share(actor=world.analyst, event=shared, organisation=world.partner_org)
    from temoin.evidence.vaultsetup import open_vault

    open_vault()  # the custody log key is created (and audited) at first use
    return Case(world, event, shared, courts, internal, partner)
