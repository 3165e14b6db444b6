"""Partial dates with a precision, as witnesses give them.

A witness rarely says "2022-03-27". They say "early March 2022", "vers le 27 mars",
"between the 1st and the 10th", or "I don't know". :class:`PartialDate` keeps such a
date as an interval ``[earliest, latest]`` (both inclusive) plus a
:class:`DatePrecision` and the text as typed, so that nothing is invented and
everything can still be compared (:meth:`PartialDate.overlaps`) and shown
(:meth:`PartialDate.display`, French or English).

:func:`parse_partial_date` reads French and English free text; :func:`validate_period`
checks an event's start/end pair.  Errors are :class:`DateError` with a stable ``code``:

- ``date.unparseable``      text not understood
- ``date.impossible``       31/02/2022, month 13 …
- ``date.ambiguous_year``   two-digit year (27/03/22)
- ``date.out_of_range``     year before 1800 or after 9998
- ``date.future``           a stated date lies after ``today``
- ``date.reversed_range``   end before start
- ``date.invalid``          a PartialDate whose fields break the invariants
- ``date.unsupported_language``  display language other than fr/en

Pure Python, no Django.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

__all__ = [
    "DateError",
    "DatePrecision",
    "PartialDate",
    "parse_partial_date",
    "validate_period",
]

MIN_YEAR: Final[int] = 1800
MAX_YEAR: Final[int] = 9998
MAX_TEXT_LENGTH: Final[int] = 200


class DateError(ValueError):
    """A date that cannot be read or is not acceptable. ``code`` is stable."""

    def __init__(self, code: str, message: str, *, text: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.text = text


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    RANGE = "range"
    APPROXIMATE = "approximate"
    UNKNOWN = "unknown"


# --------------------------------------------------------------------------- names

_MONTHS_FR: Final = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_MONTHS_EN: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Folded (lower case, no accents) month words -> month number.
_MONTH_WORDS: Final[dict[str, int]] = {}
for _number, (_fr, _en) in enumerate(zip(_MONTHS_FR, _MONTHS_EN, strict=True), start=1):
    for _word in (_fr, _en):
        _folded = "".join(
            c for c in unicodedata.normalize("NFKD", _word) if not unicodedata.combining(c)
        ).lower()
        _MONTH_WORDS[_folded] = _number
        _MONTH_WORDS[_folded[:3]] = _number
_MONTH_WORDS.update({"janv": 1, "fevr": 2, "avr": 4, "juil": 7, "sept": 9, "aout": 8, "dece": 12})
_MONTH_WORDS.pop("jui", None)  # "jui" would be juin or juillet: refuse it
_MONTH_RE: Final = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))

_WEEKDAYS: Final = (
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
)
_UNKNOWN_WORDS: Final = frozenset(
    {
        "", "?", "??", "-", "unknown", "unknown date", "date unknown", "not known",
        "inconnue", "inconnu", "date inconnue", "non connue", "non connu",
        "n/a", "na", "nd", "n.d", "s.d", "sd",
    }
)  # fmt: skip

_DAY: Final = r"(\d{1,2})(?:er|re|st|nd|rd|th|eme|e)?"
_YEAR: Final = r"(\d{4})"


def _fold(text: str) -> str:
    """Lower-case, strip accents, normalise punctuation and spaces for parsing."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = text.replace("\u2248", "~")
    text = re.sub(r"(?<=[a-z])\.", " ", text)  # "sept." "approx." "c."
    text = text.replace(",", " ")
    return re.sub(r"\s+", " ", text).strip()


# ------------------------------------------------------------------------- model


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, _last_day(year, month))


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
        if precision is DatePrecision.MONTH and (lo, hi) != _month_bounds(lo.year, lo.month):
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
        lo, hi = _month_bounds(year, month)
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
    return _MONTHS_FR[month - 1] if lang == "fr" else _MONTHS_EN[month - 1]


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
    month_start, month_end = _month_bounds(centre.year, centre.month)
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


# ----------------------------------------------------------------------- parsing

_APPROX_PREFIX: Final = re.compile(
    r"^(?:~|environ le|environ|env|vers le|vers la|vers l'|vers|autour du|autour de|"
    r"aux alentours du|aux alentours de|aux environs du|aux environs de|"
    r"around|about|approximately|approx|circa|ca|c)\s*(?=\S)"
)
_PART_PREFIX: Final = re.compile(
    r"^(?P<part>early|the beginning of|beginning of|the start of|start of|"
    r"mid|the middle of|middle of|late|the end of|end of|"
    r"au debut du mois de|au debut de|au debut|debut du mois de|debut de|debut|"
    r"a la mi|mi|au milieu de|milieu de|a la fin du mois de|a la fin de|a la fin|"
    r"fin du mois de|fin de|fin)(?:\s*-\s*|\s+)(?:of\s+)?"
)
_PART_INDEX: Final[dict[str, int]] = {
    "early": 0, "beginning": 0, "start": 0, "debut": 0,
    "mid": 1, "middle": 1, "mi": 1, "milieu": 1,
    "late": 2, "end": 2, "fin": 2,
}  # fmt: skip
_RANGE_WRAPPERS: Final = (
    re.compile(r"^entre (?P<a>.+?) et (?P<b>.+)$"),
    re.compile(r"^between (?P<a>.+?) and (?P<b>.+)$"),
    re.compile(r"^du (?P<a>.+?) (?:au|jusqu'au) (?P<b>.+)$"),
    re.compile(r"^de (?P<a>.+?) (?:a|jusqu'a|jusqu'en) (?P<b>.+)$"),
    re.compile(r"^from (?P<a>.+?) (?:to|until|till) (?P<b>.+)$"),
    re.compile(r"^(?P<a>\d{4}(?:-\d{1,2}){0,2})/(?P<b>\d{4}(?:-\d{1,2}){0,2})$"),
    re.compile(r"^(?P<a>.+?) (?:to|until|au|jusqu'au|-) (?P<b>.+)$"),
    re.compile(rf"^(?P<a>{_DAY})-(?P<b>{_DAY} .+)$"),
)


def _error(code: str, text: str, reason: str) -> DateError:
    return DateError(code, f"date {text!r}: {reason}", text=text)


def _make_date(year: int, month: int, day: int, text: str) -> date:
    _check_year(year, text)
    if not 1 <= month <= 12:
        raise _error(
            "date.impossible", text, f"there is no month {month} (numeric dates are day/month/year)"
        )
    if not 1 <= day <= _last_day(year, month):
        raise _error("date.impossible", text, f"{_MONTHS_EN[month - 1]} {year} has no day {day}")
    return date(year, month, day)


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _error("date.out_of_range", text, f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")


def _strip_filler(s: str) -> str:
    s = re.sub(rf"^(?:{_WEEKDAYS})\b\s*", "", s)
    s = re.sub(r"^(?:le|la|l'|the|on|en|in|au mois de|in the month of|mois de|month of)\s+", "", s)
    return s.strip()


def _parse_point(
    s: str, text: str, *, year: int | None = None, month: int | None = None
) -> PartialDate | None:
    """Parse one calendar point (day, month or year). ``year``/``month`` fill gaps.

    Returns ``None`` when the form is not recognised; raises for impossible values.
    """
    s = _strip_filler(s)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        return PartialDate.day(_make_date(int(m[1]), int(m[2]), int(m[3]), text), text)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", s)
    if m:
        _make_date(int(m[1]), int(m[2]), 1, text)
        return PartialDate.month(int(m[1]), int(m[2]), text)
    m = re.fullmatch(_YEAR, s)
    if m:
        _check_year(int(m[1]), text)
        return PartialDate.year(int(m[1]), text)
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", s)
    if m:
        if len(m[3]) == 2:
            raise _error("date.ambiguous_year", text, "write the year with four digits")
        return PartialDate.day(_make_date(int(m[3]), int(m[2]), int(m[1]), text), text)
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{4})", s)
    if m:
        _make_date(int(m[2]), int(m[1]), 1, text)
        return PartialDate.month(int(m[2]), int(m[1]), text)
    month_re = rf"({_MONTH_RE})"
    forms: tuple[tuple[str, tuple[str, ...]], ...] = (
        (rf"{_DAY} (?:of |de )?{month_re} {_YEAR}", ("d", "m", "y")),
        (rf"{month_re} {_DAY} {_YEAR}", ("m", "d", "y")),
        (rf"{month_re} (?:of |de )?{_YEAR}", ("m", "y")),
        (rf"{_DAY} (?:of |de )?{month_re}", ("d", "m")),
        (rf"{month_re} {_DAY}", ("m", "d")),
        (month_re, ("m",)),
        (_DAY, ("d",)),
    )
    for pattern, fields in forms:
        m = re.fullmatch(pattern, s)
        if not m:
            continue
        values: dict[str, int] = {}
        for name, group in zip(fields, m.groups(), strict=True):
            values[name] = _MONTH_WORDS[group] if name == "m" else int(group)
        y = values.get("y", year)
        mo = values.get("m", month)
        if y is None or mo is None:
            return None
        if "d" in values:
            return PartialDate.day(_make_date(y, mo, values["d"], text), text)
        _make_date(y, mo, 1, text)
        return PartialDate.month(y, mo, text)
    return None


def _parse_part_of(s: str, text: str) -> PartialDate | None:
    """ "early/mid/late March 2022", "début/mi-/fin mars 2022" (also of a year)."""
    m = _PART_PREFIX.match(s)
    if not m:
        return None
    words = m["part"].replace("-", " ").split()
    index = next((_PART_INDEX[w] for w in words if w in _PART_INDEX), None)
    if index is None:  # pragma: no cover - every alternative contains a key word
        return None
    whole = _parse_point(s[m.end() :], text)
    if whole is None or whole.earliest is None:
        return None
    lo = whole.earliest
    if whole.precision is DatePrecision.MONTH:
        last = _last_day(lo.year, lo.month)
        start, end = ((1, 10), (11, 20), (21, last))[index]
        return PartialDate.between(lo.replace(day=start), lo.replace(day=end), text)
    if whole.precision is DatePrecision.YEAR:
        start_m, end_m = ((1, 4), (5, 8), (9, 12))[index]
        return PartialDate.between(
            date(lo.year, start_m, 1), _month_bounds(lo.year, end_m)[1], text
        )
    raise _error("date.unparseable", text, "early/mid/late applies to a month or a year")


def _parse_single(s: str, text: str) -> PartialDate | None:
    return _parse_part_of(s, text) or _parse_point(s, text)


def _parse_range(s: str, text: str, today: date) -> PartialDate | None:
    for pattern in _RANGE_WRAPPERS:
        m = pattern.fullmatch(s)
        if not m:
            continue
        right = _parse_single(m["b"], text)
        if right is None or right.earliest is None or right.latest is None:
            continue
        left = _parse_single(m["a"], text)
        if left is None:
            left = _parse_point(m["a"], text, year=right.earliest.year, month=right.earliest.month)
        if left is None:
            left = _parse_point(m["a"], text, year=right.earliest.year)
        if left is None or left.earliest is None:
            continue
        _check_future(left, text, today)
        if right.earliest > today:  # the stated end must have begun
            raise _error("date.future", text, f"the range ends after today ({today.isoformat()})")
        if left.earliest > right.latest:
            raise _error(
                "date.reversed_range",
                text,
                f"the range ends ({right.latest.isoformat()}) before it starts "
                f"({left.earliest.isoformat()})",
            )
        return PartialDate.between(left.earliest, right.latest, text)
    return None


def parse_partial_date(
    text: str, *, today: date | None = None, approx_days: int = 3
) -> PartialDate:
    """Read a French or English date as a witness gives it.

    ``today`` (default: the system date) bounds the future: any stated date whose
    earliest possible day is after ``today`` raises ``date.future``.
    ``approx_days`` is the half-width of "around …" dates.
    """
    if not isinstance(text, str):
        raise DateError("date.unparseable", f"date must be text, not {type(text).__name__}")
    if approx_days < 0:
        raise ValueError("approx_days must be >= 0")
    original = text.strip()
    if len(original) > MAX_TEXT_LENGTH:
        raise _error(
            "date.unparseable",
            original[:60] + "…",
            f"longer than {MAX_TEXT_LENGTH} characters",
        )
    s = _fold(original)
    today = today or date.today()
    if s in _UNKNOWN_WORDS:
        return PartialDate.unknown(original)

    approx = _APPROX_PREFIX.match(s)
    body = s[approx.end() :] if approx else s
    result = _parse_range(body, original, today) or _parse_single(body, original)
    if result is None or result.earliest is None or result.latest is None:
        raise _error(
            "date.unparseable",
            original,
            "not understood; write e.g. 2022-03-27, 27/03/2022, mars 2022, début mars 2022, "
            "vers le 27 mars 2022 or du 1er au 10 mars 2022",
        )
    _check_future(result, original, today)
    if approx:
        delta = timedelta(days=approx_days)
        return PartialDate(
            result.earliest - delta, result.latest + delta, DatePrecision.APPROXIMATE, original
        )
    return result


def _check_future(value: PartialDate, text: str, today: date) -> None:
    if value.earliest is not None and value.earliest > today:
        raise _error("date.future", text, f"it is after today ({today.isoformat()})")


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
