"""Builds ODK encrypted submissions step by step as the ODK specification describes.

Written independently of ``temoin.core.intake.odk.crypto`` (which only decrypts), so that the
tests check the decryptor against the spec, not against itself. Synthetic content only.

Spec steps (ODK Collect EncryptionUtils, documented in getodk/docs "Encrypted Forms"):
1. random 256-bit AES key; RSA/OAEP (SHA-256) encrypt it with the form's public key, base64.
2. IV seed = MD5(instanceID UTF-8 bytes, then key bytes); before encrypting each file,
   increment seed[counter % 16] and counter; the seed is the IV. Media first, then
   submission.xml last. AES/CFB/PKCS5Padding. Encrypted names get ".enc".
3. Signature text: formId\n [version\n] base64Key\n instanceID\n then for each file
   "<unencrypted name>::<md5 hex of unencrypted content>\n"; MD5 of that text,
   RSA/OAEP-encrypted with the public key, base64.
4. Manifest: <data xmlns="http://www.opendatakit.org/xforms/encrypted" id= version=
   encrypted="yes"> base64EncryptedKey, orx:meta/orx:instanceID, media/file*,
   encryptedXmlFile, base64EncryptedElementSignature.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.modes import CFB  # ODK uses AES-CFB
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as symmetric_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

ENC_NS = "http://www.opendatakit.org/xforms/encrypted"
ORX_NS = "http://openrosa.org/xforms"


@dataclass
class BuiltSubmission:
    manifest: bytes
    files: dict[str, bytes]
    key: bytes


def _oaep(mgf1: str) -> padding.OAEP:
    mgf_hash = hashes.SHA1() if mgf1 == "sha1" else hashes.SHA256()
    return padding.OAEP(mgf=padding.MGF1(mgf_hash), algorithm=hashes.SHA256(), label=None)


def _aes_cfb_pkcs5(key: bytes, iv: bytes, data: bytes) -> bytes:
    padder = symmetric_padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), CFB(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def build_encrypted_submission(
    public_key: rsa.RSAPublicKey,
    *,
    form_id: str,
    version: str | None,
    instance_id: str,
    submission_xml: bytes,
    media: list[tuple[str, bytes]],
    mgf1: str = "sha1",
    key: bytes | None = None,
) -> BuiltSubmission:
    key = key or os.urandom(32)
    b64_key = base64.b64encode(public_key.encrypt(key, _oaep(mgf1))).decode()
    seed = bytearray(hashlib.md5(instance_id.encode("utf-8") + key).digest())
    counter = 0
    signature_lines = (
        [form_id] + ([version] if version is not None else []) + [b64_key, instance_id]
    )
    files: dict[str, bytes] = {}
    for name, content in [*media, ("submission.xml", submission_xml)]:
        signature_lines.append(f"{name}::{hashlib.md5(content).hexdigest()}")
        seed[counter % 16] = (seed[counter % 16] + 1) & 0xFF
        counter += 1
        files[name + ".enc"] = _aes_cfb_pkcs5(key, bytes(seed), content)
    source = "".join(line + "\n" for line in signature_lines)
    digest = hashlib.md5(source.encode("utf-8")).digest()
    b64_signature = base64.b64encode(public_key.encrypt(digest, _oaep(mgf1))).decode()
    version_attr = f' version="{version}"' if version is not None else ""
    media_xml = "".join(f"<media><file>{name}.enc</file></media>\n" for name, _ in media)
    manifest = (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<data xmlns="{ENC_NS}" id="{form_id}"{version_attr} encrypted="yes">'
        f"<base64EncryptedKey>{b64_key}</base64EncryptedKey>"
        f'<orx:meta xmlns:orx="{ORX_NS}"><orx:instanceID>{instance_id}</orx:instanceID></orx:meta>\n'
        f"{media_xml}"
        f"<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        f"<base64EncryptedElementSignature>{b64_signature}</base64EncryptedElementSignature>"
        f"</data>"
    ).encode()
    return BuiltSubmission(manifest=manifest, files=files, key=key)
