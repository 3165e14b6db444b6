"""Log-linear models against the published/R results in ../shared/data/mse/ (every value of
reference_values.json for this family is a test, with its tolerance)."""

from __future__ import annotations

from typing import Any

import pytest

from temoin.core.estimation import (
    InvalidSettingsError,
    LogLinearModel,
    estimate_heterogeneity,
    fit_loglinear,
    profile_likelihood_interval,
    search_models,
    stepwise_select,
)

from .conftest import load, ref

KOSOVO = "kosovo_1999_4lists.csv"


def test_kosovo_bic_best_model_is_123_14_34(reference: dict[str, Any]) -> None:
    expected = ref(reference, KOSOVO, "Poisson log-linear, BIC-best")
    outcome = search_models(load("kosovo_1999_4lists"), criterion="bic", max_order=3)
    assert outcome.fit.model.name() == expected["model"] == "[123,14,34]"
    assert outcome.models_considered == 113
    assert outcome.fit.estimate == pytest.approx(expected["N"], abs=expected["tol_abs"])
    assert outcome.fit.standard_error == pytest.approx(expected["se"], abs=0.05)


def test_kosovo_all_models_selection_point(reference: dict[str, Any]) -> None:
    expected = ref(reference, KOSOVO, "BIC model selection + bootstrap")
    outcome = search_models(load("kosovo_1999_4lists"), criterion="bic", max_order=3)
    assert round(outcome.fit.estimate) == expected["N"]


def test_kosovo_max_order_two_is_14342() -> None:
    # Silverman, Chan & Vincent (2024): max order 2 gives 14,342
    outcome = search_models(load("kosovo_1999_4lists"), criterion="bic", max_order=2)
    assert round(outcome.fit.estimate) == 14342


def test_kosovo_all_two_way_poisson_multinomial_and_profile(reference: dict[str, Any]) -> None:
    expected = ref(reference, KOSOVO, "log-linear all two-way")
    table = load("kosovo_1999_4lists")
    model = LogLinearModel.from_generators(4, [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)])
    tol = expected["tol_abs"]
    assert fit_loglinear(table, model).estimate == pytest.approx(expected["N_poisson"], abs=tol)
    multinomial, low, high = profile_likelihood_interval(table, model)
    assert multinomial == pytest.approx(expected["N_multinomial"], abs=tol)
    assert low == pytest.approx(expected["profile_ci95"][0], abs=tol)
    assert high == pytest.approx(expected["profile_ci95"][1], abs=tol)


@pytest.mark.parametrize(("file", "method"), [
    ("new_orleans_trafficking_8lists_n185.csv", "stepwise p=0.02 (Chan"),
    ("new_orleans_trafficking_5lists_n185.csv", "stepwise p=0.02 (2021)"),
    ("new_orleans_trafficking_8lists_n186.csv", "stepwise p=0.02 (Multiple"),
    ("new_orleans_trafficking_5lists_n186.csv", "stepwise p=0.02 / 2024"),
    ("netherlands_trafficking_6lists.csv", "stepwise p=0.02"),
])
def test_stepwise_point_estimates(reference: dict[str, Any], file: str, method: str) -> None:
    expected = ref(reference, file, method)
    outcome = stepwise_select(load(file.removesuffix(".csv")), p_threshold=0.02)
    tolerance = expected.get("tol_abs", 0.5)
    assert outcome.fit.estimate == pytest.approx(expected["N"], abs=tolerance)


def test_new_orleans_n185_stepwise_adds_d_e_only() -> None:
    # pinned: the 2021 JASA figure 1,184 is the n = 185 version (n = 186 gives 1,110.5)
    outcome = stepwise_select(load("new_orleans_trafficking_8lists_n185"))
    assert [term for term, _ in outcome.steps] == ["D:E"]
    assert round(outcome.fit.estimate) == 1184
    low, high = outcome.fit.wald_log_interval()
    assert (round(low), round(high)) == (721, 2046)  # README: conditional CI 721-2046


def test_new_orleans_main_effects(reference: dict[str, Any]) -> None:
    expected = ref(reference, "new_orleans_trafficking_8lists_n185.csv", "main effects only")
    fit = fit_loglinear(load("new_orleans_trafficking_8lists_n185"), LogLinearModel(8))
    assert round(fit.estimate) == expected["N"]
    low, high = fit.wald_log_interval()
    assert (round(low), round(high)) == (645, 1618)  # README "Reproduced 997 (645-1618)"


def test_netherlands_stepwise_interval_and_5_list_version() -> None:
    six = stepwise_select(load("netherlands_trafficking_6lists")).fit
    assert [round(x) for x in six.wald_log_interval()] == [92440, 133991]
    five = stepwise_select(load("netherlands_trafficking_5lists")).fit
    assert round(five.estimate) == 121522
    assert [round(x) for x in five.wald_log_interval()] == [98675, 150139]


def test_netherlands_main_effects_and_p005() -> None:
    assert round(fit_loglinear(load("netherlands_trafficking_6lists"),
                               LogLinearModel(6)).estimate) == 52823
    assert round(fit_loglinear(load("netherlands_trafficking_5lists"),
                               LogLinearModel(5)).estimate) == 52924
    assert round(stepwise_select(load("netherlands_trafficking_6lists"),
                                 p_threshold=0.05).fit.estimate) == 68246


def test_hiv_rome_model_c1_c2(reference: dict[str, Any]) -> None:
    expected = ref(reference, "rcapture_hiv_rome_4lists.csv", "Rcapture closedpCI.t")
    table = load("rcapture_hiv_rome_4lists")
    model = LogLinearModel.parse("[12,3,4]", 4)
    fit = fit_loglinear(table, model)
    tol = expected["tol_abs"]
    assert fit.estimate == pytest.approx(expected["N_poisson"], abs=tol)
    assert fit.standard_error == pytest.approx(expected["se"], abs=0.05)
    assert fit.aic() == pytest.approx(86.65, abs=0.005)
    multinomial, low, high = profile_likelihood_interval(table, model)
    assert multinomial == pytest.approx(expected["N_multinomial"], abs=tol)
    assert low == pytest.approx(expected["profile_ci95"][0], abs=tol)
    assert high == pytest.approx(expected["profile_ci95"][1], abs=tol)


def test_hiv_rome_all_two_way_and_mt() -> None:
    table = load("rcapture_hiv_rome_4lists")
    two_way = LogLinearModel.from_generators(4, [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)])
    assert fit_loglinear(table, two_way).estimate == pytest.approx(23443.5, abs=1)
    mt = fit_loglinear(table, LogLinearModel(4))
    assert mt.estimate == pytest.approx(11124.6, abs=0.5)
    assert mt.standard_error == pytest.approx(904.8, abs=0.05)


def test_lesbian_darroch_models(reference: dict[str, Any]) -> None:
    expected = ref(reference, "rcapture_lesbian_allegheny_4lists.csv", "Rcapture closedpMS.t")
    table = load("rcapture_lesbian_allegheny_4lists")
    fit = fit_loglinear(table, LogLinearModel.parse(expected["model"], 4, heterogeneity="darroch"))
    assert fit.estimate == pytest.approx(expected["N"], abs=0.05)
    assert fit.standard_error == pytest.approx(expected["se"], abs=0.05)
    plain = fit_loglinear(table, LogLinearModel(4, heterogeneity="darroch"))
    assert (round(plain.estimate, 1), round(plain.standard_error, 1)) == (6963.7, 650.1)


def test_hare_poisson2(reference: dict[str, Any]) -> None:
    expected = ref(reference, "rcapture_hare_6occasions.csv", "Rcapture closedp Mth Poisson2")
    result = estimate_heterogeneity(load("rcapture_hare_6occasions"), kind="poisson2")
    assert round(result.estimate, 1) == expected["N"]
    assert round(result.diagnostics["standard_error"], 1) == expected["se_now"]
    assert round(result.diagnostics["aic"], 1) == expected["AIC"]
    assert result.interval is not None and result.interval.low < 81.1 < result.interval.high


def test_hare_mt_without_111111(reference: dict[str, Any]) -> None:
    expected = ref(reference, "rcapture_hare_6occasions.csv", "Mt without 111111")
    model = LogLinearModel(6).with_cell_indicator("111111")
    fit = fit_loglinear(load("rcapture_hare_6occasions"), model)
    assert round(fit.estimate, 1) == expected["N"]
    assert round(fit.standard_error, 1) == expected["se"]
    assert round(fit.aic(), 1) == 146.1
    assert model.name() == "[1,2,3,4,5,6] +cell 111111"


def test_stepwise_upper_tail_option() -> None:
    table = load("new_orleans_trafficking_8lists_n185")
    upper = stepwise_select(table, tail="upper")
    assert [term for term, _ in upper.steps] == ["D:E"]  # a positive dependence
    assert round(upper.fit.estimate) == 1184
    with pytest.raises(InvalidSettingsError) as caught:
        stepwise_select(table, p_threshold=2.0, tail="lower")
    assert len(caught.value.problems) == 2
