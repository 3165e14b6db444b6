"""Field-collection metadata records that arrive with a file: Tella and ODK/KoBo.

A record is a small sidecar received beside the media (never inside it):

* **Tella** metadata (JSON as the app's ``Metadata`` object serialises it: ``fileName``,
  ``fileHashSHA256``, ``timestamp`` in ms, ``myLocation`` {latitude, longitude, altitude,
  accuracy, provider, speed, timestamp}, ``deviceID``, ``hardware``, ``manufacturer``,
  ``network``, ``networkType``, ``cells``, ``wifis``, …), or the same keys as a CSV header
  row with one data row (location columns ``myLocation.latitude`` or ``latitude``);
* an **ODK client audit log** (``audit.csv``: ``event,node,start,end`` and optionally
  ``latitude,longitude,accuracy,old-value,new-value,user,change-reason``; times in ms);
* an **ODK submission** (instance XML with ``meta/instanceID``, ``deviceid``, ``start``,
  ``end``) or a **KoBo/ODK JSON submission** (``meta/instanceID``, ``_uuid``, ``deviceid``,
  ``_attachments``…).

:func:`check_field_record` extracts metadata values (``{"field", "value", "tool",
"tool_version"}``, values verbatim as strings or integers) and compares the record's
declared SHA-256 with the received bytes.  The verdict is recorded verbatim: ``match``,
``mismatch``, ``absent`` (the record declares no hash; ODK formats never do) or
``unreadable`` (corrupt or unknown record).  Nothing here refuses a file: a bad record gives
a verdict and findings, the file is preserved.  Messages name the record by its position
and kind, never by its (possibly identifying) file name.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from temoin.core.vault.content import Finding

__all__ = ["MAX_RECORD_BYTES", "TOOL", "TOOL_VERSION", "FieldRecord", "check_field_record"]

TOOL: Final[str] = "temoin.fieldmeta"
TOOL_VERSION: Final[str] = "1"
MAX_RECORD_BYTES: Final[int] = 4 << 20
_HEX64: Final[re.Pattern[str]] = re.compile(r"[0-9a-fA-F]{64}")
_TELLA_KEYS: Final[frozenset[str]] = frozenset({"fileHashSHA256", "myLocation", "wifis", "cells", "deviceID"})
_TELLA_LOCATION: Final[tuple[str, ...]] = ("latitude", "longitude", "altitude", "accuracy", "provider", "speed", "timestamp")
_TELLA_TEXT: Final[dict[str, str]] = {
    "fileName": "tella.file_name",
    "deviceID": "tella.device.id",
    "hardware": "tella.device.hardware",
    "manufacturer": "tella.device.manufacturer",
    "screenSize": "tella.device.screen_size",
    "language": "tella.device.language",
    "locale": "tella.device.locale",
    "network": "tella.network.operator",
    "networkType": "tella.network.type",
    "dataType": "tella.network.data_type",
    "IPv4": "tella.network.ipv4",
    "IPv6": "tella.network.ipv6",
    "wifiMac": "tella.network.wifi_mac",
    "ambientTemperature": "tella.sensor.ambient_temperature",
    "light": "tella.sensor.light",
    "notes": "tella.notes",
}
_AUDIT_REQUIRED: Final[tuple[str, ...]] = ("event", "node", "start", "end")


@dataclass(frozen=True)
class FieldRecord:
    """A metadata record received with a file: its name as received and its exact bytes."""

    name: str
    content: bytes


class _Unreadable(Exception):
    """The record cannot be read; the message says where (internal to this module)."""


class _Reading:
    """What one record yields: values, messages, findings, declared hash."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.values: list[dict[str, Any]] = []
        self.messages: list[str] = []
        self.findings: list[Finding] = []
        self.declared_sha256: str | None = None
        self.hash_expected = True

    def add(self, field: str, value: Any) -> None:
        if value is None or value == "":
            return
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, dict)):
            value = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_number)
        elif not isinstance(value, int):
            value = str(value)
        self.values.append({"field": field, "value": value, "tool": TOOL, "tool_version": TOOL_VERSION})

    def problem(self, code: str, message: str) -> None:
        self.messages.append(message)
        self.findings.append(Finding(code, f"{self.label}: {message}"))


def _number(value: Any) -> Any:
    """JSON numbers read as Decimal, written back as numbers (shortest form of the text)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _utc_from_ms(value: Any, *, what: str) -> str:
    try:
        millis = int(str(value).strip())
        return datetime.fromtimestamp(millis / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    except (ValueError, OverflowError, OSError) as exc:
        raise ValueError(f"{what} is not a time in milliseconds since 1970 ({str(value)[:40]!r})") from exc


# ----------------------------------------------------------------------------- Tella
def _read_tella(reading: _Reading, data: Mapping[str, Any]) -> None:
    reading.label += " (Tella metadata)"
    declared = data.get("fileHashSHA256")
    if declared not in (None, ""):
        reading.declared_sha256 = str(declared).strip()
    for key, field in _TELLA_TEXT.items():
        reading.add(field, data.get(key))
    for key, field in (("cells", "tella.network.cells"), ("wifis", "tella.network.wifis")):
        if data.get(key) not in (None, "", []):
            reading.add(field, data[key])
    if data.get("internal") is not None:
        reading.add("tella.internal", data["internal"] in (True, "true", "True"))
    missing = []
    if data.get("timestamp") in (None, ""):
        missing.append("timestamp")
    else:
        try:
            reading.add("tella.capture_time_utc", _utc_from_ms(data["timestamp"], what="timestamp"))
            reading.add("tella.timestamp_ms", int(str(data["timestamp"])))
        except ValueError as exc:
            reading.problem("field_record_corrupt", f"field timestamp: {exc}")
    location = data.get("myLocation")
    if location in (None, "", {}):
        missing.append("myLocation")
    elif not isinstance(location, Mapping):
        reading.problem("field_record_corrupt", "field myLocation is not an object")
    else:
        for key in _TELLA_LOCATION:
            if key == "timestamp" and location.get(key) not in (None, "", -1, "-1"):
                try:
                    reading.add("tella.location.time_utc", _utc_from_ms(location[key], what="myLocation.timestamp"))
                except ValueError as exc:
                    reading.problem("field_record_corrupt", f"field {exc}")
            elif key != "timestamp":
                reading.add(f"tella.location.{key}", location.get(key))
        for key in ("latitude", "longitude"):
            if location.get(key) in (None, ""):
                missing.append(f"myLocation.{key}")
    if reading.declared_sha256 is None:
        missing.append("fileHashSHA256")
    if missing:
        reading.problem("field_record_incomplete", "missing field(s) " + ", ".join(missing))


def _tella_from_csv_row(row: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    location: dict[str, str] = {}
    for key, value in row.items():
        key = (key or "").strip()
        if key.startswith("myLocation."):
            location[key.split(".", 1)[1]] = value
        elif key in _TELLA_LOCATION and key != "timestamp":
            location[key] = value
        elif key == "locationTimestamp":
            location["timestamp"] = value
        elif key in ("cells", "wifis"):
            data[key] = [part for part in (value or "").split(";") if part]
        else:
            data[key] = value
    if location:
        data["myLocation"] = location
    return data


# ----------------------------------------------------------------------------- ODK
def _read_audit(reading: _Reading, rows: list[dict[str, str]], header: Sequence[str]) -> None:
    reading.label += " (ODK audit log)"
    reading.hash_expected = False
    reading.messages.append("ODK audit logs carry no file hash")
    reading.add("odk.audit.columns", ",".join(header))
    reading.add("odk.audit.events", len(rows))
    starts: list[int] = []
    ends: list[int] = []
    locations: list[tuple[str, str, str]] = []
    kinds: dict[str, int] = {}
    users: set[str] = set()
    changes = 0
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        event = (row.get("event") or "").strip()
        if not event:
            reading.problem("field_record_corrupt", f"line {number}: column event is empty")
            continue
        kinds[event] = kinds.get(event, 0) + 1
        for column, bucket in (("start", starts), ("end", ends)):
            text = (row.get(column) or "").strip()
            if not text:
                if column == "start":
                    reading.problem("field_record_corrupt", f"line {number}: column start is empty")
                continue
            digits = text.removeprefix("-")
            if not (digits.isascii() and digits.isdigit()):  # "²" is a digit to isdigit()
                reading.problem("field_record_corrupt", f"line {number}: column {column} is not a time in milliseconds ({text[:40]!r})")
                continue
            bucket.append(int(text))
        if (row.get("latitude") or "").strip() and (row.get("longitude") or "").strip():
            locations.append((row["latitude"].strip(), row["longitude"].strip(), (row.get("accuracy") or "").strip()))
        if (row.get("user") or "").strip():
            users.add(row["user"].strip())
        if (row.get("old-value") or "") != (row.get("new-value") or ""):
            changes += 1
    if starts:
        reading.add("odk.audit.first_start_utc", _utc_from_ms(min(starts), what="start"))
        reading.add("odk.audit.last_time_utc", _utc_from_ms(max(starts + ends), what="end"))
    reading.add("odk.audit.event_counts", kinds)
    if locations:
        latitude, longitude, accuracy = locations[0]
        reading.add("odk.audit.first_location.latitude", latitude)
        reading.add("odk.audit.first_location.longitude", longitude)
        reading.add("odk.audit.first_location.accuracy", accuracy)
        reading.add("odk.audit.locations", len(locations))
    if users:
        reading.add("odk.audit.users", sorted(users))
    if "old-value" in header:
        reading.add("odk.audit.changed_answers", changes)
    if not rows:
        reading.problem("field_record_incomplete", "the audit log has a header but no event")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_submission_xml(reading: _Reading, root: Element, filename: str | None) -> None:
    reading.label += " (ODK submission)"
    reading.hash_expected = False
    reading.messages.append("ODK submissions carry no file hash")
    reading.add("odk.submission.form_id", root.get("id"))
    reading.add("odk.submission.form_version", root.get("version"))
    found: dict[str, str] = {}
    listed = False
    for element in root.iter():
        name = _local(element.tag)
        text = (element.text or "").strip()
        if name in ("instanceID", "deprecatedID", "deviceid", "start", "end", "audit", "instanceName") and text:
            found.setdefault(name, text)
        if filename and text == filename:
            listed = True
    for key, field in (("instanceID", "odk.submission.instance_id"), ("deprecatedID", "odk.submission.deprecated_id"),
                       ("deviceid", "odk.submission.device_id"), ("start", "odk.submission.start"),
                       ("end", "odk.submission.end"), ("audit", "odk.submission.audit_file")):
        reading.add(field, found.get(key))
    if filename:
        reading.add("odk.submission.lists_received_file", listed)
    if "instanceID" not in found:
        reading.problem("field_record_incomplete", "missing field meta/instanceID")


def _read_submission_json(reading: _Reading, data: Mapping[str, Any], filename: str | None) -> None:
    reading.label += " (KoBo/ODK JSON submission)"
    reading.hash_expected = False
    reading.messages.append("KoBo/ODK submissions carry no file hash")
    instance = data.get("meta/instanceID") or data.get("instanceID")
    for key, field in (("_uuid", "odk.submission.uuid"), ("deviceid", "odk.submission.device_id"),
                       ("start", "odk.submission.start"), ("end", "odk.submission.end"),
                       ("_submission_time", "odk.submission.received_utc"),
                       ("_xform_id_string", "odk.submission.form_id"), ("__version__", "odk.submission.form_version"),
                       ("_geolocation", "odk.submission.geolocation"), ("_submitted_by", "odk.submission.submitted_by")):
        reading.add(field, data.get(key))
    reading.add("odk.submission.instance_id", instance)
    attachments = data.get("_attachments")
    if isinstance(attachments, list):
        names = [str(a.get("filename", "")).rsplit("/", 1)[-1] for a in attachments if isinstance(a, Mapping)]
        reading.add("odk.submission.attachments", len(names))
        if filename:
            reading.add("odk.submission.lists_received_file", filename in names)
    if not instance:
        reading.problem("field_record_incomplete", "missing field meta/instanceID")


# ----------------------------------------------------------------------------- dispatch
def _read(reading: _Reading, content: bytes, filename: str | None) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not UTF-8 text (byte {exc.start})") from exc
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise _Unreadable(f"not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from exc
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        if not isinstance(data, dict):
            raise _Unreadable("JSON record is not an object")
        if _TELLA_KEYS & data.keys():
            _read_tella(reading, data)
            return "tella"
        if {"meta/instanceID", "instanceID", "_uuid"} & data.keys():
            _read_submission_json(reading, data, filename)
            return "odk_submission"
        raise _Unreadable("JSON object of an unknown format (neither Tella metadata nor an ODK/KoBo submission)")
    if stripped.startswith("<"):
        try:
            root = parse_xml(text.encode("utf-8"))
        except (ParseError, DefusedXmlException) as exc:
            raise _Unreadable(f"not valid XML ({type(exc).__name__}: {exc})") from exc
        _read_submission_xml(reading, root, filename)
        return "odk_submission"
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _Unreadable(f"not valid CSV ({exc})") from exc
    if not rows or not rows[0]:
        raise _Unreadable("empty record")
    header = [h.strip() for h in rows[0]]
    body = [dict(zip(header, row, strict=False)) for row in rows[1:] if any(cell.strip() for cell in row)]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise _Unreadable(f"CSV line {number} has {len(row)} columns, the header {len(header)}")
    if set(_AUDIT_REQUIRED) <= set(header):
        _read_audit(reading, body, header)
        return "odk_audit"
    if _TELLA_KEYS & set(header) or {"myLocation.latitude"} & set(header):
        if len(body) != 1:
            raise _Unreadable(f"Tella CSV record has {len(body)} data rows, expected 1")
        _read_tella(reading, _tella_from_csv_row(body[0]))
        return "tella"
    if "event" in header:
        missing = [c for c in _AUDIT_REQUIRED if c not in header]
        raise _Unreadable(f"audit log header lacks column(s) {', '.join(missing)}")
    raise _Unreadable("CSV of an unknown format (neither Tella metadata nor an ODK audit log)")


def check_field_record(
    record: FieldRecord, *, position: int, sha256: str, filename: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[Finding]]:
    """Read one record received with a file; return (verdict, metadata values, findings).

    ``position`` (1-based) names the record in messages; ``sha256`` is the received bytes'
    digest; ``filename`` the received file name (ODK submissions list their attachments).
    The verdict keeps the record's own bytes (base64) when at most ``MAX_RECORD_BYTES``.
    """
    reading = _Reading(f"field record {position}")
    verdict: dict[str, Any] = {
        "type": "unknown",
        "tool": TOOL,
        "tool_version": TOOL_VERSION,
        "record_name": record.name,
        "record_sha256": hashlib.sha256(record.content).hexdigest(),
        "record_size": len(record.content),
        "declared_sha256": None,
    }
    if len(record.content) > MAX_RECORD_BYTES:
        reading.problem("field_record_unreadable", f"larger than {MAX_RECORD_BYTES} bytes: not read (its SHA-256 is kept)")
        return verdict | {"result": "unreadable", "messages": reading.messages}, [], reading.findings
    verdict["record_base64"] = base64.b64encode(record.content).decode("ascii")
    try:
        verdict["type"] = _read(reading, record.content, filename)
    except _Unreadable as exc:
        reading.problem("field_record_unreadable", str(exc))
        return verdict | {"result": "unreadable", "messages": reading.messages}, [], reading.findings
    declared = reading.declared_sha256
    verdict["declared_sha256"] = declared
    if declared is None:
        result = "absent"
    elif _HEX64.fullmatch(declared) and declared.lower() == sha256:
        result = "match"
    else:
        result = "mismatch"
        detail = "is not a SHA-256 in hexadecimal" if not _HEX64.fullmatch(declared) else "differs from the received bytes"
        reading.problem("field_record_hash_mismatch", f"declared fileHashSHA256 {detail}")
    return verdict | {"result": result, "messages": reading.messages}, reading.values, reading.findings
