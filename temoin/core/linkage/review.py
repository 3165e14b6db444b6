"""Review-queue ordering: which candidate pair should an analyst look at first.

A pair's *impact* is how much a decision would change the result: the uncertainty of
the pair (``1 - |2p - 1|``: 1 at p = 0.5, 0 at p = 0 or 1) times the number of records
whose cluster would change if the pair's status flipped (the sizes of the two clusters
it joins or of the cluster it holds together).  Pairs in a cluster larger than
``large_cluster_size`` or in a cluster containing a rejected pair are flagged.  Each
item carries, per comparison, the level label and its match weight (log2 Bayes
factor) for a side-by-side view: fields that agreed, disagreed or were missing.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from temoin.core.linkage.run import LinkageRun, RecordKey

__all__ = ["FieldEvidence", "ReviewItem", "review_queue", "review_sample"]


@dataclass(frozen=True, slots=True)
class FieldEvidence:
    """How one comparison (e.g. ``family_name``) scored a pair."""

    comparison: str
    level: str
    match_weight: float | None
    left_value: Any
    right_value: Any

    @property
    def verdict(self) -> str:
        if self.match_weight is None or self.level == "null":
            return "missing"
        return "agrees" if self.match_weight > 0 else "disagrees"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    left: RecordKey
    right: RecordKey
    match_probability: float
    match_weight: float
    impact: float
    currently_linked: bool
    cluster_sizes: tuple[int, int]
    flags: tuple[str, ...]
    fields: tuple[FieldEvidence, ...]


def _level_labels(model: dict[str, Any] | None) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    if not model:
        return labels
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lvl for lvl in levels if not lvl.get("is_null_level")]
        mapping = {-1: "null"}
        for position, level in enumerate(non_null):
            mapping[len(non_null) - 1 - position] = level.get("label_for_charts", str(position))
        labels[comparison["output_column_name"]] = mapping
    return labels


def _fields(row: pd.Series, labels: dict[str, dict[int, str]]) -> tuple[FieldEvidence, ...]:
    out = []
    for name, mapping in labels.items():
        gamma_column = f"gamma_{name}"
        if gamma_column not in row:
            continue
        gamma = int(row[gamma_column])
        # Splink 5 writes the match weight (mw_, log2 of the Bayes factor); Splink 4 wrote bf_
        mw = row.get(f"mw_{name}")
        bf = row.get(f"bf_{name}")
        if gamma == -1:
            weight = None
        elif mw is not None and not pd.isna(mw):
            weight = float(mw)
        elif bf is not None and not pd.isna(bf) and bf > 0:
            weight = math.log2(float(bf))
        else:
            weight = None
        left_value, right_value = _values(row, name)
        out.append(
            FieldEvidence(name, mapping.get(gamma, str(gamma)), weight, left_value, right_value)
        )
    return tuple(out)


_DISPLAY = {
    "given_name": "given_norm",
    "family_name": "family_norm",
    "death_date": "death_low",
    "birth": "birth_low",
    "place": "village_key",
    "sex": "sex",
    "document_id": "document_id",
    "address": "address_key",
    "event_date": "event_low",
    "act_types": "act_types",
    "perpetrators": "perpetrators",
    "casualties": "killed_low",
}


def _values(row: pd.Series, comparison: str) -> tuple[Any, Any]:
    if comparison == "name":
        return tuple(  # type: ignore[return-value]  # always two items
            " ".join(
                str(v)
                for v in (
                    row.get(f"given_norm_{s}"),
                    row.get(f"family_norm_{s}"),
                    row.get(f"name_script_key_{s}"),
                )
                if isinstance(v, str)
            )
            for s in ("l", "r")
        )
    if comparison == "death_date_place":
        return tuple(  # type: ignore[return-value]  # always two items
            (row.get(f"village_key_{s}"), row.get(f"death_low_{s}")) for s in ("l", "r")
        )
    column = _DISPLAY.get(comparison, comparison)
    return row.get(f"{column}_l"), row.get(f"{column}_r")


def review_queue(
    run: LinkageRun, *, limit: int | None = 100, include_decided_above: float | None = None
) -> list[ReviewItem]:
    """Candidate pairs ordered by decision impact (highest first).

    Pairs with probability at or above ``include_decided_above`` (default:
    ``settings.review_high``) are left out as settled, as are pairs below ``review_low``
    (they were never kept).  Ties are broken by record keys, so the order is stable.
    """
    if run.pairs is None or not len(run.pairs):
        return []
    settings = run.settings
    ceiling = settings.review_high if include_decided_above is None else include_decided_above
    assignments = run.assignments
    cluster_of = dict(
        zip(
            zip(assignments["list_id"], assignments["record_id"], strict=True),
            assignments["cluster_id"],
            strict=True,
        )
    )
    sizes = assignments["cluster_id"].value_counts().to_dict()
    labels = _level_labels(run.splink_model)
    items: list[ReviewItem] = []
    for _, row in run.pairs.iterrows():
        probability = float(row["match_probability"])
        if probability >= ceiling:
            continue
        left = (row["list_id_l"], row["record_id_l"])
        right = (row["list_id_r"], row["record_id_r"])
        cluster_left, cluster_right = cluster_of[left], cluster_of[right]
        linked = cluster_left == cluster_right
        size_pair = (int(sizes[cluster_left]), int(sizes[cluster_right]))
        affected = size_pair[0] if linked else size_pair[0] + size_pair[1]
        uncertainty = 1.0 - abs(2.0 * probability - 1.0)
        flags = []
        if max(size_pair) >= settings.large_cluster_size or (
            not linked and sum(size_pair) >= settings.large_cluster_size
        ):
            flags.append("large_cluster")
        if cluster_left in run.conflicting_clusters or cluster_right in run.conflicting_clusters:
            flags.append("conflicts_with_review")
        if linked and probability < settings.match_threshold:
            flags.append("linked_through_other_records")
        items.append(
            ReviewItem(
                left=left,
                right=right,
                match_probability=probability,
                match_weight=float(row["match_weight"]),
                impact=uncertainty * affected,
                currently_linked=bool(linked),
                cluster_sizes=size_pair,
                flags=tuple(flags),
                fields=_fields(row, labels),
            )
        )
    items.sort(
        key=lambda item: (-item.impact, -("large_cluster" in item.flags), item.left, item.right)
    )
    return items if limit is None else items[:limit]


def review_sample(
    run: LinkageRun,
    *,
    n: int,
    seed: int = 0,
    exclude: Collection[tuple[RecordKey, RecordKey]] = (),
) -> list[ReviewItem]:
    """``n`` pairs drawn at random from the uncertain band (``review_low`` ≤ p < ``review_high``).

    The impact order of :func:`review_queue` puts the pairs nearest p = 0.5 first: the
    best use of an analyst's time for *this* result, but a biased sample for learning —
    the decisions on them say little about the pairs at p = 0.9.  Decisions on a random
    sample of the band describe the whole band, so they teach the model (see the m
    update from accepted pairs in ``link_persons(labels=...)``) without that bias.
    Deterministic for a given ``seed``; items carry the same evidence as the queue's.
    ``exclude``: pairs already reviewed (either order), left out of the draw — so that
    rounds of review, each on the re-run with all decisions so far, never repeat a pair.
    """
    items = review_queue(run, limit=None)
    seen = {frozenset(pair) for pair in exclude}
    band = [
        item
        for item in items
        if item.match_probability >= run.settings.review_low
        and frozenset((item.left, item.right)) not in seen
    ]
    if n >= len(band):
        return band
    chosen = np.random.default_rng(seed).choice(len(band), size=n, replace=False)
    return [band[int(i)] for i in sorted(chosen)]

