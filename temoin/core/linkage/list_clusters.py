"""Best-first clustering that respects what a list is: mostly one record per person.

Connected components chain errors: "Ramata Boly" of list A links to the one of list B,
which links to a *second* Ramata Boly of list A, and two victims become one.  Here the
scored pairs are taken strongest first (union-find); two clusters are merged only if
every pair of records they would put together *from the same list* is itself a scored
pair at or above the threshold.  Records of one list still merge when the list repeats
a person (its duplicate pair is scored high), but never only through other lists.

Chains across lists are checked too (``min_average``): two clusters merge only if the
mean probability over *all* their cross pairs (pairs never scored count 0) reaches
``settings.cluster_min_average`` — average linkage on top of the strongest edge, so one
strong bridge does not fuse two people whose other records disagree.

Accepted reviewed pairs are always joined (they override the rule); rejected pairs are
never used as an edge and also block merges that would put them together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["cluster_pairs_by_list", "cluster_run_pairs"]


def cluster_pairs_by_list(
    lists: Sequence[str],
    left: Sequence[int],
    right: Sequence[int],
    probability: Sequence[float],
    *,
    threshold: float,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    min_average: float = 0.0,
) -> np.ndarray:
    """Cluster id (= smallest member node) for each record 0..len(lists)-1."""
    n_nodes = len(lists)
    parent = list(range(n_nodes))
    members: dict[int, list[int]] = {node: [node] for node in range(n_nodes)}

    def pair_key(a: int, b: int) -> int:  # one int per pair: lighter than a tuple
        return min(a, b) * n_nodes + max(a, b)

    banned = {pair_key(a, b) for a, b in cannot_link}
    # Probability of every scored pair (strong ones, or all when averages are checked).
    scored: dict[int, float] = {}
    candidates: list[tuple[float, int, int]] = []
    for a, b, p in zip(left, right, probability, strict=True):
        a, b = int(a), int(b)
        key = pair_key(a, b)
        if key in banned:
            continue
        if p >= threshold:
            scored[key] = p
            candidates.append((-p, min(a, b), max(a, b)))
        elif min_average > 0:
            scored[key] = p
    candidates.sort()

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(root_a: int, root_b: int) -> None:
        if len(members[root_a]) < len(members[root_b]):
            root_a, root_b = root_b, root_a
        parent[root_b] = root_a
        members[root_a].extend(members.pop(root_b))

    def allowed(root_a: int, root_b: int) -> bool:
        total = 0.0
        for x in members[root_a]:
            for y in members[root_b]:
                key = pair_key(x, y)
                if key in banned:
                    return False
                p = scored.get(key, 0.0)
                if lists[x] == lists[y] and p < threshold:
                    return False
                total += p
        return total >= min_average * len(members[root_a]) * len(members[root_b])

    for a, b in must_link:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            union(root_a, root_b)
    for _, a, b in candidates:
        root_a, root_b = find(a), find(b)
        if root_a != root_b and allowed(root_a, root_b):
            union(root_a, root_b)
    out = np.empty(n_nodes, dtype=np.int64)
    for group in members.values():
        out[group] = min(group)
    return out


def cluster_run_pairs(
    kind: str,
    lists: Sequence[str],
    left: Sequence[int],
    right: Sequence[int],
    probability: Sequence[float],
    *,
    settings: Any,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
) -> np.ndarray:
    """The clustering a run uses — list-aware for persons from several lists when the
    settings say so, connected components otherwise — so that re-clustering after a
    review decision applies the same rule as the run itself."""
    from temoin.core.linkage.clusters import cluster_pairs

    several_lists = len(left) > 0 and len(set(lists)) > 1
    if settings.clustering == "list_aware" and kind == "persons" and several_lists:
        return cluster_pairs_by_list(
            lists,
            left,
            right,
            probability,
            threshold=settings.match_threshold,
            must_link=must_link,
            cannot_link=cannot_link,
            min_average=settings.cluster_min_average,
        )
    return cluster_pairs(
        len(lists),
        left,
        right,
        probability,
        threshold=settings.match_threshold,
        must_link=must_link,
        cannot_link=cannot_link,
    )
