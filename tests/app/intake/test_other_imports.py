"""UCDP GED, spreadsheet (CSV/XLSX, saved profile, dry run) and Uwazi imports (synthetic)."""

from __future__ import annotations

import pytest

from tests.core.intake.test_table import PROFILE_DATA
from tests.core.intake.test_ucdp import ged_row, write

pytestmark = pytest.mark.django_db

TABLE = ("Réf;Date;Village;Cercle;Type;Tués;Auteurs;Résumé\n"
         "P-1;23/03/2019;Village-Synthétique;Bankass;Exécution sommaire;12;SYNTHETIC Auteur;"
         "SYNTHETIC résumé\n"
         "P-2;31/02/2019;Village-B;Bankass;Pillage;;;SYNTHETIC\n"
         "P-3;01/04/2019;Village-C;Bankass;Pillage;0;FAMa;SYNTHETIC\n")


def test_ucdp_low_best_high_becomes_one_claim_range(world, tmp_path):
    from temoin.cases.models import Claim, Source
    from temoin.intake.services import batch_import

    path = write(tmp_path / "ged.csv", [ged_row()])
    batch = batch_import(actor=world.analyst, kind="ucdp", path=path, geocode=False)
    assert (batch.new, batch.quarantined) == (1, 0)
    source = Source.objects.get()
    assert source.source_type == "ucdp_record" and source.origin == "UCDP GED"
    claims = sorted(Claim.objects.values_list("kind", "count_min", "count_max", "qualifier"))
    row = ged_row()
    assert ("killed", int(row["low"]), int(row["high"]),
            "exact" if row["low"] == row["high"] else "range") in claims
    again = batch_import(actor=world.analyst, kind="ucdp", path=path, geocode=False)
    assert (again.new, again.unchanged) == (0, 1)


def test_table_import_with_profile_dry_run_then_import(world, tmp_path):
    from temoin.cases.models import Act, Event, Involvement
    from temoin.intake.models import ImportBatch
    from temoin.intake.services import batch_dry_run, batch_import

    path = tmp_path / "partner.csv"
    path.write_bytes(TABLE.encode("cp1252"))
    report = batch_dry_run(actor=world.analyst, path=path, profile=PROFILE_DATA)
    assert (report["ok"], report["rows"], report["parsed"], report["quarantined"],
            report["new"]) == (True, 3, 2, 1, 2)
    assert report["quarantine_reasons"] == {"bad_date": 1}
    assert ImportBatch.objects.count() == 0 and Event.objects.count() == 0
    batch = batch_import(actor=world.analyst, kind="table", path=path, profile=PROFILE_DATA,
                         geocode=False)
    assert (batch.rows, batch.new, batch.quarantined, batch.flagged_deleted) == (3, 2, 1, 0)
    assert batch.profile["name"] == "SYNTHETIC partner sheet"
    assert batch.scope == "table:SYNTHETIC partner sheet"
    assert sorted(Act.objects.values_list("act_type", flat=True)) == ["looting",
                                                                      "summary_execution"]
    assert Involvement.objects.get().actor.code == "fama"
    assert batch.report["unknown_actors"] == {"SYNTHETIC Auteur": 1}
    dry_again = batch_dry_run(actor=world.analyst, path=path, profile=PROFILE_DATA)
    assert (dry_again["new"], dry_again["unchanged"]) == (0, 2)


def test_bad_profile_is_refused_with_every_problem(world, tmp_path):
    from temoin.errors import ValidationFailed
    from temoin.intake.models import ImportBatch
    from temoin.intake.services import batch_import

    path = tmp_path / "partner.csv"
    path.write_bytes(TABLE.encode("cp1252"))
    with pytest.raises(ValidationFailed) as refused:
        batch_import(actor=world.analyst, kind="table", path=path,
                     profile={"name": "", "columns": {"colour": "c"}})
    messages = [m for _, m in refused.value.fields["profile"]]
    assert "'name' is required" in messages and "unknown target field 'colour'" in messages
    assert ImportBatch.objects.count() == 0


def test_xlsx_table_import(world, tmp_path):
    from openpyxl import Workbook

    from temoin.intake.services import batch_import

    workbook = Workbook()
    sheet = workbook.active
    for line in TABLE.strip().split("\n"):
        sheet.append(line.split(";"))
    path = tmp_path / "partner.xlsx"
    workbook.save(path)
    batch = batch_import(actor=world.admin, kind="table", path=path, profile=PROFILE_DATA,
                         geocode=False)
    assert (batch.rows, batch.new, batch.quarantined) == (3, 2, 1)


def test_uwazi_import(world, tmp_path):
    from temoin.cases.models import Event
    from temoin.intake.services import batch_import

    path = tmp_path / "uwazi.csv"
    path.write_text(
        "Title,Date added,Template,Date of incident,Violation,Number of victims,Case ID,"
        "Geolocation,Documents,Attachments,Published\n"
        "SYNTHETIC case 1,2024-01-02,Incident,2019-03-23 ~ 2019-03-24,Pillage|Exécution sommaire,"
        "4,UW-1,14.0|-3.5,/files/a.pdf,,Published\n", encoding="utf-8")
    profile = {"name": "SYNTHETIC Uwazi", "claimed_by": "SYNTHETIC Uwazi collection",
               "source_kind": "uwazi", "list_separator": "|", "date_style": "day_first",
               "columns": {"title": "Title", "geolocation": "Geolocation",
                           "date": "Date of incident", "act_type": "Violation",
                           "killed": "Number of victims", "upstream_id": "Case ID"},
               "act_type_values": {"Pillage": "looting", "Exécution sommaire": "summary_execution"}}
    batch = batch_import(actor=world.analyst, kind="uwazi", path=path, profile=profile,
                         geocode=False)
    assert (batch.new, batch.quarantined) == (1, 0)
    event = Event.objects.get()
    assert event.title == "SYNTHETIC case 1" and event.start_precision == "range"
    assert (str(event.start_earliest), str(event.start_latest)) == ("2019-03-23", "2019-03-24")
    assert event.acts.count() == 2


def test_odk_export_import_and_quarantine_retry(world, tmp_path):
    from temoin.cases.models import Event
    from temoin.intake.models import QuarantinedRow
    from temoin.intake.services import batch_import, quarantine_retry
    from tests.core.intake.test_odk_exports import CENTRAL_CSV

    path = tmp_path / "temoin_incident.csv"
    path.write_text(CENTRAL_CSV, encoding="utf-8")
    batch = batch_import(actor=world.analyst, kind="odk_export", path=path, geocode=False)
    assert (batch.scope, batch.rows, batch.new, batch.quarantined) == (
        "odk:temoin_incident", 3, 2, 1)
    row = QuarantinedRow.objects.get()
    assert (row.upstream_id, row.reason_code) == ("uuid:c-2", "bad_date")
    fixed = quarantine_retry(actor=world.analyst, row=row, fixes={"incident_date": "2019-03-26"})
    assert fixed.status == "imported"
    assert Event.objects.filter(upstream_id="uuid:c-2", start_earliest="2019-03-26").exists()


def test_acled_api_json_matches_the_csv_import(world, tmp_path):
    import json

    from temoin.intake.services import batch_import
    from tests.core.intake.synthetic import synthetic_row, write_acled_csv

    csv_path = write_acled_csv(tmp_path / "a.csv", [synthetic_row(1), synthetic_row(2)])
    batch_import(actor=world.analyst, kind="acled", path=csv_path, geocode=False)
    json_path = tmp_path / "a.json"
    json_path.write_text(json.dumps({"data": [synthetic_row(1), synthetic_row(2)]}))
    again = batch_import(actor=world.analyst, kind="acled_json", path=json_path, geocode=False)
    assert (again.scope, again.new, again.unchanged) == ("acled", 0, 2)


def test_a_table_without_ids_reimports_idempotently(world, tmp_path):
    from temoin.cases.models import Event
    from temoin.intake.services import batch_import

    profile = {**PROFILE_DATA, "columns": {k: v for k, v in PROFILE_DATA["columns"].items()
                                           if k != "upstream_id"}}
    path = tmp_path / "noid.csv"
    body = "P-1;23/03/2019;V;Bankass;Pillage;2;FAMa;SYNTHETIC\n"
    path.write_bytes(("Réf;Date;Village;Cercle;Type;Tués;Auteurs;Résumé\n" + body * 2)
                     .encode("cp1252"))
    first = batch_import(actor=world.analyst, kind="table", path=path, profile=profile,
                         geocode=False)
    assert (first.new, first.unchanged) == (1, 1)  # the second line is an exact duplicate
    again = batch_import(actor=world.analyst, kind="table", path=path, profile=profile,
                         geocode=False)
    assert (again.new, again.unchanged) == (0, 2) and Event.objects.count() == 1
