"""Heterogeneity cross-checks: Rcapture's Mth Darroch / Poisson2 log-linear models and Chao's
moment lower bound.

These do not replace the main methods; they show how much the number moves when people differ
in their chance of being recorded.
"""

from __future__ import annotations

from temoin.core.estimation.data import ListOverlapTable, check_lists_for_method
from temoin.core.estimation.errors import InvalidSettingsError
from temoin.core.estimation.loglinear.fit import fit_loglinear, profile_likelihood_interval
from temoin.core.estimation.loglinear.models import HETEROGENEITY_KINDS, LogLinearModel
from temoin.core.estimation.results import EstimationResult, EstimationWarning, Interval

__all__ = ["chao_lower_bound", "estimate_heterogeneity"]


def estimate_heterogeneity(
    table: ListOverlapTable, *, kind: str = "darroch", model: str | None = None, level: float = 0.95
) -> EstimationResult:
    """Mth model (main effects, optional interactions ``model``, plus a heterogeneity term)."""
    if kind not in HETEROGENEITY_KINDS:
        raise InvalidSettingsError([f"kind {kind!r} not in {HETEROGENEITY_KINDS}"])
    check_lists_for_method(table, method="multi")
    chosen = (
        LogLinearModel.parse(model, table.n_lists, heterogeneity=kind)
        if model
        else LogLinearModel(table.n_lists, heterogeneity=kind)
    )
    fit = fit_loglinear(table, chosen)
    warnings = []
    if fit.coefficients[-1] < 0:
        warnings.append(
            EstimationWarning(
                "negative_heterogeneity",
                "the heterogeneity parameter is negative (no sign of "
                "heterogeneity of this form); Rcapture would drop the term",
            )
        )
    _, low, high = profile_likelihood_interval(table, chosen, level=level)
    return EstimationResult(
        method=f"loglinear-{kind}",
        n_observed=table.n_observed,
        estimate=fit.estimate,
        interval=Interval(low, high, level, "profile"),
        settings={"kind": kind, "model": chosen.name(), "level": level},
        diagnostics={
            "standard_error": fit.standard_error,
            "aic": fit.aic(),
            "bic": fit.bic(),
            "deviance": fit.deviance,
            "heterogeneity_parameter": float(fit.coefficients[-1]),
        },
        warnings=tuple(warnings),
        table=table,
        stratum=table.stratum,
        estimate_kind="mle",
    )


def chao_lower_bound(table: ListOverlapTable) -> EstimationResult:
    """Chao (1987): N >= n + f1^2 / (2 f2), f_k = people seen on exactly k lists."""
    frequencies = [0] * (table.n_lists + 1)
    for cell in range(1, 1 << table.n_lists):
        frequencies[bin(cell).count("1")] += int(table.counts[cell])
    f1, f2 = frequencies[1], frequencies[2]
    if f2 > 0:
        bound = table.n_observed + f1 * f1 / (2.0 * f2)
    else:
        bound = table.n_observed + f1 * (f1 - 1) / 2.0
    return EstimationResult(
        method="chao-lower-bound",
        n_observed=table.n_observed,
        estimate=bound,
        interval=None,
        settings={},
        diagnostics={"f1": f1, "f2": f2},
        warnings=(EstimationWarning("lower_bound", "a lower bound, not an estimate"),),
        table=table,
        stratum=table.stratum,
        estimate_kind="mle",
    )
