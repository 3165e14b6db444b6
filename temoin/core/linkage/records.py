"""Plain input records for linkage: a person on a list, an incident in a report.

Dates carry their precision (day, month, year): "mars 2019" is the whole of March, and
comparisons use the interval, never a made-up day.  Ages may be approximate ("about
40"), which widens the implied birth interval.  Places are keys the caller resolved
through the gazetteer (village, commune, cercle, region) plus optional coordinates.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Literal

from temoin.core.linkage.errors import InvalidRecordError

__all__ = [
    "DatePrecision",
    "IncidentRecord",
    "PersonRecord",
    "date_interval",
    "day_number",
    "records_from_rows",
]

DatePrecision = Literal["day", "month", "year"]
_EPOCH = date(1970, 1, 1)


def day_number(value: date) -> int:
    """Days since 1970-01-01 (portable integer arithmetic in every SQL backend)."""
    return (value - _EPOCH).days


def date_interval(value: date | None, precision: DatePrecision) -> tuple[int | None, int | None]:
    """Inclusive (first day, last day) as day numbers of a date known to ``precision``."""
    if value is None:
        return None, None
    if precision == "day":
        return day_number(value), day_number(value)
    if precision == "month":
        last = calendar.monthrange(value.year, value.month)[1]
        return day_number(value.replace(day=1)), day_number(value.replace(day=last))
    return day_number(date(value.year, 1, 1)), day_number(date(value.year, 12, 31))


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person as one list (source) documents them.  All fields but ids optional."""

    record_id: str
    list_id: str
    given_name: str | None = None
    family_name: str | None = None
    full_name: str | None = None
    sex: Literal["m", "f"] | None = None
    birth_date: date | None = None
    birth_precision: DatePrecision = "year"
    age: int | None = None
    age_approximate: bool = False
    death_date: date | None = None
    death_precision: DatePrecision = "day"
    incident_date: date | None = None
    incident_precision: DatePrecision = "day"
    village: str | None = None
    commune: str | None = None
    cercle: str | None = None
    region: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    document_id: str | None = None
    stratum: str | None = None

    def __post_init__(self) -> None:
        _check_common(self.record_id, self.list_id, self.latitude, self.longitude)
        if self.sex not in (None, "m", "f"):
            raise InvalidRecordError(
                record_id=self.record_id, field="sex", problem="must be 'm', 'f' or empty"
            )
        if self.age is not None and not 0 <= self.age <= 120:
            raise InvalidRecordError(
                record_id=self.record_id, field="age", problem="outside 0..120"
            )
        for name in ("birth_precision", "death_precision", "incident_precision"):
            if getattr(self, name) not in ("day", "month", "year"):
                raise InvalidRecordError(
                    record_id=self.record_id, field=name, problem="must be day, month or year"
                )


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """One report of an incident by one source, with that source's own claims."""

    record_id: str
    list_id: str
    date: date | None = None
    date_precision: DatePrecision = "day"
    village: str | None = None
    commune: str | None = None
    cercle: str | None = None
    region: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    act_types: tuple[str, ...] = ()
    perpetrators: tuple[str, ...] = ()
    killed_low: int | None = None
    killed_high: int | None = None

    def __post_init__(self) -> None:
        _check_common(self.record_id, self.list_id, self.latitude, self.longitude)
        if self.date_precision not in ("day", "month", "year"):
            raise InvalidRecordError(
                record_id=self.record_id,
                field="date_precision",
                problem="must be day, month or year",
            )
        low, high = self.killed_low, self.killed_high
        if (low is not None and low < 0) or (high is not None and high < 0):
            raise InvalidRecordError(
                record_id=self.record_id, field="killed_low", problem="negative count"
            )
        if low is not None and high is not None and high < low:
            raise InvalidRecordError(
                record_id=self.record_id, field="killed_high", problem="below killed_low"
            )


def _check_common(
    record_id: Any, list_id: Any, latitude: float | None, longitude: float | None
) -> None:
    if not isinstance(record_id, str) or not record_id:
        raise InvalidRecordError(
            record_id=str(record_id), field="record_id", problem="must be a non-empty string"
        )
    if not isinstance(list_id, str) or not list_id:
        raise InvalidRecordError(
            record_id=record_id, field="list_id", problem="must be a non-empty string"
        )
    if (latitude is None) != (longitude is None):
        raise InvalidRecordError(
            record_id=record_id, field="latitude", problem="latitude and longitude go together"
        )
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise InvalidRecordError(
            record_id=record_id, field="latitude", problem="coordinates out of range"
        )


def records_from_rows(
    rows: Iterable[Mapping[str, Any]], record_type: type[PersonRecord] | type[IncidentRecord]
) -> list[Any]:
    """Build records from dict-like rows (e.g. ``pyarrow.Table.to_pylist()``); extra keys ignored."""
    names = {f.name for f in fields(record_type)}
    out = []
    for row in rows:
        values = {k: v for k, v in row.items() if k in names and v is not None}
        for key in ("act_types", "perpetrators"):
            if key in values:
                values[key] = tuple(values[key])
        for key in ("birth_date", "death_date", "incident_date", "date"):
            if key in values and isinstance(values[key], datetime):
                values[key] = values[key].date()  # pandas Timestamp or datetime: keep the day
        for key in ("age", "killed_low", "killed_high"):
            if key in values and isinstance(values[key], float) and values[key].is_integer():
                values[key] = int(values[key])
        out.append(record_type(**values))
    return out
