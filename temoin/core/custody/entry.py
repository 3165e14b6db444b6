"""Custody log entries: fields, validation and canonical JSON encoding (the Merkle leaf).

An entry records one event on one evidence item (Berkeley Protocol chain of custody: who,
role, organisation, when in UTC, which system, action, reason, item hash).  Its leaf bytes are
canonical JSON: sorted keys, no insignificant whitespace, UTF-8, integers but no floats — for
these values the output equals RFC 8785 (JCS), so any JCS implementation recomputes it.

Actors are pseudonymous identifiers; names and contacts of people never go into an entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from temoin.core.custody.errors import EntryError

__all__ = [
    "ACTIONS",
    "ENTRY_VERSION",
    "CustodyEntry",
    "canonical_json",
    "check_leaf_structure",
]

ENTRY_VERSION: Final[str] = "temoin.custody.v1"
ACTIONS: Final[frozenset[str]] = frozenset(
    {
        "ingest",  # evidentiary copy stored
        "ingest_duplicate",  # same bytes received again (new source), not stored twice
        "derivative_created",  # working copy made from an original
        "access",  # evidentiary copy read / downloaded
        "export",  # included in a court package
        "transfer",  # handed to a partner
        "fixity_check",  # re-read and re-hashed
        "key_destroyed",  # crypto-shredded
        "metadata_added",  # later extraction or correction (the original values stay)
        "proof_verdict",  # result of verifying a proof that came with the file
        "link",  # item attached to a source, event or act of the case file
        "unlink",  # such an attachment withdrawn
    }
)
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z\Z")


def _reject(value: object) -> Any:
    raise TypeError(f"value of type {type(value).__name__} is not allowed in a custody entry")


def _check_json_value(value: object, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise EntryError(f"custody entry field {path}: integer beyond 2^53 (not portable JSON)")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json_value(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise EntryError(f"custody entry field {path}: keys must be strings")
            _check_json_value(item, f"{path}.{key}")
        return
    raise EntryError(
        f"custody entry field {path}: {type(value).__name__} is not allowed (use str/int/bool/null)"
    )


def canonical_json(value: object) -> bytes:
    """Canonical JSON bytes (sorted keys, compact, UTF-8); floats are refused."""
    _check_json_value(value, "$")
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_reject
    ).encode()


_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "version",
        "seq",
        "time_utc",
        "action",
        "item_sha256",
        "related_sha256",
        "actor",
        "role",
        "organisation",
        "system",
        "reason",
        "details",
    }
)


def check_leaf_structure(index: int, leaf: bytes) -> dict[str, Any]:
    """Fast structural check of stored leaf bytes: canonical JSON, fields, version, seq.

    Cheaper than :meth:`CustodyEntry.from_bytes` (no per-field validation); used when
    re-verifying a whole log.  Raise :class:`EntryError` naming the entry.
    """
    try:
        raw = json.loads(leaf)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EntryError(f"custody entry {index} is not valid UTF-8 JSON") from exc
    if not isinstance(raw, dict) or raw.keys() != _FIELDS:
        raise EntryError(f"custody entry {index} does not have the {ENTRY_VERSION} fields")
    if raw["version"] != ENTRY_VERSION or raw["seq"] != index or type(raw["seq"]) is not int:
        raise EntryError(f"custody entry {index} has a wrong version or seq")
    if json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() != leaf:
        raise EntryError(f"custody entry {index} is not in canonical form")
    return raw


@dataclass(frozen=True)
class CustodyEntry:
    """One custody event; ``seq`` is its leaf index in the custody log."""

    seq: int
    time_utc: str
    action: str
    item_sha256: str
    actor: str
    role: str
    organisation: str
    system: str
    reason: str = ""
    related_sha256: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"custody entry {self.seq}"
        if self.seq < 0:
            raise EntryError(f"{where}: seq must be >= 0")
        if not _UTC.match(self.time_utc):
            raise EntryError(f"{where}: field time_utc must be ISO 8601 UTC ending in Z")
        if self.action not in ACTIONS:
            raise EntryError(
                f"{where}: field action {self.action!r} is not one of {sorted(ACTIONS)}"
            )
        if not _HEX64.match(self.item_sha256):
            raise EntryError(f"{where}: field item_sha256 must be 64 lowercase hex digits")
        if self.related_sha256 is not None and not _HEX64.match(self.related_sha256):
            raise EntryError(f"{where}: field related_sha256 must be 64 lowercase hex digits")
        for name in ("actor", "role", "organisation", "system"):
            if not getattr(self, name):
                raise EntryError(f"{where}: field {name} is required")
        _check_json_value(dict(self.details), "details")

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON object (with its format version)."""
        return {
            "version": ENTRY_VERSION,
            "seq": self.seq,
            "time_utc": self.time_utc,
            "action": self.action,
            "item_sha256": self.item_sha256,
            "related_sha256": self.related_sha256,
            "actor": self.actor,
            "role": self.role,
            "organisation": self.organisation,
            "system": self.system,
            "reason": self.reason,
            "details": dict(self.details),
        }

    def to_bytes(self) -> bytes:
        """Canonical leaf bytes of this entry."""
        return canonical_json(self.to_json())

    @classmethod
    def from_bytes(cls, data: bytes) -> CustodyEntry:
        """Parse leaf bytes; they must be exactly the canonical encoding."""
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EntryError(f"custody entry is not valid UTF-8 JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise EntryError("custody entry must be a JSON object")
        expected = {
            "version",
            "seq",
            "time_utc",
            "action",
            "item_sha256",
            "related_sha256",
            "actor",
            "role",
            "organisation",
            "system",
            "reason",
            "details",
        }
        if set(raw) != expected:
            raise EntryError(
                f"custody entry fields differ from {ENTRY_VERSION}: {sorted(set(raw) ^ expected)}"
            )
        if raw["version"] != ENTRY_VERSION:
            raise EntryError(f"custody entry version {raw['version']!r} is not {ENTRY_VERSION}")
        if not isinstance(raw["seq"], int) or not isinstance(raw["details"], dict):
            raise EntryError("custody entry seq must be an integer and details an object")
        for name in (
            "time_utc",
            "action",
            "item_sha256",
            "actor",
            "role",
            "organisation",
            "system",
            "reason",
        ):
            if not isinstance(raw[name], str):
                raise EntryError(f"custody entry field {name} must be a string")
        entry = cls(
            seq=raw["seq"],
            time_utc=raw["time_utc"],
            action=raw["action"],
            item_sha256=raw["item_sha256"],
            actor=raw["actor"],
            role=raw["role"],
            organisation=raw["organisation"],
            system=raw["system"],
            reason=raw["reason"],
            related_sha256=raw["related_sha256"],
            details=raw["details"],
        )
        if entry.to_bytes() != data:
            raise EntryError(f"custody entry {entry.seq} is not in canonical form")
        return entry
