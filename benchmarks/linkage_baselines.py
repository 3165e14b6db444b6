"""Baselines for the linkage benchmarks, measured in the same run on the same data.

* ``recordlinkage`` (0.16): union of blocking keys, string comparisons, ECM classifier.
* Splink with a *generic* configuration (its library comparisons on raw columns, no
  West-African normalisation, no domain comparisons), trained the same way (u by random
  sampling, m by EM).
* ``dedupe`` 3.0.3 (with BTrees 6.4; 6.5 breaks it): active learning, the oracle
  answering from the ground truth (600 labels by default), as an analyst would.
  ``python benchmarks/linkage_baselines.py`` runs it beside Témoin on FEBRL3 and the
  SYNTHETIC Mali 10k lists, each case in its own process for peak memory.

Input for all: a pandas frame with ``list_id``, ``record_id`` and raw text columns.
Output: ``assignments`` (list_id, record_id, cluster_id) so all tools are scored alike.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from temoin.core.linkage.clusters import cluster_pairs

logging.getLogger("splink").setLevel(logging.ERROR)


def _assign(
    frame: pd.DataFrame,
    left: np.ndarray,
    right: np.ndarray,
    probability: np.ndarray,
    threshold: float,
) -> pd.DataFrame:
    cluster = cluster_pairs(
        len(frame), left.tolist(), right.tolist(), probability.tolist(), threshold=threshold
    )
    return pd.DataFrame(
        {
            "list_id": frame["list_id"].to_numpy(),
            "record_id": frame["record_id"].to_numpy(),
            "cluster_id": cluster,
        }
    )


def recordlinkage_ecm(
    frame: pd.DataFrame, *, blocks: list[str], strings: list[str], exact: list[str], link_only: bool
) -> pd.DataFrame:
    """recordlinkage: candidate pairs = union of blocks; JW ≥ 0.85 / exact features; ECM."""
    import recordlinkage

    data = frame.reset_index(drop=True)
    indexer = recordlinkage.Index()
    for column in blocks:
        indexer.block(column)
    pairs = indexer.index(data)
    if link_only:
        keep = (
            data["list_id"].to_numpy()[pairs.get_level_values(0)]
            != data["list_id"].to_numpy()[pairs.get_level_values(1)]
        )
        pairs = pairs[keep]
    pairs = pairs[pairs.get_level_values(0) != pairs.get_level_values(1)]
    compare = recordlinkage.Compare()
    for column in strings:
        compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    for column in exact:
        compare.exact(column, column, label=column)
    features = compare.compute(pairs, data)
    matches = recordlinkage.ECMClassifier(binarize=None).fit_predict(features)
    left = np.asarray(matches.get_level_values(0), dtype=np.int64)
    right = np.asarray(matches.get_level_values(1), dtype=np.int64)
    return _assign(data, left, right, np.ones(len(left)), 0.5)


def splink_generic(
    frame: pd.DataFrame,
    *,
    names: list[str],
    exact: list[str],
    blocks: list[list[str]],
    em_blocks: list[list[str]],
    link_only: bool,
    threshold: float = 0.9,
) -> pd.DataFrame:
    """Splink with library comparisons on raw columns (NameComparison, ExactMatch)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    data = frame.reset_index(drop=True).copy()
    data["unique_id"] = np.arange(len(data))
    extra = " AND l.list_id <> r.list_id" if link_only else ""
    rules = [
        block_on(*cols).get_blocking_rule("duckdb").blocking_rule_sql + extra for cols in blocks
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.NameComparison(c) for c in names] + [cl.ExactMatch(c) for c in exact],
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(data), settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for cols in em_blocks:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*cols))
    pairs = linker.inference.predict(
        threshold_match_probability=0.05, warning_mode="never"
    ).as_pandas_dataframe()
    return _assign(
        data,
        pairs["unique_id_l"].to_numpy(),
        pairs["unique_id_r"].to_numpy(),
        pairs["match_probability"].to_numpy(),
        threshold,
    )


def dedupe_active(
    frame: pd.DataFrame,
    *,
    strings: list[str],
    exact: list[str],
    entity: list[str],
    labels: int = 600,
    threshold: float = 0.5,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """dedupe 3.0.3 (BTrees 6.4): active learning answered from the ground truth.

    ``entity`` is the true entity of each row (never a feature): the oracle answers
    dedupe's ``uncertain_pairs`` with it, ``labels`` times — an analyst who never errs.
    Then dedupe learns its blocking predicates and classifier and partitions the whole
    input (its default ``partition``: hierarchical clustering of scored pairs).
    Returns the assignments and the seconds spent labelling/training and partitioning.
    """
    import time

    import dedupe

    data = frame.reset_index(drop=True)
    variables = [dedupe.variables.String(c, has_missing=True) for c in strings] + [
        dedupe.variables.Exact(c, has_missing=True) for c in exact
    ]
    records: dict[int, dict[str, object]] = {
        index: {
            "_row": index,  # not a variable: lets the oracle find the true entity
            **{c: (str(row[c]) if row[c] not in ("", None) else None) for c in strings + exact},
        }
        for index, row in data.iterrows()
    }
    started = time.perf_counter()
    deduper = dedupe.Dedupe(variables, num_cores=1)
    deduper.prepare_training(records)  # dedupe default sample (1,500 pairs)
    for _ in range(labels):
        uncertain = deduper.uncertain_pairs()
        if not uncertain:
            break
        left, right = uncertain[0]
        same = entity[int(left["_row"])] == entity[int(right["_row"])]  # type: ignore[call-overload]
        deduper.mark_pairs(
            {"match": [(left, right)] if same else [], "distinct": [] if same else [(left, right)]}
        )
    deduper.train(recall=1.0, index_predicates=True)
    trained = time.perf_counter()
    clusters = deduper.partition(records, threshold=threshold)
    cluster_of = list(range(len(data)))
    for number, (members, _scores) in enumerate(clusters):
        for member in members:
            cluster_of[int(member)] = len(data) + number
    assignments = pd.DataFrame(
        {
            "list_id": data["list_id"].to_numpy(),
            "record_id": data["record_id"].to_numpy(),
            "cluster_id": cluster_of,
        }
    )
    return assignments, {
        "train_s": trained - started,
        "partition_s": time.perf_counter() - trained,
    }


def _dedupe_case(data: str, labels: int) -> dict[str, object]:
    """One dedupe run on ``data`` (febrl3 or mali10k), scored like linkage_bench.py."""
    import resource
    import time

    from linkage_bench import load

    from temoin.core.linkage.evaluation import (
        cluster_pairs_from_assignments,
        pair_scores,
        true_pairs,
    )

    records, truth, raw, link_only = load(data)
    entity = [truth[(lst, rid)] for lst, rid in zip(raw["list_id"], raw["record_id"], strict=True)]
    if data == "febrl3":
        strings = ["given_name", "surname", "address_1", "suburb"]
        exact = ["street_number", "postcode", "state", "date_of_birth", "soc_sec_id"]
    else:
        strings = ["given_name", "surname", "village"]
        exact = ["death", "age", "sex"]
    started = time.perf_counter()
    assignments, seconds = dedupe_active(
        raw.astype(str), strings=strings, exact=exact, entity=entity, labels=labels
    )
    elapsed = time.perf_counter() - started
    scores = pair_scores(
        cluster_pairs_from_assignments(assignments, link_only=link_only),
        true_pairs(truth, link_only=link_only),
    )
    return {
        "tool": f"dedupe 3.0.3, {labels} labels",
        "data": data,
        "records": len(records),
        "F1": round(scores.f1, 4),
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "blocking recall": "—",
        "time s": f"{elapsed:.1f} ({seconds['train_s']:.0f} labelling+training)",
        "peak MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    """dedupe against Témoin on the same data, each case in its own process (peak memory).

    .venv/bin/python benchmarks/linkage_baselines.py --cases febrl3 mali10k --labels 600
    """
    import argparse
    import json
    import subprocess
    import sys

    from linkage_common import print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", nargs="*", default=["febrl3", "mali10k"])
    parser.add_argument("--tools", nargs="*", default=["dedupe", "temoin-priors", "temoin-em"])
    parser.add_argument("--labels", type=int, default=600)
    parser.add_argument("--one", nargs=2, metavar=("TOOL", "DATA"))
    args = parser.parse_args()
    if args.one:
        tool, data = args.one
        if tool == "dedupe":
            print(json.dumps(_dedupe_case(data, args.labels)))
        else:
            from linkage_bench import run_case

            print(json.dumps(run_case(tool, data, "duckdb")))
        return
    rows = []
    for data in args.cases:
        for tool in args.tools:
            command = [sys.executable, __file__, "--one", tool, data, "--labels", str(args.labels)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode != 0 or not lines:
                tail = (done.stderr.strip().splitlines() or ["?"])[-1][:80]
                rows.append({"tool": tool, "data": data, "F1": f"failed: {tail}"})
            else:
                rows.append(json.loads(lines[-1]))
            print(json.dumps(rows[-1]), flush=True)
    print()
    print_table(rows)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
