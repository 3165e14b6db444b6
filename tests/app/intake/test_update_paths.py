"""The set-based update path of the importer writes the same database content as the per-row
ORM path it replaced (kept as ``BatchWriter._update_one_by_one``): every changed field group,
new act types, new actors, claims replaced, search entries re-indexed (SYNTHETIC rows)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from tests.core.intake.synthetic import synthetic_row, write_acled_csv

pytestmark = pytest.mark.django_db

FAMA = "Military Forces of Mali (2013-)"  # an actor alias of the vocabularies


def _base_rows() -> list[dict[str, str]]:
    rows = [synthetic_row(n) for n in range(1, 10)]
    rows[4].update(actor1=FAMA, inter1="1", event_type="Battles", sub_event_type="Armed clash")
    return rows


def _newer_rows() -> list[dict[str, str]]:
    rows = _base_rows()
    rows[0]["fatalities"] = "7"  # claims replaced
    rows[1]["notes"] = "SYNTHETIC note: revised by the source."
    rows[2].update(location="Autre-Village", admin2="Koro", latitude="14.2", longitude="-3.1")
    rows[3].update(event_type="Battles", sub_event_type="Armed clash",  # a new act type
                   actor1=FAMA, inter1="1")  # and a known armed actor on every act
    rows[4].update(actor2="SYNTHETIC Unknown Band", inter2="2", fatalities="0")
    rows[5].update(source="SYNTHETIC Radio; SYNTHETIC NGO", source_scale="Local partner")
    rows[6].update(event_date="2019-04-02", time_precision="2")
    rows[7].update(event_type="Violence against civilians", sub_event_type="Sexual violence",
                   geo_precision="3")  # row 9 unchanged; SYN10 new, SYN9 stays
    rows.append(synthetic_row(10))
    return rows


def _models() -> list[type[Any]]:
    from temoin.cases.models import (
        Act,
        ActTypeFact,
        Claim,
        ClaimFact,
        Event,
        EventFact,
        Information,
        Involvement,
        SearchEntry,
        Source,
        Version,
    )
    from temoin.intake.models import ImportBatch, ImportedRecord, RowChange

    return [ImportBatch, Event, Source, Information, Act, Involvement, Claim, Version,
            SearchEntry, ImportedRecord, RowChange, EventFact, ClaimFact, ActTypeFact]


def _dump(baseline: dict[type[Any], int]) -> dict[str, list[dict[str, Any]]]:
    """Every row written since ``baseline`` (max pk per table), ids replaced by their rank
    among those rows (PostgreSQL sequences do not roll back), foreign keys and generic
    references translated the same way, timestamps dropped."""
    from django.db import models

    from temoin.cases.models import Act, Event, Source

    rows = {model: list(model.objects.filter(pk__gt=baseline[model]).order_by("pk").values())
            for model in _models()}
    rank = {model: {row[model._meta.pk.attname]: n for n, row in enumerate(found)}
            for model, found in rows.items()}
    by_type = {"event": Event, "act": Act, "source": Source}
    batch_rank = rank[_models()[0]]

    def same(model: type[Any], value: Any) -> Any:
        return ("new", rank[model][value]) if value in rank.get(model, {}) else value

    def plain(name: str, value: Any) -> Any:
        if isinstance(value, str):
            for pk, n in batch_rank.items():
                value = value.replace(f"lot d'import {pk}", f"lot d'import #{n}")
                value = value.replace(f"lot {pk}", f"lot #{n}")
        return value

    out: dict[str, list[dict[str, Any]]] = {}
    for model, found in rows.items():
        fields = {f.attname: f for f in model._meta.concrete_fields}
        table = []
        for row in found:
            clean: dict[str, Any] = {}
            for name, value in row.items():
                field = fields[name]
                if isinstance(field, models.DateTimeField) or name == "seconds":
                    continue  # when, and how long a batch took
                if field.primary_key:
                    value = same(model if not field.is_relation else field.related_model, value)
                elif field.is_relation:
                    value = same(field.related_model, value)
                clean[name] = plain(name, value)
            if model.__name__ == "Version":
                target = by_type.get(row["target_type"])
                clean["target_id"] = same(target, row["target_id"]) if target else row["target_id"]
                data = dict(row["data"])
                for key in [k for k in data if k.endswith("_at")]:
                    del data[key]
                for key, other in (("id", target), ("event_id", Event)):
                    if key in data and other is not None:
                        data[key] = same(other, data[key])
                clean["data"] = data
            if model.__name__ == "SearchEntry":
                if row["doc_type"] == "source":
                    source_id, event_id = divmod(row["doc_id"], 1_000_000_000)
                    clean["doc_id"] = (same(Source, source_id), same(Event, event_id))
                else:
                    clean["doc_id"] = same(by_type[row["doc_type"]], row["doc_id"])
            table.append(clean)
        out[model.__name__] = table
    return out


def _run(world: Any, tmp_path: Any, settings: Any, *, set_based: bool,
         monkeypatch: Any) -> tuple[dict[str, list[dict[str, Any]]], tuple[int, ...]]:
    from temoin.intake.importer import BatchWriter
    from temoin.intake.services import batch_import

    monkeypatch.setattr(BatchWriter, "set_based_updates", set_based)
    settings.TEMOIN_HOME = tmp_path / f"home-{set_based}"
    baseline = {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                for model in _models()}
    first = write_acled_csv(tmp_path / "v1.csv", _base_rows())
    second = write_acled_csv(tmp_path / "v2.csv", _newer_rows(), hxl=True)
    saved = transaction.savepoint()
    try:
        batch_import(actor=world.admin, kind="acled", path=first, geocode=False)
        batch = batch_import(actor=world.admin, kind="acled", path=second, geocode=False)
        counts = (batch.new, batch.updated, batch.unchanged, batch.quarantined)
        return _dump(baseline), counts
    finally:
        transaction.savepoint_rollback(saved)


def test_set_based_updates_write_what_the_per_row_path_writes(world, tmp_path, settings,
                                                              monkeypatch):
    reference, reference_counts = _run(world, tmp_path, settings, set_based=False,
                                       monkeypatch=monkeypatch)
    fast, fast_counts = _run(world, tmp_path, settings, set_based=True,
                             monkeypatch=monkeypatch)
    assert reference_counts == fast_counts == (1, 8, 1, 0)
    # the scenario really exercised every kind of write
    assert len([v for v in reference["Version"] if v["change"] == "import_update"]) == 8 + 8 + 2
    assert [a["act_type"] for a in reference["Act"]][-2:] == ["armed_clash", "sexual_violence"]
    assert len(reference["Involvement"]) > 2
    assert {c["field"] for change in reference["RowChange"] for c in change["fields"]} >= {
        "event.casualties.killed", "event.description", "event.location.name",
        "event.acts", "event.actors.actor1", "source.source_text", "event.date_start"}
    for table, rows in reference.items():
        for got, want in zip(fast[table], rows, strict=True):
            assert got == want, (table, {k: (got[k], want.get(k)) for k in got if got[k] != want.get(k)})
