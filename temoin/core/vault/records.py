"""Plain records the vault returns: who acts, item summaries, ingest, fixity and consistency results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from temoin.core.custody.entry import CustodyEntry
from temoin.core.vault.content import Finding

__all__ = [
    "INGEST_ACTIONS",
    "Actor",
    "ConsistencyReport",
    "FixityResult",
    "IngestResult",
    "ItemSummary",
]

INGEST_ACTIONS: Final[frozenset[str]] = frozenset({"ingest", "derivative_created"})


@dataclass(frozen=True)
class Actor:
    """Who performs an action: pseudonymous id, role and organisation (no names)."""

    id: str
    role: str
    organisation: str


@dataclass(frozen=True)
class ItemSummary:
    """What the custody log says about an item (readable without any key)."""

    sha256: str
    sha512: str
    size: int
    media_type: str
    ingest_seq: int
    blob_sha256: str
    record_sha256: str
    finding_codes: tuple[str, ...]
    derived_from: str | None
    operation: Mapping[str, Any] | None
    shredded: bool

    @classmethod
    def from_entries(cls, ingest: CustodyEntry, *, shredded: bool) -> ItemSummary:
        """Build from the item's ingest entry."""
        details = ingest.details
        return cls(
            sha256=ingest.item_sha256,
            sha512=str(details["sha512"]),
            size=int(details["size"]),
            media_type=str(details["media_type"]),
            ingest_seq=ingest.seq,
            blob_sha256=str(details["blob_sha256"]),
            record_sha256=str(details["record_sha256"]),
            finding_codes=tuple(details.get("findings", [])),
            derived_from=ingest.related_sha256 if ingest.action == "derivative_created" else None,
            operation=details.get("operation"),
            shredded=shredded,
        )


@dataclass(frozen=True)
class IngestResult:
    """Outcome of an ingest: the item, whether it was a duplicate, the custody entry, findings."""

    item: ItemSummary
    duplicate: bool
    entry: CustodyEntry
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class FixityResult:
    """Outcome of a fixity check of one item."""

    sha256: str
    ok: bool
    problems: tuple[str, ...]
    restore_hint: str
    entry: CustodyEntry | None


@dataclass(frozen=True)
class ConsistencyReport:
    """Cross-check of storage against the custody log (after recovery)."""

    items: int
    shredded: int
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems
