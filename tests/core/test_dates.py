"""Tests for temoin.core.dates (partial dates with precision)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from temoin.core.dates import (
    DateError,
    DatePrecision,
    PartialDate,
    parse_partial_date,
    validate_period,
)

TODAY = date(2026, 11, 27)
D = DatePrecision


def parse(text: str, **kwargs: object) -> PartialDate:
    return parse_partial_date(text, today=TODAY, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("2022-03-27", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("27/03/2022", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("27.03.2022", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("27 mars 2022", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("le 1er mars 2022", date(2022, 3, 1), date(2022, 3, 1), D.DAY),
        ("dimanche 27 mars 2022", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("27 March 2022", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("March 27, 2022", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("27th Mar 2022", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("2022-03", date(2022, 3, 1), date(2022, 3, 31), D.MONTH),
        ("03/2022", date(2022, 3, 1), date(2022, 3, 31), D.MONTH),
        ("mars 2022", date(2022, 3, 1), date(2022, 3, 31), D.MONTH),
        ("March 2022", date(2022, 3, 1), date(2022, 3, 31), D.MONTH),
        ("Mar 2022", date(2022, 3, 1), date(2022, 3, 31), D.MONTH),
        ("févr. 2024", date(2024, 2, 1), date(2024, 2, 29), D.MONTH),
        ("Août 2021", date(2021, 8, 1), date(2021, 8, 31), D.MONTH),
        ("aout 2021", date(2021, 8, 1), date(2021, 8, 31), D.MONTH),
        ("sept. 2022", date(2022, 9, 1), date(2022, 9, 30), D.MONTH),
        ("en décembre 2021", date(2021, 12, 1), date(2021, 12, 31), D.MONTH),
        ("2022", date(2022, 1, 1), date(2022, 12, 31), D.YEAR),
        ("early March 2022", date(2022, 3, 1), date(2022, 3, 10), D.RANGE),
        ("mid-March 2022", date(2022, 3, 11), date(2022, 3, 20), D.RANGE),
        ("mid March 2022", date(2022, 3, 11), date(2022, 3, 20), D.RANGE),
        ("late March 2022", date(2022, 3, 21), date(2022, 3, 31), D.RANGE),
        ("late February 2024", date(2024, 2, 21), date(2024, 2, 29), D.RANGE),
        ("end of February 2023", date(2023, 2, 21), date(2023, 2, 28), D.RANGE),
        ("début mars 2022", date(2022, 3, 1), date(2022, 3, 10), D.RANGE),
        ("mi-mars 2022", date(2022, 3, 11), date(2022, 3, 20), D.RANGE),
        ("à la mi-mars 2022", date(2022, 3, 11), date(2022, 3, 20), D.RANGE),
        ("fin mars 2022", date(2022, 3, 21), date(2022, 3, 31), D.RANGE),
        ("fin février 2023", date(2023, 2, 21), date(2023, 2, 28), D.RANGE),
        ("early 2022", date(2022, 1, 1), date(2022, 4, 30), D.RANGE),
        ("fin 2022", date(2022, 9, 1), date(2022, 12, 31), D.RANGE),
        ("around 2022-03-27", date(2022, 3, 24), date(2022, 3, 30), D.APPROXIMATE),
        ("vers le 27 mars 2022", date(2022, 3, 24), date(2022, 3, 30), D.APPROXIMATE),
        ("~2022-03-27", date(2022, 3, 24), date(2022, 3, 30), D.APPROXIMATE),
        ("≈ 2022-03-27", date(2022, 3, 24), date(2022, 3, 30), D.APPROXIMATE),
        ("circa 27 March 2022", date(2022, 3, 24), date(2022, 3, 30), D.APPROXIMATE),
        ("c. 2022-03-27", date(2022, 3, 24), date(2022, 3, 30), D.APPROXIMATE),
        ("vers mars 2022", date(2022, 2, 26), date(2022, 4, 3), D.APPROXIMATE),
        ("27 mars 2022 ?", date(2022, 3, 24), date(2022, 3, 30), D.APPROXIMATE),
        ("27 mars 2022 (?)", date(2022, 3, 24), date(2022, 3, 30), D.APPROXIMATE),
        ("27 mars 2022 environ", date(2022, 3, 24), date(2022, 3, 30), D.APPROXIMATE),
        ("March 2022 (approx.)", date(2022, 2, 26), date(2022, 4, 3), D.APPROXIMATE),
        ("premier mars 2022", date(2022, 3, 1), date(2022, 3, 1), D.DAY),
        ("du premier au 10 mars 2022", date(2022, 3, 1), date(2022, 3, 10), D.RANGE),
        ("2022-03-01/2022-03-10", date(2022, 3, 1), date(2022, 3, 10), D.RANGE),
        ("dans la nuit du 26 au 27 mars 2022", date(2022, 3, 26), date(2022, 3, 27), D.RANGE),
        ("la nuit du 26 mars 2022", date(2022, 3, 26), date(2022, 3, 26), D.DAY),
        ("le matin du 3 mai 2022", date(2022, 5, 3), date(2022, 5, 3), D.DAY),
        ("the night of 26-27 March 2022", date(2022, 3, 26), date(2022, 3, 27), D.RANGE),
        ("between mid-March and late April 2022", date(2022, 3, 11), date(2022, 4, 30), D.RANGE),
        ("entre mi-mars et fin avril 2022", date(2022, 3, 11), date(2022, 4, 30), D.RANGE),
        ("2022-03/2022-05", date(2022, 3, 1), date(2022, 5, 31), D.RANGE),
        ("du 1er au 10 mars 2022", date(2022, 3, 1), date(2022, 3, 10), D.RANGE),
        ("du 28 février au 3 mars 2022", date(2022, 2, 28), date(2022, 3, 3), D.RANGE),
        ("entre le 1er et le 10 mars 2022", date(2022, 3, 1), date(2022, 3, 10), D.RANGE),
        ("entre mars et mai 2022", date(2022, 3, 1), date(2022, 5, 31), D.RANGE),
        ("between 1 and 10 March 2022", date(2022, 3, 1), date(2022, 3, 10), D.RANGE),
        ("between 2020 and 2022", date(2020, 1, 1), date(2022, 12, 31), D.RANGE),
        ("2020-2022", date(2020, 1, 1), date(2022, 12, 31), D.RANGE),
        ("from March to May 2022", date(2022, 3, 1), date(2022, 5, 31), D.RANGE),
        ("1-10 March 2022", date(2022, 3, 1), date(2022, 3, 10), D.RANGE),
        ("27 mars 2022 – 2 avril 2022", date(2022, 3, 27), date(2022, 4, 2), D.RANGE),
        ("2022/03/27", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("2022-03-27T14:30:00.000+00:00", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("27 mars 2022 à 14h30", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("27 March 2022 at 14:30", date(2022, 3, 27), date(2022, 3, 27), D.DAY),
        ("le 27 ou le 28 mars 2022", date(2022, 3, 27), date(2022, 3, 28), D.RANGE),
        ("27 or 28 March 2022", date(2022, 3, 27), date(2022, 3, 28), D.RANGE),
        ("mars-avril 2022", date(2022, 3, 1), date(2022, 4, 30), D.RANGE),
        ("March - May 2022", date(2022, 3, 1), date(2022, 5, 31), D.RANGE),
        (
            "entre le 28 décembre 2021 et le 3 janvier 2022",
            date(2021, 12, 28),
            date(2022, 1, 3),
            D.RANGE,
        ),
    ],
)
def test_parse_accepted_forms(
    text: str, earliest: date, latest: date, precision: DatePrecision
) -> None:
    result = parse(text)
    assert (result.earliest, result.latest, result.precision) == (earliest, latest, precision)
    assert result.text == text


@pytest.mark.parametrize(
    "text", ["", "   ", "unknown", "Unknown date", "inconnue", "Date inconnue", "?", "n/a"]
)
def test_parse_unknown(text: str) -> None:
    result = parse(text)
    assert result == PartialDate(None, None, D.UNKNOWN, text.strip())


def test_approx_days_option() -> None:
    result = parse("vers le 27 mars 2022", approx_days=7)
    assert (result.earliest, result.latest) == (date(2022, 3, 20), date(2022, 4, 3))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31/02/2022", "date.impossible"),
        ("2022-02-29", "date.impossible"),
        ("2022-13-01", "date.impossible"),
        ("13/2022", "date.impossible"),
        ("03/27/2022", "date.impossible"),
        ("30 février 2024", "date.impossible"),
        ("27/03/22", "date.ambiguous_year"),
        ("1700", "date.out_of_range"),
        ("2027-01-01", "date.future"),
        ("28 novembre 2026", "date.future"),
        ("early December 2026", "date.future"),
        ("between 2026-11-01 and 2026-12-10", "date.future"),
        ("du 10 au 1er mars 2022", "date.reversed_range"),
        ("2022-03-10/2022-03-01", "date.reversed_range"),
        ("blah", "date.unparseable"),
        ("mars", "date.unparseable"),
        ("27 mars", "date.unparseable"),
        ("mi-27 mars 2022", "date.unparseable"),
        ("x" * 300, "date.unparseable"),
    ],
)
def test_parse_errors(text: str, code: str) -> None:
    with pytest.raises(DateError) as info:
        parse(text)
    assert info.value.code == code
    assert text[:50] in str(info.value)


def test_today_itself_and_partly_future_periods_are_accepted() -> None:
    assert parse("2026-11-27").earliest == TODAY
    assert parse("2026").latest == date(2026, 12, 31)  # a year that has begun
    assert parse("vers le 26 novembre 2026").latest == date(2026, 11, 29)


def test_non_string_input_is_refused() -> None:
    with pytest.raises(DateError) as info:
        parse_partial_date(20220327, today=TODAY)  # type: ignore[arg-type]
    assert info.value.code == "date.unparseable"


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (PartialDate.day(date(2022, 3, 27)), "27 mars 2022", "27 March 2022"),
        (PartialDate.day(date(2022, 3, 1)), "1er mars 2022", "1 March 2022"),
        (PartialDate.month(2022, 3), "mars 2022", "March 2022"),
        (PartialDate.year(2022), "2022", "2022"),
        (
            PartialDate.around(date(2022, 3, 27), days=3),
            "vers le 27 mars 2022",
            "around 27 March 2022",
        ),
        (
            PartialDate.between(date(2022, 3, 1), date(2022, 3, 10)),
            "entre le 1er et le 10 mars 2022",
            "between 1 and 10 March 2022",
        ),
        (
            PartialDate.between(date(2022, 2, 28), date(2022, 3, 3)),
            "entre le 28 février et le 3 mars 2022",
            "between 28 February and 3 March 2022",
        ),
        (
            PartialDate.between(date(2021, 12, 28), date(2022, 1, 3)),
            "entre le 28 décembre 2021 et le 3 janvier 2022",
            "between 28 December 2021 and 3 January 2022",
        ),
        (PartialDate.unknown(), "date inconnue", "unknown date"),
    ],
)
def test_display(value: PartialDate, fr: str, en: str) -> None:
    assert value.display() == fr
    assert value.display("fr") == fr
    assert value.display("en") == en


def test_display_of_approximate_month_and_year() -> None:
    assert parse("vers mars 2022").display("fr") == "vers mars 2022"
    assert parse("around 2022").display("en") == "around 2022"


def test_display_unsupported_language() -> None:
    with pytest.raises(DateError) as info:
        PartialDate.year(2022).display("bm")
    assert info.value.code == "date.unsupported_language"


@pytest.mark.parametrize(
    ("earliest", "latest", "precision"),
    [
        (date(2022, 3, 2), date(2022, 3, 1), D.RANGE),
        (date(2022, 3, 1), date(2022, 3, 2), D.DAY),
        (date(2022, 3, 1), None, D.DAY),
        (None, None, D.DAY),
        (date(2022, 3, 1), date(2022, 3, 1), D.UNKNOWN),
        (date(2022, 3, 2), date(2022, 3, 31), D.MONTH),
        (date(2022, 1, 1), date(2022, 12, 30), D.YEAR),
    ],
)
def test_invariants(earliest: date | None, latest: date | None, precision: DatePrecision) -> None:
    with pytest.raises(DateError) as info:
        PartialDate(earliest, latest, precision)
    assert info.value.code == "date.invalid"


def test_precision_given_as_string_is_coerced() -> None:
    value = PartialDate(date(2022, 3, 1), date(2022, 3, 1), "day")  # type: ignore[arg-type]
    assert value.precision is D.DAY


def test_to_dict_exact() -> None:
    value = parse("début mars 2022")
    assert value.to_dict() == {
        "earliest": "2022-03-01",
        "latest": "2022-03-10",
        "precision": "range",
        "text": "début mars 2022",
    }
    assert PartialDate.unknown().to_dict() == {
        "earliest": None,
        "latest": None,
        "precision": "unknown",
        "text": "",
    }


@pytest.mark.parametrize(
    "data",
    [
        {"earliest": "2022-03-01", "latest": "2022-03-10", "precision": "weekly"},
        {"earliest": "2022-03-41", "latest": "2022-03-10", "precision": "range"},
        {"earliest": 20220301, "latest": "2022-03-10", "precision": "range"},
        {"earliest": "2022-03-11", "latest": "2022-03-10", "precision": "range"},
        {"earliest": None, "latest": None, "precision": "unknown", "text": 5},
    ],
)
def test_from_dict_rejects_bad_input(data: dict[str, object]) -> None:
    with pytest.raises(DateError) as info:
        PartialDate.from_dict(data)
    assert info.value.code == "date.invalid"


def test_overlaps() -> None:
    march = PartialDate.month(2022, 3)
    early = parse("début mars 2022")
    late = parse("fin mars 2022")
    april = PartialDate.month(2022, 4)
    assert march.overlaps(early) and early.overlaps(march)
    assert not early.overlaps(late)
    assert not march.overlaps(april)
    assert PartialDate.unknown().overlaps(april)
    assert april.overlaps(PartialDate.unknown())
    assert PartialDate.day(date(2022, 3, 31)).overlaps(march)


def test_contains_and_sort_key() -> None:
    march = PartialDate.month(2022, 3)
    assert march.contains(date(2022, 3, 31)) and not march.contains(date(2022, 4, 1))
    values = [PartialDate.unknown(), PartialDate.month(2022, 4), PartialDate.year(2022)]
    ordered = sorted(values, key=PartialDate.sort_key)
    assert [v.precision for v in ordered] == [D.YEAR, D.MONTH, D.UNKNOWN]


# ---------------------------------------------------------------- validate_period


def test_validate_period_ok() -> None:
    assert validate_period(parse("mars 2022"), parse("fin mars 2022"), today=TODAY) == []
    assert validate_period(parse("mars 2022"), None, today=TODAY) == []
    assert validate_period(PartialDate.unknown(), parse("2022"), today=TODAY) == []
    # Overlapping uncertain dates are not an error: "2022" may end after "mars 2022" begins.
    assert validate_period(parse("mars 2022"), parse("2022"), today=TODAY) == []


def test_validate_period_end_before_start() -> None:
    problems = validate_period(parse("mars 2022"), parse("février 2022"), today=TODAY)
    assert problems == [
        ("end", "date.reversed_range", "end date 'février 2022' is before start date 'mars 2022'")
    ]


def test_validate_period_future_and_field_names() -> None:
    start = PartialDate.day(date(2027, 1, 2))
    end = PartialDate.day(date(2027, 1, 1))
    problems = validate_period(
        start, end, today=TODAY, start_field="start_date", end_field="end_date"
    )
    assert [(field, code) for field, code, _ in problems] == [
        ("start_date", "date.future"),
        ("end_date", "date.future"),
        ("end_date", "date.reversed_range"),
    ]
    assert "2027-01-02" in problems[0][2] or "2 January 2027" in problems[0][2]


# -------------------------------------------------------------------- properties

days = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    kind = draw(st.sampled_from(["day", "month", "year", "range", "approx", "unknown"]))
    a = draw(days)
    if kind == "day":
        return PartialDate.day(a)
    if kind == "month":
        return PartialDate.month(a.year, a.month)
    if kind == "year":
        return PartialDate.year(a.year)
    if kind == "range":
        b = draw(days)
        return PartialDate.between(min(a, b), max(a, b))
    if kind == "approx":
        return PartialDate.around(a, days=draw(st.integers(0, 30)))
    return PartialDate.unknown()


@given(partial_dates(), st.text(max_size=20))
def test_dict_round_trip(value: PartialDate, text: str) -> None:
    value = PartialDate(value.earliest, value.latest, value.precision, text)
    assert PartialDate.from_dict(value.to_dict()) == value


@given(partial_dates(), partial_dates())
def test_overlaps_is_symmetric(a: PartialDate, b: PartialDate) -> None:
    assert a.overlaps(b) == b.overlaps(a)
    assert a.overlaps(a)


@given(partial_dates(), st.sampled_from(["fr", "en"]))
def test_display_parses_back(value: PartialDate, lang: str) -> None:
    """Whatever we display, we can read back to the same interval (±3 for "around")."""
    if value.precision is D.APPROXIMATE:
        assert value.earliest is not None
        value = PartialDate.around(value.earliest + timedelta(days=3), days=3)
    parsed = parse(value.display(lang))
    assert (parsed.earliest, parsed.latest) == (value.earliest, value.latest)
    expected = value.precision
    assert parsed.precision is expected


@given(days)
def test_iso_and_french_numeric_agree(day: date) -> None:
    iso = parse(day.isoformat())
    french = parse(day.strftime("%d/%m/%Y"))
    assert iso == PartialDate.day(day, day.isoformat())
    assert (french.earliest, french.precision) == (day, D.DAY)


@given(st.text(max_size=60))
def test_parser_never_crashes(text: str) -> None:
    """Any text gives a PartialDate or a DateError, never another exception."""
    try:
        result = parse(text)
    except DateError as error:
        assert error.code.startswith("date.")
    else:
        assert result.earliest is None or result.earliest <= TODAY


def test_public_names_exist() -> None:
    import temoin.core.dates as dates

    assert all(hasattr(dates, name) for name in dates.__all__)
