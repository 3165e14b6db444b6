"""Import endpoints over HTTP: upload → batch, dry run, list/detail/changes, quarantine
list/detail/retry; refused roles get 403/404 and nothing is written."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from tests.core.intake.synthetic import synthetic_row, write_acled_csv
from tests.core.intake.test_table import PROFILE_DATA

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def _upload(client, path, **fields):  # type: ignore[no-untyped-def]
    with open(path, "rb") as handle:
        return client.post("/api/imports/", {"file": handle, **fields}, format="multipart")


def test_upload_acled_then_read_batch_changes_and_quarantine(world, tmp_path):
    api = client_for(world.analyst)
    path = write_acled_csv(tmp_path / "acled.csv",
                           [synthetic_row(1), synthetic_row(2, latitude="abc")])
    created = _upload(api, path, kind="acled", geocode="false")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["counts"] == {"rows": 2, "new": 1, "updated": 0, "unchanged": 0,
                              "quarantined": 1, "flagged_deleted": 0, "warnings": 0}
    assert body["file_name"] == "acled.csv" and body["created_by"] == "analyst"
    assert body["vault"].startswith("pending")
    batch_id = body["id"]
    listing = api.get("/api/imports/").json()
    assert [b["id"] for b in listing["results"]] == [batch_id]
    assert api.get(f"/api/imports/{batch_id}/").json()["report"]["quarantine_reasons"] == {
        "bad_coordinate": 1}
    rows = api.get("/api/imports/quarantine/").json()["results"]
    assert [(r["row_number"], r["field"], r["reason_code"]) for r in rows] == [
        (3, "latitude", "bad_coordinate")]
    detail = api.get(f"/api/imports/quarantine/{rows[0]['id']}/").json()
    assert detail["raw"]["latitude"] == "abc" and detail["sealed"] is False
    retried = api.post(f"/api/imports/quarantine/{rows[0]['id']}/retry/",
                       {"fixes": {"latitude": "14.1"}}, format="json")
    assert retried.status_code == 200 and retried.json()["status"] == "imported"
    newer = write_acled_csv(tmp_path / "acled2.csv",
                            [synthetic_row(1, fatalities="9"), synthetic_row(2, latitude="14.1")])
    second = _upload(api, newer, kind="acled", geocode="false").json()
    assert (second["counts"]["updated"], second["counts"]["unchanged"]) == (1, 1)
    changes = api.get(f"/api/imports/{second['id']}/changes/").json()["results"]
    assert changes == [{"upstream_id": "SYN1", "event": changes[0]["event"],
                        "source": changes[0]["source"], "row_number": 2, "outcome": "updated",
                        "fields": [{"field": "event.casualties.killed",
                                    "old": "3-3 best 3 by ACLED", "new": "9-9 best 9 by ACLED"}]}]


def test_dry_run_upload_writes_nothing(world, tmp_path):
    from temoin.intake.models import ImportBatch

    path = tmp_path / "partner.csv"
    path.write_bytes(("Réf;Date;Village;Cercle;Type;Tués;Auteurs;Résumé\n"
                      "P-1;23/03/2019;V;Bankass;Pillage;2;FAMa;SYNTHETIC\n").encode("cp1252"))
    response = _upload(client_for(world.admin), path, kind="table", dry_run="true",
                       profile=json.dumps(PROFILE_DATA))
    assert response.status_code == 200
    assert response.json()["dry_run"]["new"] == 1 and response.json()["dry_run"]["ok"] is True
    assert ImportBatch.objects.count() == 0


def test_bad_input_gets_the_one_error_shape(world, tmp_path):
    api = client_for(world.admin)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    refused = _upload(api, empty, kind="acled")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "intake.empty_file"
    missing = api.post("/api/imports/", {"kind": "nope"}, format="multipart")
    assert missing.status_code == 400
    assert set(missing.json()["error"]["fields"]) == {"file", "kind"}


@pytest.mark.parametrize("role", ["reviewer", "monitor", "viewer", "partner"])
def test_other_roles_are_refused_and_nothing_is_written(world, tmp_path, role):
    from temoin.cases.models import Event
    from temoin.intake.models import ImportBatch, QuarantinedRow
    from temoin.intake.services import batch_import

    path = write_acled_csv(tmp_path / "a.csv", [synthetic_row(1), synthetic_row(2, latitude="x")])
    batch = batch_import(actor=world.admin, kind="acled", path=path, geocode=False)
    row = QuarantinedRow.objects.get()
    before = (ImportBatch.objects.count(), Event.objects.count())
    api = client_for(getattr(world, role))
    assert _upload(api, path, kind="acled").status_code == 403
    assert api.get("/api/imports/").status_code == 403
    assert api.get("/api/imports/quarantine/").status_code == 403
    assert api.get(f"/api/imports/{batch.pk}/").status_code == 404
    assert api.get(f"/api/imports/quarantine/{row.pk}/").status_code == 404
    assert api.post(f"/api/imports/quarantine/{row.pk}/retry/", {"fixes": {"latitude": "14"}},
                    format="json").status_code == 404
    assert (ImportBatch.objects.count(), Event.objects.count()) == before
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("open", 0)
    assert APIClient().get("/api/imports/").status_code in (401, 403)


def test_quarantined_row_keeps_code_and_english_message_and_adds_the_localised_one(
        world, tmp_path):
    api = client_for(world.analyst)
    path = write_acled_csv(tmp_path / "acled.csv",
                           [synthetic_row(1), synthetic_row(2, latitude="abc")])
    assert _upload(api, path, kind="acled", geocode="false").status_code == 201
    row_id = api.get("/api/imports/quarantine/").json()["results"][0]["id"]
    english = api.get(f"/api/imports/quarantine/{row_id}/", HTTP_ACCEPT_LANGUAGE="en").json()
    french = api.get(f"/api/imports/quarantine/{row_id}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    for body in (english, french):  # the stable code and the core's English message stay
        assert body["reason_code"] == "bad_coordinate"
        assert body["message"] == "row 3: field 'latitude': 'abc' is not a number"
    assert (english["language"], french["language"]) == ("en", "fr")
    assert english["message_localized"] == (
        "Row 3 (id “SYN2”), field “latitude”: invalid coordinate (a number is expected, latitude "
        "between -90 and 90, longitude between -180 and 180, both together) (received: “abc”).")
    assert french["message_localized"].startswith(
        "Ligne 3 (identifiant « SYN2 »), champ « latitude » : coordonnée invalide")
    assert french["reason"] == "coordonnée invalide (un nombre est attendu, latitude entre -90 " \
                               "et 90, longitude entre -180 et 180, les deux ensemble)"
    listed = api.get("/api/imports/quarantine/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert listed[0]["message_localized"] == english["message_localized"]
