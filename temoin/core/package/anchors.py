"""Earlier checkpoints a package carries as outside anchors: co-signed and time-stamped.

A package's own checkpoint is signed at export, after its ``export`` entries, so no witness
or time-stamping authority has seen it yet. What they did see are earlier checkpoints: the
builder copies those (the note with its witness cosignatures, the RFC 3161 tokens over its
body) and adds the RFC 9162 consistency proof from each one to the package checkpoint. The
verifier then knows that every entry below an anchor's size was in the tree the witnesses
co-signed and the TSA dated — a server rewriting history afterwards cannot produce these.

Layout, under ``data/anchors/``::

    checkpoint-<size>/checkpoint.note     the signed note, with its cosignatures
    checkpoint-<size>/consistency.json    {"from_size", "to_size", "proof": [hex]}
    checkpoint-<size>/timestamp-<n>.tsr   RFC 3161 responses over the checkpoint body
    roots/<n>.pem                         TSA root certificates the tokens chain to
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from temoin.core.custody.checkpoint import Checkpoint
from temoin.core.custody.errors import CustodyError
from temoin.core.custody.log import CustodyLog
from temoin.core.custody.note import parse_note
from temoin.core.package.errors import PackageError

__all__ = ["CheckpointAnchor", "write_anchors"]


@dataclass(frozen=True)
class CheckpointAnchor:
    """An earlier signed checkpoint note (with cosignatures) and its time-stamp tokens."""

    note: bytes
    tokens: tuple[bytes, ...] = ()


def write_anchors(
    log: CustodyLog,
    staging: Path,
    anchors: Sequence[CheckpointAnchor],
    *,
    size: int,
    roots: Sequence[x509.Certificate] = (),
) -> list[int]:
    """Write ``anchors`` (each at most ``size``, matching this log's tree) into ``staging``;
    return their sizes. A note that does not match the log's own root is refused."""
    if not anchors:
        return []
    folder = staging / "anchors"
    written: list[int] = []
    for anchor in anchors:
        try:
            checkpoint = Checkpoint.parse(parse_note(anchor.note)[0])
        except CustodyError as exc:
            raise PackageError(f"anchor checkpoint: {exc.message}") from exc
        if checkpoint.origin != log.origin or not 0 < checkpoint.size <= size:
            raise PackageError(f"anchor checkpoint of size {checkpoint.size} is not of this log below {size}")
        if checkpoint.size in written:
            continue
        if log.root(checkpoint.size) != checkpoint.root:
            raise PackageError(f"anchor checkpoint of size {checkpoint.size} does not match the log")
        target = folder / f"checkpoint-{checkpoint.size}"
        target.mkdir(parents=True)
        (target / "checkpoint.note").write_bytes(anchor.note)
        proof = log.consistency_proof(checkpoint.size, size)
        (target / "consistency.json").write_bytes(json.dumps(
            {"from_size": checkpoint.size, "to_size": size, "proof": [h.hex() for h in proof]},
            indent=1).encode() + b"\n")
        for number, token in enumerate(anchor.tokens):
            (target / f"timestamp-{number}.tsr").write_bytes(token)
        written.append(checkpoint.size)
    if roots and any(anchor.tokens for anchor in anchors):
        (folder / "roots").mkdir()
        for number, root in enumerate(roots):
            (folder / "roots" / f"{number}.pem").write_bytes(root.public_bytes(Encoding.PEM))
    return written
