"""Custody core: RFC 9162 Merkle tree and proofs, C2SP signed checkpoints, witnesses, custody log.

Pure Python over ``cryptography``; no Django.  Typical use::

    log = CustodyLog(FileLogStore(path), origin="temoin.example/custody", signer=log_signer)
    entry = log.append(action="ingest", item_sha256=..., actor=..., role=..., organisation=...,
                       system=...)
    note = log.checkpoint()
    proof = log.inclusion_proof(entry.seq, log.size)
"""

from temoin.core.custody.checkpoint import (
    Checkpoint,
    VerifiedCheckpoint,
    Witness,
    cosign_note,
    sign_checkpoint,
    verify_checkpoint,
)
from temoin.core.custody.entry import ACTIONS, CustodyEntry, canonical_json
from temoin.core.custody.errors import (
    CheckpointError,
    CustodyError,
    EntryError,
    InconsistentCheckpointError,
    KeyFormatError,
    LogCorruptError,
    NoteError,
    ProofError,
    SignatureError,
)
from temoin.core.custody.log import CustodyLog, LogVerification, utc_now
from temoin.core.custody.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    hash_children,
    hash_leaf,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from temoin.core.custody.note import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    open_note,
)
from temoin.core.custody.store import FileLogStore, LogStore, MemoryLogStore
from temoin.core.custody.timestamp import (
    TimestampAuthority,
    TimestampError,
    TimestampRequest,
    build_request,
    request_timestamp,
    verify_timestamp,
)

__all__ = [
    "ACTIONS",
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "EMPTY_ROOT",
    "CheckpointError",
    "Checkpoint",
    "CustodyEntry",
    "CustodyError",
    "CustodyLog",
    "EntryError",
    "FileLogStore",
    "InconsistentCheckpointError",
    "KeyFormatError",
    "LogCorruptError",
    "LogStore",
    "LogVerification",
    "MemoryLogStore",
    "MerkleTree",
    "NoteError",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "ProofError",
    "SignatureError",
    "TimestampAuthority",
    "TimestampError",
    "TimestampRequest",
    "VerifiedCheckpoint",
    "Witness",
    "build_request",
    "canonical_json",
    "cosign_note",
    "hash_children",
    "hash_leaf",
    "open_note",
    "request_timestamp",
    "root_from_inclusion_proof",
    "sign_checkpoint",
    "utc_now",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_timestamp",
]
