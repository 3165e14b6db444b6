"""LCMCR sampler: distribution on Kosovo against R's LCMCR, diagnostics that flag the
multimodal Netherlands 6-list posterior, and the numpy backend against the numba one."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from temoin.core.estimation import InvalidSettingsError, LcmcrSettings, estimate_lcmcr
from temoin.core.estimation.lcmcr import HAVE_NUMBA, available_backends
from temoin.core.estimation.lcmcr.diagnostics import effective_sample_size, split_rhat

from .conftest import load, ref

# the LCMCR Rd example settings (R: medians 10,406-10,598 across seeds); 8 chains pooled so
# that the tails' Monte-Carlo noise stays inside the reference tolerances
RD_SETTINGS = LcmcrSettings(K=10, burn_in=10_000, samples=1_000, thinning=100, chains=8,
                            seed=100)


def test_kosovo_in_distribution(reference: dict[str, Any]) -> None:
    expected = ref(reference, "kosovo_1999_4lists.csv", "LCMCR")
    result = estimate_lcmcr(load("kosovo_1999_4lists"), RD_SETTINGS)
    tol = expected["tol_rel"]
    assert result.estimate == pytest.approx(expected["median"], rel=tol["median"])
    assert result.interval is not None
    assert result.interval.low == pytest.approx(expected["q025"], rel=tol["q025"])
    assert result.interval.high == pytest.approx(expected["q975"], rel=tol["q975"])
    assert result.diagnostics["rhat"] < 1.1
    assert not result.has_warning("not_converged")
    assert len(result.draws) == 8 * 1000  # type: ignore[arg-type]


@pytest.mark.slow
def test_kosovo_longer_run(reference: dict[str, Any]) -> None:
    expected = ref(reference, "kosovo_1999_4lists.csv", "LCMCR")
    # a third of the reference run (burn-in 1e5, 1e4 draws, thinning 100) to bound CI time
    settings = LcmcrSettings(K=10, burn_in=50_000, samples=3_000, thinning=100, chains=4,
                             seed=101)
    result = estimate_lcmcr(load("kosovo_1999_4lists"), settings)
    assert result.estimate == pytest.approx(expected["median"], rel=0.03)
    assert result.diagnostics["mean"] == pytest.approx(expected["mean"], rel=0.03)


@pytest.mark.parametrize("seed", [1, 21])
def test_netherlands_six_lists_is_flagged(seed: int) -> None:
    # R's LCMCR: medians ~51.7k or ~142-147k depending on the seed, without a word
    settings = LcmcrSettings(K=5, burn_in=10_000, samples=1_000, thinning=10, chains=4,
                             seed=seed)
    result = estimate_lcmcr(load("netherlands_trafficking_6lists"), settings)
    assert result.has_warning("not_converged")
    assert result.diagnostics["rhat"] > 1.1
    assert "chains disagree" in result.warnings[0].message


def test_same_seed_same_draws() -> None:
    settings = LcmcrSettings(burn_in=200, samples=50, thinning=2, chains=2, seed=7)
    first = estimate_lcmcr(load("madigan_york_3lists_spina_bifida"), settings)
    second = estimate_lcmcr(load("madigan_york_3lists_spina_bifida"), settings)
    assert np.array_equal(first.draws, second.draws)  # type: ignore[arg-type]


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba not installed")
def test_numpy_backend_agrees_with_numba() -> None:
    table = load("madigan_york_3lists_spina_bifida")
    common = dict(K=5, burn_in=1_000, samples=1_000, thinning=5, chains=2, seed=3)
    fast = estimate_lcmcr(table, LcmcrSettings(backend="numba", **common))  # type: ignore[arg-type]
    slow = estimate_lcmcr(table, LcmcrSettings(backend="numpy", **common))  # type: ignore[arg-type]
    assert slow.estimate == pytest.approx(fast.estimate, rel=0.05)
    assert slow.interval is not None and fast.interval is not None
    assert slow.interval.high == pytest.approx(fast.interval.high, rel=0.15)
    assert available_backends() == ["numba", "numpy"]


def test_settings_validated_all_at_once() -> None:
    with pytest.raises(InvalidSettingsError) as caught:
        estimate_lcmcr(load("kosovo_1999_4lists"),
                       LcmcrSettings(K=1, thinning=0, chains=0, backend="gpu"))
    assert len(caught.value.problems) == 4


def test_single_chain_is_warned_and_result_serialises() -> None:
    result = estimate_lcmcr(load("madigan_york_3lists_spina_bifida"),
                            LcmcrSettings(burn_in=100, samples=20, chains=1))
    assert result.has_warning("single_chain")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["settings"]["K"] == 5 and data["settings"]["chains"] == 1  # LCMCR default
    assert data["diagnostics"]["backend"] in ("numba", "numpy")
    assert data["input"]["n_observed"] == 626


def test_rhat_and_ess_on_known_chains() -> None:
    rng = np.random.default_rng(0)
    mixed = rng.normal(size=(4, 2000))
    assert split_rhat(mixed) == pytest.approx(1.0, abs=0.01)
    assert effective_sample_size(mixed) == pytest.approx(8000, rel=0.15)
    stuck = mixed + np.array([[0.0], [0.0], [5.0], [5.0]])
    assert split_rhat(stuck) > 2
    correlated = np.cumsum(rng.normal(size=(4, 2000)), axis=1)
    assert effective_sample_size(correlated) < 200
