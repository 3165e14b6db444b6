"""Time per dga fit (Bayesian model averaging over decomposable graphs) on 3, 4, 5, 6 lists.

No R on this machine, and the issue quotes no R figure for dga: the baseline column is our own
brute-force variant measured in the same run (every graph on the full grid, no pruning).

    .venv/bin/python benchmarks/estimation_dga.py [--seven]

``--seven`` adds a synthetic 7-list table (617 675 graphs: about a minute to generate them;
its no-pruning baseline takes several minutes).
"""

from __future__ import annotations

import sys

import numpy as np
from estimation_common import load, peak_mib, print_table, timed

from temoin.core.estimation import bma_cr
from temoin.core.estimation import dga as dga_module
from temoin.core.estimation.calibration import simulate_table
from temoin.core.estimation.graphs import decomposable_graphs

CASES = [
    ("madigan_york_3lists_spina_bifida", 1.0, np.arange(0, 2001)),
    ("kosovo_1999_4lists", 2**-4, np.arange(0, 44001)),
    ("madigan_york_5lists", 0.5, np.arange(0, 301)),
    ("netherlands_trafficking_5lists", 2**-5, np.arange(0, 82341, 5)),
    ("netherlands_trafficking_6lists", 2**-6, np.arange(0, 400_001, 25)),
]


def main() -> None:
    rows = []
    cases: list[tuple[str, float, np.ndarray]] = list(CASES)  # type: ignore[type-arg]
    if "--seven" in sys.argv:
        cases.append(("synthetic 7 lists (N=3000)", 2**-7, np.arange(0, 20001, 2)))
    for name, delta, grid in cases:
        if name.startswith("synthetic"):
            table = simulate_table(3000, [[0.2, 0.3, 0.25, 0.15, 0.2, 0.3, 0.1]],
                                   rng=np.random.default_rng(1))
        else:
            table = load(name)
        graphs_seconds, graphs = timed(lambda t=table: decomposable_graphs(t.n_lists))
        seconds, posterior = timed(lambda t=table, d=delta, g=grid: bma_cr(t, grid=g, delta=d))
        saved = dga_module.PRUNE
        dga_module.PRUNE = float("inf")  # baseline: no pruning of negligible graphs
        try:
            brute, brute_posterior = timed(
                lambda t=table, d=delta, g=grid: bma_cr(t, grid=g, delta=d)
            )
        finally:
            dga_module.PRUNE = saved
        same = abs(posterior.quantile(0.5) - brute_posterior.quantile(0.5)) < 1e-9
        rows.append(
            [
                name,
                str(table.n_lists),
                f"{len(graphs):,}",
                f"{len(grid):,}",
                f"{graphs_seconds:.3f}",
                f"{seconds:.3f}",
                f"{brute:.3f}",
                f"{posterior.quantile(0.5):,.0f}",
                "yes" if same else "NO",
                f"{peak_mib():.0f}",
            ]
        )
    print_table(
        "dga model averaging: seconds per fit (graph generation cached after first use)",
        [
            "table",
            "lists",
            "graphs",
            "grid points",
            "graphs (s, first use)",
            "fit (s)",
            "baseline no pruning (s)",
            "median N",
            "same median",
            "peak RSS MiB",
        ],
        rows,
    )
    print("\nNo R figure is quoted for dga in the issue; R is not installed here.")


if __name__ == "__main__":
    main()
