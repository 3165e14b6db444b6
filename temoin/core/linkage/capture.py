"""Output for estimation: capture histories by stratum, with linkage uncertainty.

For each linked individual (cluster) the set of lists that documented them; the
stratum is the most frequent stratum of its records (ties: alphabetical first).
Records kept out of linkage are left out (they are counted in ``excluded``), as are
lists flagged as whole copies of another list.  With alternative clusterings in the
run, one table per draw lets the estimate's interval include who-is-who doubt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from temoin.core.linkage.run import LinkageRun

__all__ = ["CaptureHistories", "capture_histories", "capture_history_draws"]


@dataclass(frozen=True)
class CaptureHistories:
    """``individuals``: cluster_id, stratum, lists (tuple), pattern ('101…').
    ``counts``: stratum × pattern → number of individuals."""

    lists: tuple[str, ...]
    individuals: pd.DataFrame
    counts: pd.DataFrame
    excluded: int

    def rows_by_stratum(self) -> dict[str | None, list[tuple[int, ...]]]:
        """0/1 histories in ``lists`` order per stratum, the input of
        ``temoin.core.estimation.data.table_from_capture_histories(lists, rows, stratum=...)``."""
        out: dict[str | None, list[tuple[int, ...]]] = {}
        for stratum, pattern in self.individuals[["stratum", "pattern"]].itertuples(index=False):
            out.setdefault(stratum, []).append(tuple(int(bit) for bit in pattern))
        return out


def _stratum_by_record(run: LinkageRun) -> list[str | None]:
    table = run.comparison_table
    strata: dict[tuple[str, str], str | None] = {}
    if table is not None and "stratum" in table:
        strata = dict(
            zip(
                zip(table["list_id"], table["record_id"], strict=True),
                table["stratum"],
                strict=True,
            )
        )
    return [
        strata.get((lst, rid))
        for lst, rid in zip(run.assignments["list_id"], run.assignments["record_id"], strict=True)
    ]


def _histories(
    run: LinkageRun, cluster_ids: np.ndarray | Sequence[int], lists: Sequence[str] | None
) -> CaptureHistories:
    frame = run.assignments[["list_id", "record_id", "linked"]].copy()
    frame["cluster_id"] = np.asarray(cluster_ids)
    frame["stratum"] = _stratum_by_record(run)
    linked = frame[frame["linked"]]
    all_lists = tuple(sorted(set(linked["list_id"]))) if lists is None else tuple(lists)
    position = {name: i for i, name in enumerate(all_lists)}
    rows = []
    for cluster, group in linked.groupby("cluster_id", sort=True):
        members = sorted(set(group["list_id"]))
        strata = Counter(s for s in group["stratum"] if s is not None)
        stratum = min(strata, key=lambda s: (-strata[s], s)) if strata else None
        bits = ["0"] * len(all_lists)
        for name in members:
            if name in position:
                bits[position[name]] = "1"
        rows.append(
            {
                "cluster_id": int(cluster),
                "stratum": stratum,
                "lists": tuple(members),
                "pattern": "".join(bits),
            }
        )
    individuals = pd.DataFrame(rows, columns=["cluster_id", "stratum", "lists", "pattern"])
    counts = (
        individuals.groupby(["stratum", "pattern"], dropna=False)
        .size()
        .rename("count")
        .reset_index()
        if len(individuals)
        else pd.DataFrame(columns=["stratum", "pattern", "count"])
    )
    return CaptureHistories(
        lists=all_lists,
        individuals=individuals,
        counts=counts,
        excluded=int((~frame["linked"]).sum()),
    )


def capture_histories(run: LinkageRun) -> CaptureHistories:
    """Capture histories of the run's chosen clustering."""
    return _histories(run, run.assignments["cluster_id"].to_numpy(), None)


def capture_history_draws(run: LinkageRun) -> list[CaptureHistories]:
    """One capture-history table per alternative clustering (``settings.alternative_clusterings``)."""
    lists = capture_histories(run).lists
    return [_histories(run, draw, lists) for draw in run.alternative_assignments]
