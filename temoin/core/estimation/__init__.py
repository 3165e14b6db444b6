"""Multiple systems estimation: how many victims no list documented.

Pure numpy/scipy (numba optional), usable on its own:

* :mod:`data` — list-overlap tables, capture histories, strata, validation;
* :mod:`loglinear` — hierarchical Poisson log-linear models, AIC/BIC search, the stepwise
  selection of Chan, Silverman & Vincent, existence/identifiability checks, profile
  likelihood and BCa bootstrap intervals (Rcapture, SparseMSE);
* :mod:`dga` — Bayesian model averaging over decomposable graphs (Madigan & York; R's dga);
* :mod:`lcmcr` — Dirichlet-process latent-class model (Manrique-Vallier; R's LCMCR) with
  several chains, R-hat and effective sample size;
* :mod:`chapman` (two lists, loudly warned), :mod:`heterogeneity` (cross-checks),
  :mod:`stratified` (sum of draws), :mod:`calibration` (simulated truth), :mod:`plots`.

Every estimator returns an :class:`EstimationResult` whose ``to_dict()`` is JSON-ready.
"""

from __future__ import annotations

from temoin.core.estimation.chapman import estimate_chapman
from temoin.core.estimation.compare import estimate_all
from temoin.core.estimation.data import (
    ListOverlapTable,
    check_lists_for_method,
    read_overlap_csv,
    table_from_capture_histories,
    table_from_rows,
)
from temoin.core.estimation.dga import bma_cr, estimate_dga, negative_binomial_log_prior
from temoin.core.estimation.errors import (
    EstimationError,
    InvalidSettingsError,
    InvalidTableError,
    ModelNotEstimableError,
    NumericalError,
    TooSparseError,
)
from temoin.core.estimation.heterogeneity import chao_lower_bound, estimate_heterogeneity
from temoin.core.estimation.lcmcr import LcmcrSettings, estimate_lcmcr
from temoin.core.estimation.loglinear.estimate import estimate_loglinear
from temoin.core.estimation.loglinear.fit import (
    check_extended_mle,
    fit_loglinear,
    profile_likelihood_interval,
)
from temoin.core.estimation.loglinear.models import LogLinearModel
from temoin.core.estimation.loglinear.selection import search_models, stepwise_select
from temoin.core.estimation.results import EstimationResult, EstimationWarning, Interval
from temoin.core.estimation.stratified import (
    StratifiedResult,
    combine_strata,
    estimate_stratified,
)

__all__ = [
    "EstimationError",
    "EstimationResult",
    "EstimationWarning",
    "Interval",
    "InvalidSettingsError",
    "InvalidTableError",
    "LcmcrSettings",
    "ListOverlapTable",
    "LogLinearModel",
    "ModelNotEstimableError",
    "NumericalError",
    "StratifiedResult",
    "TooSparseError",
    "bma_cr",
    "chao_lower_bound",
    "check_extended_mle",
    "check_lists_for_method",
    "combine_strata",
    "estimate_all",
    "estimate_chapman",
    "estimate_dga",
    "estimate_heterogeneity",
    "estimate_lcmcr",
    "estimate_loglinear",
    "estimate_stratified",
    "fit_loglinear",
    "negative_binomial_log_prior",
    "profile_likelihood_interval",
    "read_overlap_csv",
    "search_models",
    "stepwise_select",
    "table_from_capture_histories",
    "table_from_rows",
]
