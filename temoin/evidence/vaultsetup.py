"""Where the vault lives and how it meets the organisation key ring.

* The vault lives under ``TEMOIN_HOME/vault/`` (``settings.TEMOIN_VAULT_ROOT`` overrides it):
  ``objects/`` (encrypted blobs, wrapped keys, records), ``custody/`` (the custody log store),
  ``vault.lock``.
* :class:`OrganisationKeyWrapper` implements the core's ``KeyWrapper`` protocol: a data key is
  sealed (PyNaCl ``SealedBox``) to the active organisation public key — so ingest works while
  the server is sealed — and unwrapped only with the unsealed keys (``IdentitiesSealed``
  otherwise).
* The custody log's Ed25519 signed-note key is generated at first use; its private half is
  stored sealed (``seal_identity``, context ``custody-log-key``) in a ``CustodyLogKey`` row and
  opened only while unsealed. While sealed, the log is opened without a signer: appends work,
  checkpoints (and packages) wait for the unseal.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from nacl.exceptions import CryptoError
from nacl.public import PublicKey, SealedBox

from temoin.core import sealing
from temoin.core.custody import CustodyLog, FileLogStore, NoteSigner
from temoin.core.vault import LocalFileStorage, Vault
from temoin.evidence.models import CustodyLogKey
from temoin.keys import keystore
from temoin.keys.errors import IdentitiesSealed
from temoin.keys.selectors import active_keyring

WRAP_MAGIC = b"TEWK1"
LOG_KEY_CONTEXT = "custody-log-key"
_KEY_ID_BYTES = 8
_vaults: dict[Path, Vault] = {}
_lock = threading.Lock()
_signing_lock = threading.Lock()


def vault_root() -> Path:
    configured = getattr(settings, "TEMOIN_VAULT_ROOT", None)
    return Path(configured) if configured else Path(settings.TEMOIN_HOME) / "vault"


def sealed_message() -> str:
    return "Clés scellées : un dépositaire doit desceller les clés pour lire les originaux."


def unsealed_or_raise() -> sealing.UnsealedKeys:
    keys = keystore.unsealed_keys()
    if keys is None or keys.is_wiped or keys.key_id != active_keyring().key_id:
        raise IdentitiesSealed(sealed_message())
    return keys


class OrganisationKeyWrapper:
    """``KeyWrapper`` over the organisation key ring: ``TEWK1 || key id (8) || sealed box``."""

    def wrap(self, data_key: bytes) -> bytes:
        record = active_keyring()
        return wrap_to(record.public_key, record.key_id, data_key)

    def unwrap(self, wrapped: bytes) -> bytes:
        keys = unsealed_or_raise()
        return unwrap_with(keys, current_wrapping(wrapped))


def _key_id_of(wrapped: bytes) -> str:
    head = len(WRAP_MAGIC)
    if wrapped[:head] != WRAP_MAGIC or len(wrapped) < head + _KEY_ID_BYTES + 48:
        raise sealing.Tampered(None, "wrapped data key: bad magic or too short")
    return wrapped[head:head + _KEY_ID_BYTES].hex()


def current_wrapping(stored: bytes) -> bytes:
    """The newest wrapping of a stored wrapped key (a rotation may have re-wrapped it)."""
    from temoin.evidence.models import RewrappedDataKey

    row = RewrappedDataKey.objects.filter(stored_sha256=hashlib.sha256(stored).hexdigest()).first()
    return bytes(row.wrapped) if row is not None else bytes(stored)


def unwrap_with(keys: sealing.UnsealedKeys, wrapped: bytes) -> bytes:
    key_id = _key_id_of(wrapped)
    if key_id != keys.key_id:
        raise sealing.WrongKey(None, f"data key wrapped to key {key_id}, unsealed is {keys.key_id}")
    try:
        return bytes(SealedBox(keys.private_key).decrypt(wrapped[len(WRAP_MAGIC) + _KEY_ID_BYTES:]))
    except CryptoError:
        raise sealing.Tampered(None, f"wrapped data key (key {key_id}) failed authentication") from None


def wrap_to(public_key: bytes, key_id: str, data_key: bytes) -> bytes:
    return WRAP_MAGIC + bytes.fromhex(key_id) + SealedBox(PublicKey(public_key)).encrypt(data_key)


def _origin() -> str:
    configured = getattr(settings, "TEMOIN_CUSTODY_ORIGIN", "")
    if configured:
        return str(configured)
    from temoin.accounts.models import Organisation

    host = Organisation.objects.filter(is_host=True).order_by("pk").first()
    short = re.sub(r"[^a-z0-9-]+", "-", (host.short_name if host else "temoin").lower()).strip("-")
    return f"temoin.{short or 'org'}/custody"


def log_key() -> CustodyLogKey:
    """The custody log key row, created at first use (needs only the public key)."""
    row = CustodyLogKey.objects.order_by("pk").first()
    if row is not None:
        return row
    from django.db import transaction

    from temoin.audit.services import audit_record

    record = active_keyring()
    signer = NoteSigner.generate(_origin())
    blob = sealing.seal_identity(record.public_key, {"skey": signer.skey()},
                                 key_id=record.key_id, context=LOG_KEY_CONTEXT)
    with transaction.atomic():
        row, created = CustodyLogKey.objects.get_or_create(
            origin=signer.name,
            defaults={"vkey": signer.vkey(), "sealed_skey": blob, "key_id": record.key_id})
        if created:
            audit_record(actor=None, action="evidence.log_key_create", target=row,
                         details={"vkey": row.vkey})
    return row


def log_signer() -> NoteSigner:
    """Open the sealed log key (``IdentitiesSealed`` while sealed)."""
    keys = unsealed_or_raise()
    row = log_key()
    opened = sealing.open_identity(keys, bytes(row.sealed_skey), context=LOG_KEY_CONTEXT)
    return NoteSigner.from_skey(str(opened["skey"]))


def open_vault() -> Vault:
    """The vault of this installation (one per root per process). Its log has no signer:
    appends work while sealed; signing goes through :func:`signing_vault`."""
    root = vault_root()
    row = log_key()
    with _lock:
        vault = _vaults.get(root)
        if vault is None or vault.log.origin != row.origin:
            root.mkdir(parents=True, exist_ok=True)
            log = CustodyLog(FileLogStore(root / "custody"), origin=row.origin)
            vault = Vault(storage=LocalFileStorage(root / "objects"),
                          key_wrapper=OrganisationKeyWrapper(), log=log,
                          system=getattr(settings, "TEMOIN_VAULT_SYSTEM", "temoin-server"),
                          lock_path=root / "vault.lock")
            _vaults[root] = vault
    vault.log.refresh()
    return vault


@contextmanager
def signing_vault() -> Iterator[Vault]:
    """The vault with the log key opened (needs unsealed keys) for the duration of one signed
    operation; the signer is dropped afterwards so a later seal leaves no key in the vault.
    Signed operations of one process are serialised (the server runs threads)."""
    signer = log_signer()
    with _signing_lock:
        vault = open_vault()
        vault.log.signer = signer
        try:
            yield vault
        finally:
            vault.log.signer = None


def forget_vaults() -> None:
    """Drop the cached vaults (tests, after moving TEMOIN_VAULT_ROOT)."""
    with _lock:
        _vaults.clear()
