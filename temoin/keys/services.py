"""Key ceremonies: init, unseal, seal, change passphrase, rotate, split and recover.

Passphrases and key material never reach a log or an audit row; the audit row says who did
what to which key id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from temoin.audit.services import audit_record
from temoin.core import sealing
from temoin.keys import keystore
from temoin.keys.errors import (
    IdentitiesSealed,
    KeysAlreadyInitialised,
    RecoveryFailed,
    WrongPassphrase,
)
from temoin.keys.models import Keyring
from temoin.keys.selectors import active_keyring

MIN_PASSPHRASE = 12


def _fast() -> bool:
    return bool(getattr(settings, "TEMOIN_ARGON2_FAST", False))


def _check_passphrase(passphrase: str) -> None:
    from temoin.errors import Problems

    problems = Problems("keyring")
    if len(passphrase) < MIN_PASSPHRASE:
        problems.add(
            "passphrase", "too_short",
            f"La phrase de passe doit compter au moins {MIN_PASSPHRASE} caractères.",
        )
    problems.raise_if_any()


def keys_init(*, actor: object, passphrase: str) -> sealing.KeyringRecord:
    _check_passphrase(passphrase)
    if Keyring.objects.exists():
        raise KeysAlreadyInitialised("Les clés de l'organisation existent déjà.")
    record, keys = sealing.generate_keyring(passphrase, fast=_fast())
    with transaction.atomic():
        Keyring.objects.create(key_id=record.key_id, record=record.to_dict(), active=True)
        audit_record(actor=actor, action="keys.init", target=("keyring", record.key_id))
    keystore.keep(keys)
    return record


def keys_unseal(*, actor: object, passphrase: str) -> sealing.UnsealedKeys:
    record = active_keyring()
    try:
        keys = sealing.unseal(record, passphrase)
    except sealing.WrongPassphrase as exc:
        with transaction.atomic():
            audit_record(
                actor=actor, action="keys.unseal_failed", target=("keyring", record.key_id)
            )
        raise WrongPassphrase("Phrase de passe incorrecte.") from exc
    with transaction.atomic():
        audit_record(actor=actor, action="keys.unseal", target=("keyring", record.key_id))
    keystore.keep(keys)
    return keys


def keys_seal(*, actor: object) -> None:
    keystore.forget()
    with transaction.atomic():
        audit_record(actor=actor, action="keys.seal")


def require_unsealed() -> sealing.UnsealedKeys:
    keys = keystore.unsealed_keys()
    record = active_keyring()
    if keys is None or keys.key_id != record.key_id:
        raise IdentitiesSealed(
            "Identités scellées : un dépositaire doit desceller les clés pour cette action."
        )
    return keys


def keys_change_passphrase(*, actor: object, new_passphrase: str) -> sealing.KeyringRecord:
    _check_passphrase(new_passphrase)
    keys = require_unsealed()
    record = sealing.change_passphrase(active_keyring(), keys, new_passphrase, fast=_fast())
    with transaction.atomic():
        Keyring.objects.filter(key_id=record.key_id).update(record=record.to_dict())
        audit_record(actor=actor, action="keys.change_passphrase", target=("keyring", record.key_id))
    return record


def keyring_rotate(
    *, actor: object, passphrase: str
) -> tuple[sealing.UnsealedKeys, sealing.UnsealedKeys]:
    """Create a new active key pair. Must run inside the transaction that re-wraps the blobs."""
    _check_passphrase(passphrase)
    old = require_unsealed()
    record, new = sealing.rotate_keyring(old, passphrase, fast=_fast())
    Keyring.objects.filter(active=True).update(active=False, retired_at=timezone.now())
    Keyring.objects.create(key_id=record.key_id, record=record.to_dict(), active=True)
    audit_record(
        actor=actor, action="keys.rotate", target=("keyring", record.key_id),
        details={"retired": old.key_id},
    )
    return old, new


def keys_split(*, actor: object, threshold: int, shares: int) -> list[str]:
    from temoin.errors import Problems

    problems = Problems("keyring")
    if not 1 <= threshold <= shares <= 16:
        problems.add("threshold", "invalid", "Il faut 1 ≤ seuil ≤ parts ≤ 16.")
    problems.raise_if_any()
    keys = require_unsealed()
    mnemonics = sealing.split_keys(keys, threshold=threshold, shares=shares)
    with transaction.atomic():
        audit_record(
            actor=actor, action="keys.split", target=("keyring", keys.key_id),
            details={"threshold": threshold, "shares": shares},
        )
    return mnemonics


def keys_recover(*, actor: object, mnemonics: list[str], new_passphrase: str) -> None:
    """Unseal from k-of-n recovery shares, then set a new passphrase."""
    _check_passphrase(new_passphrase)
    record = active_keyring()
    try:
        keys = sealing.recover_keys(record, mnemonics)
    except sealing.SealingError as exc:
        raise RecoveryFailed(f"Récupération impossible : {exc.code}.") from exc
    new_record = sealing.change_passphrase(record, keys, new_passphrase, fast=_fast())
    with transaction.atomic():
        Keyring.objects.filter(key_id=record.key_id).update(record=new_record.to_dict())
        audit_record(
            actor=actor, action="keys.recover", target=("keyring", record.key_id),
            details={"shares_used": len(mnemonics)},
        )
    keystore.keep(keys)
