"""Several method families side by side on one table (the issue asks for at least two).

Two non-empty lists give only Chapman (warned); three or more give log-linear, dga (up to 6
lists) and LCMCR, each with its own settings. A method that refuses the table is reported
with its error code and message, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from temoin.core.estimation.chapman import estimate_chapman
from temoin.core.estimation.data import ListOverlapTable
from temoin.core.estimation.dga import estimate_dga
from temoin.core.estimation.errors import EstimationError, InvalidSettingsError
from temoin.core.estimation.graphs import MAX_LISTS_GRAPHS
from temoin.core.estimation.lcmcr import LcmcrSettings, estimate_lcmcr
from temoin.core.estimation.loglinear.estimate import estimate_loglinear
from temoin.core.estimation.results import EstimationResult

__all__ = ["MethodFailure", "estimate_all"]

METHODS = ("loglinear", "dga", "lcmcr", "chapman")


@dataclass(frozen=True)
class MethodFailure:
    method: str
    code: str
    message: str


def estimate_all(table: ListOverlapTable, *,
                 methods: Sequence[str] = ("loglinear", "dga", "lcmcr"),
                 n_boot: int = 200, lcmcr: LcmcrSettings | None = None, seed: int = 1234
                 ) -> tuple[list[EstimationResult], list[MethodFailure]]:
    """Run each requested family; return the results and the refusals."""
    unknown = [method for method in methods if method not in METHODS]
    if unknown:
        raise InvalidSettingsError([f"unknown method(s) {unknown}; choose from {METHODS}"])
    reduced = table.drop_empty_lists()
    if reduced.n_lists == 2:
        methods = ["chapman"]
    results: list[EstimationResult] = []
    failures: list[MethodFailure] = []
    for method in methods:
        try:
            if method == "loglinear":
                results.append(estimate_loglinear(reduced, n_boot=n_boot, seed=seed))
            elif method == "dga":
                if reduced.n_lists > MAX_LISTS_GRAPHS:
                    raise InvalidSettingsError([f"dga handles at most {MAX_LISTS_GRAPHS} lists"])
                results.append(estimate_dga(reduced, seed=seed))
            elif method == "lcmcr":
                settings = lcmcr or LcmcrSettings(seed=seed)
                results.append(estimate_lcmcr(reduced, settings))
            else:
                results.append(estimate_chapman(reduced))
        except EstimationError as error:
            failures.append(MethodFailure(method, error.code, error.message))
    return results, failures
