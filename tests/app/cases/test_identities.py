"""Sealed identities: written while sealed, read only unsealed and allowed, every read audited,
blind-index search without decryption, rotation, recovery."""

from __future__ import annotations

import pytest

from temoin.audit.models import AuditEntry
from temoin.cases import services
from temoin.cases.models import Person, Version
from temoin.errors import IntegrityFailure, PermissionDenied
from temoin.keys import keystore
from temoin.keys.errors import IdentitiesSealed, WrongPassphrase
from temoin.keys.services import keys_recover, keys_seal, keys_split, keys_unseal
from tests.app.conftest import PASSPHRASE

IDENTITY = {"given_name": "Boubacar", "family_name": "Traoré", "contact": "+223 70 00 00 00"}


def test_identity_is_sealed_in_the_row(world):
    person = services.person_create(actor=world.monitor, data={"sex": "male", "age_min": 30,
                                                               "age_max": 35}, identity=IDENTITY)
    raw = bytes(Person.objects.get(pk=person.pk).identity_blob)
    assert b"Boubacar" not in raw and "Traoré".encode() not in raw and b"+223" not in raw
    assert person.code.startswith("V-")
    assert person.blind_name and not person.blind_pending


def test_monitor_writes_while_sealed_and_index_waits_for_unseal(world):
    keys_seal(actor=world.admin)
    person = services.person_create(actor=world.monitor, data={}, identity=IDENTITY)
    assert person.blind_pending and person.blind_name == ""
    with pytest.raises(IdentitiesSealed):
        services.person_identity(viewer=world.analyst, person=person)
    keys_unseal(actor=world.admin, passphrase=PASSPHRASE)
    assert services.persons_reindex_pending(actor=world.admin) == 1
    assert services.person_identity(viewer=world.analyst, person=person) == IDENTITY


def test_wrong_passphrase_refused_and_audited(world):
    keys_seal(actor=world.admin)
    with pytest.raises(WrongPassphrase):
        keys_unseal(actor=world.admin, passphrase="pas la bonne phrase du tout")
    assert keystore.unsealed_keys() is None
    assert AuditEntry.objects.filter(action="keys.unseal_failed").count() == 1


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("analyst", True), ("reviewer", True), ("other_monitor", False),
    ("monitor", True), ("viewer", False), ("partner", False)])
def test_identity_read_matrix_every_read_audited(world, role, allowed):
    person = services.person_create(actor=world.monitor, data={}, identity=IDENTITY)
    viewer = getattr(world, role)
    before = AuditEntry.objects.count()
    if allowed:
        assert services.person_identity(viewer=viewer, person=person, reason="enquête") == IDENTITY
        action = "person.identity_read"
    else:
        with pytest.raises(PermissionDenied):
            services.person_identity(viewer=viewer, person=person)
        action = "person.identity_refused"
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.target_id, entry.actor_username) == (
        action, str(person.pk), viewer.username)
    assert "Traoré" not in str(entry.payload()) and "Boubacar" not in str(entry.payload())


def test_strictly_confidential_person_hidden_from_analyst(world):
    person = services.person_create(actor=world.admin, data={"confidentiality": 3},
                                    identity=IDENTITY)
    with pytest.raises(PermissionDenied):
        services.person_identity(viewer=world.analyst, person=person)
    assert services.person_identity(viewer=world.admin, person=person) == IDENTITY


def test_blind_index_search_ignores_accents_case_and_order(world):
    wanted = services.person_create(actor=world.analyst, data={}, identity=IDENTITY)
    services.person_create(actor=world.analyst, data={},
                           identity={"given_name": "Moussa", "family_name": "Maïga"})
    for query in ("Boubacar Traoré", "BOUBACAR TRAORE", "Traore Boubacar"):
        assert services.persons_find_by_name(viewer=world.analyst, name=query) == [wanted]
    assert services.persons_find_by_name(viewer=world.analyst, name="Boubakar Traoré") == []
    last = AuditEntry.objects.order_by("-sequence").first()
    assert last.action == "person.name_search" and "Boubakar" not in str(last.payload())
    with pytest.raises(PermissionDenied):
        services.persons_find_by_name(viewer=world.viewer, name="Boubacar Traoré")


def test_rotation_rewraps_rows_and_history(world):
    person = services.person_create(actor=world.analyst, data={}, identity=IDENTITY)
    services.person_update(actor=world.analyst, person=person, changes={"age_min": 40},
                           identity={**IDENTITY, "contact": "+223 76 11 11 11"})
    old_key = person.key_id
    assert services.identities_rotate(actor=world.admin, passphrase="nouvelle phrase de passe !") == 1
    person.refresh_from_db()
    assert person.key_id != old_key
    assert services.person_identity(viewer=world.analyst, person=person)["contact"] == \
        "+223 76 11 11 11"
    for version in Version.objects.filter(target_type="person", target_id=person.pk):
        assert version.data["key_id"] == person.key_id
    services.version_revert(actor=world.analyst, target_type="person", target_id=person.pk,
                            number=1, reason="retour")
    person.refresh_from_db()
    assert services.person_identity(viewer=world.analyst, person=person) == IDENTITY
    assert services.persons_find_by_name(viewer=world.analyst, name="Boubacar Traoré") == [person]
    keys_seal(actor=world.admin)
    with pytest.raises(WrongPassphrase):
        keys_unseal(actor=world.admin, passphrase=PASSPHRASE)
    keys_unseal(actor=world.admin, passphrase="nouvelle phrase de passe !")


def test_recovery_shares_k_of_n(world):
    person = services.person_create(actor=world.analyst, data={}, identity=IDENTITY)
    shares = keys_split(actor=world.admin, threshold=2, shares=3)
    assert len(shares) == 3
    keys_seal(actor=world.admin)
    with pytest.raises(Exception) as too_few:
        keys_recover(actor=world.admin, mnemonics=shares[:1], new_passphrase="phrase récupérée 123")
    assert getattr(too_few.value, "code", "") == "keys.recovery_failed"
    keys_recover(actor=world.admin, mnemonics=[shares[0], shares[2]],
                 new_passphrase="phrase récupérée 123")
    assert services.person_identity(viewer=world.analyst, person=person) == IDENTITY
    keys_seal(actor=world.admin)
    keys_unseal(actor=world.admin, passphrase="phrase récupérée 123")


def test_tampered_blob_detected(world):
    person = services.person_create(actor=world.analyst, data={}, identity=IDENTITY)
    blob = bytearray(person.identity_blob)
    blob[-5] ^= 0x01
    Person.objects.filter(pk=person.pk).update(identity_blob=bytes(blob))
    person.refresh_from_db()
    with pytest.raises(IntegrityFailure) as raised:
        services.person_identity(viewer=world.analyst, person=person)
    assert raised.value.code == "keys.tampered"


def test_blob_copied_to_another_person_does_not_open(world):
    victim = services.person_create(actor=world.analyst, data={}, identity=IDENTITY)
    other = services.person_create(actor=world.analyst, data={}, identity={"given_name": "X"})
    Person.objects.filter(pk=other.pk).update(identity_blob=victim.identity_blob)
    other.refresh_from_db()
    with pytest.raises(IntegrityFailure):
        services.person_identity(viewer=world.analyst, person=other)
