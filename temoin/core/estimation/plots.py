"""Plots (matplotlib, PNG or SVG): posterior of N per method, observed vs estimated per stratum.

Uses the non-interactive Agg canvas directly, so it works on servers without a display.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from temoin.core.estimation.errors import InvalidSettingsError
from temoin.core.estimation.results import EstimationResult

__all__ = ["plot_results"]


def plot_results(
    results: Sequence[EstimationResult],
    path: str | Path,
    *,
    title: str = "Multiple systems estimation",
) -> Path:
    """Left: posterior/bootstrap distributions of N; right: observed vs estimated per stratum."""
    target = Path(path)
    if target.suffix.lower() not in (".png", ".svg"):
        raise InvalidSettingsError([f"plot file {target.name!r} must end in .png or .svg"])
    figure = Figure(figsize=(11, 4.5))
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)
    for result in results:
        if result.draws is not None and len(result.draws) > 1:
            left.hist(
                result.draws,
                bins=60,
                density=True,
                histtype="step",
                linewidth=1.5,
                label=f"{result.method} [{result.stratum or 'all'}]",
            )
        left.axvline(result.n_observed, color="black", linestyle=":", linewidth=1)
    left.set_xlabel("total N (documented + undocumented)")
    left.set_ylabel("density")
    left.set_title("distribution of the estimate")
    if left.get_legend_handles_labels()[0]:
        left.legend(fontsize=7)
    labels = [f"{r.method}\n{r.stratum or 'all'}" for r in results]
    positions = np.arange(len(results))
    observed = [r.n_observed for r in results]
    estimates = [r.estimate for r in results]
    right.bar(positions, observed, color="#999999", label="documented")
    lows = [r.estimate - (r.interval.low if r.interval else r.estimate) for r in results]
    highs = [(r.interval.high if r.interval else r.estimate) - r.estimate for r in results]
    right.errorbar(
        positions,
        estimates,
        yerr=[lows, highs],
        fmt="o",
        color="#b2182b",
        capsize=4,
        label="estimated total (95 % interval)",
    )
    right.set_xticks(positions, labels, fontsize=7)
    right.set_title("documented vs estimated")
    right.legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(target)
    return target
