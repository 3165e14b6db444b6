"""Crypto-shredding an original with its working copies: refused with the list unless
``with_derivatives``; then every copy has its own custody entry and none can be decrypted.
Synthetic data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from temoin.core.vault import DerivativesExistError, ItemShreddedError, StorageError

from .helpers import ANALYST, make_vault

ORIGINAL = b"synthetic original testimony audio\n" * 40
REDACTED = b"synthetic redacted copy\n" * 40
TRANSCRIPT = b"synthetic transcript of the redacted copy\n" * 40
OPERATION = {"name": "blur_faces", "tool": "synthetic-tool", "tool_version": "0"}


def _vault_with_copies(root: Path):  # type: ignore[no-untyped-def]
    vault = make_vault(root)
    original = vault.ingest(io.BytesIO(ORIGINAL), actor=ANALYST, filename="o.wav").item.sha256
    redacted = vault.ingest(io.BytesIO(REDACTED), actor=ANALYST, filename="r.wav", derived_from=original,
                            operation=OPERATION).item.sha256
    transcript = vault.ingest(io.BytesIO(TRANSCRIPT), actor=ANALYST, filename="t.txt", derived_from=redacted,
                              operation={**OPERATION, "name": "transcribe"}).item.sha256
    return vault, original, redacted, transcript


def test_shred_with_copies_is_refused_with_the_list_and_changes_nothing(tmp_path: Path) -> None:
    vault, original, redacted, transcript = _vault_with_copies(tmp_path)
    assert vault.derivatives(original) == [redacted, transcript]
    size = vault.log.size
    with pytest.raises(DerivativesExistError) as refused:
        vault.shred(original, actor=ANALYST, reason="consent withdrawn", authority="decision S-1")
    assert refused.value.code == "vault.derivatives_exist"
    assert refused.value.derivatives == (redacted, transcript)
    assert refused.value.message == (
        f"item {original} has 2 working copies that would keep its content: {redacted}, {transcript}; "
        "shred them first or shred with their original (with_derivatives)"
    )
    assert vault.log.size == size
    for sha in (original, redacted, transcript):
        assert vault.storage.exists(f"keys/{sha}") and not vault.item(sha).shredded


def test_shred_with_derivatives_destroys_every_key_and_logs_each(tmp_path: Path) -> None:
    vault, original, redacted, transcript = _vault_with_copies(tmp_path)
    size = vault.log.size
    entry = vault.shred(original, actor=ANALYST, reason="consent withdrawn", authority="decision S-1",
                        with_derivatives=True)
    new = [vault.log.entry(seq) for seq in range(size, vault.log.size)]
    assert [(e.action, e.item_sha256) for e in new] == [
        ("key_destroyed", transcript), ("key_destroyed", redacted), ("key_destroyed", original)]
    assert new[0].details == {"authority": "decision S-1", "with_original": original}
    assert entry.details == {"authority": "decision S-1", "derivatives": [redacted, transcript]}
    assert all(e.actor == ANALYST.id and e.reason == "consent withdrawn" for e in new)
    for sha in (original, redacted, transcript):
        assert vault.item(sha).shredded
        for prefix in ("keys", "records", "blobs"):
            assert not vault.storage.exists(f"{prefix}/{sha}")
        with pytest.raises(ItemShreddedError):
            list(vault.open_original(sha, actor=ANALYST, reason="try"))
        with pytest.raises(ItemShreddedError):
            vault.read_record(sha)
        with pytest.raises(StorageError):
            vault.storage.open_read(f"keys/{sha}")
    assert vault.check_consistency().ok
    reopened = make_vault(tmp_path)
    assert reopened.check_consistency().ok and all(reopened.item(s).shredded for s in (original, redacted, transcript))


def test_copies_shredded_first_then_the_original_alone(tmp_path: Path) -> None:
    vault, original, redacted, transcript = _vault_with_copies(tmp_path)
    with pytest.raises(DerivativesExistError) as refused:
        vault.shred(redacted, actor=ANALYST, reason="r", authority="a")
    assert refused.value.derivatives == (transcript,)
    vault.shred(transcript, actor=ANALYST, reason="r", authority="a")
    vault.shred(redacted, actor=ANALYST, reason="r", authority="a")
    entry = vault.shred(original, actor=ANALYST, reason="r", authority="a")
    assert entry.details == {"authority": "a"}
    assert vault.check_consistency().ok
