"""Every evidence endpoint × role through HTTP: allowed or refused (403/404/409), and a refused
write changes nothing (rows, audit rows that are not refusals, custody log)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from temoin.audit.models import AuditEntry
from temoin.evidence.models import EvidenceExport, EvidenceItem
from temoin.evidence.vaultsetup import open_vault

PHOTO = b"\x89PNG\r\n\x1a\n" + b"matrix-synthetic" * 40
ROLES = ["admin", "analyst", "reviewer", "monitor", "viewer", "partner"]


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


def state() -> tuple[int, int, int, list[bool]]:
    return (EvidenceItem.objects.count(), EvidenceExport.objects.count(), open_vault().log.size,
            list(EvidenceItem.objects.order_by("pk").values_list("shredded", flat=True)))


@pytest.fixture
def item(case):  # type: ignore[no-untyped-def]
    response = client_for(case.world.analyst).post("/api/evidence/", {
        "file": SimpleUploadedFile("x.png", PHOTO), "events": [str(case.event.pk)],
        "source": str(case.source_courts.pk), "reason": "dépôt"}, format="multipart")
    assert response.status_code == 201
    return hashlib.sha256(PHOTO).hexdigest()


# expected status per role, in ROLES order
MATRIX = {
    "list_sees_item": [True, True, True, False, True, False],
    "detail": [200, 200, 200, 404, 200, 404],
    "timeline": [200, 200, 200, 404, 200, 404],
    "original": [200, 200, 200, 404, 403, 404],
    "ingest": [201, 201, 403, 404, 403, 404],  # monitor/partner cannot see the event: 404
    "verify": [200, 403, 403, 403, 403, 403],
    "export": [200, 200, 403, 404, 403, 404],
    "shred": [200, 403, 403, 404, 403, 404],
    "checkpoint": [201, 403, 403, 403, 403, 403],
    "link": [200, 200, 403, 404, 403, 404],
    "unlink": [200, 200, 403, 404, 404, 404],  # a viewer cannot see the source: 404
}


@pytest.mark.parametrize("index,role", list(enumerate(ROLES)))
def test_reads(case, item, index, role):
    api = client_for(getattr(case.world, role))
    listed = [i["sha256"] for i in api.get("/api/evidence/").json()["results"]]
    assert (item in listed) is MATRIX["list_sees_item"][index]
    assert api.get(f"/api/evidence/{item}/").status_code == MATRIX["detail"][index]
    timeline = api.get(f"/api/evidence/{item}/timeline/")
    assert timeline.status_code == MATRIX["timeline"][index]
    if timeline.status_code == 200:
        reason = timeline.json()["entries"][0]["reason"]
        assert reason == ("dépôt" if role in ("admin", "analyst", "reviewer") else None)
    assert api.get("/api/evidence/custody/key/").status_code == 200


@pytest.mark.parametrize("index,role", list(enumerate(ROLES)))
@pytest.mark.parametrize("action", ["original", "ingest", "verify", "export", "shred", "checkpoint", "link",
                                    "unlink"])
def test_actions(case, item, index, role, action):
    api = client_for(getattr(case.world, role))
    before = state()
    audit_before = AuditEntry.objects.exclude(action__endswith="_refused").count()
    if action == "original":
        response = api.post(f"/api/evidence/{item}/original/", {"reason": "revue"}, format="json")
    elif action == "ingest":
        response = api.post("/api/evidence/", {
            "file": SimpleUploadedFile("y.png", PHOTO + role.encode()), "events": [str(case.event.pk)],
            "reason": "dépôt"}, format="multipart")
    elif action == "verify":
        response = api.post("/api/evidence/verify/", {}, format="json")
    elif action == "export":
        response = api.post("/api/evidence/export/", {"items": [item], "recipient_kind": "courts",
                                                      "reason": "parquet"}, format="json")
    elif action == "shred":
        response = api.post(f"/api/evidence/{item}/shred/", {"reason": "retrait",
                                                             "authority": "D-1"}, format="json")
    elif action == "link":
        response = api.post(f"/api/evidence/{item}/link/", {"events": [str(case.shared_event.pk)],
                                                            "reason": "même scène"}, format="json")
    elif action == "unlink":
        response = api.post(f"/api/evidence/{item}/unlink/", {"source": str(case.source_courts.pk),
                                                              "reason": "erreur"}, format="json")
    else:
        response = api.post("/api/evidence/custody/checkpoint/")
    expected = MATRIX[action][index]
    if action in ("link", "unlink") and expected == 200:
        assert open_vault().log.entry(before[2]).action == action
    assert response.status_code == expected, (response.status_code, getattr(response, "content", b"")[:300])
    if expected >= 400:
        assert response.json()["error"]["code"]
        assert state() == before
        assert AuditEntry.objects.exclude(action__endswith="_refused").count() == audit_before
