"""Column-mapping profiles, generic CSV/XLSX tables, dry runs and Uwazi exports (synthetic)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from temoin.core.intake import FileFormatError, ParsedRow, ProfileError, QuarantinedRow
from temoin.core.intake.profile import MappingProfile, load_profile, save_profile, validate_profile
from temoin.core.intake.table import dry_run, iter_table, iter_uwazi, uwazi_profile

PROFILE_DATA = {
    "name": "SYNTHETIC partner sheet",
    "claimed_by": "SYNTHETIC partner NGO",
    "columns": {
        "upstream_id": "Réf",
        "date": "Date",
        "location": "Village",
        "admin2": "Cercle",
        "act_type": "Type",
        "killed": "Tués",
        "actors": ["Auteurs"],
        "description": "Résumé",
    },
    "act_type_values": {"Exécution sommaire": "summary_execution", "Pillage": "looting"},
}
HEADER = "Réf;Date;Village;Cercle;Type;Tués;Auteurs;Résumé\n"


def csv_table(tmp_path: Path, body: str, *, encoding: str = "cp1252") -> Path:
    path = tmp_path / "synthetic_partner.csv"
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def test_profile_reports_every_problem_at_once() -> None:
    bad = {"name": "", "claimed_by": "", "columns": {"date": "D", "date_start": "S",
           "killed": "K", "killed_min": "m", "latitude": "lat", "colour": "c",
           "actors": "A"}, "date_style": "ymd", "header_row": 0, "extra": 1}  # fmt: skip
    with pytest.raises(ProfileError) as caught:
        MappingProfile.from_dict(bad, act_type_codes={"killing"})
    assert caught.value.code == "profile_invalid"
    assert caught.value.problems == [
        "unknown profile key 'extra'",
        "'name' is required",
        "'claimed_by' is required: who makes the claims in this table",
        "unknown target field 'colour'",
        "'actors' must be a list of column names",
        "use either 'date' or 'date_start'/'date_end', not both",
        "use either 'killed' or 'killed_min'/'killed_max', not both",
        "'killed_min' and 'killed_max' go together",
        "'latitude' and 'longitude' go together",
        "'date_style' must be one of day_first, month_first",
        "'header_row' must be 1 or more",
    ]


def test_profile_checks_header_and_codes_and_round_trips(tmp_path: Path) -> None:
    profile = MappingProfile.from_dict(PROFILE_DATA)
    assert validate_profile(profile, header=["Réf", "Date"], act_type_codes={"looting"}) == [
        "act type code 'summary_execution' is not in the vocabulary",
        "column 'Type' (for 'act_type') is not in the file",
        "column 'Auteurs' (for 'actors') is not in the file",
        "column 'Cercle' (for 'admin2') is not in the file",
        "column 'Résumé' (for 'description') is not in the file",
        "column 'Tués' (for 'killed') is not in the file",
        "column 'Village' (for 'location') is not in the file",
    ]
    path = tmp_path / "profile.json"
    save_profile(profile, path)
    assert load_profile(path) == profile
    assert json.loads(path.read_text(encoding="utf-8"))["columns"]["actors"] == ["Auteurs"]
    path.write_text("{broken")
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(path)


def test_latin1_semicolon_csv_through_profile(tmp_path: Path) -> None:
    path = csv_table(tmp_path, (
        "R1;23/03/2019;Synthétique-Peulh;Bankass;Exécution sommaire;12;SYNTHETIC milice;Résumé inventé\n"
        "R2;1er avril 2019;Synthétique;Bankass;Pillage|Exécution sommaire;;;\n"
        "R3;44650;Synthétique;Bankass;Pillage;0;;\n"
        "R4;31/02/2019;Synthétique;Bankass;Pillage;0;;\n"
        "R5;01/04/2019;Synthétique;Bankass;Enlèvement;1;;\n"
        "R6;01/04/2019;Synthétique;Bankass;Pillage;environ 40;;\n"
        "R1;01/04/2019;Synthétique;Bankass;Pillage;1;;\n"
    ))  # fmt: skip
    profile = MappingProfile.from_dict(PROFILE_DATA)
    results = list(iter_table(path, profile))
    first, second, third = results[:3]
    assert isinstance(first, ParsedRow) and first.source_format == "table_csv"
    assert first.event.date_start == dt.date(2019, 3, 23)
    assert first.event.location.name == "Synthétique-Peulh"
    assert first.event.acts[0].act_type_code == "summary_execution"
    assert first.event.casualties[0].claimed_by == "SYNTHETIC partner NGO"
    assert [a.name for a in first.event.actors] == ["SYNTHETIC milice"]
    assert isinstance(second, ParsedRow)
    assert [a.act_type_code for a in second.event.acts] == ["looting", "summary_execution"]
    assert second.event.casualties == ()
    assert isinstance(third, ParsedRow) and third.event.date_start == dt.date(2022, 3, 30)
    quarantined = [(r.row_number, r.field, r.reason_code) for r in results[3:]]
    assert quarantined == [
        (5, "Date", "bad_date"),
        (6, "Type", "unknown_act_type"),
        (7, "Tués", "bad_number"),
        (8, "Réf", "duplicate_id"),
    ]
    assert all(isinstance(r, QuarantinedRow) for r in results[3:])


def test_missing_columns_raise_profile_error_listing_all(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Réf,Date\nR1,2019-01-01\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        iter_table(path, MappingProfile.from_dict(PROFILE_DATA))
    assert len(caught.value.problems) == 6


def test_dry_run_counts_and_keeps_only_samples(tmp_path: Path) -> None:
    body = "".join(f"R{i};0{1 + i % 9}/04/2019;S;Bankass;Pillage;{i};;\n" for i in range(40))
    body += "X1;never;S;Bankass;Pillage;1;;\n"
    report = dry_run(
        csv_table(tmp_path, body), MappingProfile.from_dict(PROFILE_DATA), sample_size=3
    )
    assert report.ok
    assert (report.total_rows, report.parsed_rows, report.quarantined_rows) == (41, 40, 1)
    assert report.quarantine_reasons == {"bad_date": 1}
    assert len(report.sample_parsed) == 3 and report.sample_quarantined[0].row_number == 42
    other = tmp_path / "other.csv"
    other.write_text("Réf,Date\nR1,2019-01-01\n", encoding="utf-8")
    refused = dry_run(other, MappingProfile.from_dict(PROFILE_DATA))
    assert not refused.ok and refused.total_rows == 0 and len(refused.problems) == 6


def test_xlsx_with_date_cells_serial_numbers_and_header_row(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Incidents"
    sheet.append(["SYNTHETIC export, do not edit"])
    sheet.append(["Réf", "Date", "Village", "Cercle", "Type", "Tués", "Auteurs", "Résumé"])
    sheet.append(["R1", dt.datetime(2019, 3, 23), "S", "Bankass", "Pillage", 2.0, "A;B", None])
    sheet.append(["R2", 44650, "S", "Bankass", "Pillage", 0, None, None])
    path = tmp_path / "synthetic.xlsx"
    workbook.save(path)
    profile = MappingProfile.from_dict({**PROFILE_DATA, "sheet": "Incidents", "header_row": 2})
    first, second = list(iter_table(path, profile))
    assert isinstance(first, ParsedRow) and first.source_format == "table_xlsx"
    assert first.row_number == 3 and first.event.date_start == dt.date(2019, 3, 23)
    assert first.event.casualties[0].count_best == 2
    assert [a.name for a in first.event.actors] == ["A", "B"]
    assert isinstance(second, ParsedRow) and second.event.date_start == dt.date(2022, 3, 30)
    with pytest.raises(FileFormatError, match="no sheet named 'Nope'"):
        list(iter_table(path, MappingProfile.from_dict({**PROFILE_DATA, "sheet": "Nope"})))


def test_truncated_xlsx_is_a_clear_error(tmp_path: Path) -> None:
    workbook = Workbook()
    path = tmp_path / "full.xlsx"
    workbook.save(path)
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(path.read_bytes()[:300])
    with pytest.raises(FileFormatError) as caught:
        iter_table(truncated, MappingProfile.from_dict(PROFILE_DATA))
    assert "truncated.xlsx" in str(caught.value)


def test_uwazi_export(tmp_path: Path) -> None:
    path = tmp_path / "uwazi.csv"
    path.write_text(
        "Title,Date added,Template,Date of incident,Violation,Number of victims,Case ID,"
        "Geolocation,Documents,Attachments,Published\n"
        "SYNTHETIC case 1,2024-01-02,Incident,2019-03-23 ~ 2019-03-24,Pillage|Exécution sommaire,"
        "4,UW-1,14.0|-3.5,/files/a.pdf,,Published\n"
        "SYNTHETIC case 2,2024-01-02,Incident,2019-04-01,Pillage,,UW-2,,,,Unpublished\n",
        encoding="utf-8",
    )
    profile = uwazi_profile(
        name="SYNTHETIC Uwazi", claimed_by="SYNTHETIC Uwazi collection",
        columns={"date": "Date of incident", "act_type": "Violation",
                 "killed": "Number of victims", "upstream_id": "Case ID"},
        act_type_values={"Pillage": "looting", "Exécution sommaire": "summary_execution"},
    )  # fmt: skip
    first, second = list(iter_uwazi(path, profile))
    assert isinstance(first, ParsedRow) and first.source_format == "uwazi_csv"
    assert first.source.title == "SYNTHETIC case 1" and first.upstream_id == "UW-1"
    assert (first.event.date_start, first.event.date_end) == (
        dt.date(2019, 3, 23),
        dt.date(2019, 3, 24),
    )
    assert first.event.date_precision.level == "range"
    assert (first.event.location.latitude, first.event.location.longitude) == (14.0, -3.5)
    assert [a.act_type_code for a in first.event.acts] == ["looting", "summary_execution"]
    assert isinstance(second, ParsedRow) and second.event.location.latitude is None
    not_uwazi = tmp_path / "plain.csv"
    not_uwazi.write_text("Date of incident\n2019-01-01\n")
    with pytest.raises(FileFormatError, match="not an Uwazi export"):
        iter_uwazi(not_uwazi, profile)
