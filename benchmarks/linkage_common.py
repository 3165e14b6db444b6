"""Shared helpers of the linkage benchmarks: FEBRL adapters, metrics, timing, tables.

Not a test module and not part of the package; run the ``linkage_*.py`` scripts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from temoin.core.linkage.records import PersonRecord


def _febrl_date(text: Any) -> tuple[date | None, str]:
    text = str(text or "").strip()
    if len(text) == 8 and text.isdigit():
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:])), "day"
        except ValueError:
            if 1800 < int(text[:4]) < 2100:
                return date(int(text[:4]), 1, 1), "year"
    return None, "day"


def febrl_to_records(frame: pd.DataFrame, list_id: str) -> list[PersonRecord]:
    """FEBRL rows as PersonRecords (suburb → village, postcode → commune, state → cercle)."""
    out = []
    for rec_id, row in frame.fillna("").iterrows():
        birth, precision = _febrl_date(row["date_of_birth"])
        out.append(
            PersonRecord(
                record_id=str(rec_id),
                list_id=list_id,
                given_name=row["given_name"] or None,
                family_name=row["surname"] or None,
                birth_date=birth,
                birth_precision=precision,  # type: ignore[arg-type]
                village=row["suburb"] or None,
                commune=str(row["postcode"]) or None,
                cercle=row["state"] or None,
                document_id=str(row["soc_sec_id"]) or None,
                address=" ".join(
                    str(row[c]) for c in ("street_number", "address_1", "address_2") if row[c]
                )
                or None,
            )
        )
    return out


def febrl_entity(record_id: str) -> str:
    """FEBRL ids look like rec-1070-org / rec-1070-dup-0: the number is the entity."""
    return record_id.split("-")[1]


def print_table(rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    columns = [
        "tool",
        "data",
        "records",
        "pairs compared",
        "F1",
        "precision",
        "recall",
        "blocking recall",
        "time s",
        "peak MB",
    ]
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print(" | ".join(c.ljust(widths[c]) for c in columns))
    print("-|-".join("-" * widths[c] for c in columns))
    for row in rows:
        print(" | ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))
