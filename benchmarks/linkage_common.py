"""Shared helpers of the linkage benchmarks: FEBRL adapters, metrics, timing, tables.

Not a test module and not part of the package; run the ``linkage_*.py`` scripts.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterable
from datetime import date
from itertools import combinations
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


def true_pairs(
    entity_of: dict[tuple[str, str], str], *, link_only: bool = False
) -> set[frozenset[tuple[str, str]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for key, entity in entity_of.items():
        groups.setdefault(entity, []).append(key)
    out = set()
    for members in groups.values():
        for a, b in combinations(sorted(members), 2):
            if link_only and a[0] == b[0]:
                continue
            out.add(frozenset((a, b)))
    return out


def cluster_pairs_of(
    assignments: pd.DataFrame, *, link_only: bool = False
) -> set[frozenset[tuple[str, str]]]:
    groups: dict[int, list[tuple[str, str]]] = {}
    for list_id, record_id, cluster in assignments[
        ["list_id", "record_id", "cluster_id"]
    ].itertuples(index=False):
        groups.setdefault(int(cluster), []).append((list_id, record_id))
    out = set()
    for members in groups.values():
        if len(members) > 60:
            continue
        for a, b in combinations(sorted(members), 2):
            if link_only and a[0] == b[0]:
                continue
            out.add(frozenset((a, b)))
    return out


def f1(predicted: set[Any], truth: set[Any]) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def print_table(rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    columns = [
        "tool",
        "data",
        "records",
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
