"""ODK Central and KoboToolbox exports: a CSV, or a ZIP holding the CSV and the media files.

Column names are the form's field paths, with groups joined by ``-`` (ODK Central) or ``/``
(KoBo); both become ``/`` paths so that :func:`submission_to_row` reads them like a device
submission. The submission id is ``meta/instanceID`` (or Central's ``KEY``, or KoBo's
``_uuid``, prefixed ``uuid:``). Geopoints split into ``gps-Latitude``/``gps-Longitude``
(Central) or ``_gps_latitude``/``_gps_longitude`` (KoBo) are joined back. In a ZIP, the main
CSV is the top-level CSV with the shortest name (Central names repeat-group CSVs
``<form>-<group>.csv``); every other file is an attachment, found by its base name. A row
that names an attachment missing from the ZIP gets a warning (the row is kept).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from temoin.core.intake.errors import FileFormatError, UnreadableFileError
from temoin.core.intake.odk.openrosa import Submission, submission_to_row
from temoin.core.intake.records import QuarantinedRow, RowResult
from temoin.core.intake.tabular import quarantine_duplicates
from temoin.core.intake.textio import iter_csv_records, iter_csv_stream

__all__ = ["export_attachments", "iter_odk_export", "read_export_attachment"]

_MEDIA_SUFFIXES = (".jpg", ".jpeg", ".png", ".m4a", ".amr", ".mp3", ".mp4", ".3gp", ".wav",
                   ".pdf", ".ogg", ".webm", ".heic")  # fmt: skip


def _open_zip(path: Path, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
        bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise FileFormatError(
            f"truncated or damaged ZIP archive ({error})", source_name=name
        ) from error
    if bad is not None:
        archive.close()
        raise FileFormatError(f"damaged member {bad!r} in the ZIP archive", source_name=name)
    return archive


def _main_csv(archive: zipfile.ZipFile, name: str) -> str:
    candidates = [
        info.filename
        for info in archive.infolist()
        if info.filename.casefold().endswith(".csv") and "/" not in info.filename.strip("/")
    ]
    if not candidates:
        raise FileFormatError("the ZIP archive holds no top-level CSV export", source_name=name)
    return min(candidates, key=lambda member: (len(member), member))


def export_attachments(path: str | os.PathLike[str]) -> dict[str, str]:
    """Base name → member path of every non-CSV file in an export ZIP (empty for a CSV)."""
    file_path = Path(path)
    if not zipfile.is_zipfile(file_path):
        return {}
    with _open_zip(file_path, file_path.name) as archive:
        return {
            PurePosixPath(info.filename).name: info.filename
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.casefold().endswith(".csv")
        }


def read_export_attachment(path: str | os.PathLike[str], member: str) -> bytes:
    """The bytes of one attachment of an export ZIP (``member`` from :func:`export_attachments`)."""
    file_path = Path(path)
    with _open_zip(file_path, file_path.name) as archive:
        try:
            return archive.read(member)
        except KeyError:
            raise FileFormatError(
                f"no member {member!r} in the archive", source_name=file_path.name
            ) from None


def _fields(header: list[str], cells: list[str]) -> dict[str, str]:
    """Field paths → values; split geopoint columns are joined back as ``"lat lon"``."""
    fields = {
        column.strip().replace("-", "/"): value.strip()
        for column, value in zip(header, cells, strict=False)
    }
    for path in list(fields):
        if path.endswith("/Latitude"):  # ODK Central: gps-Latitude, gps-Longitude
            stem = path.removesuffix("/Latitude")
            longitude = fields.get(f"{stem}/Longitude")
        elif path.startswith("_") and path.endswith("_latitude"):  # KoBo: _gps_latitude
            stem = path[1:].removesuffix("_latitude")
            longitude = fields.get(f"_{stem}_longitude")
        else:
            continue
        if fields[path] and longitude and not fields.get(stem):
            fields[stem] = f"{fields[path]} {longitude}"
    return fields


def _instance_id(fields: dict[str, str]) -> str | None:
    for key in ("meta/instanceID", "KEY", "instanceID", "_uuid"):
        value = fields.get(key)
        if value:
            return value if value.startswith("uuid:") or key != "_uuid" else f"uuid:{value}"
    return None


def iter_odk_export(
    path: str | os.PathLike[str],
    *,
    form_id: str | None = None,
    claimed_by: str = "field monitor",
    source_name: str | None = None,
    detect_duplicates: bool = True,
) -> Iterator[RowResult]:
    """Stream an ODK Central / KoBo export (CSV or ZIP) as parsed or quarantined rows.

    ``form_id`` defaults to the CSV's file name without extension. A damaged or truncated
    ZIP, or one without a CSV, raises :class:`FileFormatError` before any row is yielded.
    """
    file_path = Path(path)
    name = source_name or file_path.name
    if not file_path.is_file():
        raise UnreadableFileError("cannot open the file (missing or not a file)", source_name=name)
    attachments: dict[str, str] = {}
    is_zip = zipfile.is_zipfile(file_path) or file_path.suffix.casefold() == ".zip"
    if is_zip:
        archive = _open_zip(file_path, name)
        member = _main_csv(archive, name)
        attachments = {
            PurePosixPath(info.filename).name: info.filename
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.casefold().endswith(".csv")
        }
        archive.close()

        def opener() -> BinaryIO:
            return cast(BinaryIO, zipfile.ZipFile(file_path).open(member))

        records = iter_csv_stream(opener, source_name=f"{name}:{member}")
        form = form_id or PurePosixPath(member).stem
    else:
        records = iter_csv_records(file_path, source_name=name)
        form = form_id or file_path.stem
    first = next(records, None)
    if first is None:
        raise FileFormatError("no header row", source_name=name)
    header = first[1]
    has_id = any(
        c.strip().replace("-", "/") in {"meta/instanceID", "KEY", "instanceID", "_uuid"}
        for c in header
    )
    if not has_id:
        raise FileFormatError(
            "not an ODK Central/KoBo export: no meta-instanceID, KEY or _uuid column",
            source_name=name,
        )

    def results() -> Iterator[RowResult]:
        for row_number, cells in records:
            fields = _fields(header, cells)
            instance_id = _instance_id(fields)
            if instance_id is None:
                yield QuarantinedRow(f"odk_export:{form}", row_number, "meta/instanceID", "missing_id",
                                     f"row {row_number}: field 'meta/instanceID': empty", fields)  # fmt: skip
                continue
            submission = Submission(form, None, instance_id, fields.get("meta/deprecatedID") or None,
                                    fields, {})  # fmt: skip
            result = submission_to_row(submission, claimed_by=claimed_by)
            if isinstance(result, QuarantinedRow):
                yield replace(result, source_format=f"odk_export:{form}", row_number=row_number,
                              message=result.message.replace(f"submission {instance_id}", f"row {row_number}"))  # fmt: skip
                continue
            missing = sorted(
                value
                for value in fields.values()
                if is_zip and value.casefold().endswith(_MEDIA_SUFFIXES) and "/" not in value
                and value not in attachments
            )  # fmt: skip
            warnings = tuple(
                f"attachment {value!r} is referenced but not in the export" for value in missing
            )
            yield replace(result, source_format=f"odk_export:{form}", row_number=row_number,
                          warnings=result.warnings + warnings)  # fmt: skip

    return quarantine_duplicates(results(), id_field="meta/instanceID", enabled=detect_duplicates)
