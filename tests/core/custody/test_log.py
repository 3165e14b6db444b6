"""Custody log: entries, persistence, recovery from a torn write, verification, tampering."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from temoin.core.custody import (
    CustodyEntry,
    CustodyLog,
    EntryError,
    FileLogStore,
    LogCorruptError,
    MemoryLogStore,
    NoteSigner,
    hash_leaf,
    verify_checkpoint,
    verify_inclusion,
)

ITEM_A = "a" * 64
ITEM_B = "b" * 64
ORIGIN = "temoin.example/custody"  # synthetic


def _clock() -> str:
    return "2026-11-27T09:00:00.000000Z"


def _append(log: CustodyLog, i: int) -> CustodyEntry:
    return log.append(
        action="ingest" if i % 3 == 0 else "access",
        item_sha256=ITEM_A if i % 2 else ITEM_B,
        actor=f"actor-{i % 4}",
        role="analyst",
        organisation="synthetic-org",
        system="test-host",
        reason=f"synthetic reason {i}",
        details={"n": i, "note": "é"},
    )


def test_entry_canonical_bytes_are_exact() -> None:
    entry = CustodyEntry(
        seq=0, time_utc="2026-11-27T09:00:00Z", action="ingest", item_sha256=ITEM_A,
        actor="p-1", role="analyst", organisation="org", system="host", details={"b": 1, "a": [True, None]},
    )
    assert entry.to_bytes() == (
        '{"action":"ingest","actor":"p-1","details":{"a":[true,null],"b":1},"item_sha256":"' + ITEM_A
        + '","organisation":"org","reason":"","related_sha256":null,"role":"analyst","seq":0,'
        '"system":"host","time_utc":"2026-11-27T09:00:00Z","version":"temoin.custody.v1"}'
    ).encode()
    assert CustodyEntry.from_bytes(entry.to_bytes()) == entry


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("action", "delete", "field action 'delete' is not one of"),
        ("item_sha256", "A" * 64, "field item_sha256 must be 64 lowercase hex"),
        ("time_utc", "2026-11-27 09:00", "field time_utc must be ISO 8601 UTC"),
        ("actor", "", "field actor is required"),
        ("details", {"x": 1.5}, "details.x: float is not allowed"),
    ],
)
def test_bad_entries_name_the_field(field: str, value: object, message: str) -> None:
    base: dict[str, object] = dict(
        seq=3, time_utc="2026-11-27T09:00:00Z", action="ingest", item_sha256=ITEM_A,
        actor="p", role="r", organisation="o", system="s",
    )
    base[field] = value
    with pytest.raises(EntryError, match=message):
        CustodyEntry(**base)  # type: ignore[arg-type]  # deliberately wrong values


def test_non_canonical_leaf_bytes_are_refused() -> None:
    entry = CustodyEntry(seq=0, time_utc="2026-11-27T09:00:00Z", action="ingest", item_sha256=ITEM_A,
                         actor="p", role="r", organisation="o", system="s")
    spaced = entry.to_bytes().replace(b'"seq":0', b'"seq": 0')
    with pytest.raises(EntryError, match="not in canonical form"):
        CustodyEntry.from_bytes(spaced)


def test_file_log_persists_proves_and_verifies(tmp_path: Path) -> None:
    signer = NoteSigner.generate(ORIGIN)
    log = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, signer=signer, clock=_clock)
    for i in range(37):
        _append(log, i)
    note = log.checkpoint()
    reopened = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, signer=signer)
    assert reopened.size == 37
    assert reopened.root() == log.root()
    assert [e.seq for e in reopened.entries_for(ITEM_A)] == list(range(1, 37, 2))
    checkpoint = verify_checkpoint(note, signer.verifier).checkpoint
    for seq in (0, 17, 36):
        verify_inclusion(seq, 37, hash_leaf(reopened.entry_bytes(seq)), reopened.inclusion_proof(seq, 37),
                         checkpoint.root)
    result = reopened.verify(signer.verifier)
    assert (result.size, result.checkpoints_verified) == (37, 1)


def test_torn_tail_is_cut_on_reopen_and_acknowledged_entries_survive(tmp_path: Path) -> None:
    log = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, clock=_clock)
    for i in range(5):
        _append(log, i)
    with open(tmp_path / "entries.jsonl", "ab") as handle:
        handle.write(b'{"action":"ingest","act')  # crash in the middle of a write
    reopened = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, clock=_clock)
    assert reopened.size == 5
    assert reopened.root() == log.root()
    assert (tmp_path / "entries.jsonl").read_bytes().endswith(b"}\n")
    assert [p.read_bytes() for p in tmp_path.glob("torn-tail-at-*.bin")] == [b'{"action":"ingest","act']
    assert _append(reopened, 5).seq == 5


def test_every_historical_rewrite_is_detected_by_verify(tmp_path: Path) -> None:
    """G-E4 style: random single-byte rewrites of stored history, each caught by verify()."""
    signer = NoteSigner.generate(ORIGIN)
    log = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, signer=signer, clock=_clock)
    for i in range(40):
        _append(log, i)
    log.checkpoint()
    path = tmp_path / "entries.jsonl"
    clean = path.read_bytes()
    rng = random.Random(7)
    trials = 300
    detected = 0
    for _ in range(trials):
        data = bytearray(clean)
        position = rng.randrange(len(data))
        data[position] ^= rng.randrange(1, 256) if rng.random() < 0.5 else 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
        try:
            CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, signer=signer).verify(signer.verifier)
        except LogCorruptError:
            detected += 1
        path.write_bytes(clean)
    print(f"log history rewrites: {detected}/{trials} detected")
    assert detected == trials


def test_deleting_or_reordering_history_is_detected() -> None:
    signer = NoteSigner.generate(ORIGIN)
    store = MemoryLogStore()
    log = CustodyLog(store, origin=ORIGIN, signer=signer, clock=_clock)
    for i in range(6):
        _append(log, i)
    log.checkpoint()
    leaves = list(store.iter_leaves())
    swapped = MemoryLogStore()
    swapped.append([leaves[1], leaves[0], *leaves[2:]])
    with pytest.raises(LogCorruptError, match="custody entry 0 has a wrong version or seq"):
        CustodyLog(swapped, origin=ORIGIN).verify(signer.verifier)
    truncated = MemoryLogStore()
    truncated.append(leaves[:5])
    truncated.save_checkpoint(6, store.checkpoints()[6])
    with pytest.raises(LogCorruptError, match="beyond the 5 stored entries"):
        CustodyLog(truncated, origin=ORIGIN).verify(signer.verifier)


def test_checkpoint_by_another_key_is_reported() -> None:
    store = MemoryLogStore()
    log = CustodyLog(store, origin=ORIGIN, signer=NoteSigner.generate(ORIGIN), clock=_clock)
    _append(log, 0)
    log.checkpoint()
    with pytest.raises(LogCorruptError, match="checkpoint of size 1: checkpoint is not signed by log key"):
        log.verify(NoteSigner.generate(ORIGIN).verifier)


def test_item_index_ignores_lookalike_keys_nested_in_details(tmp_path: Path) -> None:
    log = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, clock=_clock)
    log.append(action="ingest", item_sha256=ITEM_A, actor="p", role="r", organisation="o", system="s",
               details={"item_sha256": ITEM_B, "related_sha256": ITEM_B, "x": {"item_sha256": ITEM_B}},
               reason='tricky ,"item_sha256":"' + ITEM_B)
    log.append(action="derivative_created", item_sha256=ITEM_B, related_sha256=ITEM_A, actor="p", role="r",
               organisation="o", system="s")
    reopened = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN)
    assert [e.seq for e in reopened.entries_for(ITEM_A)] == [0, 1]
    assert [e.seq for e in reopened.entries_for(ITEM_B)] == [1]


def test_two_processes_appending_to_one_file_log_interleave_safely(tmp_path: Path) -> None:
    """Forked writers share the store: every entry lands once, seqs are 0..n-1, root verifies."""
    import os

    signer = NoteSigner.generate(ORIGIN)
    CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, clock=_clock)  # create the files
    children = []
    for writer in range(2):
        pid = os.fork()
        if pid == 0:
            try:
                log = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, clock=_clock)
                for i in range(150):
                    log.append(action="access", item_sha256=ITEM_A, actor=f"writer-{writer}", role="r",
                               organisation="o", system="s", reason=f"{writer}-{i}")
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        assert os.waitpid(pid, 0)[1] == 0
    log = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, signer=signer)
    assert log.size == 300
    reasons = sorted(log.entry(seq).reason for seq in range(300))
    assert reasons == sorted(f"{w}-{i}" for w in range(2) for i in range(150))
    log.checkpoint()
    assert log.verify(signer.verifier, structure="all").size == 300


def test_a_log_opened_earlier_sees_other_writers_after_refresh(tmp_path: Path) -> None:
    first = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, clock=_clock)
    second = CustodyLog(FileLogStore(tmp_path), origin=ORIGIN, clock=_clock)
    _append(first, 0)
    assert second.size == 0
    entry = _append(second, 1)  # appending catches up first
    assert entry.seq == 1 and second.size == 2
    first.refresh()
    assert first.size == 2 and first.root() == second.root()
