"""Evidence over HTTP: multipart ingest, list filtered by viewer, detail, timeline, audited
original (POST, no-store), export as a zip that verifies offline, consent refusal, sealed
server, role refusals with nothing changed; one error shape; no file name anywhere."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from temoin.audit.models import AuditEntry
from temoin.evidence.models import EvidenceItem
from temoin.keys import keystore

PHOTO = b"\x89PNG\r\n\x1a\n" + b"synthetic-api-image" * 50
FILENAME = "Moussa_Synthetique_0001.png"


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


def post_file(api, case, data=PHOTO, **extra):  # type: ignore[no-untyped-def]
    body = {"file": SimpleUploadedFile(FILENAME, data), "events": [str(case.event.pk)],
            "reason": "dépôt synthétique", **extra}
    return api.post("/api/evidence/", body, format="multipart")


def test_ingest_list_detail_timeline_original(case):
    api = client_for(case.world.analyst)
    created = post_file(api, case, source=str(case.source_courts.pk))
    assert created.status_code == 201, created.json()
    body = created.json()
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert body["sha256"] == sha and body["media_type"] == "image/png" and not body["duplicate"]
    assert FILENAME not in created.content.decode()
    again = post_file(api, case)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    listing = api.get("/api/evidence/", {"event": case.event.pk}).json()
    assert [i["sha256"] for i in listing["results"]] == [sha]
    detail = api.get(f"/api/evidence/{sha}/").json()
    assert detail["sources"] == [case.source_courts.pk] and detail["can_open_original"] is True
    timeline = api.get(f"/api/evidence/{sha}/timeline/").json()
    assert [e["action"] for e in timeline["entries"]] == ["ingest", "ingest_duplicate"]
    original = api.post(f"/api/evidence/{sha}/original/", {"reason": "revue"}, format="json")
    assert original.status_code == 200 and original["Cache-Control"] == "no-store"
    assert b"".join(original.streaming_content) == PHOTO
    assert FILENAME not in original["Content-Disposition"]
    assert AuditEntry.objects.filter(action="evidence.open").count() == 1
    assert FILENAME not in str(list(AuditEntry.objects.values_list("details", "reason")))


def test_viewer_and_partner_visibility_and_refusals(case):
    sha = post_file(client_for(case.world.analyst), case).json()["sha256"]
    viewer = client_for(case.world.viewer)
    assert [i["sha256"] for i in viewer.get("/api/evidence/").json()["results"]] == [sha]
    refused = viewer.post(f"/api/evidence/{sha}/original/", {"reason": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    partner = client_for(case.world.partner)
    assert partner.get("/api/evidence/").json()["results"] == []
    missing = partner.get(f"/api/evidence/{sha}/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "evidence.not_found"
    before = EvidenceItem.objects.count(), AuditEntry.objects.count()
    denied = post_file(viewer, case, data=PHOTO + b"v")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    assert (EvidenceItem.objects.count(), AuditEntry.objects.count()) == before


def test_sealed_server_ingests_and_refuses_original_with_keys_sealed(case):
    keystore.forget()
    api = client_for(case.world.analyst)
    created = post_file(api, case)
    assert created.status_code == 201
    sealed = api.post(f"/api/evidence/{created.json()['sha256']}/original/", {"reason": "x"}, format="json")
    assert sealed.status_code == 409 and sealed.json()["error"]["code"] == "keys.sealed"


def test_export_zip_verifies_offline_and_consent_refusal_names_source(case, tmp_path):
    api = client_for(case.world.analyst)
    sha = post_file(api, case, source=str(case.source_courts.pk)).json()["sha256"]
    response = api.post("/api/evidence/export/", {"event": case.event.pk, "recipient_kind": "courts",
                                                  "reason": "demande du parquet"}, format="json")
    assert response.status_code == 200, response.content[:500]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    archive.extractall(tmp_path / "unzipped")
    (bag,) = list((tmp_path / "unzipped").iterdir())
    assert (bag / "data" / "items" / sha / "content" / "original.png").read_bytes() == PHOTO
    vkey = api.get("/api/evidence/custody/key/").json()["vkey"]
    verdict = subprocess.run([sys.executable, str(bag / "data" / "verify_package.py"), str(bag),
                              "--log-key", vkey], capture_output=True, text=True, timeout=120)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    post_file(api, case, data=PHOTO + b"i", source=str(case.source_internal.pk))
    refused = api.post("/api/evidence/export/", {
        "event": case.event.pk, "recipient_kind": "courts", "reason": "parquet", "on_consent": "refuse"},
        format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "validation_failed"
    assert f"source {case.source_internal.pk}" in error["fields"]["consent"][0]["message"]


def test_server_side_export_admin_only(case, settings, tmp_path):
    settings.TEMOIN_HOME = tmp_path
    post_file(client_for(case.world.analyst), case, source=str(case.source_courts.pk))
    body = {"event": case.event.pk, "recipient_kind": "courts", "reason": "parquet", "server_side": True}
    assert client_for(case.world.analyst).post("/api/evidence/export/", body, format="json").status_code == 403
    done = client_for(case.world.admin).post("/api/evidence/export/", body, format="json")
    assert done.status_code == 201 and done.json()["path"].startswith(str(tmp_path / "exports"))


@pytest.mark.parametrize("role,status", [("admin", 201), ("analyst", 403), ("viewer", 403), ("partner", 403)])
def test_checkpoint_role_matrix(case, role, status):
    post_file(client_for(case.world.analyst), case)
    response = client_for(getattr(case.world, role)).post("/api/evidence/custody/checkpoint/")
    assert response.status_code == status
    if status == 201:
        assert response.json()["size"] == 1 and response.json()["checkpoint"].startswith("temoin.")


def test_verify_endpoint_admin_only(case):
    post_file(client_for(case.world.analyst), case)
    assert client_for(case.world.analyst).post("/api/evidence/verify/", {}, format="json").status_code == 403
    result = client_for(case.world.admin).post("/api/evidence/verify/", {"sample": 1}, format="json").json()
    assert result["ok"] is True and len(result["items"]) == 1 and result["log_ok"] is True


def test_derive_link_and_shred_endpoints(case):
    api = client_for(case.world.analyst)
    sha = post_file(api, case, source=str(case.source_courts.pk)).json()["sha256"]
    derived = api.post(f"/api/evidence/{sha}/derive/", {
        "file": SimpleUploadedFile("floute.png", PHOTO + b"blur"), "operation": "blur_faces",
        "tool": "synthetic", "tool_version": "1", "redacted": "true", "reason": "floutage"},
        format="multipart")
    assert derived.status_code == 201, derived.json()
    assert derived.json()["derived_from"] == sha and derived.json()["redacted"] is True
    linked = api.post(f"/api/evidence/{sha}/link/", {"events": [str(case.shared_event.pk)],
                                                     "reason": "même scène"}, format="json")
    assert linked.status_code == 200
    assert {e["id"] for e in linked.json()["events"]} == {case.event.pk, case.shared_event.pk}
    missing_reason = api.post(f"/api/evidence/{sha}/link/", {"events": [str(case.event.pk)]}, format="json")
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()["error"]["fields"]
    admin = client_for(case.world.admin)
    copy_sha = derived.json()["sha256"]
    refused = admin.post(f"/api/evidence/{sha}/shred/", {"reason": "retrait", "authority": "D-7"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "evidence.derivatives_exist"
    assert refused.json()["error"]["derivatives"] == [copy_sha]
    assert copy_sha in refused.json()["error"]["message"]
    shred = admin.post(f"/api/evidence/{sha}/shred/", {"reason": "retrait", "authority": "D-7",
                                                       "with_derivatives": True}, format="json")
    assert shred.status_code == 200 and shred.json()["shredded"] is True
    for gone_sha in (sha, copy_sha):
        gone = admin.post(f"/api/evidence/{gone_sha}/original/", {"reason": "x"}, format="json")
        assert gone.status_code == 409 and gone.json()["error"]["code"] == "evidence.shredded"
    actions = [e["action"] for e in admin.get(f"/api/evidence/{sha}/timeline/").json()["entries"]]
    assert actions == ["ingest", "derivative_created", "link", "key_destroyed"]
    copy_actions = [e["action"] for e in admin.get(f"/api/evidence/{copy_sha}/timeline/").json()["entries"]]
    assert copy_actions == ["derivative_created", "key_destroyed"]


def test_filename_never_on_disk_in_clear_nor_in_audit(case, vault_root):
    api = client_for(case.world.analyst)
    sha = post_file(api, case, source=str(case.source_courts.pk)).json()["sha256"]
    api.post(f"/api/evidence/{sha}/original/", {"reason": "revue"}, format="json")
    needles = [FILENAME.encode(), FILENAME.encode("utf-16-le"), b"Moussa"]
    files = [p for p in vault_root.rglob("*") if p.is_file()]
    assert len(files) >= 4  # blob, key, record, custody leaves
    for path in files:
        raw = path.read_bytes()
        assert not any(n in raw for n in needles), path.name
    assert "Moussa" not in str(list(AuditEntry.objects.values_list("details", "reason", "target_id")))


def test_schema_lists_the_evidence_endpoints(case):
    schema = client_for(case.world.admin).get("/api/schema/")
    assert schema.status_code == 200 and b"/api/evidence/{sha256}/timeline/" in schema.content


def test_ingest_with_field_records_returns_verdicts_and_unlink_endpoint(case):
    api = client_for(case.world.analyst)
    sha = hashlib.sha256(PHOTO).hexdigest()
    tella = SimpleUploadedFile("IMG_synthetic.json", f'{{"fileHashSHA256": "{sha}", "timestamp": 1709633472000}}'.encode())
    audit = SimpleUploadedFile("audit.csv", b"event,node,start,end\nform start,,1709633400000,\n")
    created = post_file(api, case, source=str(case.source_courts.pk), field_records=[tella, audit])
    assert created.status_code == 201, created.json()
    assert created.json()["proofs_now"] == ["tella:match", "odk_audit:absent"]
    assert "field_record_incomplete" in created.json()["findings_now"]  # no location in the Tella record
    unlinked = api.post(f"/api/evidence/{sha}/unlink/", {"source": str(case.source_courts.pk), "reason": "erreur"},
                        format="json")
    assert unlinked.status_code == 200 and unlinked.json()["sources"] == []
    last = api.post(f"/api/evidence/{sha}/unlink/", {"events": [str(case.event.pk)], "reason": "x"}, format="json")
    assert last.status_code == 400 and last.json()["error"]["fields"]["links"][0]["code"] == "last_link"
    actions = [e["action"] for e in api.get(f"/api/evidence/{sha}/timeline/").json()["entries"]]
    assert actions == ["ingest", "unlink"]
