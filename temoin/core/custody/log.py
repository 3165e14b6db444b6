"""The custody log: append-only custody entries as leaves of one RFC 9162 Merkle tree.

``CustodyLog`` appends entries (assigning ``seq`` = leaf index), answers inclusion and
consistency proofs, signs C2SP checkpoints with the log key and re-verifies everything it
stores (:meth:`CustodyLog.verify`): every leaf re-read from storage and re-hashed, every stored
checkpoint's signature checked and its root compared with the recomputed tree.

Time: ``time_utc`` comes from this server's clock, which proves nothing by itself; external
time comes from witnesses' cosignature timestamps (and RFC 3161 tokens, not yet implemented).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from temoin.core.custody.checkpoint import (
    Checkpoint,
    cosign_note,
    sign_checkpoint,
    verify_checkpoint,
)
from temoin.core.custody.entry import CustodyEntry, check_leaf_structure
from temoin.core.custody.errors import CustodyError, EntryError, LogCorruptError
from temoin.core.custody.merkle import MerkleTree, hash_leaf
from temoin.core.custody.note import NoteSignature, NoteSigner, NoteVerifier, parse_note
from temoin.core.custody.store import LogStore

__all__ = ["CustodyLog", "LogVerification", "utc_now"]

_ITEM_KEY = b',"item_sha256":"'
_RELATED_KEY = b',"related_sha256":'


def utc_now() -> str:
    """Current UTC time as ISO 8601 with microseconds and a ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class LogVerification:
    """Result of :meth:`CustodyLog.verify`."""

    size: int
    root: bytes
    checkpoints_verified: int


class CustodyLog:
    """Append-only custody log over a :class:`LogStore`."""

    def __init__(
        self,
        store: LogStore,
        *,
        origin: str,
        signer: NoteSigner | None = None,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self.store = store
        self.origin = origin
        self.signer = signer
        self._clock = clock
        self._lock = threading.RLock()
        self._tree = MerkleTree()
        self._by_item: dict[str, list[int]] | None = None  # built on first use
        for leaf in store.iter_leaves():
            self._tree.append_leaf_hash(hash_leaf(leaf))

    @staticmethod
    def _parse(index: int, leaf: bytes) -> CustodyEntry:
        try:
            entry = CustodyEntry.from_bytes(leaf)
        except EntryError as exc:
            raise LogCorruptError(f"custody leaf {index}: {exc.message}") from exc
        if entry.seq != index:
            raise LogCorruptError(f"custody leaf {index} carries seq {entry.seq}")
        return entry

    def _index(self, entry: CustodyEntry) -> None:
        if self._by_item is None:
            return
        self._by_item.setdefault(entry.item_sha256, []).append(entry.seq)
        if entry.related_sha256 is not None and entry.related_sha256 != entry.item_sha256:
            self._by_item.setdefault(entry.related_sha256, []).append(entry.seq)

    def _item_index(self) -> dict[str, list[int]]:
        """Item hash -> entry seqs, built once by scanning the stored leaves.

        Leaves are canonical JSON with sorted keys, so the top-level ``item_sha256`` and
        ``related_sha256`` are the *last* occurrences of those keys (only ``details``, which
        sorts before them, can nest objects; string values cannot hold an unescaped quote).
        A damaged leaf may be mis-indexed here; :meth:`verify` is what detects damage.
        """
        if self._by_item is None:
            index: dict[str, list[int]] = {}
            for seq, leaf in enumerate(self.store.iter_leaves()):
                if seq >= self._tree.size:
                    break
                at = leaf.rfind(_ITEM_KEY)
                item = leaf[at + len(_ITEM_KEY) : at + len(_ITEM_KEY) + 64].decode("ascii", "replace")
                index.setdefault(item, []).append(seq)
                at = leaf.rfind(_RELATED_KEY)
                if at >= 0 and leaf[at + len(_RELATED_KEY) : at + len(_RELATED_KEY) + 1] == b'"':
                    start = at + len(_RELATED_KEY) + 1
                    related = leaf[start : start + 64].decode("ascii", "replace")
                    if related != item:
                        index.setdefault(related, []).append(seq)
            self._by_item = index
        return self._by_item

    def _catch_up(self) -> None:
        """Take in leaves other processes appended to the shared store (call under its lock)."""
        for leaf in self.store.iter_from(self._tree.size):
            seq = self._tree.append_leaf_hash(hash_leaf(leaf))
            if self._by_item is not None:
                self._index(self._parse(seq, leaf))

    def refresh(self) -> None:
        """See entries appended by other processes since this log was opened."""
        with self._lock, self.store.locked():
            self._catch_up()

    def now(self) -> str:
        """The log clock's current UTC time (ISO 8601, ``Z``)."""
        return self._clock()

    @property
    def size(self) -> int:
        """Number of entries."""
        return self._tree.size

    def root(self, size: int | None = None) -> bytes:
        """Merkle root at ``size`` (default: now)."""
        return self._tree.root(size)

    def append(
        self,
        *,
        action: str,
        item_sha256: str,
        actor: str,
        role: str,
        organisation: str,
        system: str,
        reason: str = "",
        related_sha256: str | None = None,
        details: Mapping[str, Any] | None = None,
        time_utc: str | None = None,
    ) -> CustodyEntry:
        """Validate, durably store and return one new entry."""
        with self._lock, self.store.locked():
            self._catch_up()
            entry = CustodyEntry(
                seq=self._tree.size,
                time_utc=time_utc or self._clock(),
                action=action,
                item_sha256=item_sha256,
                actor=actor,
                role=role,
                organisation=organisation,
                system=system,
                reason=reason,
                related_sha256=related_sha256,
                details=dict(details or {}),
            )
            leaf = entry.to_bytes()
            self.store.append([leaf])
            self._tree.append_leaf_hash(hash_leaf(leaf))
            self._index(entry)
            return entry

    def append_entries(self, entries: Sequence[CustodyEntry]) -> None:
        """Append pre-built entries whose ``seq`` follow on (one durable write for the batch)."""
        with self._lock, self.store.locked():
            self._catch_up()
            leaves = []
            for offset, entry in enumerate(entries):
                if entry.seq != self._tree.size + offset:
                    raise EntryError(
                        f"custody entry {entry.seq}: expected seq {self._tree.size + offset}"
                    )
                leaves.append(entry.to_bytes())
            self.store.append(leaves)
            for entry, leaf in zip(entries, leaves, strict=True):
                self._tree.append_leaf_hash(hash_leaf(leaf))
                self._index(entry)

    def entry(self, seq: int) -> CustodyEntry:
        """The entry at ``seq``, read back from storage."""
        return self._parse(seq, self.store.read(seq))

    def entry_bytes(self, seq: int) -> bytes:
        """The exact leaf bytes of entry ``seq``."""
        return self.store.read(seq)

    def entries_for(self, item_sha256: str) -> list[CustodyEntry]:
        """Every entry about an item (as subject or as related item), oldest first."""
        return [self.entry(seq) for seq in self._item_index().get(item_sha256, [])]

    def inclusion_proof(self, seq: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``size`` entries."""
        return self._tree.inclusion_proof(seq, size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 consistency proof between two tree sizes."""
        return self._tree.consistency_proof(old_size, new_size)

    def checkpoint(self) -> bytes:
        """Sign, store and return a checkpoint note for the current tree."""
        if self.signer is None:
            raise CustodyError("this custody log has no signing key")
        with self._lock, self.store.locked():
            self._catch_up()
            checkpoint = Checkpoint(
                origin=self.origin, size=self._tree.size, root=self._tree.root()
            )
            note = sign_checkpoint(checkpoint, self.signer)
            existing = self.store.checkpoints().get(checkpoint.size)
            if existing is not None and parse_note(existing)[0] == checkpoint.body():
                return existing
            self.store.save_checkpoint(checkpoint.size, note)
            return note

    def add_cosignatures(self, note: bytes, cosignatures: Sequence[NoteSignature]) -> bytes:
        """Merge witness cosignatures into the stored checkpoint note of the same tree size."""
        text, _ = parse_note(note)
        checkpoint = Checkpoint.parse(text)
        stored = self.store.checkpoints().get(checkpoint.size, note)
        for signature in cosignatures:
            stored = cosign_note(stored, signature)
        self.store.save_checkpoint(checkpoint.size, stored)
        return stored

    def latest_checkpoint(self) -> bytes | None:
        """The stored checkpoint note with the largest size, if any."""
        stored = self.store.checkpoints()
        return stored[max(stored)] if stored else None

    def verify(
        self,
        log_verifier: NoteVerifier,
        *,
        witnesses: Sequence[NoteVerifier] = (),
        structure: Literal["uncovered", "all", "none"] = "uncovered",
    ) -> LogVerification:
        """Re-read every leaf, rebuild the tree and check every stored checkpoint against it.

        With ``witnesses``, every signature line of a stored checkpoint must be by the log or
        one of them and verify (a damaged cosignature is reported, not skipped).
        Every leaf is hashed and the tree rebuilt.  ``structure`` says which entries are also
        re-parsed (canonical JSON, fields, seq): ``"uncovered"`` (default) those after the
        largest signed checkpoint — earlier ones were validated when appended and are pinned
        by the signature —, ``"all"`` every entry, ``"none"`` none.
        Raise :class:`LogCorruptError` naming the first problem found.
        """
        checkpoints = self.store.checkpoints()
        covered = max(checkpoints, default=0) if structure == "uncovered" else 0
        tree = MerkleTree()
        for index, leaf in enumerate(self.store.iter_leaves()):
            if structure == "all" or (structure == "uncovered" and index >= covered):
                try:
                    check_leaf_structure(index, leaf)
                except EntryError as exc:
                    raise LogCorruptError(exc.message) from exc
            tree.append_leaf_hash(hash_leaf(leaf))
        for size, note in sorted(checkpoints.items()):
            try:
                verified = verify_checkpoint(
                    note, log_verifier, origin=self.origin, witnesses=witnesses
                )
            except CustodyError as exc:
                raise LogCorruptError(f"checkpoint of size {size}: {exc.message}") from exc
            if witnesses and verified.unknown_signers:
                raise LogCorruptError(
                    f"checkpoint of size {size}: signature lines by unknown keys {list(verified.unknown_signers)}"
                )
            if verified.checkpoint.size != size:
                raise LogCorruptError(
                    f"checkpoint file for size {size} holds size {verified.checkpoint.size}"
                )
            if size > tree.size:
                raise LogCorruptError(
                    f"checkpoint of size {size} is beyond the {tree.size} stored entries"
                )
            if tree.root(size) != verified.checkpoint.root:
                raise LogCorruptError(
                    f"stored entries do not match the signed checkpoint of size {size}"
                )
        return LogVerification(
            size=tree.size, root=tree.root(), checkpoints_verified=len(checkpoints)
        )
