"""Validation of case records, all problems of one record collected at once.

Each check adds ``(field, code, message)`` to a ``Problems``; services raise once, before
anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from django.utils import timezone

from temoin.cases.models import (
    ClaimKind,
    ClaimQualifier,
    Confidentiality,
    GeoPrecision,
    Recipient,
    Reliability,
    Sex,
    Term,
    ViolationStatus,
)
from temoin.core.dates import DateError, PartialDate, parse_partial_date
from temoin.errors import Problems

# Mali's bounding box (WGS84), from the geoBoundaries ADM0 outline, with a small margin.
MALI_LAT = (10.0, 25.1)
MALI_LON = (-12.4, 4.4)


def today() -> date:
    return timezone.now().date()


def partial_date(problems: Problems, field: str, value: Any) -> PartialDate | None:
    """Accept free text ("début mars 2022"), a PartialDate, or its dict form."""
    if value is None:
        return None
    try:
        if isinstance(value, PartialDate):
            result = value
        elif isinstance(value, Mapping):
            result = PartialDate.from_dict(value)
        elif isinstance(value, date):
            result = PartialDate.day(value)
        else:
            result = parse_partial_date(str(value), today=today())
    except DateError as exc:
        problems.add(field, exc.code, str(exc))
        return None
    if result.latest is not None and result.earliest is not None and result.earliest > today():
        problems.add(field, "date.future", f"La date « {result.text or result} » est dans le futur.")
    return result


def period(problems: Problems, start: PartialDate | None, end: PartialDate | None) -> None:
    if start and end and start.earliest and end.latest and end.latest < start.earliest:
        problems.add("end", "date.reversed_range",
                     "La date de fin précède la date de début.")


def place(problems: Problems, data: Mapping[str, Any]) -> None:
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lon is None):
        problems.add("latitude", "geo.incomplete", "Latitude et longitude vont ensemble.")
        return
    if lat is None:
        return
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        problems.add("latitude", "geo.not_a_number", "Coordonnées non numériques.")
        return
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problems.add("latitude", "geo.out_of_range", "Coordonnées hors des bornes du globe.")
        return
    if data.get("country", "ML") == "ML":
        inside = MALI_LAT[0] <= lat <= MALI_LAT[1] and MALI_LON[0] <= lon <= MALI_LON[1]
        if not inside:
            swapped = MALI_LAT[0] <= lon <= MALI_LAT[1] and MALI_LON[0] <= lat <= MALI_LON[1]
            hint = " (latitude et longitude inversées ?)" if swapped else ""
            problems.add("latitude", "geo.outside_mali",
                         f"Le point ({lat:.4f}, {lon:.4f}) est hors du Mali{hint}.")
    precision = data.get("geo_precision")
    if precision is not None and precision not in GeoPrecision.values:
        problems.add("geo_precision", "choice.unknown", f"Précision inconnue : {precision}.")


def choice(problems: Problems, field: str, value: Any, allowed: list[Any]) -> None:
    if value is not None and value not in allowed:
        problems.add(field, "choice.unknown", f"Valeur inconnue pour {field} : {value!r}.")


@lru_cache(maxsize=64)
def _codes(vocabulary: str) -> frozenset[str]:
    return frozenset(
        Term.objects.filter(vocabulary=vocabulary, active=True).values_list("code", flat=True)
    )


def forget_vocabularies() -> None:
    _codes.cache_clear()


def term(problems: Problems, field: str, vocabulary: str, code: Any) -> None:
    if code in (None, ""):
        return
    if code not in _codes(vocabulary):
        problems.add(field, "vocabulary.unknown_term",
                     f"Terme inconnu dans le vocabulaire {vocabulary} : {code!r}.")


def count_range(problems: Problems, field_min: str, low: Any, field_max: str, high: Any) -> None:
    for name, value in ((field_min, low), (field_max, high)):
        if value is not None and (not isinstance(value, int) or value < 0):
            problems.add(name, "count.invalid", f"{name} doit être un entier positif ou nul.")
            return
    if low is not None and high is not None and low > high:
        problems.add(field_min, "count.min_above_max",
                     f"Le minimum ({low}) dépasse le maximum ({high}).")


def confidentiality(problems: Problems, value: Any) -> None:
    choice(problems, "confidentiality", value, list(Confidentiality.values))


def consent(problems: Problems, recipients: Any) -> None:
    if recipients is None:
        return
    if not isinstance(recipients, list | tuple):
        problems.add("consent", "consent.invalid", "Le consentement est une liste de destinataires.")
        return
    for value in recipients:
        if value not in Recipient.values:
            problems.add("consent", "consent.unknown_recipient",
                         f"Destinataire inconnu : {value!r}.")


CHOICES = {
    "violation_status": list(ViolationStatus.values),
    "reliability": list(Reliability.values),
    "sex": list(Sex.values),
    "kind": list(ClaimKind.values),
    "qualifier": list(ClaimQualifier.values),
}


def unknown_fields(problems: Problems, data: Mapping[str, Any], allowed: set[str]) -> None:
    for name in data:
        if name not in allowed:
            problems.add(name, "field.unknown", f"Champ inconnu : {name}.")
