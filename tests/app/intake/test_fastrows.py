"""The import's fast row conversion writes exactly what the base Inserter and the ORM write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _models():  # type: ignore[no-untyped-def]
    from temoin.cases.models import Act, Claim, Event, Information, SearchEntry, Source, Version
    from temoin.intake.models import ImportedRecord

    return [(Event, True), (Source, True), (Act, True), (Information, False), (Claim, False),
            (Version, False), (SearchEntry, False), (ImportedRecord, False)]


def test_chunk_inserter_values_equal_the_base_inserter_for_every_table(monkeypatch):
    from temoin.cases.rawinsert import Inserter
    from temoin.intake.fastrows import ChunkInserter

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # auto_now defaults: the same instant
    samples = [
        {},
        {"id": 7, "title": "SYNTHETIC", "created_at": now, "updated_at": now, "at": now,
         "start_earliest": dt.date(2020, 7, 31), "start_latest": None,
         "data": {"a": [1, "é"]}, "consent": ["internal"], "flat": None, "warnings": [],
         "upstream_meta": {"kind": "acled"}, "text": "mot"},
        {"created_at": now, "at": dt.datetime(2021, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
         "warnings": ["geocode_far: 30 km"], "date_received": dt.date(2019, 1, 1)},
    ]
    for model, with_id in _models():
        base, fast = Inserter(model, with_id=with_id), ChunkInserter(model, with_id=with_id)
        for row in samples:
            for _ in range(2):  # the second time through the timestamp cache
                assert fast.values(row) == base.values(row), (model.__name__, row)


def test_version_rows_equal_the_orm_snapshot_of_the_inserted_row(world):
    from django.db import transaction

    from temoin.cases import history
    from temoin.cases.models import Event
    from temoin.cases.rawinsert import reserve_ids
    from temoin.intake.fastrows import ChunkInserter, version_rows

    inserter = ChunkInserter(Event)
    now = timezone.now()
    with transaction.atomic():
        (pk,) = reserve_ids(Event, 1)
        row = {"id": pk, "reference": "E-2020-99999", "organisation_id": world.host.pk,
               "title": "SYNTHETIC — Ségou (2020-07-31)", "description": "SYNTHETIC",
               "start_earliest": dt.date(2020, 7, 31), "start_latest": dt.date(2020, 7, 31),
               "latitude": 13.5, "longitude": -6.25, "created_by_id": world.analyst.pk,
               "created_at": now}
        inserter.insert([row])
    (version,) = version_rows(inserter, [row], target_type="event",
                              base={"change": "import", "at": now})
    assert version["target_id"] == pk and version["number"] == 1
    assert version["data"] == history.snapshot(Event.objects.get(pk=pk))
    assert list(version["data"]) == list(history.snapshot(Event.objects.get(pk=pk)))


def _search_rows():  # type: ignore[no-untyped-def]
    from temoin.cases.models import SearchEntry

    return list(SearchEntry.objects.order_by("pk").values_list(
        "pk", "doc_type", "doc_id", "event_id", "text"))


def test_staged_inserter_writes_the_same_search_rows_and_index_as_a_direct_insert(world):
    """The search entries go through a TEMP table on SQLite (one statement feeds FTS5): the
    rows, their ids and what a full-text query finds are those of a direct insert."""
    from django.db import transaction

    from temoin.cases.models import Event, SearchEntry
    from temoin.cases.rawinsert import reserve_ids
    from temoin.cases.search import matching_event_ids
    from temoin.intake.fastrows import ChunkInserter, StagedInserter

    with transaction.atomic():
        event_ids = reserve_ids(Event, 3)
        ChunkInserter(Event).insert([
            {"id": pk, "reference": f"E-2020-9{pk:04d}", "organisation_id": world.host.pk,
             "title": "SYNTHETIC", "created_by_id": world.analyst.pk} for pk in event_ids])
    entries = [{"doc_type": kind, "doc_id": pk * 10 + n, "event_id": pk,
                "text": f"synthetique {kind} ségou mot{pk} numero{n}"}
               for n, pk in enumerate(event_ids) for kind in ("event", "source", "act")]
    results = []
    for inserter in (ChunkInserter(SearchEntry, with_id=False),
                     StagedInserter(SearchEntry, with_id=False)):
        with transaction.atomic():
            inserter.insert(entries)
        rows = _search_rows()
        found = {word: sorted(Event.objects.filter(pk__in=matching_event_ids(word))
                              .values_list("pk", flat=True))
                 for word in ("synthetique", f"mot{event_ids[1]}", "numero2", "absent")}
        results.append(([row[1:] for row in rows], [b - a for a, b in zip(
            [r[0] for r in rows], [r[0] for r in rows][1:], strict=False)], found))
        SearchEntry.objects.all().delete()
    direct, staged = results
    assert staged == direct
    assert len(direct[0]) == 9 and set(direct[1]) == {1}  # consecutive ids, in row order
    assert direct[2]["synthetique"] == sorted(event_ids)
    assert direct[2][f"mot{event_ids[1]}"] == [event_ids[1]]
    assert direct[2]["numero2"] == [event_ids[2]] and direct[2]["absent"] == []


def test_chunk_inserter_writes_the_rows_the_base_inserter_writes(world):
    """On PostgreSQL the chunk inserter sends COPY, the base inserter executemany: the stored
    rows (dates, date-times, JSON, NULLs, accents) are the same."""
    from django.db import transaction

    from temoin.cases.models import Event, Version
    from temoin.cases.rawinsert import Inserter, reserve_ids
    from temoin.intake.fastrows import ChunkInserter

    now = timezone.now()
    stored = []
    for round_number, inserter_class in enumerate((Inserter, ChunkInserter)):
        with transaction.atomic():
            ids = reserve_ids(Event, 2)
            events = [{"id": pk, "reference": f"E-2020-8{round_number}{n:03d}", "title": "SYNTHETIC — Ségou",
                       "organisation_id": world.host.pk, "created_by_id": world.analyst.pk,
                       "start_earliest": dt.date(2020, 7, 31), "start_latest": None,
                       "latitude": 13.5 if n else None, "created_at": now, "updated_at": now,
                       "upstream_meta": {"kind": "acled", "tags": ["é", 1, None]}}
                      for n, pk in enumerate(ids)]
            inserter_class(Event).insert(events)
            inserter_class(Version, with_id=False).insert([
                {"target_type": "event", "target_id": pk, "number": 1, "change": "import",
                 "reason": "lot d'import", "at": now, "actor_id": world.analyst.pk,
                 "data": {"title": "SYNTHETIC — Ségou", "n": n, "none": None}}
                for n, pk in enumerate(ids)])
        rows = [{k: v for k, v in row.items() if k not in ("id", "reference")}
                for row in Event.objects.filter(pk__in=ids).order_by("pk").values()]
        versions = list(Version.objects.filter(target_type="event", target_id__in=ids)
                        .order_by("pk").values("number", "change", "reason", "at", "data"))
        stored.append((rows, versions))
    assert stored[0] == stored[1]
    assert stored[1][0][0]["upstream_meta"] == {"kind": "acled", "tags": ["é", 1, None]}
    assert stored[1][0][1]["latitude"] == 13.5 and stored[1][0][0]["latitude"] is None
    assert stored[1][1][0]["data"]["none"] is None and stored[1][1][0]["at"] == now


def test_reserved_ids_never_reuse_the_id_of_a_deleted_row(world):
    """Versions outlive their rows: a reserved id must pass the highest id ever given."""
    from django.db import transaction

    from temoin.cases.models import Event, SearchEntry
    from temoin.cases.rawinsert import reserve_ids
    from temoin.intake.fastrows import ChunkInserter

    with transaction.atomic():
        (event_id,) = reserve_ids(Event, 1)
        ChunkInserter(Event).insert([{"id": event_id, "reference": "E-2020-77777",
                                      "organisation_id": world.host.pk, "title": "SYNTHETIC",
                                      "created_by_id": world.analyst.pk}])
    entries = [SearchEntry.objects.create(doc_type="event", doc_id=n, event_id=event_id,
                                          text="synthetique") for n in (1, 2)]
    SearchEntry.objects.filter(pk=entries[1].pk).delete()
    with transaction.atomic():
        assert reserve_ids(SearchEntry, 2)[0] > entries[1].pk
