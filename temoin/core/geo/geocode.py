"""Geocoding a stated place name against the gazetteer, without ever inventing a place.

``geocode(gazetteer, name, admin1=None, admin2=None, near=None, admin3=None)`` returns ranked
candidates,
each with a confidence in [0, 1] and the reasons behind it, and a status:

* ``"found"`` — the best candidate reaches the threshold and no other candidate *elsewhere*
  (more than ``ambiguity_km`` away) comes close to it;
* ``"ambiguous"`` — several places fit about equally well: no ``best``; the record goes to
  the analyst queue with the candidates;
* ``"not_found"`` — nothing reaches the threshold.

A found place that has a namesake (same name, same admin context, farther than
``ambiguity_km``) with a lower feature weight is kept but never labelled "high".

Confidence = name similarity × feature weight × admin-context factor × distance factor.
Name similarity is 1.0 for the same normalised name, 0.96 for the same phonetic key, else
the rapidfuzz ratio × 0.95 (so a fuzzy match is never "high"; short names need an exact or
phonetic match). The admin-context factor
uses the stated cercle (or region) polygon: inside or within 5 km keeps the score, farther
lowers it steeply; when no polygon matches the stated name, GeoNames' region is compared.

The stated commune (``admin3``) has no polygon: its seat usually bears its name, so the
populated places of that name inside the stated cercle are its *anchors*. A candidate within
``commune_confirm_km`` of an anchor is confirmed at commune level; farther, its confidence is
lowered a little (``commune_far_factor``: northern communes are vast, so distance from the
seat is weak evidence against), and when another plausible candidate (above the threshold)
*is* confirmed by the commune, the answer is "ambiguous": this separates same-name villages
of one cercle ("Heremakono" 44 km from Siribala vs "Heremakono Koura" 9 km from it).

"High" means the place is pinned down: a candidate that is neither confirmed by its stated
commune nor inside a stated unit smaller than ``large_unit_km2`` (the northern cercles are
35,000–330,000 km², where GeoNames lacks many camps and hamlets that share a name with a
listed one) is capped at "medium", with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from temoin.core.geo.admin import AdminUnit, admin_key, haversine_km
from temoin.core.geo.errors import CoordinateError
from temoin.core.geo.gazetteer import Gazetteer, Place
from temoin.core.geo.normalise import normalise_name, phonetic_key

__all__ = ["Candidate", "GeocodeResult", "GeocodeSettings", "geocode"]

_FEATURE_WEIGHT = {
    "PPLC": 1.0, "PPLA": 1.0, "PPLA2": 1.0, "PPLA3": 0.99, "PPLA4": 0.99, "PPL": 0.98,
    "PPLL": 0.97, "PPLX": 0.96, "PPLQ": 0.9, "PPLH": 0.9,
}  # fmt: skip
_CLASS_WEIGHT = {"P": 0.97, "L": 0.92, "S": 0.92, "V": 0.88, "T": 0.86, "H": 0.86}


@dataclass(frozen=True, slots=True)
class GeocodeSettings:
    """Tunable thresholds; stored with results someone may have to defend."""

    threshold: float = 0.80
    high_confidence: float = 0.95
    medium_confidence: float = 0.88
    fuzzy_factor: float = 0.95
    fuzzy_cutoff: float = 84.0
    min_fuzzy_length: int = 5
    ambiguity_margin: float = 0.04
    ambiguity_km: float = 10.0
    limit: int = 5
    commune_confirm_km: float = 30.0
    commune_far_factor: float = 0.96
    large_unit_km2: float = 25_000.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place that could be the one meant, with why."""

    place: Place
    confidence: float
    confidence_label: str  # "high", "medium", "low", "below_threshold"
    matched_name: str
    name_score: float
    reasons: tuple[str, ...]
    distance_to_near_km: float | None
    admin_factor: float = 1.0


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """The answer for one query: ``best`` is set only when ``status == "found"``."""

    query: str
    admin1: str | None
    admin2: str | None
    status: str  # "found", "ambiguous", "not_found"
    best: Candidate | None
    candidates: tuple[Candidate, ...]
    reason: str

    @property
    def found(self) -> bool:
        """True when a single place was found above the threshold."""
        return self.status == "found"


def _label(confidence: float, settings: GeocodeSettings) -> str:
    if confidence >= settings.high_confidence:
        return "high"
    if confidence >= settings.medium_confidence:
        return "medium"
    if confidence >= settings.threshold:
        return "low"
    return "below_threshold"


def _name_matches(
    gazetteer: Gazetteer, query: str, settings: GeocodeSettings
) -> dict[int, tuple[float, str, str]]:
    """place index → (name score 0..1, matched original name, how)."""
    normalised = normalise_name(query)
    key = phonetic_key(query)
    found: dict[int, tuple[float, str, str]] = {}

    def offer(name_index: int, score: float, how: str) -> None:
        entry = gazetteer.names[name_index]
        if entry.normalised.qualifier != normalised.qualifier:
            score -= 0.03 if entry.normalised.qualifier is None else 0.15
            how += ", community qualifier differs"
        current = found.get(entry.place_index)
        if current is None or score > current[0]:
            found[entry.place_index] = (score, entry.original, how)

    for name_index in gazetteer.by_base.get(normalised.base, ()):
        offer(name_index, 1.0, "same normalised name")
    for name_index in gazetteer.by_phonetic.get(key, ()):
        offer(name_index, 0.96, "same phonetic key (spelling variant)")
    if len(normalised.base.replace(" ", "")) >= settings.min_fuzzy_length:
        for base, score, _ in process.extract(
            normalised.base,
            gazetteer.base_keys,
            scorer=fuzz.ratio,
            score_cutoff=settings.fuzzy_cutoff,
            limit=30,
        ):
            for name_index in gazetteer.by_base[base]:
                offer(
                    name_index,
                    settings.fuzzy_factor * score / 100.0,
                    f"similar name ({score:.0f}%)",
                )
    return found


def _commune_anchors(
    gazetteer: Gazetteer, admin3: str | None, admin1: str | None, admin2: str | None
) -> tuple[Place, ...]:
    """Populated places named like the stated commune, inside (±5 km) the stated unit."""
    if not admin3 or not normalise_name(admin3).base:
        return ()
    cache_key = (admin3, admin1, admin2)
    cached = gazetteer.commune_anchor_cache.get(cache_key)
    if cached is not None:
        return cached
    normalised = normalise_name(admin3)
    indexes = {gazetteer.names[i].place_index for i in gazetteer.by_base.get(normalised.base, ())}
    indexes |= {
        gazetteer.names[i].place_index for i in gazetteer.by_phonetic.get(phonetic_key(admin3), ())
    }
    unit = None
    if gazetteer.boundaries is not None:
        unit = gazetteer.boundaries.resolve_stated(admin1=admin1, admin2=admin2)
    anchors = []
    for index in sorted(indexes):
        place = gazetteer.places[index]
        if place.feature_class != "P":
            continue
        if unit is not None and gazetteer.boundaries is not None:
            if gazetteer.boundaries.distance_to_unit_km(place.latitude, place.longitude, unit) > 5:
                continue
        elif (admin1 or admin2) and not (
            {admin_key(n) for n in (admin1, admin2) if n} & gazetteer.admin_keys(place)
        ):
            continue
        anchors.append(place)
    result = tuple(anchors)
    gazetteer.commune_anchor_cache[cache_key] = result
    return result


def _commune_factor(
    place: Place, admin3: str | None, anchors: tuple[Place, ...], settings: GeocodeSettings
) -> tuple[float, bool, str | None]:
    """(factor, confirmed at commune level, reason)."""
    if not anchors:
        return 1.0, False, None
    distance, nearest = min(
        (haversine_km(place.latitude, place.longitude, anchor.latitude, anchor.longitude),
         anchor.name)
        for anchor in anchors
    )  # fmt: skip
    if distance <= settings.commune_confirm_km:
        return 1.0, True, f"{distance:.0f} km from {nearest}, seat of stated commune"
    return (
        settings.commune_far_factor,
        False,
        f"{distance:.0f} km from the seat of stated commune {admin3}",
    )


def _stated_unit_is_small(
    gazetteer: Gazetteer, admin1: str | None, admin2: str | None, settings: GeocodeSettings
) -> tuple[bool, str | None]:
    if not admin1 and not admin2:
        return True, None  # no context stated: the namesake rules decide
    if gazetteer.boundaries is None:
        return True, None
    unit = gazetteer.boundaries.resolve_stated(admin1=admin1, admin2=admin2)
    if unit is None:
        return False, "stated admin unit has no polygon"
    area = gazetteer.boundaries.area_km2(unit)
    if area <= settings.large_unit_km2:
        return True, None
    return False, f"stated unit {unit.name} is {area:,.0f} km² and the commune is not confirmed"


def _admin_factor(
    gazetteer: Gazetteer, place: Place, admin1: str | None, admin2: str | None
) -> tuple[float, str | None]:
    if not admin1 and not admin2:
        return 1.0, None
    unit: AdminUnit | None = None
    if gazetteer.boundaries is not None:
        unit = gazetteer.boundaries.resolve_stated(admin1=admin1, admin2=admin2)
    if unit is not None and gazetteer.boundaries is not None:
        distance = gazetteer.boundaries.distance_to_unit_km(place.latitude, place.longitude, unit)
        word = "cercle" if unit.level == 2 else "region"
        if distance <= 5.0:
            return 1.0, f"in stated {word} {unit.name}"
        if distance <= 15.0:
            return 0.95, f"{distance:.0f} km outside stated {word} {unit.name}"
        if distance <= 40.0:
            return 0.8, f"{distance:.0f} km outside stated {word} {unit.name}"
        return 0.5, f"{distance:.0f} km outside stated {word} {unit.name}"
    stated = {admin_key(name) for name in (admin1, admin2) if name}
    if stated & gazetteer.admin_keys(place):
        return 1.0, "GeoNames region matches the stated one"
    return 0.6, "stated admin unit unknown to the boundaries and not the GeoNames region"


def _near_factor(place: Place, near: tuple[float, float] | None) -> tuple[float, float | None]:
    if near is None:
        return 1.0, None
    distance = haversine_km(near[0], near[1], place.latitude, place.longitude)
    if distance <= 25:
        return 1.0, distance
    if distance <= 100:
        return 0.9, distance
    return 0.7, distance


def _validated_point(point: tuple[float, float]) -> tuple[float, float]:
    try:
        latitude, longitude = float(point[0]), float(point[1])
    except (TypeError, ValueError, IndexError):
        raise CoordinateError(f"near={point!r} is not a (latitude, longitude) pair") from None
    if (
        not (math.isfinite(latitude) and math.isfinite(longitude))
        or abs(latitude) > 90
        or abs(longitude) > 180
    ):
        raise CoordinateError(f"near={point!r} is out of range")
    return latitude, longitude


def geocode(
    gazetteer: Gazetteer,
    name: str,
    admin1: str | None = None,
    admin2: str | None = None,
    near: tuple[float, float] | None = None,
    *,
    admin3: str | None = None,
    settings: GeocodeSettings | None = None,
) -> GeocodeResult:
    """Find the place meant by ``name`` (see module docstring).

    Raises :class:`CoordinateError` only for an unusable ``near`` point.
    """
    settings = settings or GeocodeSettings()
    if near is not None:
        near = _validated_point(near)
    if not normalise_name(name).base:
        return GeocodeResult(name, admin1, admin2, "not_found", None, (), "empty name")
    scored: list[Candidate] = []
    anchors = _commune_anchors(gazetteer, admin3, admin1, admin2)
    confirmed: set[int] = set()
    for place_index, (name_score, matched, how) in _name_matches(gazetteer, name, settings).items():
        place = gazetteer.places[place_index]
        weight = _FEATURE_WEIGHT.get(
            place.feature_code, _CLASS_WEIGHT.get(place.feature_class, 0.85)
        )
        admin_factor, admin_reason = _admin_factor(gazetteer, place, admin1, admin2)
        near_factor, near_km = _near_factor(place, near)
        commune_factor, commune_ok, commune_reason = _commune_factor(
            place, admin3, anchors, settings
        )
        if commune_ok:
            confirmed.add(place.geonameid)
        confidence = max(
            0.0, min(1.0, name_score * weight * admin_factor * commune_factor * near_factor)
        )
        reasons = [how, f"{place.feature_code} weight {weight:.2f}"]
        if admin_reason:
            reasons.append(admin_reason)
        if commune_reason:
            reasons.append(commune_reason)
        if near_km is not None:
            reasons.append(f"{near_km:.0f} km from the given point")
        scored.append(
            Candidate(place, round(confidence, 4), _label(confidence, settings), matched,
                      round(name_score, 4), tuple(reasons), near_km, admin_factor)
        )  # fmt: skip
    scored.sort(key=lambda c: (-c.confidence, -c.place.population, c.place.geonameid))
    candidates = tuple(scored[: settings.limit])
    if not candidates or candidates[0].confidence < settings.threshold:
        reason = "no candidate" if not candidates else (
            f"best candidate {candidates[0].matched_name!r} scores "
            f"{candidates[0].confidence:.2f} < threshold {settings.threshold:.2f}"
        )  # fmt: skip
        return GeocodeResult(name, admin1, admin2, "not_found", None, candidates, reason)
    best = candidates[0]
    rivals = [
        other
        for other in scored[1:]
        if other.confidence >= best.confidence - settings.ambiguity_margin
        and haversine_km(best.place.latitude, best.place.longitude,
                         other.place.latitude, other.place.longitude) > settings.ambiguity_km
    ]  # fmt: skip
    if rivals:
        return GeocodeResult(
            name, admin1, admin2, "ambiguous", None, candidates,
            f"{len(rivals) + 1} places more than {settings.ambiguity_km:g} km apart fit"
            f" about equally ({best.confidence:.2f})",
        )  # fmt: skip
    commune_rivals = [
        other
        for other in scored[1:]
        if best.place.geonameid not in confirmed
        and other.place.geonameid in confirmed
        and other.confidence >= settings.threshold
        and haversine_km(best.place.latitude, best.place.longitude,
                         other.place.latitude, other.place.longitude) > settings.ambiguity_km
    ]  # fmt: skip
    if commune_rivals:
        return GeocodeResult(
            name, admin1, admin2, "ambiguous", None, candidates,
            f"best {best.matched_name!r} ({best.confidence:.2f}) is not in stated commune "
            f"{admin3}, {commune_rivals[0].matched_name!r} ({commune_rivals[0].confidence:.2f})"
            " is",
        )  # fmt: skip
    namesakes = [
        other
        for other in scored[1:]
        if other.name_score >= best.name_score - 0.01
        and other.admin_factor >= best.admin_factor
        and haversine_km(best.place.latitude, best.place.longitude,
                         other.place.latitude, other.place.longitude) > settings.ambiguity_km
    ]  # fmt: skip
    if namesakes and best.confidence >= settings.high_confidence:
        capped = settings.high_confidence - 0.01
        best = replace(
            best,
            confidence=capped,
            confidence_label=_label(capped, settings),
            reasons=(
                *best.reasons,
                f"{len(namesakes)} other place(s) of this name fit the context",
            ),
        )
        candidates = (best, *candidates[1:])
    if best.confidence >= settings.high_confidence and best.place.geonameid not in confirmed:
        small, why = _stated_unit_is_small(gazetteer, admin1, admin2, settings)
        if not small and near is None:
            capped = settings.high_confidence - 0.01
            best = replace(
                best,
                confidence=capped,
                confidence_label=_label(capped, settings),
                reasons=(*best.reasons, f"not high: {why}"),
            )
            candidates = (best, *candidates[1:])
    return GeocodeResult(name, admin1, admin2, "found", best, candidates, "; ".join(best.reasons))
