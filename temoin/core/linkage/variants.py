"""Known spelling-variant families of West-African names, read from a data file.

``data/name_variants.csv`` maps a normalised spelling to its *family key* (variants that
are the same name: Boubacar/Boubakar/Aboubacar/Abubakar) and optionally to a *related
group* (names that are related but not the same: Mamadou/Mahamadou/Mohamed — weak
evidence only).  It also says whether a spelling is usually a given or a family name,
which helps to split a single "full name" string.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from temoin.core.linkage.errors import VariantFileError

__all__ = ["NameVariants", "VariantEntry", "default_variants", "load_variants"]

NameKind = Literal["given", "family"]
_COLUMNS = ("variant", "canonical", "kind", "related_group")


@dataclass(frozen=True, slots=True)
class VariantEntry:
    """One spelling in the variant file."""

    variant: str
    canonical: str
    kind: NameKind
    related_group: str | None


@dataclass(frozen=True)
class NameVariants:
    """Lookup of variant families; unknown spellings are their own family."""

    entries: dict[str, VariantEntry] = field(default_factory=dict)

    def canonical(self, token: str) -> str:
        """Family key of ``token`` (the token itself when unknown)."""
        entry = self.entries.get(token)
        return entry.canonical if entry is not None else token

    def related_group(self, token: str) -> str | None:
        """Weak-evidence group of ``token``, or ``None``."""
        entry = self.entries.get(token)
        return entry.related_group if entry is not None else None

    def kind(self, token: str) -> NameKind | None:
        """``"given"`` or ``"family"`` when the spelling is known, else ``None``."""
        entry = self.entries.get(token)
        return entry.kind if entry is not None else None

    def same_family(self, left: str, right: str) -> bool:
        """True when both spellings are variants of one name (strong evidence)."""
        return self.canonical(left) == self.canonical(right)


def load_variants(path: Path) -> NameVariants:
    """Read a variant file; raise :class:`VariantFileError` naming the first bad line."""
    entries: dict[str, VariantEntry] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or tuple(header) != _COLUMNS:
        raise VariantFileError(f"{path.name}: header must be {','.join(_COLUMNS)}")
    for line_number, row in enumerate(reader, start=2):
        if len(row) != len(_COLUMNS):
            raise VariantFileError(f"{path.name}: data line {line_number} has {len(row)} fields")
        variant, canonical, kind, related = (cell.strip() for cell in row)
        if kind not in ("given", "family"):
            raise VariantFileError(f"{path.name}: data line {line_number}: kind {kind!r}")
        if not variant or not canonical or variant != variant.lower():
            raise VariantFileError(f"{path.name}: data line {line_number}: bad spelling")
        if variant in entries:
            raise VariantFileError(f"{path.name}: data line {line_number}: duplicate variant")
        entries[variant] = VariantEntry(variant, canonical, kind, related or None)  # type: ignore[arg-type]  # kind checked above
    return NameVariants(entries)


@lru_cache(maxsize=1)
def default_variants() -> NameVariants:
    """The variant file shipped with Témoin."""
    resource = resources.files("temoin.core.linkage").joinpath("data/name_variants.csv")
    with resources.as_file(resource) as path:
        return load_variants(Path(path))
