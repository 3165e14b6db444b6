"""Vectorised numpy Gibbs sweeps of the LCMCR sampler, all chains at once.

Same model, steps and initialisation as :mod:`kernel_numba`; used when numba is not
installed (slower per chain, but every chain advances in the same numpy call).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["run_chains_numpy"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def run_chains_numpy(
    x: IntArray,
    freq: IntArray,
    *,
    n_classes: int,
    a_alpha: float,
    b_alpha: float,
    burn_in: int,
    n_samples: int,
    thinning: int,
    seeds: list[int],
) -> tuple[IntArray, FloatArray, IntArray]:
    """Return (n0 draws, alpha draws, k* draws), each of shape (chains, samples)."""
    rng = np.random.default_rng(seeds)
    chains = len(seeds)
    n_cells, n_lists = x.shape
    n = int(freq.sum())
    xf = x.astype(np.float64)
    marginal = (x * freq[:, None]).sum(axis=0) / n
    lam = np.broadcast_to(marginal[None, :, None], (chains, n_lists, n_classes)).copy()
    nu = np.full((chains, n_classes), 1.0 / n_classes)
    if n_classes > 4:
        nu[:, :4] = 0.225
        nu[:, 4:] = 0.1 / (n_classes - 4)
    alpha = np.full(chains, 0.3 / n_classes)
    n0 = np.zeros(chains, dtype=np.int64)
    count0 = np.zeros((chains, n_classes), dtype=np.int64)
    log_nu_last = np.log(nu[:, -1])

    def sweep(sample_alpha: bool) -> IntArray:
        nonlocal lam, nu, alpha, n0, count0, log_nu_last
        log_lam = np.log(lam)
        log_not = np.log1p(-lam)
        # (chains, cells, classes)
        log_p = (
            np.log(nu)[:, None, :]
            + np.einsum("mj,cjk->cmk", xf, log_lam)
            + np.einsum("mj,cjk->cmk", 1.0 - xf, log_not)
        )
        log_p -= log_p.max(axis=2, keepdims=True)
        probs = np.exp(log_p)
        probs /= probs.sum(axis=2, keepdims=True)
        count_zik = rng.multinomial(np.broadcast_to(freq, (chains, n_cells)), probs)
        aux1 = np.einsum("mj,cmk->cjk", xf, count_zik)
        aux0 = np.einsum("mj,cmk->cjk", 1.0 - xf, count_zik) + count0[:, None, :]
        lam = rng.beta(1.0 + aux1, 1.0 + aux0)
        lam = np.clip(lam, 1e-300, 1.0 - 1e-15)
        count_k = count0 + count_zik.sum(axis=1)
        remaining = (n0 + n)[:, None] - np.cumsum(count_k, axis=1)
        g1 = rng.gamma(1.0 + count_k[:, :-1])
        g2 = rng.gamma(alpha[:, None] + remaining[:, :-1])
        v = np.clip(g1 / (g1 + g2), 1e-300, 1.0 - 1e-15)
        log_rest = np.concatenate([np.zeros((chains, 1)), np.cumsum(np.log1p(-v), axis=1)], axis=1)
        log_nu = np.concatenate([np.log(v), np.zeros((chains, 1))], axis=1) + log_rest
        nu = np.exp(log_nu)
        log_nu_last = log_nu[:, -1]
        zero_class = nu * np.exp(np.log1p(-lam).sum(axis=1))
        prob_zero = np.minimum(zero_class.sum(axis=1), 1.0 - 1e-16)
        n0 = rng.negative_binomial(n, 1.0 - prob_zero).astype(np.int64)
        count0 = rng.multinomial(n0, zero_class / zero_class.sum(axis=1, keepdims=True))
        if sample_alpha:
            alpha = rng.gamma(a_alpha + n_classes - 1.0, 1.0 / (b_alpha - log_nu_last))
        k_star: IntArray = (count_k > 0).sum(axis=1)
        return k_star

    for _ in range(500):
        sweep(False)
    order = np.argsort(-nu, axis=1)
    nu = np.take_along_axis(nu, order, axis=1)
    lam = np.take_along_axis(lam, order[:, None, :], axis=2)
    count0 = np.take_along_axis(count0, order, axis=1)
    for _ in range(burn_in):
        sweep(True)
    n0_draws = np.empty((chains, n_samples), dtype=np.int64)
    alpha_draws = np.empty((chains, n_samples))
    kstar_draws = np.empty((chains, n_samples), dtype=np.int64)
    for s in range(n_samples):
        for _ in range(thinning):
            k_star = sweep(True)
        n0_draws[:, s] = n0
        alpha_draws[:, s] = alpha
        kstar_draws[:, s] = k_star
    return n0_draws, alpha_draws, kstar_draws
