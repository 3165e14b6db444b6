"""LinkageSettings: validation reports every problem at once, JSON round trip."""

from __future__ import annotations

import json

import pytest

from temoin.core.linkage.comparisons import blocking_rule_sql, person_splink_settings
from temoin.core.linkage.errors import InvalidSettingsError
from temoin.core.linkage.settings import LinkageSettings


def test_defaults_are_valid() -> None:
    assert LinkageSettings().validate() == LinkageSettings()


def test_every_problem_is_reported_together() -> None:
    bad = LinkageSettings(
        match_threshold=1.5,
        backend="oracle",
        blocking=(("nope",),),
        memory_limit_mb=1,
        predict_chunks=0,
    )  # type: ignore[arg-type]
    with pytest.raises(InvalidSettingsError) as error:
        bad.validate()
    problems = error.value.problems
    assert error.value.code == "invalid_settings"
    assert any("match_threshold" in p for p in problems)
    assert any("backend" in p for p in problems)
    assert any("unknown columns ['nope']" in p for p in problems)
    assert any("memory_limit_mb" in p for p in problems)
    assert any("predict_chunks" in p for p in problems)
    assert len(problems) >= 5


def test_json_round_trip_is_exact() -> None:
    settings = LinkageSettings(
        match_threshold=0.8, blocking=(("family_canon", "given_canon"),), memory_limit_mb=512
    )
    text = settings.to_json()
    assert LinkageSettings.from_json(text) == settings
    assert json.loads(text)["blocking"] == [["family_canon", "given_canon"]]


def test_unknown_key_is_refused() -> None:
    with pytest.raises(InvalidSettingsError) as error:
        LinkageSettings.from_dict({"match_treshold": 0.5})
    assert error.value.problems == ["unknown setting 'match_treshold'"]


def test_blocking_sql_link_only_and_swapped() -> None:
    assert (
        blocking_rule_sql(("family_canon", "death_year"), link_only=True)
        == "l.family_canon = r.family_canon AND l.death_year = r.death_year AND l.list_id <> r.list_id"
    )
    assert (
        blocking_rule_sql(("swapped_names",), link_only=False)
        == "l.given_canon = r.family_canon AND l.family_canon = r.given_canon"
    )


def test_comparisons_follow_the_data_present() -> None:
    creator = person_splink_settings(
        LinkageSettings(),
        present_columns={"given_norm", "family_norm", "given_canon", "family_canon", "death_low"},
        prior=0.01,
    )
    names = [c["output_column_name"] for c in creator.comparisons]  # type: ignore[index]
    assert names == ["name", "death_date"]
    assert creator.blocking_rules_to_generate_predictions == [
        "l.family_canon = r.family_canon AND l.given_canon = r.given_canon",
        "l.given_canon = r.family_canon AND l.family_canon = r.given_canon",
    ]


def test_clustering_and_context_settings_are_validated_and_round_trip() -> None:
    assert LinkageSettings(clustering="bogus").problems() == [  # type: ignore[arg-type]
        "clustering 'bogus' is not list_aware or components"
    ]
    custom = LinkageSettings(clustering="components", incident_context=False)
    assert LinkageSettings.from_json(custom.to_json()) == custom
