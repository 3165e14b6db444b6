"""Accuracy against ground truth: pairwise precision/recall/F1 and blocking recall.

Used by the tests and benchmarks on synthetic or public (FEBRL) data with known truth.
Pairs are unordered pairs of record keys ``(list_id, record_id)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

import pandas as pd

from temoin.core.linkage.comparisons import SWAPPED_NAMES

__all__ = [
    "PairScores",
    "blocking_recall",
    "cluster_pairs_from_assignments",
    "pair_scores",
    "true_pairs",
]

Key = tuple[str, str]
Pair = frozenset[Key]


@dataclass(frozen=True, slots=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    actual: int


def true_pairs(entity_of: Mapping[Key, str], *, link_only: bool = False) -> set[Pair]:
    """All pairs of records sharing an entity (cross-list only when ``link_only``)."""
    groups: dict[str, list[Key]] = {}
    for key, entity in entity_of.items():
        groups.setdefault(entity, []).append(key)
    out: set[Pair] = set()
    for members in groups.values():
        for left, right in combinations(sorted(members), 2):
            if not (link_only and left[0] == right[0]):
                out.add(frozenset((left, right)))
    return out


def cluster_pairs_from_assignments(
    assignments: pd.DataFrame, *, link_only: bool = False
) -> set[Pair]:
    """All within-cluster pairs of a run's ``assignments``."""
    groups: dict[int, list[Key]] = {}
    for list_id, record_id, cluster in assignments[
        ["list_id", "record_id", "cluster_id"]
    ].itertuples(index=False):
        groups.setdefault(int(cluster), []).append((list_id, record_id))
    return true_pairs(
        {key: str(cluster) for cluster, members in groups.items() for key in members},
        link_only=link_only,
    )


def pair_scores(predicted: set[Pair], actual: set[Pair]) -> PairScores:
    tp = len(predicted & actual)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(actual) if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, tp, len(predicted), len(actual))


def blocking_recall(
    table: pd.DataFrame, rules: Iterable[tuple[str, ...]], actual: Iterable[Pair]
) -> float:
    """Share of true pairs that at least one blocking rule would generate."""
    by_key = table.set_index(["list_id", "record_id"])
    rules = list(rules)
    pairs = [tuple(sorted(pair)) for pair in actual]
    if not pairs:
        return 1.0
    found = 0
    wanted = {c for rule in rules for c in rule if c != SWAPPED_NAMES}
    if any(SWAPPED_NAMES in rule for rule in rules):
        wanted |= {"given_canon", "family_canon"}
    columns = sorted(wanted)
    values = by_key[columns].astype(object).where(by_key[columns].notna(), None).to_dict("index")
    for left, right in pairs:
        a, b = values.get(left), values.get(right)
        if a is None or b is None:
            continue
        for rule in rules:
            if all(_agrees(a, b, column) for column in rule):
                found += 1
                break
    return found / len(pairs)


def _agrees(a: Mapping[str, object], b: Mapping[str, object], column: str) -> bool:
    if column == SWAPPED_NAMES:
        return (
            a["given_canon"] is not None
            and a["given_canon"] == b["family_canon"]
            and a["family_canon"] == b["given_canon"]
        )
    return a[column] is not None and a[column] == b[column]
