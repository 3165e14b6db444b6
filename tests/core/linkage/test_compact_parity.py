"""Compact pairs and shared strings give the results of the old pandas path (SYNTHETIC data).

The engine reads Splink's scored pairs from DuckDB without a new string per cell and the
prepared table stores each distinct string once (:func:`~temoin.core.linkage.engine.fetch_pairs`,
:func:`~temoin.core.linkage.persons.compact_table`).  ``engine.COMPACT_PAIRS = False``
restores both (no shared strings, Splink's ``as_pandas_dataframe()``): both runs must give
the same clusters, pairs,
capture histories, sampled clusterings and review queue, on ~2k records of the scenario
generator (several lists, incident context, reviewed pairs, a DuckDB memory limit).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from temoin.core.linkage import engine
from temoin.core.linkage.backends import DUCKDB_MIN_MB, resident_mb, safety_margin_mb
from temoin.core.linkage.capture import capture_histories, capture_history_draws
from temoin.core.linkage.engine import share_strings
from temoin.core.linkage.errors import MemoryLimitError
from temoin.core.linkage.persons import compact_table, link_persons, records_from_arrow
from temoin.core.linkage.records import PersonRecord
from temoin.core.linkage.review import review_queue
from temoin.core.linkage.run import LinkageRun, ReviewedPair
from temoin.core.linkage.scenario_adapter import scenario_persons
from temoin.core.linkage.settings import SCALE_PERSON_BLOCKING, LinkageSettings
from temoin.core.scenario import generate


@pytest.fixture(scope="module")
def scenario() -> list[PersonRecord]:
    records = scenario_persons(generate(11, n_incidents=272)).records
    assert len(records) == 2184
    return records


@pytest.fixture()
def old_path() -> Iterator[None]:
    engine.COMPACT_PAIRS = False
    try:
        yield
    finally:
        engine.COMPACT_PAIRS = True


def _sorted_pairs(run: LinkageRun) -> pd.DataFrame:
    return run.pairs.sort_values(["unique_id_l", "unique_id_r"]).reset_index(drop=True)


def _same_missing(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """None and NaN are both "missing" to assert_frame_equal: check which one, too."""
    for column in new.columns:
        if new[column].dtype == object:
            assert [v is None for v in new[column]] == [v is None for v in old[column]], column


def _assert_same_run(new: LinkageRun, old: LinkageRun) -> None:
    pd.testing.assert_frame_equal(new.assignments, old.assignments)
    pd.testing.assert_frame_equal(_sorted_pairs(new), _sorted_pairs(old))
    _same_missing(_sorted_pairs(new), _sorted_pairs(old))
    assert new.conflicting_clusters == old.conflicting_clusters
    assert len(new.alternative_assignments) == len(old.alternative_assignments)
    for draw_new, draw_old in zip(
        new.alternative_assignments, old.alternative_assignments, strict=True
    ):
        np.testing.assert_array_equal(draw_new, draw_old)
    pd.testing.assert_frame_equal(capture_histories(new).counts, capture_histories(old).counts)
    for draw_new, draw_old in zip(
        capture_history_draws(new), capture_history_draws(old), strict=True
    ):
        pd.testing.assert_frame_equal(draw_new.counts, draw_old.counts)
    # repr: a missing value is NaN in both queues, and NaN != NaN.
    assert [repr(item) for item in review_queue(new, limit=None)] == [
        repr(item) for item in review_queue(old, limit=None)
    ]
    assert new.splink_model is not None and old.splink_model is not None
    assert {k: v for k, v in new.splink_model.items() if k != "linker_uid"} == {
        k: v
        for k, v in old.splink_model.items()
        if k != "linker_uid"  # random per linker
    }


def _both(records: Any, settings: LinkageSettings, **options: Any) -> tuple[LinkageRun, LinkageRun]:
    new = link_persons(records, settings=settings, **options)
    engine.COMPACT_PAIRS = False
    try:
        old = link_persons(records, settings=settings, **options)
    finally:
        engine.COMPACT_PAIRS = True
    return new, old


def test_compact_pairs_give_the_old_clusters_pairs_histories_and_queue(
    scenario: list[PersonRecord],
) -> None:
    settings = LinkageSettings(alternative_clusterings=3, u_max_pairs=2e5)
    new, old = _both(scenario, settings)
    _assert_same_run(new, old)
    # Something to compare: thousands of pairs, hundreds of multi-record clusters.
    assert len(new.pairs) > 1000
    sizes = new.assignments["cluster_id"].value_counts()
    assert (sizes > 1).sum() > 300
    assert len(review_queue(new, limit=None)) > 50


def test_parity_holds_with_reviewed_pairs_and_a_memory_limit(
    scenario: list[PersonRecord],
) -> None:
    baseline = link_persons(scenario, settings=LinkageSettings(u_max_pairs=2e5))
    queue = review_queue(baseline, limit=4)
    labels = [ReviewedPair(queue[0].left, queue[0].right, "match")]
    labels += [ReviewedPair(item.left, item.right, "non_match") for item in queue[1:]]
    # memory_limit_mb budgets the whole process: well above what it holds now.
    settings = LinkageSettings(
        u_max_pairs=2e5,
        blocking=SCALE_PERSON_BLOCKING,
        memory_limit_mb=int(resident_mb() or 0) + 800,
        predict_chunks=3,
    )
    new, old = _both(scenario, settings, labels=labels)
    _assert_same_run(new, old)
    assert new.cluster_of(labels[0].left) == new.cluster_of(labels[0].right)


def test_pair_cells_point_into_the_table_instead_of_copying_strings(
    scenario: list[PersonRecord],
) -> None:
    run = link_persons(scenario, settings=LinkageSettings(u_max_pairs=2e5))
    table = run.comparison_table
    assert table is not None
    first = run.pairs.iloc[0]
    assert first["family_norm_l"] is table["family_norm"].iloc[int(first["unique_id_l"])]
    villages = table["village_key"].dropna()
    assert len({id(value) for value in villages}) == villages.nunique()


def test_compact_table_keeps_values_and_missing_values() -> None:
    frame = pd.DataFrame(
        {
            "name": ["traore", "".join(["tra", "ore"]), None, "cisse"],
            "number": [1.0, np.nan, 3.0, 4.0],
            "lists": [["a"], ["b"], None, []],
        }
    )
    before = frame.copy()
    out = compact_table(frame)
    pd.testing.assert_frame_equal(out, before)
    assert out["name"].iloc[0] is out["name"].iloc[1]
    assert out["name"].iloc[2] is None


def test_records_from_arrow_equal_records_from_rows(scenario: list[PersonRecord]) -> None:
    names = list(PersonRecord.__dataclass_fields__)
    table = pa.Table.from_pylist([{n: getattr(r, n) for n in names} for r in scenario[:300]])
    assert records_from_arrow(table, PersonRecord) == scenario[:300]


def test_link_only_on_one_list_says_there_is_nothing_to_link(
    scenario: list[PersonRecord],
) -> None:
    one_list = [r for r in scenario if r.list_id == scenario[0].list_id][:250]
    run = link_persons(one_list, settings=LinkageSettings(link_type="link_only"))
    assert run.status == "nothing_to_link"
    assert run.messages == [
        "link_only links records of different lists, and the input holds one list only"
    ]
    assert run.assignments["linked"].sum() == 0
    assert len(run.assignments) == len(one_list)


def test_duckdb_out_of_memory_inside_splink_becomes_memory_limit_error(
    scenario: list[PersonRecord],
) -> None:
    # DuckDB's share of the budget (≈ 70 MB: the budget is the whole process) cannot
    # hold the blocked pairs of the default rules: Splink wraps DuckDB's
    # OutOfMemoryException in a SplinkException, which must still read as ours.
    budget = int(resident_mb() or 0) + safety_margin_mb(1000) + DUCKDB_MIN_MB + 8
    settings = LinkageSettings(u_max_pairs=2e4, memory_limit_mb=budget, threads=1)
    with pytest.raises(MemoryLimitError) as caught:
        link_persons(scenario, settings=settings)
    assert caught.value.code == "memory_limit_exceeded"
    assert f"memory_limit_mb={budget}" in str(caught.value)


@given(st.lists(st.one_of(st.none(), st.sampled_from(["traore", "cisse", "ségou", ""]), st.text())))
def test_share_strings_keeps_every_value_and_shares_equal_ones(values: list[str | None]) -> None:
    # Fresh string objects, as DuckDB or Arrow would hand them over.
    cells = np.array([None if v is None else "".join(list(v)) for v in values], dtype=object)
    out = share_strings(cells)
    assert out.tolist() == values
    first: dict[str, object] = {}
    for cell in out.tolist():
        if cell is not None:
            assert first.setdefault(cell, cell) is cell
