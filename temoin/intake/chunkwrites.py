"""What the import's updates of one chunk read and write, in a few statements per table.

:class:`Prefetched` reads what the changed rows of a chunk touch (events, sources, their acts,
involvements and information links, the last version numbers) in a few queries and collects
the versions, row changes and imported records written in bulk at the end.
:class:`PendingWrites` queues the chunk's event/source saves, search re-indexing, replaced
claims, new acts and involvements in the per-row path's order and writes them per table
(``temoin.intake.importer.BatchWriter._update``; tests/app/intake/test_update_paths.py checks
that the database content equals the per-row ORM path's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Max

from temoin.cases import history
from temoin.cases.models import (
    Act,
    Claim,
    Event,
    Information,
    Involvement,
    SearchEntry,
    Source,
    Version,
)
from temoin.cases.rawinsert import reserve_ids
from temoin.cases.search import fold
from temoin.core.intake import ParsedRow
from temoin.intake.fastrows import ChunkInserter, StagedInserter
from temoin.intake.models import ImportedRecord, RowChange

__all__ = ["PendingWrites", "Prefetched"]


class Prefetched:
    """What the updates of one chunk read, fetched in a few queries (events, sources, their
    acts and involvements, the last version numbers), and what they write in bulk."""

    def __init__(self, *, actor: Any) -> None:
        self.actor = actor
        self.events: dict[int, Event] = {}
        self.sources: dict[int, Source] = {}
        self.acts: dict[int, dict[str, Act]] = defaultdict(dict)
        self.involved: dict[int, set[int]] = defaultdict(set)
        self.numbers: dict[tuple[str, int], int] = {}
        self.information: dict[int, set[int]] = defaultdict(set)  # source → its events
        self.versions: list[Version] = []
        self.row_changes: list[RowChange] = []
        self.records: list[ImportedRecord] = []

    @classmethod
    def load(cls, pairs: Sequence[tuple[ImportedRecord, ParsedRow]], *,
             actor: Any) -> Prefetched:
        pre = cls(actor=actor)
        event_ids = [record.event_id for record, _ in pairs if record.event_id is not None]
        source_ids = [record.source_id for record, _ in pairs if record.source_id is not None]
        pre.events = Event.objects.in_bulk(event_ids)
        pre.sources = Source.objects.in_bulk(source_ids)
        for act in Act.objects.filter(event_id__in=event_ids).order_by("pk"):
            pre.acts[act.event_id][act.act_type] = act  # the last of a type, as before
        for act_id, actor_id in Involvement.objects.filter(
                act__event_id__in=event_ids).values_list("act_id", "actor_id"):
            pre.involved[act_id].add(actor_id)
        for source_id, event_id in Information.objects.filter(
                source_id__in=source_ids).values_list("source_id", "event_id"):
            pre.information[source_id].add(event_id)
        for target_type, ids in (("event", event_ids), ("source", source_ids)):
            for target_id, number in Version.objects.filter(
                    target_type=target_type, target_id__in=ids).values("target_id").annotate(
                    last=Max("number")).values_list("target_id", "last"):
                pre.numbers[(target_type, target_id)] = number
        return pre

    def version(self, target_type: str, instance: Any, reason: str) -> None:
        """The next version of ``instance`` (as ``history.version_save``, written in bulk)."""
        key = (target_type, instance.pk)
        number = self.numbers.get(key, 0) + 1
        self.numbers[key] = number
        self.versions.append(Version(
            target_type=target_type, target_id=instance.pk, number=number,
            data=history.snapshot(instance), change="import_update", reason=reason,
            actor=self.actor))


class PendingWrites:
    """The writes of one chunk's updates, queued in the per-row path's order and written per
    table by :meth:`flush`: events and sources by ``bulk_update`` (the columns any row
    changed, and ``updated_at``: the others keep their loaded values), search entries by one
    ``executemany`` UPDATE for those that exist and one insert for the others, claims replaced
    by one DELETE and one insert, new acts (ids reserved first, so their versions name them)
    and involvements by one insert each."""

    def __init__(self, *, now: Any, act_ids: Iterable[int]) -> None:
        self.now = now
        self.act_ids = iter(act_ids)
        self.events: dict[int, Event] = {}
        self.event_fields: set[str] = {"updated_at"}
        self.sources: dict[int, Source] = {}
        self.source_fields: set[str] = {"updated_at"}
        self.search: dict[tuple[str, int], tuple[int, str]] = {}  # first-queued order kept
        self.claim_pairs: list[tuple[int, int]] = []
        self.claims: list[Claim] = []
        self.acts: list[Act] = []
        self.involvements: list[Involvement] = []

    @classmethod
    def start(cls, pairs: Sequence[tuple[ImportedRecord, ParsedRow]], pre: Prefetched, *,
              now: Any) -> PendingWrites:
        """Reserve the ids of the acts the chunk adds (an event type new to its event)."""
        needed = 0
        for record, row in pairs:
            if record.event_id in pre.events:
                have = pre.acts.get(record.event_id, {})
                needed += sum(1 for code in dict.fromkeys(a.act_type_code for a in row.event.acts)
                              if code not in have)
        return cls(now=now, act_ids=reserve_ids(Act, needed) if needed else ())

    def save_event(self, event: Event, fields: Iterable[str]) -> None:
        event.updated_at = self.now
        self.events[event.pk] = event
        self.event_fields.update(fields)

    def save_source(self, source: Source, fields: Iterable[str]) -> None:
        source.updated_at = self.now
        self.sources[source.pk] = source
        self.source_fields.update(fields)

    def index(self, doc_type: str, doc_id: int, event_id: int, parts: list[Any]) -> None:
        """As ``temoin.cases.search.index_document`` (update or create), queued."""
        self.search[(doc_type, doc_id)] = (event_id, fold(" ".join(p for p in parts if p)))

    def replace_claims(self, event: Event, source: Source, claims: list[dict[str, Any]]) -> None:
        self.claim_pairs.append((event.pk, source.pk))
        self.claims += [Claim(event=event, source=source, **c) for c in claims]

    def new_act(self, **values: Any) -> Act:
        act = Act(id=next(self.act_ids), **values)
        act.created_at = act.updated_at = self.now
        self.acts.append(act)
        return act

    def flush(self) -> None:
        if self.events:
            Event.objects.bulk_update(list(self.events.values()), sorted(self.event_fields))
        if self.acts:
            inserter = ChunkInserter(Act)
            inserter.insert([{name: getattr(act, name) for name in inserter.attnames}
                             for act in self.acts])
        if self.involvements:
            Involvement.objects.bulk_create(self.involvements)
        if self.sources:
            Source.objects.bulk_update(list(self.sources.values()), sorted(self.source_fields))
        if self.claim_pairs:
            wanted = set(self.claim_pairs)
            doomed = [pk for pk, event_id, source_id in Claim.objects.filter(
                event_id__in=[e for e, _ in wanted]).values_list("pk", "event_id", "source_id")
                if (event_id, source_id) in wanted]
            Claim.objects.filter(pk__in=doomed).delete()
            Claim.objects.bulk_create(self.claims)
        self._flush_search()

    def _flush_search(self) -> None:
        if not self.search:
            return
        existing: set[tuple[str, int]] = set()
        by_type: dict[str, list[int]] = defaultdict(list)
        for doc_type, doc_id in self.search:
            by_type[doc_type].append(doc_id)
        for doc_type, doc_ids in by_type.items():
            existing.update(SearchEntry.objects.filter(doc_type=doc_type, doc_id__in=doc_ids)
                            .values_list("doc_type", "doc_id"))
        table = connection.ops.quote_name(SearchEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(  # an empty list writes nothing
                f"UPDATE {table} SET event_id = %s, text = %s "  # noqa: S608
                "WHERE doc_type = %s AND doc_id = %s",
                [(event_id, text, doc_type, doc_id)
                 for (doc_type, doc_id), (event_id, text) in self.search.items()
                 if (doc_type, doc_id) in existing])
        StagedInserter(SearchEntry, with_id=False).insert([
            {"doc_type": doc_type, "doc_id": doc_id, "event_id": event_id, "text": text}
            for (doc_type, doc_id), (event_id, text) in self.search.items()
            if (doc_type, doc_id) not in existing])
