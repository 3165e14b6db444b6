"""Evidence vault: streaming encrypted content-addressed storage, fixity, crypto-shredding.

Usable from plain Python::

    vault = Vault(storage=LocalFileStorage(root), key_wrapper=wrapper, log=custody_log,
                  system="temoin-server", lock_path=root / "vault.lock")
    result = vault.ingest(Path("video.mp4"), actor=Actor("u-17", "investigator", "org-a"))
"""

from temoin.core.vault.aead import (
    ChunkEncryptor,
    decrypt_bytes,
    decrypt_chunks,
    encrypt_bytes,
    new_data_key,
)
from temoin.core.vault.content import Finding, extension_finding, extract_metadata, sniff_media_type
from temoin.core.vault.errors import (
    DecryptionError,
    DerivativesExistError,
    EmptyInputError,
    IntegrityError,
    ItemNotFoundError,
    ItemShreddedError,
    KeyWrapError,
    StorageError,
    StorageFullError,
    VaultError,
)
from temoin.core.vault.fieldmeta import MAX_RECORD_BYTES, FieldRecord, check_field_record
from temoin.core.vault.keywrap import KeyWrapper
from temoin.core.vault.records import (
    INGEST_ACTIONS,
    Actor,
    ConsistencyReport,
    FixityResult,
    IngestResult,
    ItemSummary,
)
from temoin.core.vault.storage import BlobStorage, BlobWriter, LocalFileStorage
from temoin.core.vault.vault import RECORD_VERSION, Vault

__all__ = [
    "INGEST_ACTIONS",
    "RECORD_VERSION",
    "Actor",
    "BlobStorage",
    "BlobWriter",
    "ChunkEncryptor",
    "ConsistencyReport",
    "DecryptionError",
    "DerivativesExistError",
    "EmptyInputError",
    "FieldRecord",
    "Finding",
    "FixityResult",
    "IngestResult",
    "IntegrityError",
    "ItemNotFoundError",
    "ItemShreddedError",
    "ItemSummary",
    "KeyWrapError",
    "KeyWrapper",
    "MAX_RECORD_BYTES",
    "LocalFileStorage",
    "StorageError",
    "StorageFullError",
    "Vault",
    "VaultError",
    "decrypt_bytes",
    "decrypt_chunks",
    "check_field_record",
    "encrypt_bytes",
    "extension_finding",
    "extract_metadata",
    "new_data_key",
    "sniff_media_type",
]
