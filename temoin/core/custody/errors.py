"""Errors of the custody package (Merkle proofs, signed notes, checkpoints, custody log).

Exception tree (each class has a stable ``code``)::

    CustodyError                      custody.error
    ├── ProofError                    custody.proof_invalid
    ├── NoteError                     custody.note_malformed
    │   ├── KeyFormatError            custody.key_malformed
    │   └── SignatureError            custody.signature_invalid
    ├── CheckpointError               custody.checkpoint_invalid
    │   └── InconsistentCheckpointError  custody.checkpoint_inconsistent
    ├── EntryError                    custody.entry_invalid
    ├── LogCorruptError               custody.log_corrupt
    └── TimestampError                custody.timestamp_invalid

Messages name the record (leaf index, tree size, key name, entry field) and never contain
personal data: custody entries carry pseudonymous actor ids only.
"""

from __future__ import annotations

__all__ = [
    "CheckpointError",
    "CustodyError",
    "EntryError",
    "InconsistentCheckpointError",
    "KeyFormatError",
    "LogCorruptError",
    "NoteError",
    "ProofError",
    "SignatureError",
    "TimestampError",
]


class CustodyError(Exception):
    """Base class of every error raised by ``temoin.core.custody``."""

    code = "custody.error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProofError(CustodyError):
    """An inclusion or consistency proof does not verify (or cannot be built)."""

    code = "custody.proof_invalid"


class NoteError(CustodyError):
    """A signed note is malformed (C2SP signed-note syntax)."""

    code = "custody.note_malformed"


class KeyFormatError(NoteError):
    """A signer or verifier key string is malformed."""

    code = "custody.key_malformed"


class SignatureError(NoteError):
    """A signature is present but does not verify."""

    code = "custody.signature_invalid"


class CheckpointError(CustodyError):
    """A checkpoint body is malformed or does not match what was expected."""

    code = "custody.checkpoint_invalid"


class InconsistentCheckpointError(CheckpointError):
    """A new checkpoint is not an append-only extension of one seen before."""

    code = "custody.checkpoint_inconsistent"


class EntryError(CustodyError):
    """A custody entry is missing a field or has a field of the wrong shape."""

    code = "custody.entry_invalid"


class LogCorruptError(CustodyError):
    """The stored custody log does not match its own signed checkpoints or is unreadable."""

    code = "custody.log_corrupt"


class TimestampError(CustodyError):
    """An RFC 3161 time-stamp response is refused (status, imprint, nonce, signature, chain)."""

    code = "custody.timestamp_invalid"
