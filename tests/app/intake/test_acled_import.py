"""ACLED import into the case database: the real file, idempotent re-import, a newer export
(updates with history and a per-field summary, upstream deletions flagged), quarantine."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temoin.intake.errors import IntakeFileRefused
from tests.core.intake.synthetic import synthetic_row, write_acled_csv

pytestmark = pytest.mark.django_db


def _counts(batch):  # type: ignore[no-untyped-def]
    return (batch.rows, batch.new, batch.updated, batch.unchanged, batch.quarantined,
            batch.flagged_deleted)


def test_real_acled_file_imports_once_and_reimport_changes_nothing(world, acled_file):
    from temoin.audit.models import AuditEntry
    from temoin.cases.models import Act, Claim, Event, Involvement, SearchEntry, Source, Version
    from temoin.intake.models import ImportedRecord
    from temoin.intake.services import batch_import

    batch = batch_import(actor=world.analyst, kind="acled", path=acled_file, geocode=False)
    assert batch.status == "done"
    assert _counts(batch) == (3990, 3990, 0, 0, 0, 0)
    assert Event.objects.count() == 3990 and Source.objects.count() == 3990
    assert not Event.objects.exclude(review_status="submitted").exists()
    assert Source.objects.filter(source_type="acled_record", origin="ACLED",
                                 reliability="F").count() == 3990
    assert Claim.objects.filter(kind="killed").count() == 3990  # one fatalities claim per row
    assert ImportedRecord.objects.filter(scope="acled").count() == 3990
    assert Version.objects.filter(target_type="event", change="import").count() == 3990
    assert SearchEntry.objects.filter(doc_type="event").count() == 3990
    assert Act.objects.count() >= 3990 and Involvement.objects.exists()
    assert batch.report["unknown_actor_mentions"] > 0  # recorded, never invented
    assert "Civilians (Mali)" not in batch.report["unknown_actors"]
    assert len(batch.file_sha256) == 64 and batch.file_size == acled_file.stat().st_size
    chunks = AuditEntry.objects.filter(action="intake.import_chunk").count()
    assert chunks == 8  # one audit row per 500-row chunk

    before = (Event.objects.count(), Version.objects.count(), Claim.objects.count(),
              AuditEntry.objects.filter(action__startswith="event").count())
    again = batch_import(actor=world.analyst, kind="acled", path=acled_file, geocode=False)
    assert _counts(again) == (3990, 0, 0, 3990, 0, 0)
    assert (Event.objects.count(), Version.objects.count(), Claim.objects.count(),
            AuditEntry.objects.filter(action__startswith="event").count()) == before
    assert again.file_sha256 == batch.file_sha256


def test_newer_export_updates_with_history_and_flags_deletions(world, tmp_path):
    from temoin.cases.models import Claim, Event, Version
    from temoin.intake.models import ImportedRecord, RowChange
    from temoin.intake.services import batch_import

    first = write_acled_csv(tmp_path / "v1.csv", [synthetic_row(n) for n in range(1, 6)])
    batch_import(actor=world.admin, kind="acled", path=first, geocode=False)
    rows = [synthetic_row(n) for n in range(1, 5)]  # SYN5 gone upstream
    rows[0]["fatalities"] = "7"
    rows[1]["notes"] = "SYNTHETIC note: revised by the source."
    rows.append(synthetic_row(6))
    second = write_acled_csv(tmp_path / "v2.csv", rows, hxl=True)
    batch = batch_import(actor=world.admin, kind="acled", path=second, geocode=False)
    assert _counts(batch) == (5, 1, 2, 2, 0, 1)
    assert batch.report["changed_fields"] == {"event.casualties.killed": 1,
                                               "event.description": 1}
    event1 = ImportedRecord.objects.get(upstream_id="SYN1").event
    claim = Claim.objects.get(event=event1)
    assert (claim.count_min, claim.count_max) == (7, 7)
    change = RowChange.objects.get(batch=batch, record__upstream_id="SYN1")
    assert change.fields == [{"field": "event.casualties.killed", "old": "3-3 best 3 by ACLED",
                              "new": "7-7 best 7 by ACLED"}]
    event2 = ImportedRecord.objects.get(upstream_id="SYN2").event
    assert event2.description == "SYNTHETIC note: revised by the source."
    versions = list(Version.objects.filter(target_type="event", target_id=event2.pk)
                    .values_list("number", "change"))
    assert versions == [(1, "import"), (2, "import_update")]
    gone = ImportedRecord.objects.get(upstream_id="SYN5")
    assert gone.deleted_upstream and gone.deleted_flagged_by == batch
    assert Event.objects.filter(pk=gone.event_id).exists()  # flagged, never deleted
    assert Event.objects.count() == 6


def test_analyst_edits_outside_changed_fields_survive_an_update(world, tmp_path):
    from temoin.cases.services import event_update
    from temoin.intake.models import ImportedRecord
    from temoin.intake.services import batch_import

    path = write_acled_csv(tmp_path / "v1.csv", [synthetic_row(1)])
    batch_import(actor=world.admin, kind="acled", path=path, geocode=False)
    event = ImportedRecord.objects.get(upstream_id="SYN1").event
    event_update(actor=world.analyst, event=event, changes={"place_name": "Lieu corrigé",
                                                            "title": "Titre de l'analyste"})
    path = write_acled_csv(tmp_path / "v2.csv", [synthetic_row(1, fatalities="4")])
    batch_import(actor=world.admin, kind="acled", path=path, geocode=False)
    event.refresh_from_db()
    assert (event.place_name, event.title) == ("Lieu corrigé", "Titre de l'analyste")
    assert event.claims.get().count_min == 4
    path = write_acled_csv(tmp_path / "v3.csv", [synthetic_row(1, fatalities="4",
                                                               location="Autre-Village")])
    batch_import(actor=world.admin, kind="acled", path=path, geocode=False)
    event.refresh_from_db()
    assert event.place_name == "Autre-Village"  # changed upstream: the import wins, versioned
    assert "Autre-Village" in event.title


def test_bad_rows_are_quarantined_verbatim_and_retried_after_a_fix(world, tmp_path):
    from temoin.cases.models import Event
    from temoin.intake.models import QuarantinedRow
    from temoin.intake.services import batch_import, quarantine_retry

    rows = [synthetic_row(1), synthetic_row(2, event_date="2019-02-30"),
            synthetic_row(3, event_type="Alien invasion"), synthetic_row(1)]
    path = write_acled_csv(tmp_path / "bad.csv", rows)
    batch = batch_import(actor=world.analyst, kind="acled", path=path, geocode=False)
    assert _counts(batch) == (4, 1, 0, 0, 3, 0)
    reasons = list(QuarantinedRow.objects.filter(batch=batch).values_list(
        "row_number", "field", "reason_code"))
    assert reasons == [(3, "event_date", "bad_date"), (4, "event_type", "unknown_event_type"),
                       (5, "event_id_cnty", "duplicate_id")]
    assert batch.report["quarantine_reasons"] == {"bad_date": 1, "unknown_event_type": 1,
                                                  "duplicate_id": 1}
    bad_date = QuarantinedRow.objects.get(batch=batch, reason_code="bad_date")
    assert bad_date.raw["event_date"] == "2019-02-30" and bad_date.raw["event_id_cnty"] == "SYN2"
    still = quarantine_retry(actor=world.analyst, row=bad_date)
    assert still.status == "still_failing" and still.attempts == 1
    fixed = quarantine_retry(actor=world.analyst, row=bad_date, fixes={"event_date": "2019-02-28"})
    assert fixed.status == "imported" and fixed.record.upstream_id == "SYN2"
    batch.refresh_from_db()
    assert (batch.rows, batch.new, batch.quarantined) == (4, 2, 2)
    assert Event.objects.filter(upstream_id="SYN2", start_earliest="2019-02-28").exists()


def test_refused_roles_and_refused_files_write_nothing(world, tmp_path):
    from temoin.cases.models import Event
    from temoin.errors import PermissionDenied
    from temoin.intake.errors import IntakeFileRefused
    from temoin.intake.models import ImportBatch
    from temoin.intake.services import batch_import

    path = write_acled_csv(tmp_path / "ok.csv", [synthetic_row(1)])
    for user in (world.reviewer, world.monitor, world.viewer, world.partner):
        with pytest.raises(PermissionDenied):
            batch_import(actor=user, kind="acled", path=path, geocode=False)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(IntakeFileRefused) as refused:
        batch_import(actor=world.admin, kind="acled", path=empty, geocode=False)
    assert refused.value.code == "intake.empty_file"
    notacled = tmp_path / "other.csv"
    notacled.write_text("a,b\n1,2\n")
    with pytest.raises(IntakeFileRefused):
        batch_import(actor=world.admin, kind="acled", path=notacled, geocode=False)
    assert ImportBatch.objects.count() == 0 and Event.objects.count() == 0


def test_actor_aliases_become_involvements_and_unknown_names_are_reported(world, tmp_path):
    from temoin.cases.models import Involvement
    from temoin.intake.services import batch_import

    row = synthetic_row(1, actor1="Military Forces of Mali (2013-)", inter1="1",
                        assoc_actor_1="", actor2="SYNTHETIC Unknown Band", inter2="2",
                        event_type="Battles", sub_event_type="Armed clash")
    path = write_acled_csv(tmp_path / "a.csv", [row])
    batch = batch_import(actor=world.analyst, kind="acled", path=path, geocode=False)
    involvement = Involvement.objects.get()
    assert involvement.actor.code == "fama" and involvement.degree == "unknown"
    assert involvement.attributed_by.upstream_id == "SYN1"
    assert batch.report["unknown_actors"] == {"SYNTHETIC Unknown Band": 1}


def test_a_flagged_id_that_comes_back_is_unflagged(world, tmp_path):
    from temoin.intake.models import ImportedRecord
    from temoin.intake.services import batch_import

    full = write_acled_csv(tmp_path / "full.csv", [synthetic_row(n) for n in (1, 2)])
    batch_import(actor=world.admin, kind="acled", path=full, geocode=False)
    partial = write_acled_csv(tmp_path / "partial.csv", [synthetic_row(1)])
    flagged = batch_import(actor=world.admin, kind="acled", path=partial, geocode=False)
    assert flagged.flagged_deleted == 1
    assert ImportedRecord.objects.get(upstream_id="SYN2").deleted_upstream
    back = batch_import(actor=world.admin, kind="acled", path=full, geocode=False)
    assert (back.unchanged, back.flagged_deleted) == (2, 0)
    assert not ImportedRecord.objects.filter(deleted_upstream=True).exists()
    no_flag = batch_import(actor=world.admin, kind="acled", path=partial, geocode=False,
                           flag_deletions=False)
    assert no_flag.flagged_deleted == 0 and no_flag.settings["flag_deletions"] is False


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=150)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cells=st.lists(st.fixed_dictionaries({"event_id_cnty": CELL, "event_date": CELL,
                                              "latitude": CELL, "fatalities": CELL,
                                              "location": CELL, "actor1": CELL}),
                      min_size=1, max_size=4))
def test_random_cells_import_or_quarantine_and_counts_add_up(world, tmp_path_factory, cells):
    from temoin.intake.services import batch_import

    rows = [synthetic_row(i, **{k: v.replace("\x00", "") for k, v in c.items()})
            for i, c in enumerate(cells)]
    path = write_acled_csv(tmp_path_factory.mktemp("fuzz") / "f.csv", rows)
    try:
        batch = batch_import(actor=world.analyst, kind="acled", path=path, geocode=False,
                             flag_deletions=False)
    except IntakeFileRefused:
        return
    assert batch.status == "done"
    assert batch.rows == batch.new + batch.updated + batch.unchanged + batch.quarantined


def test_imported_search_entries_equal_what_the_editing_services_index(world, tmp_path):
    """The bulk insert path indexes events, acts and sources with exactly the text that
    ``reindex_*`` (the editing services) would write, so a search finds imported and
    hand-entered records alike (e.g. "victimes" for the acts' victim group)."""
    from temoin.cases.models import Act, Event, SearchEntry, Source
    from temoin.cases.search import fold
    from temoin.intake.services import batch_import

    rows = [synthetic_row(n) for n in range(1, 8)]
    path = write_acled_csv(tmp_path / "search.csv", rows)
    batch_import(actor=world.analyst, kind="acled", path=path, geocode=False)

    def text(doc_type: str, doc_id: int) -> str:
        return SearchEntry.objects.get(doc_type=doc_type, doc_id=doc_id).text

    def folded(parts: list[str]) -> str:
        return fold(" ".join(p for p in parts if p))

    events = list(Event.objects.all())
    assert len(events) == 7
    for event in events:
        assert text("event", event.pk) == folded([
            event.reference, event.title, event.description, event.place_name,
            event.admin1, event.admin2, event.admin3])
    acts = list(Act.objects.all())
    assert acts
    for act in acts:
        assert text("act", act.pk) == folded([
            act.act_type.replace("_", " "), act.victim_group, act.consequences,
            act.place_name])
        assert "victimes" in text("act", act.pk).split()
    for source in Source.objects.all():
        for event_id in source.information.values_list("event_id", flat=True):
            assert text("source", source.pk * 1_000_000_000 + event_id) == folded(
                [source.title, source.content])
