"""The one place where case-database rows become linkage core records.

A record is one ``(list, record)``: the list is the documenting source's ``origin`` (reached
Person → Act (victim or named victim) → Event → Information → Source), the record id the
person's or event's primary key. A person documented by two origins gives two records; linkage
then tells they are one individual documented by two lists.

Names are read only when the caller passes the unsealed keys; they stay in memory, inside the
core records. Sealed, a person's name is replaced by two opaque letter tokens derived from the
blind index (``Person.blind_name``): equal names give equal tokens, anything else (spelling
variants, order swaps, initials) is invisible — the run says so in ``hidden``.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from temoin.cases.access import visible_events, visible_persons, visible_sources
from temoin.cases.models import Act, Claim, Event, Information, Involvement, Person
from temoin.cases.services.persons import identity_context
from temoin.core import sealing
from temoin.core.linkage import IncidentRecord, PersonRecord
from temoin.errors import IntegrityFailure

SEX = {"male": "m", "female": "f"}
HAS_INCIDENT_DATE = "incident_date" in {f.name for f in fields(PersonRecord)}
PRECISE = ("exact", "near")
SEALED_HIDDEN = (
    "Identités scellées : les noms n'ont pas été déchiffrés. Seule l'égalité exacte des noms "
    "(index aveugle) a servi ; variantes d'orthographe (Boubacar/Aboubacar), inversions "
    "prénom/nom et initiales ne sont pas reconnues. Les personnes enregistrées pendant que les "
    "clés étaient scellées (index en attente) n'ont aucun nom utilisable."
)


@dataclass
class RecordMeta:
    """What the app keeps about each record (never a name)."""

    list_id: str
    record_id: str
    person_id: int | None = None
    event_id: int | None = None
    region: str = ""
    year: int | None = None


@dataclass
class LinkageInput:
    records: list[Any]
    meta: list[RecordMeta]
    description: dict[str, Any]
    digest_rows: list[dict[str, Any]] = field(default_factory=list)
    identities_read: int = 0

    @property
    def sha256(self) -> str:
        text = json.dumps(self.digest_rows, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _interval(earliest: date | None, latest: date | None,
              precision: str) -> tuple[date | None, str]:
    if earliest is None or precision == "unknown":
        return None, "day"
    latest = latest or earliest
    if earliest == latest:
        return earliest, "day"
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return earliest, "month"
    return earliest, "year"


def _origins_by_event(viewer: Any) -> dict[int, set[str]]:
    sources = visible_sources(viewer).values("pk")
    out: dict[int, set[str]] = defaultdict(set)
    for event_id, origin in Information.objects.filter(source__in=sources).values_list(
            "event_id", "source__origin"):
        if origin:
            out[event_id].add(origin)
    return out


def _opaque_tokens(blind: str) -> tuple[str, str]:
    """Two letter-only tokens from a blind index (hex): equal inputs, equal tokens."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    raw = bytes.fromhex(blind)
    word = "".join(letters[b % 26] for b in raw)
    half = len(word) // 2
    return "x" + word[:half], "x" + word[half:]


def person_input(viewer: Any, *, keys: Any | None,
                 on_count: Callable[[int], None] | None = None) -> LinkageInput:
    """Person records visible to ``viewer``; names decrypted only when ``keys`` are given.

    ``on_count`` is called with the number of identities about to be decrypted, before any
    decryption (the caller writes the one audit row there).
    """
    persons = {p.pk: p for p in visible_persons(viewer).order_by("pk")}
    events_visible = visible_events(viewer).values("pk")
    origins = _origins_by_event(viewer)
    person_events: dict[int, set[int]] = defaultdict(set)
    for person_id, event_id in Act.objects.filter(
            event__in=events_visible, victim_person__isnull=False).values_list(
            "victim_person_id", "event_id"):
        person_events[person_id].add(event_id)
    through = Act.named_victims.through
    for person_id, event_id in through.objects.filter(act__event__in=events_visible).values_list(
            "person_id", "act__event_id"):
        person_events[person_id].add(event_id)
    event_ids = {e for events in person_events.values() for e in events}
    places = {e["pk"]: e for e in Event.objects.filter(pk__in=event_ids).values(
        "pk", "admin1", "admin2", "latitude", "longitude", "geo_precision", "start_earliest",
        "start_latest", "start_precision")}
    chosen = [pk for pk in sorted(person_events) if pk in persons]
    if keys is not None and on_count is not None:
        on_count(sum(1 for pk in chosen if persons[pk].identity_blob))
    records: list[Any] = []
    meta: list[RecordMeta] = []
    digest: list[dict[str, Any]] = []
    read = 0
    no_origin = 0
    for pk in chosen:
        person = persons[pk]
        names: dict[str, Any] = {}
        if keys is not None and person.identity_blob:
            try:
                names = sealing.open_identity(keys, bytes(person.identity_blob),
                                              context=identity_context(person.code))
            except (sealing.Tampered, sealing.WrongKey) as exc:
                raise IntegrityFailure(f"Identité de {person.code} illisible : {exc.code}.",
                                       code=exc.code) from exc
            read += 1
        elif keys is None and person.blind_name:
            given, family = _opaque_tokens(person.blind_name)
            names = {"given_name": given, "family_name": family}
        by_origin: dict[str, int] = {}
        for event_id in sorted(person_events[pk]):
            for origin in sorted(origins.get(event_id, ())):
                by_origin.setdefault(origin, event_id)
        if not by_origin:
            no_origin += 1
        for origin, event_id in sorted(by_origin.items()):
            place = places[event_id]
            record, row = _person_record(person, origin, names, place)
            records.append(record)
            year = place["start_earliest"].year if place["start_earliest"] else None
            meta.append(RecordMeta(origin, str(pk), person_id=pk, region=place["admin1"] or "",
                                   year=year))
            digest.append(row)
    description = {
        "source": "cases.Person via Act (victim, named victims) → Event → Information → Source",
        "list": "Source.origin", "persons": len(chosen), "records": len(records),
        "persons_without_visible_source": no_origin,
        "lists": sorted({m.list_id for m in meta}),
        "fields": ["name" if keys is not None else "blind_name", "sex", "age", "death_date",
                   "locality", "event admin1/admin2", "event point (exact/near)"],
    }
    return LinkageInput(records, meta, description, digest, identities_read=read)


def _person_record(person: Person, origin: str, names: dict[str, Any],
                   place: dict[str, Any]) -> tuple[PersonRecord, dict[str, Any]]:
    given = names.get("given_name") or None
    family = names.get("family_name") or None
    full = None if (given or family) else (names.get("other_names") or None)
    age, approximate = None, False
    if person.age_min is not None and person.age_max is not None:
        age = (person.age_min + person.age_max) // 2
        approximate = person.age_min != person.age_max
    elif person.age_min is not None or person.age_max is not None:
        age, approximate = person.age_min or person.age_max, True
    death, precision = _interval(person.death_earliest, person.death_latest,
                                 person.death_precision)
    precise = place["geo_precision"] in PRECISE and place["latitude"] is not None
    extra: dict[str, Any] = {}
    if HAS_INCIDENT_DATE:  # the date of the documented event (newer core versions use it)
        incident, incident_precision = _interval(place["start_earliest"], place["start_latest"],
                                                 place["start_precision"])
        extra = {"incident_date": incident, "incident_precision": incident_precision}
    record = PersonRecord(
        record_id=str(person.pk), list_id=origin, given_name=given, family_name=family,
        full_name=full, sex=SEX.get(person.sex),  # type: ignore[arg-type]  # 'm', 'f' or None
        age=age if age is None or age <= 120 else None, age_approximate=approximate,
        death_date=death, death_precision=precision,  # type: ignore[arg-type]  # day/month/year
        village=person.locality or None, cercle=place["admin2"] or None,
        region=place["admin1"] or None,
        latitude=place["latitude"] if precise else None,
        longitude=place["longitude"] if precise else None,
        stratum=place["admin1"] or None, **extra)
    row = {"list": origin, "record": str(person.pk), "blind_name": person.blind_name,
           "sex": person.sex, "age": [person.age_min, person.age_max],
           "death": [person.death_earliest, person.death_latest, person.death_precision],
           "locality": person.locality, "place": [place["admin1"], place["admin2"]]}
    return record, row


def event_input(viewer: Any) -> LinkageInput:
    """One incident record per (source origin, visible event)."""
    events = list(visible_events(viewer).order_by("pk").values(
        "pk", "start_earliest", "start_latest", "start_precision", "place_name", "admin1",
        "admin2", "latitude", "longitude", "geo_precision"))
    ids = [e["pk"] for e in events]
    origins = _origins_by_event(viewer)
    act_types: dict[int, set[str]] = defaultdict(set)
    for event_id, act_type in Act.objects.filter(event_id__in=ids).values_list(
            "event_id", "act_type"):
        act_types[event_id].add(act_type)
    perpetrators: dict[int, set[str]] = defaultdict(set)
    for event_id, code in Involvement.objects.filter(
            act__event_id__in=ids, actor__isnull=False).values_list("act__event_id",
                                                                    "actor__code"):
        perpetrators[event_id].add(code)
    killed: dict[tuple[int, str], list[tuple[int, int | None]]] = defaultdict(list)
    for event_id, origin, low, high in Claim.objects.filter(
            event_id__in=ids, kind="killed", withdrawn_at__isnull=True).values_list("event_id", "source__origin",
                                                         "count_min", "count_max"):
        killed[(event_id, origin)].append((low, high))
    records: list[Any] = []
    meta: list[RecordMeta] = []
    digest: list[dict[str, Any]] = []
    for event in events:
        day, precision = _interval(event["start_earliest"], event["start_latest"],
                                   event["start_precision"])
        precise = event["geo_precision"] in PRECISE
        for origin in sorted(origins.get(event["pk"], ())):
            claims = killed.get((event["pk"], origin), [])
            low = min((c[0] for c in claims), default=None)
            highs = [c[1] if c[1] is not None else c[0] * 2 for c in claims]
            has_point = event["latitude"] is not None and event["longitude"] is not None
            record = IncidentRecord(
                record_id=str(event["pk"]), list_id=origin, date=day,
                date_precision=precision,  # type: ignore[arg-type]  # day/month/year
                village=(event["place_name"] or None) if precise else None,
                cercle=event["admin2"] or None, region=event["admin1"] or None,
                latitude=event["latitude"] if has_point else None,
                longitude=event["longitude"] if has_point else None,
                act_types=tuple(sorted(act_types.get(event["pk"], ()))),
                perpetrators=tuple(sorted(perpetrators.get(event["pk"], ()))),
                killed_low=low, killed_high=max(highs) if highs else None)
            records.append(record)
            year = event["start_earliest"].year if event["start_earliest"] else None
            meta.append(RecordMeta(origin, str(event["pk"]), event_id=event["pk"],
                                   region=event["admin1"] or "", year=year))
            digest.append({"list": origin, "record": str(event["pk"]),
                           "date": [day, precision], "place": [event["admin1"], event["admin2"],
                                                               event["place_name"]],
                           "acts": record.act_types, "perpetrators": record.perpetrators,
                           "killed": [low, record.killed_high]})
    description = {
        "source": "cases.Event → Information → Source", "list": "Source.origin",
        "events": len(events), "records": len(records),
        "lists": sorted({m.list_id for m in meta}),
        "fields": ["date with precision", "place", "act types", "perpetrators (actors)",
                   "killed claims of that origin"],
    }
    return LinkageInput(records, meta, description, digest)
