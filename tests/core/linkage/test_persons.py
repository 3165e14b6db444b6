"""Person linkage end to end on small SYNTHETIC lists (DuckDB, expert priors, fast)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from temoin.core.linkage import (
    InvalidRecordError,
    InvalidSettingsError,
    LabelError,
    LinkageSettings,
    PersonRecord,
    ReviewedPair,
    link_persons,
)
from tests.core.linkage.conftest import person


def test_variant_spellings_across_lists_are_one_person(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    run = link_persons(three_lists, settings=priors)
    assert run.status == "ok"
    assert run.cluster_of(("A", "A1")) == run.cluster_of(("B", "B1")) == run.cluster_of(("C", "C1"))
    assert run.cluster_of(("A", "A2")) == run.cluster_of(("B", "B2"))
    assert run.cluster_of(("A", "A1")) != run.cluster_of(("A", "A2"))
    assert run.n_clusters == 4
    assert set(run.assignments["linked"]) == {True}


def test_manifest_stores_settings_and_trained_model(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    run = link_persons(three_lists, settings=priors)
    manifest = json.loads(run.manifest_json())
    assert manifest["settings"] == priors.to_dict()
    assert [c["output_column_name"] for c in manifest["splink_model"]["comparisons"]] == [
        "name",
        "death_date_place",
        "birth",
        "sex",
        "same_list",
    ]
    assert manifest["n_records"] == 7 and manifest["n_clusters"] == 4


def test_reusing_a_stored_model_gives_the_same_clusters(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    first = link_persons(three_lists, settings=priors)
    second = link_persons(three_lists, settings=priors, model=first.splink_model)
    assert first.assignments["cluster_id"].tolist() == second.assignments["cluster_id"].tolist()


def test_two_different_arabic_names_do_not_link(priors: LinkageSettings) -> None:
    records = [
        person("A", "A1", None, None, full_name="محمد علي", age=30),
        person("B", "B1", None, None, full_name="محمود علي", age=55),
        person("C", "C1", None, None, full_name="محمد علي", age=31),
        person("C", "C2", "Moussa", "Diarra", age=20),
    ]
    run = link_persons(records, settings=LinkageSettings(training="priors", review_low=1e-12))
    assert run.cluster_of(("A", "A1")) != run.cluster_of(("B", "B1"))
    assert run.cluster_of(("A", "A1")) == run.cluster_of(("C", "C1"))
    pairs = run.pairs.set_index(["record_id_l", "record_id_r"])
    different = pairs.loc[[k for k in pairs.index if set(k) == {"A1", "B1"}]]
    same = pairs.loc[[k for k in pairs.index if set(k) == {"A1", "C1"}]]
    # Different script strings fall in the "different" level (0) of the name comparison, never "exact".
    assert different["gamma_name"].tolist() == [0]
    exact_level = len(run.splink_model["comparisons"][0]["comparison_levels"]) - 2  # type: ignore[index]
    assert same["gamma_name"].tolist() == [exact_level]
    # Arabic vs Latin: nothing comparable in the names, so never an automatic link.
    assert run.cluster_of(("C", "C2")) not in {
        run.cluster_of(("A", "A1")),
        run.cluster_of(("B", "B1")),
    }


def test_empty_and_single_record_runs_say_so(priors: LinkageSettings) -> None:
    empty = link_persons([], settings=priors)
    assert (empty.status, empty.messages, len(empty.assignments)) == (
        "empty_input",
        ["empty input: nothing to link"],
        0,
    )
    single = link_persons([person("A", "A1", "Moussa", "Koné")], settings=priors)
    assert single.status == "single_record"
    assert single.assignments["linked"].tolist() == [False]
    assert single.assignments["unlinked_reason"].tolist() == ["single_record"]


def test_first_name_only_stays_unlinked_with_reason(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    bare = PersonRecord(record_id="B9", list_id="B", given_name="Boubacar")
    run = link_persons([*three_lists, bare], settings=priors)
    row = run.assignments[run.assignments["record_id"] == "B9"].iloc[0]
    assert (bool(row["linked"]), row["unlinked_reason"]) == (False, "insufficient_evidence")
    assert (run.assignments["cluster_id"] == row["cluster_id"]).sum() == 1


def test_nothing_to_link_when_all_records_are_bare(priors: LinkageSettings) -> None:
    run = link_persons(
        [
            PersonRecord(record_id="1", list_id="A", given_name="Awa"),
            PersonRecord(record_id="2", list_id="B", given_name="Hawa"),
        ],
        settings=priors,
    )
    assert run.status == "nothing_to_link"
    assert run.assignments["unlinked_reason"].tolist() == [
        "insufficient_evidence",
        "insufficient_evidence",
    ]


def test_whole_list_duplicate_and_repeated_record(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    copy = [
        PersonRecord(**{**{f: getattr(r, f) for f in r.__slots__}, "list_id": "A-copy"})
        for r in three_lists
        if r.list_id == "A"
    ]  # type: ignore[attr-defined]
    run = link_persons([*three_lists, *copy, three_lists[1]], settings=priors)
    reasons = run.assignments.groupby("unlinked_reason", dropna=True).size().to_dict()
    assert reasons == {"duplicate_list": 3, "repeated_record": 1}
    assert any("'A-copy' is a copy of list 'A'" in m for m in run.messages)
    assert run.n_clusters == 4 + 4


def test_missing_dates_everywhere_still_links_on_names_and_place(priors: LinkageSettings) -> None:
    records = [
        person("A", "A1", "Oumar", "Maïga", death_date=None),
        person("B", "B1", "Umar", "MAIGA", death_date=None),
        person("B", "B2", "Issa", "Touré", death_date=None),
    ]
    run = link_persons(records, settings=priors)
    assert run.cluster_of(("A", "A1")) == run.cluster_of(("B", "B1")) != run.cluster_of(("B", "B2"))
    assert [c["output_column_name"] for c in run.splink_model["comparisons"]] == [
        "name",
        "place",
        "sex",
        "same_list",
    ]  # type: ignore[index]  # age needs a death date to become a birth interval


def test_accepted_and_rejected_reviews_are_constraints(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    labels = [
        ReviewedPair(("A", "A3"), ("C", "C3"), "match"),
        ReviewedPair(("A", "A2"), ("B", "B2"), "non_match"),
    ]
    run = link_persons(three_lists, settings=priors, labels=labels)
    assert run.cluster_of(("A", "A3")) == run.cluster_of(("C", "C3"))
    assert run.cluster_of(("A", "A2")) != run.cluster_of(("B", "B2"))


def test_accepted_reviews_update_m_probabilities(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    before = link_persons(three_lists, settings=priors)
    labels = [
        ReviewedPair(("A", "A1"), ("B", "B1"), "match"),
        ReviewedPair(("A", "A2"), ("B", "B2"), "match"),
    ]
    after = link_persons(three_lists, settings=priors, labels=labels)
    assert any("updated from 2 reviewed matching pairs" in m for m in after.messages)
    old = before.splink_model["comparisons"][0]["comparison_levels"]  # type: ignore[index]
    new = after.splink_model["comparisons"][0]["comparison_levels"]  # type: ignore[index]
    assert [lvl.get("m_probability") for lvl in old] != [lvl.get("m_probability") for lvl in new]


def test_label_on_unknown_record_is_refused(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    with pytest.raises(LabelError) as error:
        link_persons(
            three_lists, settings=priors, labels=[ReviewedPair(("A", "A1"), ("Z", "nope"), "match")]
        )
    assert error.value.code == "invalid_label" and "'nope'" in str(error.value)


def test_dataframe_input_equals_record_input(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    frame = pd.DataFrame([{f: getattr(r, f) for f in r.__slots__} for r in three_lists])  # type: ignore[attr-defined]
    assert link_persons(frame, settings=priors).assignments.equals(
        link_persons(three_lists, settings=priors).assignments
    )


def test_alternative_clusterings_are_seeded(three_lists: list[PersonRecord]) -> None:
    settings = LinkageSettings(training="priors", u_max_pairs=1e4, alternative_clusterings=5)
    first = link_persons(three_lists, settings=settings)
    second = link_persons(three_lists, settings=settings)
    assert len(first.alternative_assignments) == 5
    assert all(
        (a == b).all()
        for a, b in zip(first.alternative_assignments, second.alternative_assignments, strict=True)
    )


def test_approximate_age_and_month_precision_date_still_agree(priors: LinkageSettings) -> None:
    records = [
        person(
            "A",
            "A1",
            "Adama",
            "Sangaré",
            age=None,
            death_date=date(2019, 3, 1),
            death_precision="month",
        ),
        person("B", "B1", "Adama", "Sangare", age=40, age_approximate=True),
        person("B", "B2", "Salif", "Keïta", age=18, death_date=date(2018, 1, 5)),
    ]
    run = link_persons(records, settings=priors)
    pair = run.pairs[
        (run.pairs["record_id_l"].isin(["A1", "B1"]))
        & (run.pairs["record_id_r"].isin(["A1", "B1"]))
    ]
    assert int(pair["gamma_death_date_place"].iloc[0]) > 0
    assert run.cluster_of(("A", "A1")) == run.cluster_of(("B", "B1"))


def test_a_stored_model_that_does_not_fit_is_refused(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    model = link_persons(three_lists, settings=priors).splink_model
    assert model is not None
    model["comparisons"][0]["comparison_levels"].pop()
    with pytest.raises(InvalidSettingsError) as error:
        link_persons(three_lists, settings=priors, model=model)
    assert error.value.problems == ["stored model does not fit comparison 'name'"]


def test_pyarrow_and_duckdb_inputs_equal_record_input(
    three_lists: list[PersonRecord], priors: LinkageSettings
) -> None:
    import duckdb
    import pyarrow as pa

    rows = [{f: getattr(r, f) for f in r.__slots__} for r in three_lists]  # type: ignore[attr-defined]
    table = pa.Table.from_pylist(rows)
    expected = link_persons(three_lists, settings=priors).assignments
    assert link_persons(table, settings=priors).assignments.equals(expected)
    relation = duckdb.connect().from_arrow(table)
    assert link_persons(relation, settings=priors).assignments.equals(expected)


def test_wrong_record_type_names_the_position(priors: LinkageSettings) -> None:
    with pytest.raises(InvalidRecordError) as error:
        link_persons([{"record_id": "1"}], settings=priors)  # type: ignore[list-item]
    assert error.value.code == "invalid_record" and "'#0'" in str(error.value)


def test_incident_date_stands_in_for_a_missing_date_of_death(priors: LinkageSettings) -> None:
    day = date(2019, 3, 23)
    records = [
        person("A", "A1", "Adama", "Dolo", death_date=None, incident_date=day, age=30),
        person("B", "B1", "Adama", "Dolo", death_date=day, age=31),
        person("B", "B2", "Ali", "Togo", death_date=None, incident_date=date(2017, 1, 2), age=None),
    ]
    run = link_persons(records, settings=priors)
    table = run.comparison_table
    assert table is not None
    assert table["death_low"].tolist()[:2] == [17978, 17978]
    assert table["birth_low"].notna().tolist() == [True, True, False]
    assert run.cluster_of(("A", "A1")) == run.cluster_of(("B", "B1")) != run.cluster_of(("B", "B2"))


def test_a_nameless_record_is_linked_only_by_a_shared_document_number(
    priors: LinkageSettings,
) -> None:
    records = [
        person("A", "A1", None, None, document_id="ML-0042117", birth_date=date(1980, 5, 2)),
        person("B", "B1", "Moussa", "Traoré", document_id="ML-0042117"),
        person("B", "B2", "Awa", "Diarra", sex="f", age=22),
        person("C", "C1", None, None),
    ]
    run = link_persons(records, settings=priors)
    assert run.cluster_of(("A", "A1")) == run.cluster_of(("B", "B1"))
    reasons = dict(zip(run.assignments["record_id"], run.assignments["unlinked_reason"]))
    assert reasons["C1"] == "no_name" and reasons["A1"] is None


def test_a_pair_without_comparable_names_is_held_at_the_review_floor() -> None:
    # Same village, day, age and sex, but one name in Arabic script and one in Latin:
    # nothing in the names can be compared, so the pair is never an automatic link.
    records = [
        person("A", "A1", None, None, full_name="محمد علي"),
        person("B", "B1", "Moussa", "Diarra"),
        person("B", "B2", "Awa", "Traoré", sex="f", age=20),
    ]
    settings = LinkageSettings(training="priors", review_low=0.01)
    run = link_persons(records, settings=settings)
    pair = run.pairs[
        (run.pairs["record_id_l"].isin(["A1", "B1"]))
        & (run.pairs["record_id_r"].isin(["A1", "B1"]))
    ]
    assert pair["gamma_name"].tolist() == [-1]
    assert float(pair["match_probability"].iloc[0]) <= 0.01
    assert run.cluster_of(("A", "A1")) != run.cluster_of(("B", "B1"))
