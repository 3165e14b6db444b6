"""DuckDB vs Spark (pyspark local mode): same settings, same clusters?

    .venv/bin/python benchmarks/linkage_spark.py --records 10000

Three runs on the SYNTHETIC scenario lists: DuckDB (train + predict), Spark predicting
with the model DuckDB trained (same parameters: clusters must be identical), and Spark
training its own model (u by random sampling differs by backend: clusters compared by
pairwise agreement).  Needs ``pyspark`` and Java 17.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temoin.core.linkage import LinkageSettings, link_persons  # noqa: E402
from temoin.core.linkage.evaluation import cluster_pairs_from_assignments, pair_scores, true_pairs  # noqa: E402
from temoin.core.linkage.scenario_adapter import scenario_persons  # noqa: E402
from temoin.core.scenario import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--skip-spark-training", action="store_true")
    args = parser.parse_args()
    lists = scenario_persons(generate(11, n_incidents=args.records * 1360 // 10_000))
    truth = true_pairs(lists.truth)
    rows = []

    def record(
        name: str, run: object, seconds: float, reference: set[frozenset[tuple[str, str]]] | None
    ) -> set[frozenset[tuple[str, str]]]:
        pairs = cluster_pairs_from_assignments(run.assignments)  # type: ignore[attr-defined]
        agreement = pair_scores(pairs, reference).f1 if reference is not None else 1.0
        rows.append(
            (
                name,
                len(lists.records),
                round(pair_scores(pairs, truth).f1, 4),
                round(agreement, 6),
                round(seconds, 1),
                round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            )
        )
        return pairs

    start = time.perf_counter()
    duck = link_persons(lists.records, settings=LinkageSettings())
    reference = record("duckdb train+predict", duck, time.perf_counter() - start, None)
    start = time.perf_counter()
    spark_same = link_persons(
        lists.records, settings=LinkageSettings(backend="spark"), model=duck.splink_model
    )
    record("spark, duckdb's model", spark_same, time.perf_counter() - start, reference)
    identical = (
        duck.assignments["cluster_id"].to_numpy() == spark_same.assignments["cluster_id"].to_numpy()
    ).all()
    if not args.skip_spark_training:
        start = time.perf_counter()
        spark_own = link_persons(lists.records, settings=LinkageSettings(backend="spark"))
        record("spark train+predict", spark_own, time.perf_counter() - start, reference)
    print(
        "run | records | F1 vs truth | agreement with duckdb clusters (pair F1) | time s | peak MB (process)"
    )
    print("-|-|-|-|-|-")
    for row in rows:
        print(" | ".join(str(v) for v in row))
    print(f"identical cluster ids, same model: {bool(identical)}")


if __name__ == "__main__":
    main()
