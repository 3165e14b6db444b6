"""Evidence services: ingest (streamed, duplicates, sealed server), links, audited original
reads, working copies, fixity, shredding, exports with consent limits, and the role matrix
(refused → nothing changed). All data synthetic."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from temoin.audit.models import AuditEntry
from temoin.cases.models import Event, Source
from temoin.errors import PermissionDenied, ValidationFailed
from temoin.evidence import selectors, services
from temoin.evidence.models import EvidenceExport, EvidenceItem
from temoin.evidence.vaultsetup import open_vault
from temoin.keys import keystore
from temoin.keys.errors import IdentitiesSealed

PHOTO = b"\x89PNG\r\n\x1a\n" + b"synthetic-not-a-real-image" * 100
FILENAME = "IMG_Aminata_Synthetique.png"  # a file name that identifies: must never leak


def upload(data: bytes = PHOTO, name: str = FILENAME) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def ingest(case, data: bytes = PHOTO, actor=None, **links):  # type: ignore[no-untyped-def]
    links.setdefault("events", [case.event])
    return services.evidence_ingest(actor=actor or case.world.analyst, file=upload(data),
                                    reason="dépôt synthétique", **links)


def snapshot() -> tuple[int, int, int, int]:
    return (EvidenceItem.objects.count(), AuditEntry.objects.count(),
            EvidenceExport.objects.count(), open_vault().log.size)


def test_ingest_stores_row_custody_entry_audit_and_seals_the_filename(case):
    outcome = ingest(case, source=case.source_courts)
    item = outcome.item
    assert item.sha256 == hashlib.sha256(PHOTO).hexdigest()
    assert item.sha512 == hashlib.sha512(PHOTO).hexdigest() and item.size == len(PHOTO)
    assert item.media_type == "image/png" and not outcome.duplicate
    assert list(item.events.all()) == [case.event] and list(item.sources.all()) == [case.source_courts]
    assert FILENAME.encode() not in bytes(item.filename_sealed)
    audit = AuditEntry.objects.get(action="evidence.ingest", target_id=str(item.pk))
    assert audit.details["sha256"] == item.sha256 and audit.details["events"] == [case.event.reference]
    assert FILENAME not in json.dumps(audit.details) and "Aminata" not in audit.reason
    timeline = selectors.custody_timeline(case.world.analyst, item.sha256)
    assert [e["action"] for e in timeline] == ["ingest"]
    assert timeline[0]["actor"] == f"u-{case.world.analyst.pk}" and timeline[0]["role"] == "analyst"
    assert "Aminata" not in json.dumps(timeline)


def test_duplicate_is_recognised_and_linked_not_stored_twice(case):
    first = ingest(case)
    second = ingest(case, events=[], source=case.source_internal)
    assert second.duplicate and second.item.pk == first.item.pk
    assert EvidenceItem.objects.count() == 1
    assert list(first.item.sources.all()) == [case.source_internal]
    actions = [e["action"] for e in selectors.custody_timeline(case.world.analyst, first.item.sha256)]
    assert actions == ["ingest", "ingest_duplicate"]


def test_large_upload_streams_from_djangos_temporary_file(case):
    data = os.urandom(3 * (1 << 20) + 17)
    temp = TemporaryUploadedFile("video.mp4", "video/mp4", len(data), None)
    temp.write(data)
    temp.flush()
    outcome = services.evidence_ingest(actor=case.world.monitor, file=temp, reason="vidéo",
                                       events=[Event.objects.create(
                                           reference="E-TEST-1", organisation=case.world.host,
                                           title="(SYNTHÉTIQUE)", created_by=case.world.monitor)])
    assert outcome.item.sha256 == hashlib.sha256(data).hexdigest() and outcome.item.size == len(data)
    chunks = services.evidence_open_original(viewer=case.world.monitor, item=outcome.item,
                                             reason="vérification")
    assert hashlib.sha256(b"".join(chunks)).hexdigest() == outcome.item.sha256


def test_empty_file_refused_naming_the_field_and_nothing_changed(case):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        ingest(case, data=b"")
    assert "file" in refused.value.fields and snapshot() == before


def test_sealed_server_ingests_but_refuses_originals(case):
    keystore.forget()
    outcome = ingest(case)
    assert outcome.item.sha256 == hashlib.sha256(PHOTO).hexdigest()
    size = open_vault().log.size
    with pytest.raises(IdentitiesSealed) as sealed:
        services.evidence_open_original(viewer=case.world.analyst, item=outcome.item, reason="lecture")
    assert sealed.value.code == "keys.sealed"
    assert open_vault().log.size == size  # no access entry for a refused read
    with pytest.raises(IdentitiesSealed):
        services.evidence_checkpoint(actor=case.world.admin)


def test_open_original_is_audited_and_logged(case):
    item = ingest(case).item
    data = b"".join(services.evidence_open_original(viewer=case.world.reviewer, item=item,
                                                   reason="revue"))
    assert data == PHOTO
    assert AuditEntry.objects.filter(action="evidence.open", target_id=str(item.pk)).count() == 1
    actions = [e["action"] for e in selectors.custody_timeline(case.world.reviewer, item.sha256)]
    assert actions == ["ingest", "access"]


@pytest.mark.parametrize("role", ["viewer", "partner", "other_monitor"])
def test_original_refused_for_roles_and_nothing_logged_in_custody(case, role):
    item = ingest(case).item
    user = getattr(case.world, role)
    size = open_vault().log.size
    if role in ("viewer",):
        with pytest.raises(PermissionDenied):
            services.evidence_open_original(viewer=user, item=item, reason="curiosité")
        assert AuditEntry.objects.filter(action="evidence.open_refused").count() == 1
    else:
        from temoin.errors import NotFound
        from temoin.evidence.access import access_evidence_by_sha

        with pytest.raises(NotFound):
            access_evidence_by_sha(user, item.sha256)
    assert open_vault().log.size == size


@pytest.mark.parametrize("role,allowed", [("admin", True), ("analyst", True), ("monitor", False),
                                          ("reviewer", False), ("viewer", False), ("partner", False)])
def test_ingest_role_matrix(case, role, allowed):
    user = getattr(case.world, role)
    before = snapshot()
    if allowed:
        assert ingest(case, actor=user).item.events.get() == case.event
    else:  # the monitor did not create this event; the others may not ingest at all
        with pytest.raises((PermissionDenied, ValidationFailed)):
            ingest(case, actor=user)
        assert snapshot() == before


def test_working_copy_links_to_original_and_inherits_links(case):
    original = ingest(case, source=case.source_courts).item
    outcome = services.evidence_derive(
        actor=case.world.analyst, original=original, file=upload(PHOTO + b"blurred", "blur.png"),
        operation={"name": "blur_faces", "tool": "synthetic", "tool_version": "1"},
        reason="visages floutés", redacted=True)
    copy = outcome.item
    assert copy.derived_from == original and copy.redacted
    assert list(copy.events.all()) == [case.event] and list(copy.sources.all()) == [case.source_courts]
    actions = [e["action"] for e in selectors.custody_timeline(case.world.analyst, original.sha256)]
    assert actions == ["ingest", "derivative_created"]


def test_verify_detects_tampered_blob_and_records_fixity(case, vault_root):
    good = ingest(case).item
    bad = ingest(case, data=PHOTO + b"2").item
    blob = vault_root / "objects" / "blobs" / bad.sha256
    raw = bytearray(blob.read_bytes())
    raw[40] ^= 1
    blob.write_bytes(bytes(raw))
    outcome = services.evidence_verify(actor=case.world.admin)
    verdict = {c["sha256"]: c["ok"] for c in outcome.checked}
    assert verdict == {good.sha256: True, bad.sha256: False} and not outcome.ok and outcome.full
    assert outcome.log_ok
    bad.refresh_from_db()
    assert bad.last_fixity_ok is False
    assert any("restore" in c["restore_hint"] for c in outcome.checked if not c["ok"])
    with pytest.raises(PermissionDenied):
        services.evidence_verify(actor=case.world.analyst)


def test_shred_is_admin_only_and_makes_content_unrecoverable(case, vault_root):
    item = ingest(case).item
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.evidence_shred(actor=case.world.analyst, item=item, reason="retrait", authority="D-1")
    assert snapshot() == before
    with pytest.raises(ValidationFailed) as missing:
        services.evidence_shred(actor=case.world.admin, item=item, reason="retrait", authority="")
    assert "authority" in missing.value.fields and snapshot() == before
    services.evidence_shred(actor=case.world.admin, item=item, reason="consentement retiré",
                            authority="décision 2026-14")
    item.refresh_from_db()
    assert item.shredded and item.filename_sealed is None
    assert not (vault_root / "objects" / "keys" / item.sha256).exists()
    timeline = selectors.custody_timeline(case.world.admin, item.sha256)
    assert timeline[-1]["action"] == "key_destroyed"
    assert timeline[-1]["details"] == {"authority": "décision 2026-14"}


def _verify_bag(bag: Path, vkey: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(bag / "data" / "verify_package.py"), str(bag),
                           "--log-key", vkey], capture_output=True, text=True, timeout=120)


def test_court_export_verifies_offline_and_originals_are_byte_identical(case, tmp_path):
    item = ingest(case, source=case.source_courts).item
    other = ingest(case, data=b"%PDF-1.4 synthetic report", source=case.source_courts).item
    outcome = services.evidence_export(actor=case.world.analyst, event=case.event,
                                       recipient_kind="courts", reason="demande du parquet",
                                       destination=tmp_path / "bag")
    assert sorted(outcome.items) == sorted([item.sha256, other.sha256]) and outcome.excluded == []
    content = list((tmp_path / "bag" / "data" / "items" / item.sha256 / "content").iterdir())
    assert [p.read_bytes() for p in content] == [PHOTO]
    vkey = selectors.custody_vkey()["vkey"]
    verdict = _verify_bag(tmp_path / "bag", vkey)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    assert "OK" in verdict.stdout
    export = EvidenceExport.objects.get()
    assert export.items == outcome.items and export.settings["event"] == case.event.reference
    assert AuditEntry.objects.filter(action="evidence.export").count() == 1
    # a tampered blob in the package is caught by the standalone verifier
    target = content[0]
    target.write_bytes(PHOTO[:-1] + b"X")
    assert _verify_bag(tmp_path / "bag", vkey).returncode != 0


def test_export_excludes_or_refuses_items_whose_source_forbids_the_recipient(case, tmp_path):
    ok = ingest(case, source=case.source_courts).item
    limited = ingest(case, data=PHOTO + b"internal", source=case.source_internal).item
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.evidence_export(actor=case.world.analyst, event=case.event, recipient_kind="courts",
                                 reason="parquet", destination=tmp_path / "r", refuse_on_consent=True)
    assert f"source {case.source_internal.pk}" in refused.value.fields["consent"][0][1]
    assert snapshot() == before and not (tmp_path / "r").exists()
    outcome = services.evidence_export(actor=case.world.analyst, event=case.event,
                                       recipient_kind="courts", reason="parquet",
                                       destination=tmp_path / "e")
    assert outcome.items == [ok.sha256]
    assert [e["sha256"] for e in outcome.excluded] == [limited.sha256]
    assert outcome.excluded[0]["sources"] == [case.source_internal.pk]


def test_public_export_uses_redacted_working_copy(case, tmp_path):
    source = Source.objects.create(
        organisation=case.world.host, source_type="media", title="(SYNTHÉTIQUE)",
        consent=["internal", "public"], created_by=case.world.analyst)
    original = ingest(case, source=source).item
    copy = services.evidence_derive(
        actor=case.world.analyst, original=original, file=upload(PHOTO + b"blur", "b.png"),
        operation={"name": "blur_faces", "tool": "synthetic", "tool_version": "1"},
        reason="floutage", redacted=True).item
    outcome = services.evidence_export(actor=case.world.analyst, items=[original],
                                       recipient_kind="public", reason="rapport public",
                                       destination=tmp_path / "pub")
    assert outcome.items == [copy.sha256] and outcome.substituted == {original.sha256: copy.sha256}
    assert not (tmp_path / "pub" / "data" / "items" / original.sha256).exists()


@pytest.mark.parametrize("role", ["monitor", "reviewer", "viewer", "partner"])
def test_export_refused_for_roles_nothing_changed(case, tmp_path, role):
    ingest(case, source=case.source_courts)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.evidence_export(actor=getattr(case.world, role), event=case.event,
                                 recipient_kind="courts", reason="x", destination=tmp_path / "b")
    assert snapshot() == before and not (tmp_path / "b").exists()


def test_partner_sees_items_of_shared_events_only_with_consent(case):
    shared = ingest(case, events=[case.shared_event], source=case.source_partner).item
    ingest(case, data=PHOTO + b"private")
    listed = [i.sha256 for i in selectors.evidence_list(case.world.partner)]
    assert listed == [shared.sha256]
    assert selectors.evidence_list(case.world.other_partner).count() == 0
    summary = selectors.evidence_summary(case.world.partner, shared)
    assert summary["can_open_original"] is False
    assert [i["sha256"] for i in selectors.evidence_for_event(case.world.partner, case.shared_event)] == [shared.sha256]


def test_checkpoint_signed_with_published_vkey(case):
    ingest(case)
    note = services.evidence_checkpoint(actor=case.world.admin)
    from temoin.core.custody import NoteVerifier, open_note

    opened = open_note(note["checkpoint"].encode(), [NoteVerifier.from_vkey(selectors.custody_vkey()["vkey"])])
    assert note["size"] == 1 and opened is not None


def test_key_rotation_rewraps_items_filenames_and_log_key(case, tmp_path):
    from django.db import transaction

    from temoin.keys.services import keyring_rotate
    from tests.app.conftest import PASSPHRASE

    item = ingest(case, source=case.source_courts).item
    with transaction.atomic():
        old, new = keyring_rotate(actor=case.world.admin, passphrase=PASSPHRASE)
        assert services.evidence_rewrap_keys(actor=case.world.admin, old=old,
                                             new_public_key=new.public_key, new_key_id=new.key_id) == 1
    keystore.keep(new)
    item.refresh_from_db()
    assert item.filename_key_id == new.key_id
    data = b"".join(services.evidence_open_original(viewer=case.world.analyst, item=item, reason="après rotation"))
    assert data == PHOTO
    assert services.evidence_checkpoint(actor=case.world.admin)["size"] >= 2
    assert AuditEntry.objects.filter(action="evidence.rewrap").count() == 1


def test_without_rewrap_a_rotation_leaves_originals_unreadable(case):
    from django.db import transaction

    from temoin.evidence.errors import VaultProblem
    from temoin.keys.services import keyring_rotate
    from tests.app.conftest import PASSPHRASE

    item = ingest(case).item
    with transaction.atomic():
        _, new = keyring_rotate(actor=case.world.admin, passphrase=PASSPHRASE)
    keystore.keep(new)
    with pytest.raises(VaultProblem) as failed:
        b"".join(services.evidence_open_original(viewer=case.world.analyst, item=item, reason="x"))
    assert failed.value.code == "vault.key_wrap_failed"


def test_vault_item_without_row_is_reported_and_healed_by_reingest(case):
    item = ingest(case).item
    EvidenceItem.objects.filter(pk=item.pk).delete()  # as if the database part had failed
    outcome = services.evidence_verify(actor=case.world.admin)
    assert outcome.not_in_database == (item.sha256,) and outcome.storage_problems == ()
    healed = ingest(case)
    assert healed.duplicate and healed.item.sha256 == item.sha256
    assert services.evidence_verify(actor=case.world.admin).not_in_database == ()


def test_partner_export_needs_the_named_organisation_in_the_consent(case, tmp_path):
    item = ingest(case, events=[case.shared_event], source=case.source_partner).item
    done = services.evidence_export(actor=case.world.analyst, items=[item], reason="partage",
                                    recipient_kind="named_partners", destination=tmp_path / "p",
                                    recipient_organisation=case.world.partner_org)
    assert done.items == [item.sha256]
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.evidence_export(actor=case.world.analyst, items=[item], reason="partage",
                                 recipient_kind="named_partners", destination=tmp_path / "o",
                                 recipient_organisation=case.world.other_partner_org)
    assert f"source {case.source_partner.pk}" in refused.value.fields["consent"][0][1]
    with pytest.raises(ValidationFailed) as unnamed:
        services.evidence_export(actor=case.world.analyst, items=[item], reason="partage",
                                 recipient_kind="named_partners", destination=tmp_path / "n")
    assert list(unnamed.value.fields) == ["recipient_organisation"]
    assert snapshot() == before


def test_sealed_verify_checks_ciphertexts_only_and_says_so(case):
    ingest(case)
    keystore.forget()
    outcome = services.evidence_verify(actor=case.world.admin)
    assert outcome.ok and outcome.full is False and len(outcome.checked) == 1


def test_item_linked_to_an_act_belongs_to_the_event_page_and_export(case, tmp_path):
    from temoin.cases import services as case_services

    act = case_services.act_create(actor=case.world.analyst, event=case.event, data={
        "act_type": "killing", "victim_group": "groupe synthétique", "victim_count_min": 3})
    item = ingest(case, events=[], acts=[act]).item
    listed = [i["sha256"] for i in selectors.evidence_for_event(case.world.analyst, case.event)]
    assert listed == [item.sha256]
    outcome = services.evidence_export(actor=case.world.analyst, event=case.event,
                                       recipient_kind="courts", reason="parquet",
                                       destination=tmp_path / "acts")
    assert outcome.items == [item.sha256]
