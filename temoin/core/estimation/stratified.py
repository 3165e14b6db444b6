"""Stratified estimation: estimate each stratum, then combine by summing draws.

The total's interval comes from summing, draw by draw, independent posterior (or bootstrap)
draws of every stratum — never from adding up per-stratum intervals or point estimates.
A stratum refused as too sparse is not silently dropped: its documented count enters the total
as is (a floor, nothing estimated for it) and the total carries a warning naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from temoin.core.estimation.data import ListOverlapTable
from temoin.core.estimation.errors import EstimationError, TooSparseError
from temoin.core.estimation.results import (
    EstimationResult,
    EstimationWarning,
    Interval,
    software_versions,
)

__all__ = ["StratifiedResult", "combine_strata", "estimate_stratified"]

Estimator = Callable[[ListOverlapTable], EstimationResult]


@dataclass(frozen=True)
class StratifiedResult:
    strata: tuple[EstimationResult, ...]
    refused: Mapping[str, str]
    total: EstimationResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "strata": [result.to_dict() for result in self.strata],
            "refused": dict(self.refused),
            "total": self.total.to_dict(),
        }


def estimate_stratified(
    tables: Mapping[str | None, ListOverlapTable],
    estimator: Estimator,
    *,
    n_draws: int = 4000,
    seed: int = 0,
    level: float = 0.95,
) -> StratifiedResult:
    """Run ``estimator`` on every stratum; too-sparse strata are refused and reported."""
    results: list[EstimationResult] = []
    refused: dict[str, str] = {}
    floors: dict[str, int] = {}
    for name, table in tables.items():
        label = str(name)
        try:
            results.append(estimator(table))
        except TooSparseError as error:
            refused[label] = error.message
            floors[label] = table.n_observed
    total = combine_strata(results, floors=floors, n_draws=n_draws, seed=seed, level=level)
    return StratifiedResult(tuple(results), refused, total)


def combine_strata(
    results: list[EstimationResult],
    *,
    floors: Mapping[str, int] | None = None,
    n_draws: int = 4000,
    seed: int = 0,
    level: float = 0.95,
) -> EstimationResult:
    """Total over strata by summing independent draws (resampled to ``n_draws`` each)."""
    floors = dict(floors or {})
    if not results:
        raise EstimationError("no stratum could be estimated; nothing to combine")
    rng = np.random.default_rng(seed)
    total_draws = np.zeros(n_draws)
    for result in results:
        if result.draws is None or len(result.draws) == 0:
            raise EstimationError(
                f"stratum {result.stratum!r} ({result.method}) has no posterior or bootstrap "
                "draws; it cannot be combined (use an interval with draws)"
            )
        total_draws += rng.choice(result.draws, size=n_draws, replace=True)
    floor = sum(floors.values())
    total_draws += floor
    tail = (1 - level) / 2
    low, median, high = np.quantile(total_draws, [tail, 0.5, 1 - tail])
    kinds = {result.estimate_kind for result in results}
    if kinds == {"mle"}:
        estimate = float(sum(result.estimate for result in results) + floor)
        kind = "percentile"
    else:
        estimate = float(median)
        kind = "credible"
    warnings = [
        EstimationWarning(
            "stratum_refused",
            f"stratum {name!r} was too sparse to estimate: its {count} "
            "documented individuals are added as is, so the total is an underestimate",
        )
        for name, count in floors.items()
    ]
    for result in results:
        for warning in result.warnings:
            warnings.append(
                EstimationWarning(warning.code, f"stratum {result.stratum!r}: {warning.message}")
            )
    methods = sorted({result.method for result in results})
    return EstimationResult(
        method="+".join(methods),
        n_observed=sum(r.n_observed for r in results) + floor,
        estimate=estimate,
        interval=Interval(float(low), float(high), level, kind),
        settings={
            "combination": "sum of independent draws",
            "n_draws": n_draws,
            "seed": seed,
            "strata": [str(r.stratum) for r in results],
        },
        diagnostics={
            "per_stratum_estimates": {str(r.stratum): r.estimate for r in results},
            "refused_floor": floor,
        },
        warnings=tuple(warnings),
        draws=total_draws,
        stratum="TOTAL",
        estimate_kind="mle" if kinds == {"mle"} else "median",
        versions=software_versions(),
    )
