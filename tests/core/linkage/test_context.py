"""Incident context: a shared family name proves less when the incident has namesakes.

SYNTHETIC records (common Malian name pools, no real people).
"""

from __future__ import annotations

import math

import pandas as pd

from temoin.core.linkage import link_persons
from temoin.core.linkage.context import add_context_keys
from temoin.core.linkage.prepare import prepare_persons
from temoin.core.linkage.records import PersonRecord
from temoin.core.linkage.settings import LinkageSettings
from tests.core.linkage.conftest import person

SETTINGS = LinkageSettings(training="priors", review_low=1e-12, match_threshold=0.7)


def _base() -> list[PersonRecord]:
    return [
        person("A", "A1", "Moussa", "Traoré"),
        person("A", "A2", "Awa", "Diarra", sex="f", age=22),
        person("A", "A3", "Seydou", "Guindo", age=61),
        person("B", "B1", None, "Traoré"),
        person("B", "B2", "Awa", "Diarra", sex="f", age=22),
        person("B", "B3", "Seydou", "Guindo", age=61),
    ]


def _name_adjustment(run_pairs: pd.DataFrame, left: str, right: str) -> float:
    row = run_pairs[
        ((run_pairs["record_id_l"] == left) & (run_pairs["record_id_r"] == right))
        | ((run_pairs["record_id_l"] == right) & (run_pairs["record_id_r"] == left))
    ]
    return float(row["tf_adjustment_name"].iloc[0])


def test_the_only_traore_of_an_incident_is_stronger_evidence_than_one_of_two() -> None:
    alone = link_persons(_base(), settings=SETTINGS)
    # Each list has one Traoré among 3 victims of the incident; family shares 1/3 each:
    # u = (1 - 1 + 2·1/3) / (3 - 1 + 2) = 1/6 on both sides, Ū = 3·(1/3)² = 1/3.
    assert math.isclose(_name_adjustment(alone.pairs, "A1", "B1"), 1.0)
    namesakes = [
        *_base(),
        person("A", "A4", "Bakary", "Traoré"),
        person("B", "B4", "Oumar", "Traoré"),
    ]
    crowded = link_persons(namesakes, settings=SETTINGS)
    # Now each side has another Traoré, of the same sex and age and linked to nobody on
    # the other list: u = (2 - 1 + 2·0.5) / (4 - 1 + 2) = 0.4, Ū = 0.5² + 2·0.25² = 0.375.
    assert math.isclose(_name_adjustment(crowded.pairs, "A1", "B1"), math.log2(0.375 / 0.4))


def test_a_namesake_that_sex_or_age_rules_out_is_no_competitor() -> None:
    namesakes = [
        *_base(),
        person("A", "A4", "Bakary", "Traoré", age=12),
        person("B", "B4", "Aminata", "Traoré", sex="f"),
    ]
    run = link_persons(namesakes, settings=SETTINGS)
    # A4 is a child (birth intervals 26 years from B1's), B4 a woman (A1 is a man): the
    # key count leaves them out, the group size keeps them: u = (0 + 2·0.5) / 5 = 0.2.
    assert math.isclose(_name_adjustment(run.pairs, "A1", "B1"), math.log2(0.375 / 0.2))


def test_a_namesake_already_linked_across_the_lists_is_accounted_for() -> None:
    namesakes = [
        *_base(),
        person("A", "A4", "Bakary", "Traoré"),
        person("B", "B4", "Bakary", "Traoré"),
    ]
    run = link_persons(namesakes, settings=SETTINGS)
    # Bakary Traoré is on both lists (linked with p >= 0.9): he cannot be list B's
    # "Traoré" too, so A1 / B1 count no competitor — as if alone, with u = 0.2.
    assert math.isclose(_name_adjustment(run.pairs, "A1", "B1"), math.log2(0.375 / 0.2))
    from temoin.core.linkage.context import apply_incident_context

    assert run.splink_model is not None
    plain = run.pairs.assign(
        match_weight=run.pairs["match_weight"]
        - run.pairs["tf_adjustment_name"]
        - run.pairs["tf_adjustment_incident"]
    )
    table = add_context_keys(run.comparison_table)
    one_pass = apply_incident_context(plain, table, run.splink_model, exclusive=False)
    # Without the second pass, Bakary counts: u = (2 - 1 + 1) / 5 = 0.4.
    assert math.isclose(_name_adjustment(one_pass, "A1", "B1"), math.log2(0.375 / 0.4))


def test_context_keys_need_a_day_and_a_village() -> None:
    records = [
        person("A", "A1", "Moussa", "Traoré"),
        person("A", "A2", "Moussa", "Traoré", village=None, commune=None, age=41),
        person("A", "A3", "Moussa", "Traoré", death_precision="month", age=42),
    ]
    table = add_context_keys(prepare_persons(records).table)
    keys = table["incident_key"].tolist()
    assert keys[0] is not None and keys[0].startswith("ogossagou|")
    assert pd.isna(keys[1]) and pd.isna(keys[2])


def test_turning_the_context_off_leaves_splink_weights_alone() -> None:
    run = link_persons(
        _base(),
        settings=LinkageSettings(training="priors", review_low=1e-12, incident_context=False),
    )
    assert "tf_adjustment_name" not in run.pairs


def test_a_name_written_twice_on_two_lists_reads_as_two_namesakes() -> None:
    twice = [
        person("A", "A1", "Amadou", "Guindo", age=None),
        person("A", "A2", "Amadou", "Guindo", age=None),
        person("B", "B1", "Seydou", "Dicko"),
    ]
    alone = link_persons(twice, settings=SETTINGS)
    # Only list A repeats the name: one victim written twice is as likely as before.
    assert _name_adjustment(alone.pairs, "A1", "A2") == 0.0
    both = [
        *twice,
        person("B", "B2", "Amadou", "Guindo", age=None),
        person("B", "B3", "Amadou", "Guindo", age=None),
    ]
    run = link_persons(both, settings=SETTINGS)
    # List B names two Amadou Guindo among the incident's victims too: -3 bits each way.
    assert _name_adjustment(run.pairs, "A1", "A2") == -3.0
    assert _name_adjustment(run.pairs, "B2", "B3") == -3.0
