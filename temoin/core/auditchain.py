"""Hash chain for Témoin's append-only audit log.

Each audit row carries a ``sequence`` (0, 1, 2, … with no gaps), the hash of the
previous row (``prev_hash``; ``GENESIS`` for row 0) and its own ``entry_hash``, the
SHA-256 of a domain-separated encoding of ``prev_hash``, ``sequence`` and the
canonical JSON of the row's payload.  Editing a payload, editing a stored hash,
deleting, inserting or reordering rows all break the chain at a precise sequence,
which :func:`verify_chain` reports while streaming over the rows (constant memory).

This module is pure: it knows nothing of Django.  The audit app stores
``sequence``, ``prev_hash``, ``entry_hash`` and the payload columns, rebuilds
:class:`ChainEntry` objects and calls :func:`verify_chain`.

Encoding of the hashed message (version 1)::

    b"temoin.audit.v1\\x00" + prev_hash(ASCII, 64 hex) + b"\\x00"
    + str(sequence)(ASCII decimal) + b"\\x00" + canonical_json(payload)

``prev_hash`` is fixed-length hex and ``sequence`` is decimal, so no field can
absorb bytes from its neighbour: the encoding is unambiguous.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "GENESIS",
    "HASH_DOMAIN",
    "PROBLEM_BAD_GENESIS",
    "PROBLEM_BROKEN_LINK",
    "PROBLEM_CHECKPOINT_MISMATCH",
    "PROBLEM_GAP",
    "PROBLEM_HASH_MISMATCH",
    "PROBLEM_TRUNCATED",
    "ChainEntry",
    "ChainReport",
    "canonical_json",
    "entry_hash",
    "next_entry",
    "verify_chain",
]

GENESIS: Final[str] = "0" * 64
HASH_DOMAIN: Final[bytes] = b"temoin.audit.v1\x00"

PROBLEM_HASH_MISMATCH: Final[str] = "audit.hash_mismatch"
PROBLEM_BROKEN_LINK: Final[str] = "audit.broken_link"
PROBLEM_GAP: Final[str] = "audit.gap"
PROBLEM_BAD_GENESIS: Final[str] = "audit.bad_genesis"
PROBLEM_CHECKPOINT_MISMATCH: Final[str] = "audit.checkpoint_mismatch"
PROBLEM_TRUNCATED: Final[str] = "audit.truncated"

_HEX64 = re.compile(r"[0-9a-f]{64}")


def _reject_non_json(value: object) -> Any:
    """``json.dumps`` ``default`` hook: refuse anything that is not plain JSON."""
    raise TypeError(
        f"audit payload value of type {type(value).__name__} is not JSON; "
        "convert datetimes to ISO 8601 strings and decimals/UUIDs to str first"
    )


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """Return the canonical UTF-8 JSON bytes of ``payload``.

    Sorted keys, no whitespace, non-ASCII kept as UTF-8 (``ensure_ascii=False``),
    NaN/Infinity refused.  Only JSON types are accepted (dict with str keys, list,
    tuple, str, int, float, bool, None); datetimes, dates, Decimals, UUIDs, bytes …
    raise :class:`TypeError` so that the caller chooses their string form once and
    for all (a hash chain cannot tolerate two encodings of one value).
    """
    if not isinstance(payload, Mapping):
        raise TypeError(f"audit payload must be a mapping, not {type(payload).__name__}")
    _check_keys(payload)
    try:
        text = json.dumps(
            payload,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
            default=_reject_non_json,
        )
    except ValueError as exc:  # NaN / Infinity
        raise TypeError(f"audit payload contains a non-finite float: {exc}") from exc
    return text.encode("utf-8")


def _check_keys(value: object) -> None:
    """Refuse non-str mapping keys (json.dumps would silently turn 1 into "1")."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit payload keys must be str, got {type(key).__name__} {key!r}")
            _check_keys(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_keys(item)


def entry_hash(*, prev_hash: str, sequence: int, payload: Mapping[str, Any]) -> str:
    """SHA-256 hex digest binding ``prev_hash``, ``sequence`` and ``payload``."""
    if not isinstance(prev_hash, str) or not _HEX64.fullmatch(prev_hash):
        raise ValueError("prev_hash must be 64 lowercase hex characters")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValueError(f"sequence must be a non-negative int, got {sequence!r}")
    digest = hashlib.sha256()
    digest.update(HASH_DOMAIN)
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\x00")
    digest.update(str(sequence).encode("ascii"))
    digest.update(b"\x00")
    digest.update(canonical_json(payload))
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainEntry:
    """One audit row as far as the chain is concerned."""

    sequence: int
    prev_hash: str
    entry_hash: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class ChainReport:
    """Outcome of :func:`verify_chain`.

    ``checked`` counts the entries read, including the first bad one.
    ``problem`` is one of the ``audit.*`` codes, ``None`` when ``ok``.
    """

    ok: bool
    checked: int
    first_bad_sequence: int | None
    problem: str | None
    detail: str = ""
    last_hash: str = GENESIS


def next_entry(*, previous: ChainEntry | None, payload: Mapping[str, Any]) -> ChainEntry:
    """Build the entry that follows ``previous`` (``None`` for the first row)."""
    sequence = 0 if previous is None else previous.sequence + 1
    prev_hash = GENESIS if previous is None else previous.entry_hash
    return ChainEntry(
        sequence=sequence,
        prev_hash=prev_hash,
        entry_hash=entry_hash(prev_hash=prev_hash, sequence=sequence, payload=payload),
        payload=payload,
    )


def verify_chain(
    entries: Iterable[ChainEntry],
    *,
    start_sequence: int = 0,
    start_prev_hash: str = GENESIS,
    checkpoints: Mapping[int, str] | None = None,
) -> ChainReport:
    """Check a chain streamed in ascending ``sequence`` order; stop at the first problem.

    By default the chain must start at sequence 0 with ``prev_hash == GENESIS``.
    To verify a tail (e.g. since the last verified checkpoint), pass the checkpoint's
    next ``start_sequence`` and its ``entry_hash`` as ``start_prev_hash``.

    Problems, checked in this order for each entry:

    - ``audit.gap``: ``sequence`` is not the expected next number (a row was
      deleted, inserted with a duplicate number, or rows were reordered);
    - ``audit.bad_genesis``: the first entry does not link to ``start_prev_hash``;
    - ``audit.broken_link``: ``prev_hash`` differs from the previous ``entry_hash``;
    - ``audit.hash_mismatch``: ``entry_hash`` differs from the recomputed hash
      (the payload or the stored hash was edited), or the payload is not canonical JSON.

    A chain alone cannot reveal a *consistent* rewrite (every hash recomputed from
    some row on) or a truncated tail.  ``checkpoints`` maps sequence numbers to
    ``entry_hash`` values recorded outside the database (signed/witnessed heads,
    printed reports, a partner's copy); with them two more problems are found:

    - ``audit.checkpoint_mismatch``: the row at a checkpoint has another hash;
    - ``audit.truncated``: the chain ends before a checkpoint's sequence.
    """
    anchors = dict(checkpoints or {})
    expected_sequence = start_sequence
    expected_prev = start_prev_hash
    checked = 0
    for entry in entries:
        checked += 1
        problem, detail, bad_sequence = _entry_problem(
            entry, expected_sequence, expected_prev, first=checked == 1
        )
        if problem is not None:
            return ChainReport(
                ok=False,
                checked=checked,
                first_bad_sequence=bad_sequence,
                problem=problem,
                detail=detail,
                last_hash=expected_prev,
            )
        anchored = anchors.get(entry.sequence)
        if anchored is not None and anchored != entry.entry_hash:
            return ChainReport(
                ok=False,
                checked=checked,
                first_bad_sequence=entry.sequence,
                problem=PROBLEM_CHECKPOINT_MISMATCH,
                detail=f"sequence {entry.sequence}: entry_hash differs from the recorded checkpoint",
                last_hash=expected_prev,
            )
        expected_prev = entry.entry_hash
        expected_sequence += 1
    if anchors and max(anchors) >= expected_sequence:
        return ChainReport(
            ok=False,
            checked=checked,
            first_bad_sequence=expected_sequence,
            problem=PROBLEM_TRUNCATED,
            detail=f"the chain ends at {expected_sequence - 1} but a checkpoint exists "
            f"for sequence {max(anchors)}",
            last_hash=expected_prev,
        )
    return ChainReport(
        ok=True,
        checked=checked,
        first_bad_sequence=None,
        problem=None,
        detail="",
        last_hash=expected_prev,
    )


def _entry_problem(
    entry: ChainEntry, expected_sequence: int, expected_prev: str, *, first: bool
) -> tuple[str | None, str, int]:
    """(problem code or None, detail, sequence to report) for one entry."""
    sequence = entry.sequence
    if sequence != expected_sequence:
        # A missing row is reported at its own (missing) number; a repeated or
        # out-of-order number at that number.
        reported = (
            expected_sequence
            if _is_int(sequence) and sequence > expected_sequence
            else (sequence if _is_int(sequence) else expected_sequence)
        )
        return PROBLEM_GAP, f"expected sequence {expected_sequence}, found {sequence!r}", reported
    if entry.prev_hash != expected_prev:
        where = "the chain start" if first else "the previous entry_hash"
        code = PROBLEM_BAD_GENESIS if first else PROBLEM_BROKEN_LINK
        return code, f"sequence {sequence}: prev_hash does not match {where}", sequence
    try:
        recomputed = entry_hash(prev_hash=entry.prev_hash, sequence=sequence, payload=entry.payload)
    except (TypeError, ValueError) as exc:
        return PROBLEM_HASH_MISMATCH, f"sequence {sequence}: {exc}", sequence
    if recomputed != entry.entry_hash:
        return (
            PROBLEM_HASH_MISMATCH,
            f"sequence {sequence}: stored entry_hash differs from the recomputed hash",
            sequence,
        )
    return None, "", sequence


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
