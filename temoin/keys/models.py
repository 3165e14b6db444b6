"""The organisation's key rings: public half usable, private half sealed by a passphrase.

A ``Keyring`` row stores ``temoin.core.sealing.KeyringRecord.to_dict()``: the X25519 public
key (anyone on the server may *encrypt* identities with it) and the private key plus the
blind-index key, encrypted under an Argon2id key derived from the custodians' passphrase.
The unsealed keys live only in the memory of the running process (``keystore``).
"""

from __future__ import annotations

from django.db import models


class Keyring(models.Model):
    key_id = models.CharField(max_length=32, unique=True)
    record = models.JSONField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_keyring"
            )
        ]
