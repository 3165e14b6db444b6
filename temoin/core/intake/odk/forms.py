"""Build the field forms: XLSForm workbooks (for KoBo/ODK Central) and XForms (via pyxform).

``build_xform("temoin_incident", public_key=..., submission_url=...)`` returns the XForm XML
that ODK Collect, KoboCollect and Tella download. With ``public_key`` (base64 DER of the
organisation's RSA public key, as in the XLSForm ``settings`` sheet) the form is an
*encrypted form*: devices encrypt each finalised submission (see :mod:`.crypto`).
``write_xlsform`` writes the same definition as an ``.xlsx`` workbook.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from temoin.core.intake.errors import FileFormatError
from temoin.core.intake.odk.form_definitions import FORM_DEFINITIONS, FORM_VERSION

__all__ = ["FORM_IDS", "build_xform", "form_workbook", "write_xlsform"]

FORM_IDS = tuple(FORM_DEFINITIONS)
_SHEETS = ("survey", "choices", "settings")


def form_workbook(
    form_id: str,
    *,
    public_key: str | None = None,
    submission_url: str | None = None,
    version: str = FORM_VERSION,
) -> dict[str, list[dict[str, Any]]]:
    """The XLSForm as ``{sheet: [row dict]}`` (the shape pyxform and openpyxl both take)."""
    if form_id not in FORM_DEFINITIONS:
        raise FileFormatError(f"unknown form {form_id!r}; known: {', '.join(FORM_IDS)}")
    definition = FORM_DEFINITIONS[form_id]
    settings: dict[str, Any] = {
        "form_title": f"{definition['title_fr']} / {definition['title_en']}",
        "form_id": form_id,
        "version": version,
        "default_language": "Français (fr)",
        "instance_name": "concat('" + form_id + "-', ${incident_date})",
    }
    if public_key:
        settings["public_key"] = public_key
    if submission_url:
        settings["submission_url"] = submission_url
    return {
        "survey": [dict(row) for row in definition["survey"]],
        "choices": [dict(row) for row in definition["choices"]],
        "settings": [settings],
    }


def build_xform(
    form_id: str,
    *,
    public_key: str | None = None,
    submission_url: str | None = None,
    version: str = FORM_VERSION,
) -> str:
    """Convert the form to XForm XML with pyxform (raises ``FileFormatError`` on failure)."""
    workbook = form_workbook(
        form_id, public_key=public_key, submission_url=submission_url, version=version
    )
    try:
        return str(convert(xlsform=workbook, pretty_print=True).xform)
    except PyXFormError as error:
        raise FileFormatError(f"pyxform refused form {form_id!r}: {error}") from error


def write_xlsform(form_id: str, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write the form as an XLSForm ``.xlsx`` workbook; returns the path."""
    from openpyxl import Workbook

    workbook_data = form_workbook(form_id, **options)
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    for sheet in _SHEETS:
        rows = workbook_data[sheet]
        columns: list[str] = []
        for row in rows:
            columns += [key for key in row if key not in columns]
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(columns)
        for row in rows:
            worksheet.append([row.get(column, "") for column in columns])
    target = Path(path)
    workbook.save(target)
    return target
