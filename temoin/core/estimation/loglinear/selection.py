"""Model selection: information-criterion search and the stepwise rule of Chan, Silverman &
Vincent (2021).

* :func:`search_models` fits every hierarchical model up to ``max_order`` (Rcapture's
  ``closedpMS.t``; Silverman et al. 2024 "all models") and keeps the best AIC or BIC among the
  models whose extended MLE exists and is identifiable; the others are counted, not fitted.
* :func:`stepwise_select` starts from main effects and adds, one at a time, the two-list
  interaction with the smallest two-sided Poisson p-value of its observed overlap under the
  current fit, while that p-value is below ``p_threshold`` (0.02) and the enlarged model passes
  the existence/identifiability check (SparseMSE ``stepwisefit``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from scipy import stats

from temoin.core.estimation.data import ListOverlapTable
from temoin.core.estimation.errors import InvalidSettingsError, NumericalError
from temoin.core.estimation.loglinear.fit import (
    LogLinearFit,
    check_extended_mle,
    fit_loglinear,
)
from temoin.core.estimation.loglinear.models import LogLinearModel, enumerate_hierarchical_models

__all__ = ["SelectionOutcome", "search_models", "stepwise_select"]

MAX_LISTS_EXHAUSTIVE = 6


@dataclass(frozen=True)
class SelectionOutcome:
    """The chosen fit and how it was chosen."""

    fit: LogLinearFit
    procedure: str
    models_considered: int
    models_not_estimable: int
    steps: tuple[tuple[str, float], ...] = ()  # (term added, p-value) for stepwise


def stepwise_select(table: ListOverlapTable, *, p_threshold: float = 0.02,
                    tail: str = "both") -> SelectionOutcome:
    """Forward stepwise selection of two-list interactions at ``p_threshold``.

    ``tail="both"`` is SparseMSE's code (the smaller of the two Poisson tails, so overlaps
    smaller than expected count too); ``tail="upper"`` tests only overlaps larger than
    expected (positive dependence), as the SparseMSE documentation words it.
    """
    problems = []
    if not 0.0 <= p_threshold <= 1.0:
        problems.append(f"p_threshold {p_threshold} not in [0, 1]")
    if tail not in ("both", "upper"):
        problems.append(f"tail {tail!r} is not 'both' or 'upper'")
    if problems:
        raise InvalidSettingsError(problems)
    t = table.n_lists
    model = LogLinearModel.main_effects(t)
    fit = fit_loglinear(table, model, check=False)
    pairs = [(1 << i) | (1 << j) for i, j in itertools.combinations(range(t), 2)]
    observed = {pair: table.overlap(pair) for pair in pairs}
    included: set[int] = set()
    steps: list[tuple[str, float]] = []
    considered, refused = 1, 0
    if p_threshold == 0.0:
        return SelectionOutcome(fit, "stepwise", considered, refused)
    while len(included) < len(pairs):
        candidates = []
        for index, pair in enumerate(pairs):
            if pair in included:
                continue
            expected = fit.fitted_on_lists(pair)
            count = observed[pair]
            upper = float(stats.poisson.sf(count - 1, expected))
            p_value = upper if tail == "upper" else min(
                float(stats.poisson.cdf(count, expected)), upper)
            candidates.append((p_value, index, pair))
        candidates.sort()
        # Only the smallest p-value among estimable candidates matters, so candidates are
        # checked in p-value order (same choice as checking all of them, far fewer LPs).
        chosen = None
        for p_value, _, pair in candidates:
            if p_value >= p_threshold:
                break
            considered += 1
            if check_extended_mle(table, model.add(pair)) > 0:
                refused += 1
                continue
            chosen = (pair, p_value)
            break
        if chosen is None:
            break
        best_pair, best_p = chosen
        model = model.add(best_pair)
        included.add(best_pair)
        fit = fit_loglinear(table, model, check=False)
        steps.append((_pair_name(table, best_pair), best_p))
    return SelectionOutcome(fit, "stepwise", considered, refused, tuple(steps))


def search_models(
    table: ListOverlapTable, *, criterion: str = "bic", max_order: int = 2
) -> SelectionOutcome:
    """Best AIC/BIC among every estimable hierarchical model up to ``max_order``."""
    problems = []
    if criterion not in ("aic", "bic"):
        problems.append(f"criterion {criterion!r} is not 'aic' or 'bic'")
    if table.n_lists > MAX_LISTS_EXHAUSTIVE:
        problems.append(
            f"{table.n_lists} lists: exhaustive search is limited to "
            f"{MAX_LISTS_EXHAUSTIVE}; use the stepwise selection"
        )
    if max_order < 1:
        problems.append("max_order must be >= 1")
    if problems:
        raise InvalidSettingsError(problems)
    best: LogLinearFit | None = None
    best_score = math.inf
    considered = refused = 0
    for model in enumerate_hierarchical_models(table.n_lists, max_order=max_order):
        considered += 1
        if check_extended_mle(table, model) > 0:
            refused += 1
            continue
        try:
            fit = fit_loglinear(table, model, check=False)
        except NumericalError:
            refused += 1
            continue
        score = fit.bic() if criterion == "bic" else fit.aic()
        if score < best_score - 1e-9:
            best, best_score = fit, score
    if best is None:
        raise NumericalError("no estimable log-linear model for this table")
    return SelectionOutcome(best, criterion, considered, refused)


def _pair_name(table: ListOverlapTable, pair: int) -> str:
    names = [table.list_names[j] for j in range(table.n_lists) if pair >> j & 1]
    return ":".join(names)

