"""Places are real and inside Mali; the writer streams every record type to CSV and JSONL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from temoin.core.scenario import (
    MALI_BBOX,
    GazetteerError,
    IncidentBundle,
    PersonRecord,
    Report,
    Scenario,
    ScenarioWriterError,
    generate,
    load_gazetteer,
    write_scenario,
)
from temoin.core.scenario.names import strip_accents
from temoin.core.scenario.places import FALLBACK_TOWNS, REGION_NAMES
from temoin.core.scenario.writer import FILES, csv_columns


def _inside(lat: float, lon: float) -> bool:
    return MALI_BBOX[0] <= lat <= MALI_BBOX[1] and MALI_BBOX[2] <= lon <= MALI_BBOX[3]


def test_every_place_is_real_and_inside_mali(
    scenario: Scenario, bundles: list[IncidentBundle]
) -> None:
    gazetteer = scenario.gazetteer
    by_id = {p.geonameid: p for p in gazetteer.places}
    assert gazetteer.source in {"geonames", "fallback"}
    regions = set(REGION_NAMES.values())
    for bundle in bundles:
        incident = bundle.incident
        real = by_id[incident.geonameid]
        assert (incident.latitude, incident.longitude, incident.place_name) == (
            real.latitude,
            real.longitude,
            real.name,
        )
        assert incident.region in regions and _inside(incident.latitude, incident.longitude)
        for report in bundle.reports:
            place = report.place
            assert _inside(place.latitude, place.longitude), report.report_id
            assert place.admin1 == incident.region
            if place.geo_precision in ("exact", "near"):
                assert place.geonameid == incident.geonameid
                allowed = {
                    real.name,
                    real.asciiname,
                    strip_accents(real.name),
                    *real.alternatenames,
                }
                assert place.name in allowed, (place.name, real.name)
            else:
                assert place.geonameid is None and place.name in {incident.cercle, incident.region}


def test_fallback_towns_when_gazetteer_is_absent(tmp_path: Path) -> None:
    missing = load_gazetteer(path=tmp_path / "nope.txt")
    assert missing.source == "fallback" and len(missing.places) == len(FALLBACK_TOWNS) >= 40
    scenario = generate(4, n_incidents=80, use_gazetteer=False)
    ids = {t[0] for t in FALLBACK_TOWNS}
    for incident in scenario.incidents():
        assert incident.geonameid in ids
    for _, _, _, _, lat, lon, _ in FALLBACK_TOWNS:
        assert _inside(lat, lon)


def test_malformed_gazetteer_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "geonames_ML.txt"
    bad.write_text("123\tonly three\tcolumns\n", encoding="utf-8")
    with pytest.raises(GazetteerError) as caught:
        load_gazetteer(path=bad)
    assert caught.value.code == "scenario_gazetteer_error" and "line 1" in str(caught.value)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_writer_streams_every_record_type(tmp_path: Path, fmt: str) -> None:
    scenario = generate(21, n_incidents=50)
    summary = write_scenario(scenario, tmp_path, format=fmt)
    bundles = list(scenario.bundles())
    expected = {
        "organisations": len(scenario.organisations()),
        "reports": sum(len(b.reports) for b in bundles),
        "acts": sum(len(b.acts) for b in bundles),
        "persons": sum(len(b.persons) for b in bundles),
        "truth_incidents": 50,
        "truth_persons": sum(len(b.true_persons) for b in bundles),
        "truth_report_links": sum(len(b.reports) for b in bundles),
        "truth_person_links": sum(len(b.persons) for b in bundles),
        "truth_totals": len(scenario.true_totals()),
        "truth_capture_histories": len(scenario.true_capture_histories()),
    }
    assert summary.rows == expected
    for stem, count in expected.items():
        path = tmp_path / f"{stem}.{fmt}"
        if fmt == "csv":
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                rows = list(reader)
                assert reader.fieldnames == csv_columns(FILES[stem])
        else:
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert len(rows) == count, stem
    meta = json.loads((tmp_path / "scenario.json").read_text(encoding="utf-8"))
    assert (
        meta["synthetic"] is True and meta["seed"] == 21 and meta["settings"]["n_incidents"] == 50
    )


def test_csv_flattening_of_a_report(tmp_path: Path) -> None:
    scenario = generate(21, n_incidents=50)
    write_scenario(scenario, tmp_path, format="csv")
    first: Report = next(scenario.reports())
    with (tmp_path / "reports.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["report_id"] == first.report_id
    assert row["date_earliest"] == first.date.earliest.isoformat()
    assert row["place_admin1"] == first.place.admin1
    assert row["act_types"].split("|") == list(first.act_types)
    assert json.loads(row["claims"])[0]["kind"] == first.claims[0].kind
    assert set(row["source_consent"].split("|")) == set(first.source.consent)
    assert row["synthetic"] == "true"
    assert "date_of_death_earliest" in csv_columns(PersonRecord)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioWriterError) as caught:
        write_scenario(generate(1, n_incidents=1), tmp_path / "out", format="xlsx")
    assert caught.value.code == "scenario_writer_error"
    assert not (tmp_path / "out").exists()


def test_command_line_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from temoin.core.scenario.__main__ import main

    assert (
        main(["--seed", "3", "--incidents", "12", "--out", str(tmp_path), "--format", "jsonl"]) == 0
    )
    assert "SYNTHETIC data written" in capsys.readouterr().out
    assert len((tmp_path / "truth_incidents.jsonl").read_text(encoding="utf-8").splitlines()) == 12
    with pytest.raises(SystemExit):
        main(["--seed", "3", "--incidents", "-5", "--out", str(tmp_path / "bad")])
    assert "n_incidents" in capsys.readouterr().err


def test_public_api_names_exist() -> None:
    import temoin.core.scenario as scenario_package

    assert len(scenario_package.__all__) == len(set(scenario_package.__all__))
    for name in scenario_package.__all__:
        assert hasattr(scenario_package, name), name
