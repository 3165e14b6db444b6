"""ODK Central / KoBo exports (CSV and ZIP with attachments), synthetic content."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from temoin.core.intake import FileFormatError, ParsedRow, QuarantinedRow
from temoin.core.intake.odk import export_attachments, iter_odk_export, read_export_attachment

CENTRAL_CSV = (
    "SubmissionDate,start,incident_date,date_precision,location_name,region,cercle,"
    "gps-Latitude,gps-Longitude,gps-Altitude,gps-Accuracy,act_types,killed_min,killed_max,"
    "description,photo,meta-instanceID,KEY,SubmitterID,ReviewState\n"
    "2019-03-25T10:00:00Z,2019-03-24,2019-03-23,day,SYNTHETIC-Village,mopti,Bankass,14.0,-3.5,"
    "280,5,killing looting,2,4,SYNTHETIC,1.jpg,uuid:c-1,uuid:c-1,5,\n"
    "2019-03-26T10:00:00Z,2019-03-26,not a date,day,SYNTHETIC-Village,mopti,Bankass,,,,,"
    "looting,,,SYNTHETIC,,uuid:c-2,uuid:c-2,5,\n"
    "2019-03-27T10:00:00Z,2019-03-27,2019-03-20,week,SYNTHETIC-Other,mopti,Bankass,,,,,"
    "looting,,,SYNTHETIC,2.jpg,uuid:c-3,uuid:c-3,5,\n"
)


def test_central_csv(tmp_path: Path) -> None:
    path = tmp_path / "temoin_incident.csv"
    path.write_text(CENTRAL_CSV, encoding="utf-8")
    first, second, third = list(iter_odk_export(path))
    assert isinstance(first, ParsedRow)
    assert first.source_format == "odk_export:temoin_incident" and first.row_number == 2
    assert first.upstream_id == "uuid:c-1"
    assert first.event.date_start == dt.date(2019, 3, 23)
    assert (first.event.location.latitude, first.event.location.longitude) == (14.0, -3.5)
    assert [a.act_type_code for a in first.event.acts] == ["killing", "looting"]
    assert (first.event.casualties[0].count_min, first.event.casualties[0].count_max) == (2, 4)
    assert first.warnings == ()  # plain CSV: attachments are not expected
    assert isinstance(second, QuarantinedRow)
    assert (second.row_number, second.field, second.reason_code) == (3, "incident_date", "bad_date")
    assert second.message == "row 3: field 'incident_date': not a date"
    assert isinstance(third, ParsedRow) and third.event.date_precision.level == "week"


def test_zip_with_media_and_a_missing_attachment(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("temoin_incident.csv", CENTRAL_CSV)
        archive.writestr("temoin_incident-repeat.csv", "x\n")
        archive.writestr("media/1.jpg", b"synthetic jpeg")
    results = list(iter_odk_export(path))
    assert [type(r).__name__ for r in results] == ["ParsedRow", "QuarantinedRow", "ParsedRow"]
    assert results[0].warnings == ()  # type: ignore[union-attr]
    assert results[2].warnings == ("attachment '2.jpg' is referenced but not in the export",)  # type: ignore[union-attr]
    assert export_attachments(path) == {"1.jpg": "media/1.jpg"}
    assert read_export_attachment(path, "media/1.jpg") == b"synthetic jpeg"


def test_kobo_csv_with_uuid_and_split_gps(tmp_path: Path) -> None:
    path = tmp_path / "kobo.csv"
    path.write_text(
        "incident_date;location_name;testimony/account;_gps_latitude;_gps_longitude;_uuid;_id\n"
        "2019-03-23;SYNTHETIC;SYNTHETIC account;14.5;-4.2;0000-1;1\n",
        encoding="utf-8-sig",
    )
    (row,) = list(iter_odk_export(path, form_id="temoin_testimony"))
    assert isinstance(row, ParsedRow)
    assert row.upstream_id == "uuid:0000-1"
    assert row.source_format == "odk_export:temoin_testimony"
    assert (row.event.location.latitude, row.event.location.longitude) == (14.5, -4.2)
    assert row.event.description == "SYNTHETIC account"


def test_bad_exports(tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("temoin_incident.csv", CENTRAL_CSV * 50)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(FileFormatError) as caught:
        iter_odk_export(truncated)
    assert "truncated or damaged ZIP" in str(caught.value) and "truncated.zip" in str(caught.value)
    empty_zip = tmp_path / "nocsv.zip"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("media/1.jpg", b"x")
    with pytest.raises(FileFormatError, match="no top-level CSV"):
        iter_odk_export(empty_zip)
    no_id = tmp_path / "no_id.csv"
    no_id.write_text("incident_date\n2019-01-01\n")
    with pytest.raises(FileFormatError, match="not an ODK Central/KoBo export"):
        iter_odk_export(no_id)
