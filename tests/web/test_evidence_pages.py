"""Evidence on the web: the event page's evidence section, upload into the vault, the item
page (metadata, working copies, custody timeline with inclusion proofs) and the audited
download of the evidentiary copy — per role, refusals changing nothing. SYNTHETIC data."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.web.conftest import signed_in
from tests.web.fixtures import build

ROLES = ["admin", "analyst", "reviewer", "monitor", "viewer", "partner"]


@pytest.fixture(autouse=True)
def vault_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    from temoin.evidence.vaultsetup import forget_vaults

    settings.TEMOIN_VAULT_ROOT = str(tmp_path / "vault")
    forget_vaults()
    yield tmp_path / "vault"
    forget_vaults()


def jpeg_with_exif() -> bytes:
    """A tiny SYNTHETIC photo with a camera time in its EXIF block."""
    from PIL import Image

    image = Image.new("RGB", (8, 8), (120, 30, 30))
    exif = Image.Exif()
    exif[0x0132] = "2022:03:27 10:15:00"  # DateTime
    exif[0x010F] = "SyntheticCam"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(client, event, content: bytes, *, name: str = "photo-synth.jpg", **extra):  # type: ignore[no-untyped-def]
    data = {"file": SimpleUploadedFile(name, content, content_type="image/jpeg"),
            "attach_to": "event", "reason": "dépôt terrain (synthétique)", **extra}
    return client.post(f"/evenements/{event.pk}/pieces/", data)


def _counts():  # type: ignore[no-untyped-def]
    from temoin.audit.models import AuditEntry
    from temoin.evidence.models import EvidenceItem
    from temoin.evidence.vaultsetup import open_vault

    return EvidenceItem.objects.count(), open_vault().log.size, AuditEntry.objects.count()


def test_analyst_uploads_and_sees_hashes_metadata_and_custody(world):
    from temoin.audit.models import AuditEntry
    from temoin.evidence.models import EvidenceItem

    cases = build(world)
    client = signed_in(world, "analyst")
    content = jpeg_with_exif()
    sha256 = hashlib.sha256(content).hexdigest()
    response = _upload(client, cases.located, content)
    assert response.status_code == 302
    assert response["Location"] == f"/pieces/{sha256}/"
    item = EvidenceItem.objects.get(sha256=sha256)
    assert list(item.events.all()) == [cases.located]
    assert item.size == len(content) and item.media_type == "image/jpeg"
    page = client.get(f"/pieces/{sha256}/").content.decode()
    assert sha256 in page and hashlib.sha512(content).hexdigest() in page
    assert "Pièce enregistrée au coffre." in page
    assert "SyntheticCam" in page  # extracted value, with its tool
    assert "photo-synth" not in page  # the file name stays sealed
    assert "Entrée au coffre" in page and "analyst" in page and "AMT" in page
    assert "dépôt terrain (synthétique)" in page
    assert AuditEntry.objects.filter(action="evidence.view", target_id=str(item.pk)).count() == 1
    event_page = client.get(f"/evenements/{cases.located.pk}/").content.decode()
    assert sha256[:12] in event_page and "image/jpeg" in event_page
    assert "jamais contrôlée" in event_page


def test_inclusion_proof_status_after_a_signed_checkpoint(world):
    from temoin.evidence.services import evidence_checkpoint

    cases = build(world)
    client = signed_in(world, "analyst")
    content = jpeg_with_exif()
    _upload(client, cases.located, content)
    sha256 = hashlib.sha256(content).hexdigest()
    page = client.get(f"/pieces/{sha256}/").content.decode()
    assert '"v-none">en attente<' in page and '"v-ok">prouvée<' not in page
    evidence_checkpoint(actor=world.admin)
    page = client.get(f"/pieces/{sha256}/").content.decode()
    assert '"v-ok">prouvée<' in page and "point de contrôle signé" in page


def test_upload_to_an_act_and_a_source_and_working_copy_relations(world):
    from temoin.evidence.models import EvidenceItem
    from temoin.evidence.services import evidence_derive

    cases = build(world)
    client = signed_in(world, "analyst")
    act = cases.located.acts.order_by("pk").first()
    content = jpeg_with_exif()
    response = _upload(client, cases.located, content, attach_to=f"act-{act.pk}",
                       source=str(cases.source.pk))
    assert response.status_code == 302
    item = EvidenceItem.objects.get(sha256=hashlib.sha256(content).hexdigest())
    assert list(item.acts.all()) == [act] and list(item.sources.all()) == [cases.source]
    copy = evidence_derive(actor=world.analyst, original=item, file=io.BytesIO(b"transcript"),
                           operation={"name": "transcription", "tool": "manuel",
                                      "tool_version": "1"}, reason="copie (synthétique)")
    event_page = client.get(f"/evenements/{cases.located.pk}/").content.decode()
    assert "copie de travail de" in event_page and copy.item.sha256[:12] in event_page
    page = client.get(f"/pieces/{item.sha256}/").content.decode()
    assert copy.item.sha256[:12] in page and "transcription" in page


def test_upload_errors_are_shown_and_nothing_is_stored(world):
    cases = build(world)
    client = signed_in(world, "analyst")
    before = _counts()
    response = _upload(client, cases.located, b"", reason="")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Rien n’a été enregistré" in body
    assert _counts() == before


def test_declared_hash_mismatch_is_a_finding(world):
    cases = build(world)
    client = signed_in(world, "analyst")
    response = _upload(client, cases.located, jpeg_with_exif(), declared_sha256="0" * 64)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "declared_hash_mismatch" in page


def test_too_large_upload_points_to_the_cli(world, settings):
    settings.TEMOIN_WEB_EVIDENCE_MAX_BYTES = 100
    cases = build(world)
    client = signed_in(world, "analyst")
    before = _counts()
    response = _upload(client, cases.located, b"x" * 5000)
    assert response.status_code == 413
    assert "temoin evidence ingest" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize("role", ROLES)
def test_upload_page_role_matrix(world, role):
    """Monitors may add only to events they may edit (not the admin's internal event here)."""
    cases = build(world)
    client = signed_in(world, role)
    allowed = role in ("admin", "analyst")
    assert client.get(f"/evenements/{cases.located.pk}/pieces/").status_code == \
        (200 if allowed else 404)
    before = _counts()
    response = _upload(client, cases.located, jpeg_with_exif())
    assert response.status_code == (302 if allowed else 404)
    if not allowed:
        assert _counts() == before


@pytest.mark.parametrize("role", ROLES)
def test_item_page_and_original_role_matrix(world, role):
    """Item page: whoever sees the event (partners: not shared here → 404); originals:
    administrators, analysts, reviewers (monitors only their own; never viewers)."""
    from temoin.audit.models import AuditEntry

    cases = build(world)
    content = jpeg_with_exif()
    _upload(signed_in(world, "admin"), cases.located, content)
    sha256 = hashlib.sha256(content).hexdigest()
    client = signed_in(world, role)
    sees = role in ("admin", "analyst", "reviewer", "viewer")
    response = client.get(f"/pieces/{sha256}/")
    assert response.status_code == (200 if sees else 404)
    opens = role in ("admin", "analyst", "reviewer")
    if sees:
        body = response.content.decode()
        assert ("SyntheticCam" in body) == opens
        assert ("Télécharger la copie de preuve" in body) == opens
        if not opens:
            assert "dépôt terrain (synthétique)" not in body  # other people's reasons masked
    items, custody, audits = _counts()
    response = client.post(f"/pieces/{sha256}/original/", {"reason": "analyse (synthétique)"})
    if opens:
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert b"".join(response.streaming_content) == content
        assert _counts()[1] == custody + 1
        assert AuditEntry.objects.filter(action="evidence.open").count() == 1
    else:
        assert response.status_code == 404
        assert _counts()[1] == custody  # no custody entry for a refusal
        assert not AuditEntry.objects.filter(action="evidence.open").exists()


def test_partner_sees_shared_item_without_metadata_or_original(world):
    from tests.web.fixtures import share_located

    cases = build(world)
    content = jpeg_with_exif()
    _upload(signed_in(world, "admin"), cases.located, content)
    share_located(cases)
    client = signed_in(world, "partner")
    sha256 = hashlib.sha256(content).hexdigest()
    event_page = client.get(f"/evenements/{cases.located.pk}/").content.decode()
    assert sha256[:12] in event_page and "Ajouter une pièce" not in event_page
    page = client.get(f"/pieces/{sha256}/").content.decode()
    assert "SyntheticCam" not in page and "Télécharger" not in page
    custody = page.split("Registre de garde")[1]
    assert "(masquée)" in custody and "<td>admin</td>" not in custody
    assert f"<td>u-{world.admin.pk}</td>" in custody  # pseudonymous for partners


def test_sealed_keys_hide_metadata_and_refuse_originals_without_custody_entry(world):
    from temoin.keys import keystore

    cases = build(world)
    content = jpeg_with_exif()
    client = signed_in(world, "analyst")
    _upload(client, cases.located, content)
    sha256 = hashlib.sha256(content).hexdigest()
    keystore.forget()  # sealed
    page = client.get(f"/pieces/{sha256}/").content.decode()
    assert "Clés scellées" in page and "SyntheticCam" not in page
    custody = _counts()[1]
    response = client.post(f"/pieces/{sha256}/original/", {"reason": "analyse"})
    assert response.status_code == 302
    assert _counts()[1] == custody
    assert "Clés scellées" in client.get(response["Location"]).content.decode()


def test_unknown_item_is_404(world):
    client = signed_in(world, "admin")
    assert client.get("/pieces/" + "ab" * 32 + "/").status_code == 404
    assert client.post("/pieces/" + "ab" * 32 + "/original/", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["analyst", "reviewer", "viewer", "monitor"])
def test_working_copy_from_the_item_page(world, role):
    from temoin.evidence.models import EvidenceItem

    cases = build(world)
    content = jpeg_with_exif()
    _upload(signed_in(world, "admin"), cases.located, content)
    original = EvidenceItem.objects.get()
    client = signed_in(world, role)
    before = _counts()
    response = client.post(f"/pieces/{original.sha256}/copie/", {
        "file": SimpleUploadedFile("floute.jpg", b"SYNTHETIC redacted bytes"),
        "operation": "floutage des visages", "tool": "manuel", "tool_version": "1",
        "redacted": "on", "reason": "copie pour un partenaire (synthétique)"})
    if role in ("analyst", "reviewer"):
        copy = EvidenceItem.objects.exclude(pk=original.pk).get()
        assert response.status_code == 302 and response["Location"] == f"/pieces/{copy.sha256}/"
        assert (copy.derived_from, copy.redacted, copy.operation["name"]) == \
            (original, True, "floutage des visages")
        assert list(copy.events.all()) == [cases.located]  # inherits the original's links
        page = client.get(f"/pieces/{original.sha256}/").content.decode()
        assert copy.sha256[:12] in page
    else:
        assert response.status_code == 404
        assert _counts()[:2] == before[:2]


def test_working_copy_errors_shown_nothing_stored(world):
    from temoin.evidence.models import EvidenceItem

    cases = build(world)
    content = jpeg_with_exif()
    client = signed_in(world, "analyst")
    _upload(client, cases.located, content)
    original = EvidenceItem.objects.get()
    before = _counts()
    response = client.post(f"/pieces/{original.sha256}/copie/", {
        "file": SimpleUploadedFile("x.txt", b"x"), "operation": "", "reason": ""})
    assert response.status_code == 400
    assert 'id="id_operation-error"' in response.content.decode()
    assert _counts()[:2] == before[:2]


def test_restricted_event_upload_page_is_audited(world):
    from temoin.audit.models import AuditEntry

    cases = build(world)
    client = signed_in(world, "analyst")
    assert client.get(f"/evenements/{cases.restricted.pk}/pieces/").status_code == 200
    assert AuditEntry.objects.filter(action="event.view",
                                     target_id=str(cases.restricted.pk)).count() == 1
    client.get(f"/evenements/{cases.located.pk}/pieces/")
    assert not AuditEntry.objects.filter(action="event.view",
                                         target_id=str(cases.located.pk)).exists()


def test_event_page_lists_items_attached_only_to_one_of_its_sources(world):
    from temoin.evidence.services import evidence_ingest

    cases = build(world)
    outcome = evidence_ingest(actor=world.analyst, file=io.BytesIO(b"SYNTHETIC audio bytes"),
                              reason="témoignage (synthétique)", source=cases.source)
    client = signed_in(world, "analyst")
    page = client.get(f"/evenements/{cases.located.pk}/").content.decode()
    assert outcome.item.sha256[:12] in page.split('id="pieces"')[1]
    other = client.get(f"/evenements/{cases.cercle.pk}/").content.decode()
    assert outcome.item.sha256[:12] not in other
