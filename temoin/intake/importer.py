"""Streaming import of parsed rows into the case database, one chunk per transaction.

For each chunk of rows (default 500): the known upstream ids are read in one query; a row
whose fingerprint is unchanged writes nothing (only the "last seen" mark); a new row becomes
an Event + Source + Information + Acts + Involvements + Claims written with the raw inserter
(plus version 1 of the event and source, their search entries); a changed row updates the
upstream-derived fields with a ``Version`` (change ``import_update``) and a
:class:`RowChange` listing every field that changed, written per table for the whole chunk
(``bulk_update``, one statement per kind of write); a quarantined row is kept verbatim
(sealed when the batch may hold identities). Each chunk leaves **one** audit row naming its
counts and id ranges (docs/decisions/0001). Memory stays flat: one chunk at a time.
"""

from __future__ import annotations

import functools
import json
import re
from array import array
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from temoin.audit.services import audit_record
from temoin.cases import facts
from temoin.cases.models import (
    Act,
    Claim,
    Confidentiality,
    Event,
    Information,
    Involvement,
    SearchEntry,
    Source,
    Version,
)
from temoin.cases.rawinsert import reserve_ids
from temoin.cases.search import fold
from temoin.cases.services.common import (
    reindex_act,
    reindex_event,
    reindex_source,
    reserve_numbers,
)
from temoin.core import sealing
from temoin.core.geo import Gazetteer, haversine_km
from temoin.core.intake import ParsedRow, QuarantinedRow, RowResult, diff_records, flatten_record
from temoin.intake import conversions
from temoin.intake.chunkwrites import PendingWrites, Prefetched
from temoin.intake.conversions import ActorAliases, PlaceAnswer
from temoin.intake.fastrows import ChunkInserter, StagedInserter, version_rows
from temoin.intake.models import ImportBatch, ImportedRecord, RowChange
from temoin.intake.models import QuarantinedRow as QuarantineModel
from temoin.keys.selectors import active_keyring

MAX_REPORTED_NAMES = 500
_WORD = re.compile(r"[0-9a-z]+")  # as in temoin.cases.search


def fast_fold(text: str) -> str:
    """``temoin.cases.search.fold`` with a fast path for ASCII text (most upstream notes):
    for ASCII, casefold + word split is exactly what ``fold`` computes (a test checks)."""
    stripped = text.replace("—", " ")  # not a word character for fold either
    if stripped.isascii():
        return " ".join(_WORD.findall(stripped.casefold()))
    return fold(text)

MAX_SAMPLES = 20
UNKNOWN_VICTIMS = "victimes non précisées (import)"


@functools.lru_cache(maxsize=256)
def _act_search_text(act_type: str) -> str:
    """An imported act's search text: the parts of ``reindex_act`` (type words, victims)."""
    return fold(f"{act_type.replace('_', ' ')} {UNKNOWN_VICTIMS}")
FAR_KM = 25.0  # a gazetteer match farther than this from the source's point is flagged


class PlaceChecker:
    """Geocodes / validates a row's place with the gazetteer, with a small cache
    (sources repeat the same places thousands of times)."""

    def __init__(self, gazetteer: Gazetteer | None) -> None:
        self.gazetteer = gazetteer
        self.cache: dict[tuple[Any, ...], Any] = {}

    def check(self, row: ParsedRow) -> PlaceAnswer:
        gazetteer = self.gazetteer
        if gazetteer is None:
            return PlaceAnswer()
        loc = row.event.location
        answer = PlaceAnswer()
        point = (loc.latitude, loc.longitude) \
            if loc.latitude is not None and loc.longitude is not None else None
        cell = (round(point[0], 2), round(point[1], 2)) if point is not None else None
        if point is not None and gazetteer.boundaries is not None and (loc.admin1 or loc.admin2):
            reason = self._cached(("admin", loc.admin1, loc.admin2, cell),
                                  lambda: self._admin_check(gazetteer, point, loc))
            if reason:
                answer.warnings.append(reason)
        name = loc.name
        if not name:
            return answer
        # The name is geocoded once per (name, admin1, admin2); the source's point is brought in
        # (cached per ~1 km cell) only to break ties or when the match is far from it.
        result = self._cached(("name", name, loc.admin1, loc.admin2, loc.admin3),
                              lambda: gazetteer.geocode(name, loc.admin1, loc.admin2,
                                                        admin3=loc.admin3))
        if point is not None and (result.status == "ambiguous" or (
                result.found and result.best is not None and haversine_km(
                    point[0], point[1], result.best.place.latitude,
                    result.best.place.longitude) > FAR_KM)):
            result = self._cached(("near", name, loc.admin1, loc.admin2, loc.admin3, cell),
                                  lambda: gazetteer.geocode(name, loc.admin1, loc.admin2, point,
                                                            admin3=loc.admin3))
        if result.found and result.best is not None:
            place = result.best.place
            answer.geonameid = place.geonameid
            if point is None:
                answer.latitude, answer.longitude = place.latitude, place.longitude
                answer.geo_precision = "near"
            else:
                distance = haversine_km(point[0], point[1], place.latitude, place.longitude)
                if distance > FAR_KM:
                    answer.warnings.append(
                        f"geocode_far: gazetteer place {place.geonameid} is {distance:.0f} km "
                        "from the source's point")
        elif point is None:
            answer.warnings.append(f"geocode_{result.status}: {result.reason}")
        return answer

    def _cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            if len(self.cache) > 100_000:
                self.cache.clear()
            self.cache[key] = compute()
        return self.cache[key]

    @staticmethod
    def _admin_check(gazetteer: Gazetteer, point: tuple[float, float], loc: Any) -> str:
        assert gazetteer.boundaries is not None
        check = gazetteer.boundaries.check_stated(point[0], point[1], admin1=loc.admin1,
                                                  admin2=loc.admin2)
        return f"admin_disagrees: {check.reason}" if check.agrees is False else ""


class BatchWriter:
    """Writes the rows of one batch. Use :meth:`write` with an iterable of core results."""

    def __init__(self, *, batch: ImportBatch, actor: Any, gazetteer: Gazetteer | None,
                 origin: str, source_type: str | None = None,
                 reliability_map: dict[str, str] | None = None, seal_raw: bool = False,
                 confidentiality: int = Confidentiality.INTERNAL,
                 chunk_size: int = 500) -> None:
        self.confidentiality = int(confidentiality)
        self.batch = batch
        self.actor = actor
        self.origin = origin
        self.source_type = source_type
        self.reliability_map = reliability_map or {}
        self.seal_raw = seal_raw
        self.chunk_size = chunk_size
        self.aliases = ActorAliases()
        self.places = PlaceChecker(gazetteer)
        self.unknown_actors: Tally[str] = Tally()
        self.changed_fields: Tally[str] = Tally()
        self.warning_codes: Tally[str] = Tally()
        self.reasons: Tally[str] = Tally()
        self.tables: dict[type[Any], ChunkInserter] = {
            m: ChunkInserter(m) for m in (Event, Source, Act)}
        self.tables.update({m: ChunkInserter(m, with_id=False) for m in (
            Information, Claim, Involvement, Version)})
        self.tables[SearchEntry] = StagedInserter(SearchEntry, with_id=False)  # FTS5 trigger
        self.records = ChunkInserter(ImportedRecord, with_id=False)
        self.seen = array("q")  # pks of unchanged records met in this batch

    # ------------------------------------------------------------------ driving
    def write(self, results: Iterable[RowResult], *,
              progress: Callable[[int], None] | None = None) -> None:
        chunk: list[RowResult] = []
        for result in results:
            chunk.append(result)
            if len(chunk) >= self.chunk_size:
                self.write_chunk(chunk)
                if progress:
                    progress(len(chunk))
                chunk = []
        if chunk:
            self.write_chunk(chunk)
            if progress:
                progress(len(chunk))

    def write_chunk(self, chunk: Sequence[RowResult]) -> dict[str, Any]:
        batch = self.batch
        chunk = [_guard_id(r) for r in chunk]
        parsed = [r for r in chunk if isinstance(r, ParsedRow)]
        quarantined = [r for r in chunk if isinstance(r, QuarantinedRow)]
        # Fingerprints only (not the stored flat records): most rows of a re-import are unchanged.
        known = {up: (pk, fp, deleted) for up, pk, fp, deleted in ImportedRecord.objects.filter(
            scope=batch.scope, upstream_id__in=[record_key(r) for r in parsed])
            .values_list("upstream_id", "pk", "fingerprint", "deleted_upstream")}
        new_rows: list[ParsedRow] = []
        changed: list[ParsedRow] = []
        same: list[tuple[int, str, bool]] = []
        fresh: set[str] = set()
        for r in parsed:
            key = record_key(r)
            if key in known and known[key][1] == r.fingerprint:
                same.append(known[key])
            elif key in known:
                changed.append(r)
            elif key in fresh:  # the same id-less row twice in one chunk: an exact duplicate
                same.append((0, r.fingerprint, False))
            else:
                fresh.add(key)
                new_rows.append(r)
        full = ImportedRecord.objects.in_bulk([known[record_key(r)][0] for r in changed])
        with transaction.atomic():
            ids = self._insert_new(new_rows)
            updated_ids = self._update_many([(full[known[record_key(r)][0]], r)
                                             for r in changed])
            facts.refresh_events([*ids, *updated_ids])  # the dashboard's precomputed facts
            reappeared = [pk for pk, _, deleted in same if deleted]
            if reappeared:
                ImportedRecord.objects.filter(pk__in=reappeared).update(
                    last_seen_batch=batch, deleted_upstream=False)
            # Unchanged rows are not rewritten (a re-import stays read-only): their ids are
            # remembered for the deletion check (8 bytes each).
            self.seen.extend(pk for pk, _, _ in same if pk)
            self._quarantine(quarantined)
            counts = {"rows": len(chunk), "new": len(new_rows), "updated": len(changed),
                      "unchanged": len(same), "quarantined": len(quarantined)}
            for name, value in counts.items():
                setattr(batch, name, getattr(batch, name) + value)
            batch.save(update_fields=[*counts, "warnings"])
            audit_record(actor=self.actor, action="intake.import_chunk", target=batch, details={
                "counts": counts, "events": [ids[0], ids[-1]] if ids else [],
                "updated_events": updated_ids[:50], "reappeared_records": reappeared[:50]})
        return counts

    # ------------------------------------------------------------------ new rows
    def _insert_new(self, rows: list[ParsedRow]) -> list[int]:
        if not rows:
            return []
        batch, actor = self.batch, self.actor
        org_id = actor.organisation_id
        now = timezone.now()
        event_ids = reserve_ids(Event, len(rows))
        source_ids = reserve_ids(Source, len(rows))
        first_number = reserve_numbers("event", len(rows))
        events, sources, infos, claims, acts, involvements, search, records = \
            [], [], [], [], [], [], [], []
        act_total = sum(max(1, len(r.event.acts)) for r in rows)
        act_ids = iter(reserve_ids(Act, act_total))
        for i, (row, event_id, source_id) in enumerate(zip(rows, event_ids, source_ids)):
            place = self.places.check(row)
            warnings = list(row.warnings) + place.warnings
            event = conversions.event_values(row, place, organisation_id=org_id,
                                             actor_id=actor.pk,
                                             confidentiality=self.confidentiality)
            year = event["start_earliest"].year if event.get("start_earliest") else "X"
            event.update(id=event_id, reference=f"E-{year}-{first_number + i:05d}")
            source = conversions.source_values(
                row, organisation_id=org_id, actor_id=actor.pk, kind=row.source.source_kind,
                origin=self.origin, reliability_map=self.reliability_map,
                source_type=self.source_type)
            source["id"] = source_id
            source["confidentiality"] = max(source["confidentiality"], self.confidentiality)
            events.append(event)
            sources.append(source)
            infos.append({"source_id": source_id, "event_id": event_id, "credibility": 6,
                          "remarks": f"import {batch.kind}, lot {batch.pk}", "created_at": now})
            row_claims, claim_warnings = conversions.claim_values(row)
            warnings += claim_warnings
            claims += [{**c, "event_id": event_id, "source_id": source_id, "created_at": now}
                       for c in row_claims]
            found, unknown = conversions.perpetrators(row, self.aliases)
            self.unknown_actors.update(unknown)
            act_types = [a.act_type_code for a in row.event.acts] or ["other"]
            for act_type in dict.fromkeys(act_types):
                act_id = next(act_ids)
                acts.append({"id": act_id, "event_id": event_id, "act_type": act_type,
                             "victim_group": UNKNOWN_VICTIMS, "victims_unknown": True,
                             "start_earliest": event.get("start_earliest"),
                             "start_latest": event.get("start_latest"),
                             "start_precision": event.get("start_precision", ""),
                             "confidentiality": event["confidentiality"]})
                involvements += [{"act_id": act_id, "actor_id": actor_pk, "degree": "unknown",
                                  "attributed_by_id": source_id, "remarks": remark,
                                  "created_at": now} for actor_pk, remark in found]
                search.append({"doc_type": "act", "doc_id": act_id, "event_id": event_id,
                               "text": _act_search_text(act_type)})
            folded_notes = fast_fold(event["description"])
            # the parts and order of temoin.cases.services.common.reindex_event (a test checks)
            search.append({"doc_type": "event", "doc_id": event_id, "event_id": event_id,
                           "text": " ".join(part for part in (
                               fast_fold(f"{event.get('reference') or ''} "
                                         f"{event.get('title') or ''}"),
                               folded_notes,
                               fast_fold(" ".join(str(event.get(k) or "") for k in (
                                   "place_name", "admin1", "admin2", "admin3"))))
                               if part)})
            search.append({"doc_type": "source", "doc_id": source_id * 1_000_000_000 + event_id,
                           "event_id": event_id,
                           "text": fast_fold(source["title"]) + " " + (
                               folded_notes if source["content"] == event["description"]
                               else fast_fold(source["content"]))})
            self.warning_codes.update(w.split(":", 1)[0] for w in warnings)
            records.append({
                "scope": batch.scope,
                "upstream_id": record_key(row),
                "fingerprint": row.fingerprint, "flat": flatten_record(row.source, row.event),
                "event_id": event_id, "source_id": source_id, "warnings": warnings,
                "first_batch_id": batch.pk, "last_batch_id": batch.pk,
                "last_seen_batch_id": batch.pk})
        # Unused reserved act ids are harmless (ids need not be dense).
        t = self.tables
        t[Event].insert(events)
        t[Source].insert(sources)
        t[Information].insert(infos)
        t[Act].insert(acts)
        t[Involvement].insert(involvements)
        t[Claim].insert(claims)
        t[Version].insert(self._versions("event", Event, events, now)
                          + self._versions("source", Source, sources, now)
                          + self._versions("act", Act, acts, now))
        t[SearchEntry].insert(search)
        self.records.insert(records)
        self.batch.warnings += sum(1 for r in records if r["warnings"])
        return event_ids

    def _versions(self, target_type: str, model: type[Any], rows: list[dict[str, Any]],
                  now: Any) -> list[dict[str, Any]]:
        return version_rows(self.tables[model], rows, target_type=target_type, base={
            "change": "import", "reason": f"lot d'import {self.batch.pk}",
            "actor_id": self.actor.pk, "at": now})

    # ------------------------------------------------------------------ updates
    set_based_updates = True  # False: the per-row ORM path (kept as the reference in tests)

    def _update_many(self, pairs: list[tuple[ImportedRecord, ParsedRow]]) -> list[int | None]:
        """Update the changed rows of a chunk: what they touch is read in a few queries; the
        events, sources, search entries, claims, new acts, involvements, versions, row changes
        and imported records are then written per table for the whole chunk (the same rows and
        values as the per-row path, :meth:`_update_one_by_one`; a test compares both)."""
        if not pairs:
            return []
        pre = Prefetched.load(pairs, actor=self.actor)
        if self.set_based_updates:
            pending = PendingWrites.start(pairs, pre, now=timezone.now())
            updated = [self._update(record, row, pre, pending) for record, row in pairs]
            pending.flush()
        else:
            updated = [self._update_one_by_one(record, row, pre) for record, row in pairs]
        Version.objects.bulk_create(pre.versions)
        RowChange.objects.bulk_create(pre.row_changes)
        ImportedRecord.objects.bulk_update(pre.records, [
            "fingerprint", "flat", "warnings", "last_batch", "last_seen_batch",
            "deleted_upstream"])
        return updated

    def _event_fields(self, groups: set[str]) -> set[str]:
        """The event columns an update rewrites, from the changed field groups."""
        fields: set[str] = set()
        if groups & {"date_start", "date_end", "location", "acts", "title"}:
            fields.add("title")  # the title is built from them
        if groups & {"date_start", "date_end", "date_precision", "date_precision_code"}:
            fields |= {"start_earliest", "start_latest", "start_precision", "start_text"}
        if "description" in groups:
            fields.add("description")
        if "location" in groups:
            fields |= {"place_name", "admin1", "admin2", "admin3", "latitude", "longitude",
                       "geo_precision", "geonameid"}
        return fields | {name for name, needs in conversions.UPDATED_EVENT_FIELDS.items()
                         if groups & needs}

    def _source_fields(self, groups: set[str]) -> list[str]:
        source_fields = {"title": {"source_text", "upstream_id", "title"},
                         "content": {"description"},
                         "reliability": {"source_scale"},
                         **conversions.UPDATED_SOURCE_FIELDS}
        return [name for name, needs in source_fields.items() if groups & needs]

    def _fresh_source(self, row: ParsedRow, source: Source) -> dict[str, Any]:
        return conversions.source_values(
            row, organisation_id=source.organisation_id, actor_id=source.created_by_id,
            kind=row.source.source_kind, origin=self.origin,
            reliability_map=self.reliability_map, source_type=self.source_type)

    def _finish_update(self, record: ImportedRecord, row: ParsedRow, pre: Prefetched,
                       new_flat: dict[str, Any], changes: Sequence[Any],
                       place: PlaceAnswer) -> None:
        warnings = list(row.warnings) + place.warnings
        self.batch.warnings += 1 if warnings else 0
        self.changed_fields.update(c.field for c in changes)
        self.warning_codes.update(w.split(":", 1)[0] for w in warnings)
        pre.row_changes.append(RowChange(
            batch=self.batch, record=record, row_number=row.row_number,
            outcome=RowChange.Outcome.UPDATED,
            fields=[{"field": c.field, "old": c.old, "new": c.new} for c in changes]))
        record.fingerprint, record.flat, record.warnings = row.fingerprint, new_flat, warnings
        record.last_batch = record.last_seen_batch = self.batch
        record.deleted_upstream = False
        pre.records.append(record)

    def _update(self, record: ImportedRecord, row: ParsedRow, pre: Prefetched,
                pending: PendingWrites) -> int | None:
        """One changed row, its writes queued in ``pending`` (in the per-row path's order)."""
        new_flat = flatten_record(row.source, row.event)
        changes = diff_records(record.flat, new_flat)
        groups = {c.field.split(".")[1] for c in changes}  # event.<group>… / source.<field>
        place = self.places.check(row)
        reason = f"lot d'import {self.batch.pk} : " + ", ".join(c.field for c in changes)
        event = pre.events.get(record.event_id)
        if event is not None:
            fresh = conversions.event_values(row, place, organisation_id=event.organisation_id,
                                             actor_id=event.created_by_id)
            fields = self._event_fields(groups)
            for name in fields:
                setattr(event, name, fresh.get(name))
            pending.save_event(event, fields)
            pending.index("event", event.pk, event.pk, [
                event.reference, event.title, event.description, event.place_name,
                event.admin1, event.admin2, event.admin3])
            pre.version("event", event, reason[:2000])
            self._queue_acts(event, record, row, pre, pending)
        source = pre.sources.get(record.source_id)
        if source is not None:
            fresh_source = self._fresh_source(row, source)
            names = self._source_fields(groups)
            for name in names:
                setattr(source, name, fresh_source[name])
            pending.save_source(source, names)
            if "casualties" in groups and event is not None:
                claims, _ = conversions.claim_values(row)
                pending.replace_claims(event, source, claims)
            for event_id in pre.information.get(source.pk, set()):
                pending.index("source", source.pk * 1_000_000_000 + event_id, event_id,
                              [source.title, source.content])
            pre.version("source", source, reason[:2000])
        self._finish_update(record, row, pre, new_flat, changes, place)
        return event.pk if event is not None else None

    def _queue_acts(self, event: Event, record: ImportedRecord, row: ParsedRow,
                    pre: Prefetched, pending: PendingWrites) -> None:
        """As :meth:`_update_acts`, queued: a new act type is added (with a reserved id), a
        new armed actor is added to each act of the event."""
        existing = dict(pre.acts.get(event.pk, {}))
        for code in dict.fromkeys(a.act_type_code for a in row.event.acts):
            if code not in existing:
                act = pending.new_act(
                    event=event, act_type=code, victim_group=UNKNOWN_VICTIMS,
                    victims_unknown=True, start_earliest=event.start_earliest,
                    start_latest=event.start_latest, start_precision=event.start_precision,
                    confidentiality=event.confidentiality)
                pending.index("act", act.pk, act.event_id, [
                    act.act_type.replace("_", " "), act.victim_group, act.consequences,
                    act.place_name])
                pre.version("act", act, f"lot d'import {self.batch.pk}")
                existing[code] = act
        found, unknown = conversions.perpetrators(row, self.aliases)
        self.unknown_actors.update(unknown)
        for act in existing.values():
            have = pre.involved.get(act.pk, set())
            pending.involvements += [
                Involvement(act=act, actor_id=actor_pk, degree="unknown",
                            attributed_by_id=record.source_id, remarks=remark)
                for actor_pk, remark in found if actor_pk not in have]

    def _update_one_by_one(self, record: ImportedRecord, row: ParsedRow,
                           pre: Prefetched) -> int | None:
        """The per-row ORM path (each event and source saved and re-indexed on its own): the
        reference the set-based :meth:`_update` is tested against."""
        new_flat = flatten_record(row.source, row.event)
        changes = diff_records(record.flat, new_flat)
        groups = {c.field.split(".")[1] for c in changes}
        place = self.places.check(row)
        reason = f"lot d'import {self.batch.pk} : " + ", ".join(c.field for c in changes)
        event = pre.events.get(record.event_id)
        if event is not None:
            fresh = conversions.event_values(row, place, organisation_id=event.organisation_id,
                                             actor_id=event.created_by_id)
            for name in self._event_fields(groups):
                setattr(event, name, fresh.get(name))
            event.save()
            reindex_event(event)
            pre.version("event", event, reason[:2000])
            self._update_acts(event, record, row, pre)
        source = pre.sources.get(record.source_id)
        if source is not None:
            fresh_source = self._fresh_source(row, source)
            for name in self._source_fields(groups):
                setattr(source, name, fresh_source[name])
            source.save()
            if "casualties" in groups and event is not None:
                Claim.objects.filter(event=event, source=source).delete()
                claims, _ = conversions.claim_values(row)
                Claim.objects.bulk_create([Claim(event=event, source=source, **c) for c in claims])
            reindex_source(source)
            pre.version("source", source, reason[:2000])
        self._finish_update(record, row, pre, new_flat, changes, place)
        return event.pk if event is not None else None

    def _update_acts(self, event: Event, record: ImportedRecord, row: ParsedRow,
                     pre: Prefetched) -> None:
        """Acts are never deleted by an import (an analyst may have worked on them): a new
        act type is added; a new armed actor is added to each act of the event."""
        existing = dict(pre.acts.get(event.pk, {}))
        for code in dict.fromkeys(a.act_type_code for a in row.event.acts):
            if code not in existing:
                act = Act.objects.create(
                    event=event, act_type=code, victim_group=UNKNOWN_VICTIMS, victims_unknown=True,
                    start_earliest=event.start_earliest, start_latest=event.start_latest,
                    start_precision=event.start_precision, confidentiality=event.confidentiality)
                reindex_act(act)
                pre.version("act", act, f"lot d'import {self.batch.pk}")
                existing[code] = act
        found, unknown = conversions.perpetrators(row, self.aliases)
        self.unknown_actors.update(unknown)
        for act in existing.values():
            have = pre.involved.get(act.pk, set())
            Involvement.objects.bulk_create([
                Involvement(act=act, actor_id=actor_pk, degree="unknown",
                            attributed_by_id=record.source_id, remarks=remark)
                for actor_pk, remark in found if actor_pk not in have])

    # ------------------------------------------------------------------ quarantine
    def _quarantine(self, rows: list[QuarantinedRow]) -> None:
        if not rows:
            return
        objects = []
        for row in rows:
            self.reasons[row.reason_code] += 1
            obj = QuarantineModel(batch=self.batch, row_number=row.row_number,
                                  upstream_id=(row.upstream_id or "")[:120],
                                  field=(row.field or "")[:120], reason_code=row.reason_code[:40],
                                  message=row.message, field_names=list(row.raw))
            if self.seal_raw:
                obj.raw_sealed, obj.raw_key_id = seal_raw(row.raw, batch_id=self.batch.pk,
                                                          row_number=row.row_number)
            else:
                obj.raw = dict(row.raw)
            objects.append(obj)
        QuarantineModel.objects.bulk_create(objects)

    # ------------------------------------------------------------------ end of batch
    def finish_report(self) -> dict[str, Any]:
        return {
            "unknown_actors": dict(self.unknown_actors.most_common(MAX_REPORTED_NAMES)),
            "unknown_actor_mentions": sum(self.unknown_actors.values()),
            "changed_fields": dict(self.changed_fields.most_common()),
            "warnings": dict(self.warning_codes.most_common()),
            "quarantine_reasons": dict(self.reasons.most_common()),
        }


MAX_ID_LENGTH = 120


def record_key(row: ParsedRow) -> str:
    """The row's key among imported records: its upstream id, or for a source without ids
    (a partner table with no id column) its content fingerprint — so re-importing the same
    table changes nothing, though an edited row then comes in as a new record."""
    return row.upstream_id or "fp:" + row.fingerprint.removeprefix("v1:")[:64]


def _guard_id(row: RowResult) -> RowResult:
    """An upstream id longer than the column is quarantined (never truncated: two long ids
    could then collide)."""
    if isinstance(row, ParsedRow) and row.upstream_id and len(row.upstream_id) > MAX_ID_LENGTH:
        return QuarantinedRow(row.source_format, row.row_number, "upstream_id", "id_too_long",
                              f"row {row.row_number}: field 'upstream_id': longer than "
                              f"{MAX_ID_LENGTH} characters", dict(row.raw), None)
    return row


def raw_context(batch_id: int, row_number: int) -> str:
    return f"intake.quarantine:{batch_id}:{row_number}"


def seal_raw(raw: dict[str, Any], *, batch_id: int, row_number: int) -> tuple[bytes, str]:
    """Seal a verbatim row (testimony forms) with the organisation's public key."""
    record = active_keyring()
    blob = sealing.seal_identity(record.public_key,
                                 {"raw_json": json.dumps(raw, ensure_ascii=False)},
                                 key_id=record.key_id, context=raw_context(batch_id, row_number))
    return blob, record.key_id


def open_raw(obj: QuarantineModel) -> dict[str, Any] | None:
    """The verbatim row, opening a sealed one when the keys are unsealed (else ``None``)."""
    if obj.raw_sealed is None:
        return dict(obj.raw or {})
    from temoin.keys import keystore

    keys = keystore.unsealed_keys()
    if keys is None:
        return None
    opened = sealing.open_identity(keys, bytes(obj.raw_sealed),
                                   context=raw_context(obj.batch_id, obj.row_number))
    return dict(json.loads(str(opened["raw_json"])))
