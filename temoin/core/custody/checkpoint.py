"""C2SP tlog checkpoints (https://c2sp.org/tlog-checkpoint): signing, verification, witnesses.

A checkpoint body is three lines (origin, decimal tree size, base64 root hash) and optional
extension lines; it is published as a signed note (:mod:`temoin.core.custody.note`) signed by
the log key and co-signed by *witnesses*.  A :class:`Witness` (a partner organisation) only
co-signs a checkpoint after checking it is an append-only extension of the last one it saw,
so a seized or coerced server cannot show two different histories without being caught.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from temoin.core.custody.errors import (
    CheckpointError,
    InconsistentCheckpointError,
    NoteError,
    ProofError,
    SignatureError,
)
from temoin.core.custody.merkle import HASH_SIZE, verify_consistency
from temoin.core.custody.note import (
    ALG_COSIGNATURE_V1,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    add_signatures,
    decode_b64_strict,
    open_note,
    parse_note,
)

__all__ = [
    "Checkpoint",
    "VerifiedCheckpoint",
    "Witness",
    "cosign_note",
    "sign_checkpoint",
    "verify_checkpoint",
]


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: log origin, tree size, root hash and optional extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise CheckpointError("checkpoint origin must be one non-empty line")
        if self.size < 0:
            raise CheckpointError(f"checkpoint size {self.size} is negative")
        if len(self.root) != HASH_SIZE:
            raise CheckpointError(f"checkpoint root has {len(self.root)} bytes, expected 32")
        for line in self.extensions:
            if not line or "\n" in line:
                raise CheckpointError("checkpoint extension lines must be non-empty single lines")

    def body(self) -> str:
        """The note text of this checkpoint."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode("ascii"),
            *self.extensions,
        ]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body, strictly (canonical decimal and base64)."""
        if not text.endswith("\n"):
            raise CheckpointError("checkpoint body must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("checkpoint body needs origin, size and root lines")
        origin, size_text, root_text, *extensions = lines
        if (
            not size_text.isascii()
            or not size_text.isdigit()
            or (size_text != "0" and size_text.startswith("0"))
        ):
            raise CheckpointError(f"checkpoint size {size_text!r} is not a canonical decimal")
        try:
            root = decode_b64_strict(root_text, "checkpoint root")
        except NoteError as exc:
            raise CheckpointError(exc.message) from exc
        return cls(origin=origin, size=int(size_text), root=root, extensions=tuple(extensions))


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose log signature verified, with the witnesses that co-signed it."""

    checkpoint: Checkpoint
    cosigned_by: dict[str, int] = field(default_factory=dict)  # witness name -> POSIX time
    unknown_signers: tuple[str, ...] = ()


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> bytes:
    """Return the checkpoint as a note signed by the log key."""
    if signer.algorithm != 0x01:
        raise CheckpointError(
            "a checkpoint is signed with a log key (type 0x01), not a cosigner key"
        )
    return add_signatures(checkpoint.body(), [signer.sign(checkpoint.body())])


def cosign_note(note: bytes, signature: NoteSignature) -> bytes:
    """Append one cosignature line to a signed checkpoint note."""
    text, signatures = parse_note(note)
    return add_signatures(text, [*signatures, signature])


def verify_checkpoint(
    note: bytes,
    log_verifier: NoteVerifier,
    *,
    origin: str | None = None,
    witnesses: Sequence[NoteVerifier] = (),
    quorum: int = 0,
) -> VerifiedCheckpoint:
    """Verify the log signature, every known cosignature, and a quorum of witnesses.

    Raise :class:`SignatureError` if the log signature is missing or any signature by a
    known key fails, and :class:`CheckpointError` if the origin differs or fewer than
    ``quorum`` distinct witnesses co-signed.
    """
    opened = open_note(note, [log_verifier, *witnesses])
    if not any(
        s.name == log_verifier.name and s.key_id == log_verifier.key_id for s in opened.verified
    ):
        raise SignatureError(f"checkpoint is not signed by log key {log_verifier.name}")
    checkpoint = Checkpoint.parse(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    cosigned: dict[str, int] = {}
    by_key = {(w.name, w.key_id): w for w in witnesses}
    for signature in opened.verified:
        witness = by_key.get((signature.name, signature.key_id))
        if witness is not None and witness.algorithm == ALG_COSIGNATURE_V1:
            timestamp = witness.verify(opened.text, signature)
            if timestamp is not None:
                cosigned[signature.name] = timestamp
    if len(cosigned) < quorum:
        raise CheckpointError(
            f"checkpoint has {len(cosigned)} witness cosignatures, {quorum} required"
        )
    return VerifiedCheckpoint(
        checkpoint=checkpoint,
        cosigned_by=cosigned,
        unknown_signers=tuple(s.name for s in opened.unverified),
    )


class Witness:
    """A co-signing witness for one or more logs, remembering the last tree head per origin.

    ``state_path`` (JSON) persists what the witness has seen; it is written atomically.
    """

    def __init__(
        self,
        signer: NoteSigner,
        *,
        logs: Sequence[NoteVerifier],
        state_path: Path | None = None,
        clock: Callable[[], int] | None = None,
    ) -> None:
        if signer.algorithm != ALG_COSIGNATURE_V1:
            raise CheckpointError("a witness signs with a cosigner key (type 0x04)")
        self.signer = signer
        self._logs = {log.name: log for log in logs}
        self._state_path = state_path
        self._clock = clock
        self._seen: dict[str, tuple[int, str]] = {}
        if state_path is not None and state_path.exists():
            raw = json.loads(state_path.read_text(encoding="utf-8"))
            self._seen = {k: (int(v[0]), str(v[1])) for k, v in raw.items()}

    def last_seen(self, origin: str) -> tuple[int, bytes] | None:
        """The (size, root) last co-signed for ``origin``, if any."""
        seen = self._seen.get(origin)
        return None if seen is None else (seen[0], bytes.fromhex(seen[1]))

    def cosign(self, note: bytes, *, consistency_proof: Sequence[bytes]) -> bytes:
        """Check and co-sign a checkpoint note; return the note with the cosignature added.

        ``consistency_proof`` goes from the last checkpoint this witness saw for that origin
        to the new one (empty for the first checkpoint).  Rollbacks, forks and bad proofs are
        refused with :class:`InconsistentCheckpointError` and leave the state unchanged.
        """
        text, signatures = parse_note(note)
        checkpoint = Checkpoint.parse(text)
        log = self._logs.get(checkpoint.origin)
        if log is None:
            raise CheckpointError(
                f"witness {self.signer.name} does not follow log {checkpoint.origin!r}"
            )
        verify_checkpoint(note, log, origin=checkpoint.origin)
        previous = self.last_seen(checkpoint.origin)
        if previous is not None:
            old_size, old_root = previous
            if checkpoint.size < old_size:
                raise InconsistentCheckpointError(
                    f"log {checkpoint.origin}: size {checkpoint.size} is older than {old_size} already seen"
                )
            try:
                verify_consistency(
                    old_size, checkpoint.size, old_root, checkpoint.root, consistency_proof
                )
            except ProofError as exc:
                raise InconsistentCheckpointError(
                    f"log {checkpoint.origin}: size {checkpoint.size} is not consistent with size {old_size}: {exc.message}"
                ) from exc
        now = self._clock() if self._clock is not None else int(time.time())
        signature = self.signer.sign(text, timestamp=now)
        self._seen[checkpoint.origin] = (checkpoint.size, checkpoint.root.hex())
        self._save()
        return add_signatures(text, [*signatures, signature])

    def _save(self) -> None:
        if self._state_path is None:
            return
        tmp = self._state_path.with_name(self._state_path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({k: list(v) for k, v in self._seen.items()}, handle, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self._state_path)
