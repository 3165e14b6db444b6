"""Reading French and English dates as witnesses give them: :func:`parse_partial_date`."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Final

from temoin.core.dates.errors import DateError
from temoin.core.dates.model import (
    MONTHS_EN,
    MONTHS_FR,
    DatePrecision,
    PartialDate,
    last_day,
    month_bounds,
)

__all__ = ["MAX_TEXT_LENGTH", "MAX_YEAR", "MIN_YEAR", "parse_partial_date"]

MIN_YEAR: Final[int] = 1800
MAX_YEAR: Final[int] = 9998
MAX_TEXT_LENGTH: Final[int] = 200

_MONTH_WORDS: Final[dict[str, int]] = {}
for _number, (_fr, _en) in enumerate(zip(MONTHS_FR, MONTHS_EN, strict=True), start=1):
    for _word in (_fr, _en):
        _folded = "".join(
            c for c in unicodedata.normalize("NFKD", _word) if not unicodedata.combining(c)
        ).lower()
        _MONTH_WORDS[_folded] = _number
        _MONTH_WORDS[_folded[:3]] = _number
_MONTH_WORDS.update({"janv": 1, "fevr": 2, "avr": 4, "juil": 7, "sept": 9})
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
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\bpremier\b", "1er", text)
    return _strip_time(text)


_ISO_DATETIME: Final = re.compile(
    r"(\d{4}-\d{1,2}-\d{1,2})t\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}(?::?\d{2})?)?"
)
_TRAILING_TIME: Final = re.compile(r"\s+(?:a |at |vers |around |@ ?)?\d{1,2}(?:h\d{0,2}|:\d{2})$")


def _strip_time(text: str) -> str:
    """Drop a time of day: ODK/ISO datetimes and "… à 14h30" keep only their date."""
    text = _ISO_DATETIME.sub(r"\1", text)
    return _TRAILING_TIME.sub("", text)


# ----------------------------------------------------------------------- parsing

_APPROX_PREFIX: Final = re.compile(
    r"^(?:~|environ le|environ|env|vers le|vers la|vers l'|vers|autour du|autour de|"
    r"aux alentours du|aux alentours de|aux environs du|aux environs de|"
    r"around|about|approximately|approx|circa|ca|c)\s*(?=\S)"
)
_APPROX_WORDS: Final = r"(?:approximately|approx|environ|env|circa|ca)"
_APPROX_SUFFIX: Final = re.compile(
    rf"(?:\s*\(\s*(?:{_APPROX_WORDS}|\?)\s*\)|\s+{_APPROX_WORDS}|\s*\?)$"
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
    re.compile(r"^(?P<a>\d{4})\s*-\s*(?P<b>\d{4})$"),
    re.compile(r"^(?P<a>.+?) (?:to|until|au|jusqu'au|-|ou|or) (?P<b>.+)$"),
    re.compile(rf"^(?P<a>{_DAY})-(?P<b>{_DAY} .+)$"),
    re.compile(rf"^(?P<a>{_MONTH_RE})\s*[-/]\s*(?P<b>(?:{_MONTH_RE}) \d{{4}})$"),
)


def _error(code: str, text: str, reason: str) -> DateError:
    return DateError(code, f"date {text!r}: {reason}", text=text)


def _make_date(year: int, month: int, day: int, text: str) -> date:
    _check_year(year, text)
    if not 1 <= month <= 12:
        raise _error(
            "date.impossible", text, f"there is no month {month} (numeric dates are day/month/year)"
        )
    if not 1 <= day <= last_day(year, month):
        raise _error("date.impossible", text, f"{MONTHS_EN[month - 1]} {year} has no day {day}")
    return date(year, month, day)


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _error("date.out_of_range", text, f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")


def _strip_filler(s: str) -> str:
    s = re.sub(rf"^(?:{_WEEKDAYS})\b\s*", "", s)
    s = re.sub(
        r"^(?:le|la|l'|du|the|on|en|in|au mois de|in the month of|mois de|month of)\s+", "", s
    )
    return s.strip()


_TIME_OF_DAY: Final = re.compile(
    r"^(?:dans |pendant |durant )?(?:la |le )?(?:nuit|matinee|soiree|journee|matin|soir|"
    r"apres-midi)\s+(?=du |de |d'|le )"
    r"|^(?:in |on |during )?(?:the )?(?:night|morning|evening|afternoon)\s+of\s+"
)


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
    m = re.fullmatch(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})", s)
    if m:
        return PartialDate.day(_make_date(int(m[1]), int(m[2]), int(m[3]), text), text)
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


def _parse_part_of(s: str, text: str, *, year: int | None = None) -> PartialDate | None:
    """ "early/mid/late March 2022", "début/mi-/fin mars 2022" (also of a year)."""
    m = _PART_PREFIX.match(s)
    if not m:
        return None
    words = m["part"].replace("-", " ").split()
    index = next((_PART_INDEX[w] for w in words if w in _PART_INDEX), None)
    if index is None:  # pragma: no cover - every alternative contains a key word
        return None
    whole = _parse_point(s[m.end() :], text, year=year)
    if whole is None or whole.earliest is None:
        return None
    lo = whole.earliest
    if whole.precision is DatePrecision.MONTH:
        last = last_day(lo.year, lo.month)
        start, end = ((1, 10), (11, 20), (21, last))[index]
        return PartialDate.between(lo.replace(day=start), lo.replace(day=end), text)
    if whole.precision is DatePrecision.YEAR:
        start_m, end_m = ((1, 4), (5, 8), (9, 12))[index]
        return PartialDate.between(date(lo.year, start_m, 1), month_bounds(lo.year, end_m)[1], text)
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
        if left is None:
            left = _parse_part_of(m["a"], text, year=right.earliest.year)
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
    if not 0 <= approx_days <= 366:
        raise ValueError("approx_days must be between 0 and 366")
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

    s = _TIME_OF_DAY.sub("", s)
    approx = _APPROX_PREFIX.match(s)
    body = s[approx.end() :] if approx else s
    suffix = _APPROX_SUFFIX.search(body)
    if suffix and suffix.start() > 0:
        body = body[: suffix.start()]
    approximate = bool(approx) or bool(suffix and suffix.start() > 0)
    result = _parse_range(body, original, today) or _parse_single(body, original)
    if result is None or result.earliest is None or result.latest is None:
        raise _error(
            "date.unparseable",
            original,
            "not understood; write e.g. 2022-03-27, 27/03/2022, mars 2022, début mars 2022, "
            "vers le 27 mars 2022 or du 1er au 10 mars 2022",
        )
    _check_future(result, original, today)
    if approximate:
        delta = timedelta(days=approx_days)
        return PartialDate(
            result.earliest - delta, result.latest + delta, DatePrecision.APPROXIMATE, original
        )
    return result


def _check_future(value: PartialDate, text: str, today: date) -> None:
    if value.earliest is not None and value.earliest > today:
        raise _error("date.future", text, f"it is after today ({today.isoformat()})")
