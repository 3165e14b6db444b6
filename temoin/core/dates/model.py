"""The :class:`PartialDate` value: an interval, a precision and the text as typed.

Also its French/English display and :func:`validate_period` for start/end pairs.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

from temoin.core.dates.errors import DateError

__all__ = ["MONTHS_EN", "MONTHS_FR", "DatePrecision", "PartialDate", "validate_period"]


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    RANGE = "range"
    APPROXIMATE = "approximate"
    UNKNOWN = "unknown"


MONTHS_FR: Final = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
MONTHS_EN: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def last_day(year: int, month: int) -> int:
    """Number of days in ``month`` of ``year``."""
    return calendar.monthrange(year, month)[1]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, last_day(year, month))


@dataclass(frozen=True)
class PartialDate:
    """A date known to lie in ``[earliest, latest]`` (inclusive), with a precision.

    Invariants (checked on construction, :class:`DateError` ``date.invalid``):
    UNKNOWN has both bounds ``None``; every other precision has both set and
    ``earliest <= latest``; DAY has ``earliest == latest``; MONTH spans exactly one
    calendar month and YEAR exactly one calendar year.
    """

    earliest: date | None
    latest: date | None
    precision: DatePrecision
    text: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.precision, DatePrecision):
            object.__setattr__(self, "precision", _precision(self.precision, self.text))
        problem = self._invariant_problem()
        if problem:
            raise DateError(
                "date.invalid", f"invalid partial date {self.text!r}: {problem}", text=self.text
            )

    def _invariant_problem(self) -> str:
        lo, hi, precision = self.earliest, self.latest, self.precision
        if precision is DatePrecision.UNKNOWN:
            return "" if lo is None and hi is None else "unknown date must have no bounds"
        if lo is None or hi is None:
            return f"{precision} date needs both earliest and latest"
        if lo > hi:
            return f"earliest {lo.isoformat()} is after latest {hi.isoformat()}"
        if precision is DatePrecision.DAY and lo != hi:
            return "day precision needs earliest == latest"
        if precision is DatePrecision.MONTH and (lo, hi) != month_bounds(lo.year, lo.month):
            return "month precision must span exactly one calendar month"
        if precision is DatePrecision.YEAR and (lo, hi) != (
            date(lo.year, 1, 1),
            date(lo.year, 12, 31),
        ):
            return "year precision must span exactly one calendar year"
        return ""

    # -- constructors ---------------------------------------------------------

    @classmethod
    def unknown(cls, text: str = "") -> PartialDate:
        return cls(None, None, DatePrecision.UNKNOWN, text)

    @classmethod
    def day(cls, value: date, text: str = "") -> PartialDate:
        return cls(value, value, DatePrecision.DAY, text)

    @classmethod
    def month(cls, year: int, month: int, text: str = "") -> PartialDate:
        lo, hi = month_bounds(year, month)
        return cls(lo, hi, DatePrecision.MONTH, text)

    @classmethod
    def year(cls, year: int, text: str = "") -> PartialDate:
        return cls(date(year, 1, 1), date(year, 12, 31), DatePrecision.YEAR, text)

    @classmethod
    def between(cls, earliest: date, latest: date, text: str = "") -> PartialDate:
        return cls(earliest, latest, DatePrecision.RANGE, text)

    @classmethod
    def around(cls, centre: date, *, days: int = 3, text: str = "") -> PartialDate:
        delta = timedelta(days=days)
        return cls(centre - delta, centre + delta, DatePrecision.APPROXIMATE, text)

    # -- serialisation --------------------------------------------------------

    def to_dict(self) -> dict[str, str | None]:
        return {
            "earliest": self.earliest.isoformat() if self.earliest else None,
            "latest": self.latest.isoformat() if self.latest else None,
            "precision": self.precision.value,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PartialDate:
        """Inverse of :meth:`to_dict`; raises :class:`DateError` on bad input."""
        text = data.get("text") or ""
        if not isinstance(text, str):
            raise DateError("date.invalid", "partial date 'text' must be a string")
        bounds: list[date | None] = []
        for key in ("earliest", "latest"):
            raw = data.get(key)
            if raw is None or raw == "":
                bounds.append(None)
                continue
            if not isinstance(raw, str):
                raise DateError(
                    "date.invalid", f"partial date {key!r} must be an ISO string", text=text
                )
            try:
                bounds.append(date.fromisoformat(raw))
            except ValueError as exc:
                raise DateError(
                    "date.invalid", f"partial date {key!r} is not an ISO date: {raw!r}", text=text
                ) from exc
        precision = _precision(data.get("precision"), text)
        return cls(bounds[0], bounds[1], precision, text)

    # -- queries --------------------------------------------------------------

    @property
    def is_unknown(self) -> bool:
        return self.precision is DatePrecision.UNKNOWN

    def overlaps(self, other: PartialDate) -> bool:
        """True if both could be the same day. An unknown date overlaps everything."""
        if self.earliest is None or self.latest is None:
            return True
        if other.earliest is None or other.latest is None:
            return True
        return self.earliest <= other.latest and other.earliest <= self.latest

    def contains(self, value: date) -> bool:
        """True if ``value`` lies within the bounds (always True when unknown)."""
        if self.earliest is None or self.latest is None:
            return True
        return self.earliest <= value <= self.latest

    def sort_key(self) -> tuple[int, date, date]:
        """Known dates by (earliest, latest); unknown dates last."""
        if self.earliest is None or self.latest is None:
            return (1, date.max, date.max)
        return (0, self.earliest, self.latest)

    def display(self, lang: str = "fr") -> str:
        """Human form: "27 mars 2022", "mars 2022", "vers le 27 mars 2022" … or English."""
        if lang not in ("fr", "en"):
            raise DateError("date.unsupported_language", f"unsupported language {lang!r}")
        fr = lang == "fr"
        lo, hi = self.earliest, self.latest
        if lo is None or hi is None:
            return "date inconnue" if fr else "unknown date"
        match self.precision:
            case DatePrecision.DAY:
                return _day_text(lo, lang)
            case DatePrecision.MONTH:
                return _month_text(lo.year, lo.month, lang)
            case DatePrecision.YEAR:
                return str(lo.year)
            case DatePrecision.APPROXIMATE:
                return _approximate_text(lo, hi, lang)
            case _:
                return _range_text(lo, hi, lang)

    def __str__(self) -> str:
        return self.display("en")


def _precision(value: object, text: str) -> DatePrecision:
    if isinstance(value, str) and value in DatePrecision._value2member_map_:
        return DatePrecision(value)
    raise DateError("date.invalid", f"unknown date precision {value!r}", text=text)


# ----------------------------------------------------------------------- display


def _month_name(month: int, lang: str) -> str:
    return MONTHS_FR[month - 1] if lang == "fr" else MONTHS_EN[month - 1]


def _day_number(day: int, lang: str) -> str:
    return "1er" if lang == "fr" and day == 1 else str(day)


def _day_text(value: date, lang: str, *, with_year: bool = True, with_month: bool = True) -> str:
    parts = [_day_number(value.day, lang)]
    if with_month:
        parts.append(_month_name(value.month, lang))
    if with_year:
        parts.append(str(value.year))
    return " ".join(parts)


def _month_text(year: int, month: int, lang: str) -> str:
    return f"{_month_name(month, lang)} {year}"


def _approximate_text(lo: date, hi: date, lang: str) -> str:
    fr = lang == "fr"
    centre = _mid(lo, hi)
    # "around March 2022" / "around 2022": a whole month or year widened equally.
    month_start, month_end = month_bounds(centre.year, centre.month)
    year_start, year_end = date(centre.year, 1, 1), date(centre.year, 12, 31)
    body: str | None = None
    if month_start - lo == hi - month_end >= timedelta(0):
        body = _month_text(centre.year, centre.month, lang)
    elif year_start - lo == hi - year_end >= timedelta(0):
        body = str(centre.year)
    if body is not None:
        return f"vers {body}" if fr else f"around {body}"
    return f"vers le {_day_text(centre, lang)}" if fr else f"around {_day_text(centre, lang)}"


def _mid(lo: date, hi: date) -> date:
    return lo + (hi - lo) // 2


def _range_text(lo: date, hi: date, lang: str) -> str:
    fr = lang == "fr"
    same_year = lo.year == hi.year
    same_month = same_year and lo.month == hi.month
    left = _day_text(lo, lang, with_year=not same_year, with_month=not same_month)
    right = _day_text(hi, lang)
    return f"entre le {left} et le {right}" if fr else f"between {left} and {right}"


def validate_period(
    start: PartialDate,
    end: PartialDate | None,
    *,
    today: date,
    start_field: str = "start",
    end_field: str = "end",
) -> list[tuple[str, str, str]]:
    """Problems of an event's (start, end) pair as ``(field, code, message)`` tuples.

    - ``date.future``: a date whose earliest possible day is after ``today``;
    - ``date.reversed_range``: ``end`` certainly before ``start`` (its latest possible day
      is before the start's earliest possible day). Overlapping uncertain dates pass.
    Unknown dates raise nothing. An empty list means valid.
    """
    problems: list[tuple[str, str, str]] = []
    for field, value in ((start_field, start), (end_field, end)):
        if value is not None and value.earliest is not None and value.earliest > today:
            problems.append(
                (
                    field,
                    "date.future",
                    f"{field} date {value.text or value.display('en')!r} is after today "
                    f"({today.isoformat()})",
                )
            )
    if (
        end is not None
        and end.latest is not None
        and start.earliest is not None
        and end.latest < start.earliest
    ):
        problems.append(
            (
                end_field,
                "date.reversed_range",
                f"{end_field} date {end.text or end.display('en')!r} is before "
                f"{start_field} date {start.text or start.display('en')!r}",
            )
        )
    return problems
