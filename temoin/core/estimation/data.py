"""Input model: list-overlap tables, capture histories, strata and their validation.

A :class:`ListOverlapTable` holds, for ``t`` lists, the number of distinct individuals seen on
exactly each combination of lists. Cells are indexed by a bit mask: bit ``j`` (value ``1 << j``)
set means "on list ``j``"; cell 0 (seen on no list) is what estimation is about and is always 0.

Two CSV layouts are read (see ``../shared/data/mse/README.md``):

* contingency table: one 0/1 column per list and a ``count`` column;
* capture histories: one row per documented individual, one 0/1 column per list.

Either may carry a stratum column; then one table per stratum is returned.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from temoin.core.estimation.errors import InvalidTableError, TooSparseError

__all__ = [
    "ListOverlapTable",
    "check_lists_for_method",
    "read_overlap_csv",
    "table_from_capture_histories",
    "table_from_rows",
]

IntArray = npt.NDArray[np.int64]

MAX_LISTS = 20


@dataclass(frozen=True)
class ListOverlapTable:
    """Counts of distinct individuals per combination of lists (the all-zero cell is 0)."""

    list_names: tuple[str, ...]
    counts: IntArray = field(repr=False)
    stratum: str | None = None

    def __post_init__(self) -> None:
        counts = np.asarray(self.counts, dtype=np.int64)
        if counts.shape != (1 << len(self.list_names),):
            raise InvalidTableError(
                source=self._label(),
                problem=f"expected {1 << len(self.list_names)} cells for "
                f"{len(self.list_names)} lists, got {counts.shape}",
            )
        if counts[0] != 0:
            raise InvalidTableError(
                source=self._label(), problem="the all-zero cell (seen on no list) must be 0"
            )
        if (counts < 0).any():
            raise InvalidTableError(source=self._label(), problem="negative count")
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)

    def _label(self) -> str:
        return f"stratum {self.stratum!r}" if self.stratum is not None else "table"

    @property
    def n_lists(self) -> int:
        return len(self.list_names)

    @property
    def n_observed(self) -> int:
        """Number of distinct documented individuals (on at least one list)."""
        return int(self.counts.sum())

    def patterns(self) -> IntArray:
        """0/1 matrix (2**t, t): row ``c`` is the capture pattern of cell ``c``."""
        cells = np.arange(1 << self.n_lists)
        return ((cells[:, None] >> np.arange(self.n_lists)[None, :]) & 1).astype(np.int64)

    def nonzero_cells(self) -> tuple[IntArray, IntArray]:
        """(cells with at least one individual, their counts): cheap even for 20 lists."""
        cells = np.flatnonzero(self.counts).astype(np.int64)
        return cells, self.counts[cells]

    def list_sizes(self) -> dict[str, int]:
        """Individuals on each list."""
        cells, counts = self.nonzero_cells()
        return {
            name: int(counts[(cells >> j) & 1 == 1].sum())
            for j, name in enumerate(self.list_names)
        }

    def overlap(self, mask: int) -> int:
        """Individuals on every list of ``mask`` (and possibly others)."""
        cells, counts = self.nonzero_cells()
        return int(counts[(cells & mask) == mask].sum())

    def pairwise_overlaps(self) -> dict[tuple[str, str], int]:
        out = {}
        for i, j in itertools.combinations(range(self.n_lists), 2):
            out[(self.list_names[i], self.list_names[j])] = self.overlap((1 << i) | (1 << j))
        return out

    def n_on_several_lists(self) -> int:
        cells, counts = self.nonzero_cells()
        several = np.array([bin(int(c)).count("1") >= 2 for c in cells], dtype=bool)
        return int(counts[several].sum()) if len(cells) else 0

    def drop_empty_lists(self) -> ListOverlapTable:
        """The same table without lists on which nobody appears."""
        sizes = self.list_sizes()
        keep = [j for j, name in enumerate(self.list_names) if sizes[name] > 0]
        return self.select_lists(keep)

    def select_lists(self, indices: Sequence[int]) -> ListOverlapTable:
        """Marginal table over the lists ``indices`` (individuals on none of them vanish)."""
        new = np.zeros(1 << len(indices), dtype=np.int64)
        cells, counts = self.nonzero_cells()
        for cell, count in zip(cells.tolist(), counts.tolist(), strict=True):
            target = 0
            for position, j in enumerate(indices):
                if cell >> j & 1:
                    target |= 1 << position
            if target:
                new[target] += count
        return ListOverlapTable(tuple(self.list_names[j] for j in indices), new, self.stratum)

    def with_counts(self, counts: npt.ArrayLike) -> ListOverlapTable:
        return ListOverlapTable(self.list_names, np.asarray(counts, dtype=np.int64), self.stratum)

    def to_dict(self) -> dict[str, Any]:
        """Frozen, JSON-ready form: only non-empty cells, patterns as 0/1 strings."""
        nonzero, counts = self.nonzero_cells()
        cells = {
            "".join(str(cell >> j & 1) for j in range(self.n_lists)): count
            for cell, count in zip(nonzero.tolist(), counts.tolist(), strict=True)
        }
        return {
            "lists": list(self.list_names),
            "stratum": self.stratum,
            "n_observed": self.n_observed,
            "cells": cells,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListOverlapTable:
        names = tuple(str(name) for name in data["lists"])
        counts = np.zeros(1 << len(names), dtype=np.int64)
        for pattern, count in dict(data["cells"]).items():
            counts[sum(int(bit) << j for j, bit in enumerate(pattern))] = int(count)
        return cls(names, counts, data.get("stratum"))


def table_from_rows(
    list_names: Sequence[str],
    rows: Iterable[tuple[Sequence[int], int]],
    *,
    stratum: str | None = None,
    source: str = "table",
    row_numbers: Sequence[int] | None = None,
) -> ListOverlapTable:
    """Build a table from ``(pattern, count)`` rows; a repeated pattern is an error.

    ``row_numbers`` are the numbers used in error messages (default 1, 2, …).
    """
    names = _check_names(list_names, source)
    counts = np.zeros(1 << len(names), dtype=np.int64)
    seen: dict[int, int] = {}
    for index, (pattern, count) in enumerate(rows):
        row_number = row_numbers[index] if row_numbers is not None else index + 1
        if len(pattern) != len(names):
            raise InvalidTableError(
                source=source,
                row=row_number,
                problem=f"{len(pattern)} list columns, expected {len(names)}",
            )
        cell = 0
        for j, bit in enumerate(pattern):
            if bit not in (0, 1):
                raise InvalidTableError(
                    source=source,
                    row=row_number,
                    column=names[j],
                    problem=f"value {bit!r} is not 0 or 1",
                )
            cell |= int(bit) << j
        if count < 0:
            raise InvalidTableError(
                source=source, row=row_number, column="count", problem=f"negative count {count}"
            )
        if cell == 0:
            if count != 0:
                raise InvalidTableError(
                    source=source,
                    row=row_number,
                    problem="pattern with no list has a non-zero count: nobody can be documented "
                    "by no list (this cell is what is estimated)",
                )
            continue
        if cell in seen:
            raise InvalidTableError(
                source=source,
                row=row_number,
                problem=f"pattern repeated (first at row {seen[cell]})",
            )
        seen[cell] = row_number
        counts[cell] = count
    return ListOverlapTable(names, counts, stratum)


def table_from_capture_histories(
    list_names: Sequence[str],
    histories: Iterable[Sequence[int]],
    *,
    stratum: str | None = None,
    source: str = "capture histories",
    row_numbers: Sequence[int] | None = None,
) -> ListOverlapTable:
    """Tabulate one 0/1 capture history per individual; an all-zero history is an error."""
    names = _check_names(list_names, source)
    counts = np.zeros(1 << len(names), dtype=np.int64)
    for index, history in enumerate(histories):
        row_number = row_numbers[index] if row_numbers is not None else index + 1
        cell = 0
        if len(history) != len(names):
            raise InvalidTableError(
                source=source,
                row=row_number,
                problem=f"{len(history)} list columns, expected {len(names)}",
            )
        for j, bit in enumerate(history):
            if bit not in (0, 1):
                raise InvalidTableError(
                    source=source,
                    row=row_number,
                    column=names[j],
                    problem=f"value {bit!r} is not 0 or 1",
                )
            cell |= int(bit) << j
        if cell == 0:
            raise InvalidTableError(
                source=source,
                row=row_number,
                problem="individual is on no list (every history needs a 1)",
            )
        counts[cell] += 1
    return ListOverlapTable(names, counts, stratum)


def read_overlap_csv(
    path: str | Path,
    *,
    stratum_column: str | None = None,
    count_column: str = "count",
    ignore_columns: Sequence[str] = (),
) -> dict[str | None, ListOverlapTable]:
    """Read a contingency table (with ``count_column``) or capture histories (without it).

    Returns one table per stratum (key ``None`` when there is no stratum column). Every
    remaining column is a list and must hold 0/1.
    """
    source = Path(path).name
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in (reader.fieldnames or [])]
        raw_rows = list(reader)
    if not header:
        raise InvalidTableError(source=source, problem="empty file (no header)")
    if stratum_column is not None and stratum_column not in header:
        raise InvalidTableError(
            source=source, column=stratum_column, problem="stratum column not in header"
        )
    is_table = count_column in header
    skip = set(ignore_columns) | {count_column, stratum_column}
    list_names = [name for name in header if name not in skip]
    grouped: dict[str | None, list[tuple[list[int], int, int]]] = {}
    for row_number, raw in enumerate(raw_rows, start=2):  # header is line 1
        row = {(key or "").strip(): (value or "").strip() for key, value in raw.items()}
        pattern = [_parse_int(row.get(name, ""), source, row_number, name) for name in list_names]
        count = _parse_int(row[count_column], source, row_number, count_column) if is_table else 1
        stratum = row[stratum_column] if stratum_column is not None else None
        grouped.setdefault(stratum, []).append((pattern, count, row_number))
    tables: dict[str | None, ListOverlapTable] = {}
    for stratum, rows in grouped.items():
        label = source if stratum is None else f"{source} [stratum {stratum!r}]"
        numbers = [number for _, _, number in rows]
        if is_table:
            tables[stratum] = table_from_rows(
                list_names,
                [(pattern, count) for pattern, count, _ in rows],
                stratum=stratum,
                source=label,
                row_numbers=numbers,
            )
        else:
            tables[stratum] = table_from_capture_histories(
                list_names,
                [pattern for pattern, _, _ in rows],
                stratum=stratum,
                source=label,
                row_numbers=numbers,
            )
    if not tables:
        raise InvalidTableError(source=source, problem="no data rows")
    return tables


def check_lists_for_method(table: ListOverlapTable, *, method: str, min_observed: int = 10) -> None:
    """Refuse a stratum that is too sparse for ``method`` and say which counts make it so.

    ``method`` is ``"chapman"`` (exactly 2 non-empty lists) or ``"multi"`` (log-linear, dga,
    LCMCR: at least 3 non-empty lists).
    """
    sizes = table.list_sizes()
    non_empty = sum(1 for size in sizes.values() if size > 0)
    counts = {f"list {name}": size for name, size in sizes.items()}
    counts["documented"] = table.n_observed
    counts["on two or more lists"] = table.n_on_several_lists()
    if table.n_observed < min_observed:
        raise TooSparseError(
            stratum=table.stratum,
            counts=counts,
            reason=f"fewer than {min_observed} documented individuals",
        )
    if method == "multi" and non_empty < 3:
        raise TooSparseError(
            stratum=table.stratum,
            counts=counts,
            reason=f"{non_empty} non-empty lists; 3 are needed for log-linear, "
            "dga and latent-class models (2 lists: use Chapman)",
        )
    if method == "chapman" and non_empty != 2:
        raise TooSparseError(
            stratum=table.stratum,
            counts=counts,
            reason=f"Chapman needs exactly 2 non-empty lists, found {non_empty}",
        )
    if counts["on two or more lists"] == 0:
        raise TooSparseError(
            stratum=table.stratum,
            counts=counts,
            reason="no individual is on two lists: the lists do not overlap, "
            "so the number undocumented is unbounded",
        )


def _check_names(list_names: Sequence[str], source: str) -> tuple[str, ...]:
    names = tuple(str(name) for name in list_names)
    if len(names) < 2:
        raise InvalidTableError(source=source, problem=f"{len(names)} list column(s); at least 2")
    if len(names) > MAX_LISTS:
        raise InvalidTableError(source=source, problem=f"{len(names)} lists; at most {MAX_LISTS}")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InvalidTableError(source=source, problem=f"duplicate list names {duplicates}")
    return names


def _parse_int(text: str, source: str, row: int, column: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise InvalidTableError(
            source=source, row=row, column=column, problem=f"{text!r} is not a number"
        ) from None
    if not value.is_integer():
        raise InvalidTableError(
            source=source, row=row, column=column, problem=f"{text!r} is not a whole number"
        )
    return int(value)
