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
