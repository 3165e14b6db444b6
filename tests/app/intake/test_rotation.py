"""Key rotation carries the intake's sealed material along: the ODK private key still opens
under the new organisation key, and not under the retired one."""

from __future__ import annotations

from temoin.cases import services
from temoin.core import sealing
from temoin.intake.models import OdkKeyPair
from temoin.intake.odk import _private_pem, odk_keypair_create


def test_odk_private_key_follows_rotation(world):
    pair = odk_keypair_create(actor=world.admin)
    before = _private_pem(pair)
    assert before is not None and before.startswith(b"-----BEGIN PRIVATE KEY-----")
    from temoin.keys import keystore

    old_key_id = keystore.unsealed_keys().key_id
    services.identities_rotate(actor=world.admin, passphrase="nouvelle phrase de rotation")
    pair = OdkKeyPair.objects.get(pk=pair.pk)
    new_key_id = keystore.unsealed_keys().key_id
    assert pair.sealed_with == new_key_id != old_key_id
    assert sealing.blob_key_id(bytes(pair.private_sealed)) == new_key_id
    assert _private_pem(pair) == before
