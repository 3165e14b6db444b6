"""ODK encrypted submissions: decrypt spec-built submissions, reject tampered ones.

All content is synthetic (labelled so); keys are generated per test session.
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from temoin.core.intake.errors import (
    DecryptionError,
    ManifestError,
    MissingAttachmentError,
    SignatureMismatchError,
)
from temoin.core.intake.odk.crypto import decrypt_submission, file_ivs, parse_manifest
from tests.core.intake.odk_spec_builder import build_encrypted_submission

INSTANCE_ID = "uuid:6f1c1c1e-0000-4000-8000-000000000001"
SUBMISSION = (
    '<?xml version="1.0"?><data id="temoin_incident" version="2026112701">'
    "<incident_date>2019-03-23</incident_date><location_name>SYNTHETIC-VILLAGE</location_name>"
    "<photo>photo.jpg</photo>"
    f"<meta><instanceID>{INSTANCE_ID}</instanceID></meta></data>"
).encode()
PHOTO = b"\xff\xd8\xff synthetic jpeg bytes " * 50
AUDIO = b"synthetic audio" * 7


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def build(private_key: rsa.RSAPrivateKey, **overrides: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {
        "form_id": "temoin_incident",
        "version": "2026112701",
        "instance_id": INSTANCE_ID,
        "submission_xml": SUBMISSION,
        "media": [("photo.jpg", PHOTO), ("note.m4a", AUDIO)],
    }
    options.update(overrides)
    return build_encrypted_submission(private_key.public_key(), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("mgf1", ["sha1", "sha256"])
def test_decrypts_spec_built_submission_with_attachments(private_key, mgf1) -> None:
    built = build(private_key, mgf1=mgf1)
    result = decrypt_submission(built.manifest, built.files, private_key)
    assert result.submission_xml == SUBMISSION
    assert result.attachments == {"photo.jpg": PHOTO, "note.m4a": AUDIO}
    assert list(result.attachments) == ["photo.jpg", "note.m4a"]
    assert (result.form_id, result.version, result.instance_id) == (
        "temoin_incident",
        "2026112701",
        INSTANCE_ID,
    )
    assert result.oaep_variant == f"sha256/mgf1-{mgf1}"


def test_decrypts_without_version_and_without_media_from_pem(private_key) -> None:
    built = build(private_key, version=None, media=[])
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    result = decrypt_submission(built.manifest, built.files, pem)
    assert result.version is None
    assert result.attachments == {}
    assert result.submission_xml == SUBMISSION


def test_ivs_follow_the_spec_counter() -> None:
    key = bytes(range(32))
    ivs = file_ivs("uuid:x", key, 18)
    import hashlib

    seed = hashlib.md5(b"uuid:x" + key).digest()
    assert ivs[0] == bytes([(seed[0] + 1) % 256]) + seed[1:]
    assert ivs[1] == bytes([(seed[0] + 1) % 256, (seed[1] + 1) % 256]) + seed[2:]
    # after 16 files every byte was incremented once; the 17th increments byte 0 again
    assert ivs[15] == bytes((b + 1) % 256 for b in seed)
    assert ivs[16][0] == (seed[0] + 2) % 256 and ivs[16][1:] == ivs[15][1:]


def test_tampered_attachment_is_rejected_with_reason(private_key) -> None:
    built = build(private_key)
    photo = bytearray(built.files["photo.jpg.enc"])
    photo[5] ^= 0x01  # flip one bit early in the ciphertext: padding stays valid
    tampered = dict(built.files, **{"photo.jpg.enc": bytes(photo)})
    with pytest.raises(SignatureMismatchError) as caught:
        decrypt_submission(built.manifest, tampered, private_key)
    assert caught.value.code == "signature_mismatch"
    assert "does not match the decrypted content" in str(caught.value)


def test_replaced_submission_xml_is_rejected(private_key) -> None:
    built = build(private_key)
    forged = build(private_key, submission_xml=SUBMISSION.replace(b"2019-03-23", b"2019-03-24"),
                   key=built.key)  # fmt: skip
    mixed = dict(built.files, **{"submission.xml.enc": forged.files["submission.xml.enc"]})
    with pytest.raises(SignatureMismatchError):
        decrypt_submission(built.manifest, mixed, private_key)


def test_reordered_media_is_rejected(private_key) -> None:
    built = build(private_key)
    manifest = built.manifest.replace(b"photo.jpg.enc", b"TMP").replace(
        b"note.m4a.enc", b"photo.jpg.enc"
    )
    manifest = manifest.replace(b"TMP", b"note.m4a.enc")
    with pytest.raises((SignatureMismatchError, DecryptionError)):
        decrypt_submission(manifest, built.files, private_key)


def test_signature_from_another_submission_is_rejected(private_key) -> None:
    first, second = build(private_key), build(private_key)
    signature = parse_manifest(second.manifest).base64_encrypted_signature
    original = parse_manifest(first.manifest).base64_encrypted_signature
    manifest = first.manifest.replace(original.encode(), signature.encode())
    with pytest.raises(SignatureMismatchError):
        decrypt_submission(manifest, first.files, private_key)


def test_missing_attachment_is_named(private_key) -> None:
    built = build(private_key)
    files = {name: data for name, data in built.files.items() if name != "note.m4a.enc"}
    with pytest.raises(MissingAttachmentError) as caught:
        decrypt_submission(built.manifest, files, private_key)
    assert caught.value.code == "attachment_missing"
    assert "note.m4a.enc" in str(caught.value)


def test_wrong_private_key_is_refused(private_key, other_key) -> None:
    built = build(private_key)
    with pytest.raises(DecryptionError) as caught:
        decrypt_submission(built.manifest, built.files, other_key)
    assert caught.value.code == "decryption_failed"


def test_manifest_problems_are_named(private_key) -> None:
    built = build(private_key)
    with pytest.raises(ManifestError) as caught:
        decrypt_submission(
            built.manifest.replace(b'encrypted="yes"', b""), built.files, private_key
        )
    assert "encrypted" in str(caught.value)
    broken = built.manifest.replace(b"<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>", b"")
    with pytest.raises(ManifestError) as caught:
        decrypt_submission(broken, built.files, private_key)
    assert caught.value.field == "encryptedXmlFile"
    traversal = built.manifest.replace(b"<file>photo.jpg.enc", b"<file>../photo.jpg.enc")
    with pytest.raises(ManifestError):
        decrypt_submission(traversal, built.files, private_key)


def test_instance_id_mismatch_between_manifest_and_content_is_refused(private_key) -> None:
    other_xml = SUBMISSION.replace(INSTANCE_ID.encode(), b"uuid:someone-else")
    built = build(private_key, submission_xml=other_xml)
    with pytest.raises(ManifestError) as caught:
        decrypt_submission(built.manifest, built.files, private_key)
    assert "instanceID" in str(caught.value)


def test_garbage_key_base64_is_a_manifest_error(private_key) -> None:
    built = build(private_key)
    key = parse_manifest(built.manifest).base64_encrypted_key
    manifest = built.manifest.replace(key.encode(), b"***not base64***")
    with pytest.raises(ManifestError):
        decrypt_submission(manifest, built.files, private_key)
    assert base64.b64decode(key)  # the original was valid


_FUZZ_KEY: list[rsa.RSAPrivateKey] = []


def _fuzz_key() -> rsa.RSAPrivateKey:
    """One key shared by the fuzz tests (generating keys per example is slow)."""
    if not _FUZZ_KEY:
        _FUZZ_KEY.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _FUZZ_KEY[0]
