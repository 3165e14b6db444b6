"""Import source files and ODK attachments go through the evidence vault: content-addressed,
encrypted, custody entry "ingest" naming the batch or submission, linked to what they became;
ingest works while the keys are sealed, as the vault's does (synthetic data)."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from tests.api.intake.test_openrosa import PHOTO, _key_pair, incident_xml, post
from tests.app.conftest import PASSPHRASE
from tests.core.intake.odk_spec_builder import build_encrypted_submission
from tests.core.intake.synthetic import synthetic_row, write_acled_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("openrosa_basic")]


def _timeline(viewer, sha256):  # type: ignore[no-untyped-def]
    from temoin.evidence.selectors import custody_timeline

    return [(e["action"], e["reason"]) for e in custody_timeline(viewer, sha256)]


def _clear_copies(home, content):  # type: ignore[no-untyped-def]
    return [p for p in home.rglob("*") if p.is_file() and content in p.read_bytes()]


def test_batch_source_file_is_kept_in_the_vault_by_its_sha256(world, tmp_path, temoin_home):
    from temoin.audit.models import AuditEntry
    from temoin.evidence.models import EvidenceItem
    from temoin.intake.services import batch_import
    from temoin.keys import keystore

    path = write_acled_csv(tmp_path / "a.csv", [synthetic_row(n) for n in (1, 2)])
    keystore.forget()  # sealed: the vault still ingests (wrapping needs the public key only)
    batch = batch_import(actor=world.analyst, kind="acled", path=path, geocode=False)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (batch.status, batch.new, batch.file_sha256, batch.stored_path) == ("done", 2, sha, "")
    item = EvidenceItem.objects.get(sha256=sha)
    assert (item.size, item.ingested_by) == (path.stat().st_size, world.analyst)
    assert not (temoin_home / "imports").exists()  # nothing kept in clear any more
    assert not _clear_copies(temoin_home, path.read_bytes())  # the vault holds ciphertext
    audit = AuditEntry.objects.get(action="intake.batch_file")
    assert audit.details["sha256"] == sha and audit.details["duplicate"] is False
    from temoin.keys.services import keys_unseal

    keys_unseal(actor=world.admin, passphrase=PASSPHRASE)
    assert _timeline(world.analyst, sha) == [  # visible to who ingested it (not linked)
        ("ingest", f"lot d'import {batch.pk} (acled) : fichier source")]
    again = batch_import(actor=world.analyst, kind="acled", path=path, geocode=False)
    assert (again.unchanged, again.file_sha256) == (2, sha)
    assert EvidenceItem.objects.filter(sha256=sha).count() == 1
    assert [a for a, _ in _timeline(world.analyst, sha)] == ["ingest", "ingest_duplicate"]


def test_plain_submission_attachment_is_vaulted_and_linked(world, temoin_home):
    from temoin.cases.models import Event, Source
    from temoin.evidence.models import EvidenceItem
    from temoin.intake.models import OdkSubmission

    response = post(Client(), "monitor", incident_xml("uuid:vault-1"), {"photo.jpg": PHOTO})
    assert response.status_code == 201, response.content
    attachment = OdkSubmission.objects.get().attachments.get()
    sha = hashlib.sha256(PHOTO).hexdigest()
    assert (attachment.sha256, attachment.stored_path) == (sha, "")
    item = EvidenceItem.objects.get(sha256=sha)
    event = Event.objects.get(upstream_id="uuid:vault-1")
    source = Source.objects.get(upstream_id="uuid:vault-1")
    assert list(item.events.all()) == [event] and list(item.sources.all()) == [source]
    assert item.ingested_by == world.monitor
    assert _timeline(world.admin, sha) == [
        ("ingest", "soumission ODK uuid:vault-1 (temoin_incident) : pièce jointe"),
        ("link", "soumission ODK uuid:vault-1")]
    assert not _clear_copies(temoin_home, PHOTO)


def test_quarantined_submission_attachment_is_linked_after_retry(world):
    from temoin.evidence.models import EvidenceItem
    from temoin.intake.models import QuarantinedRow
    from temoin.intake.services import quarantine_retry

    response = post(Client(), "monitor", incident_xml("uuid:vault-2", date="2019-02-30"),
                    {"photo.jpg": PHOTO})
    assert response.status_code == 201 and b"quarantaine" in response.content
    item = EvidenceItem.objects.get(sha256=hashlib.sha256(PHOTO).hexdigest())
    assert not item.events.exists()  # kept, not yet linked
    row = QuarantinedRow.objects.get()
    field = next(name for name in row.field_names if name.endswith("incident_date"))
    assert quarantine_retry(actor=world.analyst, row=row,
                            fixes={field: "2019-02-28"}).status == "imported"
    assert [e.upstream_id for e in item.events.all()] == ["uuid:vault-2"]


def test_encrypted_attachment_received_sealed_then_decrypted_as_a_working_copy(world):
    from temoin.cases.models import Event
    from temoin.evidence.models import EvidenceItem
    from temoin.keys import keystore
    from temoin.keys.services import keys_unseal

    _, public = _key_pair(world)
    keystore.forget()
    built = build_encrypted_submission(public, form_id="temoin_incident", version="1",
                                       instance_id="uuid:vault-3",
                                       submission_xml=incident_xml("uuid:vault-3"),
                                       media=[("photo.jpg", PHOTO)])
    assert post(Client(), "monitor", built.manifest, built.files).status_code == 201
    enc_sha = hashlib.sha256(built.files["photo.jpg.enc"]).hexdigest()
    original = EvidenceItem.objects.get(sha256=enc_sha)  # ingested while sealed
    assert not EvidenceItem.objects.filter(sha256=hashlib.sha256(PHOTO).hexdigest()).exists()
    keys_unseal(actor=world.admin, passphrase=PASSPHRASE)
    from temoin.intake.odk import odk_pending_process

    assert odk_pending_process(actor=world.admin)["imported"] == 1
    event = Event.objects.get(upstream_id="uuid:vault-3")
    plain = EvidenceItem.objects.get(sha256=hashlib.sha256(PHOTO).hexdigest())
    assert plain.derived_from == original and plain.operation["name"] == "odk_decrypt"
    assert list(original.events.all()) == [event] and list(plain.events.all()) == [event]
    actions = [a for a, _ in _timeline(world.admin, enc_sha)]
    assert actions[:2] == ["ingest", "access"]  # read back (audited) to decrypt it
    assert ("derivative_created",
            "soumission ODK uuid:vault-3 : pièce jointe déchiffrée") in _timeline(
        world.admin, plain.sha256)
    manifest_sha = hashlib.sha256(built.manifest).hexdigest()  # received sealed, read back
    assert [a for a, _ in _timeline(world.admin, manifest_sha)][:3] == ["ingest", "access", "link"]
    decrypted_xml = EvidenceItem.objects.get(
        sha256=hashlib.sha256(incident_xml("uuid:vault-3")).hexdigest())
    assert list(decrypted_xml.events.all()) == [event]


def _vault_bytes(viewer, sha256):  # type: ignore[no-untyped-def]
    from temoin.intake.storage import vault_read

    return vault_read(viewer=viewer, sha256=sha256, reason="vérification (test)")


def test_submission_xml_as_received_is_in_the_vault_linked_and_nowhere_in_clear(
        world, temoin_home):
    from temoin.cases.models import Event
    from temoin.evidence.models import EvidenceItem
    from temoin.intake.models import OdkSubmission

    xml = incident_xml("uuid:vault-xml-1")
    response = post(Client(), "monitor", xml, {"photo.jpg": PHOTO})
    assert response.status_code == 201, response.content
    submission = OdkSubmission.objects.get()
    sha = hashlib.sha256(xml).hexdigest()
    assert (submission.xml_sha256, submission.xml_path, submission.xml_sealed) == (sha, "", False)
    item = EvidenceItem.objects.get(sha256=sha)
    assert (item.size, item.ingested_by) == (len(xml), world.monitor)
    assert _vault_bytes(world.admin, sha) == xml  # verified on read: the bytes as received
    event = Event.objects.get(upstream_id="uuid:vault-xml-1")
    assert list(item.events.all()) == [event]
    timeline = _timeline(world.admin, sha)
    assert timeline[:2] == [
        ("ingest", f"soumission ODK uuid:vault-xml-1 (temoin_incident, lot d'import "
                   f"{submission.batch_id}) : XML reçu"),
        ("link", "soumission ODK uuid:vault-xml-1")]
    assert not (temoin_home / "odk").exists()
    assert not _clear_copies(temoin_home, b"SYNTHETIC account of an invented incident")
    from temoin.audit.models import AuditEntry

    received = AuditEntry.objects.get(action="intake.odk_receive")
    assert received.details["xml_sha256"] == sha


def test_encrypted_submission_manifest_and_decrypted_xml_are_in_the_vault(world, temoin_home):
    from temoin.cases.models import Event
    from temoin.evidence.models import EvidenceItem
    from temoin.intake.models import OdkSubmission

    _, public = _key_pair(world)
    plain_xml = incident_xml("uuid:vault-xml-2")
    built = build_encrypted_submission(public, form_id="temoin_incident", version="1",
                                       instance_id="uuid:vault-xml-2", submission_xml=plain_xml,
                                       media=[])
    assert post(Client(), "monitor", built.manifest, built.files).status_code == 201
    submission = OdkSubmission.objects.get()
    event = Event.objects.get(upstream_id="uuid:vault-xml-2")
    manifest = EvidenceItem.objects.get(sha256=hashlib.sha256(built.manifest).hexdigest())
    encrypted = EvidenceItem.objects.get(
        sha256=hashlib.sha256(built.files["submission.xml.enc"]).hexdigest())
    decrypted = EvidenceItem.objects.get(sha256=hashlib.sha256(plain_xml).hexdigest())
    assert submission.xml_sha256 == manifest.sha256 and submission.xml_path == ""
    assert decrypted.derived_from == encrypted and decrypted.operation["name"] == "odk_decrypt"
    assert _vault_bytes(world.admin, manifest.sha256) == built.manifest
    assert _vault_bytes(world.admin, decrypted.sha256) == plain_xml
    for item in (manifest, encrypted, decrypted):
        assert list(item.events.all()) == [event]
    assert submission.attachments.get(name="submission.xml.enc").plain_sha256 == \
        decrypted.sha256
    assert ("derivative_created", "soumission ODK uuid:vault-xml-2 : XML déchiffré") in \
        _timeline(world.admin, decrypted.sha256)
    assert not _clear_copies(temoin_home, b"SYNTHETIC account of an invented incident")


def _legacy_submission(world, xml, *, form_id, instance_id, photo=None):  # type: ignore[no-untyped-def]
    """A submission as an earlier version kept it: XML (sealed for testimony forms) and
    attachments as files under TEMOIN_HOME/odk/, then imported by the same code path."""
    import base64

    from django.db import transaction

    from temoin.core import sealing
    from temoin.intake import odk
    from temoin.intake.models import OdkAttachment, OdkSubmission
    from temoin.intake.storage import store_bytes
    from temoin.keys.selectors import active_keyring

    testimony = form_id in odk.TESTIMONY_FORMS
    data = xml
    if testimony:
        org = active_keyring()
        data = sealing.seal_identity(org.public_key, {"xml_b64": base64.b64encode(xml).decode()},
                                     key_id=org.key_id, context=odk._xml_context(instance_id))
    stored = store_bytes(data, folder=odk._odk_dir())
    with transaction.atomic():
        submission = OdkSubmission.objects.create(
            instance_id=instance_id, form_id=form_id, batch=odk._odk_batch(world.monitor, form_id),
            submitted_by=world.monitor, status="stored_encrypted",
            xml_sha256=hashlib.sha256(xml).hexdigest(), xml_path=str(stored.path),
            xml_sealed=testimony)
        if photo is not None:
            kept = store_bytes(photo, folder=odk._odk_dir())
            OdkAttachment.objects.create(submission=submission, name="photo.jpg",
                                         sha256=kept.sha256, size=kept.size,
                                         stored_path=str(kept.path))
        odk._import_plain(world.monitor, submission, xml)
    return submission


def test_files_of_earlier_versions_move_into_the_vault_idempotently(world, temoin_home):
    from temoin.cases.models import Event
    from temoin.evidence.models import EvidenceItem
    from temoin.intake.odk import odk_files_to_vault
    from temoin.keys import keystore
    from temoin.keys.services import keys_unseal
    from tests.api.intake.test_openrosa import build_testimony_xml

    incident = incident_xml("uuid:old-1")
    testimony = build_testimony_xml("uuid:old-2")
    _legacy_submission(world, incident, form_id="temoin_incident", instance_id="uuid:old-1",
                       photo=PHOTO)
    _legacy_submission(world, testimony, form_id="temoin_testimony", instance_id="uuid:old-2")
    odk_dir = temoin_home / "odk"
    assert len(list(odk_dir.iterdir())) == 3
    assert not EvidenceItem.objects.exists()

    from temoin.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        odk_files_to_vault(actor=world.analyst)
    keystore.forget()  # sealed: the sealed testimony XML waits, the rest moves
    assert odk_files_to_vault(actor=world.admin) == {
        "xml": 1, "attachments": 1, "deleted": 2, "sealed": 1, "missing": 0, "mismatch": 0}
    assert len(list(odk_dir.iterdir())) == 1
    keys_unseal(actor=world.admin, passphrase=PASSPHRASE)
    assert odk_files_to_vault(actor=world.admin) == {
        "xml": 1, "attachments": 0, "deleted": 1, "sealed": 0, "missing": 0, "mismatch": 0}
    assert odk_files_to_vault(actor=world.admin) == {  # idempotent
        "xml": 0, "attachments": 0, "deleted": 0, "sealed": 0, "missing": 0, "mismatch": 0}
    assert list(odk_dir.iterdir()) == []
    for xml, instance in ((incident, "uuid:old-1"), (testimony, "uuid:old-2")):
        sha = hashlib.sha256(xml).hexdigest()
        assert _vault_bytes(world.admin, sha) == xml
        assert list(EvidenceItem.objects.get(sha256=sha).events.all()) == [
            Event.objects.get(upstream_id=instance)]
        assert [a for a, _ in _timeline(world.admin, sha)][:2] == ["ingest", "link"]
    photo = EvidenceItem.objects.get(sha256=hashlib.sha256(PHOTO).hexdigest())
    assert photo.events.get().upstream_id == "uuid:old-1"
    reason = _timeline(world.admin, photo.sha256)[0][1]
    assert reason.startswith("soumission ODK uuid:old-1 (temoin_incident) : pièce jointe reçue")
    assert not _clear_copies(temoin_home, b"Kadiatou")


def test_an_altered_legacy_file_is_not_moved(world, temoin_home):
    import os

    from temoin.evidence.models import EvidenceItem
    from temoin.intake.odk import odk_files_to_vault

    submission = _legacy_submission(world, incident_xml("uuid:old-3"),
                                    form_id="temoin_incident", instance_id="uuid:old-3")
    from pathlib import Path

    path = Path(submission.xml_path)
    os.chmod(path, 0o640)
    path.write_bytes(path.read_bytes().replace(b"4</killed_min>", b"9</killed_min>"))
    assert odk_files_to_vault(actor=world.admin)["mismatch"] == 1
    assert path.is_file() and not EvidenceItem.objects.exists()
    submission.refresh_from_db()
    assert submission.xml_path == str(path)
