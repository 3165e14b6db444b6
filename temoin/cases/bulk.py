"""Loading the synthetic scenario (or any large batch of plain records) fast and honestly.

Rows are written with ``bulk_create`` in batches, each batch in one transaction with its
versions, search entries and **one audit row** naming the batch and its id ranges (see
docs/decisions/0001). Identities are sealed exactly as in ``person_create`` — with the
organisation's public key, so a load works while sealed; blind indexes are computed when the
keys are unsealed, else left pending for the next unseal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from temoin.audit.services import audit_record
from temoin.cases import history
from temoin.cases.models import (
    Act,
    Actor,
    Claim,
    Confidentiality,
    Counter,
    Event,
    Information,
    Involvement,
    Person,
    ReviewStatus,
    SearchEntry,
    Source,
    Version,
)
from temoin.cases.search import fold
from temoin.cases.services.persons import name_key
from temoin.core import sealing
from temoin.keys import keystore
from temoin.keys.selectors import active_keyring

CLAIM_KIND = {"raped": "sexual_violence"}
QUALIFIER = {"between": "range"}
SEX = {"male": "male", "female": "female"}


@dataclass
class LoadResult:
    events: int = 0
    acts: int = 0
    persons: int = 0
    sources: int = 0
    claims: int = 0
    batches: int = 0
    report_event: dict[str, int] = field(default_factory=dict)
    record_person: dict[str, int] = field(default_factory=dict)


def _reserve(name: str, count: int) -> int:
    """Reserve ``count`` numbers of a counter; returns the first."""
    counter, _ = Counter.objects.select_for_update().get_or_create(name=name)
    first = counter.value + 1
    Counter.objects.filter(pk=counter.pk).update(value=models.F("value") + count)
    return first


def _versions(target_type: str, rows: list[Any], actor: Any) -> list[Version]:
    return [Version(target_type=target_type, target_id=row.pk, number=1,
                    data=history.snapshot(row), change="import", actor=actor) for row in rows]


class ScenarioLoader:
    """Turns scenario ``IncidentBundle`` s into case records, one batch at a time."""

    def __init__(self, *, actor: Any, organisation: Any, organisations: dict[str, Any],
                 keep_maps: bool = False) -> None:
        self.actor = actor
        self.organisation = organisation
        self.names = {o.organisation_id: o.name for o in organisations.values()}
        self.actors = dict(Actor.objects.values_list("code", "pk"))
        record = active_keyring()
        self.public_key, self.key_id = record.public_key, record.key_id
        keys = keystore.unsealed_keys()
        self.keys = keys if keys is not None and keys.key_id == record.key_id else None
        self.keep_maps = keep_maps
        self.result = LoadResult()

    def load(self, bundles: Iterable[Any], *, batch_incidents: int = 500,
             progress: Callable[[int], None] | None = None) -> LoadResult:
        batch: list[Any] = []
        for bundle in bundles:
            batch.append(bundle)
            if len(batch) >= batch_incidents:
                self._load_batch(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            self._load_batch(batch)
            if progress:
                progress(len(batch))
        return self.result

    def _event(self, report: Any, reference: str) -> Event:
        d, p = report.date, report.place
        confidentiality = (Confidentiality.RESTRICTED
                           if report.source.source_type in ("victim_testimony", "witness_testimony")
                           else Confidentiality.INTERNAL)
        return Event(
            reference=reference, organisation=self.organisation, title=report.title[:300],
            description=report.description, start_earliest=d.earliest, start_latest=d.latest,
            start_precision=d.precision, place_name=p.name, admin1=p.admin1, admin2=p.admin2,
            latitude=p.latitude, longitude=p.longitude, geo_precision=p.geo_precision,
            geonameid=p.geonameid, confidentiality=confidentiality,
            review_status=ReviewStatus.SUBMITTED, synthetic=True, upstream_id=report.report_id,
            created_by=self.actor)

    def _source(self, report: Any) -> Source:
        s = report.source
        return Source(
            organisation=self.organisation, source_type=s.source_type,
            title=f"{self.names.get(report.organisation_id, report.organisation_id)} — "
                  f"{report.report_id}"[:300],
            origin=report.organisation_id, reliability=s.reliability, language=s.language,
            date_received=s.date_received, consent=sorted(s.consent),
            confidentiality=Confidentiality.RESTRICTED, upstream_id=report.report_id,
            synthetic=True, created_by=self.actor)

    def _person(self, record: Any, code: str) -> Person:
        identity = {"given_name": record.given_name, "family_name": record.family_name,
                    "other_names": record.name_as_written}
        identity = {k: v for k, v in identity.items() if v}
        person = Person(code=code, organisation=self.organisation, sex=SEX.get(record.sex, "unknown"),
                        age_min=record.age_min, age_max=record.age_max, locality=record.village,
                        confidentiality=Confidentiality.RESTRICTED, synthetic=True,
                        created_by=self.actor)
        if record.date_of_death is not None:
            person.death_earliest = record.date_of_death.earliest
            person.death_latest = record.date_of_death.latest
            person.death_precision = record.date_of_death.precision
        if identity:
            person.identity_blob = sealing.seal_identity(self.public_key, identity,
                                                         key_id=self.key_id)
            person.key_id = self.key_id
            key = name_key(identity)
            if key and self.keys is not None:
                person.blind_name = sealing.blind_index(self.keys.blind_index_key, "name", key)
            else:
                person.blind_pending = bool(key)
        return person

    def _load_batch(self, bundles: list[Any]) -> None:
        reports = [r for b in bundles for r in b.reports]
        acts = [a for b in bundles for a in b.acts]
        records = [p for b in bundles for p in b.persons]
        with transaction.atomic():
            first_event = _reserve("event", len(reports))
            first_person = _reserve("person", len(records))
            events = [self._event(r, f"E-{r.date.earliest.year}-{first_event + i:05d}")
                      for i, r in enumerate(reports)]
            Event.objects.bulk_create(events, batch_size=1000)
            sources = Source.objects.bulk_create([self._source(r) for r in reports],
                                                 batch_size=1000)
            by_report = {r.report_id: (e, s) for r, e, s in zip(reports, events, sources)}
            Information.objects.bulk_create([
                Information(source=by_report[r.report_id][1], event=by_report[r.report_id][0],
                            credibility=int(r.source.credibility)) for r in reports],
                batch_size=1000)
            claims = [Claim(event=by_report[r.report_id][0], source=by_report[r.report_id][1],
                            kind=CLAIM_KIND.get(c.kind, c.kind), count_min=c.minimum,
                            count_max=c.maximum, qualifier=QUALIFIER.get(c.qualifier, c.qualifier),
                            remarks=f"victimes décrites comme : {c.described_as}")
                      for r in reports for c in r.claims]
            Claim.objects.bulk_create(claims, batch_size=1000)
            act_rows = [Act(event=by_report[a.report_id][0], act_type=a.act_type,
                            victim_group="victimes (synthétique)", victim_count_min=a.victim_count,
                            victim_count_max=a.victim_count, start_earliest=a.date.earliest,
                            start_latest=a.date.latest, start_precision=a.date.precision,
                            methods=[a.method] if a.method else [],
                            status_at_end=a.status_at_end,
                            confidentiality=by_report[a.report_id][0].confidentiality)
                        for a in acts]
            Act.objects.bulk_create(act_rows, batch_size=1000)
            act_by_id = {a.act_id: row for a, row in zip(acts, act_rows)}
            Involvement.objects.bulk_create([
                Involvement(act=act_by_id[a.act_id], actor_id=self.actors[p.actor_code],
                            degree=p.degree, attributed_by=by_report[a.report_id][1],
                            remarks=p.named_as)
                for a in acts for p in a.perpetrators if p.actor_code in self.actors],
                batch_size=1000)
            persons = [self._person(p, f"V-{first_person + i:04d}") for i, p in enumerate(records)]
            Person.objects.bulk_create(persons, batch_size=1000)
            through = Act.named_victims.through
            through.objects.bulk_create([
                through(act_id=act_by_id[p.act_id].pk, person_id=row.pk)
                for p, row in zip(records, persons) if p.act_id in act_by_id], batch_size=2000)
            Version.objects.bulk_create(
                _versions("event", events, self.actor) + _versions("source", sources, self.actor)
                + _versions("act", act_rows, self.actor) + _versions("person", persons, self.actor),
                batch_size=2000)
            SearchEntry.objects.bulk_create(
                [SearchEntry(doc_type="event", doc_id=e.pk, event_id=e.pk, text=fold(" ".join(
                    (e.reference, e.title, e.description, e.place_name, e.admin1, e.admin2))))
                 for e in events]
                + [SearchEntry(doc_type="act", doc_id=a.pk, event_id=a.event_id,
                               text=fold(a.act_type.replace("_", " "))) for a in act_rows]
                + [SearchEntry(doc_type="source", doc_id=s.pk * 1_000_000_000 + e.pk,
                               event_id=e.pk, text=fold(s.title)) for e, s in
                   by_report.values()], batch_size=2000)
            audit_record(actor=self.actor, action="scenario.import_batch", details={
                "synthetic": True, "events": [events[0].pk, events[-1].pk] if events else [],
                "persons": [persons[0].pk, persons[-1].pk] if persons else [],
                "counts": {"events": len(events), "acts": len(act_rows),
                           "persons": len(persons), "claims": len(claims)}})
        r = self.result
        r.events += len(events)
        r.sources += len(sources)
        r.acts += len(act_rows)
        r.persons += len(persons)
        r.claims += len(claims)
        r.batches += 1
        if self.keep_maps:
            r.report_event.update({rep.report_id: ev.pk for rep, ev in zip(reports, events)})
            r.record_person.update({p.person_record_id: row.pk for p, row in zip(records, persons)})


