"""Two lists only: the Lincoln–Petersen estimator with Chapman's correction.

With two lists nothing can be said about dependence between them: the estimate assumes the
lists are independent and every person equally likely to be recorded. It always carries a
loud ``two_lists`` warning.
"""

from __future__ import annotations

import math

from scipy import stats

from temoin.core.estimation.data import ListOverlapTable, check_lists_for_method
from temoin.core.estimation.results import EstimationResult, EstimationWarning, Interval

__all__ = ["TWO_LIST_WARNING", "estimate_chapman"]

TWO_LIST_WARNING = (
    "ONLY TWO LISTS: this number assumes the two lists are independent and that every person "
    "had the same chance of being recorded. Neither can be checked with two lists; if the "
    "lists tend to record the same people, the true total is higher. Treat it as a rough "
    "order of magnitude, not an estimate to publish."
)


def estimate_chapman(table: ListOverlapTable, *, level: float = 0.95) -> EstimationResult:
    """Chapman's N = (n1+1)(n2+1)/(m+1) - 1 with a log-normal interval (Chao 1987)."""
    reduced = table.drop_empty_lists()
    check_lists_for_method(reduced, method="chapman", min_observed=1)
    n1, n2 = reduced.list_sizes().values()
    both = reduced.overlap(0b11)
    n = reduced.n_observed
    estimate = (n1 + 1) * (n2 + 1) / (both + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - both) * (n2 - both) / ((both + 1) ** 2 * (both + 2))
    missing = estimate - n
    if missing > 0 and variance > 0:
        z = stats.norm.ppf(0.5 + level / 2)
        factor = math.exp(z * math.sqrt(math.log(1 + variance / missing**2)))
        interval = Interval(n + missing / factor, n + missing * factor, level, "wald-log")
    else:
        interval = Interval(float(n), float(n), level, "wald-log")
    return EstimationResult(
        method="chapman",
        n_observed=n,
        estimate=estimate,
        interval=interval,
        settings={"level": level},
        diagnostics={
            "list_sizes": [n1, n2],
            "overlap": both,
            "standard_error": math.sqrt(variance),
        },
        warnings=(EstimationWarning("two_lists", TWO_LIST_WARNING),),
        table=table,
        stratum=table.stratum,
        estimate_kind="mle",
    )
