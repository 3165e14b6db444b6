"""Loading the synthetic scenario (or any large batch of plain records) fast and honestly.

Rows are written with ``bulk_create`` in batches, each batch in one transaction with its
versions, search entries and **one audit row** naming the batch and its id ranges (see
docs/decisions/0001). Identities are sealed exactly as in ``person_create`` — with the
organisation's public key, so a load works while sealed; blind indexes are computed when the
keys are unsealed, else left pending for the next unseal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from temoin.audit.services import audit_record
from temoin.cases import facts, history
from temoin.cases.models import (
    Act,
    Actor,
    Claim,
    Confidentiality,
    Event,
    Information,
    Involvement,
    Person,
    ReviewStatus,
    SearchEntry,
    Source,
    Version,
)
from temoin.cases.rawinsert import Inserter, reserve_ids, snapshot_row
from temoin.cases.search import fold
from temoin.cases.services.common import reserve_numbers
from temoin.cases.services.persons import identity_context, name_key
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
        self.tables = {m: Inserter(m) for m in (Event, Source, Act, Person)}
        self.tables.update({m: Inserter(m, with_id=False) for m in (
            Information, Claim, Involvement, Version, SearchEntry)})
        self.named = Inserter(Act.named_victims.through, with_id=False)

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

    def _event(self, report: Any, pk: int, reference: str) -> dict[str, Any]:
        d, p = report.date, report.place
        confidentiality = (Confidentiality.RESTRICTED
                           if report.source.source_type in ("victim_testimony", "witness_testimony")
                           else Confidentiality.INTERNAL)
        return {
            "id": pk, "reference": reference, "organisation_id": self.organisation.pk,
            "title": report.title[:300], "description": report.description,
            "start_earliest": d.earliest, "start_latest": d.latest, "start_precision": d.precision,
            "place_name": p.name, "admin1": p.admin1, "admin2": p.admin2,
            "latitude": p.latitude, "longitude": p.longitude, "geo_precision": p.geo_precision,
            "geonameid": p.geonameid, "confidentiality": int(confidentiality),
            "review_status": ReviewStatus.SUBMITTED.value, "synthetic": True,
            "upstream_id": report.report_id, "created_by_id": self.actor.pk}

    def _source(self, report: Any, pk: int) -> dict[str, Any]:
        s = report.source
        return {
            "id": pk, "organisation_id": self.organisation.pk, "source_type": s.source_type,
            "title": f"{self.names.get(report.organisation_id, report.organisation_id)} — "
                     f"{report.report_id}"[:300],
            "origin": report.organisation_id, "reliability": s.reliability,
            "language": s.language, "date_received": s.date_received,
            "consent": sorted(s.consent), "confidentiality": int(Confidentiality.RESTRICTED),
            "upstream_id": report.report_id, "synthetic": True, "created_by_id": self.actor.pk}

    def _person(self, record: Any, pk: int, code: str) -> dict[str, Any]:
        identity = {"given_name": record.given_name, "family_name": record.family_name,
                    "other_names": record.name_as_written}
        identity = {k: v for k, v in identity.items() if v}
        row: dict[str, Any] = {
            "id": pk, "code": code, "organisation_id": self.organisation.pk,
            "sex": SEX.get(record.sex, "unknown"), "age_min": record.age_min,
            "age_max": record.age_max, "locality": record.village,
            "confidentiality": int(Confidentiality.RESTRICTED), "synthetic": True,
            "created_by_id": self.actor.pk}
        if record.date_of_death is not None:
            row.update(death_earliest=record.date_of_death.earliest,
                       death_latest=record.date_of_death.latest,
                       death_precision=record.date_of_death.precision)
        if identity:
            row["identity_blob"] = sealing.seal_identity(self.public_key, identity,
                                                         key_id=self.key_id,
                                                         context=identity_context(code))
            row["key_id"] = self.key_id
            key = name_key(identity)
            if key and self.keys is not None:
                row["blind_name"] = sealing.blind_index(self.keys.blind_index_key, "name", key)
            else:
                row["blind_pending"] = bool(key)
        return row

    def _versions(self, target_type: str, model: type[Any], rows: list[dict[str, Any]],
                  now: Any) -> list[dict[str, Any]]:
        inserter = self.tables[model]
        names = [n for n in inserter.attnames if n not in history.SKIP]
        return [{"target_type": target_type, "target_id": row["id"], "number": 1,
                 "data": snapshot_row(inserter.full(row), names), "change": "import",
                 "actor_id": self.actor.pk, "at": now} for row in rows]

    def _load_batch(self, bundles: list[Any]) -> None:
        reports = [r for b in bundles for r in b.reports]
        acts = [a for b in bundles for a in b.acts]
        records = [p for b in bundles for p in b.persons]
        now = timezone.now()
        persons = []
        first_person = 0
        with transaction.atomic():
            first_event = reserve_numbers("event", len(reports))
            first_person = reserve_numbers("person", len(records))
            event_ids = reserve_ids(Event, len(reports))
            source_ids = reserve_ids(Source, len(reports))
            act_ids = reserve_ids(Act, len(acts))
            person_ids = reserve_ids(Person, len(records))
            events = [self._event(r, pk, f"E-{r.date.earliest.year}-{first_event + i:05d}")
                      for i, (r, pk) in enumerate(zip(reports, event_ids))]
            sources = [self._source(r, pk) for r, pk in zip(reports, source_ids)]
            by_report = {r.report_id: (e, s) for r, e, s in zip(reports, events, sources)}
            informations = [{"source_id": by_report[r.report_id][1]["id"],
                             "event_id": by_report[r.report_id][0]["id"],
                             "credibility": int(r.source.credibility), "created_at": now}
                            for r in reports]
            claims = [{"event_id": by_report[r.report_id][0]["id"],
                       "source_id": by_report[r.report_id][1]["id"],
                       "kind": CLAIM_KIND.get(c.kind, c.kind), "count_min": c.minimum,
                       "count_max": c.maximum, "qualifier": QUALIFIER.get(c.qualifier, c.qualifier),
                       "remarks": f"victimes décrites comme : {c.described_as}"}
                      for r in reports for c in r.claims]
            act_rows = [{"id": pk, "event_id": by_report[a.report_id][0]["id"],
                         "act_type": a.act_type, "victim_group": "victimes (synthétique)",
                         "victim_count_min": a.victim_count, "victim_count_max": a.victim_count,
                         "start_earliest": a.date.earliest, "start_latest": a.date.latest,
                         "start_precision": a.date.precision,
                         "methods": [a.method] if a.method else [],
                         "status_at_end": a.status_at_end,
                         "confidentiality": by_report[a.report_id][0]["confidentiality"]}
                        for a, pk in zip(acts, act_ids)]
            act_by_id = {a.act_id: row["id"] for a, row in zip(acts, act_rows)}
            involvements = [{"act_id": act_by_id[a.act_id], "actor_id": self.actors[p.actor_code],
                             "degree": p.degree,
                             "attributed_by_id": by_report[a.report_id][1]["id"],
                             "remarks": p.named_as}
                            for a in acts for p in a.perpetrators if p.actor_code in self.actors]
            persons = [self._person(p, pk, f"V-{first_person + i:04d}")
                       for i, (p, pk) in enumerate(zip(records, person_ids))]
            named = [{"act_id": act_by_id[p.act_id], "person_id": row["id"]}
                     for p, row in zip(records, persons) if p.act_id in act_by_id]
            search = (
                [{"doc_type": "event", "doc_id": e["id"], "event_id": e["id"], "text": fold(
                    " ".join((e["reference"], e["title"], e["description"], e["place_name"],
                              e["admin1"], e["admin2"])))} for e in events]
                + [{"doc_type": "act", "doc_id": a["id"], "event_id": a["event_id"],
                    "text": fold(a["act_type"].replace("_", " "))} for a in act_rows]
                + [{"doc_type": "source", "doc_id": s["id"] * 1_000_000_000 + e["id"],
                    "event_id": e["id"], "text": fold(s["title"])} for e, s in by_report.values()])
            t = self.tables
            t[Event].insert(events)
            t[Source].insert(sources)
            t[Information].insert(informations)
            t[Claim].insert(claims)
            t[Act].insert(act_rows)
            t[Involvement].insert(involvements)
            t[Person].insert(persons)
            self.named.insert(named)
            t[Version].insert(self._versions("event", Event, events, now)
                              + self._versions("source", Source, sources, now)
                              + self._versions("act", Act, act_rows, now)
                              + self._versions("person", Person, persons, now))
            t[SearchEntry].insert(search)
            facts.refresh_events(e["id"] for e in events)
            audit_record(actor=self.actor, action="scenario.import_batch", details={
                "synthetic": True,
                "events": [events[0]["id"], events[-1]["id"]] if events else [],
                "persons": [persons[0]["id"], persons[-1]["id"]] if persons else [],
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
            r.report_event.update({rep.report_id: ev["id"] for rep, ev in zip(reports, events)})
            r.record_person.update({p.person_record_id: row["id"]
                                    for p, row in zip(records, persons)})
