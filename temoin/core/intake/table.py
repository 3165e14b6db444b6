"""Generic tables (CSV, XLSX) and Uwazi CSV exports, read through a :class:`MappingProfile`.

``iter_table(path, profile)`` streams :class:`ParsedRow`/:class:`QuarantinedRow`;
``dry_run(path, profile)`` reads the whole file the same way but keeps only counts, reasons
and a few samples, so an analyst sees what *would* happen before anything is written.
``iter_uwazi(path, profile)`` reads Uwazi's export layout (``Title``, ``Date added``,
``Template``, the template's properties, ``Geolocation`` as ``lat|lon``, ``Documents``,
``Attachments``, ``Published``; multi-values joined by ``|``; date ranges ``from ~ to``).
Uwazi exports carry no entity id: map a *Generated ID* property to ``upstream_id``.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from temoin.core.intake.errors import EmptyFileError, FileFormatError, UnreadableFileError
from temoin.core.intake.fingerprint import record_fingerprint
from temoin.core.intake.profile import MappingProfile, validate_profile
from temoin.core.intake.records import (
    ActClaim,
    ActorName,
    CasualtyClaim,
    DatePrecision,
    EventRecord,
    LocationClaim,
    ParsedRow,
    QuarantinedRow,
    RowResult,
    SourceRecord,
)
from temoin.core.intake.tabular import quarantine_duplicates
from temoin.core.intake.textio import iter_csv_records, parse_date

__all__ = ["DryRunReport", "dry_run", "iter_table", "iter_uwazi", "uwazi_profile"]

UWAZI_COMMON_COLUMNS = ("Title", "Date added", "Template")


class _Problem(Exception):
    def __init__(self, field: str, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.reason_code, self.detail = field, reason_code, detail


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_records(path: Path, sheet: str | None, name: str) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise FileFormatError(
            f"not a readable XLSX workbook ({error})", source_name=name
        ) from error
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise FileFormatError(f"no sheet named {sheet!r}", source_name=name)
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        for row_number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                yield row_number, cells
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as error:
        raise FileFormatError(f"damaged XLSX workbook ({error})", source_name=name) from error
    finally:
        workbook.close()


def _records(path: Path, profile: MappingProfile, name: str) -> Iterator[tuple[int, list[str]]]:
    if not path.is_file():
        raise UnreadableFileError("cannot open the file (missing or not a file)", source_name=name)
    if path.stat().st_size == 0:
        raise EmptyFileError("the file is empty", source_name=name)
    if path.suffix.casefold() in {".xlsx", ".xlsm"}:
        return _xlsx_records(path, profile.sheet, name)
    return iter_csv_records(path, source_name=name)


def _header_and_rows(
    path: Path, profile: MappingProfile, name: str
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    records = _records(path, profile, name)
    for row_number, cells in records:
        if row_number >= profile.header_row:
            return [cell.strip() for cell in cells], records
    raise EmptyFileError(f"no header at row {profile.header_row}", source_name=name)


def _date(text: str, profile: MappingProfile, column: str) -> dt.date:
    value = text.strip()
    if profile.date_style == "month_first" and value.count("/") == 2:
        month, day, year = value.split("/")
        value = f"{day}/{month}/{year}"
    try:
        return parse_date(value, allow_excel_serial=profile.excel_serial_dates)
    except ValueError as error:
        raise _Problem(column, "bad_date", str(error)) from None


def _number(text: str, column: str, *, limit: float | None = None) -> float:
    try:
        number = float(text.strip().replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise _Problem(column, "bad_number", f"{text!r} is not a number") from None
    if number != number or (limit is not None and abs(number) > limit):
        raise _Problem(column, "bad_coordinate", f"{text!r} is outside ±{limit:g}")
    return number


def _count(text: str, column: str) -> int:
    number = _number(text, column)
    if number < 0 or not number.is_integer():
        raise _Problem(column, "bad_number", f"{text!r} is not a whole number ≥ 0")
    return int(number)


class _RowReader:
    def __init__(self, profile: MappingProfile, header: list[str], source_format: str) -> None:
        self.profile = profile
        self.header = header
        self.source_format = source_format
        folded = {column.casefold(): column for column in header}
        self.column_of: dict[str, str | tuple[str, ...]] = {}
        for target, column in profile.columns.items():
            if isinstance(column, tuple):
                self.column_of[target] = tuple(folded[c.strip().casefold()] for c in column)
            else:
                self.column_of[target] = folded[column.strip().casefold()]
        self.act_values = {k.strip().casefold(): v for k, v in profile.act_type_values.items()}
        self.codes = set(profile.act_type_values.values())

    def text(self, raw: Mapping[str, str], target: str) -> str | None:
        column = self.column_of.get(target)
        if not isinstance(column, str):
            return None
        return (raw.get(column) or "").strip() or None

    def split(self, value: str) -> list[str]:
        for separator in ("|", self.profile.list_separator):
            value = value.replace(separator, "\u0000")
        return [part.strip() for part in value.split("\u0000") if part.strip()]

    def dates(self, raw: Mapping[str, str]) -> tuple[dt.date, dt.date]:
        single = self.text(raw, "date")
        if "date" in self.column_of:
            column = str(self.column_of["date"])
            if single is None:
                raise _Problem(column, "missing_value", "empty")
            if "~" in single:
                first, _, last = single.partition("~")
                return _date(first, self.profile, column), _date(last, self.profile, column)
            day = _date(single, self.profile, column)
            return day, day
        start_column = str(self.column_of["date_start"])
        start_text = self.text(raw, "date_start")
        if start_text is None:
            raise _Problem(start_column, "missing_value", "empty")
        start = _date(start_text, self.profile, start_column)
        end_text = self.text(raw, "date_end")
        end = _date(end_text, self.profile, str(self.column_of["date_end"])) if end_text else start
        if end < start:
            raise _Problem(
                str(self.column_of["date_end"]), "bad_range", "end date before start date"
            )
        return start, end

    def coordinates(self, raw: Mapping[str, str]) -> tuple[float | None, float | None]:
        if "geolocation" in self.column_of:
            text = self.text(raw, "geolocation")
            if text is None:
                return None, None
            column = str(self.column_of["geolocation"])
            parts = [p for p in text.replace(";", "|").replace(",", "|").split("|") if p.strip()]
            if len(parts) < 2:
                raise _Problem(column, "bad_coordinate", f"{text!r} is not 'lat|lon'")
            return _number(parts[0], column, limit=90), _number(parts[1], column, limit=180)
        lat_text, lon_text = self.text(raw, "latitude"), self.text(raw, "longitude")
        if lat_text is None and lon_text is None:
            return None, None
        if lat_text is None or lon_text is None:
            raise _Problem(str(self.column_of["latitude"]), "bad_coordinate", "only one coordinate")
        return (_number(lat_text, str(self.column_of["latitude"]), limit=90),
                _number(lon_text, str(self.column_of["longitude"]), limit=180))  # fmt: skip

    def acts(self, raw: Mapping[str, str]) -> tuple[tuple[ActClaim, ...], list[str]]:
        text, warnings = self.text(raw, "act_type"), []
        labels = self.split(text) if text else []
        acts = []
        for label in labels:
            code = self.act_values.get(label.casefold())
            if code is None and label in self.codes:
                code = label
            if code is None and self.profile.default_act_type:
                code = self.profile.default_act_type
                warnings.append(f"act label {label!r} not in the profile: default used")
            if code is None:
                column = str(self.column_of["act_type"])
                raise _Problem(
                    column, "unknown_act_type", f"{label!r} is not mapped by the profile"
                )
            acts.append(ActClaim(code, upstream_type=label))
        if not labels and self.profile.default_act_type:
            acts.append(ActClaim(self.profile.default_act_type, upstream_type="(profile default)"))
        return tuple(acts), warnings

    def casualties(self, raw: Mapping[str, str]) -> tuple[CasualtyClaim, ...]:
        claims, by = [], self.profile.claimed_by
        killed = self.text(raw, "killed")
        if killed is not None:
            count = _count(killed, str(self.column_of["killed"]))
            claims.append(CasualtyClaim("killed", count, count, count, by))
        low, high = self.text(raw, "killed_min"), self.text(raw, "killed_max")
        if low is not None or high is not None:
            low_count = _count(low or high or "", str(self.column_of["killed_min"]))
            high_count = _count(high or low or "", str(self.column_of["killed_max"]))
            if high_count < low_count:
                raise _Problem(str(self.column_of["killed_max"]), "bad_range", "max below min")
            claims.append(CasualtyClaim("killed", low_count, high_count, None, by))
        injured = self.text(raw, "injured")
        if injured is not None:
            count = _count(injured, str(self.column_of["injured"]))
            claims.append(CasualtyClaim("injured", count, count, count, by))
        return tuple(claims)

    def convert(self, row_number: int, cells: list[str]) -> RowResult:
        if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header) :]):
            return QuarantinedRow(self.source_format, row_number, None, "bad_shape",
                                  f"row {row_number}: {len(cells)} cells, header has {len(self.header)}",
                                  {f"column_{i + 1}": c for i, c in enumerate(cells)})  # fmt: skip
        raw = {column: (cells[i] if i < len(cells) else "") for i, column in enumerate(self.header)}
        upstream_id = self.text(raw, "upstream_id")
        try:
            start, end = self.dates(raw)
            latitude, longitude = self.coordinates(raw)
            acts, warnings = self.acts(raw)
            casualties = self.casualties(raw)
        except _Problem as problem:
            return QuarantinedRow(self.source_format, row_number, problem.field, problem.reason_code,
                                  f"row {row_number}: field {problem.field!r}: {problem.detail}",
                                  raw, upstream_id)  # fmt: skip
        actors = tuple(
            ActorName(name=name, role=column)
            for column in self.column_of.get("actors", ())
            for name in self.split(raw.get(column, ""))
        )
        tags_text = self.text(raw, "tags")
        source = SourceRecord(
            source_kind=self.profile.source_kind,
            upstream_id=upstream_id,
            title=self.text(raw, "title"),
            source_text=self.text(raw, "source_text") or self.profile.claimed_by,
            url=self.text(raw, "url"),
        )
        event = EventRecord(
            date_start=start,
            date_end=end,
            date_precision=DatePrecision("day" if start == end else "range"),
            location=LocationClaim(
                name=self.text(raw, "location"),
                admin1=self.text(raw, "admin1"),
                admin2=self.text(raw, "admin2"),
                admin3=self.text(raw, "admin3"),
                latitude=latitude,
                longitude=longitude,
            ),
            description=self.text(raw, "description"),
            acts=acts,
            actors=actors,
            casualties=casualties,
            tags=tuple(self.split(tags_text)) if tags_text else (),
        )
        return ParsedRow(self.source_format, row_number, upstream_id, source, event,
                         record_fingerprint(source, event), raw, tuple(warnings))  # fmt: skip


def _format_name(path: Path, profile: MappingProfile) -> str:
    if profile.source_kind == "uwazi":
        return "uwazi_csv"
    return "table_xlsx" if path.suffix.casefold() in {".xlsx", ".xlsm"} else "table_csv"


def iter_table(
    path: str | os.PathLike[str],
    profile: MappingProfile,
    *,
    source_name: str | None = None,
    detect_duplicates: bool = True,
) -> Iterator[RowResult]:
    """Stream a CSV or XLSX table through ``profile``.

    The header is read and checked against the profile on call: a missing column raises a
    :class:`~temoin.core.intake.errors.ProfileError` naming every missing column.
    """
    from temoin.core.intake.errors import ProfileError

    file_path = Path(path)
    name = source_name or file_path.name
    header, records = _header_and_rows(file_path, profile, name)
    problems = validate_profile(profile, header=header)
    if problems:
        raise ProfileError(problems, source_name=name)
    reader = _RowReader(profile, header, _format_name(file_path, profile))

    def results() -> Iterator[RowResult]:
        for row_number, cells in records:
            if any(cell.strip() for cell in cells):
                yield reader.convert(row_number, cells)

    return quarantine_duplicates(
        results(),
        id_field=str(profile.columns.get("upstream_id", "upstream_id")),
        enabled=detect_duplicates,
    )


@dataclass(frozen=True)
class DryRunReport:
    """What an import *would* do: no record is kept beyond the samples."""

    source_name: str
    header: tuple[str, ...]
    problems: tuple[str, ...]
    total_rows: int
    parsed_rows: int
    quarantined_rows: int
    quarantine_reasons: Mapping[str, int]
    sample_parsed: tuple[ParsedRow, ...]
    sample_quarantined: tuple[QuarantinedRow, ...]

    @property
    def ok(self) -> bool:
        """True when the profile fits the file (rows may still be quarantined)."""
        return not self.problems


def dry_run(
    path: str | os.PathLike[str],
    profile: MappingProfile,
    *,
    sample_size: int = 5,
    source_name: str | None = None,
) -> DryRunReport:
    """Read the whole file through ``profile`` and report, keeping only samples.

    Profile problems (including columns missing from the file) are *reported*, not raised,
    so a user can fix them all at once; file-level errors still raise.
    """
    file_path = Path(path)
    name = source_name or file_path.name
    header, _ = _header_and_rows(file_path, profile, name)
    problems = validate_profile(profile, header=header)
    if problems:
        return DryRunReport(name, tuple(header), tuple(problems), 0, 0, 0, {}, (), ())
    parsed: list[ParsedRow] = []
    quarantined: list[QuarantinedRow] = []
    reasons: Counter[str] = Counter()
    total = parsed_count = 0
    for result in iter_table(file_path, profile, source_name=name):
        total += 1
        if isinstance(result, ParsedRow):
            parsed_count += 1
            if len(parsed) < sample_size:
                parsed.append(result)
        else:
            reasons[result.reason_code] += 1
            if len(quarantined) < sample_size:
                quarantined.append(result)
    return DryRunReport(name, tuple(header), (), total, parsed_count, total - parsed_count,
                        dict(reasons), tuple(parsed), tuple(quarantined))  # fmt: skip


def uwazi_profile(
    *,
    name: str,
    claimed_by: str,
    columns: Mapping[str, str | tuple[str, ...]],
    act_type_values: Mapping[str, str] | None = None,
    default_act_type: str | None = None,
) -> MappingProfile:
    """A profile for an Uwazi export: ``Title`` → title and ``Geolocation`` → coordinates
    unless ``columns`` says otherwise; dates are Uwazi's default ``YYYY-MM-DD``."""
    merged: dict[str, str | tuple[str, ...]] = {"title": "Title", "geolocation": "Geolocation"}
    merged.update(columns)
    if "latitude" in merged:
        merged.pop("geolocation", None)
    return MappingProfile(
        name=name,
        columns=merged,
        claimed_by=claimed_by,
        act_type_values=dict(act_type_values or {}),
        default_act_type=default_act_type,
        list_separator="|",
        source_kind="uwazi",
    )


def iter_uwazi(
    path: str | os.PathLike[str],
    profile: MappingProfile,
    *,
    source_name: str | None = None,
    detect_duplicates: bool = True,
) -> Iterator[RowResult]:
    """Stream an Uwazi CSV export; refuses a file without Uwazi's common columns."""
    file_path = Path(path)
    name = source_name or file_path.name
    header, _ = _header_and_rows(file_path, profile, name)
    missing = [
        c for c in UWAZI_COMMON_COLUMNS if c.casefold() not in {h.casefold() for h in header}
    ]
    if missing:
        raise FileFormatError(
            f"not an Uwazi export: missing {', '.join(missing)}", source_name=name
        )
    if profile.source_kind != "uwazi":
        profile = replace(profile, source_kind="uwazi")
    return iter_table(file_path, profile, source_name=name, detect_duplicates=detect_duplicates)
