"""Evaluation helpers: candidate pair counts of a blocking union (SYNTHETIC rows)."""

from __future__ import annotations

import pandas as pd

from temoin.core.linkage.evaluation import blocking_recall, count_candidate_pairs


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "list_id": ["A", "A", "B", "B"],
            "record_id": ["1", "2", "3", "4"],
            "given_canon": ["moussa", "awa", "moussa", "traore"],
            "family_canon": ["traore", "diarra", "traore", "moussa"],
            "village_key": ["ogossagou", "ogossagou", "ogossagou", None],
        }
    )


def test_union_of_rules_counts_each_pair_once() -> None:
    table = _table()
    # names: (1,3); village: (1,2), (1,3), (2,3); swapped: (1,4), (3,4).
    rules = [("given_canon", "family_canon"), ("village_key",), ("swapped_names",)]
    assert count_candidate_pairs(table, rules) == 5
    assert count_candidate_pairs(table, rules, link_only=True) == 3  # A-B pairs only
    assert count_candidate_pairs(table, []) == 0


def test_blocking_recall_counts_true_pairs_reached_by_a_rule() -> None:
    table = _table()
    truth = [frozenset({("A", "1"), ("B", "4")}), frozenset({("A", "2"), ("B", "3")})]
    assert blocking_recall(table, [("swapped_names",)], truth) == 0.5
