"""Evidence services for the issue-3 gaps: Tella/ODK records at ingest, shredding with working
copies, custody entries for links, redacted packages for non-judicial recipients.
All data synthetic."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from temoin.audit.models import AuditEntry
from temoin.cases.models import Source
from temoin.core.vault import FieldRecord
from temoin.errors import PermissionDenied, ValidationFailed
from temoin.evidence import selectors, services
from temoin.evidence.errors import DerivativesExist
from temoin.evidence.models import EvidenceExport, EvidenceItem
from temoin.evidence.vaultsetup import open_vault

PHOTO = b"\x89PNG\r\n\x1a\n" + b"synthetic-gaps-image" * 100
FILENAME = "IMG_Synthetic_Witness_Name.png"  # identifying: must never reach a non-judicial package
OPERATION = {"name": "blur_faces", "tool": "synthetic", "tool_version": "1"}


def upload(data: bytes = PHOTO, name: str = FILENAME) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def snapshot() -> tuple[int, int, int, int]:
    return (EvidenceItem.objects.count(), AuditEntry.objects.count(),
            EvidenceExport.objects.count(), open_vault().log.size)


def ingest(case, data: bytes = PHOTO, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("events", [case.event])
    return services.evidence_ingest(actor=case.world.analyst, file=upload(data), reason="dépôt synthétique", **kwargs)


def derive(case, original, data: bytes, *, redacted: bool = True):  # type: ignore[no-untyped-def]
    return services.evidence_derive(actor=case.world.analyst, original=original, file=upload(data, "copie.png"),
                                    operation=OPERATION, reason="floutage", redacted=redacted).item


def clean_png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (16, 16), seed).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SyntheticCam"  # Make
    exif[0x8825] = {1: "N", 2: (14.0, 30.0, 0.0), 3: "W", 4: (4.0, 12.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


# ----------------------------------------------------------------------------- field records
def test_ingest_with_tella_and_odk_records_keeps_verdicts(case):
    sha = hashlib.sha256(PHOTO).hexdigest()
    tella = json.dumps({"fileHashSHA256": "0" * 64, "timestamp": 1709633472000, "deviceID": "synthetic-dev-1",
                        "myLocation": {"latitude": 14.03, "longitude": -4.6, "accuracy": 9.5}}).encode()
    audit = b"event,node,start,end\nform start,,1709633400000,\nform save,,1709633490000,\n"
    outcome = ingest(case, field_records=[FieldRecord("tella.json", tella), FieldRecord("audit.csv", audit)])
    assert outcome.proofs == ("tella:mismatch", "odk_audit:absent")
    assert "field_record_hash_mismatch" in outcome.findings
    assert outcome.item.sha256 == sha  # the file is preserved despite the failed proof
    audit_row = AuditEntry.objects.get(action="evidence.ingest", target_id=str(outcome.item.pk))
    assert audit_row.details["proofs"] == ["tella:mismatch", "odk_audit:absent"]
    record = open_vault().read_record(sha)
    assert [p["result"] for p in record["proofs"]] == ["mismatch", "absent"]
    fields = {m["field"]: m["value"] for m in record["metadata"]}
    assert fields["tella.location.latitude"] == "14.03" and fields["odk.audit.events"] == 2
    timeline = selectors.custody_timeline(case.world.analyst, sha)
    assert timeline[0]["details"]["proofs"] == ["tella:mismatch", "odk_audit:absent"]


def test_oversized_field_record_refused_by_name_and_nothing_changed(case):
    from temoin.core.vault import MAX_RECORD_BYTES

    before = snapshot()
    record = services.field_record_from("big.json", io.BytesIO(b" " * (MAX_RECORD_BYTES + 10)))
    assert len(record.content) == MAX_RECORD_BYTES + 1
    with pytest.raises(ValidationFailed) as refused:
        ingest(case, field_records=[record])
    assert refused.value.fields["field_records"][0][0] == "too_large"
    assert snapshot() == before


# ----------------------------------------------------------------------------- shredding
def test_shred_refused_while_working_copies_exist_then_shreds_them_all(case, vault_root):
    original = ingest(case).item
    copy = derive(case, original, clean_png(1))
    second = services.evidence_derive(actor=case.world.analyst, original=copy, file=upload(b"transcript synth", "t.txt"),
                                      operation={**OPERATION, "name": "transcribe"}, reason="transcription").item
    before = snapshot()
    with pytest.raises(DerivativesExist) as refused:
        services.evidence_shred(actor=case.world.admin, item=original, reason="retrait", authority="D-9")
    assert refused.value.derivatives == [copy.sha256, second.sha256]
    assert refused.value.code == "evidence.derivatives_exist" and refused.value.http_status == 409
    assert copy.sha256 in refused.value.message and "--with-derivatives" in refused.value.message
    assert refused.value.as_dict()["derivatives"] == [copy.sha256, second.sha256]
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        services.evidence_shred(actor=case.world.analyst, item=original, reason="retrait", authority="D-9",
                                with_derivatives=True)
    assert snapshot() == before

    services.evidence_shred(actor=case.world.admin, item=original, reason="retrait", authority="D-9",
                            with_derivatives=True)
    vault = open_vault()
    for row in (original, copy, second):
        row.refresh_from_db()
        assert row.shredded and row.filename_sealed is None
        assert not (vault_root / "objects" / "keys" / row.sha256).exists()
        assert vault.item(row.sha256).shredded
        last = selectors.custody_timeline(case.world.admin, row.sha256)[-1]
        assert last["action"] == "key_destroyed" and last["reason"] == "retrait"
        audit = AuditEntry.objects.get(action="evidence.shred", target_id=str(row.pk))
        assert audit.details["custody_seq"] == last["seq"]
    assert AuditEntry.objects.get(action="evidence.shred", target_id=str(copy.pk)).details["with_original"] == original.sha256
    assert vault.check_consistency().ok


# ----------------------------------------------------------------------------- links
def test_link_and_unlink_append_custody_entries_with_the_audit_row(case):
    item = ingest(case).item
    size = open_vault().log.size
    services.evidence_link(actor=case.world.analyst, item=item, reason="même scène",
                           events=[case.shared_event], sources=[case.source_courts])
    entry = open_vault().log.entry(size)
    assert (entry.action, entry.item_sha256, entry.reason) == ("link", item.sha256, "même scène")
    assert entry.actor == f"u-{case.world.analyst.pk}" and entry.role == "analyst"
    assert entry.details == {"links": {"events": [case.shared_event.reference], "sources": [case.source_courts.pk]}}
    audit = AuditEntry.objects.get(action="evidence.link", target_id=str(item.pk))
    assert audit.details["custody_seq"] == size
    services.evidence_unlink(actor=case.world.analyst, item=item, reason="erreur de rattachement",
                             events=[case.shared_event])
    entry = open_vault().log.entry(size + 1)
    assert (entry.action, entry.details) == ("unlink", {"links": {"events": [case.shared_event.reference]}})
    assert list(item.events.all()) == [case.event]
    assert AuditEntry.objects.get(action="evidence.unlink").details["custody_seq"] == size + 1
    actions = [e["action"] for e in selectors.custody_timeline(case.world.analyst, item.sha256)]
    assert actions == ["ingest", "link", "unlink"]


def test_refused_link_changes_nothing(case):
    item = ingest(case).item
    before = (snapshot(), list(item.events.all()), list(item.sources.all()))
    with pytest.raises(PermissionDenied):
        services.evidence_link(actor=case.world.viewer, item=item, reason="x", events=[case.shared_event])
    with pytest.raises(ValidationFailed) as missing:
        services.evidence_link(actor=case.world.analyst, item=item, reason="", events=[case.shared_event])
    assert "reason" in missing.value.fields
    with pytest.raises(ValidationFailed) as not_linked:
        services.evidence_unlink(actor=case.world.analyst, item=item, reason="x", events=[case.shared_event])
    assert not_linked.value.fields["events"][0][0] == "not_linked"
    with pytest.raises(ValidationFailed) as last:
        services.evidence_unlink(actor=case.world.analyst, item=item, reason="x", events=[case.event])
    assert last.value.fields["links"][0][0] == "last_link"
    assert (snapshot(), list(item.events.all()), list(item.sources.all())) == before


# ----------------------------------------------------------------------------- exports
def _public_source(case) -> Source:  # type: ignore[no-untyped-def]
    return Source.objects.create(organisation=case.world.host, source_type="media", title="(SYNTHÉTIQUE)",
                                 consent=["internal", "public", "courts", "media"], created_by=case.world.analyst)


def _verify(bag: Path) -> subprocess.CompletedProcess[str]:
    vkey = selectors.custody_vkey()["vkey"]
    return subprocess.run([sys.executable, str(bag / "data" / "verify_package.py"), str(bag), "--log-key", vkey],
                          capture_output=True, text=True, timeout=120)


def _bag_text(bag: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in bag.rglob("*")
                     if p.is_file() and "content" not in p.parts)


def test_public_package_is_redacted_and_court_package_is_full(case, tmp_path):
    source = _public_source(case)
    original = ingest(case, source=source).item
    copy = derive(case, original, clean_png(2))
    public = services.evidence_export(actor=case.world.analyst, items=[original], recipient_kind="public",
                                      reason="rapport public", destination=tmp_path / "pub")
    assert public.items == [copy.sha256] and public.export.settings["disclosure"] == "redacted"
    item_dir = tmp_path / "pub" / "data" / "items" / copy.sha256
    assert not (item_dir / "record.json").exists()
    assert json.loads((item_dir / "record-redacted.json").read_text())["withheld"] == ["context", "filename"]
    assert FILENAME not in _bag_text(tmp_path / "pub") and "copie.png" not in _bag_text(tmp_path / "pub")
    done = _verify(tmp_path / "pub")
    assert done.returncode == 0, done.stdout + done.stderr

    court = services.evidence_export(actor=case.world.analyst, items=[original], recipient_kind="courts",
                                     reason="parquet", destination=tmp_path / "court")
    assert court.items == [original.sha256] and court.export.settings["disclosure"] == "full"
    record = json.loads((tmp_path / "court" / "data" / "items" / original.sha256 / "record.json").read_text())
    assert record["filename"] == FILENAME
    done = _verify(tmp_path / "court")
    assert done.returncode == 0, done.stdout + done.stderr


def test_public_export_refuses_originals_and_identifying_copies_nothing_changed(case, tmp_path):
    source = _public_source(case)
    bare = ingest(case, data=PHOTO + b"no copy", source=source).item
    original = ingest(case, source=source).item
    leaky = derive(case, original, jpeg_with_gps())
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.evidence_export(actor=case.world.analyst, items=[bare, original], recipient_kind="media",
                                 reason="presse", destination=tmp_path / "media")
    codes = [code for code, _ in refused.value.fields["selection"]]
    assert codes == ["evidence.no_redacted_copy", "evidence.working_copy_identifying", "evidence.nothing_to_export"]
    assert "gps." in refused.value.fields["selection"][1][1] and leaky.sha256[:12] in refused.value.fields["selection"][1][1]
    assert snapshot() == before and not (tmp_path / "media").exists()


def test_partner_gets_original_with_reduced_record(case, tmp_path):
    item = ingest(case, events=[case.shared_event], source=case.source_partner).item
    done = services.evidence_export(actor=case.world.analyst, items=[item], reason="partage",
                                    recipient_kind="named_partners", destination=tmp_path / "p",
                                    recipient_organisation=case.world.partner_org)
    assert done.items == [item.sha256]
    assert (tmp_path / "p" / "data" / "items" / item.sha256 / "record-redacted.json").exists()
    assert FILENAME not in _bag_text(tmp_path / "p")
    assert _verify(tmp_path / "p").returncode == 0
