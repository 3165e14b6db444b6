"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997), as R's
``dga::bma.cr``.

For each decomposable graph on the lists, the hyper-Dirichlet prior with ``delta`` per cell of
the full table gives the marginal likelihood of the completed table as a ratio of clique and
separator Dirichlet–multinomial terms. Combined with a prior on N over a grid of values of the
number missing, it gives a posterior weight for every (graph, number missing) pair; summing
over graphs gives the posterior of N, summing over the grid the posterior model weights.

Beyond dga: graphs are generated for up to 7 lists, the computation is chunked over graphs
(7 lists = 617 675 graphs) with negligible graphs pruned after a coarse pass, and a warning
is raised when posterior mass reaches the edge of the grid.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse, special

from temoin.core.estimation.data import ListOverlapTable, check_lists_for_method
from temoin.core.estimation.errors import InvalidSettingsError
from temoin.core.estimation.graphs import (
    MAX_LISTS_GRAPHS,
    DecomposableGraph,
    decomposable_graphs,
)
from temoin.core.estimation.results import (
    EstimationResult,
    EstimationWarning,
    Interval,
    empty_list_warnings,
)

__all__ = ["DgaPosterior", "bma_cr", "estimate_dga", "negative_binomial_log_prior"]

FloatArray = npt.NDArray[np.float64]
LogPrior = Callable[[FloatArray], FloatArray]

GRAPH_CHUNK = 512
COARSE_POINTS = 2000
PRUNE = 40.0
EDGE_MASS = 1e-3


@dataclass(frozen=True)
class DgaPosterior:
    """Posterior over the number missing (on ``grid``) and over graphs."""

    grid: FloatArray
    n_observed: int
    posterior_missing: FloatArray  # sums to 1 over the grid
    model_weights: FloatArray  # sums to 1 over graphs
    model_names: tuple[str, ...]
    top_model_posterior_missing: FloatArray

    @property
    def totals(self) -> FloatArray:
        return self.grid + self.n_observed

    def quantile(self, q: float, *, top_model: bool = False) -> float:
        weights = self.top_model_posterior_missing if top_model else self.posterior_missing
        cumulative = np.cumsum(weights)
        index = int(np.searchsorted(cumulative, q * cumulative[-1]))
        return float(self.totals[min(index, len(self.totals) - 1)])

    def mode(self, *, top_model: bool = False) -> float:
        weights = self.top_model_posterior_missing if top_model else self.posterior_missing
        return float(self.totals[int(np.argmax(weights))])

    def mean(self) -> float:
        return float(np.sum(self.totals * self.posterior_missing))

    def bayes_relative_squared(self, *, top_model: bool = False) -> float:
        """Bayes estimate under relative squared loss, E[1/N] / E[1/N^2] (dga's test)."""
        weights = self.top_model_posterior_missing if top_model else self.posterior_missing
        totals = self.totals
        return float(np.sum(weights / totals) / np.sum(weights / totals**2))

    def edge_mass(self) -> float:
        """Posterior mass in the top 1 % of the grid (at least the last point)."""
        width = max(1, int(math.ceil(0.01 * len(self.grid))))
        return float(self.posterior_missing[-width:].sum())

    def sample(self, size: int, *, seed: int = 0) -> FloatArray:
        rng = np.random.default_rng(seed)
        return rng.choice(self.totals, size=size, p=self.posterior_missing)


def negative_binomial_log_prior(a: float, b: float) -> LogPrior:
    """dga's test prior: ``N log b - (N+a) log(1+b) + lgamma(N+a) - lgamma(N+1) - lgamma(a)``
    with N the total population (documented + missing), as in dga's test."""

    def log_prior(total: FloatArray) -> FloatArray:
        return np.asarray(
            total * math.log(b)
            - (total + a) * math.log1p(b)
            + special.gammaln(total + a)
            - special.gammaln(total + 1)
            - special.gammaln(a),
            dtype=np.float64,
        )

    return log_prior


def bma_cr(
    table: ListOverlapTable,
    *,
    grid: npt.ArrayLike,
    delta: float,
    log_prior: LogPrior | None = None,
    log_prior_model_weights: npt.ArrayLike | None = None,
) -> DgaPosterior:
    """dga's ``bma.cr`` on ``table``; ``log_prior`` is a function of the total N (default
    ``-log N``, i.e. a prior proportional to 1/N); ``log_prior_model_weights`` (one per graph,
    in the order of :func:`decomposable_graphs`) as dga's ``log.prior.model.weights``."""
    missing = np.asarray(grid, dtype=np.float64)
    problems = []
    if (
        missing.ndim != 1
        or len(missing) < 2
        or (missing < 0).any()
        or (np.diff(missing) <= 0).any()
    ):
        problems.append("grid must be increasing non-negative numbers missing (>= 2 points)")
    if not delta > 0:
        problems.append(f"delta must be > 0, got {delta}")
    if not 2 <= table.n_lists <= MAX_LISTS_GRAPHS:
        problems.append(f"dga handles 2 to {MAX_LISTS_GRAPHS} lists, not {table.n_lists}")
    if problems:
        raise InvalidSettingsError(problems)
    p = table.n_lists
    n = table.n_observed
    counts = table.counts.astype(np.float64)
    cells = np.arange(1 << p)
    total_alpha = delta * (1 << p)
    # component log marginal likelihoods for every subset of lists (rows) and grid (cols)
    components = np.zeros((1 << p, len(missing)))
    for subset in range(1, 1 << p):
        size = bin(subset).count("1")
        marginal = np.bincount(_compress(cells, subset, p), weights=counts, minlength=1 << size)
        alpha = delta * (1 << (p - size))
        constant = float(np.sum(special.gammaln(marginal[1:] + alpha)))
        components[subset] = (
            constant
            + special.gammaln(marginal[0] + missing + alpha)
            - (1 << size) * special.gammaln(alpha)
        )
    dirichlet = special.gammaln(total_alpha) - special.gammaln(missing + n + total_alpha)
    multinomial = (
        special.gammaln(missing + n + 1)
        - float(np.sum(special.gammaln(counts[1:] + 1)))
        - special.gammaln(missing + 1)
    )
    prior = -np.log(n + missing) if log_prior is None else np.asarray(log_prior(n + missing))
    common = multinomial + prior
    graphs = decomposable_graphs(p)
    model_prior = np.zeros(len(graphs))
    if log_prior_model_weights is not None:
        model_prior = np.asarray(log_prior_model_weights, dtype=np.float64)
        if model_prior.shape != (len(graphs),):
            raise InvalidSettingsError([f"log_prior_model_weights needs {len(graphs)} values "
                                        f"(one per graph), got shape {model_prior.shape}"])
    # Pass 1 on a coarse sub-grid: approximate each graph's total weight, so that graphs
    # with negligible posterior weight (< e^-PRUNE of the best) skip the full grid, and find
    # the window of the grid where the averaged posterior is not negligible.
    stride = max(1, len(missing) // COARSE_POINTS)
    coarse_index = np.arange(0, len(missing), stride)
    coarse_totals = np.empty(len(graphs))
    coarse_mixture = np.full(len(coarse_index), -np.inf)
    for start in range(0, len(graphs), GRAPH_CHUNK):
        rows = slice(start, start + GRAPH_CHUNK)
        coefficients, n_pieces = _graph_coefficients(graphs[rows], p)
        # the coefficient matrix is sparse (a few cliques per graph): sparse @ dense
        weights = (
            coefficients @ components[:, coarse_index]
            + n_pieces[:, None] * dirichlet[None, coarse_index]
            + common[None, coarse_index]
            + model_prior[rows, None]
        )
        coarse_totals[rows] = _logsumexp(weights, axis=1) + math.log(stride)
        coarse_mixture = np.logaddexp(coarse_mixture, _logsumexp(weights, axis=0))
    keep = np.flatnonzero(coarse_totals >= coarse_totals.max() - PRUNE)
    alive = coarse_index[coarse_mixture >= coarse_mixture.max() - PRUNE]
    low = max(0, int(alive.min()) - stride)
    high = min(len(missing), int(alive.max()) + stride + 1)
    window = slice(low, high)
    log_model_totals = coarse_totals.copy()
    log_missing = np.full(len(missing), -np.inf)
    best_rows: list[tuple[float, FloatArray]] = []
    for start in range(0, len(keep), GRAPH_CHUNK):
        rows_kept = keep[start : start + GRAPH_CHUNK]
        coefficients, n_pieces = _graph_coefficients([graphs[i] for i in rows_kept], p)
        weights = (
            coefficients @ components[:, window]
            + n_pieces[:, None] * dirichlet[None, window]
            + common[None, window]
            + model_prior[rows_kept, None]
        )
        totals = _logsumexp(weights, axis=1)
        log_model_totals[rows_kept] = totals
        log_missing[window] = np.logaddexp(log_missing[window],
                                           _logsumexp(weights, axis=0))
        top = int(np.argmax(totals))
        top_row = np.full(len(missing), -np.inf)
        top_row[window] = weights[top]
        best_rows.append((float(totals[top]), top_row))
    # pruned graphs keep their coarse total; their share of the N posterior is < e^-PRUNE,
    # and outside the window the averaged posterior is < e^-PRUNE of its peak
    normaliser = _logsumexp(log_model_totals)
    model_weights = np.exp(log_model_totals - normaliser)
    posterior = np.exp(log_missing - normaliser)
    top_row = max(best_rows, key=lambda item: item[0])[1]
    top_posterior = np.exp(top_row - _logsumexp(top_row))
    names = tuple(graph.name(table.list_names if p <= 9 else None) for graph in graphs)
    return DgaPosterior(
        missing, n, posterior / posterior.sum(), model_weights, names, top_posterior
    )


def _graph_coefficients(
    graphs: Sequence[DecomposableGraph], p: int
) -> tuple[sparse.csr_matrix, FloatArray]:
    """+1 per clique, -1 per separator (rows = graphs, columns = subsets of lists), sparse."""
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    n_pieces = np.empty(len(graphs))
    for row, graph in enumerate(graphs):
        for clique in graph.cliques:
            rows.append(row)
            columns.append(clique)
            values.append(1.0)
        for separator in graph.separators:
            rows.append(row)
            columns.append(separator)
            values.append(-1.0)
        n_pieces[row] = len(graph.cliques) - len(graph.separators)
    matrix = sparse.csr_matrix((values, (rows, columns)), shape=(len(graphs), 1 << p))
    return matrix, n_pieces


def _logsumexp(values: FloatArray, axis: int | None = None) -> FloatArray:
    """log(sum(exp(values))) along ``axis``; a lean version of scipy's for big arrays."""
    peak = np.max(values, axis=axis, keepdims=True)
    safe_peak = np.where(np.isfinite(peak), peak, 0.0)
    total = np.sum(np.exp(values - safe_peak), axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        result = np.log(total) + safe_peak
    return np.asarray(np.squeeze(result, axis=axis) if axis is not None else result.reshape(()),
                      dtype=np.float64)


def _compress(cells: npt.NDArray[np.int64], subset: int, p: int) -> npt.NDArray[np.int64]:
    """Index of each full cell in the marginal table over the lists of ``subset``."""
    out = np.zeros_like(cells)
    position = 0
    for j in range(p):
        if subset >> j & 1:
            out |= ((cells >> j) & 1) << position
            position += 1
    return out


def default_grid(n_observed: int) -> FloatArray:
    """0 .. max(10·n, 5000) missing, at most ~20 000 points; the grid-edge warning tells
    when this is not wide enough."""
    upper = max(10 * n_observed, 5000)
    step = max(1, int(math.ceil(upper / 20_000)))
    return np.arange(0, upper + 1, step, dtype=np.float64)


def estimate_dga(
    table: ListOverlapTable,
    *,
    delta: float | None = None,
    grid: npt.ArrayLike | None = None,
    log_prior: LogPrior | None = None,
    level: float = 0.95,
    n_draws: int = 4000,
    seed: int = 0,
) -> EstimationResult:
    """Posterior median and equal-tailed interval of N by dga model averaging."""
    check_lists_for_method(table, method="multi")
    delta_used = 2.0 ** -p_default_exponent(table) if delta is None else float(delta)
    grid_used = default_grid(table.n_observed) if grid is None else np.asarray(grid, float)
    posterior = bma_cr(table, grid=grid_used, delta=delta_used, log_prior=log_prior)
    tail = (1 - level) / 2
    warnings = empty_list_warnings(table)
    if posterior.edge_mass() > EDGE_MASS:
        warnings.append(
            EstimationWarning(
                "grid_edge",
                f"{posterior.edge_mass():.2%} of the posterior lies at the top of the "
                f"grid (number missing up to {grid_used[-1]:.0f}): the grid cuts the posterior; "
                "widen it, and distrust the upper limit",
            )
        )
    order = np.argsort(posterior.model_weights)[::-1]
    top_models = [
        {"graph": posterior.model_names[i], "weight": float(posterior.model_weights[i])}
        for i in order[:5]
    ]
    return EstimationResult(
        method="dga",
        n_observed=table.n_observed,
        estimate=posterior.quantile(0.5),
        interval=Interval(
            posterior.quantile(tail), posterior.quantile(1 - tail), level, "credible"
        ),
        settings={
            "delta": delta_used,
            "grid_min": float(grid_used[0]),
            "grid_max": float(grid_used[-1]),
            "grid_points": len(grid_used),
            "prior": "1/N" if log_prior is None else "custom",
            "level": level,
        },
        diagnostics={
            "mode": posterior.mode(),
            "mean": posterior.mean(),
            "top_models": top_models,
            "edge_mass": posterior.edge_mass(),
            "n_graphs": len(posterior.model_names),
        },
        warnings=tuple(warnings),
        draws=posterior.sample(n_draws, seed=seed),
        table=table,
        stratum=table.stratum,
        estimate_kind="median",
    )


def p_default_exponent(table: ListOverlapTable) -> int:
    """dga's documentation suggests delta = 2^-p (a prior worth one individual in total)."""
    return table.n_lists
