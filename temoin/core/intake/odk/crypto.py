"""Decrypting ODK encrypted submissions, as specified by ODK (Collect's EncryptionUtils).

An encrypted submission is a plaintext *manifest* (``submission.xml``) plus encrypted files:
the media attachments (``<name>.enc``) and the form data (``submission.xml.enc``).

* The device draws a random 256-bit AES key and RSA-OAEP-encrypts it with the form's public
  key (``base64EncryptedKey``). OAEP uses SHA-256; the MGF1 hash differs between Java
  providers (SHA-256 with BouncyCastle, SHA-1 with Android/Conscrypt and Enketo), so both
  are tried, then SHA-1/SHA-1 for the oldest clients.
* IVs: ``seed = MD5(UTF-8(instanceID) ‖ key)`` (16 bytes). Before each file, in manifest
  order (media first, then the submission XML), byte ``i mod 16`` of the seed is incremented
  (mod 256) for the *i*-th file (from 0), cumulatively; the seed is that file's IV.
  Files are AES-256-CFB (128-bit feedback) with PKCS#5 padding.
* Signature: the lines ``formId``, ``version`` (if any), ``base64EncryptedKey``,
  ``instanceID``, then ``<file name>::<md5 hex>`` of each *decrypted* media file and of the
  decrypted submission XML (names without ``.enc``), each line ending in ``\n``; the MD5 of
  that text is RSA-OAEP-encrypted with the public key (``base64EncryptedElementSignature``).
  Decrypting it with the private key and comparing detects tampering and missing files.

:func:`decrypt_submission` does all of this and raises a :class:`SubmissionError` subclass
with a stable code and the reason when anything does not hold.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.decrepit.ciphers.modes import CFB  # ODK uses AES-CFB
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

from temoin.core.intake.errors import (
    DecryptionError,
    ManifestError,
    MissingAttachmentError,
    SignatureMismatchError,
    SubmissionError,
)
from temoin.core.intake.odk.xmlsafe import local_name, parse_untrusted_xml

__all__ = [
    "DecryptedSubmission",
    "EncryptedManifest",
    "OAEP_VARIANTS",
    "decrypt_submission",
    "file_ivs",
    "is_encrypted_manifest",
    "load_private_key",
    "parse_manifest",
    "signature_source",
]

OAEP_VARIANTS: tuple[tuple[str, padding.OAEP], ...] = (
    ("sha256/mgf1-sha256", padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)),
    ("sha256/mgf1-sha1", padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA256(), None)),
    ("sha1/mgf1-sha1", padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)),
)


@dataclass(frozen=True, slots=True)
class EncryptedManifest:
    """The plaintext manifest of an encrypted submission."""

    form_id: str
    version: str | None
    instance_id: str
    base64_encrypted_key: str
    media_files: tuple[str, ...]  # encrypted names, e.g. "photo.jpg.enc", in order
    encrypted_xml_file: str  # e.g. "submission.xml.enc"
    base64_encrypted_signature: str


@dataclass(frozen=True, slots=True)
class DecryptedSubmission:
    """A decrypted, signature-checked submission."""

    form_id: str
    version: str | None
    instance_id: str
    submission_xml: bytes
    attachments: dict[str, bytes]  # decrypted name → content, manifest order
    oaep_variant: str


def is_encrypted_manifest(xml: bytes) -> bool:
    """True when ``xml`` is an encrypted-submission manifest (root ``encrypted="yes"``)."""
    try:
        root = parse_untrusted_xml(xml, what="submission")
    except SubmissionError:
        return False
    return root.get("encrypted", "").casefold() == "yes"


def parse_manifest(xml: bytes) -> EncryptedManifest:
    """Read the manifest; raise :class:`ManifestError` naming the missing element."""
    root = parse_untrusted_xml(xml, what="encrypted-submission manifest")
    if root.get("encrypted", "").casefold() != "yes":
        raise ManifestError('the submission is not marked encrypted="yes"')
    form_id = root.get("id")
    if not form_id:
        raise ManifestError("the manifest has no form id", field="id")
    values: dict[str, str] = {}
    media: list[str] = []
    for element in root.iter():
        name = local_name(element.tag)
        text = (element.text or "").strip()
        if name == "file" and text:
            media.append(text)
        elif name in {"base64EncryptedKey", "instanceID", "encryptedXmlFile",
                      "base64EncryptedElementSignature"} and text:  # fmt: skip
            values[name] = text
    for required in ("base64EncryptedKey", "instanceID", "encryptedXmlFile",
                     "base64EncryptedElementSignature"):  # fmt: skip
        if required not in values:
            raise ManifestError(f"the manifest lacks <{required}>", field=required)
    for file_name in (*media, values["encryptedXmlFile"]):
        if not file_name.endswith(".enc") or "/" in file_name or "\\" in file_name:
            raise ManifestError(
                f"file name {file_name!r} is not a plain '<name>.enc'", field="file"
            )
    return EncryptedManifest(
        form_id=form_id,
        version=root.get("version") or None,
        instance_id=values["instanceID"],
        base64_encrypted_key=values["base64EncryptedKey"],
        media_files=tuple(media),
        encrypted_xml_file=values["encryptedXmlFile"],
        base64_encrypted_signature=values["base64EncryptedElementSignature"],
    )


def load_private_key(pem: bytes, *, password: bytes | None = None) -> rsa.RSAPrivateKey:
    """Load an RSA private key from PEM (PKCS#1 or PKCS#8)."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError) as error:
        raise DecryptionError(
            "the private key cannot be loaded (wrong format or password)"
        ) from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DecryptionError("the private key is not an RSA key")
    return key


def _b64(text: str, field: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ManifestError(f"<{field}> is not valid base64", field=field) from error


def _rsa_decrypt(private_key: rsa.RSAPrivateKey, data: bytes) -> tuple[bytes, str] | None:
    for label, scheme in OAEP_VARIANTS:
        try:
            return private_key.decrypt(data, scheme), label
        except (ValueError, InvalidKey):
            continue
    return None


def file_ivs(instance_id: str, key: bytes, count: int) -> list[bytes]:
    """The IVs of the first ``count`` files, derived as in the specification."""
    seed = bytearray(hashlib.md5(instance_id.encode("utf-8") + key).digest())  # noqa: S324  # the spec uses MD5
    ivs = []
    for index in range(count):
        seed[index % 16] = (seed[index % 16] + 1) % 256
        ivs.append(bytes(seed))
    return ivs


def _decrypt_file(key: bytes, iv: bytes, data: bytes, name: str) -> bytes:
    decryptor = Cipher(algorithms.AES(key), CFB(iv)).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1] if plain else 0
    if not plain or not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
        raise DecryptionError(f"{name}: bad padding after decryption (wrong key, IV or damaged file)",
                              field=name)  # fmt: skip
    return plain[:-pad]


def signature_source(manifest: EncryptedManifest, decrypted: list[tuple[str, bytes]]) -> str:
    """The signed text: form id, version, key, instance id, then ``name::md5`` lines."""
    lines = [manifest.form_id]
    if manifest.version is not None:
        lines.append(manifest.version)
    lines += [manifest.base64_encrypted_key, manifest.instance_id]
    lines += [f"{name}::{hashlib.md5(content).hexdigest()}" for name, content in decrypted]  # noqa: S324
    return "".join(line + "\n" for line in lines)


def _check_content(manifest: EncryptedManifest, submission_xml: bytes) -> None:
    root = parse_untrusted_xml(submission_xml, what="decrypted submission")
    if root.get("id") != manifest.form_id:
        raise ManifestError("the decrypted form id differs from the manifest's", field="id")
    instance_ids = [
        (element.text or "").strip()
        for element in root.iter()
        if local_name(element.tag) == "instanceID"
    ]
    if manifest.instance_id not in instance_ids:
        raise ManifestError(
            "the decrypted instanceID differs from the manifest's", field="instanceID"
        )


def decrypt_submission(
    manifest_xml: bytes,
    files: Mapping[str, bytes],
    private_key: rsa.RSAPrivateKey | bytes,
    *,
    password: bytes | None = None,
) -> DecryptedSubmission:
    """Decrypt an encrypted submission and verify its signature.

    ``files`` maps the encrypted file names of the manifest (``photo.jpg.enc``,
    ``submission.xml.enc``) to their bytes. Raises :class:`ManifestError`,
    :class:`MissingAttachmentError`, :class:`DecryptionError` or
    :class:`SignatureMismatchError`; nothing is returned unless the signature matches.
    """
    manifest = parse_manifest(manifest_xml)
    key_object = private_key if isinstance(private_key, rsa.RSAPrivateKey) else load_private_key(
        private_key, password=password
    )  # fmt: skip
    unwrapped = _rsa_decrypt(key_object, _b64(manifest.base64_encrypted_key, "base64EncryptedKey"))
    if unwrapped is None:
        raise DecryptionError("the symmetric key cannot be decrypted with this private key",
                              field="base64EncryptedKey")  # fmt: skip
    key, variant = unwrapped
    if len(key) != 32:
        raise DecryptionError(f"the symmetric key is {len(key)} bytes, expected 32",
                              field="base64EncryptedKey")  # fmt: skip
    ordered = [*manifest.media_files, manifest.encrypted_xml_file]
    missing = [name for name in ordered if name not in files]
    if missing:
        raise MissingAttachmentError(f"file(s) named in the manifest are missing: {', '.join(missing)}",
                                     field=missing[0])  # fmt: skip
    decrypted: list[tuple[str, bytes]] = []
    for name, iv in zip(ordered, file_ivs(manifest.instance_id, key, len(ordered)), strict=True):
        decrypted.append((name.removesuffix(".enc"), _decrypt_file(key, iv, files[name], name)))
    signature = _rsa_decrypt(
        key_object, _b64(manifest.base64_encrypted_signature, "base64EncryptedElementSignature")
    )
    if signature is None:
        raise SignatureMismatchError("the element signature cannot be decrypted with this key",
                                     field="base64EncryptedElementSignature")  # fmt: skip
    expected = hashlib.md5(signature_source(manifest, decrypted).encode("utf-8")).digest()  # noqa: S324
    if not hmac.compare_digest(signature[0], expected):
        raise SignatureMismatchError(
            "the element signature does not match the decrypted content: a file, the key or "
            "the manifest was altered, replaced or reordered",
            field="base64EncryptedElementSignature",
        )
    submission_xml = decrypted[-1][1]
    _check_content(manifest, submission_xml)
    return DecryptedSubmission(
        form_id=manifest.form_id,
        version=manifest.version,
        instance_id=manifest.instance_id,
        submission_xml=submission_xml,
        attachments=dict(decrypted[:-1]),
        oaep_variant=variant,
    )
