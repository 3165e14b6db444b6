"""What a log hands a witness, and what the log checks in what comes back.

A witness (a partner organisation) asks the log for its latest signed checkpoint and the
RFC 9162 consistency proof from the tree size it last co-signed; the exchange is one JSON
object (:class:`WitnessRequest`), served over HTTP or carried on a USB stick to an air-gapped
partner.  The witness checks it with :class:`temoin.core.custody.checkpoint.Witness` and returns
the note with its ``cosignature/v1`` line; :func:`accepted_cosignatures` is the log's side:
which registered witnesses validly co-signed exactly the checkpoint the log stored.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from temoin.core.custody.checkpoint import Checkpoint, verify_checkpoint
from temoin.core.custody.errors import CheckpointError, NoteError
from temoin.core.custody.merkle import HASH_SIZE
from temoin.core.custody.note import (
    ALG_COSIGNATURE_V1,
    NoteSignature,
    NoteVerifier,
    decode_b64_strict,
    parse_note,
)

__all__ = ["AcceptedCosignature", "WitnessRequest", "accepted_cosignatures"]

FORMAT = "temoin-witness-request/v1"


@dataclass(frozen=True)
class WitnessRequest:
    """A signed checkpoint note and the consistency proof from ``from_size`` to its size."""

    note: bytes
    from_size: int
    proof: tuple[bytes, ...]

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint.parse(parse_note(self.note)[0])

    def to_json(self) -> dict[str, Any]:
        checkpoint = self.checkpoint
        return {
            "format": FORMAT,
            "origin": checkpoint.origin,
            "size": checkpoint.size,
            "from_size": self.from_size,
            "checkpoint": self.note.decode("utf-8"),
            "consistency_proof": [base64.b64encode(h).decode("ascii") for h in self.proof],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WitnessRequest:
        """Parse strictly; raise :class:`CheckpointError` naming the field that is wrong."""
        if data.get("format") != FORMAT:
            raise CheckpointError(f"witness request: format is not {FORMAT!r}")
        note, from_size, proof = data.get("checkpoint"), data.get("from_size"), data.get("consistency_proof")
        if not isinstance(note, str):
            raise CheckpointError("witness request: field checkpoint must be the signed note text")
        if not isinstance(from_size, int) or isinstance(from_size, bool) or from_size < 0:
            raise CheckpointError("witness request: field from_size must be a non-negative integer")
        if not isinstance(proof, list) or not all(isinstance(h, str) for h in proof):
            raise CheckpointError("witness request: field consistency_proof must be a list of base64 hashes")
        hashes: list[bytes] = []
        for number, text in enumerate(proof):
            try:
                raw = decode_b64_strict(text, f"consistency_proof[{number}]")
            except NoteError as exc:
                raise CheckpointError(f"witness request: {exc.message}") from exc
            if len(raw) != HASH_SIZE:
                raise CheckpointError(f"witness request: consistency_proof[{number}] is not 32 bytes")
            hashes.append(raw)
        request = cls(note=note.encode("utf-8"), from_size=from_size, proof=tuple(hashes))
        checkpoint = request.checkpoint
        if from_size > checkpoint.size:
            raise CheckpointError(
                f"witness request: from_size {from_size} is beyond the checkpoint size {checkpoint.size}"
            )
        if data.get("size") != checkpoint.size or data.get("origin") != checkpoint.origin:
            raise CheckpointError("witness request: size or origin differ from the signed checkpoint")
        return request


@dataclass(frozen=True)
class AcceptedCosignature:
    """One verified cosignature: the witness key, the time it vouches for and its line."""

    witness: NoteVerifier
    timestamp: int
    signature: NoteSignature


def accepted_cosignatures(
    note: bytes,
    *,
    log_verifier: NoteVerifier,
    stored_body: str,
    witnesses: Sequence[NoteVerifier],
) -> list[AcceptedCosignature]:
    """Cosignatures of ``note`` by ``witnesses``, checked against the checkpoint the log stored.

    Raise :class:`CheckpointError` if the note is not the stored checkpoint (``stored_body``)
    or carries no cosignature by a registered witness, and :class:`SignatureError` if the log
    signature or any signature by a registered key fails to verify.
    """
    cosigners = [w for w in witnesses if w.algorithm == ALG_COSIGNATURE_V1]
    verified = verify_checkpoint(note, log_verifier, origin=log_verifier.name, witnesses=cosigners)
    text, signatures = parse_note(note)
    if text != stored_body:
        raise CheckpointError(
            f"co-signed checkpoint of size {verified.checkpoint.size} differs from the one this log signed"
        )
    by_key = {(w.name, w.key_id): w for w in cosigners}
    accepted: list[AcceptedCosignature] = []
    for signature in signatures:
        witness = by_key.get((signature.name, signature.key_id))
        if witness is None or any(a.witness.name == witness.name for a in accepted):
            continue
        timestamp = witness.verify(text, signature)  # verified above; returns its time
        if timestamp is not None:
            accepted.append(AcceptedCosignature(witness, timestamp, signature))
    if not accepted:
        raise CheckpointError(
            f"checkpoint of size {verified.checkpoint.size} carries no cosignature by a registered witness"
        )
    return accepted
