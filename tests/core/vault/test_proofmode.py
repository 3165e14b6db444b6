"""ProofMode bundles made with a real GnuPG key (synthetic identity): good, altered, badly signed."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from temoin.core.vault.proofmode import check_proofmode_zip

from .helpers import ANALYST, make_vault, synthetic_jpeg

GPG = shutil.which("gpg")
pytestmark = pytest.mark.skipif(GPG is None, reason="gpg not installed")


@pytest.fixture(scope="module")
def signer_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A throw-away GnuPG home with one synthetic Ed25519 signing key; its agent is stopped after."""
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    subprocess.run([str(GPG), "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                    "--quick-gen-key", "Synthetic ProofMode <synthetic@example.invalid>", "ed25519", "sign", "never"],
                   check=True, capture_output=True)
    yield home
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False, capture_output=True)


def _sign(home: Path, data: bytes, work: Path) -> bytes:
    (work / "to-sign").write_bytes(data)
    (work / "to-sign.asc").unlink(missing_ok=True)
    subprocess.run([str(GPG), "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                    "--armor", "--detach-sign", "-o", str(work / "to-sign.asc"), str(work / "to-sign")],
                   check=True, capture_output=True)
    return (work / "to-sign.asc").read_bytes()


def make_bundle(home: Path, work: Path, media: bytes, *, tamper_media: bool = False, bad_proof_sig: bool = False) -> bytes:
    digest = hashlib.sha256(media).hexdigest()
    proof_json = json.dumps(
        {"File Hash SHA256": digest, "DeviceID": "synthetic-device", "Proof Generated": "2024-03-05T10:11:12Z"}
    ).encode()
    proof_csv = f"File Hash SHA256,DeviceID\n{digest},synthetic-device\n".encode()
    public = subprocess.run([str(GPG), "--homedir", str(home), "--armor", "--export"], check=True, capture_output=True).stdout
    members = {
        "IMG_0001.jpg": media + (b"\x00" if tamper_media else b""),
        f"{digest}.asc": _sign(home, media, work),
        f"{digest}.proof.json": proof_json,
        f"{digest}.proof.json.asc": _sign(home, proof_json + (b" " if bad_proof_sig else b""), work),
        f"{digest}.proof.csv": proof_csv,
        f"{digest}.proof.csv.asc": _sign(home, proof_csv, work),
        "pubkey.asc": public,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_good_bundle_verifies_and_is_recorded(signer_home: Path, tmp_path: Path) -> None:
    bundle = make_bundle(signer_home, tmp_path, synthetic_jpeg(31))
    verdict, findings = check_proofmode_zip(bundle)
    assert findings == []
    assert verdict["result"] == "valid"
    assert verdict["media"][0]["hash"] == "match" and verdict["media"][0]["signature"] == "good"
    assert len(verdict["media"][0]["signer_fingerprint"]) == 40
    assert set(verdict["proofs"].values()) == {"good"}
    vault = make_vault(tmp_path / "vault")
    result = vault.ingest(io.BytesIO(bundle), actor=ANALYST, filename="proofmode-export.zip")
    assert result.item.media_type == "application/zip"
    assert result.entry.details["proofs"] == ["proofmode:valid"]
    assert vault.read_record(result.item.sha256)["proofs"][0]["tool"] == "temoin.proofmode-check 1"


def test_altered_media_and_bad_signature_are_findings_and_file_is_preserved(signer_home: Path, tmp_path: Path) -> None:
    altered = make_bundle(signer_home, tmp_path, synthetic_jpeg(32), tamper_media=True)
    verdict, findings = check_proofmode_zip(altered)
    assert verdict["result"] == "invalid"
    assert [f.code for f in findings] == ["proofmode_hash_mismatch", "proofmode_signature_invalid"]
    assert verdict["media"][0]["signature"] == "bad"
    badly_signed = make_bundle(signer_home, tmp_path, synthetic_jpeg(33), bad_proof_sig=True)
    verdict, findings = check_proofmode_zip(badly_signed)
    assert [f.code for f in findings] == ["proofmode_signature_invalid"]
    assert verdict["proofs"][next(n for n in verdict["proofs"] if n.endswith(".proof.json"))] == "bad"
    vault = make_vault(tmp_path / "vault")
    result = vault.ingest(io.BytesIO(altered), actor=ANALYST, filename="altered.zip")
    assert result.entry.details["proofs"] == ["proofmode:invalid"]
    assert list(result.item.finding_codes) == ["proofmode_hash_mismatch", "proofmode_signature_invalid"]
    exported = tmp_path / "out.zip"
    vault.export_original(result.item.sha256, exported, actor=ANALYST, reason="check preserved")
    assert exported.read_bytes() == altered


def test_plain_zip_is_not_treated_as_proofmode(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "synthetic")
    vault = make_vault(tmp_path / "vault")
    result = vault.ingest(io.BytesIO(buffer.getvalue()), actor=ANALYST, filename="notes.zip")
    assert result.entry.details["proofs"] == [] and result.findings == ()
