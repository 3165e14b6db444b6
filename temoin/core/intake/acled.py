"""ACLED parsers: CSV exports (with or without the HXL hashtag row) and API JSON.

Each ACLED event becomes a :class:`ParsedRow`: a *Source* (the ACLED record, with ACLED's own
``source`` text and ``source_scale``) plus a candidate event whose acts come from the reviewed
mapping in ``data/acled_act_types.csv``, whose actors are ACLED's names (alias resolution is
the linkage layer's job), and whose fatalities are a claim *by ACLED*. Nothing is verified.

Rows that fail validation (no id, bad date, unknown event type, bad number or coordinate,
a second row with an id already seen in the file) become :class:`QuarantinedRow` records.
Parsing streams: one row in memory at a time, plus the set of ids seen.

CSV rows go first through a fast path (``_plain_acled_row``: only the cells used are
stripped, shared immutable sub-records) that declines any row with a doubt; the reference
:func:`parse_acled_row` then decides, and builds every quarantine with its message. Both give
equal records (tests/core/intake/test_acled_parity.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from temoin.core.geo.coords import MALI_BBOX, check_coordinates
from temoin.core.intake.actmap import ActTypeMap, load_act_type_map
from temoin.core.intake.errors import FileFormatError, UnreadableFileError
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

__all__ = [
    "ACLED_ATTRIBUTION",
    "ACLED_REQUIRED_COLUMNS",
    "iter_acled",
    "iter_acled_json",
    "parse_acled_row",
]

ACLED_ATTRIBUTION = "Armed Conflict Location & Event Data Project (ACLED); acleddata.com"
ACLED_REQUIRED_COLUMNS = ("event_id_cnty", "event_date", "event_type")
_TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
_GEO_PRECISION = {"1": "exact", "2": "near", "3": "region"}
_ACT_TYPE_MAP: ActTypeMap | None = None


def _default_map() -> ActTypeMap:
    global _ACT_TYPE_MAP
    if _ACT_TYPE_MAP is None:
        _ACT_TYPE_MAP = load_act_type_map()
    return _ACT_TYPE_MAP


class _RowProblem(Exception):
    """Internal: one validation failure, turned into a QuarantinedRow."""

    def __init__(self, field: str, reason_code: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.reason_code = reason_code
        self.detail = detail


def _text(raw: Mapping[str, str], column: str) -> str:
    """The (already stripped) cell, or ""."""
    return raw.get(column) or ""


def _optional(raw: Mapping[str, str], column: str) -> str | None:
    return raw.get(column) or None


def _coordinate(raw: Mapping[str, str], column: str, limit: float) -> float | None:
    value = _text(raw, column)
    if not value:
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise _RowProblem(column, "bad_coordinate", f"{value!r} is not a number") from None
    if not -limit <= number <= limit or number != number:
        raise _RowProblem(column, "bad_coordinate", f"{value!r} is outside ±{limit:g}")
    return number


def _count(raw: Mapping[str, str], column: str) -> int | None:
    value = _text(raw, column)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise _RowProblem(column, "bad_number", f"{value!r} is not a whole number") from None
    if not number.is_integer() or number < 0:  # also "nan", "inf", "1e400"
        raise _RowProblem(column, "bad_number", f"{value!r} is not a whole number ≥ 0")
    return int(number)


def _actors(raw: Mapping[str, str]) -> tuple[ActorName, ...]:
    get = raw.get
    return _actor_names(get("actor1") or "", get("inter1") or None, get("assoc_actor_1") or "",
                        get("actor2") or "", get("inter2") or None, get("assoc_actor_2") or "")


@lru_cache(maxsize=8192)
def _actor_names(actor1: str, inter1: str | None, assoc1: str, actor2: str, inter2: str | None,
                 assoc2: str) -> tuple[ActorName, ...]:
    """The actor names of a row (records are immutable: rows naming the same actors, as
    most do, share one tuple)."""
    actors: list[ActorName] = []
    for side, name, inter, associated_names in ((1, actor1, inter1, assoc1),
                                                (2, actor2, inter2, assoc2)):
        if name:
            actors.append(ActorName(name=name, role=f"actor{side}", side=side, type_code=inter))
        for associated in associated_names.split(";"):
            if associated.strip():
                actors.append(
                    ActorName(name=associated.strip(), role=f"assoc_actor_{side}", side=side)
                )
    return tuple(actors)


def _acts(raw: Mapping[str, str], act_map: ActTypeMap) -> tuple[ActClaim, ...]:
    event_type = raw.get("event_type") or ""
    if not event_type:
        raise _RowProblem("event_type", "missing_value", "empty")
    acts = _act_claims(act_map, event_type, raw.get("sub_event_type") or None,
                       (raw.get("civilian_targeting") or "").casefold() == "civilian targeting")
    if acts is None:
        raise _RowProblem("event_type", "unknown_event_type", f"{event_type!r} is not mapped")
    return acts


@lru_cache(maxsize=4096)
def _act_claims(
    act_map: ActTypeMap, event_type: str, sub_event_type: str | None, targeting: bool
) -> tuple[ActClaim, ...] | None:
    """The act claims of an (event type, sub-type, civilian targeting) triple, or ``None``
    when the event type is not mapped (cached: a file uses a few dozen triples)."""
    mappings = act_map.lookup(event_type, sub_event_type)
    if mappings is None:
        return None
    acts = [
        ActClaim(
            act_type_code=mapping.act_type_code,
            upstream_type=event_type,
            upstream_subtype=sub_event_type,
            mapping_note=mapping.note,
        )
        for mapping in mappings
    ]
    if targeting and all(
        act.act_type_code not in {"attack_on_civilians", "sexual_violence", "abduction"}
        for act in acts
    ):
        acts.append(
            ActClaim(
                act_type_code="attack_on_civilians",
                upstream_type=event_type,
                upstream_subtype=sub_event_type,
                mapping_note="ACLED civilian_targeting = Civilian targeting",
            )
        )
    return tuple(acts)


def parse_acled_row(
    raw: Mapping[str, str],
    *,
    row_number: int,
    source_format: str = "acled_csv",
    act_map: ActTypeMap | None = None,
) -> RowResult:
    """Validate and normalise one ACLED row (column name → text) into a record."""
    act_map = act_map or _default_map()
    verbatim = raw
    raw = {key: value.strip() for key, value in raw.items()}
    upstream_id = _optional(raw, "event_id_cnty")
    try:
        if upstream_id is None:
            raise _RowProblem("event_id_cnty", "missing_id", "empty")
        date_text = _text(raw, "event_date")
        try:
            event_date = parse_date(date_text)
        except ValueError as error:
            raise _RowProblem("event_date", "bad_date", str(error)) from None
        warnings: list[str] = []
        time_code = _optional(raw, "time_precision")
        level = _TIME_PRECISION.get(time_code or "", "unknown")
        if time_code is not None and level == "unknown":
            warnings.append(f"time_precision {time_code!r} is not a known ACLED code")
        geo_code = _optional(raw, "geo_precision")
        latitude = _coordinate(raw, "latitude", 90.0)
        longitude = _coordinate(raw, "longitude", 180.0)
        if (latitude is None) != (longitude is None):
            raise _RowProblem("latitude", "bad_coordinate", "only one of latitude/longitude given")
        if (
            latitude is not None
            and longitude is not None
            and raw.get("country", "").casefold() == "mali"
        ):
            check = check_coordinates(latitude, longitude)
            if not check.ok:
                warnings.append(f"coordinates {check.status}: {check.message}")
        acts = _acts(raw, act_map)
        fatalities = _count(raw, "fatalities")
    except _RowProblem as problem:
        return QuarantinedRow(
            source_format=source_format,
            row_number=row_number,
            field=problem.field,
            reason_code=problem.reason_code,
            message=f"row {row_number}: field {problem.field!r}: {problem.detail}",
            raw=dict(verbatim),
            upstream_id=upstream_id,
        )
    casualties = (
        ()
        if fatalities is None
        else (CasualtyClaim("killed", fatalities, fatalities, fatalities, claimed_by="ACLED"),)
    )
    source = SourceRecord(
        source_kind="acled",
        upstream_id=upstream_id,
        source_text=_optional(raw, "source"),
        source_scale=_optional(raw, "source_scale"),
        attribution=ACLED_ATTRIBUTION,
    )
    event = EventRecord(
        date_start=event_date,
        date_end=event_date,
        date_precision=DatePrecision(level=level, upstream_code=time_code),
        location=LocationClaim(
            name=_optional(raw, "location"),
            admin1=_optional(raw, "admin1"),
            admin2=_optional(raw, "admin2"),
            admin3=_optional(raw, "admin3"),
            country=_optional(raw, "country"),
            latitude=latitude,
            longitude=longitude,
            geo_precision_code=geo_code,
            geo_precision_level=_GEO_PRECISION.get(geo_code or "", "unknown"),
        ),
        description=_optional(raw, "notes"),
        acts=acts,
        actors=_actors(raw),
        casualties=casualties,
        tags=tuple(tag.strip() for tag in _text(raw, "tags").split(";") if tag.strip()),
    )
    return ParsedRow(
        source_format=source_format,
        row_number=row_number,
        upstream_id=upstream_id,
        source=source,
        event=event,
        fingerprint=record_fingerprint(source, event),
        raw=dict(verbatim),
        warnings=tuple(warnings),
    )


_MALI_SOUTH, _MALI_WEST, _MALI_NORTH, _MALI_EAST = MALI_BBOX


@lru_cache(maxsize=64)
def _date_precision(level: str, code: str | None) -> DatePrecision:
    return DatePrecision(level=level, upstream_code=code)


@lru_cache(maxsize=1024)
def _acled_casualties(fatalities: int) -> tuple[CasualtyClaim, ...]:
    return (CasualtyClaim("killed", fatalities, fatalities, fatalities, claimed_by="ACLED"),)


def _plain_acled_row(raw: dict[str, str], row_number: int,
                     act_map: ActTypeMap) -> ParsedRow | None:
    """:func:`parse_acled_row` for a row that passes every check, in fewer steps (only the
    cells used are stripped; date precisions and casualty claims are shared, immutable
    records), or ``None`` at the first doubt: the caller then runs :func:`parse_acled_row`,
    which builds the quarantine with its exact message. The records are equal (a test runs
    both on the real file, synthetic files and random rows)."""
    get = raw.get
    upstream_id = (get("event_id_cnty") or "").strip()
    event_type = (get("event_type") or "").strip()
    if not upstream_id or not event_type:
        return None
    try:
        event_date = parse_date(get("event_date") or "")
    except ValueError:
        return None
    sub_event_type = (get("sub_event_type") or "").strip() or None
    acts = _act_claims(act_map, event_type, sub_event_type,
                       (get("civilian_targeting") or "").strip().casefold()
                       == "civilian targeting")
    if acts is None:
        return None
    latitude_text = (get("latitude") or "").strip()
    longitude_text = (get("longitude") or "").strip()
    if not latitude_text or not longitude_text:
        if latitude_text or longitude_text:
            return None
        latitude = longitude = None
    else:
        try:
            latitude = float(latitude_text.replace(",", "."))
            longitude = float(longitude_text.replace(",", "."))
        except ValueError:
            return None
        if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
            return None  # NaN fails the comparisons too
    fatalities_text = (get("fatalities") or "").strip()
    fatalities: int | None = None
    if fatalities_text:
        if not (fatalities_text.isdigit() and fatalities_text.isascii()
                and len(fatalities_text) <= 15):
            return None  # "3.0", "-0", "1e2", beyond a float's exact integers: the reference
        fatalities = int(fatalities_text)
    warnings: list[str] = []
    time_code = (get("time_precision") or "").strip() or None
    level = _TIME_PRECISION.get(time_code or "", "unknown")
    if time_code is not None and level == "unknown":
        warnings.append(f"time_precision {time_code!r} is not a known ACLED code")
    country = (get("country") or "").strip() or None
    if latitude is not None and longitude is not None and (country or "").casefold() == "mali" \
            and not (_MALI_SOUTH <= latitude <= _MALI_NORTH
                     and _MALI_WEST <= longitude <= _MALI_EAST):
        check = check_coordinates(latitude, longitude)
        if not check.ok:
            warnings.append(f"coordinates {check.status}: {check.message}")
    geo_code = (get("geo_precision") or "").strip() or None
    source = SourceRecord(
        source_kind="acled",
        upstream_id=upstream_id,
        source_text=(get("source") or "").strip() or None,
        source_scale=(get("source_scale") or "").strip() or None,
        attribution=ACLED_ATTRIBUTION,
    )
    event = EventRecord(
        date_start=event_date,
        date_end=event_date,
        date_precision=_date_precision(level, time_code),
        location=LocationClaim(
            name=(get("location") or "").strip() or None,
            admin1=(get("admin1") or "").strip() or None,
            admin2=(get("admin2") or "").strip() or None,
            admin3=(get("admin3") or "").strip() or None,
            country=country,
            latitude=latitude,
            longitude=longitude,
            geo_precision_code=geo_code,
            geo_precision_level=_GEO_PRECISION.get(geo_code or "", "unknown"),
        ),
        description=(get("notes") or "").strip() or None,
        acts=acts,
        actors=_actor_names(
            (get("actor1") or "").strip(), (get("inter1") or "").strip() or None,
            (get("assoc_actor_1") or "").strip(), (get("actor2") or "").strip(),
            (get("inter2") or "").strip() or None, (get("assoc_actor_2") or "").strip()),
        casualties=() if fatalities is None else _acled_casualties(fatalities),
        tags=tuple(tag.strip() for tag in (get("tags") or "").split(";") if tag.strip()),
    )
    return ParsedRow(
        source_format="acled_csv",
        row_number=row_number,
        upstream_id=upstream_id,
        source=source,
        event=event,
        fingerprint=record_fingerprint(source, event),
        raw=raw,
        warnings=tuple(warnings),
    )


def iter_acled(
    path: str | os.PathLike[str],
    *,
    act_map: ActTypeMap | None = None,
    source_name: str | None = None,
    detect_duplicates: bool = True,
) -> Iterator[RowResult]:
    """Stream an ACLED CSV export as parsed or quarantined rows, in file order.

    Handles the HDX/HXL hashtag row, a BOM, Latin-1 bytes, ``;`` delimiters, ISO and
    ``31 July 2020`` dates. A cell-count mismatch quarantines the row (``bad_shape``).
    Raises :class:`FileFormatError` (or a subclass) for a file that is empty, not text, or
    lacks the ACLED id/date/type columns — before yielding anything. With
    ``detect_duplicates=False`` (ids checked by the caller), memory stays flat.
    """
    name = source_name or Path(path).name
    act_map = act_map or _default_map()
    rows = iter_dict_rows(
        path,
        required_columns=ACLED_REQUIRED_COLUMNS,
        source_format="acled_csv",
        kind_label="an ACLED export",
        source_name=name,
    )

    def results() -> Iterator[RowResult]:
        for item in rows:
            if isinstance(item, QuarantinedRow):
                yield item
            else:
                yield _plain_acled_row(item[1], item[0], act_map) or parse_acled_row(
                    item[1], row_number=item[0], act_map=act_map)

    return quarantine_duplicates(results(), id_field="event_id_cnty", enabled=detect_duplicates)


def iter_acled_json(
    payload: str | os.PathLike[str] | bytes | Mapping[str, Any] | list[Any],
    *,
    act_map: ActTypeMap | None = None,
    source_name: str | None = None,
    detect_duplicates: bool = True,
) -> Iterator[RowResult]:
    """Parse the JSON returned by ACLED's API (``{"data": [...]}``, or a bare list).

    ``payload`` is a path, raw bytes, or the already-decoded object. One API page is held
    in memory (ACLED pages are at most a few thousand events). Row numbers count events
    from 1. Values may be numbers or strings; they are read as text like CSV cells.
    """
    name = source_name or (
        Path(payload).name if isinstance(payload, (str, os.PathLike)) else "ACLED API response"
    )
    act_map = act_map or _default_map()
    if isinstance(payload, (str, os.PathLike, bytes)):
        try:
            data_bytes = payload if isinstance(payload, bytes) else Path(payload).read_bytes()
        except OSError as error:
            raise UnreadableFileError(
                f"cannot open the file ({error.strerror})", source_name=name
            ) from error
        try:
            document: Any = json.loads(data_bytes.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise FileFormatError(f"not valid JSON: {error}", source_name=name) from error
    else:
        document = payload
    if isinstance(document, Mapping):
        events = document.get("data")
    else:
        events = document
    if not isinstance(events, list):
        raise FileFormatError("no list of events under 'data'", source_name=name)

    def rows() -> Iterator[RowResult]:
        for index, event in enumerate(events, start=1):
            if not isinstance(event, Mapping):
                yield QuarantinedRow(
                    source_format="acled_json",
                    row_number=index,
                    field=None,
                    reason_code="bad_shape",
                    message=f"row {index}: an event must be a JSON object",
                    raw={"value": json.dumps(event, ensure_ascii=False)[:10000]},
                )
                continue
            raw = {
                str(key).strip().casefold(): "" if value is None else str(value)
                for key, value in event.items()
                if not isinstance(value, (dict, list))
            }
            yield parse_acled_row(
                raw, row_number=index, source_format="acled_json", act_map=act_map
            )

    return quarantine_duplicates(rows(), id_field="event_id_cnty", enabled=detect_duplicates)
