"""MSE on the synthetic Mali scenario (``temoin.core.scenario``): per-region estimates of the
number killed, against the scenario's ground truth.

Capture histories come from the scenario's *ground-truth* person links (perfect
de-duplication: what linkage would give at best). Lists = organisations publishing victim
lists; strata = regions; truth = every true person killed, documented or not. All synthetic.

    .venv/bin/python benchmarks/estimation_mali_scenario.py [n_incidents] [seed]
"""

from __future__ import annotations

import sys
from collections import defaultdict

from estimation_common import peak_mib, print_table, timed

from temoin.core.estimation import (
    EstimationError,
    EstimationResult,
    LcmcrSettings,
    ListOverlapTable,
    TooSparseError,
    estimate_dga,
    estimate_lcmcr,
    estimate_loglinear,
    estimate_stratified,
    table_from_capture_histories,
)
from temoin.core.scenario import generate


def build_tables(n_incidents: int, seed: int) -> tuple[dict[str | None, ListOverlapTable],
                                                        dict[str, int]]:
    scenario = generate(seed, n_incidents=n_incidents)
    histories: dict[str, dict[str, set[str]]] = defaultdict(dict)
    truth: dict[str, int] = defaultdict(int)
    organisations: set[str] = set()
    for bundle in scenario.bundles():
        region = bundle.incident.region
        killed = {p.true_person_id for p in bundle.true_persons if p.fate == "killed"}
        truth[region] += len(killed)
        record_org = {p.person_record_id: p.organisation_id for p in bundle.persons}
        for link in bundle.person_links:
            if link.true_person_id in killed:
                organisation = record_org[link.person_record_id]
                organisations.add(organisation)
                histories[region].setdefault(link.true_person_id, set()).add(organisation)
    names = sorted(organisations)
    tables: dict[str | None, ListOverlapTable] = {}
    for region, people in sorted(histories.items()):
        rows = [[1 if name in orgs else 0 for name in names] for orgs in people.values()]
        tables[region] = table_from_capture_histories(names, rows, stratum=region)
    return tables, dict(truth)


def cell(result: EstimationResult | None, truth: int) -> str:
    if result is None or result.interval is None:
        return "refused"
    mark = "✓" if result.interval.low <= truth <= result.interval.high else "✗"
    flag = " !" if result.warnings else ""
    return (f"{result.estimate:,.0f} [{result.interval.low:,.0f}–{result.interval.high:,.0f}]"
            f" {mark}{flag}")


def main() -> None:
    n_incidents = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    seconds, (tables, truth) = timed(lambda: build_tables(n_incidents, seed))
    print(f"scenario: {n_incidents} incidents, seed {seed}, built in {seconds:.1f} s; lists: "
          f"{', '.join(next(iter(tables.values())).list_names)}")
    methods = {
        "loglinear": lambda t: estimate_loglinear(t, n_boot=200, seed=1),
        "dga": lambda t: estimate_dga(t),
        "lcmcr": lambda t: estimate_lcmcr(t, LcmcrSettings(burn_in=5000, samples=1000,
                                                           thinning=10, chains=4)),
    }
    results: dict[str, dict[str, EstimationResult | None]] = defaultdict(dict)
    totals: dict[str, EstimationResult] = {}
    timings: dict[str, float] = {}
    for name, method in methods.items():
        def run(method=method, name=name) -> None:  # type: ignore[no-untyped-def]
            for region, table in tables.items():
                try:
                    results[str(region)][name] = method(table)
                except TooSparseError:
                    results[str(region)][name] = None
            try:
                totals[name] = estimate_stratified(tables, method, seed=3).total
            except EstimationError as error:
                print(f"total for {name} not computed: {error.message}")
        timings[name], _ = timed(run)
    rows = []
    for region, table in tables.items():
        row = [str(region), f"{truth[str(region)]:,}", f"{table.n_observed:,}"]
        row += [cell(results[str(region)].get(name), truth[str(region)]) for name in methods]
        rows.append(row)
    all_truth = sum(truth.values())
    rows.append(["TOTAL (sum of draws)", f"{all_truth:,}",
                 f"{sum(t.n_observed for t in tables.values()):,}"]
                + [cell(totals.get(name), all_truth) for name in methods])
    print_table("killed, per region: truth vs documented vs estimates (✓ interval covers truth, "
                "! warnings)", ["region", "true killed", "documented"] + list(methods), rows)
    print("\ntime per method (all regions + total, s): "
          + ", ".join(f"{name} {seconds:.1f}" for name, seconds in timings.items())
          + f"; peak RSS {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
