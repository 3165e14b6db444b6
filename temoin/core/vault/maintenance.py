"""Vault upkeep: fixity checks, crash recovery and the storage-versus-log consistency check.

Functions over a :class:`~temoin.core.vault.vault.Vault`; the vault's methods of the same
names delegate here.  They use the vault's internal helpers (same package).
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import TYPE_CHECKING

from temoin.core.vault.errors import IntegrityError, KeyWrapError, StorageError
from temoin.core.vault.records import Actor, ConsistencyReport, FixityResult, ItemSummary

if TYPE_CHECKING:
    from temoin.core.vault.vault import Vault

__all__ = ["check_all", "check_consistency", "check_fixity", "fixity_problems", "recover"]


def check_fixity(
    vault: Vault, sha256: str, *, actor: Actor, full: bool = True, record: bool = True
) -> FixityResult:
    """Re-read an item, re-check ciphertext hash and (if ``full``) decrypt and re-hash it."""
    summary = vault.item(sha256)
    problems: list[str] = []
    if summary.shredded:
        for prefix in ("keys", "records", "blobs"):
            if vault.storage.exists(f"{prefix}/{sha256}"):
                problems.append(f"{prefix}/{sha256} still exists after shredding")
    else:
        problems.extend(fixity_problems(vault, summary, full=full))
    ok = not problems
    hint = (
        ""
        if ok
        else (
            f"restore blobs/{sha256}, keys/{sha256} and records/{sha256} from a backup; the blob must have "
            f"SHA-256 {summary.blob_sha256} (ingest entry {summary.ingest_seq})"
        )
    )
    entry = None
    if record:
        entry = vault._log_event(
            "fixity_check",
            sha256,
            actor,
            "scheduled fixity check",
            {"result": "ok" if ok else "failed", "full": full, "problems": problems},
        )
    return FixityResult(
        sha256=sha256, ok=ok, problems=tuple(problems), restore_hint=hint, entry=entry
    )


def fixity_problems(vault: Vault, summary: ItemSummary, *, full: bool) -> list[str]:
    """What is wrong with a live item's stored objects (empty list when all is well)."""
    sha256 = summary.sha256
    problems: list[str] = []
    for prefix in ("keys", "records", "blobs"):
        if not vault.storage.exists(f"{prefix}/{sha256}"):
            problems.append(f"{prefix}/{sha256} is missing")
    if problems:
        return problems
    blob_hash = hashlib.sha256()
    with vault.storage.open_read(f"blobs/{sha256}") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            blob_hash.update(chunk)
    if blob_hash.hexdigest() != summary.blob_sha256:
        problems.append(f"blobs/{sha256}: ciphertext SHA-256 differs from the ingest entry")
    if full:
        try:
            for _ in vault._plaintext_chunks(sha256):
                pass
            vault.record_bytes(sha256)
        except (IntegrityError, KeyWrapError, StorageError) as exc:
            problems.append(exc.message)
    return problems


def check_all(
    vault: Vault,
    *,
    actor: Actor,
    full: bool = True,
    sample: int | None = None,
    seed: int | None = None,
) -> list[FixityResult]:
    """Fixity-check every item (or a random ``sample`` of them)."""
    items = [i.sha256 for i in vault.items()]
    if sample is not None and sample < len(items):
        items = random.Random(seed).sample(items, sample)
    return [check_fixity(vault, sha, actor=actor, full=full) for sha in items]


def recover(vault: Vault) -> list[str]:
    """Bring storage and log back into agreement after a crash; return what was done."""
    actions: list[str] = []
    with vault._locked():
        swept = vault.storage.sweep_temporary()
        if swept:
            actions.append(f"removed {swept} unfinished temporary object(s)")
        for name in list(vault.storage.list("pending/")):
            sha256 = name.rsplit("/", 1)[1].removesuffix(".json")
            with vault.storage.open_read(name) as handle:
                raw = handle.read()
            try:
                intent = json.loads(raw)
            except json.JSONDecodeError:
                intent = None
            present = all(
                vault.storage.exists(f"{p}/{sha256}") for p in ("keys", "records", "blobs")
            )
            if vault._ingest_entry(sha256) is not None:
                actions.append(f"item {sha256}: already logged, intent removed")
            elif present and isinstance(intent, dict):
                vault.log.append(**intent)
                actions.append(f"item {sha256}: completed interrupted ingest (rolled forward)")
            else:
                for prefix in ("keys", "records", "blobs"):
                    vault.storage.delete(f"{prefix}/{sha256}")
                actions.append(
                    f"item {sha256}: removed parts of an interrupted ingest (rolled back)"
                )
            vault.storage.delete(name)
        for summary in vault.items():
            if summary.shredded and any(
                vault.storage.exists(f"{p}/{summary.sha256}") for p in ("keys", "records", "blobs")
            ):
                vault._finish_shred(summary.sha256)
                actions.append(f"item {summary.sha256}: finished interrupted shredding")
    return actions


def check_consistency(vault: Vault) -> ConsistencyReport:
    """Every logged item has its objects, every object has its entry, nothing is pending."""
    problems: list[str] = []
    items = vault.items()
    live = {i.sha256 for i in items if not i.shredded}
    for summary in items:
        for prefix in ("keys", "records", "blobs"):
            exists = vault.storage.exists(f"{prefix}/{summary.sha256}")
            if summary.shredded and exists:
                problems.append(f"{prefix}/{summary.sha256} exists although the item was shredded")
            if not summary.shredded and not exists:
                problems.append(f"{prefix}/{summary.sha256} is missing for logged item")
    for prefix in ("keys", "records", "blobs"):
        for name in vault.storage.list(f"{prefix}/"):
            if name.rsplit("/", 1)[1] not in live:
                problems.append(f"{name} has no custody entry")
    for name in vault.storage.list("pending/"):
        problems.append(f"{name}: unfinished ingest intent")
    for name in vault.storage.list("tmp/"):
        problems.append(f"{name}: unfinished temporary object")
    return ConsistencyReport(
        items=len(items), shredded=sum(1 for i in items if i.shredded), problems=tuple(problems)
    )
