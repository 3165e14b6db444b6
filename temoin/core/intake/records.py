"""Plain, immutable records produced by every intake parser.

A parser yields, for each upstream row, either a :class:`ParsedRow` (a candidate source and a
candidate event with its acts, actor names and casualty claims) or a :class:`QuarantinedRow`
(the verbatim row, its number, the field at fault and a reason code). Nothing here is ever
"verified": a parsed row is a *claim by its source*, to be reviewed by an analyst.

These dataclasses know nothing about Django; the lead's ``conversions.py`` maps them to models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dataclass_field

__all__ = [
    "ActClaim",
    "ActorName",
    "CasualtyClaim",
    "DatePrecision",
    "EventRecord",
    "LocationClaim",
    "ParsedRow",
    "QuarantinedRow",
    "RowResult",
    "SourceRecord",
]


@dataclass(frozen=True, slots=True)
class DatePrecision:
    """How precise a date is, in the upstream code system and as Témoin's word.

    ``level`` is one of ``"day"``, ``"week"``, ``"month"``, ``"year"``, ``"range"``,
    ``"unknown"``; ``upstream_code`` is the raw code (e.g. ACLED ``time_precision`` "2").
    """

    level: str
    upstream_code: str | None = None


@dataclass(frozen=True, slots=True)
class LocationClaim:
    """A place as the source states it; coordinates are the source's, not geocoded ones."""

    name: str | None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision_code: str | None = None
    geo_precision_level: str = "unknown"  # "exact", "near", "region", "unknown"


@dataclass(frozen=True, slots=True)
class ActorName:
    """An actor named by the source, before any alias resolution.

    ``role`` is the upstream column ("actor1", "assoc_actor_1", "side_a"…); ``side`` 1 or 2
    when the source distinguishes two sides (ACLED does not imply direction); ``type_code``
    is the upstream actor-type code (ACLED ``inter1``) when there is one.
    """

    name: str
    role: str
    side: int | None = None
    type_code: str | None = None


@dataclass(frozen=True, slots=True)
class ActClaim:
    """One act type the source's classification maps to, with the upstream labels kept."""

    act_type_code: str
    upstream_type: str
    upstream_subtype: str | None = None
    mapping_note: str | None = None


@dataclass(frozen=True, slots=True)
class CasualtyClaim:
    """A count claimed by a source: ``count_min``…``count_max`` with an optional best value."""

    category: str  # "killed", "injured", "abducted"…
    count_min: int
    count_max: int
    count_best: int | None
    claimed_by: str


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """The upstream record as a *source* of information (never a verified fact)."""

    source_kind: str  # "acled", "ucdp_ged", "table", "uwazi", "odk"
    upstream_id: str | None
    title: str | None = None
    source_text: str | None = None  # e.g. ACLED `source`: who reported
    source_scale: str | None = None
    attribution: str | None = None  # licence attribution to print with any export
    url: str | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A candidate event built from one upstream row."""

    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: DatePrecision
    location: LocationClaim
    description: str | None = None
    acts: tuple[ActClaim, ...] = ()
    actors: tuple[ActorName, ...] = ()
    casualties: tuple[CasualtyClaim, ...] = ()
    tags: tuple[str, ...] = ()
    verified: bool = False  # always False from intake; kept explicit for the reviewer


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A row that passed validation.

    ``row_number`` counts physical data rows from 1 (header and HXL row excluded, so an
    analyst can find it); ``fingerprint`` is :func:`~temoin.core.intake.fingerprint.record_fingerprint`
    of ``source`` + ``event``; ``raw`` is the verbatim row (column → text).
    """

    source_format: str
    row_number: int
    upstream_id: str | None
    source: SourceRecord
    event: EventRecord
    fingerprint: str
    raw: dict[str, str] = dataclass_field(compare=False, repr=False)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """A row that failed validation, kept verbatim so nothing is lost.

    ``reason_code`` is stable (e.g. ``"bad_date"``, ``"unknown_event_type"``,
    ``"duplicate_id"``); ``message`` names the row and field, never personal data.
    """

    source_format: str
    row_number: int
    field: str | None
    reason_code: str
    message: str
    raw: dict[str, str] = dataclass_field(repr=False)
    upstream_id: str | None = None


RowResult = ParsedRow | QuarantinedRow
