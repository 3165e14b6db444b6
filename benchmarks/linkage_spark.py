"""DuckDB vs Spark (pyspark local mode): same settings, same clusters?

    .venv/bin/python benchmarks/linkage_spark.py --records 10000
    .venv/bin/python benchmarks/linkage_spark.py --records 10000 --jar-jaro-winkler

On the SYNTHETIC scenario lists: DuckDB trains and predicts; Spark predicts with the
model DuckDB trained (the same parameters, so clusters must be identical) and, unless
``--skip-spark-training``, trains its own model (u by random sampling differs by
backend: compared by pairwise agreement only).  ``--jar-jaro-winkler`` keeps Splink's
Scala Jaro-Winkler on Spark (the old behaviour) to show the pairs it scores
differently.  Prints every pair whose score or comparison levels differ.  Needs
``pyspark`` and Java 17.  Peak MB is the Python process (the JVM is a child process:
its memory is bounded by ``spark.driver.memory`` = 2 GB and not included).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temoin.core.linkage import (  # noqa: E402
    LinkageSettings,
    backends,  # noqa: E402
    link_persons,
)
from temoin.core.linkage.evaluation import (  # noqa: E402
    cluster_pairs_from_assignments,
    pair_scores,
    true_pairs,
)
from temoin.core.linkage.scenario_adapter import scenario_persons  # noqa: E402
from temoin.core.scenario import generate  # noqa: E402

INCIDENTS_PER_10K_RECORDS = 1360


def differing_records(left: pd.DataFrame, right: pd.DataFrame) -> int:
    """Records whose set of cluster-mates differs between two assignments."""

    def mates(assignments: pd.DataFrame) -> dict[tuple[str, str], frozenset[tuple[str, str]]]:
        groups: dict[int, list[tuple[str, str]]] = {}
        for lst, rid, cluster in assignments[["list_id", "record_id", "cluster_id"]].itertuples(
            index=False
        ):
            groups.setdefault(int(cluster), []).append((lst, rid))
        return {key: frozenset(members) for members in groups.values() for key in members}

    a, b = mates(left), mates(right)
    return sum(1 for key in a if a[key] != b.get(key))


def differing_pairs(duck: Any, spark: Any) -> pd.DataFrame:
    """Scored pairs present on one backend only, or with another probability or level."""
    keys = ["unique_id_l", "unique_id_r"]
    gammas = [c for c in duck.pairs.columns if c.startswith("gamma_")]
    merged = duck.pairs.merge(
        spark.pairs, on=keys, how="outer", suffixes=("_duckdb", "_spark"), indicator=True
    )
    differs = merged["_merge"] != "both"
    differs |= (merged["match_probability_duckdb"] - merged["match_probability_spark"]).abs() > 1e-9
    for gamma in gammas:
        differs |= merged[f"{gamma}_duckdb"] != merged[f"{gamma}_spark"]
    return merged[differs]


def show_pairs(rows: pd.DataFrame, table: pd.DataFrame) -> None:
    """Print the differing pairs with the values the differing comparisons read (SYNTHETIC names)."""
    values = table.set_index("unique_id")
    columns = ["given_norm", "family_norm", "village_key"]
    for row in rows.itertuples(index=False):
        row_dict = row._asdict()
        changed = [
            c.removesuffix("_duckdb")
            for c in row_dict
            if c.startswith("gamma_")
            and c.endswith("_duckdb")
            and row_dict[c] != row_dict[c.replace("_duckdb", "_spark")]
        ]
        left, right = values.loc[row.unique_id_l], values.loc[row.unique_id_r]
        print(
            f"  pair {row.unique_id_l}-{row.unique_id_r}: p duckdb={row.match_probability_duckdb:.6f}"
            f" spark={row.match_probability_spark:.6f}; levels differ: {changed or 'none'}; "
            + "; ".join(f"{c}: {left[c]!r} / {right[c]!r}" for c in columns)
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--skip-spark-training", action="store_true")
    parser.add_argument("--jar-jaro-winkler", action="store_true")
    args = parser.parse_args()
    backends.SPARK_USES_DUCKDB_JARO_WINKLER = not args.jar_jaro_winkler
    lists = scenario_persons(
        generate(11, n_incidents=args.records * INCIDENTS_PER_10K_RECORDS // 10_000)
    )
    truth = true_pairs(lists.truth)

    start = time.perf_counter()
    duck = link_persons(lists.records, settings=LinkageSettings())
    duck_seconds = time.perf_counter() - start
    start = time.perf_counter()
    spark = link_persons(
        lists.records, settings=LinkageSettings(backend="spark"), model=duck.splink_model
    )
    spark_seconds = time.perf_counter() - start
    identical = duck.assignments["cluster_id"].tolist() == spark.assignments["cluster_id"].tolist()
    moved = differing_records(duck.assignments, spark.assignments)
    differing = differing_pairs(duck, spark)
    jw = "jar (commons-text)" if args.jar_jaro_winkler else "DuckDB's, registered on Spark"
    print(f"Spark Jaro-Winkler: {jw}")
    print(f"{len(differing)} scored pair(s) differ between DuckDB and Spark:")
    assert duck.comparison_table is not None
    show_pairs(differing, duck.comparison_table)
    duck_f1 = pair_scores(cluster_pairs_from_assignments(duck.assignments), truth).f1
    spark_f1 = pair_scores(cluster_pairs_from_assignments(spark.assignments), truth).f1
    print()
    print(
        "records | Spark JW | DuckDB time s | Spark time s (DuckDB's model) | clusters equal |"
        " differing records | differing scored pairs | F1 DuckDB | F1 Spark | peak MB (Python)"
    )
    print("-|-|-|-|-|-|-|-|-|-")
    print(
        f"{len(lists.records)} | {jw} | {duck_seconds:.1f} | {spark_seconds:.1f} | "
        f"{'yes' if identical else 'no'} | {moved} | {len(differing)} | {duck_f1:.4f} | "
        f"{spark_f1:.4f} | {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}"
    )
    if not args.skip_spark_training:
        start = time.perf_counter()
        own = link_persons(lists.records, settings=LinkageSettings(backend="spark"))
        seconds = time.perf_counter() - start
        agreement = pair_scores(
            cluster_pairs_from_assignments(own.assignments),
            cluster_pairs_from_assignments(duck.assignments),
        ).f1
        print(
            f"spark train+predict: {seconds:.1f} s, agreement with DuckDB clusters (pair F1)"
            f" {agreement:.6f}, differing records {differing_records(duck.assignments, own.assignments)}"
        )


if __name__ == "__main__":
    main()
