"""Determinism, ground-truth consistency, vocabulary validity and labelling of the generator."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.scenario import (
    DEFAULT_ORGANISATIONS,
    FATES,
    IncidentBundle,
    Scenario,
    ScenarioSettings,
    SettingsError,
    generate,
)
from temoin.core.scenario.writer import to_jsonable
from temoin.core.vocabularies import load_vocabulary


def _digest(bundles: list[IncidentBundle]) -> str:
    payload = json.dumps([to_jsonable(b) for b in bundles], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_same_seed_same_output_different_seed_differs() -> None:
    first = _digest(list(generate(11, n_incidents=60).bundles()))
    again = _digest(list(generate(11, n_incidents=60).bundles()))
    other = _digest(list(generate(12, n_incidents=60).bundles()))
    assert first == again
    assert first != other


def test_output_is_identical_across_processes_and_hash_seeds() -> None:
    import os
    import subprocess
    import sys

    code = (
        "import hashlib, json; from temoin.core.scenario import generate; "
        "from temoin.core.scenario.writer import to_jsonable; "
        "b = list(generate(11, n_incidents=40, use_gazetteer=False).bundles()); "
        "print(hashlib.sha256(json.dumps([to_jsonable(x) for x in b], ensure_ascii=False, "
        "sort_keys=True).encode('utf-8')).hexdigest())"
    )
    here = _digest(list(generate(11, n_incidents=40, use_gazetteer=False).bundles()))
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        assert out.stdout.strip() == here


def test_iterators_restart_identically_and_bundles_are_addressable(scenario: Scenario) -> None:
    reports_once = [r.report_id for r in scenario.reports()]
    reports_twice = [r.report_id for r in scenario.reports()]
    assert reports_once == reports_twice
    assert scenario.bundle(17) == list(scenario.bundles(start=17, stop=18))[0]
    assert [i.true_incident_id for i in scenario.incidents()] == [f"INC-{n}" for n in range(400)]
    with pytest.raises(IndexError):
        scenario.bundle(400)


def test_removing_an_organisation_leaves_the_others_unchanged() -> None:
    full = generate(5, n_incidents=80)
    fewer = generate(5, n_incidents=80, organisations=("osdh", "digest"))
    keep = {"ORG-osdh", "ORG-digest"}
    assert [r for r in full.reports() if r.organisation_id in keep] == list(fewer.reports())
    assert [i for i in full.incidents()] == [i for i in fewer.incidents()]


def test_settings_are_validated_all_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        ScenarioSettings(n_incidents=-1, start_year=2030, period="decade", organisations=("ghost",),
                         victim_scale=0, name_variation=-1, within_list_duplicate_rate=0.9)  # fmt: skip
    assert caught.value.code == "scenario_settings_invalid"
    assert set(caught.value.problems) == {
        "n_incidents",
        "start_year",
        "period",
        "organisations",
        "victim_scale",
        "name_variation",
        "within_list_duplicate_rate",
    }
    with pytest.raises(SettingsError, match="end_year"):
        generate(1, n_incidents=5, start_year=2020, end_year=2015)
    data = ScenarioSettings(n_incidents=3).to_dict()
    assert data["n_incidents"] == 3 and data["organisations"] == list(DEFAULT_ORGANISATIONS)
    assert json.loads(json.dumps(data)) == data


def test_ground_truth_counts_match_true_persons(bundles: list[IncidentBundle]) -> None:
    for bundle in bundles:
        fates = Counter(p.fate for p in bundle.true_persons)
        for fate in FATES:
            assert getattr(bundle.incident, fate) == fates[fate], (
                bundle.incident.true_incident_id,
                fate,
            )
        assert {p.true_incident_id for p in bundle.true_persons} <= {
            bundle.incident.true_incident_id
        }
        assert len({p.true_person_id for p in bundle.true_persons}) == len(bundle.true_persons)


def test_true_totals_equal_sums(scenario: Scenario, bundles: list[IncidentBundle]) -> None:
    totals = scenario.true_totals()
    assert sum(t.incidents for t in totals) == len(bundles) == 400
    for fate in FATES:
        assert sum(getattr(t, fate) for t in totals) == sum(
            getattr(b.incident, fate) for b in bundles
        )
    assert sum(t.victims for t in totals) == sum(len(b.true_persons) for b in bundles)
    assert sum(t.reports for t in totals) == sum(len(b.reports) for b in bundles)
    assert sum(t.person_records for t in totals) == sum(len(b.persons) for b in bundles)
    for total in totals:
        assert total.persons_documented <= total.victims
        assert total.victims == sum(getattr(total, fate) for fate in FATES)
    mopti_2019 = [
        b for b in bundles if b.incident.region == "Mopti" and b.incident.period == "2019"
    ]
    row = next(t for t in totals if (t.region, t.period) == ("Mopti", "2019"))
    assert row.killed == sum(b.incident.killed for b in mopti_2019)


def test_capture_histories_add_up(scenario: Scenario) -> None:
    histories = scenario.true_capture_histories()
    totals = {(t.region, t.period): t for t in scenario.true_totals()}
    by_stratum: dict[tuple[str, str], int] = {}
    unseen: dict[tuple[str, str], int] = {}
    for history in histories:
        key = (history.region, history.period)
        by_stratum[key] = by_stratum.get(key, 0) + history.count
        if history.lists == ():
            unseen[key] = history.count
        assert list(history.lists) == sorted(history.lists) and history.count > 0
        assert not {"ORG-digest", "ORG-army"} & set(history.lists)  # they never name victims
    assert by_stratum == {key: t.victims for key, t in totals.items() if t.victims}
    for key, total in totals.items():
        assert unseen.get(key, 0) == total.victims - total.persons_documented


def test_ground_truth_object(scenario: Scenario, bundles: list[IncidentBundle]) -> None:
    truth = scenario.ground_truth()
    assert truth.totals == scenario.true_totals()
    assert truth.capture_histories == scenario.true_capture_histories()
    assert len(truth.report_incident) == sum(len(b.reports) for b in bundles)
    assert len(truth.person_record_person) == sum(len(b.persons) for b in bundles)
    bundle = next(b for b in bundles if len(b.reports) >= 2)
    first, second = bundle.reports[0].report_id, bundle.reports[1].report_id
    other = next(b for b in bundles if b.reports and b is not bundle).reports[0].report_id
    assert truth.same_incident(first, second) and not truth.same_incident(first, other)
    clusters = truth.person_clusters()
    assert sum(len(ids) for ids in clusters.values()) == len(truth.person_record_person)
    for true_id, record_ids in list(clusters.items())[:50]:
        assert all(truth.person_record_person[r] == true_id for r in record_ids)
        if len(record_ids) > 1:
            assert truth.same_person(record_ids[0], record_ids[1])
    assert set(truth.incident_clusters()) <= {b.incident.true_incident_id for b in bundles}


def test_links_are_complete_and_consistent(bundles: list[IncidentBundle]) -> None:
    for bundle in bundles:
        incident_id = bundle.incident.true_incident_id
        true_ids = {p.true_person_id for p in bundle.true_persons}
        assert [link.report_id for link in bundle.report_links] == [
            r.report_id for r in bundle.reports
        ]
        assert all(link.true_incident_id == incident_id for link in bundle.report_links)
        assert [link.person_record_id for link in bundle.person_links] == [
            p.person_record_id for p in bundle.persons
        ]
        assert all(link.true_person_id in true_ids for link in bundle.person_links)
        acts_by_report = {r.report_id: set(r.act_ids) for r in bundle.reports}
        assert (
            {a.act_id for a in bundle.acts} == set().union(*acts_by_report.values())
            if bundle.reports
            else True
        )
        truth_by_id = {p.true_person_id: p for p in bundle.true_persons}
        for record, link in zip(bundle.persons, bundle.person_links, strict=True):
            assert record.act_id in acts_by_report[record.report_id]
            assert record.fate == truth_by_id[link.true_person_id].fate


def test_reports_are_plausible(bundles: list[IncidentBundle]) -> None:
    for bundle in bundles:
        for report in bundle.reports:
            assert report.date.earliest <= report.date.latest
            assert report.date.contains(bundle.incident.date)
            assert report.source.date_received >= bundle.incident.date
            assert "internal" in report.source.consent
            assert report.claims
            distinct = {(p.fate, link.true_person_id) for p, link in zip(bundle.persons, bundle.person_links, strict=True)
                        if p.report_id == report.report_id}  # fmt: skip
            named = Counter(fate for fate, _ in distinct)
            for claim in report.claims:
                assert claim.minimum >= 0
                assert claim.maximum is None or claim.minimum <= claim.maximum
                if claim.described_as != "combatants" and claim.kind in named:
                    assert claim.minimum >= named[claim.kind]


def test_every_code_is_in_its_vocabulary(bundles: list[IncidentBundle]) -> None:
    v = {name: load_vocabulary(name) for name in (
        "act_types", "actors_mali", "involvement_degrees", "source_types", "source_reliability",
        "information_credibility", "languages", "consent_recipients", "date_precisions", "geo_precisions",
        "methods", "status_at_end_of_act", "confidentiality_levels")}  # fmt: skip
    for bundle in bundles:
        for code in bundle.incident.act_types:
            v["act_types"].validate(code)
        for code in bundle.incident.perpetrators:
            v["actors_mali"].validate(code)
        for report in bundle.reports:
            for code in report.act_types:
                v["act_types"].validate(code)
            for attribution in report.attributions:
                v["actors_mali"].validate(attribution.actor_code)
                v["involvement_degrees"].validate(attribution.degree)
            v["source_types"].validate(report.source.source_type)
            v["source_reliability"].validate(report.source.reliability)
            v["information_credibility"].validate(report.source.credibility)
            v["languages"].validate(report.source.language)
            v["date_precisions"].validate(report.date.precision)
            v["geo_precisions"].validate(report.place.geo_precision)
            v["confidentiality_levels"].validate(report.confidentiality)
            for recipient in report.source.consent:
                v["consent_recipients"].validate(recipient)
        for act in bundle.acts:
            v["act_types"].validate(act.act_type)
            if act.method:
                v["methods"].validate(act.method)
            if act.status_at_end:
                v["status_at_end_of_act"].validate(act.status_at_end)


def test_everything_is_labelled_synthetic(
    scenario: Scenario, bundles: list[IncidentBundle]
) -> None:
    for organisation in scenario.organisations():
        assert organisation.synthetic and organisation.name.startswith(
            ("[SYNTHÉTIQUE]", "[SYNTHETIC]")
        )
    for bundle in bundles:
        assert bundle.incident.synthetic
        assert all(p.synthetic for p in bundle.true_persons)
        for report in bundle.reports:
            assert report.synthetic
            assert report.title.startswith(("[SYNTHÉTIQUE]", "[SYNTHETIC]"))
            assert report.description.startswith(("[SYNTHÉTIQUE]", "[SYNTHETIC]"))
        assert all(a.synthetic for a in bundle.acts) and all(p.synthetic for p in bundle.persons)


def test_pattern_tables_use_known_codes() -> None:
    from temoin.core.scenario.truth import PATTERNS

    acts, actors = load_vocabulary("act_types"), load_vocabulary("actors_mali")
    for name, pattern in PATTERNS.items():
        for code in (pattern.primary_act, *pattern.fate_acts.values(), *pattern.optional_acts):
            acts.validate(code, field=f"PATTERNS[{name!r}]")
        for codes, weight, community in pattern.perpetrators:
            assert weight > 0 and community in {"", "peul", "dogon", "bambara", "songhai", "tuareg"}
            for code in codes:
                actors.validate(code, field=f"PATTERNS[{name!r}].perpetrators")


def test_actors_are_active_in_the_incident_year(bundles: list[IncidentBundle]) -> None:
    actors = load_vocabulary("actors_mali")
    for bundle in bundles:
        year = bundle.incident.date.year
        for code in bundle.incident.perpetrators:
            term = actors[code]
            assert (
                int(term.extra["active_from"] or 0) <= year <= int(term.extra["active_to"] or 9999)
            ), code


def test_centre_dominates_after_2015_and_dry_season_is_worse() -> None:
    incidents = list(generate(99, n_incidents=3000).incidents())
    late = [i for i in incidents if i.date.year >= 2016]
    centre = sum(1 for i in late if i.region in ("Mopti", "Ségou"))
    north = sum(1 for i in late if i.region in ("Gao", "Tombouctou", "Kidal", "Ménaka"))
    assert centre > 1.3 * north
    early = [i for i in incidents if i.date.year <= 2013]
    assert sum(i.region in ("Gao", "Tombouctou", "Kidal") for i in early) > sum(
        i.region == "Mopti" for i in early
    )
    dry = sum(1 for i in incidents if i.date.month in (1, 2, 3, 4)) / 4
    rainy = sum(1 for i in incidents if i.date.month in (7, 8, 9)) / 3
    assert dry > 1.3 * rainy


def test_capture_depends_on_size_so_lists_are_dependent(bundles: list[IncidentBundle]) -> None:
    sizes_all = [len(b.true_persons) for b in bundles]
    sizes_intl = [len(b.true_persons) for b in bundles
                  if any(r.organisation_id == "ORG-sahelwatch" for r in b.reports)]  # fmt: skip
    assert sum(sizes_intl) / len(sizes_intl) > 1.25 * sum(sizes_all) / len(sizes_all)
    # person level: lists share size, community-access and visibility effects -> dependence
    captured: dict[str, set[str]] = {}
    for bundle in bundles:
        for record, link in zip(bundle.persons, bundle.person_links, strict=True):
            captured.setdefault(link.true_person_id, set()).add(record.organisation_id)
    total = sum(len(b.true_persons) for b in bundles)

    def ratio(a: str, b: str) -> float:
        n_a = sum(a in orgs for orgs in captured.values())
        n_b = sum(b in orgs for orgs in captured.values())
        n_ab = sum(a in orgs and b in orgs for orgs in captured.values())
        return n_ab / (n_a * n_b / total)

    assert ratio("ORG-osdh", "ORG-cndh") > 1.1
    assert ratio("ORG-sahelwatch", "ORG-unhrd") > 1.1


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=0, max_value=30))
def test_any_seed_gives_a_consistent_bundle(seed: int, index: int) -> None:
    bundle = generate(seed, n_incidents=31).bundle(index)
    assert bundle.incident.true_incident_id == f"INC-{index}"
    assert len(bundle.true_persons) == sum(getattr(bundle.incident, f) for f in FATES)
    assert all(r.report_id.endswith(f"-{index}") for r in bundle.reports)
