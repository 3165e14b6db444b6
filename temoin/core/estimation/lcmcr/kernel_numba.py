"""Compiled Gibbs sweep of the LCMCR sampler (numba); one chain per call.

The steps and their order follow the C++ of R's LCMCR (``NPLCM_CR_Basic_Freq``): class counts
per observed cell, item probabilities, stick-breaking weights, the number missing (negative
binomial, i.e. the prior proportional to 1/N), classes of the missing, then the DP
concentration. Initialisation and the 500-sweep warm-up are also LCMCR's.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["run_chain_numba"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@njit(cache=True)
def _multinomial_into(n: int, probs: FloatArray, out: IntArray) -> None:
    total = 0.0
    for k in range(probs.shape[0]):
        total += probs[k]
    remaining = n
    rest = total
    for k in range(probs.shape[0] - 1):
        if remaining == 0:
            out[k] = 0
            continue
        p = probs[k] / rest if rest > 0 else 0.0
        if p >= 1.0:
            draw = remaining
        elif p <= 0.0:
            draw = 0
        else:
            draw = np.random.binomial(remaining, p)
        out[k] = draw
        remaining -= draw
        rest -= probs[k]
    out[probs.shape[0] - 1] = remaining


@njit(cache=True)
def _categorical(probs: FloatArray) -> int:
    total = 0.0
    for k in range(probs.shape[0]):
        total += probs[k]
    target = np.random.random() * total
    running = 0.0
    for k in range(probs.shape[0]):
        running += probs[k]
        if target < running:
            return k
    return int(probs.shape[0] - 1)


@njit(cache=True)
def _sweep(
    x: IntArray,
    freq: IntArray,
    n: int,
    lam: FloatArray,
    log_nu: FloatArray,
    nu: FloatArray,
    state: FloatArray,
    count_zik: IntArray,
    count0: IntArray,
    a_alpha: float,
    b_alpha: float,
    sample_alpha: bool,
    probs: FloatArray,
    aux1: IntArray,
    aux0: IntArray,
    count_k: IntArray,
    ones_start: IntArray,
    ones_index: IntArray,
    zero_weight: FloatArray,
    odds: FloatArray,
) -> int:  # pragma: no cover - compiled
    n_cells, n_lists = x.shape
    n_classes = lam.shape[1]
    # 1. latent classes of observed individuals, cell by cell. A cell's class weights are
    #    nu_k * prod_j (1 - lambda_jk) * prod_{j on the cell's lists} lambda_jk / (1 - lambda_jk),
    #    so only the (few) lists of each cell are visited.
    for k in range(n_classes):
        prod = nu[k]
        for j in range(n_lists):
            prod *= 1.0 - lam[j, k]
        zero_weight[k] = prod
        for j in range(n_lists):
            odds[j, k] = lam[j, k] / (1.0 - lam[j, k])
    for m in range(n_cells):
        for k in range(n_classes):
            prod = zero_weight[k]
            for position in range(ones_start[m], ones_start[m + 1]):
                prod *= odds[ones_index[position], k]
            probs[k] = prod
        if freq[m] == 1:
            for k in range(n_classes):
                count_zik[m, k] = 0
            count_zik[m, _categorical(probs)] = 1
        else:
            _multinomial_into(freq[m], probs, count_zik[m])
    # 2. item probabilities: "on list j" counts from the cells' lists, "not on j" by difference
    for k in range(n_classes):
        count_k[k] = 0
    for j in range(n_lists):
        for k in range(n_classes):
            aux1[j, k] = 0
    for m in range(n_cells):
        for k in range(n_classes):
            c = count_zik[m, k]
            if c == 0:
                continue
            count_k[k] += c
            for position in range(ones_start[m], ones_start[m + 1]):
                aux1[ones_index[position], k] += c
    for j in range(n_lists):
        for k in range(n_classes):
            aux0[j, k] = count_k[k] - aux1[j, k] + count0[k]
    for j in range(n_lists):
        for k in range(n_classes):
            value = np.random.beta(1.0 + aux1[j, k], 1.0 + aux0[j, k])
            lam[j, k] = min(value, 1.0 - 1e-15)
    # 3. stick-breaking weights
    for k in range(n_classes):
        count_k[k] += count0[k]
    alpha = state[0]
    n0 = state[1]
    accumulated = 0
    log_rest = 0.0
    for k in range(n_classes - 1):
        accumulated += count_k[k]
        g1 = np.random.gamma(1.0 + count_k[k], 1.0)
        g2 = np.random.gamma(alpha + n0 + n - accumulated, 1.0)
        v = g1 / (g1 + g2)
        if v <= 0.0:
            v = 1e-300
        if v >= 1.0:
            v = 1.0 - 1e-15
        log_nu[k] = math.log(v) + log_rest
        log_rest += math.log1p(-v)
        nu[k] = math.exp(log_nu[k])
    log_nu[n_classes - 1] = log_rest
    nu[n_classes - 1] = math.exp(log_rest)
    # 4-6. number missing and their classes
    prob_zero = 0.0
    for k in range(n_classes):
        prod = nu[k]
        for j in range(n_lists):
            prod *= 1.0 - lam[j, k]
        probs[k] = prod
        prob_zero += prod
    n0_new = np.random.negative_binomial(n, 1.0 - prob_zero) if prob_zero < 1.0 else 0
    _multinomial_into(n0_new, probs, count0)
    state[1] = n0_new
    # 7. concentration
    if sample_alpha:
        state[0] = np.random.gamma(
            a_alpha + n_classes - 1.0, 1.0 / (b_alpha - log_nu[n_classes - 1])
        )
    k_star = 0
    for k in range(n_classes):
        if count_k[k] > 0:
            k_star += 1
    return k_star


@njit(cache=True)
def run_chain_numba(
    x: IntArray,
    freq: IntArray,
    n_classes: int,
    a_alpha: float,
    b_alpha: float,
    burn_in: int,
    n_samples: int,
    thinning: int,
    seed: int,
) -> tuple[IntArray, FloatArray, IntArray]:  # pragma: no cover - compiled
    """Return (n0 draws, alpha draws, k* draws) of one chain."""
    np.random.seed(seed)
    n_cells, n_lists = x.shape
    n = 0
    for m in range(n_cells):
        n += freq[m]
    lam = np.empty((n_lists, n_classes))
    for j in range(n_lists):
        on = 0
        for m in range(n_cells):
            if x[m, j] == 1:
                on += freq[m]
        for k in range(n_classes):
            lam[j, k] = on / n
    nu = np.empty(n_classes)
    log_nu = np.empty(n_classes)
    for k in range(n_classes):
        nu[k] = 0.225 if k < 4 else 0.1 / max(n_classes - 4, 1)
    if n_classes <= 4:
        for k in range(n_classes):
            nu[k] = 1.0 / n_classes
    for k in range(n_classes):
        log_nu[k] = math.log(nu[k])
    state = np.array([0.3 / n_classes, 0.0])
    count_zik = np.zeros((n_cells, n_classes), dtype=np.int64)
    count0 = np.zeros(n_classes, dtype=np.int64)
    probs = np.empty(n_classes)
    aux1 = np.zeros((n_lists, n_classes), dtype=np.int64)
    aux0 = np.zeros((n_lists, n_classes), dtype=np.int64)
    count_k = np.zeros(n_classes, dtype=np.int64)
    zero_weight = np.empty(n_classes)
    odds = np.empty((n_lists, n_classes))
    ones_start = np.zeros(n_cells + 1, dtype=np.int64)
    for m in range(n_cells):
        ones_start[m + 1] = ones_start[m]
        for j in range(n_lists):
            if x[m, j] == 1:
                ones_start[m + 1] += 1
    ones_index = np.empty(ones_start[n_cells], dtype=np.int64)
    for m in range(n_cells):
        position = ones_start[m]
        for j in range(n_lists):
            if x[m, j] == 1:
                ones_index[position] = j
                position += 1
    # warm-up without sampling alpha (as LCMCR)
    for _ in range(500):
        _sweep(
            x,
            freq,
            n,
            lam,
            log_nu,
            nu,
            state,
            count_zik,
            count0,
            a_alpha,
            b_alpha,
            False,
            probs,
            aux1,
            aux0,
            count_k,
            ones_start,
            ones_index,
            zero_weight,
            odds,
        )
    _permute_by_weight(lam, log_nu, nu, count_zik, count0)
    for _ in range(burn_in):
        _sweep(
            x,
            freq,
            n,
            lam,
            log_nu,
            nu,
            state,
            count_zik,
            count0,
            a_alpha,
            b_alpha,
            True,
            probs,
            aux1,
            aux0,
            count_k,
            ones_start,
            ones_index,
            zero_weight,
            odds,
        )
    n0_draws = np.empty(n_samples, dtype=np.int64)
    alpha_draws = np.empty(n_samples)
    kstar_draws = np.empty(n_samples, dtype=np.int64)
    for s in range(n_samples):
        k_star = 0
        for _ in range(thinning):
            k_star = _sweep(
                x,
                freq,
                n,
                lam,
                log_nu,
                nu,
                state,
                count_zik,
                count0,
                a_alpha,
                b_alpha,
                True,
                probs,
                aux1,
                aux0,
                count_k,
                ones_start,
                ones_index,
                zero_weight,
                odds,
            )
        n0_draws[s] = int(state[1])
        alpha_draws[s] = state[0]
        kstar_draws[s] = k_star
    return n0_draws, alpha_draws, kstar_draws


@njit(cache=True)
def _permute_by_weight(
    lam: FloatArray, log_nu: FloatArray, nu: FloatArray, count_zik: IntArray, count0: IntArray
) -> None:  # pragma: no cover
    order = np.argsort(-nu)
    lam[:, :] = lam[:, order].copy()
    log_nu[:] = log_nu[order].copy()
    nu[:] = nu[order].copy()
    count_zik[:, :] = count_zik[:, order].copy()
    count0[:] = count0[order].copy()
