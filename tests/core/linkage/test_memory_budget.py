"""``memory_limit_mb`` as a budget for the whole process (SYNTHETIC data only).

The budget is the process's resident memory during the run: at each checkpoint DuckDB
gets ``budget − (RSS − DuckDB's memory in use) − safety margin``, and a phase that
cannot get DuckDB's minimum is not started.  No timed assertions.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from temoin.core.linkage.backends import (
    DUCKDB_MIN_MB,
    open_backend,
    resident_mb,
    safety_margin_mb,
)
from temoin.core.linkage.comparisons import person_splink_settings
from temoin.core.linkage.engine import FETCH_VECTORS_PER_CHUNK, fetch_pairs, run_splink
from temoin.core.linkage.errors import MemoryLimitError
from temoin.core.linkage.persons import _deterministic_rules, compact_table, link_persons
from temoin.core.linkage.prepare import prepare_persons
from temoin.core.linkage.records import PersonRecord
from temoin.core.linkage.scenario_adapter import scenario_persons
from temoin.core.linkage.settings import LinkageSettings
from temoin.core.scenario import generate

FAR_ABOVE_NEED_MB = 200_000


@pytest.fixture(scope="module")
def scenario() -> list[PersonRecord]:
    records = scenario_persons(generate(11, n_incidents=120)).records
    assert len(records) > 500
    return records


def _rss() -> float:
    rss = resident_mb()
    assert rss is not None  # Linux: /proc/self/statm
    return rss


def test_resident_mb_reads_this_process() -> None:
    import psutil

    measured = _rss()
    assert abs(measured - psutil.Process().memory_info().rss / 2**20) < 32


def test_zero_and_none_mean_no_budget() -> None:
    assert LinkageSettings(memory_limit_mb=0).validate().memory_limit_mb == 0
    assert any("memory_limit_mb" in p for p in LinkageSettings(memory_limit_mb=10).problems())
    default = duckdb.connect(":memory:").execute("SELECT current_setting('memory_limit')")
    expected = default.fetchone()
    for budget in (0, None):
        with open_backend(LinkageSettings(memory_limit_mb=budget)) as backend:
            assert backend.before_phase("prediction", holding="test") is None
            assert backend.connection is not None
            setting = backend.connection.execute("SELECT current_setting('memory_limit')")
            assert setting.fetchone() == expected
            assert backend.budget_steps == []


def test_budget_far_above_need_gives_the_unlimited_result(
    scenario: list[PersonRecord],
) -> None:
    unlimited = link_persons(scenario, settings=LinkageSettings(u_max_pairs=2e4))
    budgeted = link_persons(
        scenario,
        settings=LinkageSettings(u_max_pairs=2e4, memory_limit_mb=FAR_ABOVE_NEED_MB),
    )
    pd.testing.assert_frame_equal(budgeted.assignments, unlimited.assignments)
    pd.testing.assert_frame_equal(budgeted.pairs, unlimited.pairs)
    assert len(budgeted.pairs) > 100
    assert (budgeted.assignments["cluster_id"].value_counts() > 1).sum() > 20


def test_budget_below_the_python_side_raises_after_preparing(
    scenario: list[PersonRecord],
) -> None:
    budget = int(_rss()) - 20  # the process already holds more than this
    assert budget >= 64
    with pytest.raises(MemoryLimitError) as caught:
        link_persons(scenario, settings=LinkageSettings(memory_limit_mb=budget))
    assert caught.value.code == "memory_limit_exceeded"
    assert caught.value.message.startswith(
        f"memory_limit_mb={budget} exceeded after preparing the records: the process holds "
    )
    assert "MB resident (records, prepared table); raise memory_limit_mb" in caught.value.message


def test_budget_without_room_for_duckdb_raises_before_any_scoring(
    scenario: list[PersonRecord],
) -> None:
    budget = int(_rss()) + 30  # above the Python side, but not by margin + DuckDB's minimum
    with pytest.raises(MemoryLimitError) as caught:
        link_persons(scenario, settings=LinkageSettings(memory_limit_mb=budget))
    error = caught.value
    assert error.code == "memory_limit_exceeded"
    # The first checkpoint (before u estimation, the first Splink phase) refuses:
    # nothing was sampled or scored, and the message says what holds the memory.
    assert error.message.startswith(
        f"memory_limit_mb={budget} is too small to start u estimation: the process already holds "
    )
    assert "outside DuckDB (interpreter and libraries, the input records, the prepared" in (
        error.message
    )
    assert f"below the {DUCKDB_MIN_MB} MB it needs" in error.message


def test_small_input_refused_before_prediction(scenario: list[PersonRecord]) -> None:
    # Under 200 records there is no u estimation: prediction is the first Splink phase.
    budget = int(_rss()) + 30
    with pytest.raises(MemoryLimitError, match="too small to start prediction"):
        link_persons(scenario[:150], settings=LinkageSettings(memory_limit_mb=budget))


def test_duckdb_limit_is_budget_minus_rss_minus_margin() -> None:
    budget = int(_rss()) + 500  # DuckDB's limit stays under 1 GiB: printed in MiB
    with open_backend(LinkageSettings(memory_limit_mb=budget)) as backend:
        connection = backend.connection
        assert connection is not None
        # DuckDB holds ≈ 30 MB: it counts inside its new limit, not twice.
        connection.execute("CREATE TABLE held AS SELECT range AS i FROM range(4000000)")
        before = _rss()
        step = backend.before_phase("a test phase", holding="test")
        after = _rss()
        assert step is not None and backend.budget_steps == [step]
        assert before - 8 <= step.rss_mb <= after + 8
        assert step.duckdb_in_use_mb > 20
        assert step.margin_mb == safety_margin_mb(budget) == max(100, budget // 8)
        assert step.duckdb_limit_mb == int(
            budget - (step.rss_mb - step.duckdb_in_use_mb) - step.margin_mb
        )
        assert step.duckdb_limit_mb < 1024
        setting = connection.execute("SELECT current_setting('memory_limit')").fetchone()
        assert setting == (f"{step.duckdb_limit_mb}.0 MiB",)


def test_each_splink_phase_gets_its_own_limit(scenario: list[PersonRecord]) -> None:
    budget = int(_rss()) + 1000
    settings = LinkageSettings(u_max_pairs=2e4, memory_limit_mb=budget).validate()
    prepared = prepare_persons(scenario, min_evidence_fields=settings.min_evidence_fields)
    table = compact_table(prepared.table)
    present = {column for column in table.columns if table[column].notna().any()}
    result = run_splink(
        table,
        settings=settings,
        build_settings=lambda cols, prior: person_splink_settings(
            settings, present_columns=cols, prior=prior
        ),
        present=present,
        deterministic_rules=_deterministic_rules(present),
    )
    assert [step.phase for step in result.budget_steps] == [
        "u estimation",
        "prediction (blocking and scoring)",
        "reading the scored pairs",
    ]
    for step in result.budget_steps:
        assert step.margin_mb == safety_margin_mb(budget) == max(100, budget // 8)
        assert step.duckdb_limit_mb == int(
            budget - (step.rss_mb - step.duckdb_in_use_mb) - step.margin_mb
        )
        assert DUCKDB_MIN_MB <= step.duckdb_limit_mb < budget - 100
    assert len(result.pairs) > 100


def _pair_table(connection: duckdb.DuckDBPyConnection, n_pairs: int) -> pd.DataFrame:
    connection.execute(
        "CREATE TABLE scored AS SELECT (range % 1000) AS unique_id_l, "
        "(range % 1000) + 1 + (range // 1000) AS unique_id_r, "
        "CASE WHEN range % 3 = 0 THEN NULL ELSE range % 4 END AS gamma_name, "
        "(range % 97) / 97.0 AS match_probability "
        f"FROM range({n_pairs})"
    )
    return pd.DataFrame({"unique_id": np.arange(2000), "family_norm": ["traore"] * 2000})


def test_pairs_read_in_chunks_equal_one_read() -> None:
    connection = duckdb.connect(":memory:")
    n_pairs = FETCH_VECTORS_PER_CHUNK * 2048 * 2 + 77  # three chunks
    table = _pair_table(connection, n_pairs)
    fetched = fetch_pairs(
        connection, "scored", table, settings=LinkageSettings(memory_limit_mb=FAR_ABOVE_NEED_MB)
    )
    whole = connection.sql("SELECT * FROM scored ORDER BY unique_id_l, unique_id_r").df()
    assert len(fetched) == n_pairs
    pd.testing.assert_frame_equal(fetched, whole)
    assert str(fetched["gamma_name"].dtype) == "Int64"


def test_reading_pairs_stops_once_rss_passes_the_budget() -> None:
    connection = duckdb.connect(":memory:")
    table = _pair_table(connection, 5000)
    budget = int(_rss()) - 20
    with pytest.raises(MemoryLimitError) as caught:
        fetch_pairs(connection, "scored", table, settings=LinkageSettings(memory_limit_mb=budget))
    assert caught.value.code == "memory_limit_exceeded"
    assert caught.value.message.startswith(
        f"memory_limit_mb={budget} exceeded while reading the scored pairs: the process holds "
    )
    assert "5,000 pairs read so far" in caught.value.message
