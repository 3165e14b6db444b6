"""Clustering of scored pairs, with reviewed decisions as constraints, and sampled clusterings.

* :func:`cluster_pairs` — connected components of the pairs at or above a threshold;
  accepted pairs are always joined, rejected pairs are never used as an edge (a
  rejected pair can still end up in one cluster through other records: such clusters
  are reported as ``conflicting`` for review).
* :func:`sample_clusterings` — alternative clusterings for linkage uncertainty
  (in the spirit of Sadinle 2018): each candidate edge is kept with its match
  probability, independently, then components are taken.  This is an approximation of
  a posterior over partitions (no bipartite or transitivity-aware model), documented as
  such; it lets an estimate's interval include the doubt about who is who.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["cluster_pairs", "conflicting_clusters", "sample_clusterings"]


def _components(n_nodes: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    # Renumber clusters by their smallest member so numbering is stable across backends.
    first_member: dict[int, int] = {}
    for node, label in enumerate(labels.tolist()):
        first_member.setdefault(label, node)
    return np.array([first_member[label] for label in labels.tolist()], dtype=np.int64)


def cluster_pairs(
    n_nodes: int,
    left: Sequence[int],
    right: Sequence[int],
    probability: Sequence[float],
    *,
    threshold: float,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
) -> np.ndarray:
    """Cluster id (= smallest member node) for each node 0..n_nodes-1."""
    banned = {(min(a, b), max(a, b)) for a, b in cannot_link}
    chosen_left: list[int] = []
    chosen_right: list[int] = []
    for a, b, p in zip(left, right, probability, strict=True):
        if p >= threshold and (min(a, b), max(a, b)) not in banned:
            chosen_left.append(a)
            chosen_right.append(b)
    for a, b in must_link:
        chosen_left.append(a)
        chosen_right.append(b)
    return _components(
        n_nodes, np.asarray(chosen_left, dtype=np.int64), np.asarray(chosen_right, dtype=np.int64)
    )


def conflicting_clusters(
    assignment: np.ndarray, cannot_link: Iterable[tuple[int, int]]
) -> set[int]:
    """Clusters that contain both records of a pair an analyst rejected."""
    return {int(assignment[a]) for a, b in cannot_link if assignment[a] == assignment[b]}


def sample_clusterings(
    n_nodes: int,
    left: Sequence[int],
    right: Sequence[int],
    probability: Sequence[float],
    *,
    draws: int,
    seed: int,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
) -> list[np.ndarray]:
    """``draws`` alternative clusterings; reviewed decisions hold in every draw."""
    rng = np.random.default_rng(seed)
    left_array = np.asarray(left, dtype=np.int64)
    right_array = np.asarray(right, dtype=np.int64)
    probabilities = np.asarray(probability, dtype=float)
    banned = {(min(a, b), max(a, b)) for a, b in cannot_link}
    if banned:
        keep = np.array(
            [
                (min(a, b), max(a, b)) not in banned
                for a, b in zip(left_array.tolist(), right_array.tolist(), strict=True)
            ],
            dtype=bool,
        )
        left_array, right_array, probabilities = (
            left_array[keep],
            right_array[keep],
            probabilities[keep],
        )
    forced = list(must_link)
    forced_left = np.asarray([a for a, _ in forced], dtype=np.int64)
    forced_right = np.asarray([b for _, b in forced], dtype=np.int64)
    out: list[np.ndarray] = []
    for _ in range(draws):
        kept = rng.random(len(probabilities)) < probabilities
        out.append(
            _components(
                n_nodes,
                np.concatenate([left_array[kept], forced_left]),
                np.concatenate([right_array[kept], forced_right]),
            )
        )
    return out
