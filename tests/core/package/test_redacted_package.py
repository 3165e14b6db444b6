"""Redacted packages for non-judicial recipients, beside full court packages: what the record
keeps and withholds, refusal of working copies that still carry GPS/EXIF, and the standalone
verifier on both kinds.  Synthetic data only."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from temoin.core.custody import NoteSigner
from temoin.core.package import ExportItem, PackageError, build_package
from temoin.core.package import verify_package as verifier
from temoin.core.vault import FieldRecord
from tests.core.vault.helpers import ANALYST, ORIGIN, make_vault, synthetic_jpeg, synthetic_png

LOG_SIGNER = NoteSigner.generate(ORIGIN)
NAME = "IMG_Synthetic_Person_Bamako.jpg"  # an identifying file name: must not reach a redacted package
DEVICE = "synthetic-device-serial-0042"


def _vault(tmp_path: Path):  # type: ignore[no-untyped-def]
    vault = make_vault(tmp_path / "vault", signer=LOG_SIGNER)
    photo = synthetic_jpeg(7)  # EXIF camera + GPS
    original = vault.ingest(io.BytesIO(photo), actor=ANALYST, filename=NAME, context={"source": "src-synthetic-9"},
                            field_records=[FieldRecord("meta.json", json.dumps(
                                {"deviceID": DEVICE, "myLocation": {"latitude": 14.5, "longitude": -4.21}}).encode())])
    operation = {"name": "blur_faces", "tool": "synthetic", "tool_version": "0"}
    clean = vault.ingest(io.BytesIO(synthetic_png(8)), actor=ANALYST, filename="IMG_Synthetic_Person_blurred.png",
                         derived_from=original.item.sha256, operation=operation)
    leaky = vault.ingest(io.BytesIO(synthetic_jpeg(9)), actor=ANALYST, filename="leaky.jpg",
                         derived_from=original.item.sha256, operation=operation)
    return vault, original.item.sha256, clean.item.sha256, leaky.item.sha256


def _all_text(bag: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in bag.rglob("*")
                     if p.is_file() and "content" not in p.parts)


def test_redacted_and_full_packages_both_verify(tmp_path: Path) -> None:
    vault, original, clean, _ = _vault(tmp_path)
    redacted = build_package(vault, [ExportItem(clean, {"events": ["evt-synthetic-1"]})], tmp_path / "media",
                             actor=ANALYST, reason="synthetic media request", log_signer=LOG_SIGNER,
                             disclosure="redacted").path
    full = build_package(vault, [ExportItem(original), ExportItem(clean)], tmp_path / "court",
                         actor=ANALYST, reason="synthetic court request", log_signer=LOG_SIGNER).path

    item = redacted / "data" / "items" / clean
    assert not (item / "record.json").exists()
    reduced = json.loads((item / "record-redacted.json").read_text())
    assert reduced["disclosure"] == "redacted" and reduced["sha256"] == clean
    assert reduced["record_sha256"] == vault.item(clean).record_sha256
    assert reduced["withheld"] == ["filename"]
    assert [m["field"] for m in reduced["metadata"]] == [
        "image.format", "image.width", "image.height", "perceptual_hash.phash", "perceptual_hash.dhash"]
    assert [p.name for p in (item / "content").iterdir()] == ["working-copy.png"]
    assert json.loads((redacted / "data" / "package.json").read_text())["disclosure"] == "redacted"
    assert not (redacted / "data" / "items" / original).exists()
    text = _all_text(redacted)
    for secret in ("IMG_Synthetic_Person", "Bamako", DEVICE, "SyntheticCam", "gps.latitude", "src-synthetic-9"):
        assert secret not in text, secret

    court_record = json.loads((full / "data" / "items" / original / "record.json").read_text())
    assert court_record["filename"] == NAME
    fields = {m["field"]: m["value"] for m in court_record["metadata"]}
    assert fields["tella.device.id"] == DEVICE and "gps.latitude" in fields and fields["exif.Make"] == "SyntheticCam"

    for bag, count in ((redacted, 1), (full, 2)):
        report = verifier.verify(bag, log_key=LOG_SIGNER.vkey())
        assert report["package"] == [] and all(p == [] for p in report["items"].values())
        assert len(report["items"]) == count
        command = [sys.executable, "-I", str(bag / "data" / "verify_package.py"), str(bag), "--log-key", LOG_SIGNER.vkey()]
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.count("OK      ") == count
        assert ("redacted package (non-judicial recipient)" in done.stdout) == (bag == redacted)


def test_redacted_original_keeps_no_identifying_record_values(tmp_path: Path) -> None:
    vault, original, _, _ = _vault(tmp_path)
    bag = build_package(vault, [ExportItem(original)], tmp_path / "partner", actor=ANALYST, reason="partner",
                        log_signer=LOG_SIGNER, disclosure="redacted").path
    reduced = json.loads((bag / "data" / "items" / original / "record-redacted.json").read_text())
    assert reduced["withheld"] == ["context", "filename", "findings (messages)", "proofs (details)"]
    assert reduced["findings"] == [{"code": "field_record_incomplete"}]
    assert reduced["proofs"] == [{"type": "tella", "result": "absent"}]
    assert "gps.latitude" in reduced["withheld_metadata_fields"] and "tella.device.id" in reduced["withheld_metadata_fields"]
    assert DEVICE not in _all_text(bag) and NAME not in _all_text(bag)
    assert verifier.report_ok(verifier.verify(bag, log_key=LOG_SIGNER.vkey()))


def test_working_copy_with_gps_in_its_bytes_is_refused_before_logging(tmp_path: Path) -> None:
    vault, _, clean, leaky = _vault(tmp_path)
    size = vault.log.size
    with pytest.raises(PackageError) as refused:
        build_package(vault, [ExportItem(clean), ExportItem(leaky)], tmp_path / "public", actor=ANALYST,
                      reason="public report", log_signer=LOG_SIGNER, disclosure="redacted")
    assert refused.value.message.startswith(f"working copy {leaky} still carries identifying values in its bytes (exif.")
    assert "gps.latitude" in refused.value.message
    assert vault.log.size == size and not (tmp_path / "public").exists()
    with pytest.raises(PackageError):
        build_package(vault, [ExportItem(clean)], tmp_path / "x", actor=ANALYST, reason="r",
                      log_signer=LOG_SIGNER, disclosure="partial")


def test_verifier_refuses_a_record_json_in_a_redacted_package(tmp_path: Path) -> None:
    """_check_redacted_record: the rules hold even if a sender builds such a bag itself."""
    item = tmp_path / "item"
    item.mkdir()
    (item / "record.json").write_text("{}")
    ingest = {"details": {"record_sha256": "a" * 64}}
    assert verifier._check_redacted_record(item, "b" * 64, ingest) == ["record.json present in a redacted package"]
    (item / "record.json").unlink()
    (item / "record-redacted.json").write_text(json.dumps({"disclosure": "redacted", "sha256": "b" * 64,
                                                           "record_sha256": "c" * 64}))
    assert verifier._check_redacted_record(item, "b" * 64, ingest) == [
        "record-redacted.json names another record than the custody log"]


def test_mutations_of_a_redacted_package_are_all_detected(tmp_path: Path) -> None:
    """300 random single-bit/byte changes to any file of a redacted bag: 100 % detected."""
    import random

    from tests.core.package.test_mutation_campaign import _campaign

    vault, original, clean, _ = _vault(tmp_path)
    bag = build_package(vault, [ExportItem(clean), ExportItem(original)], tmp_path / "media", actor=ANALYST,
                        reason="synthetic", log_signer=LOG_SIGNER, disclosure="redacted").path
    files = sorted(p for p in bag.rglob("*") if p.is_file())
    assert any(p.name == "record-redacted.json" for p in files)

    def detected(_: Path) -> bool:
        return not verifier.report_ok(verifier.verify(bag, log_key=LOG_SIGNER.vkey()))

    caught = _campaign(files, 300, random.Random(20261127), detected)
    print(f"redacted package mutations detected: {caught}/300")
    assert caught == 300
