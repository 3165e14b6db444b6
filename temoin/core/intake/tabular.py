"""Shared plumbing for CSV-based parsers: header checks, shape checks, duplicate ids.

:func:`iter_dict_rows` turns a delimited file into ``(row_number, {column: text})`` pairs (or
a :class:`QuarantinedRow` for a row with the wrong number of cells), after checking that the
required columns are present. :func:`quarantine_duplicates` quarantines the second and later
rows that reuse an upstream id within one file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from temoin.core.intake.errors import FileFormatError
from temoin.core.intake.records import ParsedRow, QuarantinedRow, RowResult
from temoin.core.intake.textio import iter_csv_records

__all__ = ["is_hxl_row", "iter_dict_rows", "quarantine_duplicates"]


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


def quarantine_duplicates(results: Iterable[RowResult], *, id_field: str) -> Iterator[RowResult]:
    """Quarantine any row whose upstream id was already used earlier in the same file."""
    first_row: dict[str, int] = {}
    for result in results:
        if isinstance(result, ParsedRow) and result.upstream_id is not None:
            earlier = first_row.get(result.upstream_id)
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
            first_row[result.upstream_id] = result.row_number
        yield result
