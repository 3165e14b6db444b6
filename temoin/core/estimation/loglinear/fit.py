"""Poisson fits of hierarchical log-linear models, with existence and identifiability checks.

The unobserved cell is estimated as ``exp(intercept)``. Interaction terms whose lists never
overlap (sufficient statistic 0) have an infinitely negative parameter in the extended MLE:
as in SparseMSE (Chan, Silverman & Vincent 2021) they are removed together with every cell
that contains them. Then the model is checked before it is fitted — the design restricted to
the remaining cells must have full column rank (identifiability), and the linear program of
Fienberg & Rinaldo (2012) must show a strictly positive table with the same sufficient
statistics (existence). A model that fails is reported (``verdict`` 1, 2 or 3), never fitted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

from temoin.core.estimation.data import ListOverlapTable
from temoin.core.estimation.errors import ModelNotEstimableError, NumericalError
from temoin.core.estimation.loglinear.models import LogLinearModel, design_matrix

__all__ = [
    "LogLinearFit",
    "PreparedModel",
    "check_extended_mle",
    "fit_loglinear",
    "prepare_model",
    "profile_likelihood_interval",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

OK, NOT_EXISTING, NOT_IDENTIFIABLE = 0, 1, 2


@dataclass(frozen=True)
class PreparedModel:
    """A model reduced for the data: cells kept, terms kept, terms dropped (never overlap)."""

    model: LogLinearModel
    cells: IntArray
    counts: FloatArray
    design: FloatArray
    kept_terms: tuple[int, ...]
    empty_terms: tuple[int, ...]


def prepare_model(table: ListOverlapTable, model: LogLinearModel) -> PreparedModel:
    """Drop never-overlapping interaction terms and the cells containing them."""
    if model.n_lists != table.n_lists:
        raise ModelNotEstimableError(model=model.name(), verdict=NOT_IDENTIFIABLE)
    cells = np.arange(1, 1 << table.n_lists, dtype=np.int64)
    counts = table.counts[1:].astype(np.float64)
    kept: list[int] = []
    empty: list[int] = []
    for term in model.sorted_terms():
        if counts[(cells & term) == term].sum() == 0:
            empty.append(term)
        else:
            kept.append(term)
    if empty:
        keep_cell = np.ones(len(cells), dtype=bool)
        for term in empty:
            keep_cell &= (cells & term) != term
        cells, counts = cells[keep_cell], counts[keep_cell]
    design = design_matrix(model, cells, terms=kept)
    return PreparedModel(model, cells, counts, design, tuple(kept), tuple(empty))


def check_extended_mle(table: ListOverlapTable, model: LogLinearModel) -> int:
    """0 = estimable, 1 = extended MLE does not exist, 2 = not identifiable, 3 = both.

    Same verdicts as SparseMSE's ``checkident``.
    """
    return _verdict(prepare_model(table, model))


def _verdict(prepared: PreparedModel) -> int:
    design, counts = prepared.design, prepared.counts
    rank_deficient = np.linalg.matrix_rank(design) < design.shape[1]
    exists = True
    if (counts <= 0).any():
        exists = _lp_strictly_positive(design, counts)
    return (0 if exists else NOT_EXISTING) + (NOT_IDENTIFIABLE if rank_deficient else 0)


def _lp_strictly_positive(design: FloatArray, counts: FloatArray) -> bool:
    """Fienberg–Rinaldo: is there x >= s > 0 with design' x = design' counts?"""
    n_cells, n_par = design.shape
    sufficient = design.T @ counts
    scale = max(float(counts.sum()), 1.0)
    objective = np.zeros(n_cells + 1)
    objective[-1] = -1.0
    a_eq = np.hstack([design.T, np.zeros((n_par, 1))]) / scale
    a_ub = np.hstack([-np.eye(n_cells), np.ones((n_cells, 1))])
    result = optimize.linprog(
        objective,
        A_ub=a_ub,
        b_ub=np.zeros(n_cells),
        A_eq=a_eq,
        b_eq=sufficient / scale,
        bounds=[(0, None)] * (n_cells + 1),
        method="highs",
    )
    if result.status != 0:
        raise NumericalError(f"existence linear program failed: {result.message}")
    return bool(-result.fun > 1e-9 * scale)


@dataclass(frozen=True)
class LogLinearFit:
    """A fitted log-linear model (Poisson likelihood on the observed cells)."""

    model: LogLinearModel
    n_observed: int
    coefficients: FloatArray
    covariance: FloatArray
    fitted: FloatArray
    cells: IntArray
    counts: FloatArray
    deviance: float
    log_likelihood: float
    empty_terms: tuple[int, ...]

    @property
    def n_missing(self) -> float:
        return float(math.exp(self.coefficients[0]))

    @property
    def estimate(self) -> float:
        """Total population N = documented + exp(intercept)."""
        return self.n_observed + self.n_missing

    @property
    def n_parameters(self) -> int:
        """Parameters counted as in SparseMSE's AIC: dropped (empty) terms still count."""
        return len(self.coefficients) + len(self.empty_terms)

    @property
    def standard_error(self) -> float:
        """Delta-method standard error of N (as Rcapture's Poisson estimate)."""
        n0 = self.n_missing
        return float(math.sqrt(n0 + n0**2 * self.covariance[0, 0]))

    @property
    def degrees_of_freedom(self) -> int:
        return len(self.counts) - len(self.coefficients)

    def aic(self) -> float:
        return -2.0 * self.log_likelihood + 2.0 * self.n_parameters

    def bic(self) -> float:
        return -2.0 * self.log_likelihood + math.log(self.n_observed) * self.n_parameters

    def wald_log_interval(self, level: float = 0.95) -> tuple[float, float]:
        """SparseMSE's interval: normal on the log of the undocumented count."""
        z = stats.norm.ppf(0.5 + level / 2)
        sd = math.sqrt(self.covariance[0, 0])
        b0 = float(self.coefficients[0])
        return (self.n_observed + math.exp(b0 - z * sd), self.n_observed + math.exp(b0 + z * sd))

    def fitted_on_lists(self, mask: int) -> float:
        """Expected number of individuals on every list of ``mask`` under the fit."""
        return float(self.fitted[(self.cells & mask) == mask].sum())


def fit_loglinear(
    table: ListOverlapTable, model: LogLinearModel, *, check: bool = True
) -> LogLinearFit:
    """Fit ``model``; raise :class:`ModelNotEstimableError` if it cannot be fitted."""
    prepared = prepare_model(table, model)
    if check:
        verdict = _verdict(prepared)
        if verdict:
            raise ModelNotEstimableError(model=model.name(), verdict=verdict)
    beta, covariance, fitted = poisson_irls(prepared.design, prepared.counts)
    y = prepared.counts
    positive = y > 0
    deviance = 2.0 * float(
        np.sum(y[positive] * np.log(y[positive] / fitted[positive])) - np.sum(y - fitted)
    )
    log_likelihood = float(np.sum(y * np.log(fitted) - fitted - special.gammaln(y + 1)))
    return LogLinearFit(
        model,
        table.n_observed,
        beta,
        covariance,
        fitted,
        prepared.cells,
        y,
        deviance,
        log_likelihood,
        prepared.empty_terms,
    )


def poisson_irls(
    design: FloatArray,
    counts: FloatArray,
    *,
    start: FloatArray | None = None,
    max_iter: int = 100,
    tol: float = 1e-11,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Iteratively reweighted least squares for a Poisson GLM with log link (as R's glm)."""
    if start is None:
        mu = counts + 0.1
        eta = np.log(mu)
    else:
        eta = design @ start
        mu = np.exp(eta)
    deviance_old = math.inf
    beta = np.zeros(design.shape[1])
    for _ in range(max_iter):
        z = eta + (counts - mu) / mu
        weighted = design * mu[:, None]
        try:
            beta = np.asarray(
                np.linalg.solve(design.T @ weighted, weighted.T @ z), dtype=np.float64
            )
        except np.linalg.LinAlgError:
            raise NumericalError("singular information matrix in Poisson fit") from None
        eta = design @ beta
        if not np.isfinite(eta).all() or eta.max() > 700:
            raise NumericalError("Poisson fit diverged")
        mu = np.exp(eta)
        positive = counts > 0
        deviance = 2.0 * float(
            np.sum(counts[positive] * np.log(counts[positive] / mu[positive])) - np.sum(counts - mu)
        )
        if abs(deviance - deviance_old) <= tol * (abs(deviance) + 0.1):
            break
        deviance_old = deviance
    else:
        raise NumericalError(f"Poisson fit did not converge in {max_iter} iterations")
    information = design.T @ (design * mu[:, None])
    covariance = np.asarray(np.linalg.inv(information), dtype=np.float64)
    return beta, covariance, np.asarray(mu, dtype=np.float64)


def _multinomial_profile(
    table: ListOverlapTable,
    model: LogLinearModel,
) -> tuple[Callable[[float], float], int]:
    """Profile log-likelihood of N (Cormack 1992), as used by Rcapture's closedpCI.t.

    Terms whose lists never overlap are dropped with their cells (extended MLE), as in
    :func:`prepare_model`; the unobserved cell never contains them.
    """
    n = table.n_observed
    prepared = prepare_model(table, model)
    cells = np.concatenate([[0], prepared.cells]).astype(np.int64)
    design = design_matrix(model, cells, terms=prepared.kept_terms)
    observed = np.concatenate([[0.0], prepared.counts])
    state: dict[str, FloatArray | None] = {"beta": None}

    def loglik(total: float) -> float:
        counts = observed.copy()
        counts[0] = total - n
        beta, _, mu = poisson_irls(design, counts, start=state["beta"])
        state["beta"] = beta
        positive = counts > 0
        return float(
            special.gammaln(total + 1)
            - special.gammaln(total - n + 1)
            + np.sum(counts[positive] * np.log(mu[positive] / total))
        )

    return loglik, n


def profile_likelihood_interval(
    table: ListOverlapTable, model: LogLinearModel, *, level: float = 0.95
) -> tuple[float, float, float]:
    """Multinomial MLE of N and its profile-likelihood interval ``(estimate, low, high)``.

    Matches Rcapture's ``closedpCI.t`` multinomial estimate and profile interval.
    """
    verdict = check_extended_mle(table, model)
    if verdict:
        raise ModelNotEstimableError(model=model.name(), verdict=verdict)
    loglik, n = _multinomial_profile(table, model)
    poisson_fit = fit_loglinear(table, model, check=False)
    guess = poisson_fit.estimate
    upper_search = max(guess * 2, n + 10)
    # maximise over N > n (the profile is smooth and unimodal)
    result = optimize.minimize_scalar(
        lambda total: -loglik(total),
        bounds=(n + 1e-3, upper_search * 5),
        method="bounded",
        options={"xatol": 1e-6},
    )
    best_total = float(result.x)
    best = loglik(best_total)
    drop = float(stats.chi2.ppf(level, 1)) / 2.0

    def gap(total: float) -> float:
        return loglik(total) - (best - drop)

    missing_low = best_total - n
    while gap(n + missing_low) > 0:
        missing_low /= 2.0
        if missing_low < 1e-3:
            break
    if gap(n + missing_low) > 0:
        low = float(n)
    else:
        low = optimize.brentq(gap, n + missing_low, best_total, xtol=1e-6)
    high_bound = best_total * 1.5
    while gap(high_bound) > 0:
        high_bound *= 2
        if high_bound > 1e12:
            return best_total, float(low), math.inf
    high = optimize.brentq(gap, best_total, high_bound, xtol=1e-6)
    return best_total, float(low), float(high)
