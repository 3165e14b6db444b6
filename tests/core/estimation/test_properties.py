"""Property-based checks (hypothesis) on random synthetic tables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.estimation import (
    ListOverlapTable,
    LogLinearModel,
    bma_cr,
    check_extended_mle,
    fit_loglinear,
)

positive_tables = st.lists(st.integers(1, 200), min_size=7, max_size=7).map(
    lambda counts: ListOverlapTable(("A", "B", "C"), np.array([0, *counts], dtype=np.int64)))


def _permute(table: ListOverlapTable, order: list[int]) -> ListOverlapTable:
    return table.select_lists(order)


@settings(max_examples=40, deadline=None)
@given(positive_tables, st.permutations([0, 1, 2]))
def test_main_effects_estimate_does_not_depend_on_list_order(table: ListOverlapTable,
                                                             order: list[int]) -> None:
    original = fit_loglinear(table, LogLinearModel(3)).estimate
    permuted = fit_loglinear(_permute(table, order), LogLinearModel(3)).estimate
    assert permuted == pytest.approx(original, rel=1e-9)
    assert original >= table.n_observed


@settings(max_examples=40, deadline=None)
@given(positive_tables)
def test_every_model_is_estimable_when_all_cells_are_positive(table: ListOverlapTable) -> None:
    for model in ("[12,3]", "[12,13]", "[12,13,23]"):
        assert check_extended_mle(table, LogLinearModel.parse(model, 3)) == 0


@settings(max_examples=25, deadline=None)
@given(positive_tables, st.sampled_from([0.25, 1.0]))
def test_dga_posteriors_are_distributions(table: ListOverlapTable, delta: float) -> None:
    posterior = bma_cr(table, grid=np.arange(0, 3001), delta=delta)
    assert posterior.posterior_missing.sum() == pytest.approx(1.0, abs=1e-9)
    assert posterior.model_weights.sum() == pytest.approx(1.0, abs=1e-9)
    assert (posterior.posterior_missing >= 0).all()
    assert table.n_observed <= posterior.quantile(0.025) <= posterior.quantile(0.5) \
        <= posterior.quantile(0.975)
