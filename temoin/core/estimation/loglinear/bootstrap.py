"""Bootstrap intervals that repeat model selection in every replicate (BCa, with jackknife
acceleration), as in Chan, Silverman & Vincent (2021) / SparseMSE ``estimatepopulation``.

Each replicate redraws the observed cells from a multinomial with the observed proportions,
re-runs the *whole* selection procedure and keeps the estimate, so that the interval includes
the uncertainty of choosing the model. A replicate whose selection cannot produce a model is
counted in ``failed`` and left out (and reported).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from temoin.core.estimation.data import ListOverlapTable
from temoin.core.estimation.errors import EstimationError, InvalidSettingsError

__all__ = ["BootstrapOutcome", "bca_interval", "bootstrap_estimates"]

FloatArray = npt.NDArray[np.float64]
Estimator = Callable[[ListOverlapTable], float]


@dataclass(frozen=True)
class BootstrapOutcome:
    estimate: float
    replicates: FloatArray
    acceleration: float
    low: float
    high: float
    level: float
    failed: int


def bootstrap_estimates(
    table: ListOverlapTable,
    estimator: Estimator,
    *,
    n_boot: int = 1000,
    seed: int = 1234,
    level: float = 0.95,
) -> BootstrapOutcome:
    """Estimate, bootstrap replicates (re-selecting the model each time) and BCa interval."""
    if n_boot < 20:
        raise InvalidSettingsError([f"n_boot={n_boot}: at least 20 replicates are needed"])
    if not 0.5 < level < 1.0:
        raise InvalidSettingsError([f"level={level} must be in (0.5, 1)"])
    rng = np.random.default_rng(seed)
    counts = table.counts.astype(np.int64)
    n = int(counts.sum())
    probabilities = counts / n
    estimate = estimator(table)
    replicates = []
    failed = 0
    for _ in range(n_boot):
        sample = rng.multinomial(n, probabilities)
        try:
            value = estimator(table.with_counts(sample))
        except EstimationError:
            failed += 1
            continue
        if math.isfinite(value):
            replicates.append(value)
        else:
            failed += 1
    reps = np.asarray(replicates, dtype=np.float64)
    acceleration = _jackknife_acceleration(table, estimator)
    low, high = bca_interval(reps, estimate, acceleration, level=level)
    return BootstrapOutcome(estimate, reps, acceleration, low, high, level, failed)


def bca_interval(
    replicates: FloatArray, estimate: float, acceleration: float, *, level: float = 0.95
) -> tuple[float, float]:
    """BCa limits (DiCiccio & Efron 1996), quantiles of type 8 as SparseMSE."""
    if len(replicates) == 0:
        return math.nan, math.nan
    proportion = float(np.mean(replicates < estimate))
    proportion = min(max(proportion, 0.5 / len(replicates)), 1 - 0.5 / len(replicates))
    z0 = stats.norm.ppf(proportion)
    alphas = np.array([(1 - level) / 2, (1 + level) / 2])
    za = stats.norm.ppf(alphas) + z0
    adjusted = stats.norm.cdf(z0 + za / (1 - acceleration * za))
    low, high = np.quantile(replicates, adjusted, method="median_unbiased")
    return float(low), float(high)


def _jackknife_acceleration(table: ListOverlapTable, estimator: Estimator) -> float:
    """Acceleration from deleting one individual of each non-empty cell, weighted by counts."""
    counts = table.counts.astype(np.int64)
    cells = np.flatnonzero(counts)
    values = []
    for cell in cells:
        reduced = counts.copy()
        reduced[cell] -= 1
        try:
            values.append(estimator(table.with_counts(reduced)))
        except EstimationError:
            values.append(math.nan)
    jack = np.asarray(values, dtype=np.float64)
    weights = counts[cells].astype(np.float64)
    ok = np.isfinite(jack)
    if ok.sum() < 2:
        return 0.0
    jack, weights = jack[ok], weights[ok]
    residuals = np.sum(weights * jack) / np.sum(weights) - jack
    denominator = 6.0 * np.sum(weights * residuals**2) ** 1.5
    if denominator == 0:
        return 0.0
    return float(np.sum(weights * residuals**3) / denominator)
