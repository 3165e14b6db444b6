"""Decomposable (chordal) graphs on the lists, with their cliques and separators.

R's dga ships precomputed graph lists for 3, 4 and 5 lists; here they are generated for any
number of lists by enumerating every graph and keeping the chordal ones (8, 61, 822, 18 154
graphs for 3–6 lists; 7 lists has 617 675 and would need a smarter generator, so the limit is 6).
Vertices are list indices; cliques and separators are bit masks; the empty separators between
disconnected components are left out (dga's convention).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from temoin.core.estimation.errors import InvalidSettingsError

__all__ = ["DecomposableGraph", "decomposable_graphs"]

MAX_LISTS_GRAPHS = 6


@dataclass(frozen=True)
class DecomposableGraph:
    n_vertices: int
    edges: frozenset[tuple[int, int]]
    cliques: tuple[int, ...]
    separators: tuple[int, ...]

    def name(self, list_names: tuple[str, ...] | None = None) -> str:
        names = list_names or tuple(str(j + 1) for j in range(self.n_vertices))
        parts = []
        for clique in self.cliques:
            members = [names[j] for j in range(self.n_vertices) if clique >> j & 1]
            parts.append("".join(members) if all(len(m) == 1 for m in members)
                         else ":".join(members))
        return "[" + ",".join(parts) + "]"


def _neighbours(n: int, edges: tuple[tuple[int, int], ...]) -> list[int]:
    adjacency = [0] * n
    for a, b in edges:
        adjacency[a] |= 1 << b
        adjacency[b] |= 1 << a
    return adjacency


def _chordal_structure(n: int, adjacency: list[int]) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Maximum cardinality search; returns (cliques, separators) or None if not chordal."""
    numbered = 0
    weights = [0] * n
    order: list[int] = []
    for _ in range(n):
        best = max((v for v in range(n) if not numbered >> v & 1), key=lambda v: (weights[v], -v))
        order.append(best)
        numbered |= 1 << best
        for v in range(n):
            if adjacency[best] >> v & 1 and not numbered >> v & 1:
                weights[v] += 1
    # the MCS order is a reverse perfect elimination ordering iff the graph is chordal
    candidates: list[int] = []
    for i, v in enumerate(order):
        earlier = 0
        for u in order[:i]:
            if adjacency[v] >> u & 1:
                earlier |= 1 << u
        members = [u for u in range(n) if earlier >> u & 1]
        for a, b in itertools.combinations(members, 2):
            if not adjacency[a] >> b & 1:
                return None
        candidates.append(earlier | (1 << v))
    # maximal cliques in MCS order have the running intersection property
    cliques: list[int] = []
    separators: list[int] = []
    covered = 0
    for current in candidates:
        if any(other != current and current & other == current for other in candidates):
            continue
        separator = current & covered
        if separator:
            separators.append(separator)
        cliques.append(current)
        covered |= current
    return tuple(cliques), tuple(separators)


@lru_cache(maxsize=8)
def decomposable_graphs(n_lists: int) -> tuple[DecomposableGraph, ...]:
    """Every decomposable graph on ``n_lists`` vertices (cached)."""
    if not 2 <= n_lists <= MAX_LISTS_GRAPHS:
        raise InvalidSettingsError([f"decomposable graphs are generated for 2 to "
                                    f"{MAX_LISTS_GRAPHS} lists, not {n_lists}"])
    all_edges = list(itertools.combinations(range(n_lists), 2))
    graphs = []
    for mask in range(1 << len(all_edges)):
        edges = tuple(edge for k, edge in enumerate(all_edges) if mask >> k & 1)
        structure = _chordal_structure(n_lists, _neighbours(n_lists, edges))
        if structure is None:
            continue
        cliques, separators = structure
        graphs.append(DecomposableGraph(n_lists, frozenset(edges), cliques, separators))
    return tuple(graphs)
