"""Tests for temoin.core.auditchain (hash chain of the append-only audit log)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from temoin.core.auditchain import (
    GENESIS,
    ChainEntry,
    ChainReport,
    canonical_json,
    entry_hash,
    next_entry,
    verify_chain,
)


def build_chain(n: int) -> list[ChainEntry]:
    """A synthetic chain of n audit rows (no real people)."""
    chain: list[ChainEntry] = []
    previous: ChainEntry | None = None
    for i in range(n):
        previous = next_entry(
            previous=previous,
            payload={
                "actor": f"synthetic-user-{i % 3}",
                "action": "event.update",
                "object": f"E-{i:04d}",
                "at": f"2026-11-27T09:{i % 60:02d}:00+00:00",
                "why": "correction d'orthographe" if i % 2 else "initial",
            },
        )
        chain.append(previous)
    return chain


def test_canonical_json_exact_bytes() -> None:
    assert canonical_json({"b": 1, "a": "Ségou", "c": [1, None, True]}) == (
        '{"a":"Ségou","b":1,"c":[1,null,true]}'.encode()
    )
    assert canonical_json({"z": {"y": 1, "x": 2}}) == b'{"z":{"x":2,"y":1}}'


@pytest.mark.parametrize(
    "bad",
    [
        {"at": datetime(2026, 11, 27, tzinfo=UTC)},
        {"amount": Decimal("1.5")},
        {"raw": b"bytes"},
        {"nested": {"at": datetime(2026, 11, 27, tzinfo=UTC)}},
        {"x": float("nan")},
        {"x": float("inf")},
        {1: "non-str key"},
        {"nested": [{2: "non-str key"}]},
    ],
)
def test_canonical_json_refuses_non_json(bad: dict[Any, Any]) -> None:
    with pytest.raises(TypeError):
        canonical_json(bad)


def test_canonical_json_refuses_non_mapping() -> None:
    with pytest.raises(TypeError):
        canonical_json(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_entry_hash_known_answer() -> None:
    message = b"temoin.audit.v1\x00" + b"0" * 64 + b"\x000\x00" + b'{"a":1}'
    assert entry_hash(prev_hash=GENESIS, sequence=0, payload={"a": 1}) == (
        hashlib.sha256(message).hexdigest()
    )


def test_entry_hash_binds_every_field() -> None:
    base = entry_hash(prev_hash=GENESIS, sequence=1, payload={"a": 1})
    assert entry_hash(prev_hash="1" * 64, sequence=1, payload={"a": 1}) != base
    assert entry_hash(prev_hash=GENESIS, sequence=2, payload={"a": 1}) != base
    assert entry_hash(prev_hash=GENESIS, sequence=1, payload={"a": 2}) != base
    assert entry_hash(prev_hash=GENESIS, sequence=1, payload={"a": "1"}) != base


@pytest.mark.parametrize(
    ("prev_hash", "sequence"),
    [("0" * 63, 0), ("G" * 64, 0), ("A" * 64, 0), (GENESIS, -1), (GENESIS, True)],
)
def test_entry_hash_refuses_bad_fields(prev_hash: str, sequence: int) -> None:
    with pytest.raises(ValueError):
        entry_hash(prev_hash=prev_hash, sequence=sequence, payload={})


def test_intact_chain_verifies() -> None:
    chain = build_chain(50)
    report = verify_chain(chain)
    assert report == ChainReport(
        ok=True,
        checked=50,
        first_bad_sequence=None,
        problem=None,
        detail="",
        last_hash=chain[-1].entry_hash,
    )


def test_empty_chain_is_ok() -> None:
    assert verify_chain([]) == ChainReport(True, 0, None, None, "", GENESIS)


def test_verify_streams_from_an_iterator() -> None:
    chain = build_chain(10)

    def rows() -> Iterator[ChainEntry]:
        yield from chain

    assert verify_chain(rows()).ok


def replace(entry: ChainEntry, **changes: Any) -> ChainEntry:
    return dataclasses.replace(entry, **changes)


def test_edited_payload() -> None:
    chain = build_chain(10)
    chain[4] = replace(chain[4], payload={**chain[4].payload, "why": "edited"})
    report = verify_chain(chain)
    assert (report.ok, report.problem, report.first_bad_sequence, report.checked) == (
        False,
        "audit.hash_mismatch",
        4,
        5,
    )
    assert report.last_hash == chain[3].entry_hash


def test_edited_hash() -> None:
    chain = build_chain(10)
    chain[6] = replace(chain[6], entry_hash="f" * 64)
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.hash_mismatch", 6)


def test_edited_payload_with_recomputed_hash_breaks_next_link() -> None:
    chain = build_chain(10)
    payload = {**chain[4].payload, "why": "edited"}
    forged = entry_hash(prev_hash=chain[4].prev_hash, sequence=4, payload=payload)
    chain[4] = replace(chain[4], payload=payload, entry_hash=forged)
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.broken_link", 5)


def test_deleted_row() -> None:
    chain = build_chain(10)
    del chain[3]
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.gap", 3)


def test_deleted_row_with_renumbering() -> None:
    chain = build_chain(10)
    del chain[3]
    chain[3:] = [replace(e, sequence=e.sequence - 1) for e in chain[3:]]
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.broken_link", 3)


def test_reordered_rows() -> None:
    chain = build_chain(10)
    chain[5], chain[6] = chain[6], chain[5]
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.gap", 5)


def test_reordered_rows_with_swapped_numbers() -> None:
    chain = build_chain(10)
    a, b = chain[5], chain[6]
    chain[5], chain[6] = replace(b, sequence=5), replace(a, sequence=6)
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.broken_link", 5)


def test_inserted_row_with_duplicate_sequence() -> None:
    chain = build_chain(10)
    intruder = next_entry(previous=chain[2], payload={"action": "forged"})
    chain.insert(3, intruder)
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.gap", 3)
    assert report.checked == 5


def test_inserted_row_with_renumbering() -> None:
    chain = build_chain(10)
    intruder = next_entry(previous=chain[2], payload={"action": "forged"})
    chain = [*chain[:3], intruder, *(replace(e, sequence=e.sequence + 1) for e in chain[3:])]
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.broken_link", 4)


def test_bad_genesis() -> None:
    chain = build_chain(3)
    chain[0] = replace(chain[0], prev_hash="1" * 64)
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.bad_genesis", 0)


def test_first_row_deleted() -> None:
    chain = build_chain(3)
    report = verify_chain(chain[1:])
    assert (report.problem, report.first_bad_sequence) == ("audit.gap", 0)


def test_non_json_payload_is_a_hash_mismatch_not_a_crash() -> None:
    chain = build_chain(3)
    chain[1] = replace(chain[1], payload={"at": datetime(2026, 1, 1, tzinfo=UTC)})
    report = verify_chain(chain)
    assert (report.problem, report.first_bad_sequence) == ("audit.hash_mismatch", 1)
    assert "datetime" in report.detail


def test_verify_a_tail_from_a_checkpoint() -> None:
    chain = build_chain(20)
    tail = chain[12:]
    assert verify_chain(tail).problem == "audit.gap"
    report = verify_chain(tail, start_sequence=12, start_prev_hash=chain[11].entry_hash)
    assert report.ok and report.checked == 8
    report = verify_chain(tail, start_sequence=12, start_prev_hash=chain[10].entry_hash)
    assert (report.problem, report.first_bad_sequence) == ("audit.bad_genesis", 12)


# --------------------------------------------------------------------- properties

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
payloads = st.dictionaries(st.text(max_size=8), json_values, max_size=5)


def chain_of(items: list[dict[str, Any]]) -> list[ChainEntry]:
    chain: list[ChainEntry] = []
    previous: ChainEntry | None = None
    for payload in items:
        previous = next_entry(previous=previous, payload=payload)
        chain.append(previous)
    return chain


@given(st.lists(payloads, min_size=1, max_size=12))
def test_any_chain_verifies(items: list[dict[str, Any]]) -> None:
    chain = chain_of(items)
    report = verify_chain(chain)
    assert report.ok and report.checked == len(chain)
    assert report.last_hash == chain[-1].entry_hash


@given(st.lists(payloads, min_size=2, max_size=12), st.data())
def test_any_single_tamper_is_detected_at_its_sequence(
    items: list[dict[str, Any]], data: st.DataObject
) -> None:
    chain = chain_of(items)
    index = data.draw(st.integers(0, len(chain) - 1))
    kind = data.draw(st.sampled_from(["payload", "hash", "prev", "delete", "swap"]))
    target = chain[index]
    if kind == "payload":
        chain[index] = replace(target, payload={**target.payload, "\x00tamper": 1})
        expected = ("audit.hash_mismatch", index)
    elif kind == "hash":
        flipped = ("0" if target.entry_hash[0] != "0" else "1") + target.entry_hash[1:]
        chain[index] = replace(target, entry_hash=flipped)
        expected = ("audit.hash_mismatch", index)
    elif kind == "prev":
        flipped = ("0" if target.prev_hash[0] != "0" else "1") + target.prev_hash[1:]
        chain[index] = replace(target, prev_hash=flipped)
        expected = ("audit.bad_genesis" if index == 0 else "audit.broken_link", index)
    elif kind == "delete":
        if index == len(chain) - 1:
            return  # truncating the tail needs an external checkpoint (documented)
        del chain[index]
        expected = ("audit.gap", index)
    else:
        if index == len(chain) - 1:
            index -= 1
        chain[index], chain[index + 1] = chain[index + 1], chain[index]
        expected = ("audit.gap", index)
    report = verify_chain(chain)
    assert not report.ok
    assert (report.problem, report.first_bad_sequence) == expected


@given(payloads)
def test_canonical_json_is_order_independent(payload: dict[str, Any]) -> None:
    reversed_payload = dict(reversed(list(payload.items())))
    assert canonical_json(payload) == canonical_json(reversed_payload)


def test_consistent_rewrite_is_caught_by_a_checkpoint() -> None:
    chain = build_chain(10)
    checkpoints = {7: chain[7].entry_hash}
    rewritten = chain[:4]
    previous = chain[3]
    for entry in chain[4:]:
        payload = {**entry.payload, "why": "rewritten"} if entry.sequence == 4 else entry.payload
        previous = next_entry(previous=previous, payload=payload)
        rewritten.append(previous)
    assert verify_chain(rewritten).ok  # undetectable without an outside anchor
    report = verify_chain(rewritten, checkpoints=checkpoints)
    assert (report.problem, report.first_bad_sequence) == ("audit.checkpoint_mismatch", 7)


def test_truncation_is_caught_by_a_checkpoint() -> None:
    chain = build_chain(10)
    checkpoints = {9: chain[9].entry_hash}
    assert verify_chain(chain, checkpoints=checkpoints).ok
    assert verify_chain(chain[:8]).ok  # undetectable without an outside anchor
    report = verify_chain(chain[:8], checkpoints=checkpoints)
    assert (report.problem, report.first_bad_sequence, report.checked) == ("audit.truncated", 8, 8)


def test_public_names_exist() -> None:
    import temoin.core.auditchain as auditchain

    assert all(hasattr(auditchain, name) for name in auditchain.__all__)
