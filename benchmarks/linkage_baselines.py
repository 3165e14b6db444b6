"""Baselines for the linkage benchmarks, measured in the same run on the same data.

* ``recordlinkage`` (0.16): union of blocking keys, string comparisons, ECM classifier.
* Splink with a *generic* configuration (its library comparisons on raw columns, no
  West-African normalisation, no domain comparisons), trained the same way (u by random
  sampling, m by EM).

Input for both: a pandas frame with ``list_id``, ``record_id`` and raw text columns.
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
