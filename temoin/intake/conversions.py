"""The one place where intake records (``temoin.core.intake``) meet case rows.

Pure functions from a :class:`ParsedRow` (+ what the geocoder said) to the dict rows of an
Event, a Source, its Acts, Involvements and Claims. No database access here except the actor
alias table, which the caller builds once per import.

Every value mapped here comes from a field that :func:`temoin.core.intake.flatten_record`
(hence the fingerprint) covers: a re-import of the same file is a no-op, and a newer export
that changes one of them updates it (see ``UPDATED_FIELDS``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from temoin.cases.models import Actor, ClaimKind, ClaimQualifier, Confidentiality, ReviewStatus
from temoin.core.intake import ParsedRow

SOURCE_TYPES = {"acled": "acled_record", "ucdp_ged": "ucdp_record", "table": "other",
                "uwazi": "other", "odk": "other"}
ORIGINS = {"acled": "ACLED", "ucdp_ged": "UCDP GED", "odk": "ODK"}
GEO_PRECISION = {"exact": "exact", "near": "near", "region": "region", "unknown": "unknown"}
# ACLED inter codes 5, 6, 7 = rioters, protesters, civilians: never perpetrators of an act.
NOT_PERPETRATOR_TYPES = {"5", "6", "7"}
CLAIM_KINDS = set(ClaimKind.values)

# Flat-record groups (``event.<group>…`` / ``source.<group>``) → the model fields to refresh
# when an upstream update changes them (beside those the importer already refreshes).
UPDATED_EVENT_FIELDS = {
    "upstream_meta": {"upstream_id", "kind", "date_precision", "date_precision_code",
                      "location", "tags"},
}
UPDATED_SOURCE_FIELDS = {
    "source_text": {"source_text"},
    "source_scale": {"source_scale"},
    "url": {"url"},
}


def upstream_meta(row: ParsedRow) -> dict[str, Any]:
    """The upstream coding an analyst needs to judge an imported event (JSON-ready)."""
    event, location = row.event, row.event.location
    meta: dict[str, Any] = {
        "kind": row.source.source_kind,
        "upstream_id": row.upstream_id,
        "date_precision": event.date_precision.level,
        "date_precision_code": event.date_precision.upstream_code,
        "geo_precision_code": location.geo_precision_code,
        "geo_precision": location.geo_precision_level,
    }
    if event.tags:
        meta["tags"] = list(event.tags)
    return {key: value for key, value in meta.items() if value is not None}


def _dates(row: ParsedRow) -> dict[str, Any]:
    event = row.event
    start = event.date_start
    level = event.date_precision.level
    if start is None:
        return {"start_precision": "unknown"}
    end: dt.date = event.date_end or start
    earliest: dt.date
    latest: dt.date
    if level == "week":  # ACLED 2: "within a week" of the coded date
        earliest, latest, precision = start - dt.timedelta(days=3), end + dt.timedelta(days=3), \
            "approximate"
    elif level == "month":  # ACLED 3: "within the month" of the coded date
        earliest = start.replace(day=1)
        latest = end.replace(day=calendar.monthrange(end.year, end.month)[1])
        precision = "month"
    elif level in ("day", "range", "year", "approximate"):
        earliest, latest = start, end
        precision = "range" if (level == "day" and start != end) else level
    else:
        earliest, latest, precision = start, end, "unknown"
    code = event.date_precision.upstream_code
    text = start.isoformat() if start == end else f"{start.isoformat()} – {end.isoformat()}"
    if code:
        text += f" (précision source {code})"
    return {"start_earliest": earliest, "start_latest": latest, "start_precision": precision,
            "start_text": text[:120]}


@dataclass
class PlaceAnswer:
    """What the geocoder says about a row's place (all optional)."""

    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: str | None = None
    warnings: list[str] = field(default_factory=list)


def event_values(row: ParsedRow, place: PlaceAnswer, *, organisation_id: int, actor_id: int,
                 confidentiality: int = Confidentiality.INTERNAL) -> dict[str, Any]:
    event, location = row.event, row.event.location
    latitude = location.latitude if location.latitude is not None else place.latitude
    longitude = location.longitude if location.longitude is not None else place.longitude
    precision = GEO_PRECISION.get(location.geo_precision_level, "unknown")
    if location.latitude is None and place.latitude is not None:
        precision = place.geo_precision or "near"
    values = {
        "organisation_id": organisation_id,
        "title": event_title(row)[:300],
        "description": event.description or "",
        "place_name": (location.name or "")[:200],
        "admin1": (location.admin1 or "")[:100],
        "admin2": (location.admin2 or "")[:100],
        "admin3": (location.admin3 or "")[:100],
        "country": "ML",
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": precision,
        "geonameid": place.geonameid,
        "review_status": ReviewStatus.SUBMITTED.value,
        "confidentiality": int(confidentiality),
        "upstream_id": (row.upstream_id or "")[:80],
        "upstream_meta": upstream_meta(row),
        "created_by_id": actor_id,
    }
    values.update(_dates(row))
    return values


def event_title(row: ParsedRow) -> str:
    event = row.event
    if row.source.title and row.source.source_kind not in ("acled", "ucdp_ged", "odk"):
        return row.source.title
    what = ", ".join(dict.fromkeys(
        f"{a.upstream_type}" + (f" / {a.upstream_subtype}" if a.upstream_subtype else "")
        for a in event.acts)) or "Évènement"
    where = event.location.name or event.location.admin2 or event.location.admin1 or "lieu inconnu"
    when = event.date_start.isoformat() if event.date_start else "date inconnue"
    return f"{what} — {where} ({when})"


def source_values(row: ParsedRow, *, organisation_id: int, actor_id: int, kind: str,
                  origin: str, reliability_map: Mapping[str, str],
                  source_type: str | None = None) -> dict[str, Any]:
    source = row.source
    scale = source.source_scale or ""
    title_bits = [origin, row.upstream_id or f"ligne {row.row_number}"]
    if source.source_text:
        title_bits.append(source.source_text)
    return {
        "organisation_id": organisation_id,
        "source_type": source_type or SOURCE_TYPES.get(kind, "other"),
        "title": " — ".join(title_bits)[:300],
        "origin": origin[:200],
        "source_text": source.source_text or "",
        "source_scale": scale[:120],
        "url": (source.url or "")[:2000],
        "content": row.event.description or "",
        "reliability": reliability_map.get(scale, reliability_map.get("*", "F")),
        "consent": ["internal"],
        "confidentiality": int(Confidentiality.INTERNAL),
        "upstream_id": (row.upstream_id or "")[:80],
        "created_by_id": actor_id,
    }


def claim_values(row: ParsedRow) -> tuple[list[dict[str, Any]], list[str]]:
    claims, warnings = [], []
    for claim in row.event.casualties:
        if claim.category not in CLAIM_KINDS:
            warnings.append(f"casualty category {claim.category!r} has no claim kind")
            continue
        exact = claim.count_min == claim.count_max
        remarks = f"selon {claim.claimed_by}"
        if claim.count_best is not None and not exact:
            remarks += f" ; meilleure estimation {claim.count_best}"
        claims.append({"kind": claim.category, "count_min": claim.count_min,
                       "count_max": claim.count_max, "count_best": claim.count_best,
                       "qualifier": (ClaimQualifier.EXACT if exact else ClaimQualifier.RANGE).value,
                       "remarks": remarks})
    return claims, warnings


_PARENTHESES = re.compile(r"\s*\([^)]*\)\s*$")


class ActorAliases:
    """Actor names as sources write them → Actor ids (aliases, labels and codes, casefolded;
    a trailing parenthesis such as "(Mali)" or "(2013-)" is tried off as a fallback)."""

    def __init__(self, actors: Iterable[Actor] | None = None) -> None:
        self.by_name: dict[str, int] = {}
        for actor in actors if actors is not None else Actor.objects.all():
            for name in (actor.code, actor.label_en, actor.label_fr, *(actor.aliases or [])):
                if name:
                    self.by_name.setdefault(name.strip().casefold(), actor.pk)

    def resolve(self, name: str) -> int | None:
        key = name.strip().casefold()
        found = self.by_name.get(key)
        if found is None:
            stripped = _PARENTHESES.sub("", key)
            while found is None and stripped and stripped != key:
                found = self.by_name.get(stripped)
                key, stripped = stripped, _PARENTHESES.sub("", stripped)
        return found


def perpetrators(row: ParsedRow, aliases: ActorAliases) -> tuple[list[tuple[int, str]], list[str]]:
    """(actor id, remark) pairs for the row's armed actors, and the names not recognised."""
    side_type = {a.side: a.type_code for a in row.event.actors if a.type_code is not None}
    found: dict[int, str] = {}
    unknown: list[str] = []
    for actor in row.event.actors:
        type_code = actor.type_code or side_type.get(actor.side)
        if type_code in NOT_PERPETRATOR_TYPES:
            continue
        actor_id = aliases.resolve(actor.name)
        if actor_id is None:
            unknown.append(actor.name)
        else:
            found.setdefault(actor_id, f"{row.source.source_kind}:{actor.role}")
    return list(found.items()), unknown
