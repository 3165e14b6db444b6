"""Calibration on simulated truth (synthetic populations): coverage of the 95 % intervals and
median error of each method, when its assumptions hold and when they do not.

Scenarios (4 lists, true N = 2000):
  independent   — lists independent, everyone equally reachable (all models' assumptions hold);
  heterogeneous — 80 % of people hard to reach by every list, 20 % easy (capture heterogeneity);
  dependent     — being on list 1 makes list 2 much more likely (positive list dependence).

    .venv/bin/python benchmarks/estimation_calibration.py [replicates]
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
from estimation_common import peak_mib, print_table, timed

from temoin.core.estimation import (
    EstimationError,
    EstimationResult,
    LcmcrSettings,
    ListOverlapTable,
    LogLinearModel,
    estimate_dga,
    estimate_lcmcr,
    estimate_loglinear,
)
from temoin.core.estimation.calibration import simulate_table

TRUE_N = 2000
NAMES = ("S1", "S2", "S3", "S4")


def independent(rng: np.random.Generator) -> ListOverlapTable:
    return simulate_table(TRUE_N, [[0.3, 0.25, 0.2, 0.35]], rng=rng)


def heterogeneous(rng: np.random.Generator) -> ListOverlapTable:
    return simulate_table(TRUE_N, [[0.08, 0.06, 0.05, 0.1], [0.6, 0.5, 0.45, 0.55]],
                          class_weights=[0.8, 0.2], rng=rng)


def dependent(rng: np.random.Generator) -> ListOverlapTable:
    on = rng.random((TRUE_N, 4)) < np.array([0.3, 0.1, 0.2, 0.35])
    on[:, 1] |= on[:, 0] & (rng.random(TRUE_N) < 0.5)  # list 1 refers people to list 2
    cells = (on.astype(np.int64) << np.arange(4)).sum(axis=1)
    counts = np.bincount(cells, minlength=16).astype(np.int64)
    counts[0] = 0
    return ListOverlapTable(NAMES, counts, "synthetic")


METHODS: dict[str, Callable[[ListOverlapTable], EstimationResult]] = {
    "log-linear main effects, profile": lambda t: estimate_loglinear(
        t, selection="fixed", model=LogLinearModel(4), interval="profile"),
    "log-linear stepwise, BCa (100 boot)": lambda t: estimate_loglinear(t, n_boot=100),
    "dga (delta 2^-4)": lambda t: estimate_dga(t, delta=2**-4, grid=np.arange(0, 20001, 2),
                                             n_draws=10),
    "LCMCR K=10 (2 chains, short)": lambda t: estimate_lcmcr(t, LcmcrSettings(
        K=10, burn_in=2000, samples=500, thinning=10, chains=2)),
}
EXPENSIVE = {"log-linear stepwise, BCa (100 boot)", "LCMCR K=10 (2 chains, short)"}


def measure(scenario: Callable[[np.random.Generator], ListOverlapTable],
            estimator: Callable[[ListOverlapTable], EstimationResult],
            count: int) -> tuple[int, int, list[float]]:
    """(covered, failed, errors) over ``count`` simulated tables."""
    rng = np.random.default_rng(2026)
    covered = failed = 0
    errors: list[float] = []
    for _ in range(count):
        table = scenario(rng)
        try:
            result = estimator(table)
        except EstimationError:
            failed += 1
            continue
        assert result.interval is not None
        covered += int(result.interval.low <= TRUE_N <= result.interval.high)
        errors.append(result.estimate - TRUE_N)
    return covered, failed, errors


def main() -> None:
    replicates = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rows = []
    for scenario in (independent, heterogeneous, dependent):
        for method, estimator in METHODS.items():
            count = max(10, replicates // 5) if method in EXPENSIVE else replicates
            seconds, (covered, failed, errors) = timed(
                lambda s=scenario, e=estimator, c=count: measure(s, e, c))
            done = count - failed
            rows.append([scenario.__name__, method, str(count),
                         f"{covered / done:.0%}" if done else "-",
                         f"{np.median(errors):+.0f}" if errors else "-", str(failed),
                         f"{seconds:.1f}", f"{peak_mib():.0f}"])
    print_table(f"coverage of 95 % intervals, true N = {TRUE_N} (synthetic)",
                ["scenario", "method", "replicates", "coverage", "median error", "failed",
                 "time (s)", "peak RSS MiB"], rows)


if __name__ == "__main__":
    main()
