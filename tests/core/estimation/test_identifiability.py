"""Existence and identifiability of the (extended) MLE: the artificial example of Chan et al.
(2021) must give SparseMSE's three verdicts, and a failing model is refused, never fitted."""

from __future__ import annotations

from typing import Any

import pytest

from temoin.core.estimation import (
    LogLinearModel,
    ModelNotEstimableError,
    check_extended_mle,
    fit_loglinear,
    search_models,
    stepwise_select,
)

from .conftest import load, ref

FILE = "artificial_3lists_identifiability.csv"


@pytest.mark.parametrize("model", ["[12,13,23]", "[12,3]", "[13,23,1,2]"])
def test_documented_verdicts(reference: dict[str, Any], model: str) -> None:
    expected = ref(reference, FILE, "check_extended_MLE verdicts")[model]
    table = load("artificial_3lists_identifiability")
    assert check_extended_mle(table, LogLinearModel.parse(model, 3)) == expected


def test_verdict_values_are_2_1_0() -> None:
    table = load("artificial_3lists_identifiability")
    verdicts = [check_extended_mle(table, LogLinearModel.parse(m, 3))
                for m in ("[12,13,23]", "[12,3]", "[13,23]")]
    assert verdicts == [2, 1, 0]


@pytest.mark.parametrize(("model", "verdict", "fragment"), [
    ("[12,13,23]", 2, "not identifiable"),
    ("[12,3]", 1, "does not exist"),
])
def test_failing_model_is_refused_not_fitted(model: str, verdict: int, fragment: str) -> None:
    table = load("artificial_3lists_identifiability")
    with pytest.raises(ModelNotEstimableError) as caught:
        fit_loglinear(table, LogLinearModel.parse(model, 3))
    assert caught.value.verdict == verdict
    assert caught.value.code == "model_not_estimable"
    assert fragment in caught.value.message


def test_model_with_empty_overlaps_fits_by_dropping_cells() -> None:
    table = load("artificial_3lists_identifiability")
    fit = fit_loglinear(table, LogLinearModel.parse("[13,23]", 3))
    assert len(fit.empty_terms) == 2
    assert sorted(int(c) for c in fit.cells) == [0b001, 0b010, 0b011, 0b100]
    # saturated on the 4 remaining cells: missing = n(A only) * n(B only) / n(A and B)
    assert fit.n_missing == pytest.approx(40 * 30 / 6, rel=1e-9)
    assert fit.estimate == pytest.approx(96 + 200, rel=1e-9)


def test_search_skips_non_estimable_models_and_counts_them() -> None:
    outcome = search_models(load("artificial_3lists_identifiability"), max_order=2)
    assert outcome.models_considered == 8
    assert outcome.models_not_estimable > 0
    assert check_extended_mle(load("artificial_3lists_identifiability"),
                              outcome.fit.model) == 0


def test_stepwise_never_adds_non_estimable_terms() -> None:
    table = load("artificial_3lists_identifiability")
    outcome = stepwise_select(table, p_threshold=0.5)
    assert check_extended_mle(table, outcome.fit.model) == 0


def test_profile_interval_with_never_overlapping_lists() -> None:
    from temoin.core.estimation import profile_likelihood_interval

    table = load("artificial_3lists_identifiability")
    mle, low, high = profile_likelihood_interval(table, LogLinearModel.parse("[13,23]", 3))
    assert low < mle < high
    assert mle == pytest.approx(296, rel=0.05)  # near the Poisson MLE 96 + 200
    assert low > 96
