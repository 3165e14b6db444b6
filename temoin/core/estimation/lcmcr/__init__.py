"""LCMCR: the Dirichlet-process latent-class capture–recapture model (Manrique-Vallier 2016).

Individuals belong to latent classes (truncated stick-breaking with at most ``K`` classes and a
Gamma(``a_alpha``, ``b_alpha``) prior on the concentration); within a class, lists record people
independently. A Gibbs sampler with data augmentation draws the number missing. Settings and
defaults are those of R's ``LCMCR::lcmCR`` (K, a_alpha, b_alpha, burn-in, thinning, seed; the
``buffer`` only sizes R's trace and is accepted for compatibility).

Beyond LCMCR: several chains with different seeds are always run, and split R-hat, effective
sample size and the spread of per-chain medians are reported — a multimodal or stuck posterior
(the Netherlands 6-list data) is flagged instead of passing silently.

The sweep runs compiled with numba when it is installed, else vectorised numpy over chains.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from temoin.core.estimation.data import ListOverlapTable, check_lists_for_method
from temoin.core.estimation.errors import InvalidSettingsError
from temoin.core.estimation.lcmcr.diagnostics import effective_sample_size, split_rhat
from temoin.core.estimation.results import (
    EstimationResult,
    EstimationWarning,
    empty_list_warnings,
    summarise_draws,
)

__all__ = ["LcmcrSettings", "available_backends", "estimate_lcmcr", "sample_lcmcr"]

IntArray = npt.NDArray[np.int64]

RHAT_LIMIT = 1.1
ESS_MIN = 100.0
CHAIN_MEDIAN_RATIO = 1.25

try:  # numba is optional: it pays (see benchmarks/estimation_lcmcr.py)
    from temoin.core.estimation.lcmcr.kernel_numba import run_chain_numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - depends on the environment
    HAVE_NUMBA = False


@dataclass(frozen=True)
class LcmcrSettings:
    """Sampler settings; defaults are LCMCR's except ``chains`` (LCMCR runs one)."""

    K: int = 5
    a_alpha: float = 0.25
    b_alpha: float = 0.25
    burn_in: int = 10_000
    samples: int = 1_000
    thinning: int = 10
    seed: int = 1
    chains: int = 4
    buffer: int = 10_000
    backend: str = "auto"  # auto | numba | numpy
    level: float = 0.95

    def validate(self) -> None:
        problems = []
        if self.K < 2:
            problems.append(f"K={self.K}: at least 2 latent classes")
        if self.a_alpha <= 0 or self.b_alpha <= 0:
            problems.append("a_alpha and b_alpha must be > 0")
        if self.burn_in < 0 or self.samples < 4 or self.thinning < 1:
            problems.append("burn_in >= 0, samples >= 4 and thinning >= 1 are required")
        if self.chains < 1:
            problems.append("chains must be >= 1 (4 recommended)")
        if self.backend not in ("auto", "numba", "numpy"):
            problems.append(f"backend {self.backend!r} not in auto/numba/numpy")
        if self.backend == "numba" and not HAVE_NUMBA:
            problems.append("backend 'numba' requested but numba is not installed")
        if not 0.5 < self.level < 1:
            problems.append(f"level={self.level} must be in (0.5, 1)")
        if problems:
            raise InvalidSettingsError(problems)


def available_backends() -> list[str]:
    return ["numba", "numpy"] if HAVE_NUMBA else ["numpy"]


def resolved_backend(settings: LcmcrSettings) -> str:
    """The backend actually used: ``auto`` means numba when installed."""
    if settings.backend == "auto":
        return "numba" if HAVE_NUMBA else "numpy"
    return settings.backend


def sample_lcmcr(
    table: ListOverlapTable, settings: LcmcrSettings
) -> tuple[IntArray, npt.NDArray[np.float64], IntArray]:
    """Draws of the number missing, alpha and k* with shape (chains, samples)."""
    settings.validate()
    cells = np.flatnonzero(table.counts)
    x = ((cells[:, None] >> np.arange(table.n_lists)[None, :]) & 1).astype(np.int64)
    freq = table.counts[cells].astype(np.int64)
    seeds = [settings.seed + chain for chain in range(settings.chains)]
    backend = resolved_backend(settings)
    if backend == "numba":
        outputs = [
            run_chain_numba(
                x,
                freq,
                settings.K,
                settings.a_alpha,
                settings.b_alpha,
                settings.burn_in,
                settings.samples,
                settings.thinning,
                seed,
            )
            for seed in seeds
        ]
        return (
            np.stack([o[0] for o in outputs]),
            np.stack([o[1] for o in outputs]),
            np.stack([o[2] for o in outputs]),
        )
    from temoin.core.estimation.lcmcr.kernel_numpy import run_chains_numpy

    return run_chains_numpy(
        x,
        freq,
        n_classes=settings.K,
        a_alpha=settings.a_alpha,
        b_alpha=settings.b_alpha,
        burn_in=settings.burn_in,
        n_samples=settings.samples,
        thinning=settings.thinning,
        seeds=seeds,
    )


def estimate_lcmcr(
    table: ListOverlapTable, settings: LcmcrSettings | None = None
) -> EstimationResult:
    """Posterior median and interval of N with convergence diagnostics across chains."""
    settings = settings or LcmcrSettings()
    check_lists_for_method(table, method="multi")
    n0, alpha, k_star = sample_lcmcr(table, settings)
    totals = (n0 + table.n_observed).astype(np.float64)
    estimate, interval = summarise_draws(totals.ravel(), level=settings.level)
    chain_medians = np.median(totals, axis=1)
    diagnostics: dict[str, object] = {
        "chain_medians": chain_medians.tolist(),
        "backend": resolved_backend(settings),
        "mean": float(totals.mean()),
        "alpha_median": float(np.median(alpha)),
        "k_star_median": float(np.median(k_star)),
    }
    warnings: list[EstimationWarning] = empty_list_warnings(table)
    if settings.chains >= 2:
        rhat = split_rhat(np.log(totals))
        ess = effective_sample_size(np.log(totals))
        diagnostics.update(rhat=rhat, ess=ess)
        ratio = float(chain_medians.max() / chain_medians.min())
        diagnostics["chain_median_ratio"] = ratio
        if not rhat < RHAT_LIMIT or ratio > CHAIN_MEDIAN_RATIO:
            warnings.append(
                EstimationWarning(
                    "not_converged",
                    f"the {settings.chains} chains disagree (R-hat {rhat:.2f}, per-chain "
                    f"medians {', '.join(f'{m:,.0f}' for m in chain_medians)}): the posterior "
                    "is multimodal or a chain is stuck; do not report this number without longer runs and "
                    "another method",
                )
            )
        elif ess < ESS_MIN:
            warnings.append(
                EstimationWarning(
                    "low_ess",
                    f"effective sample size {ess:.0f} < {ESS_MIN:.0f}: run longer "
                    "(more samples or thinning) before trusting the interval's tails",
                )
            )
    else:
        warnings.append(
            EstimationWarning("single_chain", "one chain only: convergence cannot be checked")
        )
    return EstimationResult(
        method="lcmcr",
        n_observed=table.n_observed,
        estimate=estimate,
        interval=interval,
        settings=asdict(settings),
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        draws=totals.ravel(),
        table=table,
        stratum=table.stratum,
        estimate_kind="median",
    )
