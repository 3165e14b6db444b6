"""OpenRosa documents and plain submissions, for ODK Collect, KoboCollect and Tella.

Builders for the XML the server sends (form list, form manifest, submission response) and a
parser for the XML a device submits. HTTP, authentication and storage belong to the web
layer; these functions only make and read documents. A parsed incident or testimony
submission becomes a :class:`ParsedRow` (upstream id = ``meta/instanceID``) through
:func:`submission_to_row`, or a :class:`QuarantinedRow` naming the field at fault.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass

from temoin.core.intake.errors import SubmissionError
from temoin.core.intake.fingerprint import record_fingerprint
from temoin.core.intake.odk.xmlsafe import local_name, parse_untrusted_xml
from temoin.core.intake.records import (
    ActClaim,
    CasualtyClaim,
    DatePrecision,
    EventRecord,
    LocationClaim,
    ParsedRow,
    QuarantinedRow,
    RowResult,
    SourceRecord,
)
from temoin.core.intake.textio import parse_date

__all__ = [
    "FormListEntry",
    "MediaFile",
    "OPENROSA_HEADERS",
    "Submission",
    "form_list_xml",
    "manifest_xml",
    "md5_hash",
    "parse_submission",
    "submission_response_xml",
    "submission_to_row",
]

OPENROSA_HEADERS = {"X-OpenRosa-Version": "1.0"}
_XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
_MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
_RESPONSE_NS = "http://openrosa.org/http/response"


def md5_hash(content: bytes) -> str:
    """OpenRosa's hash notation: ``md5:<hex>``."""
    return "md5:" + hashlib.md5(content).hexdigest()  # noqa: S324  # the protocol uses MD5


@dataclass(frozen=True, slots=True)
class FormListEntry:
    """One form offered to devices."""

    form_id: str
    name: str
    version: str
    xform: bytes  # for the hash
    download_url: str
    manifest_url: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class MediaFile:
    """One media file of a form manifest."""

    filename: str
    content: bytes
    download_url: str


def _serialise(root: ElementTree.Element) -> bytes:
    ElementTree.indent(root)
    return bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=True))


def form_list_xml(forms: Sequence[FormListEntry]) -> bytes:
    """The OpenRosa form-list document (``GET /formList``)."""
    root = ElementTree.Element("xforms", xmlns=_XFORMS_LIST_NS)
    for form in forms:
        item = ElementTree.SubElement(root, "xform")
        ElementTree.SubElement(item, "formID").text = form.form_id
        ElementTree.SubElement(item, "name").text = form.name
        ElementTree.SubElement(item, "version").text = form.version
        ElementTree.SubElement(item, "hash").text = md5_hash(form.xform)
        if form.description:
            ElementTree.SubElement(item, "descriptionText").text = form.description
        ElementTree.SubElement(item, "downloadUrl").text = form.download_url
        if form.manifest_url:
            ElementTree.SubElement(item, "manifestUrl").text = form.manifest_url
    return _serialise(root)


def manifest_xml(files: Sequence[MediaFile]) -> bytes:
    """The OpenRosa form-manifest document listing a form's media files."""
    root = ElementTree.Element("manifest", xmlns=_MANIFEST_NS)
    for media in files:
        item = ElementTree.SubElement(root, "mediaFile")
        ElementTree.SubElement(item, "filename").text = media.filename
        ElementTree.SubElement(item, "hash").text = md5_hash(media.content)
        ElementTree.SubElement(item, "downloadUrl").text = media.download_url
    return _serialise(root)


def submission_response_xml(message: str, *, nature: str = "submit_success") -> bytes:
    """The ``OpenRosaResponse`` body returned after a submission (201 or error)."""
    root = ElementTree.Element("OpenRosaResponse", xmlns=_RESPONSE_NS)
    ElementTree.SubElement(root, "message", nature=nature).text = message
    return _serialise(root)


@dataclass(frozen=True, slots=True)
class Submission:
    """A plain (decrypted) submission: ``fields`` maps slash paths under the root to text.

    Repeated paths keep the first value in ``fields`` and all values in ``repeats``.
    ``deprecated_id`` is set when the submission edits an earlier one.
    """

    form_id: str
    version: str | None
    instance_id: str
    deprecated_id: str | None
    fields: dict[str, str]
    repeats: dict[str, tuple[str, ...]]


def parse_submission(xml: bytes) -> Submission:
    """Parse a device's submission XML (raise :class:`SubmissionError` if unusable)."""
    root = parse_untrusted_xml(xml, what="submission")
    if root.get("encrypted", "").casefold() == "yes":
        raise SubmissionError("this is an encrypted-submission manifest: decrypt it first")
    form_id = root.get("id")
    if not form_id:
        raise SubmissionError("the submission root has no form id", field="id")
    fields: dict[str, str] = {}
    repeats: dict[str, list[str]] = {}

    def walk(element: ElementTree.Element, prefix: str) -> None:
        for child in element:
            path = f"{prefix}{local_name(child.tag)}"
            if len(child):
                walk(child, path + "/")
            else:
                text = (child.text or "").strip()
                repeats.setdefault(path, []).append(text)
                fields.setdefault(path, text)

    walk(root, "")
    instance_id = fields.get("meta/instanceID") or fields.get("meta/instanceId")
    if not instance_id:
        raise SubmissionError("the submission has no meta/instanceID", field="meta/instanceID")
    return Submission(
        form_id=form_id,
        version=root.get("version") or None,
        instance_id=instance_id,
        deprecated_id=fields.get("meta/deprecatedID") or None,
        fields=fields,
        repeats={path: tuple(values) for path, values in repeats.items() if len(values) > 1},
    )


def _field(submission: Submission, name: str) -> str | None:
    for path, value in submission.fields.items():
        if (path == name or path.endswith("/" + name)) and value:
            return value
    return None


class _Problem(Exception):
    def __init__(self, field: str, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.reason_code, self.detail = field, reason_code, detail


def _count(submission: Submission, name: str) -> int | None:
    value = _field(submission, name)
    if value is None:
        return None
    if not value.isdigit():
        raise _Problem(name, "bad_number", f"{value!r} is not a whole number ≥ 0")
    return int(value)


def submission_to_row(submission: Submission, *, claimed_by: str = "field monitor") -> RowResult:
    """Turn an incident/testimony submission into a candidate event (never verified).

    Reads ``incident_date``, ``date_precision``, ``location_name``, ``region``, ``cercle``,
    ``commune``, ``gps``, ``act_types``, ``killed_min``/``killed_max`` (or
    ``victims_min``/``victims_max``), ``injured`` and ``description`` (or ``account``).
    The raw fields are kept verbatim in the row; messages never quote free text.
    """
    raw = dict(submission.fields)
    try:
        date_text = _field(submission, "incident_date")
        if date_text is None:
            raise _Problem("incident_date", "missing_value", "empty")
        try:
            date = parse_date(date_text)
        except ValueError:
            raise _Problem("incident_date", "bad_date", "not a date") from None
        latitude = longitude = None
        gps = _field(submission, "gps")
        if gps:
            parts = gps.split()
            try:
                latitude, longitude = float(parts[0]), float(parts[1])
            except (IndexError, ValueError):
                raise _Problem("gps", "bad_coordinate", "not 'lat lon [alt acc]'") from None
            if abs(latitude) > 90 or abs(longitude) > 180:
                raise _Problem("gps", "bad_coordinate", "out of range")
        low = _count(submission, "killed_min")
        high = _count(submission, "killed_max")
        if low is None and high is None:
            low, high = _count(submission, "victims_min"), _count(submission, "victims_max")
        injured = _count(submission, "injured")
    except _Problem as problem:
        return QuarantinedRow(f"odk:{submission.form_id}", 1, problem.field, problem.reason_code,
                              f"submission {submission.instance_id}: field {problem.field!r}: {problem.detail}",
                              raw, submission.instance_id)  # fmt: skip
    casualties: list[CasualtyClaim] = []
    if low is not None or high is not None:
        low_value = low if low is not None else high or 0
        high_value = high if high is not None else low_value
        casualties.append(
            CasualtyClaim(
                "killed", min(low_value, high_value), max(low_value, high_value), None, claimed_by
            )
        )
    if injured is not None:
        casualties.append(CasualtyClaim("injured", injured, injured, injured, claimed_by))
    precision = _field(submission, "date_precision") or "unknown"
    source = SourceRecord(source_kind="odk", upstream_id=submission.instance_id,
                          title=f"{submission.form_id} {submission.instance_id}",
                          source_text=_field(submission, "source_type") or _field(submission, "witness_role"))  # fmt: skip
    event = EventRecord(
        date_start=date,
        date_end=date,
        date_precision=DatePrecision(precision, upstream_code=precision),
        location=LocationClaim(
            name=_field(submission, "location_name"),
            admin1=_field(submission, "region"),
            admin2=_field(submission, "cercle"),
            admin3=_field(submission, "commune"),
            latitude=latitude,
            longitude=longitude,
            geo_precision_level="exact" if gps else "unknown",
        ),
        description=_field(submission, "description") or _field(submission, "account"),
        acts=tuple(
            ActClaim(code, upstream_type=code)
            for code in (_field(submission, "act_types") or "").split()
        ),
        casualties=tuple(casualties),
    )
    return ParsedRow(f"odk:{submission.form_id}", 1, submission.instance_id, source, event,
                     record_fingerprint(source, event), raw)  # fmt: skip
