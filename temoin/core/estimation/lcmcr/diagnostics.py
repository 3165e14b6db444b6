"""Convergence diagnostics for several MCMC chains: split R-hat and effective sample size.

R-hat follows Gelman et al. (BDA3, split chains); the effective sample size uses the
multi-chain autocorrelation estimate with Geyer's initial monotone sequence (as Stan).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["effective_sample_size", "split_rhat"]

FloatArray = npt.NDArray[np.float64]


def _split(chains: npt.ArrayLike) -> FloatArray:
    values = np.asarray(chains, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError("chains must be a 2-d array (chains, draws)")
    half = values.shape[1] // 2
    return np.concatenate([values[:, :half], values[:, half : 2 * half]], axis=0)


def split_rhat(chains: npt.ArrayLike) -> float:
    """Potential scale reduction factor on split chains; > 1.01–1.1 means not mixed."""
    values = _split(chains)
    m, n = values.shape
    if n < 2:
        return float("nan")
    means = values.mean(axis=1)
    within = values.var(axis=1, ddof=1).mean()
    between = n * means.var(ddof=1)
    if within == 0:
        return 1.0 if between == 0 else float("inf")
    pooled = (n - 1) / n * within + between / n
    return float(np.sqrt(pooled / within))


def effective_sample_size(chains: npt.ArrayLike) -> float:
    """Multi-chain effective sample size (Geyer initial monotone sequence)."""
    values = _split(chains)
    m, n = values.shape
    if n < 4:
        return float(m * n)
    centred = values - values.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :n] / n
    chain_var = acov[:, 0] * n / (n - 1)
    within = chain_var.mean()
    means = values.mean(axis=1)
    between_term = means.var(ddof=1) if m > 1 else 0.0
    var_plus = (n - 1) / n * within + between_term
    if var_plus == 0:
        return float(m * n)
    rho = 1.0 - (within - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    total = 0.0
    previous_pair = np.inf
    for t in range(0, n - 1, 2):
        pair = rho[t] + rho[t + 1]
        if pair < 0:
            break
        pair = min(pair, previous_pair)
        total += pair
        previous_pair = pair
    tau = -1.0 + 2.0 * total
    tau = max(tau, 1.0 / np.log10(m * n))
    return float(m * n / tau)
