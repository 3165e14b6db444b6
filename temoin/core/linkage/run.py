"""The result of a linkage run, and reviewed pairs fed back into the next run.

A :class:`LinkageRun` carries everything needed to explain and reproduce a result:
the Témoin settings (JSON), the trained Splink model (JSON), the scored candidate
pairs, the cluster of every record (records kept out of linkage are singletons with
their reason), and optional alternative clusterings for linkage uncertainty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from temoin.core.linkage.prepare import UnlinkedRecord
from temoin.core.linkage.settings import LinkageSettings

__all__ = ["LinkageRun", "RecordKey", "ReviewedPair", "RunStatus"]

RecordKey = tuple[str, str]
"""(list_id, record_id): a record's identity across the whole input."""

RunStatus = Literal["ok", "empty_input", "single_record", "nothing_to_link"]
Decision = Literal["match", "non_match", "unsure"]


@dataclass(frozen=True, slots=True)
class ReviewedPair:
    """An analyst's decision on a pair of records."""

    left: RecordKey
    right: RecordKey
    decision: Decision


@dataclass
class LinkageRun:
    """Outcome of :func:`link_persons` or :func:`link_incidents`.

    ``assignments`` has one row per input record: ``list_id``, ``record_id``,
    ``cluster_id`` (int), ``linked`` (False when kept out, see ``unlinked_reason``).
    ``pairs`` has the scored candidate pairs at or above ``settings.review_low`` with
    ``record_id_l/_r``, ``list_id_l/_r``, ``match_probability``, ``match_weight`` and
    per-comparison ``gamma_*`` / ``bf_*`` columns.  ``alternative_assignments`` holds
    one cluster-id array per draw, aligned with ``assignments`` rows.
    """

    kind: Literal["persons", "incidents"]
    status: RunStatus
    settings: LinkageSettings
    assignments: pd.DataFrame
    pairs: pd.DataFrame
    splink_model: dict[str, Any] | None
    unlinked: tuple[UnlinkedRecord, ...]
    messages: list[str] = field(default_factory=list)
    conflicting_clusters: set[int] = field(default_factory=set)
    alternative_assignments: list[np.ndarray] = field(default_factory=list)
    comparison_table: pd.DataFrame | None = None
    seconds: float = 0.0

    @property
    def n_clusters(self) -> int:
        return int(self.assignments["cluster_id"].nunique()) if len(self.assignments) else 0

    def clusters(self) -> dict[int, list[RecordKey]]:
        """Cluster id → member records."""
        out: dict[int, list[RecordKey]] = {}
        for list_id, record_id, cluster in self.assignments[
            ["list_id", "record_id", "cluster_id"]
        ].itertuples(index=False):
            out.setdefault(int(cluster), []).append((list_id, record_id))
        return out

    def cluster_of(self, key: RecordKey) -> int:
        rows = self.assignments[
            (self.assignments["list_id"] == key[0]) & (self.assignments["record_id"] == key[1])
        ]
        return int(rows["cluster_id"].iloc[0])

    def manifest(self) -> dict[str, Any]:
        """What to store with the run: settings, trained model, counts, messages."""
        return {
            "kind": self.kind,
            "status": self.status,
            "settings": self.settings.to_dict(),
            "splink_model": self.splink_model,
            "n_records": int(len(self.assignments)),
            "n_linked_records": int(self.assignments["linked"].sum())
            if len(self.assignments)
            else 0,
            "n_clusters": self.n_clusters,
            "n_candidate_pairs": int(len(self.pairs)),
            "unlinked": [
                {"list_id": u.list_id, "record_id": u.record_id, "reason": u.reason}
                for u in self.unlinked
            ],
            "conflicting_clusters": sorted(self.conflicting_clusters),
            "messages": list(self.messages),
        }

    def manifest_json(self) -> str:
        return json.dumps(self.manifest(), sort_keys=True, default=str)
