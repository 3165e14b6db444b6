"""Training paths, memory settings, scenario adapter, Spark parity (SYNTHETIC data)."""

from __future__ import annotations

import pytest

from temoin.core.linkage import LinkageSettings, link_incidents, link_persons
from temoin.core.linkage.backends import open_backend
from temoin.core.linkage.evaluation import cluster_pairs_from_assignments, pair_scores, true_pairs
from temoin.core.linkage.synthetic import synthetic_lists


def test_memory_limit_and_threads_reach_duckdb() -> None:
    with open_backend(LinkageSettings(memory_limit_mb=256, threads=1)) as backend:
        assert backend.connection is not None
        limit = backend.connection.execute("SELECT current_setting('memory_limit')").fetchone()
        threads = backend.connection.execute("SELECT current_setting('threads')").fetchone()
    assert limit is not None and limit[0] in ("256.0 MiB", "244.1 MiB", "256.0MB", "256MB")
    assert threads is not None and int(threads[0]) == 1


def test_em_training_runs_and_is_reported() -> None:
    lists = synthetic_lists(persons=150, lists=3, seed=5)
    run = link_persons(lists.records, settings=LinkageSettings(training="em", u_max_pairs=2e4))
    assert len(lists.records) >= 200
    assert any(
        m.startswith(f"trained by EM on {len(run.comparison_table)} records") for m in run.messages
    )  # type: ignore[arg-type]
    scores = pair_scores(cluster_pairs_from_assignments(run.assignments), true_pairs(lists.truth))
    assert scores.precision > 0.5 and scores.recall > 0.5


def test_priors_on_synthetic_lists_are_accurate() -> None:
    lists = synthetic_lists(persons=150, lists=3, seed=5)
    run = link_persons(lists.records, settings=LinkageSettings(u_max_pairs=2e4))
    scores = pair_scores(cluster_pairs_from_assignments(run.assignments), true_pairs(lists.truth))
    assert scores.f1 > 0.8


def test_scenario_adapter_feeds_both_linkers() -> None:
    scenario = pytest.importorskip("temoin.core.scenario")
    from temoin.core.linkage.scenario_adapter import scenario_incidents, scenario_persons

    generated = scenario.generate(3, n_incidents=25)
    persons = scenario_persons(generated)
    reports = scenario_incidents(generated)
    assert persons.records and set(persons.truth) == {
        (r.list_id, r.record_id) for r in persons.records
    }
    person_run = link_persons(persons.records, settings=LinkageSettings(u_max_pairs=2e4))
    incident_run = link_incidents(reports.records)
    assert person_run.status == incident_run.status == "ok"
    incident_scores = pair_scores(
        cluster_pairs_from_assignments(incident_run.assignments), true_pairs(reports.truth)
    )
    assert incident_scores.precision > 0.8
