"""dga (Madigan & York model averaging) against dga's own test values and R outputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from temoin.core.estimation import (
    InvalidSettingsError,
    bma_cr,
    estimate_dga,
    negative_binomial_log_prior,
)
from temoin.core.estimation.graphs import decomposable_graphs

from .conftest import load, ref


def test_dga_test_three_lists_against_madigan_york(reference: dict[str, Any]) -> None:
    expected = ref(reference, "madigan_york_3lists_spina_bifida.csv", "dga bma.cr")
    posterior = bma_cr(load("madigan_york_3lists_spina_bifida"), grid=np.arange(1, 301),
                       delta=1.0, log_prior=negative_binomial_log_prior(13.14, 55.17))
    # exactly dga's test: 0.37 / 731 / 729 / 731 / 728
    assert round(float(posterior.model_weights.max()), 2) == expected["top_model_prob"]
    assert round(posterior.bayes_relative_squared(top_model=True)) == \
        expected["top_model_bayes_relsq"]
    assert posterior.mode(top_model=True) == expected["top_model_mode"]
    assert round(posterior.bayes_relative_squared()) == expected["avg_bayes_relsq"]
    assert posterior.mode() == expected["avg_mode"]
    assert posterior.quantile(0.5) == expected["avg_median"]
    assert posterior.quantile(0.025) == expected["avg_q025"]
    assert posterior.quantile(0.975) == expected["avg_q975"]


def test_three_lists_default_prior_small_delta() -> None:
    posterior = bma_cr(load("madigan_york_3lists_spina_bifida"), grid=np.arange(0, 2001),
                       delta=1 / 8)
    assert (posterior.quantile(0.5), posterior.quantile(0.025),
            posterior.quantile(0.975)) == (731, 694, 786)


def test_five_lists_readme_example(reference: dict[str, Any]) -> None:
    expected = ref(reference, "madigan_york_5lists.csv", "dga bma.cr")
    posterior = bma_cr(load("madigan_york_5lists"), grid=np.arange(1, 301), delta=0.5)
    tol = expected["tol_rel"]
    assert posterior.quantile(0.5) == pytest.approx(expected["median"], rel=tol)
    assert posterior.quantile(0.025) == pytest.approx(expected["q025"], rel=tol)
    assert posterior.quantile(0.975) == pytest.approx(expected["q975"], rel=tol)
    assert posterior.mode() == pytest.approx(expected["mode"], rel=tol)
    assert float(posterior.model_weights.max()) == pytest.approx(expected["top_model_prob"],
                                                                 abs=0.001)
    small = bma_cr(load("madigan_york_5lists"), grid=np.arange(1, 301), delta=1 / 32)
    assert (small.quantile(0.5), small.quantile(0.025), small.quantile(0.975)) == (618, 590, 656)


def test_kosovo(reference: dict[str, Any]) -> None:
    expected = ref(reference, "kosovo_1999_4lists.csv", "dga bma.cr")
    posterior = bma_cr(load("kosovo_1999_4lists"), grid=np.arange(0, 44001), delta=2**-4)
    tol = expected["tol_rel"]
    assert posterior.quantile(0.5) == pytest.approx(expected["median"], rel=tol)
    assert posterior.quantile(0.025) == pytest.approx(expected["q025"], rel=tol)
    assert posterior.quantile(0.975) == pytest.approx(expected["q975"], rel=tol)
    assert posterior.mode() == pytest.approx(expected["mode"], rel=tol)
    assert float(posterior.model_weights.max()) == pytest.approx(expected["top_model_prob"],
                                                                 abs=0.001)
    # the values themselves are reproduced exactly, not just within 1 %
    assert (posterior.quantile(0.025), posterior.quantile(0.5),
            posterior.quantile(0.975), posterior.mode()) == (9827, 12595, 16544, 12267)
    assert posterior.mean() == pytest.approx(12749, abs=0.5)


def test_kosovo_on_silverman_grid() -> None:
    table = load("kosovo_1999_4lists")
    grid = np.linspace(0, 11 * 4400 - 4400, 1000)
    posterior = bma_cr(table, grid=grid, delta=2**-4)
    assert posterior.quantile(0.025) == pytest.approx(9804, rel=0.005)
    assert posterior.quantile(0.5) == pytest.approx(12573, rel=0.005)
    assert posterior.quantile(0.975) == pytest.approx(16522, rel=0.005)


def test_netherlands_5_lists() -> None:
    ned = estimate_dga(load("netherlands_trafficking_5lists"), delta=2**-5)
    assert ned.estimate == pytest.approx(47903, rel=0.01)
    assert ned.interval is not None
    assert ned.interval.low == pytest.approx(40845, rel=0.01)
    assert ned.interval.high == pytest.approx(55456, rel=0.01)
    exact = estimate_dga(load("netherlands_trafficking_5lists"), delta=2**-5,
                         grid=np.arange(0, 82341))
    assert exact.estimate == 47903  # with an integer grid, exactly the README's value


def test_small_table_default_grid_is_wide_enough() -> None:
    result = estimate_dga(load("new_orleans_trafficking_5lists_n185"))
    assert result.settings["grid_max"] == 5000
    assert not result.has_warning("grid_edge")


def test_grid_edge_warning() -> None:
    narrow = estimate_dga(load("kosovo_1999_4lists"), grid=np.arange(0, 9001))
    assert narrow.has_warning("grid_edge")
    wide = estimate_dga(load("kosovo_1999_4lists"), grid=np.arange(0, 44001))
    assert not wide.has_warning("grid_edge")


def test_six_lists_beyond_dga() -> None:
    table = load("netherlands_trafficking_6lists")
    result = estimate_dga(table, grid=np.arange(0, 400_001, 100))
    assert result.diagnostics["n_graphs"] == 18154
    assert result.interval is not None
    assert table.n_observed < result.interval.low < result.estimate < result.interval.high
    assert not result.has_warning("grid_edge")


@pytest.mark.parametrize(("lists", "count"), [(2, 2), (3, 8), (4, 61), (5, 822), (6, 18154)])
def test_number_of_decomposable_graphs(lists: int, count: int) -> None:
    assert len(decomposable_graphs(lists)) == count


def test_graph_structure_three_lists() -> None:
    names = sorted(graph.name() for graph in decomposable_graphs(3))
    assert names == sorted(["[1,2,3]", "[12,3]", "[13,2]", "[1,23]", "[12,13]", "[12,23]",
                            "[13,23]", "[123]"])


def test_prior_model_weights_can_exclude_graphs() -> None:
    table = load("madigan_york_3lists_spina_bifida")
    graphs = decomposable_graphs(3)
    only_independence = np.array([0.0 if graph.name() == "[1,2,3]" else -np.inf
                                  for graph in graphs])
    posterior = bma_cr(table, grid=np.arange(0, 2001), delta=1 / 8,
                       log_prior_model_weights=only_independence)
    assert posterior.model_weights[[g.name() for g in graphs].index("[1,2,3]")] == 1.0
    with pytest.raises(InvalidSettingsError, match="one per graph"):
        bma_cr(table, grid=np.arange(0, 10), delta=1.0, log_prior_model_weights=[0.0])
