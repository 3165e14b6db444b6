"""Shared plumbing for CSV-based parsers: header checks, shape checks, duplicate ids.

:func:`iter_dict_rows` turns a delimited file into ``(row_number, {column: text})`` pairs (or
a :class:`QuarantinedRow` for a row with the wrong number of cells), after checking that the
required columns are present. :func:`quarantine_duplicates` quarantines the second and later
rows that reuse an upstream id within one file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from temoin.core.intake.errors import FileFormatError
from temoin.core.intake.records import ParsedRow, QuarantinedRow, RowResult
from temoin.core.intake.textio import iter_csv_records

__all__ = ["SeenIds", "is_hxl_row", "iter_dict_rows", "quarantine_duplicates"]


def is_hxl_row(cells: list[str]) -> bool:
    """True for an HXL hashtag row (every filled cell starts with ``#``)."""
    filled = [cell.strip() for cell in cells if cell.strip()]
    return bool(filled) and all(cell.startswith("#") for cell in filled)


def iter_dict_rows(
    path: str | os.PathLike[str],
    *,
    required_columns: Iterable[str],
    source_format: str,
    kind_label: str,
    source_name: str | None = None,
    skip_hxl: bool = True,
) -> Iterator[tuple[int, dict[str, str]] | QuarantinedRow]:
    """Header-checked dict rows; header names are stripped and case-folded.

    The header is read and checked when this is *called* (so a wrong file fails before
    anything is yielded); rows are then streamed lazily.
    """
    name = source_name or Path(path).name
    records = iter_csv_records(path, source_name=name)
    first = next(records, None)
    if first is None:
        raise FileFormatError("no header row", source_name=name)
    header = [cell.strip().casefold() for cell in first[1]]
    missing = [column for column in required_columns if column not in set(header)]
    if missing:
        raise FileFormatError(
            f"not {kind_label}: missing column(s) {', '.join(missing)}", source_name=name
        )
    if len(set(header)) != len(header):
        duplicated = sorted({column for column in header if header.count(column) > 1})
        raise FileFormatError(f"duplicated column(s) {', '.join(duplicated)}", source_name=name)

    def rows() -> Iterator[tuple[int, dict[str, str]] | QuarantinedRow]:
        for row_number, cells in records:
            if skip_hxl and row_number == 2 and is_hxl_row(cells):
                continue
            if len(cells) != len(header):
                yield QuarantinedRow(
                    source_format=source_format,
                    row_number=row_number,
                    field=None,
                    reason_code="bad_shape",
                    message=f"row {row_number}: {len(cells)} cells, header has {len(header)}",
                    raw={f"column_{index + 1}": cell for index, cell in enumerate(cells)},
                )
                continue
            yield row_number, dict(zip(header, cells, strict=True))

    return rows()


class SeenIds:
    """Memory-light record of the upstream ids seen in one file, with their row numbers.

    An open-addressing table of 64-bit BLAKE2b digests of the ids (12 bytes per slot, load
    ≤ 0.5), instead of a dict of strings (~100 bytes per id): a 1M-row file costs ~24 MB.
    Two different ids share a digest with probability ~n²/2⁶⁵ (3·10⁻⁸ for a million ids);
    such a collision would *quarantine* a row as a duplicate, never drop it.
    """

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._keys = np.zeros(capacity, dtype=np.uint64)
        self._rows = np.zeros(capacity, dtype=np.uint32)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @staticmethod
    def _digest(upstream_id: str) -> int:
        value = int.from_bytes(
            hashlib.blake2b(upstream_id.encode("utf-8"), digest_size=8).digest(), "little"
        )
        return value or 1  # 0 marks an empty slot

    def add(self, upstream_id: str, row_number: int) -> int | None:
        """Record ``upstream_id``; return the earlier row number if it was already seen."""
        if (self._count + 1) * 2 > len(self._keys):
            self._grow()
        digest = self._digest(upstream_id)
        earlier = self._insert(digest, row_number)
        if earlier is None:
            self._count += 1
        return earlier

    def _insert(self, digest: int, row_number: int) -> int | None:
        keys, mask = self._keys, len(self._keys) - 1
        slot = digest & mask
        while True:
            current = int(keys[slot])
            if current == 0:
                keys[slot] = digest
                self._rows[slot] = row_number
                return None
            if current == digest:
                return int(self._rows[slot])
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old_keys, old_rows = self._keys, self._rows
        self._keys = np.zeros(len(old_keys) * 2, dtype=np.uint64)
        self._rows = np.zeros(len(old_keys) * 2, dtype=np.uint32)
        occupied = np.flatnonzero(old_keys)
        for start in range(0, len(occupied), 65536):
            chunk = occupied[start : start + 65536]
            for key, row in zip(old_keys[chunk].tolist(), old_rows[chunk].tolist(), strict=True):
                self._insert(key, row)


def quarantine_duplicates(
    results: Iterable[RowResult], *, id_field: str, enabled: bool = True
) -> Iterator[RowResult]:
    """Quarantine any row whose upstream id was already used earlier in the same file.

    ``enabled=False`` passes rows through (for callers that check ids themselves, e.g.
    against a database), which keeps memory flat whatever the number of rows.
    """
    if not enabled:
        yield from results
        return
    seen = SeenIds()
    for result in results:
        if isinstance(result, ParsedRow) and result.upstream_id is not None:
            earlier = seen.add(result.upstream_id, result.row_number)
            if earlier is not None:
                yield QuarantinedRow(
                    source_format=result.source_format,
                    row_number=result.row_number,
                    field=id_field,
                    reason_code="duplicate_id",
                    message=(
                        f"row {result.row_number}: field {id_field!r}: id already used "
                        f"by row {earlier} of this file"
                    ),
                    raw=result.raw,
                    upstream_id=result.upstream_id,
                )
                continue
        yield result
