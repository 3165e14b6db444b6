"""One call from a table to an :class:`EstimationResult` for the log-linear family."""

from __future__ import annotations

import math
from typing import Any

from temoin.core.estimation.data import ListOverlapTable, check_lists_for_method
from temoin.core.estimation.errors import InvalidSettingsError
from temoin.core.estimation.loglinear.bootstrap import bootstrap_estimates
from temoin.core.estimation.loglinear.fit import (
    fit_loglinear,
    profile_likelihood_interval,
)
from temoin.core.estimation.loglinear.models import LogLinearModel
from temoin.core.estimation.loglinear.selection import (
    SelectionOutcome,
    search_models,
    stepwise_select,
)
from temoin.core.estimation.results import (
    EstimationResult,
    EstimationWarning,
    Interval,
    empty_list_warnings,
)

__all__ = ["estimate_loglinear", "select_model"]

MAX_LISTS_LOGLINEAR = 10
SELECTIONS = ("stepwise", "bic", "aic", "fixed", "main")
INTERVALS = ("bca", "profile", "wald-log", "none")


def select_model(
    table: ListOverlapTable,
    *,
    selection: str = "stepwise",
    model: LogLinearModel | None = None,
    p_threshold: float = 0.02,
    max_order: int = 2,
    stepwise_tail: str = "both",
) -> SelectionOutcome:
    """Run one selection procedure (the same one the bootstrap repeats)."""
    if selection == "stepwise":
        return stepwise_select(table, p_threshold=p_threshold, tail=stepwise_tail)
    if selection in ("bic", "aic"):
        return search_models(table, criterion=selection, max_order=max_order)
    chosen = LogLinearModel.main_effects(table.n_lists) if selection == "main" else model
    if chosen is None:
        raise InvalidSettingsError(["selection='fixed' needs a model"])
    return SelectionOutcome(fit_loglinear(table, chosen), selection, 1, 0)


def estimate_loglinear(
    table: ListOverlapTable,
    *,
    selection: str = "stepwise",
    model: LogLinearModel | str | None = None,
    p_threshold: float = 0.02,
    max_order: int = 2,
    stepwise_tail: str = "both",
    interval: str = "bca",
    n_boot: int = 1000,
    seed: int = 1234,
    level: float = 0.95,
) -> EstimationResult:
    """Select and fit a log-linear model and give N with the requested interval.

    ``interval="bca"`` repeats the selection in every bootstrap replicate; ``"profile"`` is
    the multinomial profile-likelihood interval of the chosen model (conditional on it).
    """
    problems = []
    if selection not in SELECTIONS:
        problems.append(f"selection {selection!r} not in {SELECTIONS}")
    if interval not in INTERVALS:
        problems.append(f"interval {interval!r} not in {INTERVALS}")
    if table.n_lists > MAX_LISTS_LOGLINEAR:
        problems.append(f"{table.n_lists} lists: log-linear models are limited to "
                        f"{MAX_LISTS_LOGLINEAR} lists (2^{MAX_LISTS_LOGLINEAR} cells); "
                        "use LCMCR")
    if problems:
        raise InvalidSettingsError(problems)
    check_lists_for_method(table, method="multi")
    if isinstance(model, str):
        model = LogLinearModel.parse(model, table.n_lists)
    outcome = select_model(
        table, selection=selection, model=model, p_threshold=p_threshold, max_order=max_order,
        stepwise_tail=stepwise_tail,
    )
    fit = outcome.fit
    warnings = empty_list_warnings(table) + _sparse_warnings(table)
    if outcome.models_not_estimable:
        warnings.append(
            EstimationWarning(
                "not_estimable",
                f"{outcome.models_not_estimable} of {outcome.models_considered} candidate models "
                "were skipped: their maximum likelihood estimate does not exist or is not "
                "identifiable (lists that never overlap)",
            )
        )
    diagnostics: dict[str, Any] = {
        "model": fit.model.name(),
        "aic": fit.aic(),
        "bic": fit.bic(),
        "deviance": fit.deviance,
        "df": fit.degrees_of_freedom,
        "standard_error": fit.standard_error,
        "mle": fit.estimate,
        "models_considered": outcome.models_considered,
        "models_not_estimable": outcome.models_not_estimable,
        "stepwise_steps": [list(step) for step in outcome.steps],
        "empty_overlaps_in_model": [f"{t:b}" for t in fit.empty_terms],
    }
    result_interval: Interval | None = None
    draws = None
    if interval == "bca":

        def estimator(sample: ListOverlapTable) -> float:
            return select_model(
                sample,
                selection=selection,
                model=model,
                p_threshold=p_threshold,
                max_order=max_order,
                stepwise_tail=stepwise_tail,
            ).fit.estimate

        boot = bootstrap_estimates(table, estimator, n_boot=n_boot, seed=seed, level=level)
        result_interval = Interval(boot.low, boot.high, level, "bca")
        draws = boot.replicates
        diagnostics.update(bootstrap_failed=boot.failed, bootstrap_acceleration=boot.acceleration)
        if boot.failed:
            warnings.append(
                EstimationWarning(
                    "bootstrap_failures",
                    f"{boot.failed} of {n_boot} bootstrap replicates gave no "
                    "estimable model and were left out",
                )
            )
    elif interval == "profile":
        multinomial, low, high = profile_likelihood_interval(table, fit.model, level=level)
        result_interval = Interval(low, high, level, "profile")
        diagnostics["multinomial_mle"] = multinomial
        if selection not in ("fixed", "main"):
            warnings.append(
                EstimationWarning(
                    "conditional_interval",
                    "the profile interval ignores the uncertainty of "
                    "choosing the model; prefer the bootstrap (BCa) interval",
                )
            )
    elif interval == "wald-log":
        low, high = fit.wald_log_interval(level)
        result_interval = Interval(low, high, level, "wald-log")
    if result_interval is not None and not math.isfinite(result_interval.high):
        warnings.append(EstimationWarning("unbounded_interval", "the upper limit is infinite"))
    return EstimationResult(
        method="loglinear",
        n_observed=table.n_observed,
        estimate=fit.estimate,
        interval=result_interval,
        settings={
            "selection": selection,
            "model": model.name() if model else None,
            "p_threshold": p_threshold,
            "stepwise_tail": stepwise_tail,
            "max_order": max_order,
            "interval": interval,
            "n_boot": n_boot,
            "seed": seed,
            "level": level,
        },
        diagnostics=diagnostics,
        warnings=tuple(warnings),
        draws=draws,
        table=table,
        stratum=table.stratum,
        estimate_kind="mle",
    )


def _sparse_warnings(table: ListOverlapTable) -> list[EstimationWarning]:
    out = []
    observed_cells = table.counts[1:]
    zero = int((observed_cells == 0).sum())
    if zero > len(observed_cells) / 2:
        out.append(
            EstimationWarning(
                "sparse_cells",
                f"{zero} of {len(observed_cells)} list combinations are empty: "
                "estimates depend heavily on the model chosen",
            )
        )
    for (first, second), overlap in table.pairwise_overlaps().items():
        if overlap == 0:
            out.append(
                EstimationWarning(
                    "empty_overlap", f"lists {first} and {second} have nobody in common"
                )
            )
    return out

