"""Several method families side by side on one table (the issue asks for at least two).

Two non-empty lists give only Chapman (warned); three or more give log-linear, dga (up to 7
lists) and LCMCR, each with its own settings. A method that refuses the table is reported
with its error code and message, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from temoin.core.estimation.chapman import estimate_chapman
from temoin.core.estimation.data import ListOverlapTable
from temoin.core.estimation.dga import estimate_dga
from temoin.core.estimation.errors import EstimationError, InvalidSettingsError
from temoin.core.estimation.graphs import MAX_LISTS_GRAPHS
from temoin.core.estimation.lcmcr import LcmcrSettings, estimate_lcmcr
from temoin.core.estimation.loglinear.estimate import estimate_loglinear
from temoin.core.estimation.results import EstimationResult
from temoin.core.estimation.stratified import combine_strata

__all__ = [
    "ComparisonReport",
    "MethodFailure",
    "StratumComparison",
    "compare_strata",
    "estimate_all",
]

METHODS = ("loglinear", "dga", "lcmcr", "chapman")


@dataclass(frozen=True)
class MethodFailure:
    method: str
    code: str
    message: str


def estimate_all(
    table: ListOverlapTable,
    *,
    methods: Sequence[str] = ("loglinear", "dga", "lcmcr"),
    n_boot: int = 200,
    lcmcr: LcmcrSettings | None = None,
    seed: int = 1234,
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


@dataclass(frozen=True)
class StratumComparison:
    stratum: str | None
    results: tuple[EstimationResult, ...]
    failures: tuple[MethodFailure, ...]


@dataclass(frozen=True)
class ComparisonReport:
    """Every family on every stratum, and per family the total over strata (sum of draws)."""

    strata: tuple[StratumComparison, ...]
    totals: dict[str, EstimationResult]
    total_failures: dict[str, str]

    def all_results(self) -> list[EstimationResult]:
        out = [result for stratum in self.strata for result in stratum.results]
        return out + list(self.totals.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "strata": {str(s.stratum): {"results": [r.to_dict() for r in s.results],
                                        "refused": [vars(f) for f in s.failures]}
                       for s in self.strata},
            "totals": {family: total.to_dict() for family, total in self.totals.items()},
            "total_failures": dict(self.total_failures),
        }


def compare_strata(tables: Mapping[str | None, ListOverlapTable], *,
                   methods: Sequence[str] = ("loglinear", "dga", "lcmcr"), n_boot: int = 200,
                   lcmcr: LcmcrSettings | None = None, seed: int = 1234) -> ComparisonReport:
    """Run :func:`estimate_all` on each stratum; with several strata, combine each family's
    draws into a total (a stratum refused as too sparse enters as its documented count)."""
    strata = []
    for name, table in tables.items():
        results, failures = estimate_all(table, methods=methods, n_boot=n_boot, lcmcr=lcmcr,
                                         seed=seed)
        strata.append(StratumComparison(name, tuple(results), tuple(failures)))
    totals: dict[str, EstimationResult] = {}
    total_failures: dict[str, str] = {}
    if len(strata) > 1:
        for family in sorted({r.method for s in strata for r in s.results}):
            chosen, floors, blocking = [], {}, []
            for stratum, table in zip(strata, tables.values(), strict=True):
                found = [r for r in stratum.results if r.method == family]
                if found:
                    chosen.append(found[0])
                elif any(f.code == "too_sparse" for f in stratum.failures):
                    floors[str(stratum.stratum)] = table.n_observed
                else:
                    blocking.append(str(stratum.stratum))
            if blocking:
                total_failures[family] = (f"no {family} estimate for strata {blocking}; "
                                          "a total would be misleading")
                continue
            try:
                totals[family] = combine_strata(chosen, floors=floors, seed=seed)
            except EstimationError as error:
                total_failures[family] = error.message
    return ComparisonReport(tuple(strata), totals, total_failures)
