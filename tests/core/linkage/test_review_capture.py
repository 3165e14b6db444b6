"""Review-queue ordering, capture histories and sampled clusterings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from temoin.core.linkage import (
    LinkageSettings,
    PersonRecord,
    capture_histories,
    capture_history_draws,
    link_persons,
    review_queue,
    review_sample,
)
from temoin.core.linkage.clusters import cluster_pairs, sample_clusterings
from temoin.core.linkage.prepare import UnlinkedRecord
from temoin.core.linkage.run import LinkageRun


def _run(
    pairs: list[tuple[str, str, float]], records: list[tuple[str, str]], *, threshold: float = 0.9
) -> LinkageRun:
    """A hand-made run: records (list, id) and scored pairs by record id."""
    settings = LinkageSettings(
        match_threshold=threshold, review_low=0.01, review_high=0.98, large_cluster_size=3
    )
    index = {rid: i for i, (_, rid) in enumerate(records)}
    lists = dict((rid, lst) for lst, rid in records)
    frame = pd.DataFrame(
        {
            "unique_id_l": [index[a] for a, _, _ in pairs],
            "unique_id_r": [index[b] for _, b, _ in pairs],
            "record_id_l": [a for a, _, _ in pairs],
            "record_id_r": [b for _, b, _ in pairs],
            "list_id_l": [lists[a] for a, _, _ in pairs],
            "list_id_r": [lists[b] for _, b, _ in pairs],
            "match_probability": [p for _, _, p in pairs],
            "match_weight": [np.log2(p / (1 - p)) for _, _, p in pairs],
        }
    )
    assignment = cluster_pairs(
        len(records),
        frame["unique_id_l"].tolist(),
        frame["unique_id_r"].tolist(),
        frame["match_probability"].tolist(),
        threshold=threshold,
    )
    assignments = pd.DataFrame(
        {
            "list_id": [lst for lst, _ in records],
            "record_id": [r for _, r in records],
            "cluster_id": assignment,
            "linked": True,
            "unlinked_reason": None,
        }
    )
    table = pd.DataFrame(
        {
            "list_id": [lst for lst, _ in records],
            "record_id": [r for _, r in records],
            "stratum": ["Mopti"] * (len(records) - 1) + ["Gao"],
        }
    )
    return LinkageRun(
        kind="persons",
        status="ok",
        settings=settings,
        assignments=assignments,
        pairs=frame,
        splink_model=None,
        unlinked=(),
        comparison_table=table,
    )


def test_uncertain_pairs_come_first_and_settled_ones_are_left_out() -> None:
    records = [("A", "a1"), ("B", "b1"), ("A", "a2"), ("B", "b2"), ("A", "a3"), ("B", "b3")]
    run = _run([("a1", "b1", 0.99), ("a2", "b2", 0.5), ("a3", "b3", 0.1)], records)
    queue = review_queue(run)
    assert [(i.left[1], i.right[1]) for i in queue] == [("a2", "b2"), ("a3", "b3")]
    assert queue[0].impact == 2.0 and queue[0].currently_linked is False


def test_pairs_joining_large_clusters_are_flagged_and_rank_higher() -> None:
    records = [("A", "a1"), ("B", "b1"), ("C", "c1"), ("A", "a2"), ("B", "b2"), ("C", "c2")]
    run = _run(
        [("a1", "b1", 0.97), ("b1", "c1", 0.97), ("c1", "a2", 0.6), ("b2", "c2", 0.6)], records
    )
    queue = review_queue(run)
    assert (queue[0].left[1], queue[0].right[1]) == ("c1", "a2")
    assert queue[0].flags == ("large_cluster",) and queue[0].cluster_sizes == (3, 1)
    small = [i for i in queue if (i.left[1], i.right[1]) == ("b2", "c2")]
    assert small[0].flags == () and round(small[0].impact, 6) == 1.6


def test_capture_histories_by_stratum() -> None:
    records = [("A", "a1"), ("B", "b1"), ("A", "a2"), ("C", "c9")]
    run = _run([("a1", "b1", 0.99)], records)
    histories = capture_histories(run)
    assert histories.lists == ("A", "B", "C")
    assert histories.individuals["pattern"].tolist() == ["110", "100", "001"]
    assert histories.individuals["stratum"].tolist() == ["Mopti", "Mopti", "Gao"]
    counts = {(s, p): c for s, p, c in histories.counts.itertuples(index=False)}
    assert counts == {("Gao", "001"): 1, ("Mopti", "100"): 1, ("Mopti", "110"): 1}
    assert histories.rows_by_stratum() == {"Mopti": [(1, 1, 0), (1, 0, 0)], "Gao": [(0, 0, 1)]}


def test_sampled_clusterings_follow_probabilities_and_constraints() -> None:
    draws = sample_clusterings(3, [0, 1], [1, 2], [1.0, 0.0], draws=20, seed=1)
    assert all(d.tolist() == [0, 0, 2] for d in draws)
    forced = sample_clusterings(3, [0], [1], [0.0], draws=3, seed=1, must_link=[(1, 2)])
    assert all(d.tolist() == [0, 1, 1] for d in forced)
    half = sample_clusterings(2, [0], [1], [0.5], draws=400, seed=3)
    linked = sum(int(d[0] == d[1]) for d in half)
    assert 150 < linked < 250


def test_rejected_pair_is_never_an_edge() -> None:
    assignment = cluster_pairs(3, [0, 1], [1, 2], [0.99, 0.99], threshold=0.9, cannot_link=[(0, 1)])
    assert assignment.tolist() == [0, 1, 1]


def test_capture_history_draws_from_a_real_run(three_lists: list[PersonRecord]) -> None:
    settings = LinkageSettings(training="priors", alternative_clusterings=4)
    run = link_persons(three_lists, settings=settings)
    draws = capture_history_draws(run)
    assert len(draws) == 4
    assert all(d.lists == ("A", "B", "C") for d in draws)
    main = capture_histories(run)
    assert main.individuals["pattern"].tolist() == ["111", "110", "100", "001"]


def test_review_items_carry_field_evidence(three_lists: list[PersonRecord]) -> None:
    settings = LinkageSettings(training="priors", review_high=0.99999999)
    run = link_persons(three_lists, settings=settings)
    queue = review_queue(run, limit=None)
    assert queue, "expected at least one pair to review"
    fields = {f.comparison: f for f in queue[0].fields}
    assert set(fields) == {"name", "death_date_place", "birth", "sex", "same_list"}
    assert fields["name"].left_value and fields["name"].right_value
    assert all(f.verdict in {"agrees", "disagrees", "missing"} for f in fields.values())


def test_unlinked_records_are_excluded_from_capture_histories(
    three_lists: list[PersonRecord],
) -> None:
    run = link_persons(
        [*three_lists, PersonRecord(record_id="X", list_id="C", given_name="Awa")],
        settings=LinkageSettings(training="priors"),
    )
    assert capture_histories(run).excluded == 1
    assert run.unlinked == (
        UnlinkedRecord("X", "C", "insufficient_evidence", run.unlinked[0].detail),
    )


def test_review_sample_draws_from_the_whole_uncertain_band() -> None:
    records = [(lst, f"{lst.lower()}{i}") for i in range(6) for lst in ("A", "B")]
    probabilities = [0.99, 0.9, 0.7, 0.5, 0.2, 0.01]
    run = _run([(f"a{i}", f"b{i}", p) for i, p in enumerate(probabilities)], records, threshold=0.6)
    everything = review_sample(run, n=10)
    # The settled pair (>= review_high 0.98) is left out; review_low (0.01) is inside.
    assert sorted(i.match_probability for i in everything) == [0.01, 0.2, 0.5, 0.7, 0.9]
    three = review_sample(run, n=3, seed=5)
    assert len(three) == 3 and three == review_sample(run, n=3, seed=5)
    assert {i.left for i in three} <= {i.left for i in everything}


def test_review_sample_leaves_out_pairs_already_reviewed_in_either_order() -> None:
    records = [(lst, f"{lst.lower()}{i}") for i in range(6) for lst in ("A", "B")]
    probabilities = [0.99, 0.9, 0.7, 0.5, 0.2, 0.01]
    run = _run([(f"a{i}", f"b{i}", p) for i, p in enumerate(probabilities)], records, threshold=0.6)
    reviewed = [(("A", "a1"), ("B", "b1")), (("B", "b3"), ("A", "a3"))]  # 0.9; 0.5 reversed
    rest = review_sample(run, n=10, exclude=reviewed)
    assert sorted(i.match_probability for i in rest) == [0.01, 0.2, 0.7]
    # A second round of three draws the rest of the band, never a reviewed pair again.
    again = review_sample(run, n=3, seed=1, exclude=reviewed)
    assert {(i.left, i.right) for i in again} == {(i.left, i.right) for i in rest}

