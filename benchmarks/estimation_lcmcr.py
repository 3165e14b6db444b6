"""LCMCR sampler timings against the R/C++ figures quoted in issue 6.

R is NOT installed here: the R column repeats the issue's figures (R's LCMCR on this machine:
Kosovo 1e4 burn-in + 1e5 iterations ~1.7 s; 20 lists / 103 cells, K=15, 5e6 iterations
~640 s). Our runs are one chain (R's LCMCR runs one). Long runs are measured on a fraction of
the iterations and extrapolated linearly (the cost per sweep is constant); the table says so.

    .venv/bin/python benchmarks/estimation_lcmcr.py [--full]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from estimation_common import load, peak_mib, print_table, timed

from temoin.core.estimation import LcmcrSettings, ListOverlapTable
from temoin.core.estimation.lcmcr import HAVE_NUMBA, sample_lcmcr


def twenty_list_stratum(seed: int = 4) -> ListOverlapTable:
    """Synthetic 20-list stratum with about 103 non-empty cells (2 latent classes)."""
    rng = np.random.default_rng(seed)
    n_lists = 20
    probabilities = np.vstack([rng.uniform(0.02, 0.12, n_lists), rng.uniform(0.1, 0.3, n_lists)])
    for size in range(100, 2000, 5):
        classes = rng.choice(2, size=size, p=[0.8, 0.2])
        recorded = rng.random((size, n_lists)) < probabilities[classes]
        cells = (recorded.astype(np.int64) << np.arange(n_lists)).sum(axis=1)
        counts = np.bincount(cells, minlength=1 << n_lists).astype(np.int64)
        counts[0] = 0
        if np.count_nonzero(counts) >= 103:
            return ListOverlapTable(
                tuple(f"L{j + 1}" for j in range(n_lists)), counts, "synthetic-20"
            )
    raise RuntimeError("could not build the 20-list stratum")


def run(table: ListOverlapTable, settings: LcmcrSettings) -> tuple[float, float]:
    """(wall seconds, CPU seconds): the machine is shared, CPU time is the fairer figure."""
    cpu = time.process_time()
    seconds, _ = timed(lambda: sample_lcmcr(table, settings))
    return seconds, time.process_time() - cpu


def main() -> None:
    full = "--full" in sys.argv
    kosovo = load("kosovo_1999_4lists")
    big = twenty_list_stratum()
    rows = []
    backends = ["numba", "numpy"] if HAVE_NUMBA else ["numpy"]
    if HAVE_NUMBA:  # compile once, outside the timings
        sample_lcmcr(kosovo, LcmcrSettings(burn_in=5, samples=5, thinning=1, chains=1))
    for backend in backends:
        sweeps = 110_000 if backend == "numba" else 11_000
        settings = LcmcrSettings(
            K=10,
            burn_in=sweeps // 11,
            samples=1000,
            thinning=max(1, sweeps * 10 // 11 // 1000),
            chains=1,
            backend=backend,
        )
        seconds, cpu = run(kosovo, settings)
        scale = 110_000 / (settings.burn_in + settings.samples * settings.thinning)
        rows.append(
            [
                f"Kosovo 4 lists, 15 cells, K=10 ({backend})",
                "1e4 + 1e5",
                f"{settings.burn_in + settings.samples * settings.thinning:,}",
                f"{seconds * scale:.2f}",
                f"{cpu * scale:.2f}",
                "1.7",
                f"{peak_mib():.0f}",
            ]
        )
        sweeps_big = (
            5_000_000
            if (full and backend == "numba")
            else (200_000 if backend == "numba" else 5_000)
        )
        settings = LcmcrSettings(
            K=15,
            burn_in=sweeps_big // 5,
            samples=1000,
            thinning=max(1, sweeps_big * 4 // 5 // 1000),
            chains=1,
            backend=backend,
        )
        seconds, cpu = run(big, settings)
        done = settings.burn_in + settings.samples * settings.thinning
        scale = 5_000_000 / done
        rows.append(
            [
                f"20 lists, {np.count_nonzero(big.counts)} cells, K=15 ({backend})",
                "5e6",
                f"{done:,}",
                f"{seconds * scale:.1f}",
                f"{cpu * scale:.1f}",
                "640",
                f"{peak_mib():.0f}",
            ]
        )
    print_table(
        "LCMCR, one chain (seconds; ours extrapolated from the sweeps actually run)",
        [
            "case",
            "work (sweeps)",
            "sweeps run",
            "ours wall (s)",
            "ours CPU (s)",
            "R LCMCR (s, quoted)",
            "peak RSS MiB",
        ],
        rows,
    )
    print("\nR is not installed on this machine: the R column is the issue's quoted figure.")
    print("Extra sweeps: our chains also run LCMCR's 500 warm-up sweeps (included).")


if __name__ == "__main__":
    main()
