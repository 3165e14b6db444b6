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

pytestmark = pytest.mark.django_db


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
