"""ACLED ``event_type``/``sub_event_type`` → Témoin act-type codes, read from a CSV.

The mapping lives in ``data/acled_act_types.csv`` (columns ``event_type, sub_event_type,
act_type_code, note``) so that an analyst can review it without reading code. A row with
``sub_event_type`` ``*`` is the fallback for sub-types that are not listed (ACLED adds and
renames sub-types between codebook versions); an unknown *event type* has no fallback: the
row is quarantined. Matching ignores case and surrounding spaces.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from temoin.core.intake.errors import FileFormatError

__all__ = ["ActMapping", "ActTypeMap", "load_act_type_map"]

_COLUMNS = ("event_type", "sub_event_type", "act_type_code", "note")


@dataclass(frozen=True, slots=True)
class ActMapping:
    """One mapping line."""

    event_type: str
    sub_event_type: str
    act_type_code: str
    note: str | None


class ActTypeMap:
    """Lookup of act types for an (event_type, sub_event_type) pair."""

    def __init__(self, mappings: list[ActMapping]) -> None:
        self._exact: dict[tuple[str, str], list[ActMapping]] = {}
        self._fallback: dict[str, list[ActMapping]] = {}
        for mapping in mappings:
            event_key = mapping.event_type.strip().casefold()
            if mapping.sub_event_type.strip() == "*":
                self._fallback.setdefault(event_key, []).append(mapping)
            else:
                key = (event_key, mapping.sub_event_type.strip().casefold())
                self._exact.setdefault(key, []).append(mapping)
        self.mappings = tuple(mappings)

    def lookup(self, event_type: str, sub_event_type: str | None) -> tuple[ActMapping, ...] | None:
        """The mappings for this pair, the event type's fallback, or ``None`` if unknown."""
        event_key = event_type.strip().casefold()
        exact = self._exact.get((event_key, (sub_event_type or "").strip().casefold()))
        if exact:
            return tuple(exact)
        fallback = self._fallback.get(event_key)
        return tuple(fallback) if fallback else None

    @property
    def act_type_codes(self) -> frozenset[str]:
        """Every act-type code the mapping can produce."""
        return frozenset(mapping.act_type_code for mapping in self.mappings)


def load_act_type_map(path: str | Path | None = None) -> ActTypeMap:
    """Load the mapping CSV (the packaged one by default); bad files raise ``FileFormatError``."""
    if path is None:
        text = (
            resources.files("temoin.core.intake")
            .joinpath("data/acled_act_types.csv")
            .read_text(encoding="utf-8")
        )
        name = "acled_act_types.csv"
    else:
        text = Path(path).read_text(encoding="utf-8")
        name = Path(path).name
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise FileFormatError(f"expected columns {','.join(_COLUMNS)}", source_name=name)
    mappings = []
    for line_number, row in enumerate(reader, start=2):
        if not row["event_type"] or not row["sub_event_type"] or not row["act_type_code"]:
            raise FileFormatError(f"row {line_number} has an empty required cell", source_name=name)
        mappings.append(
            ActMapping(
                event_type=row["event_type"],
                sub_event_type=row["sub_event_type"],
                act_type_code=row["act_type_code"],
                note=row["note"] or None,
            )
        )
    return ActTypeMap(mappings)
