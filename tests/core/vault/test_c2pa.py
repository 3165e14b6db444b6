"""C2PA at ingest: a JPEG signed in the test with a synthetic certificate chain (c2pa-python).

Good manifest -> verdict recorded verbatim, state Valid; altered pixels -> state Invalid with
``assertion.dataHash.mismatch``, a finding, and the file preserved byte for byte.
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from temoin.core.vault.c2pa_check import read_c2pa

from .helpers import ANALYST, make_vault, synthetic_jpeg

c2pa = pytest.importorskip("c2pa")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Synthetic")])


def sign_jpeg(data: bytes) -> bytes:
    """Embed a C2PA manifest signed by a synthetic ES256 certificate (issued by a synthetic root)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name("Synthetic C2PA Root")).issuer_name(_name("Synthetic C2PA Root"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name("Synthetic C2PA Signer")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, private, None))
    manifest = {
        "claim_generator_info": [{"name": "temoin-test", "version": "0"}],
        "title": "synthetic.jpg",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{"action": "c2pa.created", "digitalSourceType":
                   "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}],
    }
    builder = c2pa.Builder(json.dumps(manifest))
    out = io.BytesIO()
    builder.sign(signer, "image/jpeg", io.BytesIO(data), out)
    return out.getvalue()


def test_valid_and_altered_manifests_are_recorded_verbatim(tmp_path: Path) -> None:
    signed = sign_jpeg(synthetic_jpeg(41))
    verdict, findings = read_c2pa(signed, "image/jpeg")
    assert verdict is not None and findings == []
    assert verdict["validation_state"] == "Valid"
    codes = {r["code"] for r in verdict["validation_results"]["activeManifest"]["success"]}
    assert "claimSignature.validated" in codes
    altered = bytearray(signed)
    altered[-100] ^= 0xFF
    verdict, findings = read_c2pa(bytes(altered), "image/jpeg")
    assert verdict is not None and verdict["validation_state"] == "Invalid"
    assert [f.code for f in findings] == ["c2pa_invalid"]
    assert "assertion.dataHash.mismatch" in findings[0].message
    assert read_c2pa(synthetic_jpeg(42), "image/jpeg") == (None, [])

    vault = make_vault(tmp_path / "vault")
    good = vault.ingest(io.BytesIO(signed), actor=ANALYST, filename="signed.jpg")
    assert good.entry.details["proofs"] == ["c2pa:valid"]
    bad = vault.ingest(io.BytesIO(bytes(altered)), actor=ANALYST, filename="altered.jpg")
    assert bad.entry.details["proofs"] == ["c2pa:invalid"]
    assert "c2pa_invalid" in bad.item.finding_codes
    record = vault.read_record(bad.item.sha256)
    assert record["proofs"][0]["validation_state"] == "Invalid"
    assert record["proofs"][0]["tool"] == "c2pa-python"
    out = tmp_path / "out.jpg"
    vault.export_original(bad.item.sha256, out, actor=ANALYST, reason="preserved check")
    assert out.read_bytes() == bytes(altered)
