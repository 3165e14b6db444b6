"""UCDP GED CSV parser (Uppsala Conflict Data Program, Georeferenced Event Dataset).

Each GED event becomes a source ("UCDP GED", with the ``source_article`` text) and a
candidate event whose fatalities are a *claim range* by UCDP: ``low``…``high`` with ``best``
(a row where low ≤ best ≤ high does not hold is quarantined). ``type_of_violence`` maps to an
act type (1 state-based and 2 non-state conflict → armed_clash; 3 one-sided violence →
attack_on_civilians); side_a/side_b are actor names. Precision codes are kept verbatim.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from temoin.core.intake.fingerprint import record_fingerprint
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
from temoin.core.intake.tabular import iter_dict_rows, quarantine_duplicates
from temoin.core.intake.textio import parse_date

__all__ = ["UCDP_ATTRIBUTION", "UCDP_REQUIRED_COLUMNS", "UCDP_VIOLENCE_TYPES", "iter_ucdp"]

UCDP_ATTRIBUTION = "UCDP Georeferenced Event Dataset (GED); ucdp.uu.se"
UCDP_REQUIRED_COLUMNS = ("id", "date_start", "date_end", "type_of_violence", "best", "low", "high")
UCDP_VIOLENCE_TYPES = {
    "1": ("armed_clash", "state-based conflict"),
    "2": ("armed_clash", "non-state conflict"),
    "3": ("attack_on_civilians", "one-sided violence"),
}
_DATE_PRECISION = {"1": "day", "2": "range", "3": "week", "4": "month", "5": "range"}
_WHERE_PRECISION = {"1": "exact", "2": "near", "3": "region", "4": "region", "5": "region",
                    "6": "unknown", "7": "unknown"}  # fmt: skip


class _Problem(Exception):
    def __init__(self, field: str, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.reason_code, self.detail = field, reason_code, detail


def _text(raw: Mapping[str, str], column: str) -> str | None:
    value = (raw.get(column) or "").strip()
    return value or None


def _int(raw: Mapping[str, str], column: str) -> int:
    value = _text(raw, column)
    try:
        number = float(value) if value is not None else None
    except ValueError:
        number = None
    if number is None or not math.isfinite(number) or number != int(number) or number < 0:
        raise _Problem(column, "bad_number", f"{value!r} is not a whole number ≥ 0")
    return int(number)


def _float(raw: Mapping[str, str], column: str, limit: float) -> float | None:
    value = _text(raw, column)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise _Problem(column, "bad_coordinate", f"{value!r} is not a number") from None
    if not -limit <= number <= limit:
        raise _Problem(column, "bad_coordinate", f"{value!r} is outside ±{limit:g}")
    return number


def _date(raw: Mapping[str, str], column: str) -> dt.date:
    value = _text(raw, column) or ""
    try:
        return parse_date(value)
    except ValueError as error:
        raise _Problem(column, "bad_date", str(error)) from None


def _convert(raw: dict[str, str], row_number: int) -> RowResult:
    upstream_id = _text(raw, "id")
    try:
        if upstream_id is None:
            raise _Problem("id", "missing_id", "empty")
        date_start, date_end = _date(raw, "date_start"), _date(raw, "date_end")
        if date_end < date_start:
            raise _Problem("date_end", "bad_range", "date_end is before date_start")
        violence = _text(raw, "type_of_violence") or ""
        if violence not in UCDP_VIOLENCE_TYPES:
            raise _Problem(
                "type_of_violence", "unknown_event_type", f"{violence!r} is not 1, 2 or 3"
            )
        low, best, high = _int(raw, "low"), _int(raw, "best"), _int(raw, "high")
        if not low <= best <= high:
            raise _Problem(
                "best", "bad_range", f"low {low} ≤ best {best} ≤ high {high} does not hold"
            )
        latitude, longitude = _float(raw, "latitude", 90), _float(raw, "longitude", 180)
        civilians = _text(raw, "deaths_civilians")
        civilian_count = _int(raw, "deaths_civilians") if civilians is not None else None
    except _Problem as problem:
        return QuarantinedRow("ucdp_ged", row_number, problem.field, problem.reason_code,
                              f"row {row_number}: field {problem.field!r}: {problem.detail}",
                              dict(raw), upstream_id)  # fmt: skip
    act_code, label = UCDP_VIOLENCE_TYPES[violence]
    actors = tuple(
        ActorName(name=name, role=column, side=side)
        for side, column in ((1, "side_a"), (2, "side_b"))
        if (name := _text(raw, column))
    )
    casualties = [CasualtyClaim("killed", low, high, best, claimed_by="UCDP GED")]
    if civilian_count is not None:
        casualties.append(
            CasualtyClaim(
                "killed_civilians", civilian_count, civilian_count, civilian_count, "UCDP GED"
            )
        )
    date_code, where_code = _text(raw, "date_prec"), _text(raw, "where_prec")
    source = SourceRecord(
        source_kind="ucdp_ged",
        upstream_id=upstream_id,
        title=_text(raw, "conflict_name") or _text(raw, "dyad_name"),
        source_text=_text(raw, "source_article") or _text(raw, "source_office"),
        attribution=UCDP_ATTRIBUTION,
    )
    event = EventRecord(
        date_start=date_start,
        date_end=date_end,
        date_precision=DatePrecision(_DATE_PRECISION.get(date_code or "", "unknown"), date_code),
        location=LocationClaim(
            name=_text(raw, "where_coordinates") or _text(raw, "where_description"),
            admin1=_text(raw, "adm_1"),
            admin2=_text(raw, "adm_2"),
            country=_text(raw, "country"),
            latitude=latitude,
            longitude=longitude,
            geo_precision_code=where_code,
            geo_precision_level=_WHERE_PRECISION.get(where_code or "", "unknown"),
        ),
        description=_text(raw, "where_description"),
        acts=(ActClaim(act_code, upstream_type=violence, upstream_subtype=label),),
        actors=actors,
        casualties=tuple(casualties),
    )
    return ParsedRow("ucdp_ged", row_number, upstream_id, source, event,
                     record_fingerprint(source, event), dict(raw))  # fmt: skip


def iter_ucdp(
    path: str | os.PathLike[str],
    *,
    source_name: str | None = None,
    detect_duplicates: bool = True,
) -> Iterator[RowResult]:
    """Stream a UCDP GED CSV as parsed or quarantined rows (duplicated ``id`` quarantined)."""
    rows = iter_dict_rows(
        path,
        required_columns=UCDP_REQUIRED_COLUMNS,
        source_format="ucdp_ged",
        kind_label="a UCDP GED export",
        source_name=source_name or Path(path).name,
    )

    def results() -> Iterator[RowResult]:
        for item in rows:
            yield item if isinstance(item, QuarantinedRow) else _convert(item[1], item[0])

    return quarantine_duplicates(results(), id_field="id", enabled=detect_duplicates)
