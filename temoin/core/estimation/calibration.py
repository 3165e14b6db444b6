"""Simulated truth for calibration: populations of known size recorded by synthetic lists.

All data here are synthetic. ``simulate_table`` draws a population of ``n_total`` people in
latent classes, each recorded by each list independently given its class; one class gives
independent, homogeneous lists (the assumption of the main-effects log-linear model), several
classes give heterogeneity (which LCMCR models and simple log-linear models do not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from temoin.core.estimation.data import ListOverlapTable
from temoin.core.estimation.errors import EstimationError
from temoin.core.estimation.results import EstimationResult

__all__ = ["CoverageReport", "coverage", "simulate_table"]


def simulate_table(
    n_total: int,
    capture_probabilities: Sequence[Sequence[float]],
    *,
    class_weights: Sequence[float] | None = None,
    rng: np.random.Generator,
    list_names: Sequence[str] | None = None,
    stratum: str = "synthetic",
) -> ListOverlapTable:
    """``capture_probabilities[k][j]`` = chance that list ``j`` records a person of class k."""
    probabilities = np.asarray(capture_probabilities, dtype=np.float64)
    n_classes, n_lists = probabilities.shape
    weights = (
        np.full(n_classes, 1.0 / n_classes)
        if class_weights is None
        else np.asarray(class_weights, dtype=np.float64)
    )
    classes = rng.choice(n_classes, size=n_total, p=weights / weights.sum())
    recorded = rng.random((n_total, n_lists)) < probabilities[classes]
    cells = (recorded.astype(np.int64) << np.arange(n_lists)).sum(axis=1)
    counts = np.bincount(cells, minlength=1 << n_lists).astype(np.int64)
    counts[0] = 0
    names = tuple(list_names) if list_names else tuple(f"S{j + 1}" for j in range(n_lists))
    return ListOverlapTable(names, counts, stratum)


@dataclass(frozen=True)
class CoverageReport:
    replicates: int
    covered: int
    failed: int
    median_estimate: float
    median_width: float

    @property
    def coverage(self) -> float:
        done = self.replicates - self.failed
        return self.covered / done if done else float("nan")


def coverage(
    estimator: Callable[[ListOverlapTable], EstimationResult],
    *,
    n_total: int,
    capture_probabilities: Sequence[Sequence[float]],
    class_weights: Sequence[float] | None = None,
    replicates: int = 200,
    seed: int = 0,
) -> CoverageReport:
    """How often the estimator's interval contains the true ``n_total``."""
    rng = np.random.default_rng(seed)
    covered = failed = 0
    estimates: list[float] = []
    widths: list[float] = []
    for _ in range(replicates):
        table = simulate_table(n_total, capture_probabilities, class_weights=class_weights, rng=rng)
        try:
            result = estimator(table)
        except EstimationError:
            failed += 1
            continue
        if result.interval is None:
            failed += 1
            continue
        estimates.append(result.estimate)
        widths.append(result.interval.high - result.interval.low)
        if result.interval.low <= n_total <= result.interval.high:
            covered += 1
    return CoverageReport(
        replicates,
        covered,
        failed,
        float(np.median(estimates)) if estimates else float("nan"),
        float(np.median(widths)) if widths else float("nan"),
    )
