"""Tella and ODK/KoBo metadata records received with a file: values, hash verdicts, bad input.

Every record here is synthetic, built from the published formats (Tella's ``Metadata`` and
``MyLocation`` classes as serialised by Gson; the ODK XForms client-audit-log spec; ODK
instance XML; KoBo's JSON submission export).  Coordinates are of no real event.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from temoin.core.vault import FieldRecord, check_field_record

from .helpers import ANALYST, make_vault

MEDIA = b"synthetic media bytes for field records\n" * 50
SHA = hashlib.sha256(MEDIA).hexdigest()


def tella_json(**overrides: object) -> bytes:
    record: dict[str, object] = {
        "cells": ["synthetic-cell-1"],
        "wifis": ["synthetic-wifi-a", "synthetic-wifi-b"],
        "timestamp": 1709633472000,
        "myLocation": {"timestamp": 1709633470000, "latitude": 12.6392, "longitude": -8.0029,
                       "altitude": 350.5, "accuracy": 12.0, "provider": "gps", "speed": 0.0},
        "internal": False,
        "fileName": "VID_synthetic.mp4",
        "deviceID": "synthetic-device-0001",
        "hardware": "SyntheticBoard",
        "manufacturer": "SyntheticPhone",
        "networkType": "LTE",
        "fileHashSHA256": SHA,
    }
    record.update(overrides)
    return json.dumps({k: v for k, v in record.items() if v is not None}).encode()


def check(content: bytes, filename: str | None = "VID_synthetic.mp4") -> tuple[dict, dict[str, object], list[str]]:
    verdict, values, findings = check_field_record(
        FieldRecord("metadata.json", content), position=1, sha256=SHA, filename=filename
    )
    assert all(v["tool"] == "temoin.fieldmeta" and v["tool_version"] == "1" for v in values)
    return verdict, {v["field"]: v["value"] for v in values}, [f.code for f in findings]


def test_tella_json_matching_hash() -> None:
    content = tella_json()
    verdict, values, findings = check(content)
    assert (verdict["type"], verdict["result"], verdict["declared_sha256"]) == ("tella", "match", SHA)
    assert findings == []
    assert verdict["record_sha256"] == hashlib.sha256(content).hexdigest()
    assert base64.b64decode(verdict["record_base64"]) == content
    assert values["tella.capture_time_utc"] == "2024-03-05T10:11:12.000Z"
    assert values["tella.timestamp_ms"] == 1709633472000
    assert values["tella.location.time_utc"] == "2024-03-05T10:11:10.000Z"
    assert (values["tella.location.latitude"], values["tella.location.longitude"]) == ("12.6392", "-8.0029")
    assert (values["tella.location.accuracy"], values["tella.location.provider"]) == ("12.0", "gps")
    assert values["tella.device.id"] == "synthetic-device-0001"
    assert values["tella.network.wifis"] == '["synthetic-wifi-a","synthetic-wifi-b"]'
    assert values["tella.internal"] == "false"
    assert values["tella.file_name"] == "VID_synthetic.mp4"


def test_tella_wrong_malformed_and_absent_hash() -> None:
    verdict, _, findings = check(tella_json(fileHashSHA256="0" * 64))
    assert verdict["result"] == "mismatch" and findings == ["field_record_hash_mismatch"]
    assert verdict["messages"] == ["declared fileHashSHA256 differs from the received bytes"]
    verdict, _, findings = check(tella_json(fileHashSHA256="not-a-hash"))
    assert verdict["result"] == "mismatch"
    assert verdict["messages"] == ["declared fileHashSHA256 is not a SHA-256 in hexadecimal"]
    verdict, _, findings = check(tella_json(fileHashSHA256=SHA.upper()))
    assert verdict["result"] == "match"
    verdict, values, findings = check(tella_json(fileHashSHA256=None, myLocation=None))
    assert verdict["result"] == "absent"
    assert findings == ["field_record_incomplete"]
    assert verdict["messages"] == ["missing field(s) myLocation, fileHashSHA256"]
    assert "tella.location.latitude" not in values


def test_tella_corrupt_fields_are_findings_not_refusals() -> None:
    verdict, values, findings = check(tella_json(timestamp="yesterday", myLocation="here"))
    assert verdict["result"] == "match"
    assert findings == ["field_record_corrupt", "field_record_corrupt"]
    assert verdict["messages"][0] == "field timestamp: timestamp is not a time in milliseconds since 1970 ('yesterday')"
    assert verdict["messages"][1] == "field myLocation is not an object"


def test_tella_csv_record() -> None:
    content = (
        "fileName,fileHashSHA256,timestamp,myLocation.latitude,myLocation.longitude,myLocation.accuracy,deviceID,wifis\n"
        f"VID_synthetic.mp4,{SHA},1709633472000,12.6392,-8.0029,12.0,synthetic-device-0001,w1;w2\n"
    ).encode()
    verdict, values, findings = check(content)
    assert (verdict["type"], verdict["result"]) == ("tella", "match")
    assert findings == []
    assert (values["tella.location.latitude"], values["tella.location.accuracy"]) == ("12.6392", "12.0")
    assert values["tella.network.wifis"] == '["w1","w2"]'
    two_rows = content + content.splitlines(keepends=True)[1]
    verdict, _, findings = check(two_rows)
    assert verdict["result"] == "unreadable"
    assert verdict["messages"] == ["Tella CSV record has 2 data rows, expected 1"]


AUDIT = (
    "event,node,start,end,latitude,longitude,accuracy,old-value,new-value,user,change-reason\n"
    "form start,,1709633400000,,12.6391,-8.0031,8.5,,,enumerator-synthetic-1,\n"
    "question,/data/photo,1709633410000,1709633470000,12.6392,-8.0029,6.0,,VID_synthetic.mp4,enumerator-synthetic-1,\n"
    'question,/data/note,1709633471000,1709633480000,,,,old,"new, edited",enumerator-synthetic-1,typo\n'
    "form save,,1709633490000,,,,,,,enumerator-synthetic-1,\n"
)


def test_odk_audit_log() -> None:
    verdict, values, findings = check(AUDIT.encode(), filename="VID_synthetic.mp4")
    assert (verdict["type"], verdict["result"], verdict["declared_sha256"]) == ("odk_audit", "absent", None)
    assert findings == []
    assert verdict["messages"] == ["ODK audit logs carry no file hash"]
    assert values["odk.audit.events"] == 4
    assert values["odk.audit.first_start_utc"] == "2024-03-05T10:10:00.000Z"
    assert values["odk.audit.last_time_utc"] == "2024-03-05T10:11:30.000Z"
    assert values["odk.audit.event_counts"] == '{"form save":1,"form start":1,"question":2}'
    assert (values["odk.audit.first_location.latitude"], values["odk.audit.first_location.accuracy"]) == ("12.6391", "8.5")
    assert values["odk.audit.locations"] == 2
    assert values["odk.audit.users"] == '["enumerator-synthetic-1"]'
    assert values["odk.audit.changed_answers"] == 2


def test_odk_audit_log_bad_rows_and_header() -> None:
    bad = "event,node,start,end\nquestion,/data/a,soon,\n,/data/b,1709633400000,\n"
    verdict, values, findings = check(bad.encode())
    assert verdict["result"] == "absent"
    assert findings == ["field_record_corrupt", "field_record_corrupt"]
    assert verdict["messages"][1:] == [
        "line 2: column start is not a time in milliseconds ('soon')",
        "line 3: column event is empty",
    ]
    # Unicode digits other than 0-9 ("²", Arabic-Indic) are not milliseconds (they once crashed int())
    verdict, _, findings = check("event,node,start,end\nquestion,/data/a,²,\n".encode())
    assert findings == ["field_record_corrupt"] and "'²'" in verdict["messages"][-1]
    verdict, _, findings = check(b"event,node,begin\nform start,,1\n")
    assert (verdict["result"], findings) == ("unreadable", ["field_record_unreadable"])
    assert verdict["messages"] == ["audit log header lacks column(s) start, end"]


def test_odk_submission_xml_and_kobo_json() -> None:
    xml = (
        b'<?xml version="1.0"?><data xmlns:orx="http://openrosa.org/xforms" id="synthetic_form" version="3">'
        b"<photo>VID_synthetic.mp4</photo><start>2024-03-05T10:10:00.000+00:00</start>"
        b"<end>2024-03-05T10:11:30.000+00:00</end><deviceid>collect:synthetic0001</deviceid>"
        b"<meta><audit>audit.csv</audit><orx:instanceID>uuid:00000000-0000-4000-8000-000000000001</orx:instanceID></meta></data>"
    )
    verdict, values, findings = check(xml)
    assert (verdict["type"], verdict["result"]) == ("odk_submission", "absent")
    assert findings == []
    assert values["odk.submission.instance_id"] == "uuid:00000000-0000-4000-8000-000000000001"
    assert values["odk.submission.form_id"] == "synthetic_form"
    assert values["odk.submission.device_id"] == "collect:synthetic0001"
    assert values["odk.submission.lists_received_file"] == "true"
    assert values["odk.submission.audit_file"] == "audit.csv"
    _, values, _ = check(xml, filename="other.jpg")
    assert values["odk.submission.lists_received_file"] == "false"

    kobo = json.dumps({
        "_id": 1, "_uuid": "00000000-0000-4000-8000-000000000002", "meta/instanceID": "uuid:00000000-0000-4000-8000-000000000002",
        "deviceid": "ee.kobo:synthetic", "start": "2024-03-05T10:10:00.000+00:00", "_geolocation": [12.6392, -8.0029],
        "_attachments": [{"filename": "synthetic_user/attachments/abc/VID_synthetic.mp4", "mimetype": "video/mp4"}],
    }).encode()
    verdict, values, findings = check(kobo)
    assert (verdict["type"], verdict["result"], findings) == ("odk_submission", "absent", [])
    assert values["odk.submission.lists_received_file"] == "true"
    assert values["odk.submission.geolocation"] == "[12.6392,-8.0029]"
    assert values["odk.submission.attachments"] == 1
    verdict, _, findings = check(b"<data id='x'><meta></meta></data>")
    assert verdict["result"] == "absent" and findings == ["field_record_incomplete"]


def test_unreadable_records() -> None:
    cases = {
        b'{"fileHashSHA256": "ab", ': "not valid JSON (line 1 column 26: Expecting property name enclosed in double quotes)",
        b"\xff\xfe\x00garbage": "not UTF-8 text (byte 0)",
        b"[1, 2]": "JSON record is not an object",
        b'{"hello": 1}': "JSON object of an unknown format (neither Tella metadata nor an ODK/KoBo submission)",
        b"a,b\n1,2\n": "CSV of an unknown format (neither Tella metadata nor an ODK audit log)",
        b"<data><unclosed></data>": "not valid XML (ParseError: mismatched tag: line 1, column 18)",
        b"": "empty record",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>': "not valid XML (EntitiesForbidden: EntitiesForbidden(name='a', system_id=None, public_id=None))",
    }
    for content, message in cases.items():
        verdict, values, findings = check(content)
        assert (verdict["result"], values, findings) == ("unreadable", {}, ["field_record_unreadable"]), content
        assert verdict["messages"] == [message], content
        assert "metadata.json" not in message


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_give_a_verdict(content: bytes) -> None:
    verdict, _, _ = check(content)
    assert verdict["result"] in {"match", "mismatch", "absent", "unreadable"}


def test_vault_ingest_keeps_file_and_records_verdicts(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    records = [FieldRecord("meta.json", tella_json(fileHashSHA256="1" * 64)), FieldRecord("audit.csv", AUDIT.encode()),
               FieldRecord("broken.json", b"{")]
    result = vault.ingest(io.BytesIO(MEDIA), actor=ANALYST, filename="VID_synthetic.mp4", field_records=records)
    assert result.item.sha256 == SHA
    assert result.entry.details["proofs"] == ["tella:mismatch", "odk_audit:absent", "unknown:unreadable"]
    assert [f.code for f in result.findings][-2:] == ["field_record_hash_mismatch", "field_record_unreadable"]
    record = vault.read_record(SHA)
    assert [p["result"] for p in record["proofs"]] == ["mismatch", "absent", "unreadable"]
    assert base64.b64decode(record["proofs"][1]["record_base64"]) == AUDIT.encode()
    fields = {m["field"]: m["value"] for m in record["metadata"]}
    assert fields["tella.location.latitude"] == "12.6392" and fields["odk.audit.events"] == 4
    assert b"".join(vault.open_original(SHA, actor=ANALYST, reason="check")) == MEDIA
    again = vault.ingest(io.BytesIO(MEDIA), actor=ANALYST, filename="copy.mp4",
                         field_records=[FieldRecord("meta.json", tella_json())])
    assert again.duplicate
    assert again.entry.details["proofs"] == ["tella:match"]
    assert vault.read_record(SHA) == record  # records are never rewritten
