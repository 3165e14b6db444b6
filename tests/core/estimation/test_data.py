"""Input model: reading, validation errors, strata, sparse refusals, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from temoin.core.estimation import (
    InvalidTableError,
    ListOverlapTable,
    TooSparseError,
    check_lists_for_method,
    read_overlap_csv,
    table_from_capture_histories,
    table_from_rows,
)

from .conftest import MSE_DIR, load


def write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_kosovo_table_is_read_with_bitmask_cells() -> None:
    table = load("kosovo_1999_4lists")
    assert table.list_names == ("EXH", "ABA", "OSCE", "HRW")
    assert table.n_observed == 4400
    assert table.counts[0b0001] == 1131  # EXH only
    assert table.counts[0b1111] == 27
    assert table.list_sizes()["HRW"] == 306 + 106 + 31 + 123 + 18 + 42 + 32 + 27
    assert table.overlap(0b0011) == 177 + 181 + 18 + 27


def test_every_shared_table_reads() -> None:
    sizes = {path.stem: read_overlap_csv(path)[None].n_observed
             for path in sorted(MSE_DIR.glob("*.csv"))}
    assert len(sizes) == 13
    assert sizes["netherlands_trafficking_6lists"] == 8234
    assert sizes["new_orleans_trafficking_8lists_n186"] == 186
    assert sizes["madigan_york_5lists"] == 537


def test_capture_histories_with_strata(tmp_path: Path) -> None:
    text = "id,region,A,B,C\n" + "\n".join(
        [f"{i},Mopti,1,0,1" for i in range(3)] + [f"{i},Gao,0,1,1" for i in range(3, 5)])
    tables = read_overlap_csv(write(tmp_path, text), stratum_column="region",
                              ignore_columns=["id"])
    assert set(tables) == {"Mopti", "Gao"}
    assert tables["Mopti"].counts[0b101] == 3
    assert tables["Gao"].counts[0b110] == 2
    assert tables["Gao"].stratum == "Gao"


@pytest.mark.parametrize(("text", "row", "column", "fragment"), [
    ("A,B,count\n1,2,5\n", 2, "B", "not 0 or 1"),
    ("A,B,count\n1,0,-1\n", 2, "count", "negative"),
    ("A,B,count\n1,0,2.5\n", 2, "count", "whole number"),
    ("A,B,count\n1,0,x\n", 2, "count", "not a number"),
    ("A,B,count\n0,0,4\n", 2, None, "no list"),
    ("A,B,count\n1,0,4\n1,0,3\n", 3, None, "repeated (first at row 2)"),
])
def test_bad_tables_name_row_and_column(tmp_path: Path, text: str, row: int,
                                        column: str | None, fragment: str) -> None:
    with pytest.raises(InvalidTableError) as caught:
        read_overlap_csv(write(tmp_path, text))
    assert caught.value.code == "invalid_table"
    assert caught.value.row == row
    assert caught.value.column == column
    assert fragment in caught.value.message
    assert "t.csv" in caught.value.message


def test_capture_history_on_no_list_is_refused() -> None:
    with pytest.raises(InvalidTableError, match="row 2: individual is on no list"):
        table_from_capture_histories(["A", "B", "C"], [[1, 0, 0], [0, 0, 0]])


def test_duplicate_list_names_refused() -> None:
    with pytest.raises(InvalidTableError, match="duplicate list names"):
        table_from_rows(["A", "A"], [([1, 0], 3)])


def test_two_lists_refused_for_multi_list_methods_with_counts() -> None:
    table = table_from_rows(["A", "B", "C"], [([1, 0, 0], 30), ([0, 1, 0], 20),
                                              ([1, 1, 0], 5)], stratum="Kidal")
    with pytest.raises(TooSparseError) as caught:
        check_lists_for_method(table, method="multi")
    error = caught.value
    assert error.code == "too_sparse"
    assert error.counts["list C"] == 0
    assert error.counts["documented"] == 55
    assert "Kidal" in error.message and "2 non-empty lists" in error.message


def test_non_overlapping_lists_refused() -> None:
    table = table_from_rows(["A", "B", "C"], [([1, 0, 0], 30), ([0, 1, 0], 20),
                                              ([0, 0, 1], 9)])
    with pytest.raises(TooSparseError, match="on two or more lists=0"):
        check_lists_for_method(table, method="multi")


def test_too_few_individuals_refused() -> None:
    table = table_from_rows(["A", "B", "C"], [([1, 1, 0], 2), ([0, 1, 1], 3)])
    with pytest.raises(TooSparseError, match="fewer than 10 documented"):
        check_lists_for_method(table, method="multi")


def test_to_dict_is_json_and_round_trips() -> None:
    table = load("new_orleans_trafficking_5lists_n185")
    data = json.loads(json.dumps(table.to_dict()))
    assert data["cells"]["10000"] == 25  # A only
    again = ListOverlapTable.from_dict(data)
    assert np.array_equal(again.counts, table.counts)
    assert again.list_names == table.list_names


def test_select_lists_marginalises() -> None:
    table = load("kosovo_1999_4lists")
    two = table.select_lists([0, 1])
    assert two.list_names == ("EXH", "ABA")
    assert two.n_observed == table.n_observed - (936 + 306 + 123)  # people only on OSCE/HRW
    assert two.overlap(0b11) == table.overlap(0b0011)


@given(st.lists(st.lists(st.integers(0, 1), min_size=3, max_size=3)
                .filter(lambda history: any(history)), min_size=1, max_size=60))
def test_capture_histories_tabulate_every_individual(histories: list[list[int]]) -> None:
    table = table_from_capture_histories(["A", "B", "C"], histories)
    assert table.n_observed == len(histories)
    assert table.list_sizes()["A"] == sum(history[0] for history in histories)
    again = ListOverlapTable.from_dict(json.loads(json.dumps(table.to_dict())))
    assert np.array_equal(again.counts, table.counts)
