"""Field forms (pyxform), OpenRosa documents and plain submissions (synthetic content)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from temoin.core.intake import ParsedRow, QuarantinedRow, SubmissionError
from temoin.core.intake.odk import (
    FORM_IDS,
    FormListEntry,
    MediaFile,
    build_xform,
    form_list_xml,
    manifest_xml,
    parse_submission,
    submission_response_xml,
    submission_to_row,
    write_xlsform,
)

XF = "{http://www.w3.org/2002/xforms}"
REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_forms_convert_with_both_languages(form_id: str) -> None:
    xform = build_xform(form_id)
    root = ElementTree.fromstring(xform)
    languages = [t.get("lang") for t in root.iter(f"{XF}translation")]
    assert languages == ["English (en)", "Français (fr)"]
    default = [t.get("lang") for t in root.iter(f"{XF}translation") if t.get("default")]
    assert default == ["Français (fr)"]
    instance = next(root.iter(f"{XF}instance"))[0]
    assert instance.get("id") == form_id and instance.get("version") == "2026112701"
    assert any(e.tag == f"{XF}instanceID" for e in instance.iter())


def test_encrypted_form_carries_public_key_and_submission_url() -> None:
    xform = build_xform(
        "temoin_incident",
        public_key="MIIBIjANSYNTHETIC",
        submission_url="https://t.example/submission",
    )
    root = ElementTree.fromstring(xform)
    submission = next(root.iter(f"{XF}submission"))
    assert submission.get("base64RsaPublicKey") == "MIIBIjANSYNTHETIC"
    assert submission.get("action") == "https://t.example/submission"


def test_act_type_choices_exist_in_the_vocabulary() -> None:
    vocabulary = REPO / "temoin" / "core" / "vocabularies" / "data" / "act_types.csv"
    if not vocabulary.is_file():
        pytest.skip("vocabulary file not present yet")
    import csv

    codes = {row["code"] for row in csv.DictReader(vocabulary.open(encoding="utf-8"))}
    from temoin.core.intake.odk.form_definitions import FORM_DEFINITIONS

    used = {
        row["name"]
        for row in FORM_DEFINITIONS["temoin_incident"]["choices"]
        if row["list_name"] == "act_types"
    }
    assert used <= codes


def test_xlsx_workbook_converts_to_the_same_xform(tmp_path: Path) -> None:
    path = write_xlsform("temoin_testimony", tmp_path / "temoin_testimony.xlsx")
    from_xlsx = convert(xlsform=str(path), pretty_print=True).xform
    # same document (attribute order may differ with the column order of the sheet)
    assert ElementTree.canonicalize(from_xlsx) == ElementTree.canonicalize(
        build_xform("temoin_testimony")
    )


def test_form_list_and_manifest_documents() -> None:
    entry = FormListEntry("temoin_incident", "Rapport d'incident", "2026112701", b"<h:html/>",
                          "https://t.example/forms/temoin_incident.xml",
                          "https://t.example/forms/temoin_incident/manifest")  # fmt: skip
    root = ElementTree.fromstring(form_list_xml([entry]))
    ns = "{http://openrosa.org/xforms/xformsList}"
    assert root.tag == f"{ns}xforms"
    item = root.find(f"{ns}xform")
    assert item is not None
    assert item.findtext(f"{ns}formID") == "temoin_incident"
    import hashlib

    assert item.findtext(f"{ns}hash") == "md5:" + hashlib.md5(b"<h:html/>").hexdigest()
    assert item.findtext(f"{ns}manifestUrl") == "https://t.example/forms/temoin_incident/manifest"
    manifest = ElementTree.fromstring(
        manifest_xml([MediaFile("villages.csv", b"a,b\n", "https://t.example/m/1")])
    )
    mns = "{http://openrosa.org/xforms/xformsManifest}"
    media = manifest.find(f"{mns}mediaFile")
    assert media is not None and media.findtext(f"{mns}filename") == "villages.csv"
    assert media.findtext(f"{mns}hash") == "md5:" + hashlib.md5(b"a,b\n").hexdigest()
    response = ElementTree.fromstring(submission_response_xml("Merci"))
    assert response.tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    assert response[0].get("nature") == "submit_success" and response[0].text == "Merci"


SUBMISSION = (
    b'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" id="temoin_incident" '
    b'version="2026112701"><start>2019-03-24T08:00:00Z</start><incident_date>2019-03-23</incident_date>'
    b"<date_precision>day</date_precision><location_name>SYNTHETIC-Village-Peulh</location_name>"
    b"<region>mopti</region><cercle>Bankass</cercle><gps>14.0 -3.5 280 5</gps>"
    b"<act_types>killing burning_of_dwellings</act_types><killed_min>10</killed_min>"
    b"<killed_max>20</killed_max><injured>3</injured><description>SYNTHETIC</description>"
    b"<source_type>direct_witness</source_type><photo>1.jpg</photo>"
    b"<meta><instanceID>uuid:syn-1</instanceID></meta></data>"
)


def test_submission_parses_and_becomes_candidate_event() -> None:
    submission = parse_submission(SUBMISSION)
    assert (submission.form_id, submission.version, submission.instance_id) == (
        "temoin_incident", "2026112701", "uuid:syn-1",
    )  # fmt: skip
    assert submission.fields["act_types"] == "killing burning_of_dwellings"
    row = submission_to_row(submission)
    assert isinstance(row, ParsedRow)
    assert row.upstream_id == "uuid:syn-1" and row.source_format == "odk:temoin_incident"
    assert row.event.date_start == dt.date(2019, 3, 23)
    assert [a.act_type_code for a in row.event.acts] == ["killing", "burning_of_dwellings"]
    killed, injured = row.event.casualties
    assert (killed.count_min, killed.count_max, killed.count_best) == (10, 20, None)
    assert injured.count_best == 3
    assert (row.event.location.latitude, row.event.location.longitude) == (14.0, -3.5)
    assert row.event.verified is False


def test_bad_submissions() -> None:
    bad_date = parse_submission(SUBMISSION.replace(b"2019-03-23", b"hier"))
    row = submission_to_row(bad_date)
    assert isinstance(row, QuarantinedRow) and (row.field, row.reason_code) == (
        "incident_date",
        "bad_date",
    )
    assert "SYNTHETIC" not in row.message  # free text never goes into messages
    with pytest.raises(SubmissionError, match="no meta/instanceID"):
        parse_submission(
            SUBMISSION.replace(b"<meta><instanceID>uuid:syn-1</instanceID></meta>", b"")
        )
    with pytest.raises(SubmissionError, match="DTD"):
        parse_submission(
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><data id="x">&e;</data>'
        )
    with pytest.raises(SubmissionError, match="not well-formed"):
        parse_submission(b"<data id='x'>")
    with pytest.raises(SubmissionError, match="encrypted"):
        parse_submission(b'<data id="x" encrypted="yes"/>')


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_shipped_xlsx_forms_match_the_definitions(form_id: str) -> None:
    shipped = REPO / "temoin" / "core" / "intake" / "data" / "forms" / f"{form_id}.xlsx"
    from_xlsx = convert(xlsform=str(shipped), pretty_print=True).xform
    assert ElementTree.canonicalize(from_xlsx) == ElementTree.canonicalize(build_xform(form_id)), (
        "regenerate with: python -c 'from temoin.core.intake.odk import write_xlsform; "
        f'write_xlsform("{form_id}", "{shipped}")\''
    )
